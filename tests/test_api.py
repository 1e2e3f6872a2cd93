"""The generic API behaviour, through raw HTTP against the running server.

One parametrised suite: every kind in ``tests/kinds.py`` goes through the
same tests (create, read, list, update, status, finalizers, selectors,
dry run, ...). Then the behaviour that does not depend on the kind (bad
input, paging, tenants, health) is tested once.
"""
import copy
import json
import uuid
from urllib.parse import quote

import pytest
import yaml

from tests.conftest import create_tenant, wait_for
from tests.harness.client import API, MERGE, unique
from tests.kinds import KINDS, Kind, get_path, install_custom_resource_definitions

def assert_status(body, code, reason):
    """Every error is a metav1 Status carrying the HTTP code and reason."""
    assert isinstance(body, dict), body
    assert body["kind"] == "Status" and body["apiVersion"] == "v1", body
    assert body["status"] == "Failure", body
    assert body["code"] == code, body
    assert body["reason"] == reason, body


@pytest.fixture(scope="module")
def api(server):
    return API(server)


@pytest.fixture(scope="module", autouse=True)
def custom_resources(api):
    """The CRDs whose custom resources are in KINDS."""
    install_custom_resource_definitions(api)


@pytest.fixture(scope="module")
def ns(api):
    return api.create_namespace("api-tests")


def kind_id(kind):
    return kind.id


each_kind = pytest.mark.parametrize("kind", KINDS, ids=kind_id)
namespaced_kinds = pytest.mark.parametrize("kind", [k for k in KINDS if k.namespaced], ids=kind_id)
status_kinds = pytest.mark.parametrize("kind", [k for k in KINDS if k.status is not None], ids=kind_id)
scale_kinds = pytest.mark.parametrize("kind", [k for k in KINDS if k.scale is not None], ids=kind_id)


def create(api, kind: Kind, ns, name=None, labels=None, **kw):
    name = name or kind.name(unique(kind.plural[:6]))
    code, body = api.post(kind.base(ns), kind.valid(name, ns if kind.namespaced else "", labels), **kw)
    assert code == 201, body
    return body


def path_of(kind, ns, name, sub=""):
    return f"{kind.base(ns)}/{name}" + (f"/{sub}" if sub else "")


def is_gone(api, kind, ns, name):
    """Whether the object is gone; for kinds whose deletion a server loop
    finishes, once it has."""
    if kind.finalized_by_server:
        return wait_for(lambda: api.get(path_of(kind, ns, name))[0] == 404)
    return api.get(path_of(kind, ns, name))[0] == 404


# ============================================================ per kind
def test_every_stored_kind_has_an_entry():
    """A kind the server stores cannot be added without coverage here."""
    from resources.registry import builtin  # filled when Django starts (resources.apps)

    stored = {(t.group_version, t.plural) for t in builtin.types() if "create" in t.verbs and not t.create_handler}
    missing = stored - {(k.group_version, k.plural) for k in KINDS}
    assert not missing, f"add a Kind to tests/kinds.py for each of {sorted(missing)}"


@each_kind
def test_create_read_list_delete(api, ns, kind):
    created = create(api, kind, ns)
    meta = created["metadata"]
    name = meta["name"]
    assert created["apiVersion"] == kind.group_version and created["kind"] == kind.kind
    uuid.UUID(meta["uid"])
    assert int(meta["resourceVersion"]) > 0
    assert meta["creationTimestamp"].endswith("Z")
    if kind.namespaced:
        assert meta["namespace"] == ns
    else:
        assert "namespace" not in meta
    if kind.tracks_generation:
        assert meta["generation"] == 1
    else:
        assert "generation" not in meta

    code, got = api.get(path_of(kind, ns, name))
    assert code == 200
    assert got == created

    code, listed = api.get(kind.base(ns))
    assert code == 200
    assert listed["kind"] == kind.kind + "List" and listed["apiVersion"] == kind.group_version
    assert int(listed["metadata"]["resourceVersion"]) >= int(meta["resourceVersion"])
    assert name in [i["metadata"]["name"] for i in listed["items"]]
    assert all(i["kind"] == kind.kind and i["apiVersion"] == kind.group_version for i in listed["items"])

    code, deleted = api.delete(path_of(kind, ns, name))
    assert code == 200, deleted
    if kind.finalized_by_server:  # marked; the server's loop finishes it
        assert deleted["kind"] == kind.kind and deleted["metadata"]["uid"] == meta["uid"]
        assert deleted["metadata"]["deletionTimestamp"]
        assert is_gone(api, kind, ns, name), "the server never finished the deletion"
    elif kind.returns_object_on_delete:
        assert deleted["kind"] == kind.kind and deleted["metadata"]["uid"] == meta["uid"]
    else:
        group = kind.group_version.rpartition("/")[0]
        assert deleted["kind"] == "Status" and deleted["status"] == "Success", deleted
        assert deleted["details"] == {"name": name, "group": group, "kind": kind.plural, "uid": meta["uid"]}
    code, gone = api.get(path_of(kind, ns, name))
    assert_status(gone, 404, "NotFound")
    group = kind.group_version.rpartition("/")[0]
    qualified = f"{kind.plural}.{group}" if group else kind.plural
    assert gone["message"] == f'{qualified} "{name}" not found'
    assert gone["details"] == {"name": name, "group": group, "kind": kind.plural}
    code, again = api.delete(path_of(kind, ns, name))
    assert_status(again, 404, "NotFound")


@each_kind
def test_already_exists_and_invalid(api, ns, kind):
    created = create(api, kind, ns)
    name = created["metadata"]["name"]
    code, body = api.post(kind.base(ns), kind.valid(name, ns if kind.namespaced else ""))
    assert_status(body, 409, "AlreadyExists")
    assert code == 409

    bad_name = kind.name(unique("bad"))
    code, body = api.post(kind.base(ns), kind.broken(bad_name, ns if kind.namespaced else ""))
    assert_status(body, 422, "Invalid")
    assert kind.invalid_field in [c.get("field") for c in body["details"]["causes"]], body
    assert body["details"]["name"] == bad_name and body["details"]["kind"] == kind.kind
    assert body["message"].startswith(f'{kind.kind}{"." + kind.group_version.rpartition("/")[0] if "/" in kind.group_version else ""} "{bad_name}" is invalid: ')
    code, body = api.get(path_of(kind, ns, bad_name))
    assert code == 404  # nothing half-written


@each_kind
def test_update_generation_and_optimistic_concurrency(api, ns, kind):
    created = create(api, kind, ns)
    name = created["metadata"]["name"]
    changed = json.loads(json.dumps(created))
    kind.update(changed)
    code, updated = api.put(path_of(kind, ns, name), changed)
    assert code == 200, updated
    assert int(updated["metadata"]["resourceVersion"]) > int(created["metadata"]["resourceVersion"])
    assert updated["metadata"]["uid"] == created["metadata"]["uid"]
    assert updated["metadata"]["creationTimestamp"] == created["metadata"]["creationTimestamp"]
    if kind.tracks_generation:
        assert updated["metadata"]["generation"] == 2
    else:
        assert "generation" not in updated["metadata"]

    # Same body again: no change, no new revision.
    code, same = api.put(path_of(kind, ns, name), updated)
    assert code == 200
    assert same["metadata"]["resourceVersion"] == updated["metadata"]["resourceVersion"]

    # A metadata-only change does not move generation.
    labelled = json.loads(json.dumps(updated))
    labelled["metadata"].setdefault("labels", {})["touched"] = "yes"
    code, relabelled = api.put(path_of(kind, ns, name), labelled)
    assert code == 200, relabelled
    assert relabelled["metadata"].get("generation") == updated["metadata"].get("generation")

    # The first client's copy is stale now.
    code, body = api.put(path_of(kind, ns, name), changed)
    assert_status(body, 409, "Conflict")
    assert body["message"] == (
        f'Operation cannot be fulfilled on {kind.plural}{"." + kind.group_version.rpartition("/")[0] if "/" in kind.group_version else ""}'
        f' "{name}": the object has been modified; please apply your changes to the latest version and try again'
    )
    # Without a resourceVersion the update is unconditional.
    del changed["metadata"]["resourceVersion"]
    code, body = api.put(path_of(kind, ns, name), changed)
    assert code == 200, body

    # Updating something that does not exist: 404, or a create for the kinds that allow it.
    missing = kind.valid(kind.name(unique("missing")), ns if kind.namespaced else "")
    code, body = api.put(path_of(kind, ns, missing["metadata"]["name"]), missing)
    if kind.create_on_update:
        assert code == 201, body
        assert body["metadata"]["uid"] and api.get(path_of(kind, ns, missing["metadata"]["name"]))[0] == 200
    else:
        assert_status(body, 404, "NotFound")


@status_kinds
def test_status_is_isolated_from_spec(api, ns, kind):
    created = create(api, kind, ns)
    name = created["metadata"]["name"]
    initial_status = created.get("status")

    # Writes to the resource ignore status.
    with_status = json.loads(json.dumps(created))
    with_status["status"] = kind.status
    code, body = api.put(path_of(kind, ns, name), with_status)
    assert code == 200, body
    assert body.get("status") == initial_status

    # Writes to /status change status only.
    current = body
    spec_and_status = json.loads(json.dumps(current))
    kind.update(spec_and_status)
    spec_and_status["status"] = kind.status
    spec_and_status["metadata"].setdefault("labels", {})["from-status"] = "ignored"
    code, body = api.put(path_of(kind, ns, name, "status"), spec_and_status)
    assert code == 200, body
    for key, value in kind.status.items():
        assert body["status"][key] == value, body["status"]
    without_status = {k: v for k, v in body.items() if k != "status"}
    expected = {k: v for k, v in current.items() if k != "status"}
    moving = ("resourceVersion", "managedFields")  # the status writer gets its own managedFields entry
    without_status["metadata"] = {k: v for k, v in without_status["metadata"].items() if k not in moving}
    expected["metadata"] = {k: v for k, v in expected["metadata"].items() if k not in moving}
    assert without_status == expected
    code, got = api.get(path_of(kind, ns, name, "status"))
    assert code == 200 and got["status"] == body["status"]

    # Stale status write → 409.
    code, body = api.put(path_of(kind, ns, name, "status"), spec_and_status)
    assert_status(body, 409, "Conflict")


@each_kind
def test_finalizers_hold_deletion(api, ns, kind):
    name = kind.name(unique("fin"))
    obj = kind.valid(name, ns if kind.namespaced else "")
    obj["metadata"]["finalizers"] = ["example.com/hold"]
    code, created = api.post(kind.base(ns), obj)
    assert code == 201, created

    code, body = api.delete(path_of(kind, ns, name))
    assert code in (200, 202), body
    assert body["kind"] == kind.kind  # the object, marked, not a Status
    assert body["metadata"]["deletionTimestamp"]
    if kind.finalized_by_server:  # the server adds its own (CRDs)
        assert "example.com/hold" in body["metadata"]["finalizers"]
    else:
        assert body["metadata"]["finalizers"] == ["example.com/hold"]
    code, marked = api.get(path_of(kind, ns, name))
    assert code == 200 and marked["metadata"]["deletionTimestamp"] == body["metadata"]["deletionTimestamp"]

    # Deleting again keeps the first deletionTimestamp.
    code, again = api.delete(path_of(kind, ns, name))
    assert code in (200, 202) and again["metadata"]["deletionTimestamp"] == marked["metadata"]["deletionTimestamp"]

    # New finalizers may not be added to an object being deleted. (Read
    # afresh: the server's own finalization may have written meanwhile.)
    extra = api.get(path_of(kind, ns, name))[1]
    extra["metadata"]["finalizers"].append("example.com/another")
    code, body = api.put(path_of(kind, ns, name), extra)
    assert_status(body, 422, "Invalid")

    # Removing the last finalizer completes the deletion.
    def current():
        return api.get(path_of(kind, ns, name))[1]

    if kind.finalized_by_server:  # the server's own finalizer goes first, with its loop
        assert wait_for(lambda: current()["metadata"]["finalizers"] == ["example.com/hold"]), current()
    marked = current()
    marked["metadata"]["finalizers"] = []
    code, body = api.put(path_of(kind, ns, name), marked)
    assert code == 200, body
    assert is_gone(api, kind, ns, name), api.get(path_of(kind, ns, name))


@each_kind
def test_label_and_field_selectors(api, ns, kind):
    # Each kind in its own namespace so the lists are exact.
    space = api.create_namespace() if kind.namespaced else ns
    tag = unique("sel")
    yes = create(api, kind, space, labels={"suite": tag, "tier": "front"})["metadata"]["name"]
    no = create(api, kind, space, labels={"suite": tag, "tier": "back"})["metadata"]["name"]
    other = create(api, kind, space, labels={"suite": tag + "x"})["metadata"]["name"]

    def names(query):
        code, body = api.get(kind.base(space) + query)
        assert code == 200, body
        return sorted(i["metadata"]["name"] for i in body["items"])

    assert names(f"?labelSelector=suite%3D{tag},tier%3Dfront") == [yes]
    assert names(f"?labelSelector=suite%3D{tag},tier!%3Dfront") == [no]
    assert names(f"?labelSelector=suite+in+({tag},{tag}x),!tier") == [other]
    assert names(f"?labelSelector=suite%3D{tag}&fieldSelector=metadata.name%3D{yes}") == [yes]
    assert names(f"?labelSelector=suite%3D{tag}&fieldSelector=metadata.name!%3D{yes}") == sorted([no])
    code, body = api.get(kind.base(space) + "?fieldSelector=spec.noSuchField%3Dx")
    assert_status(body, 400, "BadRequest")
    assert "field label not supported: spec.noSuchField" in body["message"]
    code, body = api.get(kind.base(space) + "?labelSelector=%3D%3Dbad")
    assert_status(body, 400, "BadRequest")

    if not kind.deletecollection:
        code, body = api.delete(kind.base(space) + f"?labelSelector=suite%3D{tag}")
        assert_status(body, 405, "MethodNotAllowed")
        for name in (yes, no, other):
            api.delete(path_of(kind, space, name))
        return
    def listed_after_delete(query, expected):
        if kind.finalized_by_server:  # marked now, gone once the server's loop ran
            return wait_for(lambda: names(query) == expected)
        return names(query) == expected

    code, body = api.delete(kind.base(space) + f"?labelSelector=suite%3D{tag},tier%3Dfront")
    assert code == 200, body
    assert [i["metadata"]["name"] for i in body["items"]] == [yes]
    assert listed_after_delete(f"?labelSelector=suite+in+({tag},{tag}x)", sorted([no, other]))
    code, body = api.delete(kind.base(space) + f"?labelSelector=suite+in+({tag},{tag}x)")
    assert code == 200
    assert listed_after_delete(f"?labelSelector=suite+in+({tag},{tag}x)", [])


@namespaced_kinds
def test_namespace_must_exist(api, kind):
    missing = unique("nons")
    code, body = api.post(kind.base(missing), kind.valid(kind.name(unique()), missing))
    assert_status(body, 404, "NotFound")
    assert body["message"] == f'namespaces "{missing}" not found'
    # Namespaced kinds are not served at the cluster scope for writes.
    code, body = api.get(kind.base("").replace("namespaces//", ""))
    assert code == 200  # list across namespaces
    # A body namespace different from the URL's is refused.
    code, body = api.post(kind.base("api-tests"), kind.valid(kind.name(unique()), "elsewhere"))
    assert_status(body, 400, "BadRequest")
    assert body["message"] == "the namespace of the provided object does not match the namespace sent on the request"


@pytest.fixture(scope="module")
def quiet_api(server):
    """A tenant of its own: once its bootstrap writes are done nobody else
    writes there, so its revision counter is exact."""
    api = API(server, create_tenant(server, unique('dry')))
    install_custom_resource_definitions(api)
    revisions = []

    def settled():
        revisions.append(api.get("/api/v1/namespaces")[1]["metadata"]["resourceVersion"])
        return revisions[-2:] == revisions[-1:] * 2

    assert wait_for(settled, timeout=15, interval=0.5), revisions
    return api


@each_kind
def test_dry_run_stores_nothing(quiet_api, kind):
    api = quiet_api
    space = "default"
    code, before = api.get(kind.base(space))
    assert code == 200, before
    rev = before["metadata"]["resourceVersion"]

    name = kind.name(unique("dry"))
    code, body = api.post(kind.base(space) + "?dryRun=All", kind.valid(name, space if kind.namespaced else ""))
    assert code == 201, body
    assert body["metadata"]["name"] == name and body["metadata"]["uid"]
    assert api.get(path_of(kind, space, name))[0] == 404
    assert api.get(kind.base(space))[1]["metadata"]["resourceVersion"] == rev

    created = create(api, kind, space, name=name)
    rev = api.get(kind.base(space))[1]["metadata"]["resourceVersion"]
    changed = json.loads(json.dumps(created))
    kind.update(changed)
    code, body = api.put(path_of(kind, space, name) + "?dryRun=All", changed)
    assert code == 200, body
    assert api.get(path_of(kind, space, name))[1] == created
    code, body = api.delete(path_of(kind, space, name) + "?dryRun=All")
    assert code == 200, body
    assert api.get(path_of(kind, space, name))[1] == created
    assert api.get(kind.base(space))[1]["metadata"]["resourceVersion"] == rev
    code, body = api.post(kind.base(space) + "?dryRun=Everything",
                          kind.valid(kind.name(unique()), space if kind.namespaced else ""))
    assert_status(body, 400, "BadRequest")


@pytest.mark.parametrize("kind", [k for k in KINDS if k.generate_name], ids=kind_id)
def test_generate_name_and_yaml_body(api, ns, kind):
    obj = kind.valid("", ns if kind.namespaced else "")
    del obj["metadata"]["name"]
    obj["metadata"]["generateName"] = "gen-"
    code, body = api.post(kind.base(ns), body=yaml.safe_dump(obj).encode(), ctype="application/yaml")
    assert code == 201, body
    name = body["metadata"]["name"]
    assert name.startswith("gen-") and len(name) == len("gen-") + 5
    assert body["metadata"]["generateName"] == "gen-"
    code, got = api.get(path_of(kind, ns, name), headers={"Accept": "application/yaml"})
    assert code == 200
    assert yaml.safe_load(got)["metadata"]["uid"] == body["metadata"]["uid"]


@scale_kinds
def test_scale_is_the_kinds_replica_path(api, ns, kind):
    """/scale reads the kind's replica paths; PATCH and PUT of a Scale
    change the spec path and nothing else."""
    created = create(api, kind, ns)
    name = created["metadata"]["name"]
    code, parent = api.put(path_of(kind, ns, name, "status"), dict(created, status=kind.status))
    assert code == 200, parent
    paths = kind.scale

    code, scale = api.get(path_of(kind, ns, name, "scale"))
    assert code == 200, scale
    assert (scale["apiVersion"], scale["kind"]) == ("autoscaling/v1", "Scale")
    assert {k: scale["metadata"][k] for k in ("name", "uid", "resourceVersion")} == {
        k: parent["metadata"][k] for k in ("name", "uid", "resourceVersion")}
    assert scale["spec"] == {"replicas": get_path(parent, paths.spec)}
    assert scale["status"] == {"replicas": get_path(parent, paths.status), "selector": paths.selector(parent)}

    def only_replicas_moved(before, replicas, answer):
        code, after = api.get(path_of(kind, ns, name))
        assert code == 200
        assert answer["spec"] == {"replicas": replicas} and answer["metadata"]["resourceVersion"] == \
            after["metadata"]["resourceVersion"], answer
        expected = copy.deepcopy(before)
        target = expected
        *parents, last = paths.spec.split(".")
        for key in parents:
            target = target[key]
        target[last] = replicas
        if kind.tracks_generation:
            expected["metadata"]["generation"] += 1
        moving = ("resourceVersion", "managedFields")
        for obj in (expected, after):
            obj["metadata"] = {k: v for k, v in obj["metadata"].items() if k not in moving}
        assert after == expected
        return api.get(path_of(kind, ns, name))[1]

    code, scaled = api.call("PATCH", path_of(kind, ns, name, "scale"), {"spec": {"replicas": 4}}, ctype=MERGE)
    assert code == 200, scaled
    parent = only_replicas_moved(parent, 4, scaled)

    stale = copy.deepcopy(scaled)
    scaled["spec"]["replicas"] = 6
    code, latest = api.put(path_of(kind, ns, name, "scale"), scaled)
    assert code == 200, latest
    parent = only_replicas_moved(parent, 6, latest)

    stale["spec"]["replicas"] = 2
    code, body = api.put(path_of(kind, ns, name, "scale"), stale)
    assert_status(body, 409, "Conflict")
    code, body = api.put(path_of(kind, ns, name, "scale"), dict(latest, spec={"replicas": -1}))
    assert_status(body, 422, "Invalid")
    assert api.get(path_of(kind, ns, name))[1] == parent


# ====================================================== kind-independent
def cm(name, ns="api-tests", **meta):
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": ns, **meta},
            "data": {"k": "v"}}


CM = "/api/v1/namespaces/api-tests/configmaps"


def test_terminating_namespace_refuses_new_content(api):
    space = api.create_namespace()
    code, body = api.post(f"/api/v1/namespaces/{space}/configmaps",
                          cm("held", space, finalizers=["example.com/hold"]))
    assert code == 201
    code, body = api.delete(f"/api/v1/namespaces/{space}")
    assert code == 200 and body["kind"] == "Namespace", body
    assert body["status"]["phase"] == "Terminating" and body["metadata"]["deletionTimestamp"]
    code, body = api.post(f"/api/v1/namespaces/{space}/configmaps", cm("new", space))
    assert_status(body, 403, "Forbidden")
    assert body["message"] == f"configmaps \"new\" is forbidden: unable to create new content in namespace {space} because it is being terminated"
    # The namespace waits for the held object; releasing it lets the namespace go.
    def held():  # the namespace finalization loop marks it for deletion
        code, obj = api.get(f"/api/v1/namespaces/{space}/configmaps/held")
        return obj if code == 200 and obj["metadata"].get("deletionTimestamp") else None

    marked = wait_for(held)
    assert marked, api.get(f"/api/v1/namespaces/{space}/configmaps/held")
    marked["metadata"]["finalizers"] = []
    assert api.put(f"/api/v1/namespaces/{space}/configmaps/held", marked)[0] == 200
    assert wait_for(lambda: api.get(f"/api/v1/namespaces/{space}")[0] == 404), api.get(f"/api/v1/namespaces/{space}")


def test_delete_options(api, ns):
    created = api.post(CM, cm(unique()))[1]
    name = created["metadata"]["name"]
    code, body = api.delete(f"{CM}/{name}", {"kind": "DeleteOptions", "apiVersion": "v1",
                                              "preconditions": {"uid": str(uuid.uuid4())}})
    assert_status(body, 409, "Conflict")
    code, body = api.delete(f"{CM}/{name}", {"kind": "DeleteOptions", "apiVersion": "v1",
                                              "preconditions": {"resourceVersion": "1"}})
    assert_status(body, 409, "Conflict")
    code, body = api.delete(f"{CM}/{name}?propagationPolicy=Sometimes")
    assert_status(body, 422, "Invalid")
    code, body = api.delete(f"{CM}/{name}?gracePeriodSeconds=soon")
    assert_status(body, 400, "BadRequest")
    code, body = api.delete(f"{CM}/{name}", {"kind": "DeleteOptions", "apiVersion": "v1", "gracePeriodSeconds": "x"})
    assert_status(body, 400, "BadRequest")
    code, body = api.delete(f"{CM}/{name}", body=b"{not json")
    assert_status(body, 400, "BadRequest")
    assert api.get(f"{CM}/{name}")[0] == 200  # refused deletes leave the object alone
    code, body = api.delete(f"{CM}/{name}", {"kind": "DeleteOptions", "apiVersion": "v1",
                                              "preconditions": {"uid": created["metadata"]["uid"]}})
    assert code == 200 and body["details"]["uid"] == created["metadata"]["uid"]


def test_create_with_resource_version_is_refused(api, ns):
    # An object read from the server and posted again; upstream's storage refuses it.
    code, body = api.post(CM, cm(unique(), resourceVersion="42"))
    assert_status(body, 400, "BadRequest")
    assert body["message"] == "resourceVersion should not be set on objects to be created"


def test_put_mismatches(api, ns):
    created = api.post(CM, cm(unique()))[1]
    name = created["metadata"]["name"]
    other = dict(created, metadata=dict(created["metadata"], name="someone-else"))
    code, body = api.put(f"{CM}/{name}", other)
    assert_status(body, 400, "BadRequest")
    assert body["message"] == f"the name of the object (someone-else) does not match the name on the URL ({name})"
    wrong_uid = dict(created, metadata=dict(created["metadata"], uid=str(uuid.uuid4())))
    code, body = api.put(f"{CM}/{name}", wrong_uid)
    assert_status(body, 409, "Conflict")
    code, body = api.put(CM, created)
    assert_status(body, 405, "MethodNotAllowed")
    code, body = api.post(f"{CM}/{name}", created)
    assert_status(body, 405, "MethodNotAllowed")


@pytest.mark.parametrize("body, ctype, message", [
    (b'{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {', "application/json", "json"),
    (b"\xff\xfe garbage", "application/json", ""),
    (b"[1, 2, 3]", "application/json", ""),
    (b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x\n", "application/yaml", "YAML"),
    (b"- just\n- a list\n", "application/yaml", ""),
    (b"\x00\x01\x02\x03 not protobuf", "application/vnd.kubernetes.protobuf", ""),
    (b"k8s\x00\x0a\x04\x0a\x02v1\x12\x09ConfigMap\x12\xff\xff", "application/vnd.kubernetes.protobuf", ""),
    (b"", "application/json", "empty"),
    (b'{"apiVersion": "v1", "kind": "ConfigMap", "metadata": "x"}', "application/json", ""),
    (b'{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}, "data": {"a": 1}}', "application/json", ""),
], ids=["json-truncated", "json-not-utf8", "json-array", "yaml-broken", "yaml-list", "protobuf-garbage",
        "protobuf-truncated", "empty", "metadata-string", "data-wrong-type"])
def test_malformed_bodies_are_400(api, ns, body, ctype, message):
    code, resp = api.post(CM, body=body, ctype=ctype)
    assert_status(resp, 400, "BadRequest")
    if message:
        assert message in resp["message"], resp
    code, listed = api.get(CM + "?fieldSelector=metadata.name%3Dx")
    assert listed["items"] == []


def test_hostile_bodies_are_400_not_500(api, ns):
    deep = b'{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"deep"},"x":' + b'{"a":' * 5000 + b"1" + \
        b"}" * 5001
    code, body = api.post(CM, body=deep)
    assert_status(body, 400, "BadRequest")
    assert "max depth" in body["message"]
    code, body = api.post(CM, body=b"a:\n" + b"  - [" * 3000, ctype="application/yaml")
    assert_status(body, 400, "BadRequest")


def test_bodies_decode_as_upstream_does(api, ns):
    # An unpaired surrogate escape becomes U+FFFD, as in Go.
    code, body = api.post(CM, body=b'{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"surrogate"},'
                                   b'"data":{"a":"x\\ud800y","b":"\\ud83d\\ude00"}}')
    assert code == 201, body
    assert body["data"] == {"a": "x\ufffdy", "b": "\U0001f600"}
    # YAML map keys become strings, as sigs.k8s.io/yaml converts through JSON.
    code, body = api.post(CM, body=b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: int-keys}\n"
                                   b"data: {1: one, when: 2026-01-01}\n", ctype="application/yaml")
    assert code == 201, body
    assert body["data"] == {"1": "one", "when": "2026-01-01"}


def test_query_parameters_out_of_range(api, ns):
    code, body = api.get(CM + "?limit=99999999999999999999999")
    assert_status(body, 400, "BadRequest")
    code, body = api.get(CM + "?limit=9223372036854775807")
    assert code == 200 and "continue" not in body["metadata"]
    for rv in ("-5", "+5", "1.5", "0x10"):
        code, body = api.get(CM + f"?resourceVersion={quote(rv)}")
        assert_status(body, 400, "BadRequest")
        assert body["message"] == f"invalid resource version: {rv}"


@pytest.mark.parametrize("name", ["default", "kube-system", "kube-public"])
def test_system_namespaces_may_not_be_deleted(api, name):
    code, body = api.delete(f"/api/v1/namespaces/{name}")
    assert_status(body, 403, "Forbidden")
    assert body["message"] == f'namespaces "{name}" is forbidden: this namespace may not be deleted'
    code, body = api.get(f"/api/v1/namespaces/{name}")
    assert code == 200 and "deletionTimestamp" not in body["metadata"]


def test_apiversion_and_kind_default_from_the_url(api, ns):
    # As kube-apiserver's decoder does: typed clients often leave them out.
    code, body = api.post(CM, {"metadata": {"name": "no-type-meta"}, "data": {"a": "b"}})
    assert code == 201, body
    assert body["apiVersion"] == "v1" and body["kind"] == "ConfigMap"
    code, body = api.post(CM, {"kind": "ConfigMap", "metadata": {"name": "kind-only"}})
    assert code == 201, body
    code, body = api.post("/apis/apps/v1/namespaces/api-tests/deployments", {"metadata": {"name": "x"}})
    assert_status(body, 422, "Invalid")  # decoded as a Deployment, then validated as one


def test_strict_field_validation(api, ns):
    obj = cm(unique())
    obj["spec"] = {"nope": 1}
    code, body = api.post(CM + "?fieldValidation=Strict", obj)
    assert_status(body, 400, "BadRequest")
    assert 'unknown field "spec"' in body["message"]
    code, body = api.post(CM, obj)  # Warn (the default) prunes it
    assert code == 201 and "spec" not in body


def test_mismatched_apiversion_and_kind(api, ns):
    obj = cm(unique())
    code, body = api.post(CM, dict(obj, apiVersion="apps/v1"))
    assert_status(body, 400, "BadRequest")
    assert body["message"] == "the API version in the data (apps/v1) does not match the expected API version (v1)"
    code, body = api.post(CM, dict(obj, kind="Secret"))
    assert_status(body, 400, "BadRequest")
    assert body["message"] == "the kind in the data (Secret) does not match the expected kind (ConfigMap)"
    code, body = api.post("/apis/apps/v1/namespaces/api-tests/deployments", obj)
    assert_status(body, 400, "BadRequest")


def test_empty_optional_fields_are_dropped_as_go_decoding_does(api, ns):
    # omitempty: upstream decodes the body into Go types and stores what
    # they encode, so `labels: {}`, `finalizers: []` and nulls are gone.
    obj = cm(unique())
    obj["metadata"].update(labels={}, annotations={}, finalizers=[], ownerReferences=None)
    obj["data"] = {}
    code, created = api.post(CM, obj)
    assert code == 201, created
    assert not {"labels", "annotations", "finalizers", "ownerReferences"} & set(created["metadata"])
    assert "data" not in created
    created["metadata"]["labels"] = {"a": "b"}
    code, updated = api.put(f"{CM}/{obj['metadata']['name']}", created)
    assert code == 200 and updated["metadata"]["labels"] == {"a": "b"}
    updated["metadata"]["labels"] = {}
    code, updated = api.put(f"{CM}/{obj['metadata']['name']}", updated)
    assert code == 200 and "labels" not in updated["metadata"]
    # Patches too: every write goes through the store's decoding step.
    code, patched = api.call("PATCH", f"{CM}/{obj['metadata']['name']}",
                             [{"op": "add", "path": "/metadata/annotations", "value": {}}],
                             ctype="application/json-patch+json")
    assert code == 200 and "annotations" not in patched["metadata"], patched
    # Inside the spec too; a container's `name` (no omitempty) is kept even when empty.
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": unique()},
           "spec": {"containers": [{"name": "c", "image": "x", "env": [], "args": None}]}}
    code, created = api.post(f"/api/v1/namespaces/{ns}/pods", pod)
    assert code == 201, created
    assert not {"env", "args"} & set(created["spec"]["containers"][0])


def test_managed_fields_are_kept_in_the_version_each_manager_wrote(api, ns):
    # HPAs are served as autoscaling/v1 and v2 (stored as v2). As upstream:
    # a manager's fields are recorded in the version of its request, and
    # compared with other writes in that version.
    name = unique("hpa")
    v1_path = f"/apis/autoscaling/v1/namespaces/{ns}/horizontalpodautoscalers"
    v2_path = f"/apis/autoscaling/v2/namespaces/{ns}/horizontalpodautoscalers"
    hpa = {"apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler", "metadata": {"name": name},
           "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
                    "maxReplicas": 5, "targetCPUUtilizationPercentage": 50}}
    code, created = api.post(f"{v1_path}?fieldManager=v1-writer", hpa)
    assert code == 201, created
    [entry] = created["metadata"]["managedFields"]
    assert (entry["manager"], entry["apiVersion"]) == ("v1-writer", "autoscaling/v1")
    assert {"f:maxReplicas", "f:scaleTargetRef", "f:targetCPUUtilizationPercentage"} <= set(entry["fieldsV1"]["f:spec"])
    code, v2 = api.get(f"{v2_path}/{name}")
    assert code == 200 and v2["metadata"]["managedFields"] == created["metadata"]["managedFields"]

    # A v2 writer changing the CPU target (v2: spec.metrics) takes it from the
    # v1 writer (v1: spec.targetCPUUtilizationPercentage); the rest stays its.
    v2["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"] = 70
    code, updated = api.put(f"{v2_path}/{name}?fieldManager=v2-writer", v2)
    assert code == 200, updated
    entries = {e["manager"]: e for e in updated["metadata"]["managedFields"]}
    assert entries["v2-writer"]["apiVersion"] == "autoscaling/v2"
    assert set(entries["v2-writer"]["fieldsV1"]["f:spec"]) == {"f:metrics"}
    assert "f:targetCPUUtilizationPercentage" not in entries["v1-writer"]["fieldsV1"]["f:spec"]
    assert "f:maxReplicas" in entries["v1-writer"]["fieldsV1"]["f:spec"]

    # Server-side apply through v1, then through v2: the conflict is found
    # across versions and named in the first applier's terms.
    applied = {"apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler", "metadata": {"name": name},
               "spec": {"targetCPUUtilizationPercentage": 60}}
    code, body = api.call("PATCH", f"{v1_path}/{name}?fieldManager=v1-applier&force=true", applied,
                          ctype="application/apply-patch+yaml")
    assert code == 200, body
    applied = {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": name},
               "spec": {"metrics": [{"type": "Resource", "resource": {
                   "name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}}}]}}
    code, body = api.call("PATCH", f"{v2_path}/{name}?fieldManager=v2-applier", applied,
                          ctype="application/apply-patch+yaml")
    assert_status(body, 409, "Conflict")
    assert body["details"]["causes"] == [{"reason": "FieldManagerConflict", "message": 'conflict with "v1-applier"',
                                          "field": ".spec.targetCPUUtilizationPercentage"}]


def test_body_too_large_is_413(api, ns):
    obj = cm(unique())
    obj["data"] = {"big": "x" * (3 * 1024 * 1024 + 10)}
    code, body = api.post(CM, obj)
    assert_status(body, 413, "RequestEntityTooLarge")
    # Just under the limit is fine for the transport but over the object limit upstream (1 MiB of data).
    assert api.get(f"{CM}/{obj['metadata']['name']}")[0] == 404


def test_unknown_content_type_is_415(api, ns):
    code, body = api.post(CM, body=b"<configmap/>", ctype="application/xml")
    assert_status(body, 415, "UnsupportedMediaType")


def test_not_acceptable_is_406(api, ns):
    code, body = api.get(CM, headers={"Accept": "text/html"})
    assert_status(body, 406, "NotAcceptable")


@pytest.mark.parametrize("name, message", [
    ("x" * 254, "must be no more than 253 characters"),
    ("Upper", "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
              "and must start and end with an alphanumeric character (e.g. 'example.com', regex used for "
              "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"),
    ("under_score", "a lowercase RFC 1123 subdomain must consist of"),
    ("-leading", "a lowercase RFC 1123 subdomain must consist of"),
])
def test_bad_names_are_422(api, ns, name, message):
    code, body = api.post(CM, cm(name))
    assert_status(body, 422, "Invalid")
    assert body["details"]["causes"][0]["field"] == "metadata.name"
    assert message in body["message"]
    assert body["message"].startswith(f'ConfigMap "{name}" is invalid: metadata.name: Invalid value: "{name}": ')


def test_namespace_name_is_a_dns_label(api):
    code, body = api.post("/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace",
                                                 "metadata": {"name": "a.b"}})
    assert_status(body, 422, "Invalid")
    assert body["message"] == 'Namespace "a.b" is invalid: metadata.name: Invalid value: "a.b": must not contain dots'
    code, body = api.post("/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace",
                                                 "metadata": {"name": "a_b"}})
    assert "a lowercase RFC 1123 label must consist of" in body["message"]
    code, body = api.post("/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace",
                                                 "metadata": {"name": "n" * 64}})
    assert_status(body, 422, "Invalid")
    assert "must be no more than 63 characters" in body["message"]


def test_missing_name_is_422(api, ns):
    code, body = api.post(CM, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {}})
    assert_status(body, 422, "Invalid")
    assert body["message"] == 'ConfigMap "" is invalid: metadata.name: Required value: name or generateName is required'


@pytest.mark.parametrize("path", [
    "/api/v1/namespaces/api-tests/widgets",
    "/api/v1/widgets",
    "/apis/example.com/v1/widgets",
    "/apis/apps/v7/deployments",
    "/api/v2/pods",
    "/api/v1/namespaces/api-tests/configmaps/x/nosuchsub",
    "/api/v1/nodes/x/scale",
    "/nothing/here",
    "/clusters/UPPER/api/v1/namespaces",
])
def test_unknown_resource_is_404(api, path):
    code, body = api.get(path)
    assert_status(body, 404, "NotFound")


def test_pretty(api, ns):
    name = api.post(CM, cm(unique()))[1]["metadata"]["name"]
    code, raw = api.server.request("GET", f"{CM}/{name}?pretty=true")[0::2]
    assert code == 200
    text = raw.decode()
    assert text.startswith("{\n  \"")
    assert text.endswith("\n")
    assert json.loads(text)["metadata"]["name"] == name
    code, raw = api.server.request("GET", f"{CM}?pretty=true")[0::2]
    assert raw.decode().startswith("{\n  \"kind\": \"ConfigMapList\"")


def test_limit_continue_and_exact_snapshots(api):
    space = api.create_namespace()
    base = f"/api/v1/namespaces/{space}/configmaps"
    # Only the test's items: controllers may add their own objects to a namespace.
    sel = "labelSelector=paging%3Dyes"
    for name in ("item-0", "item-1", "item-2", "item-3", "item-4"):
        assert api.post(base, cm(name, space, labels={"paging": "yes"}))[0] == 201
    code, page1 = api.get(base + f"?{sel}&limit=2")
    assert [i["metadata"]["name"] for i in page1["items"]] == ["item-0", "item-1"]
    token = page1["metadata"]["continue"]
    snapshot = page1["metadata"]["resourceVersion"]
    # Writes after the first page do not show up in the next ones.
    assert api.post(base, cm("item-2a", space, labels={"paging": "yes"}))[0] == 201
    assert api.delete(f"{base}/item-3")[0] == 200
    code, page2 = api.get(base + f"?{sel}&limit=2&continue={token}")
    assert code == 200, page2
    assert [i["metadata"]["name"] for i in page2["items"]] == ["item-2", "item-3"]
    assert page2["metadata"]["resourceVersion"] == snapshot
    code, page3 = api.get(base + f"?{sel}&limit=2&continue={page2['metadata']['continue']}")
    assert [i["metadata"]["name"] for i in page3["items"]] == ["item-4"]
    assert "continue" not in page3["metadata"]
    assert page3["metadata"]["resourceVersion"] == snapshot

    # The present is different; the past is still there with Exact.
    code, now = api.get(base + f"?{sel}")
    assert [i["metadata"]["name"] for i in now["items"]] == ["item-0", "item-1", "item-2", "item-2a", "item-4"]
    code, past = api.get(base + f"?{sel}&resourceVersion={snapshot}&resourceVersionMatch=Exact")
    assert code == 200, past
    assert [i["metadata"]["name"] for i in past["items"]] == [f"item-{i}" for i in range(5)]
    assert past["metadata"]["resourceVersion"] == snapshot
    code, body = api.get(base + f"?{sel}&resourceVersion={snapshot}&resourceVersionMatch=NotOlderThan")
    assert code == 200 and len(body["items"]) == 5
    code, body = api.get(base + "?resourceVersion=999999999&resourceVersionMatch=Exact")
    assert body["kind"] == "Status" and body["code"] in (410, 504), body

    for bad in ("continue=garbage", "resourceVersionMatch=Exact", f"continue={token}&resourceVersion={snapshot}",
                "resourceVersionMatch=Sometimes&resourceVersion=1", "limit=abc", "resourceVersion=abc"):
        code, body = api.get(base + "?" + bad)
        assert_status(body, 400, "BadRequest")


def test_tenants_are_isolated(server, api):
    a = API(server, create_tenant(server, unique('ta')))
    b = API(server, create_tenant(server, unique('tb')))
    # A new tenant has the system namespaces.
    code, body = a.get("/api/v1/namespaces")
    assert code == 200, body
    assert sorted(i["metadata"]["name"] for i in body["items"]) == [
        "default", "kube-node-lease", "kube-public", "kube-system"]
    assert a.post("/api/v1/namespaces/default/configmaps", cm("only-in-a", "default"))[0] == 201
    assert a.post("/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace",
                                         "metadata": {"name": "a-only"}})[0] == 201
    assert b.get("/api/v1/namespaces/default/configmaps/only-in-a")[0] == 404
    assert b.get("/api/v1/namespaces/a-only")[0] == 404
    assert api.get("/api/v1/namespaces/default/configmaps/only-in-a")[0] == 404
    assert "only-in-a" not in [i["metadata"]["name"] for i in api.get("/api/v1/configmaps")[1]["items"]]
    # The same name lives independently in each tenant.
    assert b.post("/api/v1/namespaces/default/configmaps", cm("only-in-a", "default"))[0] == 201
    assert a.delete("/api/v1/namespaces/default/configmaps/only-in-a")[0] == 200
    assert b.get("/api/v1/namespaces/default/configmaps/only-in-a")[0] == 200
    # Each tenant counts its own revisions: a burst of writes in one leaves the
    # other's counter where it was (give or take its own controllers' writes).
    before = int(b.get("/api/v1/configmaps")[1]["metadata"]["resourceVersion"])
    for i in range(20):
        assert a.post("/api/v1/namespaces/default/configmaps", cm(f"burst-{i}", "default"))[0] == 201
    assert int(b.get("/api/v1/configmaps")[1]["metadata"]["resourceVersion"]) - before < 20
    # Discovery and version are served per tenant too.
    assert a.get("/api")[0] == 200 and a.get("/apis")[0] == 200 and a.get("/version")[0] == 200


def test_credentials_belong_to_their_tenant(server, api):
    """A service account of one tenant is nobody in another: it cannot
    reach it, let alone bring a new tenant into being."""
    tenant = API(server, create_tenant(server, unique('tsa')))
    code, body = tenant.post("/api/v1/namespaces/default/serviceaccounts/default/token",
                             {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": {}})
    if code == 404:
        pytest.skip("TokenRequest is not served")
    assert code == 201, body
    token = {"Authorization": f"Bearer {body['status']['token']}"}
    code, body = tenant.get("/api/v1/namespaces/default/configmaps", headers=token, token=False)
    assert_status(body, 403, "Forbidden")  # known there, but granted nothing
    for path in ("/api/v1/namespaces/default/configmaps", f"/clusters/{unique('never')}/api/v1/namespaces"):
        code, body = api.get(path, headers=token, token=False)
        assert_status(body, 401, "Unauthorized")


def test_unauthenticated_is_401(api):
    for path in ("/api/v1/namespaces", "/api", "/apis", "/clusters/nobody/api/v1/namespaces"):
        code, body = api.get(path, token=False)
        assert_status(body, 401, "Unauthorized")
    code, body = api.get("/api/v1/namespaces", headers={"Authorization": "Bearer wrong"}, token=False)
    assert_status(body, 401, "Unauthorized")
    code, body = api.get("/api/v1/namespaces", headers={"Authorization": "Basic eDp5"}, token=False)
    assert_status(body, 401, "Unauthorized")


@pytest.mark.parametrize("path", ["/healthz", "/livez", "/readyz", "/readyz?verbose"])
def test_health(api, path):
    code, body = api.get(path, token=False)  # public, as system:public-info-viewer makes them
    assert code == 200
    assert body == b"ok" or b"check passed" in body


@pytest.mark.parametrize("path", ["/livez/ping", "/readyz/ping", "/healthz/ping"])
def test_single_health_checks(api, path):
    code, body = api.get(path)
    assert code == 200 and body == b"ok"
    code, body = api.get(path.rsplit("/", 1)[0] + "/no-such-check")
    assert code == 404


def test_version(api):
    code, body = api.get("/version", token=False)
    assert code == 200
    assert body["major"] == "1" and body["minor"] == "32"
    import re

    assert re.fullmatch(r"v1\.32\.\d+", body["gitVersion"])
