"""metadata.managedFields and server-side apply, without a server: field
sets (FieldsV1), Update ownership, Apply with conflicts, force, shared
ownership and removal of fields an applier stops applying."""
import json

import pytest

from resources.machinery import managedfields as mf
from resources.schema import builtin as schemas

CM = mf.type_for_definition(schemas.definition_name("", "v1", "ConfigMap"))
DEPLOY = mf.type_for_definition(schemas.definition_name("apps", "v1", "Deployment"))
POD = mf.type_for_definition(schemas.definition_name("", "v1", "Pod"))


def cm(data=None, labels=None, **meta):
    obj = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "ns", **meta}}
    if labels is not None:
        obj["metadata"]["labels"] = labels
    if data is not None:
        obj["data"] = data
    return obj


def fields_of(managed, manager, operation=mf.APPLY, api_version="v1", subresource=""):
    ident = mf.manager_id(manager, operation, api_version, subresource)
    return managed.fields[ident][0].to_fields()


def managers(managed):
    return sorted((json.loads(i)["manager"], json.loads(i)["operation"]) for i in managed.fields)


# ----------------------------------------------------------------- FieldsV1

def test_fields_v1_round_trip():
    fields = {
        "f:metadata": {"f:labels": {".": {}, "f:app": {}}},
        "f:spec": {"f:containers": {'k:{"name":"c"}': {".": {}, "f:image": {}, "f:name": {},
                                                       "f:ports": {'k:{"containerPort":80,"protocol":"TCP"}': {
                                                           ".": {}, "f:containerPort": {}}}}},
                   "f:finalizers": {'v:"a"': {}}, "f:items": {"i:0": {}}},
    }
    assert mf.FieldSet.from_fields(fields).to_fields() == fields
    # Serialized keys are ordered: "." first, then fields, keys, values, indexes.
    out = mf.FieldSet.from_fields({"f:b": {}, "f:a": {"f:x": {}, ".": {}}}).to_fields()
    assert list(out) == ["f:a", "f:b"] and list(out["f:a"]) == [".", "f:x"]


def test_path_strings_in_conflicts():
    path = (("f", "spec"), ("f", "containers"), ("k", (("name", "nginx"),)), ("f", "image"))
    assert mf.path_string(path) == '.spec.containers[name="nginx"].image'
    assert mf.path_string((("f", "finalizers"), ("v", "x"))) == '.finalizers[="x"]'


def test_set_algebra():
    a = mf.make_set(("spec", "replicas"), ("spec", "paused"), ("metadata", "labels"))
    b = mf.make_set(("spec", "replicas"))
    assert a.difference(b).to_fields() == {"f:metadata": {"f:labels": {}}, "f:spec": {"f:paused": {}}}
    assert a.intersection(b).to_fields() == {"f:spec": {"f:replicas": {}}}
    assert b.union(mf.make_set(("data",))).to_fields() == {"f:data": {}, "f:spec": {"f:replicas": {}}}


# ------------------------------------------------------------------- Update

def test_create_owns_everything_with_members_where_go_adds_them():
    managed = mf.Managed()
    mf.update(managed, {}, cm({"a": "1"}, {"app": "x"}), CM, "kubectl-create", "v1")
    assert managers(managed) == [("kubectl-create", "Update")]
    assert fields_of(managed, "kubectl-create", mf.UPDATE) == {
        "f:data": {".": {}, "f:a": {}},
        "f:metadata": {"f:labels": {".": {}, "f:app": {}}},
    }


def test_create_of_a_deployment_matches_upstream_shape():
    obj = {"apiVersion": "apps/v1", "kind": "Deployment",
           "metadata": {"name": "d", "namespace": "ns", "labels": {"app": "d"}},
           "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "d"}},
                    "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%"}},
                    "template": {"metadata": {"creationTimestamp": None, "labels": {"app": "d"}},
                                 "spec": {"containers": [{"name": "c", "image": "i", "resources": {},
                                                          "ports": [{"containerPort": 80, "protocol": "TCP"}]}]}}},
           "status": {}}
    managed = mf.Managed()
    mf.update(managed, {}, obj, DEPLOY, "kubectl-create", "apps/v1")
    assert fields_of(managed, "kubectl-create", mf.UPDATE, "apps/v1") == {
        "f:metadata": {"f:labels": {".": {}, "f:app": {}}},
        "f:spec": {
            "f:replicas": {},
            "f:selector": {},  # LabelSelector is atomic
            "f:strategy": {"f:rollingUpdate": {".": {}, "f:maxSurge": {}}, "f:type": {}},
            "f:template": {
                "f:metadata": {"f:labels": {".": {}, "f:app": {}}},
                "f:spec": {"f:containers": {'k:{"name":"c"}': {
                    ".": {}, "f:image": {}, "f:name": {},
                    "f:ports": {".": {}, 'k:{"containerPort":80,"protocol":"TCP"}': {
                        ".": {}, "f:containerPort": {}, "f:protocol": {}}},
                    "f:resources": {}}}},
            },
        },
    }


def test_update_moves_changed_fields_and_drops_removed_ones():
    managed = mf.Managed()
    live = cm({"a": "1", "b": "2"})
    mf.update(managed, {}, live, CM, "creator", "v1")
    new = cm({"a": "changed"})
    mf.update(managed, live, new, CM, "editor", "v1")
    # The creator keeps the map itself; the edited key moved, the removed one is gone.
    assert fields_of(managed, "creator", mf.UPDATE) == {"f:data": {}}
    assert fields_of(managed, "editor", mf.UPDATE) == {"f:data": {"f:a": {}}}


def test_update_without_changes_changes_nothing():
    managed = mf.Managed()
    obj = cm({"a": "1"})
    mf.update(managed, {}, obj, CM, "creator", "v1")
    before = mf.encode(managed)
    mf.update(managed, obj, json.loads(json.dumps(obj)), CM, "someone", "v1")
    assert mf.encode(managed) == before


def test_objects_without_managed_fields_stay_untracked_on_update():
    managed = mf.Managed()
    live = cm({"a": "1"}, uid="u1")
    mf.update(managed, live, cm({"a": "2"}, uid="u1"), CM, "editor", "v1")
    assert not managed.fields


def test_update_managers_are_capped():
    managed = mf.Managed()
    live = cm({})
    for i in range(12):
        new = cm({**(live.get("data") or {}), f"k{i}": "v"})
        mf.update(managed, live, new, CM, f"m{i:02}", "v1")
        managed.times[mf.manager_id(f"m{i:02}", mf.UPDATE, "v1")] = f"2024-01-01T00:00:{i:02}Z"
        live = new
    names = [m for m, _ in managers(managed)]
    assert len(names) == mf.MAX_UPDATE_MANAGERS
    assert "ancient-changes" in names


# -------------------------------------------------------------------- Apply

def apply(managed, live, config, manager="kubectl", force=False, t=CM, version="v1"):
    return mf.apply(managed, live, config, t, manager, version, force)


def test_apply_creates_and_owns_exactly_the_config():
    new, managed = apply(mf.Managed(), None, cm({"a": "1"}, {"x": "y"}))
    assert new["data"] == {"a": "1"}
    assert fields_of(managed, "kubectl") == {"f:data": {"f:a": {}}, "f:metadata": {"f:labels": {"f:x": {}}}}


def test_apply_conflict_with_another_manager():
    live, managed = apply(mf.Managed(), None, cm({"a": "1"}), manager="first")
    with pytest.raises(mf.ConflictError) as info:
        apply(managed, live, cm({"a": "2"}), manager="second")
    status = info.value.status()
    assert status.code == 409 and status.reason == "Conflict"
    assert status.message == 'Apply failed with 1 conflict: conflict with "first": .data.a'
    assert status.details["causes"] == [{"reason": "FieldManagerConflict", "message": 'conflict with "first"',
                                         "field": ".data.a"}]


def test_conflict_with_an_update_manager_names_its_version():
    managed = mf.Managed()
    live = cm({"a": "1"})
    mf.update(managed, {}, live, CM, "kubectl-edit", "v1")
    with pytest.raises(mf.ConflictError) as info:
        apply(managed, live, cm({"a": "2"}))
    assert info.value.status().message == \
        'Apply failed with 1 conflict: conflict with "kubectl-edit" using v1: .data.a'


def test_several_conflicts_are_listed_per_manager():
    live, managed = apply(mf.Managed(), None, cm({"a": "1", "b": "1"}), manager="first")
    with pytest.raises(mf.ConflictError) as info:
        apply(managed, live, cm({"a": "2", "b": "2"}), manager="second")
    assert info.value.status().message == (
        'Apply failed with 2 conflicts: conflicts with "first":\n- .data.a\n- .data.b')


def test_same_value_is_shared_not_a_conflict():
    live, managed = apply(mf.Managed(), None, cm({"a": "1"}), manager="first")
    live, managed = apply(managed, live, cm({"a": "1"}), manager="second")
    assert fields_of(managed, "first") == fields_of(managed, "second") == {"f:data": {"f:a": {}}}
    # One owner lets go: the value stays, the other still owns it.
    live, managed = apply(managed, live, cm(), manager="first")
    assert live["data"] == {"a": "1"}
    assert managers(managed) == [("second", "Apply")]


def test_force_takes_ownership():
    live, managed = apply(mf.Managed(), None, cm({"a": "1", "b": "1"}), manager="first")
    live, managed = apply(managed, live, cm({"a": "2"}), manager="second", force=True)
    assert live["data"] == {"a": "2", "b": "1"}
    assert fields_of(managed, "first") == {"f:data": {"f:b": {}}}
    assert fields_of(managed, "second") == {"f:data": {"f:a": {}}}


def test_fields_no_longer_applied_are_removed():
    live, managed = apply(mf.Managed(), None, cm({"a": "1", "b": "2"}, {"x": "1", "y": "2"}))
    live, managed = apply(managed, live, cm({"a": "1"}, {"x": "1"}))
    assert live["data"] == {"a": "1"}
    assert live["metadata"]["labels"] == {"x": "1"}


def test_fields_owned_by_an_updater_survive_when_the_applier_drops_them():
    live, managed = apply(mf.Managed(), None, cm({"a": "1"}))
    edited = cm({"a": "1", "b": "edited"})
    mf.update(managed, live, edited, CM, "kubectl-edit", "v1")
    live, managed = apply(managed, edited, cm({}))
    assert live["data"] == {"b": "edited"}


def test_list_map_items_merge_by_key_and_go_when_dropped():
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
           "spec": {"containers": [{"name": "a", "image": "a"}, {"name": "b", "image": "b"}]}}
    live, managed = apply(mf.Managed(), None, pod, t=POD)
    # Someone else adds a container; the applier's config drops "b".
    other = json.loads(json.dumps(live))
    other["spec"]["containers"].append({"name": "c", "image": "c"})
    mf.update(managed, live, other, POD, "sidecar-injector", "v1")
    config = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
              "spec": {"containers": [{"name": "a", "image": "a2"}]}}
    live, managed = apply(managed, other, config, t=POD)
    assert [c["name"] for c in live["spec"]["containers"]] == ["a", "c"]
    assert live["spec"]["containers"][0]["image"] == "a2"


def test_associative_list_merge_order_follows_the_config():
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
           "spec": {"containers": [{"name": "a"}, {"name": "b"}, {"name": "c"}]}}
    config = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
              "spec": {"containers": [{"name": "c"}, {"name": "x"}, {"name": "a"}]}}
    merged = mf.merge(pod, config, POD)
    assert [c["name"] for c in merged["spec"]["containers"]] == ["b", "c", "x", "a"]


def test_set_list_items_are_values():
    config = cm(None, None, finalizers=["a/b", "c"])
    fs = mf.to_field_set(config, CM)
    assert fs.to_fields() == {"f:apiVersion": {}, "f:kind": {},
                              "f:metadata": {"f:finalizers": {'v:"a/b"': {}, 'v:"c"': {}},
                                             "f:name": {}, "f:namespace": {}}}


def test_existing_fields_belong_to_before_first_apply():
    live = cm({"a": "1", "b": "2"}, uid="u1")
    new, managed = apply(mf.Managed(), live, cm({"a": "1"}))
    assert ("before-first-apply", "Update") in managers(managed)
    assert new["data"] == {"a": "1", "b": "2"}


def test_kubectl_takes_over_fields_last_applied_client_side():
    last = cm({"a": "1"})
    live = cm({"a": "1"})
    live["metadata"]["annotations"] = {mf.LAST_APPLIED: json.dumps(last)}
    managed = mf.Managed()
    mf.update(managed, {}, live, CM, "kubectl-client-side-apply", "v1")
    new, managed = apply(managed, live, cm({"a": "2"}), manager="kubectl")
    assert new["data"] == {"a": "2"}
    # kubectl's apply keeps the client-side annotation in step.
    assert json.loads(new["metadata"]["annotations"][mf.LAST_APPLIED])["data"] == {"a": "2"}
    # Another manager gets the conflict.
    with pytest.raises(mf.ConflictError):
        apply(managed, new, cm({"a": "3"}), manager="someone-else")


def test_apply_of_unknown_fields_is_refused():
    with pytest.raises(mf.TypeError_) as info:
        mf.validate(cm({"a": "1"}) | {"spec": {"x": 1}}, CM)
    assert str(info.value) == ".spec: field not declared in schema"


def test_duplicate_keys_in_an_applied_list_are_refused():
    pod = {"spec": {"containers": [{"name": "a"}, {"name": "a"}]}}
    with pytest.raises(mf.TypeError_) as info:
        mf.validate(pod, POD)
    assert 'duplicate entries for key [name="a"]' in str(info.value)


def test_status_is_not_owned_on_the_main_resource():
    class Strategy:
        has_status = True

    ignore = mf.reset_fields(Strategy(), "")
    obj = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
           "spec": {"replicas": 2}, "status": {"replicas": 2}}
    _, managed = mf.apply(mf.Managed(), None, obj, DEPLOY, "kubectl", "apps/v1", False, ignore=ignore)
    assert fields_of(managed, "kubectl") == {"f:spec": {"f:replicas": {}}}


def test_manager_from_user_agent():
    assert mf.manager_from_user_agent("kubectl/v1.32.5 (linux/amd64) kubernetes/abc") == "kubectl"
    assert mf.manager_from_user_agent("OpenAPI-Generator/37.0.1/python") == "OpenAPI-Generator"
    assert mf.manager_from_user_agent("x" * 300) == "x" * 128
