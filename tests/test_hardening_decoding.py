"""Hardening of request-body decoding and of the audit path: YAML alias
bombs are refused before expansion (create, apply, audit), a lone surrogate
escape is U+FFFD everywhere and never fails a committed write, and Secrets
and tokens stay out of a Request-level audit log."""
import json
import time
import uuid

import pytest

from authz.audit import LogBackend
from tests.harness.audit import audit_events, start_audited_server
from tests.harness.bodies import yaml_bomb

POLICY = {"apiVersion": "audit.k8s.io/v1", "kind": "Policy", "rules": [
    {"level": "None", "nonResourceURLs": ["/healthz*", "/readyz*", "/livez*", "/version"]},
    {"level": "Request"},
]}


@pytest.fixture(scope="module")
def audited(tmp_path_factory):
    server, log, stop = start_audited_server(tmp_path_factory.mktemp("hardening-decoding"), POLICY)
    yield server, log
    stop()


def send(server, method, path, body, content_type, token=True):
    audit_id = str(uuid.uuid4())
    status, _, data = server.request(method, path, body, {"Content-Type": content_type, "Audit-ID": audit_id},
                                     token=token)
    return status, data, audit_id


def events(log, audit_id):
    return audit_events(log, audit_id, timeout=5)


def complete(log, audit_id):
    done = [e for e in events(log, audit_id) if e["stage"] == "ResponseComplete"]
    assert len(done) == 1, events(log, audit_id)
    return done[0]


def test_yaml_bomb_refused_before_expansion(audited):
    server, log = audited
    body = yaml_bomb()
    assert 500 <= len(body) <= 600
    ns = "/api/v1/namespaces/default/configmaps"
    started = time.time()
    status, data, audit_id = send(server, "POST", ns, body, "application/yaml")
    assert status == 400, data
    assert "yaml: document contains excessive aliasing" in json.loads(data)["message"]
    event = complete(log, audit_id)
    assert "requestObject" not in event
    # Server-side apply with a YAML body goes through the same bound.
    status, data, audit_id = send(server, "PATCH", ns + "/bomb?fieldManager=t", body,
                                  "application/apply-patch+yaml")
    assert status == 400 and "excessive aliasing" in json.loads(data)["message"], data
    assert "requestObject" not in complete(log, audit_id)
    # Unauthenticated: the audit logger never decodes the refused body.
    status, data, audit_id = send(server, "POST", ns, body, "application/yaml", token=False)
    assert status in (401, 403), data
    assert "requestObject" not in complete(log, audit_id)
    assert time.time() - started < 5
    assert max(len(line) for line in log.read_text().splitlines()) < 10_000
    # Ordinary aliases still decode.
    ok = b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: aliased}\ndata: {a: &v x, b: *v}\n"
    status, data, _ = send(server, "POST", ns, ok, "application/yaml")
    assert status == 201 and json.loads(data)["data"] == {"a": "x", "b": "x"}, data


PATCHES = [
    ("application/merge-patch+json", '{"data":{"k":"after-\\udfff"}}'),
    ("application/strategic-merge-patch+json", '{"data":{"k":"after-\\udfff"}}'),
    ("application/json-patch+json", '[{"op":"replace","path":"/data/k","value":"after-\\udfff"}]'),
    ("application/apply-patch+yaml",
     '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"%s"},"data":{"k":"after-\\udfff"}}'),
    ("application/apply-patch+yaml",
     'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: "%s"}\ndata: {k: "after-\\udfff"}\n'),
]


@pytest.mark.parametrize("content_type,patch", PATCHES)
def test_lone_surrogate_patch_commits_and_is_audited(audited, content_type, patch):
    server, log = audited
    name = "s-" + uuid.uuid4().hex[:8]
    ns = "/api/v1/namespaces/default/configmaps"
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": {"k": "before"}}
    assert send(server, "POST", ns, json.dumps(cm).encode(), "application/json")[0] == 201
    body = (patch % name if "%s" in patch else patch).encode()
    query = "?fieldManager=t&force=true" if "apply" in content_type else ""
    status, data, audit_id = send(server, "PATCH", f"{ns}/{name}{query}", body, content_type)
    assert status == 200, data
    assert json.loads(data)["data"]["k"] == "after-\ufffd"
    event = complete(log, audit_id)
    assert event["responseStatus"]["code"] == 200
    assert "\ufffd" in json.dumps(event["requestObject"], ensure_ascii=False)


def test_status_subresource_surrogate(audited):
    server, log = audited
    ns = "/api/v1/namespaces"
    name = "s-" + uuid.uuid4().hex[:8]
    assert send(server, "POST", ns, json.dumps({"metadata": {"name": name}}).encode(), "application/json")[0] == 201
    body = b'{"metadata":{"annotations":{"k":"after-\\udfff"}}}'
    status, data, audit_id = send(server, "PATCH", f"{ns}/{name}/status", body, "application/merge-patch+json")
    assert status == 200, data
    assert complete(log, audit_id)["responseStatus"]["code"] == 200


def test_secrets_and_tokens_not_logged_at_request_level(audited):
    server, log = audited
    ns = "/api/v1/namespaces/default/secrets"
    name = "s-" + uuid.uuid4().hex[:8]
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name}, "stringData": {"pw": "hunter2-create"}}
    status, data, created = send(server, "POST", ns, json.dumps(secret).encode(), "application/json")
    assert status == 201, data
    patch = json.dumps([{"op": "add", "path": "/stringData", "value": {"pw": "hunter2-jsonpatch"}}]).encode()
    status, data, patched = send(server, "PATCH", f"{ns}/{name}", patch, "application/json-patch+json")
    assert status == 200, data
    applied_cfg = json.dumps(dict(secret, stringData={"pw": "hunter2-lastapplied"}))
    put = dict(secret, metadata={"name": name, "annotations": {
        "kubectl.kubernetes.io/last-applied-configuration": applied_cfg}})
    status, data, updated = send(server, "PUT", f"{ns}/{name}", json.dumps(put).encode(), "application/json")
    assert status == 200, data
    review = {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview", "spec": {"token": server.token}}
    status, data, reviewed = send(server, "POST", "/apis/authentication.k8s.io/v1/tokenreviews",
                                  json.dumps(review).encode(), "application/json")
    assert status == 201, data
    for audit_id in (created, patched, updated, reviewed):
        event = complete(log, audit_id)
        assert event["level"] == "Request" and "requestObject" not in event, event
    text = log.read_text()
    assert "hunter2" not in text and server.token not in text


def test_audit_write_failure_is_not_raised(tmp_path, capfd):
    """An event the writer cannot encode (or a full disk) is reported on
    stderr; the request it belongs to has already committed."""
    backend = LogBackend(str(tmp_path / "audit.log"))
    backend.write([{"requestObject": {"k": "after-\udfff"}}])
    assert "audit: could not write event" in capfd.readouterr().err
    backend.write([{"n": 1}])
    assert (tmp_path / "audit.log").read_text() == '{"n":1}\n'
