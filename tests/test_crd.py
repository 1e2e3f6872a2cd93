"""CustomResourceDefinitions over HTTP against the real server: the CRD's
own validation and status, custom resources through the generic path
(schema validation, pruning, defaults, status and scale subresources,
patches, server-side apply, printer columns, watch), discovery and OpenAPI
per tenant, RBAC, and cascade deletion."""
import copy
import json
import uuid

import pytest

from tests.conftest import create_tenant, wait_for
from tests.harness.client import API, APPLY, JSON, JSON_PATCH, MERGE, SMP

pytestmark = pytest.mark.e2e


SCHEMA = {
    "type": "object",
    "properties": {
        "spec": {
            "type": "object",
            "required": ["cronSpec"],
            "properties": {
                "cronSpec": {"type": "string", "pattern": r"^(\d+|\*)(/\d+)?(\s+(\d+|\*)(/\d+)?){4}$"},
                "image": {"type": "string", "maxLength": 20},
                "replicas": {"type": "integer", "minimum": 1, "maximum": 10, "default": 1},
                "mode": {"type": "string", "enum": ["fast", "slow"]},
                "port": {"x-kubernetes-int-or-string": True},
                "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 3},
                "env": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"],
                        "items": {"type": "object", "required": ["name"],
                                  "properties": {"name": {"type": "string"}, "value": {"type": "string"}}}},
                "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                "extra": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
                "note": {"type": "string", "nullable": True},
            },
        },
        "status": {
            "type": "object",
            "properties": {"replicas": {"type": "integer"}, "phase": {"type": "string"},
                           "selector": {"type": "string"}},
        },
    },
}


def crd_body(group, plural="crontabs", kind="CronTab", scope="Namespaced", versions=None, **names):
    return {
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": f"{plural}.{group}"},
        "spec": {
            "group": group, "scope": scope,
            "names": {"plural": plural, "singular": kind.lower(), "kind": kind, **names},
            "versions": versions or [{
                "name": "v1", "served": True, "storage": True, "schema": {"openAPIV3Schema": copy.deepcopy(SCHEMA)},
                "subresources": {"status": {}, "scale": {"specReplicasPath": ".spec.replicas",
                                                        "statusReplicasPath": ".status.replicas",
                                                        "labelSelectorPath": ".status.selector"}},
                "additionalPrinterColumns": [
                    {"name": "Spec", "type": "string", "jsonPath": ".spec.cronSpec"},
                    {"name": "Replicas", "type": "integer", "jsonPath": ".spec.replicas"},
                    {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"},
                ],
            }],
        },
    }


def new_group():
    return f"g{uuid.uuid4().hex[:8]}.example.com"


@pytest.fixture(scope="module")
def api(server):
    return API(server)


@pytest.fixture(scope="module")
def crontabs(api):
    """A CRD shared by the module: (group, base path of its namespaced objects in ``ns``)."""
    group = new_group()
    code, body = api.call("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
                             crd_body(group, shortNames=["ct"], categories=["all"]))
    assert code == 201, body
    ns = f"crd-{uuid.uuid4().hex[:6]}"
    code, body = api.call("POST", "/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace",
                                                           "metadata": {"name": ns}})
    assert code == 201, body
    return group, ns, f"/apis/{group}/v1/namespaces/{ns}/crontabs"


def crontab(group, name, **spec):
    return {"apiVersion": f"{group}/v1", "kind": "CronTab", "metadata": {"name": name},
            "spec": {"cronSpec": "* * * * */5", **spec}}


def causes(body):
    return [(c.get("field"), c["reason"], c["message"]) for c in body["details"]["causes"]]


# ------------------------------------------------------------------ the CRD
def test_crd_status_and_defaults(api, crontabs):
    group, _, _ = crontabs
    code, crd = api.call("GET", f"/apis/apiextensions.k8s.io/v1/customresourcedefinitions/crontabs.{group}")
    assert code == 200
    status = crd["status"]
    assert status["acceptedNames"]["kind"] == "CronTab" and status["acceptedNames"]["shortNames"] == ["ct"]
    assert [(c["type"], c["status"], c["reason"]) for c in status["conditions"]] == [
        ("NamesAccepted", "True", "NoConflicts"), ("Established", "True", "InitialNamesAccepted")]
    assert status["storedVersions"] == ["v1"]
    assert crd["spec"]["names"]["listKind"] == "CronTabList"
    assert crd["spec"]["conversion"] == {"strategy": "None"}
    assert crd["metadata"]["generation"] == 1


@pytest.mark.parametrize("mutate, expected", [
    (lambda c: c["spec"].update(group="example"),
     ("spec.group", "FieldValueInvalid", 'Invalid value: "example": should be a domain with at least one dot')),
    (lambda c: c["metadata"].update(name="wrong.example.com"),
     ("metadata.name", "FieldValueInvalid",
      'Invalid value: "wrong.example.com": must be spec.names.plural+"."+spec.group')),
    (lambda c: c["spec"]["versions"][0].update(storage=False),
     ("spec.versions", "FieldValueInvalid", "must have exactly one version marked as storage version")),
    (lambda c: c["spec"]["versions"][0].update(served=False),
     ("spec.versions", "FieldValueInvalid", "must have at least one version marked as served")),
    (lambda c: c["spec"].update(scope="Global"),
     ("spec.scope", "FieldValueNotSupported",
      'Unsupported value: "Global": supported values: "Cluster", "Namespaced"')),
    (lambda c: (c["spec"]["names"].update(plural="Cron_Tabs"),
                c["metadata"].update(name="Cron_Tabs." + c["spec"]["group"])),
     ("spec.names.plural", "FieldValueInvalid",
      'Invalid value: "Cron_Tabs": a DNS-1035 label must consist of lower case alphanumeric characters')),
    (lambda c: (c["spec"].update(group="widgets.k8s.io"), c["metadata"].update(name="crontabs.widgets.k8s.io")),
     ("metadata.annotations[api-approved.kubernetes.io]", "FieldValueRequired",
      'protected groups must have approval annotation "api-approved.kubernetes.io"')),
    (lambda c: c["spec"]["versions"][0].pop("schema"),
     ("spec.versions[0].schema.openAPIV3Schema", "FieldValueRequired", "Required value: schemas are required")),
    (lambda c: c["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"].update(
        bad={"description": "no type"}),
     ("spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[bad].type", "FieldValueRequired",
      "Required value: must not be empty for specified object fields")),
    # Patterns are Go (RE2) regular expressions: no lookaround, no backreferences.
    (lambda c: c["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"].update(
        bad={"type": "string", "pattern": "^(?!kube-).*$"}),
     ("spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[bad].pattern", "FieldValueInvalid",
      "must be a valid regular expression, but isn't: error parsing regexp: invalid perl operator: (?!")),
])
def test_crd_validation(api, mutate, expected):
    group = new_group()
    body = crd_body(group)
    mutate(body)
    if body["metadata"]["name"] == f"crontabs.{group}" and body["spec"]["group"] != group:
        body["metadata"]["name"] = f"crontabs.{body['spec']['group']}"
    code, status = api.call("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", body)
    assert code == 422, status
    assert status["reason"] == "Invalid"
    field, reason, message = expected
    assert any(f == field and r == reason and message in m for f, r, m in causes(status)), causes(status)


def test_crd_update_keeps_group_and_plural(api):
    group = new_group()
    code, crd = api.call("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd_body(group))
    assert code == 201
    crd["spec"]["scope"] = "Cluster"
    code, status = api.call("PUT", f"/apis/apiextensions.k8s.io/v1/customresourcedefinitions/crontabs.{group}",
                               crd)
    assert code == 422 and ("spec.scope", "FieldValueInvalid",
                            'Invalid value: "Cluster": field is immutable') in causes(status)


# ------------------------------------------------------- custom resources
def test_crud_defaults_and_generation(api, crontabs):
    group, ns, base = crontabs
    code, obj = api.call("POST", base, crontab(group, "one", image="nginx"))
    assert code == 201, obj
    assert obj["apiVersion"] == f"{group}/v1" and obj["kind"] == "CronTab"
    assert obj["spec"] == {"cronSpec": "* * * * */5", "image": "nginx", "replicas": 1}  # default
    assert obj["metadata"]["generation"] == 1 and obj["metadata"]["namespace"] == ns
    assert obj["metadata"]["managedFields"][0]["fieldsV1"]["f:spec"]["f:image"] == {}

    code, got = api.call("GET", f"{base}/one")
    assert code == 200 and got == obj
    obj["spec"]["image"] = "busybox"
    code, updated = api.call("PUT", f"{base}/one", obj)
    assert code == 200 and updated["metadata"]["generation"] == 2
    obj = updated
    obj["metadata"]["labels"] = {"a": "b"}
    code, updated = api.call("PUT", f"{base}/one", obj)
    assert code == 200 and updated["metadata"]["generation"] == 2  # metadata only

    code, listed = api.call("GET", base, query="?labelSelector=a%3Db")
    assert code == 200 and listed["kind"] == "CronTabList" and [i["metadata"]["name"] for i in listed["items"]] == ["one"]
    code, listed = api.call("GET", f"/apis/{group}/v1/crontabs")
    assert code == 200 and "one" in [i["metadata"]["name"] for i in listed["items"]]

    code, status = api.call("DELETE", f"{base}/one")
    assert code == 200 and status["status"] == "Success"
    assert api.call("GET", f"{base}/one")[0] == 404


def test_metadata_is_coerced_like_object_meta(api, crontabs):
    # Upstream decodes a custom resource's metadata into ObjectMeta and back:
    # empty labels, annotations and finalizers do not survive.
    group, _, base = crontabs
    obj = crontab(group, "coerced")
    obj["metadata"].update(labels={}, annotations={}, finalizers=[])
    code, created = api.call("POST", base, obj)
    assert code == 201, created
    assert not {"labels", "annotations", "finalizers"} & set(created["metadata"])
    code, patched = api.call("PATCH", f"{base}/coerced", {"metadata": {"labels": {"a": "b"}}},
                                ctype=MERGE)
    assert code == 200 and patched["metadata"]["labels"] == {"a": "b"}
    patched["metadata"]["labels"] = {}
    code, updated = api.call("PUT", f"{base}/coerced", patched)
    assert code == 200 and "labels" not in updated["metadata"]


def test_schema_validation_causes(api, crontabs):
    group, _, base = crontabs
    bad = crontab(group, "bad", replicas="three", mode="medium", image="x" * 21, tags=["a", "b", "c", "d"])
    bad["spec"]["cronSpec"] = "never"
    code, status = api.call("POST", base, bad)
    assert code == 422, status
    assert status["message"].startswith(f'CronTab.{group} "bad" is invalid: ')
    got = causes(status)
    assert ("spec.replicas", "FieldValueTypeInvalid",
            'Invalid value: "string": spec.replicas in body must be of type integer: "string"') in got
    assert ("spec.mode", "FieldValueNotSupported",
            'Unsupported value: "medium": supported values: "fast", "slow"') in got
    assert ("spec.image", "FieldValueTooLong", "Too long: may not be more than 20 bytes") in got
    assert ("spec.tags", "FieldValueTooMany", "Too many: 4: must have at most 3 items") in got
    assert any(f == "spec.cronSpec" and "spec.cronSpec in body should match" in m for f, _, m in got)

    code, status = api.call("POST", base, {"apiVersion": f"{group}/v1", "kind": "CronTab",
                                              "metadata": {"name": "nospec"}, "spec": {"replicas": 0}})
    assert code == 422
    assert ("spec.cronSpec", "FieldValueRequired", "Required value") in causes(status)
    assert ("spec.replicas", "FieldValueInvalid",
            "Invalid value: 0: spec.replicas in body should be greater than or equal to 1") in causes(status)
    # int-or-string takes both; nullable takes null.
    code, obj = api.call("POST", base, crontab(group, "ports", port="http", note=None))
    assert code == 201 and obj["spec"]["port"] == "http" and obj["spec"]["note"] is None


def test_pruning_and_field_validation(api, crontabs):
    group, _, base = crontabs
    body = crontab(group, "pruned", foo=1, extra={"anything": {"goes": True}}, labels={"k": "v"})
    body["spec"]["env"] = [{"name": "A", "value": "1", "junk": 2}]
    body["top"] = "level"
    reply = api.call("POST", base, body)
    code, obj = reply
    assert code == 201, obj
    assert "foo" not in obj["spec"] and "top" not in obj and obj["spec"]["env"] == [{"name": "A", "value": "1"}]
    assert obj["spec"]["extra"] == {"anything": {"goes": True}}
    warning = reply.headers.get("warning", "")
    for path in ("spec.foo", "spec.env[0].junk", "top"):
        assert f'unknown field \\"{path}\\"' in warning, warning

    body["metadata"]["name"] = "strict"
    code, status = api.call("POST", base, body, query="?fieldValidation=Strict")
    assert code == 400 and status["reason"] == "BadRequest"
    assert status["message"].startswith('CronTab in version "v1" cannot be handled as a CronTab: strict decoding '
                                        'error: unknown field "')
    assert 'unknown field "spec.foo"' in status["message"]

    code, status = api.call("PATCH", f"{base}/pruned", {"spec": {"bar": 1}}, MERGE, query="?fieldValidation=Strict")
    assert code == 422 and 'strict decoding error: unknown field "spec.bar"' in status["message"]
    reply = api.call("PATCH", f"{base}/pruned", {"spec": {"bar": 1}}, MERGE)
    code, obj = reply
    assert code == 200 and "bar" not in obj["spec"] and 'unknown field \\"spec.bar\\"' in reply.headers["warning"]


def test_patch_types(api, crontabs):
    group, _, base = crontabs
    assert api.call("POST", base, crontab(group, "patched", tags=["a"]))[0] == 201
    code, status = api.call("PATCH", f"{base}/patched", {"spec": {"image": "x"}}, SMP)
    assert code == 415 and status["reason"] == "UnsupportedMediaType"
    assert status["message"] == ("the body of the request was in an unknown format - accepted media types include: "
                                 "application/json-patch+json, application/merge-patch+json, "
                                 "application/apply-patch+yaml")
    code, obj = api.call("PATCH", f"{base}/patched", {"spec": {"tags": ["b"], "image": "x"}}, MERGE)
    assert code == 200 and obj["spec"]["tags"] == ["b"] and obj["metadata"]["generation"] == 2
    code, obj = api.call("PATCH", f"{base}/patched",
                            [{"op": "add", "path": "/spec/tags/-", "value": "c"},
                             {"op": "replace", "path": "/spec/replicas", "value": 3}], JSON_PATCH)
    assert code == 200 and obj["spec"]["tags"] == ["b", "c"] and obj["spec"]["replicas"] == 3
    code, status = api.call("PATCH", f"{base}/patched", {"spec": {"replicas": "many"}}, MERGE)
    assert code == 422 and status["details"]["causes"][0]["field"] == "spec.replicas"


def test_server_side_apply(api, crontabs):
    group, _, base = crontabs
    config = {"apiVersion": f"{group}/v1", "kind": "CronTab", "metadata": {"name": "applied"},
              "spec": {"cronSpec": "* * * * */1", "tags": ["a"], "env": [{"name": "A", "value": "1"}]}}
    code, obj = api.call("PATCH", f"{base}/applied", json.dumps(config).encode(), APPLY,
                            query="?fieldManager=alice")
    assert code == 201, obj
    alice = [e for e in obj["metadata"]["managedFields"] if e["manager"] == "alice"][0]
    assert alice["operation"] == "Apply" and alice["apiVersion"] == f"{group}/v1"
    assert 'k:{"name":"A"}' in alice["fieldsV1"]["f:spec"]["f:env"]  # list-map keys from the schema
    # bob adds an env entry (a map list merges) and takes tags (an atomic list conflicts).
    bob = {"apiVersion": f"{group}/v1", "kind": "CronTab", "metadata": {"name": "applied"},
           "spec": {"env": [{"name": "B", "value": "2"}]}}
    code, obj = api.call("PATCH", f"{base}/applied", json.dumps(bob).encode(), APPLY, query="?fieldManager=bob")
    assert code == 200 and [e["name"] for e in obj["spec"]["env"]] == ["A", "B"]
    bob["spec"]["tags"] = ["z"]
    code, status = api.call("PATCH", f"{base}/applied", json.dumps(bob).encode(), APPLY, query="?fieldManager=bob")
    assert code == 409 and status["reason"] == "Conflict" and ".spec.tags" in status["message"]
    # Unknown fields in an apply are an error, as the typed patch is built from the schema.
    bob["spec"] = {"nope": 1}
    code, status = api.call("PATCH", f"{base}/applied", json.dumps(bob).encode(), APPLY, query="?fieldManager=bob")
    assert code == 400 and "field not declared in schema" in status["message"]


def test_status_and_scale_subresources(api, crontabs):
    group, _, base = crontabs
    body = crontab(group, "sub")
    body["status"] = {"phase": "ignored"}
    code, obj = api.call("POST", base, body)
    assert code == 201 and "status" not in obj
    obj["status"] = {"phase": "Running", "replicas": 1, "selector": "app=sub"}
    obj["spec"]["image"] = "ignored"
    code, obj = api.call("PUT", f"{base}/sub/status", obj)
    assert code == 200, obj
    assert obj["status"]["phase"] == "Running" and "image" not in obj["spec"] and obj["metadata"]["generation"] == 1
    code, obj = api.call("PATCH", f"{base}/sub", {"status": {"phase": "ignored"}, "spec": {"image": "a"}}, MERGE)
    assert obj["status"]["phase"] == "Running" and obj["metadata"]["generation"] == 2
    code, status = api.call("PATCH", f"{base}/sub/status", {"status": {"replicas": "x"}}, MERGE)
    assert code == 422 and causes(status)[0][0] == "status.replicas"

    code, scale = api.call("GET", f"{base}/sub/scale")
    assert code == 200 and scale["kind"] == "Scale" and scale["apiVersion"] == "autoscaling/v1"
    assert scale["spec"] == {"replicas": 1} and scale["status"] == {"replicas": 1, "selector": "app=sub"}
    code, scale = api.call("PATCH", f"{base}/sub/scale", {"spec": {"replicas": 4}}, MERGE)
    assert code == 200 and scale["spec"]["replicas"] == 4
    assert api.call("GET", f"{base}/sub")[1]["spec"]["replicas"] == 4


def test_scale_at_non_default_paths(api):
    """/scale reads and writes the CRD's own paths: PATCH and PUT of a Scale
    move spec.size (they used to leave it, and PUT deleted it), apply too."""
    group = new_group()
    schema = {"type": "object", "properties": {
        "spec": {"type": "object", "properties": {"size": {"type": "integer"}, "other": {"type": "string"}}},
        "status": {"type": "object", "properties": {"ready": {"type": "integer"}, "sel": {"type": "string"}}}}}
    versions = [{"name": "v1", "served": True, "storage": True, "schema": {"openAPIV3Schema": schema},
                 "subresources": {"status": {}, "scale": {"specReplicasPath": ".spec.size",
                                                         "statusReplicasPath": ".status.ready",
                                                         "labelSelectorPath": ".status.sel"}}}]
    code, body = api.call("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
                             crd_body(group, plural="dbs", kind="DB", versions=versions))
    assert code == 201, body
    base = f"/apis/{group}/v1/namespaces/default/dbs"
    code, obj = api.call("POST", base, {"apiVersion": f"{group}/v1", "kind": "DB", "metadata": {"name": "d"},
                                           "spec": {"size": 2, "other": "kept"}})
    assert code == 201, obj
    obj["status"] = {"ready": 1, "sel": "app=d"}
    assert api.call("PUT", f"{base}/d/status", obj)[0] == 200

    code, scale = api.call("GET", f"{base}/d/scale")
    assert code == 200 and scale["spec"] == {"replicas": 2} and scale["status"] == {"replicas": 1, "selector": "app=d"}
    code, scale = api.call("PATCH", f"{base}/d/scale", {"spec": {"replicas": 5}}, MERGE)
    assert code == 200 and scale["spec"] == {"replicas": 5}, scale
    assert api.call("GET", f"{base}/d")[1]["spec"] == {"size": 5, "other": "kept"}

    scale["spec"]["replicas"] = 7
    code, scale = api.call("PUT", f"{base}/d/scale", scale)
    assert code == 200 and scale["spec"] == {"replicas": 7}, scale
    code, obj = api.call("GET", f"{base}/d")
    assert obj["spec"] == {"size": 7, "other": "kept"} and obj["status"] == {"ready": 1, "sel": "app=d"}

    applied = {"apiVersion": "autoscaling/v1", "kind": "Scale", "metadata": {"name": "d"}, "spec": {"replicas": 3}}
    code, scale = api.call("PATCH", f"{base}/d/scale", json.dumps(applied).encode(), APPLY,
                              query="?fieldManager=hpa&force=true")
    assert code == 200 and scale["spec"] == {"replicas": 3}, scale
    code, obj = api.call("GET", f"{base}/d")
    assert obj["spec"] == {"size": 3, "other": "kept"} and "replicas" not in obj["spec"]

    code, status = api.call("PUT", f"{base}/d/scale", dict(scale, spec={"replicas": -1}))
    assert code == 422 and causes(status) == [
        ("spec.replicas", "FieldValueInvalid", "Invalid value: -1: must be greater than or equal to 0")]
    assert api.call("GET", f"{base}/d")[1]["spec"]["size"] == 3


def test_printer_columns(api, crontabs):
    group, ns, base = crontabs
    assert api.call("POST", base, crontab(group, "printed", replicas=2))[0] == 201
    table_accept = "application/json;as=Table;v=v1;g=meta.k8s.io"
    code, table = api.call("GET", base, accept=table_accept, query="?fieldSelector=metadata.name%3Dprinted")
    assert code == 200 and table["kind"] == "Table"
    assert [(c["name"], c["type"], c["format"]) for c in table["columnDefinitions"]] == [
        ("Name", "string", "name"), ("Spec", "string", ""), ("Replicas", "integer", ""), ("Age", "date", "")]
    cells = table["rows"][0]["cells"]
    assert cells[:3] == ["printed", "* * * * */5", 2] and cells[3].endswith("s")


def test_default_printer_columns_and_cluster_scope(api):
    group = new_group()
    body = crd_body(group, plural="widgets", kind="Widget", scope="Cluster", versions=[
        {"name": "v1", "served": True, "storage": True,
         "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}}}])
    assert api.call("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", body)[0] == 201
    code, obj = api.call("POST", f"/apis/{group}/v1/widgets", {"apiVersion": f"{group}/v1", "kind": "Widget",
                                                                 "metadata": {"name": "w"}, "anything": [1, 2]})
    assert code == 201 and obj["anything"] == [1, 2] and "namespace" not in obj["metadata"]
    code, table = api.call("GET", f"/apis/{group}/v1/widgets", accept="application/json;as=Table;v=v1;g=meta.k8s.io")
    assert [c["name"] for c in table["columnDefinitions"]] == ["Name", "Age"]
    assert api.call("GET", f"/apis/{group}/v1/namespaces/default/widgets")[0] == 404


def test_multiple_versions(api):
    group = new_group()
    schema = {"type": "object", "properties": {"spec": {"type": "object", "properties": {
        "size": {"type": "integer"}}}}}
    old_schema = {"type": "object", "properties": {"spec": {"type": "object", "properties": {
        "size": {"type": "integer"}, "legacy": {"type": "string"}}}}}
    body = crd_body(group, plural="things", kind="Thing", versions=[
        {"name": "v1", "served": True, "storage": True, "schema": {"openAPIV3Schema": schema}},
        {"name": "v1beta1", "served": True, "storage": False, "schema": {"openAPIV3Schema": old_schema}}])
    assert api.call("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", body)[0] == 201
    code, obj = api.call("POST", f"/apis/{group}/v1beta1/namespaces/default/things", {
        "apiVersion": f"{group}/v1beta1", "kind": "Thing", "metadata": {"name": "t"},
        "spec": {"size": 1, "legacy": "kept by v1beta1's schema"}})
    assert code == 201 and obj["apiVersion"] == f"{group}/v1beta1" and obj["spec"]["legacy"]
    code, obj = api.call("GET", f"/apis/{group}/v1/namespaces/default/things/t")
    assert obj["apiVersion"] == f"{group}/v1"
    code, doc = api.call("GET", f"/apis/{group}")
    assert doc["preferredVersion"]["version"] == "v1" and [x["version"] for x in doc["versions"]] == ["v1", "v1beta1"]
    code, listed = api.call("GET", f"/apis/{group}/v1beta1/namespaces/default/things")
    assert listed["apiVersion"] == f"{group}/v1beta1" and listed["items"][0]["apiVersion"] == f"{group}/v1beta1"


def test_storage_version_change(api):
    group = new_group()
    schema = {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}}
    body = crd_body(group, plural="things", kind="Thing", versions=[
        {"name": "v1beta1", "served": True, "storage": True, "schema": schema},
        {"name": "v1", "served": True, "storage": False, "schema": schema}])
    crd_path = f"/apis/apiextensions.k8s.io/v1/customresourcedefinitions/things.{group}"
    code, crd = api.call("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", body)
    assert code == 201
    assert api.call("POST", f"/apis/{group}/v1beta1/namespaces/default/things", {
        "apiVersion": f"{group}/v1beta1", "kind": "Thing", "metadata": {"name": "old"}})[0] == 201
    crd["spec"]["versions"][0]["storage"], crd["spec"]["versions"][1]["storage"] = False, True
    code, crd = api.call("PUT", crd_path, crd)
    assert code == 200 and crd["status"]["storedVersions"] == ["v1beta1", "v1"]
    # Stored as v1beta1, served as v1.
    code, obj = api.call("GET", f"/apis/{group}/v1/namespaces/default/things/old")
    assert code == 200 and obj["apiVersion"] == f"{group}/v1"
    code, listed = api.call("GET", f"/apis/{group}/v1/namespaces/default/things")
    assert [i["apiVersion"] for i in listed["items"]] == [f"{group}/v1"]
    # Dropping a version still in storedVersions is refused.
    crd["spec"]["versions"] = crd["spec"]["versions"][1:]
    code, status = api.call("PUT", crd_path, crd)
    assert code == 422 and ("status.storedVersions[0]", "FieldValueInvalid",
                            'Invalid value: "v1beta1": must appear in spec.versions') in causes(status)


# ----------------------------------------------------- discovery, OpenAPI
def test_discovery_and_openapi(api, crontabs):
    group, _, _ = crontabs
    code, groups = api.call("GET", "/apis")
    assert group in [g["name"] for g in groups["groups"]]
    code, resources = api.call("GET", f"/apis/{group}/v1")
    assert code == 200
    by_name = {r["name"]: r for r in resources["resources"]}
    assert by_name["crontabs"]["shortNames"] == ["ct"] and by_name["crontabs"]["categories"] == ["all"]
    assert by_name["crontabs"]["namespaced"] is True and by_name["crontabs/scale"]["kind"] == "Scale"
    assert "crontabs/status" in by_name
    code, agg = api.call("GET", "/apis", accept="application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList")
    entry = [g for g in agg["items"] if g["metadata"]["name"] == group][0]
    assert entry["versions"][0]["resources"][0]["resource"] == "crontabs"

    code, index = api.call("GET", "/openapi/v3")
    assert f"apis/{group}/v1" in index["paths"]
    code, doc = api.call("GET", "/openapi/v3/" + f"apis/{group}/v1")
    name = ".".join(reversed(group.split("."))) + ".v1.CronTab"
    schema = doc["components"]["schemas"][name]
    assert schema["properties"]["spec"]["properties"]["replicas"]["default"] == 1
    assert schema["x-kubernetes-group-version-kind"] == [{"group": group, "kind": "CronTab", "version": "v1"}]
    patch = doc["paths"][f"/apis/{group}/v1/namespaces/{{namespace}}/crontabs/{{name}}"]["patch"]
    assert SMP not in patch["requestBody"]["content"]
    code, v2 = api.call("GET", "/openapi/v2")
    assert name in v2["definitions"]


def test_tenant_isolation(api, server):
    tenant = f"t{uuid.uuid4().hex[:6]}"
    other = API(server, create_tenant(server, tenant))
    group = new_group()
    code, body = other.call("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd_body(group))
    assert code == 201, body
    code, obj = other.call("POST", f"/apis/{group}/v1/namespaces/default/crontabs", crontab(group, "mine"))
    assert code == 201, obj
    assert group in [g["name"] for g in other.call("GET", "/apis")[1]["groups"]]
    # The default tenant sees neither the group nor the objects.
    assert group not in [g["name"] for g in api.call("GET", "/apis")[1]["groups"]]
    assert api.call("GET", f"/apis/{group}/v1/namespaces/default/crontabs")[0] == 404
    assert api.call("GET", f"/apis/{group}")[0] == 404
    assert f"apis/{group}/v1" not in api.call("GET", "/openapi/v3")[1]["paths"]
    assert api.call("GET", f"/apis/apiextensions.k8s.io/v1/customresourcedefinitions/crontabs.{group}")[0] == 404


# ------------------------------------------------------------------ watch
def test_watch_custom_resources(api, server, crontabs):
    group, _, base = crontabs
    code, listed = api.call("GET", base)
    rv = listed["metadata"]["resourceVersion"]
    assert api.call("POST", base, crontab(group, "watched"))[0] == 201
    assert api.call("PATCH", f"{base}/watched", {"spec": {"image": "a"}}, MERGE)[0] == 200
    _, _, data = server.request("GET", f"{base}?watch=true&resourceVersion={rv}&timeoutSeconds=1")
    events = [json.loads(line) for line in data.decode().splitlines() if line.strip()]
    mine = [(e["type"], e["object"]["metadata"]["name"]) for e in events if e["object"]["metadata"]["name"] == "watched"]
    assert mine == [("ADDED", "watched"), ("MODIFIED", "watched")]
    assert events[0]["object"]["apiVersion"] == f"{group}/v1"


# ------------------------------------------------------------------- RBAC
def test_rbac_on_custom_resources(api, server, crontabs):
    group, ns, base = crontabs
    assert api.call("POST", base, crontab(group, "guarded"))[0] == 201
    user = f"crd-user-{uuid.uuid4().hex[:6]}"
    role = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": "crontab-reader"},
            "rules": [{"apiGroups": [group], "resources": ["crontabs"], "verbs": ["get", "list"]}]}
    binding = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
               "metadata": {"name": "crontab-reader"},
               "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "crontab-reader"},
               "subjects": [{"kind": "User", "name": user, "apiGroup": "rbac.authorization.k8s.io"}]}
    assert api.call("POST", f"/apis/rbac.authorization.k8s.io/v1/namespaces/{ns}/roles", role)[0] == 201
    assert api.call("POST", f"/apis/rbac.authorization.k8s.io/v1/namespaces/{ns}/rolebindings", binding)[0] == 201

    def as_user(method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        code, _, raw = server.request(method, path, data, {"Content-Type": JSON, "Impersonate-User": user})
        return code, json.loads(raw) if raw else None

    # Grants compile from the RBAC objects' history, a moment after the writes.
    assert wait_for(lambda: as_user("GET", f"{base}/guarded")[0] == 200, timeout=10), "the Role never applied"
    code, status = as_user("DELETE", f"{base}/guarded")
    assert code == 403 and status["details"] == {"name": "guarded", "group": group, "kind": "crontabs"}
    assert as_user("GET", f"/apis/{group}/v1/namespaces/default/crontabs")[0] == 403


# ------------------------------------------------------- cascade deletion
def test_deleting_the_crd_deletes_its_objects(api):
    group = new_group()
    crd_path = f"/apis/apiextensions.k8s.io/v1/customresourcedefinitions/crontabs.{group}"
    assert api.call("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd_body(group))[0] == 201
    base = f"/apis/{group}/v1/namespaces/default/crontabs"
    for name in ("a", "b"):
        assert api.call("POST", base, crontab(group, name))[0] == 201
    held = crontab(group, "held")
    held["metadata"]["finalizers"] = ["example.com/hold"]
    assert api.call("POST", base, held)[0] == 201
    code, crd = api.call("DELETE", crd_path)
    assert code == 200 and crd["kind"] == "CustomResourceDefinition"
    assert "customresourcecleanup.apiextensions.k8s.io" in crd["metadata"]["finalizers"]
    assert ("Terminating", "True") in [(c["type"], c["status"]) for c in crd["status"]["conditions"]]
    code, status = api.call("POST", base, crontab(group, "late"))
    assert code == 405 and status["message"] == "create not allowed while custom resource definition is terminating"
    # The objects are deleted; the one with a finalizer keeps the CRD until it goes.
    wait_for(lambda: len(api.call("GET", base)[1]["items"]) <= 1, timeout=30, interval=0.3)
    code, listed = api.call("GET", base)
    assert [i["metadata"]["name"] for i in listed["items"]] == ["held"]
    assert listed["items"][0]["metadata"]["deletionTimestamp"]
    assert api.call("GET", crd_path)[0] == 200
    assert api.call("PATCH", f"{base}/held", {"metadata": {"finalizers": None}}, MERGE)[0] == 200
    assert wait_for(lambda: api.call("GET", crd_path)[0] == 404, timeout=30, interval=0.3), "the CRD stayed"
    assert api.call("GET", base)[0] == 404
    # Recreated, it starts empty.
    assert api.call("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd_body(group))[0] == 201
    code, listed = api.call("GET", base)
    assert code == 200 and listed["items"] == []


# --------------------------------------------------------- several processes
def test_a_new_crd_is_served_by_every_process_at_once(tmp_path):
    """Two server processes on one database: whichever answers, a CRD is
    usable by the very next request (a miss looks for new CRDs)."""
    from tests.conftest import start_server

    srv, stop = start_server(tmp_path, workers=2)
    try:
        api = API(srv)
        for _ in range(6):
            group = new_group()
            code, body = api.call("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
                                     crd_body(group))
            assert code == 201, body
            code, body = api.call("POST", f"/apis/{group}/v1/namespaces/default/crontabs", crontab(group, "x"))
            assert code == 201, body
            assert api.call("GET", f"/apis/{group}/v1")[0] == 200
            assert group in [g["name"] for g in api.call("GET", "/apis")[1]["groups"]]
            assert api.call("GET", f"/apis/{group}/v1/crontabs")[1]["items"][0]["metadata"]["name"] == "x"
    finally:
        stop()
