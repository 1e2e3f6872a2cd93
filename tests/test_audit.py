"""Audit: policy evaluation (levels, rule matching, omitted stages), the
log backend's rotation, and the events a real server writes per level."""
import json
import os
import time
import uuid

import pytest

from authz.audit import LogBackend, Policy, PolicyError
from authz.rbac import Attributes
from authz.user import UserInfo
from tests.harness.audit import audit_events, start_audited_server


def policy(rules, **top):
    return Policy.parse({"apiVersion": "audit.k8s.io/v1", "kind": "Policy", "rules": rules, **top})


def res(verb, group, resource, sub="", ns="", name="", user="u", groups=("g",)):
    return Attributes(UserInfo(user, groups=groups), verb, True, ns, group, "v1", resource, sub, name)


def url(verb, path, user="u", groups=("g",)):
    return Attributes(UserInfo(user, groups=groups), verb, False, path=path)


def test_policy_rules_match_like_upstream():
    p = policy([
        {"level": "None", "users": ["system:kube-proxy"], "verbs": ["watch"]},
        {"level": "None", "nonResourceURLs": ["/healthz*", "/version"]},
        {"level": "RequestResponse", "resources": [{"group": "", "resources": ["pods/log", "*/scale"]}]},
        {"level": "Request", "resources": [{"group": "", "resources": ["pods/*"]}], "namespaces": ["kube-system"]},
        {"level": "Metadata", "resources": [{"group": "", "resources": ["configmaps"],
                                             "resourceNames": ["controller-leader"]}]},
        {"level": "Request", "userGroups": ["admins"], "omitStages": ["RequestReceived"]},
        {"level": "Request", "resources": [{"group": "apps"}]},
        {"level": "Metadata", "omitStages": ["ResponseStarted"]},
    ], omitStages=["Panic"])
    assert p.evaluate(res("watch", "", "endpoints", user="system:kube-proxy"))[0] == "None"
    assert p.evaluate(res("get", "", "endpoints", user="system:kube-proxy"))[0] == "Metadata"
    assert p.evaluate(url("get", "/healthz/etcd"))[0] == "None"
    assert p.evaluate(url("get", "/version"))[0] == "None"
    assert p.evaluate(url("get", "/versions"))[0] == "Metadata"
    assert p.evaluate(res("get", "", "pods", "log", "x"))[0] == "RequestResponse"
    assert p.evaluate(res("update", "", "replicationcontrollers", "scale", "x"))[0] == "RequestResponse"
    assert p.evaluate(res("get", "", "pods", "status", "kube-system"))[0] == "Request"  # pods/*
    assert p.evaluate(res("get", "", "pods", "", "kube-system"))[0] == "Request"  # pods/* covers pods too
    assert p.evaluate(res("get", "", "pods", "status", "default"))[0] == "Metadata"
    assert p.evaluate(res("get", "", "configmaps", "", "x", "controller-leader"))[0] == "Metadata"
    level, omit, _ = p.evaluate(res("get", "", "secrets", user="boss", groups=("admins",)))
    assert level == "Request" and omit == {"Panic", "RequestReceived"}
    assert p.evaluate(res("get", "apps", "deployments", "scale"))[0] == "Request"  # group only: all resources
    assert p.evaluate(url("get", "/apis", groups=("admins",)))[0] == "Request"  # no resource fields: matches URLs
    assert p.evaluate(res("get", "batch", "jobs"))[1] == {"Panic", "ResponseStarted"}
    assert policy([{"level": "Metadata", "users": ["x"]}]).evaluate(res("get", "", "pods"))[0] == "None"


def test_policy_validation():
    with pytest.raises(PolicyError):
        policy([{"level": "Loud"}])
    with pytest.raises(PolicyError):
        policy([{"level": "Metadata", "omitStages": ["Never"]}])
    with pytest.raises(PolicyError):
        Policy.parse({"apiVersion": "v1", "kind": "ConfigMap"})


def test_log_rotation_keeps_max_backups(tmp_path):
    path = tmp_path / "audit" / "audit.log"
    backend = LogBackend(str(path), max_backups=2, max_size_mb=1)
    backend.max_size = 600  # bytes, for the test
    for i in range(30):
        backend.write([{"n": i, "pad": "x" * 100}])
        time.sleep(0.002)
    backups = backend.backups()
    assert len(backups) == 2
    assert all(os.path.basename(b).startswith("audit-") and b.endswith(".log") for b in backups)
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert lines[-1]["n"] == 29 and os.path.getsize(path) <= 600
    kept = [json.loads(line)["n"] for b in backups for line in open(b)] + [e["n"] for e in lines]
    assert kept == sorted(kept) and kept[-1] == 29


def test_log_max_age(tmp_path):
    path = tmp_path / "audit.log"
    old = tmp_path / "audit-2000-01-01T00-00-00.000.log"
    old.write_text("{}\n")
    os.utime(old, (0, 0))
    backend = LogBackend(str(path), max_age_days=1, max_size_mb=1)
    backend.max_size = 100
    for i in range(5):
        backend.write([{"n": i, "pad": "x" * 60}])
    assert not old.exists() and backend.backups()


# ------------------------------------------------------------ end to end
POLICY = {
    "apiVersion": "audit.k8s.io/v1", "kind": "Policy",
    "rules": [
        {"level": "None", "nonResourceURLs": ["/healthz*", "/readyz*", "/livez*", "/version"]},
        {"level": "RequestResponse", "resources": [{"group": "", "resources": ["configmaps"]}],
         "omitStages": ["RequestReceived"]},
        {"level": "RequestResponse", "resources": [{"group": "", "resources": ["secrets"]}],
         "namespaces": ["loud"]},
        {"level": "Request", "resources": [{"group": "", "resources": ["secrets"]}]},
        {"level": "None", "resources": [{"group": "", "resources": ["events"]}]},
        {"level": "Metadata"},
    ],
}


@pytest.fixture(scope="module")
def audited(tmp_path_factory):
    server, log, stop = start_audited_server(tmp_path_factory.mktemp("audit"), POLICY,
                                             ["--audit-log-maxsize", "50", "--audit-log-maxbackup", "3"])
    yield server, log
    stop()


def events(log, audit_id):
    """A request that must leave no event waits the whole 2.5 s: time
    enough for one to have been written."""
    return audit_events(log, audit_id, timeout=2.5)


def send(server, method, path, body=None, token=True, headers=None):
    data = json.dumps(body).encode() if body is not None else None
    status, resp_headers, raw = server.request(method, path, data, dict(
        {"Content-Type": "application/json", "User-Agent": "audit-test/1.0"}, **(headers or {})), token=token)
    return status, {k.lower(): v for k, v in resp_headers.items()}.get("audit-id"), raw


def test_request_response_level(audited):
    server, log = audited
    ns = f"au-{uuid.uuid4().hex[:6]}"
    send(server, "POST", "/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
    code, audit_id, raw = send(server, "POST", f"/api/v1/namespaces/{ns}/configmaps", {
        "apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm"}, "data": {"k": "v"}})
    assert code == 201 and audit_id
    (event,) = events(log, audit_id)  # RequestReceived omitted for configmaps
    assert event["kind"] == "Event" and event["apiVersion"] == "audit.k8s.io/v1"
    assert event["level"] == "RequestResponse" and event["stage"] == "ResponseComplete"
    assert event["verb"] == "create" and event["requestURI"] == f"/api/v1/namespaces/{ns}/configmaps"
    assert event["user"]["username"] == "kubernetes-admin"
    assert "system:masters" in event["user"]["groups"]
    assert event["sourceIPs"] == ["127.0.0.1"] and event["userAgent"] == "audit-test/1.0"
    assert event["objectRef"] == {"resource": "configmaps", "namespace": ns, "apiGroup": "", "apiVersion": "v1"}
    assert event["responseStatus"] == {"metadata": {}, "code": 201}
    assert event["requestObject"]["data"] == {"k": "v"}
    assert event["responseObject"]["metadata"]["uid"] == json.loads(raw)["metadata"]["uid"]
    assert event["annotations"]["authorization.k8s.io/decision"] == "allow"
    assert event["requestReceivedTimestamp"] <= event["stageTimestamp"]


def test_request_level_never_logs_secret_data(audited):
    server, log = audited
    for ns in ("quiet", "loud"):
        send(server, "POST", "/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
        code, audit_id, _ = send(server, "POST", f"/api/v1/namespaces/{ns}/secrets", {
            "apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "stringData": {"password": "hunter2"}})
        assert code in (201, 409)
        received, complete = events(log, audit_id)
        assert received["stage"] == "RequestReceived" and "requestObject" not in received
        if ns == "quiet":
            assert complete["level"] == "Request"
            # Below RequestResponse a Secret request is logged without its object
            # (a patch or kubectl's last-applied annotation would carry the data).
            assert "requestObject" not in complete and "responseObject" not in complete
            assert "hunter2" not in json.dumps(complete) and "aHVudGVyMg" not in json.dumps(complete)
        else:
            assert complete["level"] == "RequestResponse"
            assert complete["requestObject"]["stringData"] == {"password": "hunter2"}
    code, audit_id, _ = send(server, "GET", "/api/v1/namespaces/quiet/secrets/s")
    _, complete = events(log, audit_id)
    assert complete["level"] == "Request" and "responseObject" not in complete
    assert "aHVudGVyMg" not in log.read_text().split("/namespaces/loud/")[0]


def test_metadata_none_and_failures(audited):
    server, log = audited
    code, audit_id, _ = send(server, "GET", "/api/v1/namespaces/default/pods")
    received, complete = events(log, audit_id)
    assert complete["level"] == "Metadata" and "requestObject" not in complete and "responseObject" not in complete
    assert complete["verb"] == "list" and complete["objectRef"]["resource"] == "pods"
    code, audit_id, _ = send(server, "GET", "/healthz", token=False)
    assert code == 200 and audit_id and events(log, audit_id) == []  # every request gets an ID
    code, audit_id, _ = send(server, "GET", "/api/v1/namespaces/default/events")
    assert events(log, audit_id) == []
    # Unauthenticated: logged with no user, 401.
    code, audit_id, _ = send(server, "GET", "/api/v1/namespaces", token=False)
    (complete,) = [e for e in events(log, audit_id) if e["stage"] == "ResponseComplete"]
    assert complete["responseStatus"]["code"] == 401 and complete["user"] == {}
    # Forbidden and impersonated: the decision and both users are there.
    code, audit_id, _ = send(server, "GET", "/api/v1/namespaces/default/pods",
                             headers={"Impersonate-User": "nobody", "Impersonate-Group": "nogroup"})
    assert code == 403
    _, complete = events(log, audit_id)
    assert complete["user"]["username"] == "kubernetes-admin"
    assert complete["impersonatedUser"] == {"username": "nobody", "groups": ["nogroup", "system:authenticated"]}
    assert complete["annotations"]["authorization.k8s.io/decision"] == "forbid"
    assert complete["responseStatus"]["reason"] == "Forbidden" and complete["responseStatus"]["code"] == 403
    assert complete["responseStatus"]["message"].startswith('pods is forbidden: User "nobody"')
    # An audit ID sent by the client is kept.
    mine = str(uuid.uuid4())
    code, audit_id, _ = send(server, "GET", "/api/v1/namespaces/default/pods", headers={"Audit-ID": mine})
    assert audit_id == mine and events(log, mine)
