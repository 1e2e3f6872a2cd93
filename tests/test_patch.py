"""Patch formats, table-driven: each case is (format, kind, original, patch)
and either the expected object or the expected error (HTTP code and a part
of the message). The strategic merge patch cases follow the upstream
documentation (kubectl patch task page, the strategic-merge-patch and
preserve-order design notes): containers merged by name, ports by
containerPort, env by name, volumes by name, and the directives."""
import copy

import pytest

from resources.machinery import patch as P
from resources.schema import builtin as schemas

DEPLOYMENT = ("apps", "v1", "Deployment")
POD = ("", "v1", "Pod")
CONFIGMAP = ("", "v1", "ConfigMap")


def pod_spec(*containers, **extra):
    spec = {"containers": list(containers)}
    spec.update(extra)
    return spec


def deployment(spec_template=None, **spec):
    out = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "labels": {"app": "web"}},
           "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}}}}
    out["spec"].update(spec)
    if spec_template is not None:
        out["spec"]["template"] = {"metadata": {"labels": {"app": "web"}}, "spec": spec_template}
    return out


NGINX = {"name": "nginx", "image": "nginx:1.25", "ports": [{"containerPort": 80}]}
REDIS = {"name": "redis", "image": "redis"}

# (id, format, kind, original, patch, expected) — expected is an object, or
# ("error", code, message fragment).
CASES = [
    # ------------------------------------------------------------ JSON patch
    ("json-add", P.JSON_PATCH, None, {"a": 1}, [{"op": "add", "path": "/b", "value": 2}], {"a": 1, "b": 2}),
    ("json-add-replaces-existing", P.JSON_PATCH, None, {"a": 1}, [{"op": "add", "path": "/a", "value": 3}],
     {"a": 3}),
    ("json-add-list-index", P.JSON_PATCH, None, {"l": [1, 3]}, [{"op": "add", "path": "/l/1", "value": 2}],
     {"l": [1, 2, 3]}),
    ("json-add-list-end", P.JSON_PATCH, None, {"l": [1]}, [{"op": "add", "path": "/l/-", "value": 2}],
     {"l": [1, 2]}),
    ("json-add-missing-parent", P.JSON_PATCH, None, {}, [{"op": "add", "path": "/x/y", "value": 1}],
     ("error", 422, "")),
    ("json-add-index-out-of-range", P.JSON_PATCH, None, {"l": [1]}, [{"op": "add", "path": "/l/5", "value": 2}],
     ("error", 422, "")),
    ("json-remove", P.JSON_PATCH, None, {"a": 1, "b": 2}, [{"op": "remove", "path": "/a"}], {"b": 2}),
    ("json-remove-list-item", P.JSON_PATCH, None, {"l": [1, 2, 3]}, [{"op": "remove", "path": "/l/1"}],
     {"l": [1, 3]}),
    ("json-remove-missing", P.JSON_PATCH, None, {"a": 1}, [{"op": "remove", "path": "/b"}], ("error", 422, "")),
    ("json-replace", P.JSON_PATCH, None, {"a": {"b": 1}}, [{"op": "replace", "path": "/a/b", "value": 5}],
     {"a": {"b": 5}}),
    ("json-replace-missing", P.JSON_PATCH, None, {"a": {}}, [{"op": "replace", "path": "/a/b", "value": 5}],
     ("error", 422, "")),
    ("json-move", P.JSON_PATCH, None, {"a": 1, "b": {}}, [{"op": "move", "from": "/a", "path": "/b/c"}],
     {"b": {"c": 1}}),
    ("json-copy", P.JSON_PATCH, None, {"a": [1]}, [{"op": "copy", "from": "/a", "path": "/b"}],
     {"a": [1], "b": [1]}),
    ("json-test-passes", P.JSON_PATCH, None, {"a": 1}, [{"op": "test", "path": "/a", "value": 1},
                                                        {"op": "replace", "path": "/a", "value": 2}], {"a": 2}),
    ("json-test-fails", P.JSON_PATCH, None, {"a": 1}, [{"op": "test", "path": "/a", "value": 9},
                                                       {"op": "replace", "path": "/a", "value": 2}],
     ("error", 422, "")),
    ("json-test-object", P.JSON_PATCH, None, {"a": {"x": [1, {"y": None}]}},
     [{"op": "test", "path": "/a", "value": {"x": [1, {"y": None}]}}], {"a": {"x": [1, {"y": None}]}}),
    ("json-escaped-pointer", P.JSON_PATCH, None, {"metadata": {"labels": {"a/b": "1", "c~d": "2"}}},
     [{"op": "remove", "path": "/metadata/labels/a~1b"}, {"op": "replace", "path": "/metadata/labels/c~0d",
                                                          "value": "3"}],
     {"metadata": {"labels": {"c~d": "3"}}}),
    ("json-unknown-op", P.JSON_PATCH, None, {}, [{"op": "frobnicate", "path": "/a"}], ("error", 422, "")),
    ("json-bad-pointer", P.JSON_PATCH, None, {"a": 1}, [{"op": "replace", "path": "a", "value": 1}],
     ("error", 422, "")),
    ("json-not-a-list", P.JSON_PATCH, None, {}, {"op": "add"}, ("error", 400, "cannot unmarshal object")),
    ("json-ops-are-sequential", P.JSON_PATCH, None, {"l": []},
     [{"op": "add", "path": "/l/-", "value": "a"}, {"op": "add", "path": "/l/0", "value": "b"}],
     {"l": ["b", "a"]}),
    # ----------------------------------------------------------- merge patch
    ("merge-nested", P.MERGE_PATCH, None, {"a": {"b": 1, "c": 2}}, {"a": {"b": 3}}, {"a": {"b": 3, "c": 2}}),
    ("merge-null-deletes", P.MERGE_PATCH, None, {"a": {"b": 1, "c": 2}}, {"a": {"c": None}}, {"a": {"b": 1}}),
    ("merge-list-replaced", P.MERGE_PATCH, DEPLOYMENT, deployment(pod_spec(NGINX, REDIS)),
     {"spec": {"template": {"spec": {"containers": [{"name": "only", "image": "x"}]}}}},
     deployment(pod_spec({"name": "only", "image": "x"}))),
    ("merge-adds-object", P.MERGE_PATCH, None, {}, {"a": {"b": {"c": None, "d": 1}}}, {"a": {"b": {"d": 1}}}),
    ("merge-scalar-over-object", P.MERGE_PATCH, None, {"a": {"b": 1}}, {"a": 5}, {"a": 5}),
    ("merge-null-patch", P.MERGE_PATCH, None, {"a": 1}, None, ("error", 400, "Invalid JSON Patch")),
    # ------------------------------------------- strategic merge patch (docs)
    ("smp-container-added-by-name", P.STRATEGIC_MERGE_PATCH, DEPLOYMENT, deployment(pod_spec(NGINX)),
     {"spec": {"template": {"spec": {"containers": [REDIS]}}}},
     deployment(pod_spec(REDIS, NGINX))),
    ("smp-container-merged-by-name", P.STRATEGIC_MERGE_PATCH, DEPLOYMENT, deployment(pod_spec(NGINX, REDIS)),
     {"spec": {"template": {"spec": {"containers": [{"name": "nginx", "image": "nginx:1.26"}]}}}},
     deployment(pod_spec(dict(NGINX, image="nginx:1.26"), REDIS))),
    ("smp-ports-by-container-port", P.STRATEGIC_MERGE_PATCH, POD,
     {"spec": pod_spec({"name": "c", "image": "i", "ports": [{"containerPort": 80, "name": "http"},
                                                            {"containerPort": 443}]})},
     {"spec": {"containers": [{"name": "c", "ports": [{"containerPort": 80, "name": "web"},
                                                      {"containerPort": 8080}]}]}},
     {"spec": pod_spec({"name": "c", "image": "i", "ports": [{"containerPort": 80, "name": "web"},
                                                            {"containerPort": 8080}, {"containerPort": 443}]})}),
    ("smp-env-by-name", P.STRATEGIC_MERGE_PATCH, POD,
     {"spec": pod_spec({"name": "c", "image": "i", "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]})},
     {"spec": {"containers": [{"name": "c", "env": [{"name": "B", "value": "3"}]}]}},
     {"spec": pod_spec({"name": "c", "image": "i", "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "3"}]})}),
    ("smp-volumes-by-name", P.STRATEGIC_MERGE_PATCH, POD,
     {"spec": pod_spec(REDIS, volumes=[{"name": "a", "emptyDir": {}}])},
     {"spec": {"volumes": [{"name": "b", "configMap": {"name": "cm"}}]}},
     {"spec": pod_spec(REDIS, volumes=[{"name": "b", "configMap": {"name": "cm"}}, {"name": "a", "emptyDir": {}}])}),
    ("smp-list-without-strategy-replaced", P.STRATEGIC_MERGE_PATCH, POD,
     {"spec": pod_spec(REDIS, tolerations=[{"key": "a", "effect": "NoSchedule"}])},
     {"spec": {"tolerations": [{"key": "b", "effect": "NoSchedule"}]}},
     {"spec": pod_spec(REDIS, tolerations=[{"key": "b", "effect": "NoSchedule"}])}),
    ("smp-args-replaced", P.STRATEGIC_MERGE_PATCH, POD,
     {"spec": pod_spec({"name": "c", "image": "i", "args": ["a", "b"]})},
     {"spec": {"containers": [{"name": "c", "args": ["c"]}]}},
     {"spec": pod_spec({"name": "c", "image": "i", "args": ["c"]})}),
    ("smp-map-merged-null-deletes", P.STRATEGIC_MERGE_PATCH, CONFIGMAP,
     {"metadata": {"labels": {"a": "1", "b": "2"}}, "data": {"x": "1"}},
     {"metadata": {"labels": {"a": None, "c": "3"}}, "data": {"y": "2"}},
     {"metadata": {"labels": {"b": "2", "c": "3"}}, "data": {"x": "1", "y": "2"}}),
    ("smp-null-field-deleted", P.STRATEGIC_MERGE_PATCH, DEPLOYMENT, deployment(pod_spec(NGINX), minReadySeconds=5),
     {"spec": {"minReadySeconds": None}}, deployment(pod_spec(NGINX))),
    ("smp-delete-list-item", P.STRATEGIC_MERGE_PATCH, DEPLOYMENT, deployment(pod_spec(NGINX, REDIS)),
     {"spec": {"template": {"spec": {"containers": [{"name": "nginx", "$patch": "delete"}]}}}},
     deployment(pod_spec(REDIS))),
    ("smp-replace-list", P.STRATEGIC_MERGE_PATCH, DEPLOYMENT, deployment(pod_spec(NGINX, REDIS)),
     {"spec": {"template": {"spec": {"containers": [{"name": "x", "image": "y"}, {"$patch": "replace"}]}}}},
     deployment(pod_spec({"name": "x", "image": "y"}))),
    ("smp-replace-map", P.STRATEGIC_MERGE_PATCH, CONFIGMAP, {"data": {"a": "1", "b": "2"}},
     {"data": {"$patch": "replace", "c": "3"}}, {"data": {"c": "3"}}),
    ("smp-delete-map", P.STRATEGIC_MERGE_PATCH, CONFIGMAP, {"data": {"a": "1"}, "metadata": {"name": "x"}},
     {"data": {"$patch": "delete"}}, {"data": {}, "metadata": {"name": "x"}}),
    ("smp-set-element-order", P.STRATEGIC_MERGE_PATCH, DEPLOYMENT, deployment(pod_spec(NGINX, REDIS)),
     {"spec": {"template": {"spec": {"$setElementOrder/containers": [{"name": "redis"}, {"name": "nginx"}],
                                     "containers": [{"name": "nginx", "image": "nginx:2"}]}}}},
     deployment(pod_spec(REDIS, dict(NGINX, image="nginx:2")))),
    ("smp-set-element-order-delete-and-add", P.STRATEGIC_MERGE_PATCH, DEPLOYMENT,
     deployment(pod_spec({"name": "a", "image": "a"}, {"name": "b", "image": "b"}, {"name": "d", "image": "d"})),
     {"spec": {"template": {"spec": {"$setElementOrder/containers": [{"name": "b"}, {"name": "c"}],
                                     "containers": [{"name": "c", "image": "c"}, {"name": "a", "$patch": "delete"}]}}}},
     deployment(pod_spec({"name": "b", "image": "b"}, {"name": "d", "image": "d"}, {"name": "c", "image": "c"}))),
    ("smp-retain-keys-strategy", P.STRATEGIC_MERGE_PATCH, DEPLOYMENT,
     deployment(pod_spec(NGINX), strategy={"type": "RollingUpdate",
                                          "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}}),
     {"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate"}}},
     deployment(pod_spec(NGINX), strategy={"type": "Recreate"})),
    ("smp-retain-keys-volume-source", P.STRATEGIC_MERGE_PATCH, POD,
     {"spec": pod_spec(REDIS, volumes=[{"name": "v", "emptyDir": {}}])},
     {"spec": {"volumes": [{"name": "v", "$retainKeys": ["hostPath", "name"], "hostPath": {"path": "/d"}}]}},
     {"spec": pod_spec(REDIS, volumes=[{"name": "v", "hostPath": {"path": "/d"}}])}),
    ("smp-retain-keys-must-list-patch-keys", P.STRATEGIC_MERGE_PATCH, DEPLOYMENT,
     deployment(pod_spec(NGINX), strategy={"type": "RollingUpdate"}),
     {"spec": {"strategy": {"$retainKeys": ["rollingUpdate"], "type": "Recreate"}}},
     ("error", 400, "invalid patch format of retainKeys")),
    ("smp-primitive-list-merged", P.STRATEGIC_MERGE_PATCH, CONFIGMAP,
     {"metadata": {"finalizers": ["a", "b"]}}, {"metadata": {"finalizers": ["c", "a"]}},
     {"metadata": {"finalizers": ["c", "a", "b"]}}),
    ("smp-delete-from-primitive-list", P.STRATEGIC_MERGE_PATCH, CONFIGMAP,
     {"metadata": {"finalizers": ["a", "b", "c"]}},
     {"metadata": {"$deleteFromPrimitiveList/finalizers": ["b"]}},
     {"metadata": {"finalizers": ["a", "c"]}}),
    ("smp-primitive-list-order", P.STRATEGIC_MERGE_PATCH, CONFIGMAP,
     {"metadata": {"finalizers": ["a", "b", "c"]}},
     {"metadata": {"$setElementOrder/finalizers": ["c", "b", "a"]}},
     {"metadata": {"finalizers": ["c", "b", "a"]}}),
    ("smp-owner-references-by-uid", P.STRATEGIC_MERGE_PATCH, CONFIGMAP,
     {"metadata": {"ownerReferences": [{"uid": "1", "name": "a", "kind": "K", "apiVersion": "v1"}]}},
     {"metadata": {"ownerReferences": [{"uid": "1", "name": "b"}]}},
     {"metadata": {"ownerReferences": [{"uid": "1", "name": "b", "kind": "K", "apiVersion": "v1"}]}}),
    ("smp-missing-merge-key", P.STRATEGIC_MERGE_PATCH, DEPLOYMENT, deployment(pod_spec(NGINX)),
     {"spec": {"template": {"spec": {"containers": [{"image": "x"}]}}}},
     ("error", 400, "does not contain declared merge key: name")),
    ("smp-unknown-directive", P.STRATEGIC_MERGE_PATCH, CONFIGMAP, {"data": {"a": "1"}},
     {"data": {"$patch": "frob"}}, ("error", 400, "unknown patch type: frob")),
    ("smp-bad-delete-from-primitive-list", P.STRATEGIC_MERGE_PATCH, CONFIGMAP,
     {"metadata": {"finalizers": ["a"]}}, {"metadata": {"$deleteFromPrimitiveList": ["a"]}},
     ("error", 400, "invalid patch format of primitive list")),
    ("smp-new-list-takes-patch-without-directives", P.STRATEGIC_MERGE_PATCH, POD, {"spec": pod_spec(REDIS)},
     {"spec": {"volumes": [{"name": "x", "emptyDir": {}}, {"name": "y", "$patch": "delete"}]}},
     {"spec": pod_spec(REDIS, volumes=[{"name": "x", "emptyDir": {}}])}),
    ("smp-not-an-object", P.STRATEGIC_MERGE_PATCH, CONFIGMAP, {}, ["x"], ("error", 400, "cannot unmarshal array")),
]


def _apply(fmt, kind, original, patch):
    if fmt == P.JSON_PATCH:
        return P.apply_json_patch(original, patch)
    if fmt == P.MERGE_PATCH:
        return P.apply_merge_patch(original, patch)
    meta = P.PatchMeta.for_definition(schemas.definition_name(*kind) if kind else None)
    return P.apply_strategic_merge_patch(original, patch, meta)


def _code(exc):
    return exc.code if exc.code != 500 else 400  # the handler answers 400 where upstream lets a 500 through


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_patch_table(case):
    _, fmt, kind, original, patch, expected = case
    before = copy.deepcopy(original)
    patch_before = copy.deepcopy(patch)
    if isinstance(expected, tuple) and expected[0] == "error":
        with pytest.raises(P.PatchError) as info:
            _apply(fmt, kind, original, patch)
        assert _code(info.value) == expected[1]
        assert expected[2] in info.value.message
    else:
        assert _apply(fmt, kind, original, patch) == expected
    assert original == before, "the original object is left alone"
    assert patch == patch_before, "the patch is left alone"


def test_patch_types_per_kind():
    from resources.registry import builtin

    deployments = builtin.get("apps", "v1", "deployments")
    assert P.patch_types(deployments) == [P.JSON_PATCH, P.MERGE_PATCH, P.STRATEGIC_MERGE_PATCH, P.APPLY_PATCH_YAML]

    class Custom:
        schema_name = None

    assert P.STRATEGIC_MERGE_PATCH not in P.patch_types(Custom())
