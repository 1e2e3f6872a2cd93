"""End to end: PATCH over HTTP, the everyday kubectl commands that patch
(edit, label, annotate, patch, scale, replace), the /scale subresource,
fieldValidation on patches, and the Python client's patch and server-side
apply."""
import json
import sys
import uuid

import pytest

from tests.harness.client import API, APPLY, JSON_PATCH, MERGE, SMP
from tests.kubectl import BOTH_KUBECTLS, kubectl_for

pytestmark = pytest.mark.e2e



@pytest.fixture(scope="module", **BOTH_KUBECTLS)
def kubectl(request, server, tmp_path_factory):
    return kubectl_for(request, server, tmp_path_factory)


@pytest.fixture(scope="module")
def api(server):
    return API(server)


@pytest.fixture
def ns(api):
    name = f"patch-{uuid.uuid4().hex[:8]}"
    code, body = api.call("POST", "/api/v1/namespaces",
                             {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
    assert code == 201, body
    return name


def make_deployment(api, ns, name="web", replicas=2):
    obj = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
           "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                    "template": {"metadata": {"labels": {"app": name}},
                                 "spec": {"containers": [{"name": "app", "image": "nginx:1",
                                                          "ports": [{"containerPort": 80}]}]}}}}
    code, body = api.call("POST", f"/apis/apps/v1/namespaces/{ns}/deployments", obj)
    assert code == 201, body
    return body


def make_configmap(api, ns, name="cm", data=None):
    obj = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": data or {"a": "1"}}
    code, body = api.call("POST", f"/api/v1/namespaces/{ns}/configmaps", obj)
    assert code == 201, body
    return body


# ------------------------------------------------------------ HTTP PATCH

def test_patch_every_format(api, ns):
    make_deployment(api, ns)
    path = f"/apis/apps/v1/namespaces/{ns}/deployments/web"
    code, body = api.patch(path, [{"op": "replace", "path": "/spec/replicas", "value": 3}], JSON_PATCH)
    assert code == 200 and body["spec"]["replicas"] == 3
    code, body = api.patch(path, {"spec": {"minReadySeconds": 4}}, MERGE)
    assert code == 200 and body["spec"]["minReadySeconds"] == 4
    code, body = api.patch(path, {"spec": {"template": {"spec": {"containers": [
        {"name": "side", "image": "busybox"}]}}}}, SMP)
    assert code == 200
    assert [c["name"] for c in body["spec"]["template"]["spec"]["containers"]] == ["side", "app"]
    # Defaults apply to what the patch added; the generation moved with the spec.
    assert body["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"] == "Always"
    assert body["metadata"]["generation"] == 4
    managers = {(e["manager"], e["operation"]) for e in body["metadata"]["managedFields"]}
    assert ("OpenAPI-Generator", "Update") not in managers  # raw requests: urllib's User-Agent
    assert any(m.startswith("Python-urllib") for m, _ in managers)


def test_unsupported_patch_type_is_415(api, ns):
    make_configmap(api, ns)
    code, body = api.patch(f"/api/v1/namespaces/{ns}/configmaps/cm", {"data": {}}, "application/json")
    assert code == 415
    assert body["reason"] == "UnsupportedMediaType"
    assert body["message"] == ("the body of the request was in an unknown format - accepted media types include: "
                               "application/json-patch+json, application/merge-patch+json, "
                               "application/strategic-merge-patch+json, application/apply-patch+yaml")


@pytest.mark.parametrize("patch,content_type,code,reason,message", [
    ([{"op": "replace", "path": "/spec/nothing/here", "value": 1}], JSON_PATCH, 422, "Invalid",
     "the server rejected our request due to an error in our request"),
    ([{"op": "test", "path": "/data/a", "value": "other"}, {"op": "replace", "path": "/data/a", "value": "x"}],
     JSON_PATCH, 422, "Invalid", "the server rejected our request due to an error in our request"),
    ({"metadata": {"name": "renamed"}}, MERGE, 400, "BadRequest",
     "the name of the object (renamed) does not match the name on the URL (cm)"),
    ({"metadata": {"uid": "not-the-uid"}}, SMP, 422, "Invalid",
     'ConfigMap "cm" is invalid: metadata.uid: Invalid value: "not-the-uid": field is immutable'),
    ({"metadata": {"resourceVersion": "1"}}, MERGE, 409, "Conflict",
     'Operation cannot be fulfilled on configmaps "cm": the object has been modified; please apply your '
     "changes to the latest version and try again"),
    ({"metadata": {"namespace": "elsewhere"}}, MERGE, 400, "BadRequest",
     "the namespace of the provided object does not match the namespace sent on the request"),
    (b"{not json", MERGE, 400, "BadRequest", None),
    ({"data": {"a": {"nested": 1}}}, MERGE, 422, "Invalid", None),
])
def test_bad_patches_leave_the_object_untouched(api, ns, patch, content_type, code, reason, message):
    before = make_configmap(api, ns)
    got, body = api.patch(f"/api/v1/namespaces/{ns}/configmaps/cm", patch, content_type)
    assert (got, body["reason"]) == (code, reason), body
    assert body["kind"] == "Status" and body["status"] == "Failure"
    if message is not None:
        assert body["message"] == message
    _, after = api.call("GET", f"/api/v1/namespaces/{ns}/configmaps/cm")
    assert after == before


def test_patch_of_a_missing_object_is_404_but_apply_creates(api, ns):
    path = f"/api/v1/namespaces/{ns}/configmaps/ghost"
    for content_type, patch in ((MERGE, {"data": {"a": "1"}}), (SMP, {"data": {"a": "1"}}),
                                (JSON_PATCH, [{"op": "add", "path": "/data", "value": {}}])):
        code, body = api.patch(path, patch, content_type)
        assert code == 404 and body["message"] == 'configmaps "ghost" not found'
    config = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "ghost"}, "data": {"a": "1"}}
    code, body = api.patch(path, config, APPLY, query="?fieldManager=tester")
    assert code == 201 and body["data"] == {"a": "1"}
    assert [(e["manager"], e["operation"]) for e in body["metadata"]["managedFields"]] == [("tester", "Apply")]
    code, body = api.patch(path, config, APPLY, query="?fieldManager=tester")
    assert code == 200


def test_apply_requires_a_field_manager(api, ns):
    config = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}}
    code, body = api.patch(f"/api/v1/namespaces/{ns}/configmaps/x", config, APPLY)
    assert code == 422
    assert body["message"] == ('PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: '
                               "is required for apply patch")
    code, body = api.patch(f"/api/v1/namespaces/{ns}/configmaps/x", {"data": {}}, MERGE, query="?force=true")
    assert code == 422 and "force: Forbidden: may not be specified for non-apply patch" in body["message"]


def test_apply_conflict_status(api, ns):
    path = f"/api/v1/namespaces/{ns}/configmaps/shared"
    config = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "shared"}, "data": {"k": "1"}}
    assert api.patch(path, config, APPLY, query="?fieldManager=one")[0] == 201
    config["data"]["k"] = "2"
    code, body = api.patch(path, config, APPLY, query="?fieldManager=two")
    assert code == 409
    assert body["reason"] == "Conflict"
    assert body["message"] == 'Apply failed with 1 conflict: conflict with "one": .data.k'
    assert body["details"]["causes"] == [
        {"reason": "FieldManagerConflict", "message": 'conflict with "one"', "field": ".data.k"}]
    code, body = api.patch(path, config, APPLY, query="?fieldManager=two&force=true")
    assert code == 200 and body["data"] == {"k": "2"}


def test_apply_accepts_yaml_and_json_bodies(api, ns):
    path = f"/api/v1/namespaces/{ns}/configmaps/y"
    body = b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: y\ndata:\n  k: v\n"
    code, obj = api.patch(path, body, APPLY, query="?fieldManager=yaml")
    assert code == 201 and obj["data"] == {"k": "v"}
    code, obj = api.patch(path, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "y"},
                                    "data": {"k": "w"}}, APPLY, query="?fieldManager=yaml")
    assert code == 200 and obj["data"] == {"k": "w"}
    code, obj = api.patch(path, {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "y"}}, APPLY,
                             query="?fieldManager=yaml")
    assert code == 400 and obj["message"] == "invalid object type: /v1, Kind=Secret"
    code, obj = api.patch(path, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "y"},
                                    "spec": {"x": 1}}, APPLY, query="?fieldManager=yaml")
    assert code == 400 and obj["message"].endswith(".spec: field not declared in schema")


def test_dry_run_patch_stores_nothing_and_uses_no_revision(api, ns):
    created = make_configmap(api, ns)
    path = f"/api/v1/namespaces/{ns}/configmaps/cm"
    dry_runs = (
        (path, MERGE, {"data": {"a": "2"}}, "?dryRun=All", 200),
        (path, JSON_PATCH, [{"op": "add", "path": "/data/b", "value": "x"}], "?dryRun=All", 200),
        (path, APPLY, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm"}, "data": {"a": "9"}},
         "?dryRun=All&fieldManager=dry&force=true", 200),
        (f"/api/v1/namespaces/{ns}/configmaps/new", APPLY,
         {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "new"}}, "?dryRun=All&fieldManager=d", 201),
    )
    # No revision is used: two real writes around the dry runs are one
    # revision apart (retried, in case a controller wrote meanwhile).
    for attempt in range(5):
        code, first = api.patch(path, {"metadata": {"annotations": {"n": str(attempt)}}}, MERGE)
        assert code == 200
        for target, content_type, patch, query, expected in dry_runs:
            code, body = api.patch(target, patch, content_type, query=query)
            assert code == expected, body
            if target == path:
                assert body["data"] != created["data"]
        code, second = api.patch(path, {"metadata": {"annotations": {"n": f"{attempt}-b"}}}, MERGE)
        if int(second["metadata"]["resourceVersion"]) == int(first["metadata"]["resourceVersion"]) + 1:
            break
    else:
        pytest.fail("dry runs used revisions")
    _, after = api.call("GET", path)
    assert after["data"] == created["data"]
    _, listed = api.call("GET", f"/api/v1/namespaces/{ns}/configmaps")
    assert "new" not in [i["metadata"]["name"] for i in listed["items"]]


def test_field_validation_on_patches(api, ns):
    make_configmap(api, ns)
    path = f"/api/v1/namespaces/{ns}/configmaps/cm"
    reply = api.patch(path, {"spec": {"foo": 1}}, MERGE)
    code, body = reply
    assert code == 200 and "spec" not in body
    assert reply.headers.get("warning") == '299 - "unknown field \\"spec\\""'
    code, body = api.patch(path, {"spec": {"foo": 1}}, MERGE, query="?fieldValidation=Strict")
    assert code == 422
    assert body["message"].startswith(' "" is invalid: patch: Invalid value: "')
    assert body["message"].endswith('": strict decoding error: unknown field "spec"')
    code, body = api.patch(path, b'{"data":{"a":"1","a":"2"}}', MERGE, query="?fieldValidation=Strict")
    assert code == 422 and 'duplicate field \\"data.a\\"' not in body["message"]
    assert body["message"].endswith('strict decoding error: duplicate field "data.a"')
    code, body = api.patch(path, {"spec": {"foo": 1}}, MERGE, query="?fieldValidation=Ignore")
    assert code == 200


def test_field_validation_duplicates_on_create(api, ns):
    body = (b'{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"dup","name":"dup"},'
            b'"data":{"a":"1"},"foo":1}')
    code, obj = api.call("POST", f"/api/v1/namespaces/{ns}/configmaps?fieldValidation=Strict", body)
    assert code == 400
    assert obj["message"] == ('ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: '
                              'duplicate field "metadata.name", unknown field "foo"')
    yaml_body = b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: dup\ndata:\n  a: '1'\n  a: '2'\n"
    code, obj = api.call("POST", f"/api/v1/namespaces/{ns}/configmaps?fieldValidation=Strict", yaml_body,
                            ctype="application/yaml")
    assert code == 400
    assert obj["message"] == ('ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: '
                              'yaml: unmarshal errors:\n  line 7: key "a" already set in map')
    reply = api.call("POST", f"/api/v1/namespaces/{ns}/configmaps", body)
    code, obj = reply
    assert code == 201
    assert reply.headers["warning"] == '299 - "duplicate field \\"metadata.name\\"", 299 - "unknown field \\"foo\\""'


# ------------------------------------------------------------------ /scale

@pytest.mark.parametrize("group,resource", [("apps", "deployments"), ("apps", "replicasets"),
                                            ("apps", "statefulsets"), ("", "replicationcontrollers")])
def test_scale_subresource(api, ns, group, resource):
    prefix = f"/apis/{group}/v1" if group else "/api/v1"
    labels = {"app": "s"}
    template = {"metadata": {"labels": labels}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}}
    spec = {"replicas": 1, "selector": {"matchLabels": labels} if group else labels, "template": template}
    kind = {"deployments": "Deployment", "replicasets": "ReplicaSet", "statefulsets": "StatefulSet",
            "replicationcontrollers": "ReplicationController"}[resource]
    if resource == "statefulsets":
        spec["serviceName"] = "s"
    obj = {"apiVersion": f"{group}/v1" if group else "v1", "kind": kind, "metadata": {"name": "s"}, "spec": spec}
    code, body = api.call("POST", f"{prefix}/namespaces/{ns}/{resource}", obj)
    assert code == 201, body
    path = f"{prefix}/namespaces/{ns}/{resource}/s/scale"
    code, scale = api.call("GET", path)
    assert code == 200
    assert scale["kind"] == "Scale" and scale["apiVersion"] == "autoscaling/v1"
    assert scale["spec"] == {"replicas": 1}
    assert scale["status"]["selector"] == "app=s"
    scale["spec"]["replicas"] = 3
    code, scale = api.call("PUT", path, scale)
    assert code == 200 and scale["kind"] == "Scale" and scale["spec"]["replicas"] == 3
    code, scale = api.patch(path, {"spec": {"replicas": 5}}, MERGE)
    assert code == 200 and scale["spec"]["replicas"] == 5
    code, scale = api.patch(path, [{"op": "replace", "path": "/spec/replicas", "value": 6}], JSON_PATCH)
    assert code == 200 and scale["spec"]["replicas"] == 6
    code, parent = api.call("GET", f"{prefix}/namespaces/{ns}/{resource}/s")
    assert parent["spec"]["replicas"] == 6
    assert any(e.get("subresource") == "scale" for e in parent["metadata"]["managedFields"])
    # A stale resourceVersion in the Scale is a conflict; a negative count is invalid.
    code, body = api.call("PUT", path, {"apiVersion": "autoscaling/v1", "kind": "Scale",
                                           "metadata": {"name": "s", "resourceVersion": "1"},
                                           "spec": {"replicas": 2}})
    assert code == 409
    code, body = api.patch(path, {"spec": {"replicas": -1}}, MERGE)
    assert code == 422
    assert body["message"] == ('Scale.autoscaling "s" is invalid: spec.replicas: Invalid value: -1: '
                               "must be greater than or equal to 0")


def test_discovery_lists_scale(api):
    _, body = api.call("GET", "/apis/apps/v1")
    names = {r["name"] for r in body["resources"]}
    assert {"deployments/scale", "replicasets/scale", "statefulsets/scale"} <= names
    _, body = api.call("GET", "/api/v1")
    assert "replicationcontrollers/scale" in {r["name"] for r in body["resources"]}


# ----------------------------------------------------------------- kubectl

def test_kubectl_label_and_annotate(kubectl, api, ns):
    make_configmap(api, ns)
    assert kubectl.run("label", "cm", "cm", "-n", ns, "tier=web").stdout == "configmap/cm labeled\n"
    proc = kubectl.run("label", "cm", "cm", "-n", ns, "tier=db", check=False)
    assert proc.returncode == 1
    assert proc.stderr == "error: 'tier' already has a value (web), and --overwrite is false\n"
    kubectl.run("label", "cm", "cm", "-n", ns, "tier=db", "--overwrite")
    kubectl.run("annotate", "cm", "cm", "-n", ns, "note=hello")
    obj = kubectl.get("cm", "cm", "-n", ns)
    assert obj["metadata"]["labels"] == {"tier": "db"}
    assert obj["metadata"]["annotations"] == {"note": "hello"}
    assert kubectl.run("label", "cm", "cm", "-n", ns, "tier-").stdout == "configmap/cm unlabeled\n"
    kubectl.run("annotate", "cm", "cm", "-n", ns, "note-")
    obj = kubectl.get("cm", "cm", "-n", ns)
    assert "labels" not in obj["metadata"] and "annotations" not in obj["metadata"]


def test_kubectl_patch_types(kubectl, api, ns):
    make_deployment(api, ns)
    kubectl.run("patch", "deployment", "web", "-n", ns, "--type=json",
                "-p", '[{"op":"replace","path":"/spec/replicas","value":4}]')
    kubectl.run("patch", "deployment", "web", "-n", ns, "--type=merge", "-p", '{"spec":{"paused":true}}')
    kubectl.run("patch", "deployment", "web", "-n", ns,
                "-p", '{"spec":{"template":{"spec":{"containers":[{"name":"app","image":"nginx:2"}]}}}}')
    obj = kubectl.get("deployment", "web", "-n", ns)
    assert obj["spec"]["replicas"] == 4 and obj["spec"]["paused"] is True
    assert [(c["name"], c["image"]) for c in obj["spec"]["template"]["spec"]["containers"]] == [("app", "nginx:2")]
    proc = kubectl.run("patch", "deployment", "web", "-n", ns, "--type=json",
                       "-p", '[{"op":"test","path":"/spec/replicas","value":1}]', check=False)
    assert proc.returncode == 1
    assert "the server rejected our request due to an error in our request" in proc.stderr
    proc = kubectl.run("patch", "deployment", "missing", "-n", ns, "-p", "{}", check=False)
    assert proc.stderr == 'Error from server (NotFound): deployments.apps "missing" not found\n'


def test_kubectl_edit(kubectl, api, ns, tmp_path):
    make_deployment(api, ns)
    editor = tmp_path / "editor.py"
    editor.write_text("import sys, re\np = sys.argv[-1]\ntext = open(p).read()\n"
                      "open(p, 'w').write(re.sub(r'replicas: 2', 'replicas: 7', text, count=1))\n")
    proc = kubectl.run("edit", "deployment", "web", "-n", ns, env={"EDITOR": f"{sys.executable} {editor}"})
    assert proc.stdout == "deployment.apps/web edited\n"
    obj = kubectl.get("deployment", "web", "-n", ns)
    assert obj["spec"]["replicas"] == 7
    # An edit that changes nothing.
    proc = kubectl.run("edit", "deployment", "web", "-n", ns, env={"EDITOR": "true"})
    assert "Edit cancelled, no changes made." in proc.stdout + proc.stderr


def test_kubectl_scale(kubectl, api, ns):
    make_deployment(api, ns)
    assert kubectl.run("scale", "deployment", "web", "-n", ns, "--replicas=3").stdout == \
        "deployment.apps/web scaled\n"
    proc = kubectl.run("scale", "deployment", "web", "-n", ns, "--current-replicas=2", "--replicas=5", check=False)
    assert proc.returncode == 1 and "Expected replicas to be 2, was 3" in proc.stderr
    kubectl.run("scale", "deployment", "web", "-n", ns, "--current-replicas=3", "--replicas=5")
    assert kubectl.get("deployment", "web", "-n", ns)["spec"]["replicas"] == 5


def test_kubectl_replace(kubectl, api, ns, tmp_path):
    make_configmap(api, ns)
    live = kubectl.get("cm", "cm", "-n", ns)
    live["data"] = {"a": "replaced"}
    path = tmp_path / "cm.json"
    path.write_text(json.dumps(live))
    assert kubectl.run("replace", "-f", str(path)).stdout == "configmap/cm replaced\n"
    assert kubectl.get("cm", "cm", "-n", ns)["data"] == {"a": "replaced"}
    proc = kubectl.run("replace", "-f", str(path), check=False)  # resourceVersion is stale now
    assert proc.returncode == 1 and "the object has been modified" in proc.stderr


# ------------------------------------------------------- Python client

@pytest.fixture(scope="module")
def api_client(server):
    from kubernetes import client, config

    configuration = client.Configuration()
    config.load_kube_config(config_file=str(server.kubeconfig), client_configuration=configuration)
    with client.ApiClient(configuration) as api_client:
        yield api_client


def test_python_client_patch_and_scale(api_client, api, ns):
    from kubernetes import client

    make_deployment(api, ns)
    apps = client.AppsV1Api(api_client)
    # Strategic merge patch is the client's default for a dict body.
    got = apps.patch_namespaced_deployment("web", ns, {"spec": {"template": {"spec": {"containers": [
        {"name": "extra", "image": "busybox"}]}}}})
    assert [c.name for c in got.spec.template.spec.containers] == ["extra", "app"]
    # A list body is a JSON patch.
    got = apps.patch_namespaced_deployment("web", ns, [{"op": "replace", "path": "/spec/replicas", "value": 4}])
    assert got.spec.replicas == 4
    scale = apps.read_namespaced_deployment_scale("web", ns)
    assert scale.spec.replicas == 4 and scale.status.selector == "app=web"
    scale = apps.patch_namespaced_deployment_scale("web", ns, {"spec": {"replicas": 2}})
    assert scale.spec.replicas == 2
    scale.spec.replicas = 1
    assert apps.replace_namespaced_deployment_scale("web", ns, scale).spec.replicas == 1
    core = client.CoreV1Api(api_client)
    make_configmap(api, ns)
    cm = core.patch_namespaced_config_map("cm", ns, {"data": {"b": "2"}})
    assert cm.data == {"a": "1", "b": "2"}
    assert any(e.manager == "OpenAPI-Generator" for e in cm.metadata.managed_fields)


def test_python_dynamic_client_server_side_apply(api_client, ns):
    from kubernetes import dynamic
    from kubernetes.client.rest import ApiException

    dyn = dynamic.DynamicClient(api_client)
    configmaps = dyn.resources.get(api_version="v1", kind="ConfigMap")
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "ssa", "namespace": ns},
            "data": {"a": "1"}}
    got = configmaps.server_side_apply(body=body, field_manager="py-one")
    assert got.data.a == "1"
    body["data"]["a"] = "2"
    with pytest.raises(ApiException) as info:
        configmaps.server_side_apply(body=body, field_manager="py-two")
    assert info.value.status == 409
    got = configmaps.server_side_apply(body=body, field_manager="py-two", force_conflicts=True)
    assert got.data.a == "2"
    managers = sorted(e["manager"] for e in got.metadata.managedFields)
    assert managers == ["py-two"]


def test_status_subresource_patch_and_apply(api, ns):
    make_deployment(api, ns, name="st")
    base = f"/apis/apps/v1/namespaces/{ns}/deployments/st"
    code, body = api.patch(base + "/status", {"status": {"replicas": 1}, "spec": {"replicas": 9}}, MERGE)
    assert code == 200
    assert body["status"]["replicas"] == 1 and body["spec"]["replicas"] == 2  # /status changes status only
    status_entry = [e for e in body["metadata"]["managedFields"] if e.get("subresource") == "status"]
    assert [e["fieldsV1"] for e in status_entry] == [{"f:status": {"f:replicas": {}}}]
    config = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "st"},
              "status": {"replicas": 2}}
    code, body = api.patch(base + "/status", config, APPLY, query="?fieldManager=controller")
    assert code == 409 and "conflict with" in body["message"] and 'with subresource "status"' in body["message"]
    code, body = api.patch(base + "/status", config, APPLY, query="?fieldManager=controller&force=true")
    assert code == 200 and body["status"]["replicas"] == 2
    entries = {(e["manager"], e["operation"], e.get("subresource")): e["fieldsV1"]
               for e in body["metadata"]["managedFields"]}
    assert entries[("controller", "Apply", "status")] == {"f:status": {"f:replicas": {}}}
    # Status written through the main resource is ignored, and not owned.
    code, body = api.patch(base, {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "st"},
                                     "status": {"replicas": 7}, "spec": {"replicas": 3}}, APPLY,
                              query="?fieldManager=main&force=true")
    assert code == 200 and body["status"]["replicas"] == 2 and body["spec"]["replicas"] == 3
    main = [e for e in body["metadata"]["managedFields"] if e["manager"] == "main"]
    assert main[0]["fieldsV1"] == {"f:spec": {"f:replicas": {}}}


def test_hostile_patch_bodies_are_400(api, ns):
    make_configmap(api, ns)
    path = f"/api/v1/namespaces/{ns}/configmaps/cm"
    deep = b'{"data":' + b'{"a":' * 5000 + b'1' + b'}' * 5001
    for content_type in (MERGE, SMP):
        code, body = api.patch(path, deep, content_type)
        assert code == 400, body
    code, body = api.patch(path, b"[" * 5000 + b"]" * 5000, JSON_PATCH)
    assert code == 400
    code, body = api.patch(path, b"a:\n" + b"  " * 1 + b"- " * 3000 + b"x\n", APPLY, query="?fieldManager=x")
    assert code == 400
    code, body = api.patch(path, b'{"data":{"a":"\\ud800"}}', MERGE)
    assert code == 200 and body["data"]["a"] == "\ufffd"


def test_apply_to_scale(api, ns):
    make_deployment(api, ns, name="sc")
    path = f"/apis/apps/v1/namespaces/{ns}/deployments/sc/scale"
    config = {"apiVersion": "autoscaling/v1", "kind": "Scale", "metadata": {"name": "sc"}, "spec": {"replicas": 4}}
    code, body = api.patch(path, config, APPLY, query="?fieldManager=hpa")
    assert code == 409  # the creator owns spec.replicas
    code, body = api.patch(path, config, APPLY, query="?fieldManager=hpa&force=true")
    assert code == 200 and body["kind"] == "Scale" and body["spec"]["replicas"] == 4
    _, parent = api.call("GET", f"/apis/apps/v1/namespaces/{ns}/deployments/sc")
    assert parent["spec"]["replicas"] == 4
    entries = [e for e in parent["metadata"]["managedFields"] if e["manager"] == "hpa"]
    assert [(e["operation"], e.get("subresource"), e["fieldsV1"]) for e in entries] == [
        ("Apply", "scale", {"f:spec": {"f:replicas": {}}})]
    config["kind"] = "Deployment"
    code, body = api.patch(path, config, APPLY, query="?fieldManager=hpa")
    assert code == 400 and body["message"] == "invalid object type: autoscaling/v1, Kind=Deployment"


def test_patch_of_a_subresource_the_kind_does_not_have(api, ns):
    make_configmap(api, ns)
    code, body = api.patch(f"/api/v1/namespaces/{ns}/configmaps/cm/status", {"data": {}}, MERGE)
    assert code == 404 and body["reason"] == "NotFound"


def test_kubectl_get_scale_prints_a_scale_table(kubectl, api, ns):
    make_deployment(api, ns, replicas=3)
    out = kubectl.run("get", "deployment", "web", "-n", ns, "--subresource=scale").stdout
    lines = out.splitlines()
    assert lines[0].split() == ["NAME", "DESIRED", "AVAILABLE", "AGE"]
    assert lines[1].split()[:3] == ["web", "3", "0"]


def test_apply_with_a_value_of_the_wrong_type_is_400(api, ns):
    config = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "bad"},
              "spec": {"replicas": "three"}}
    code, body = api.patch(f"/apis/apps/v1/namespaces/{ns}/deployments/bad", config, APPLY, query="?fieldManager=x")
    assert code == 400
    assert body["message"].startswith("failed to create typed patch object (/bad; apps/v1, Kind=Deployment): ")
    assert "cannot unmarshal string" in body["message"]
