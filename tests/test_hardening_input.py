"""Hostile request lines: NUL bytes and malformed tokens in every path part
and query parameter, tenant names, and the small authentication edges
(impersonation without a user, a doubled space after Bearer, malformed
claims in a JWT signed with the server's own key, the plain upstream port
behind the TLS front). Never a 5xx; upstream's Status where it has one."""
import base64
import json
import re
import socket
import time
import uuid

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

from tests.conftest import create_tenant

pytestmark = pytest.mark.e2e

NUL = "%00"
BAD_TOKENS = ["W10", "bnVsbA", base64.urlsafe_b64encode(b'{"v":"meta.k8s.io/v1","rv":1,"start":["a\\u0000","b"]}')
              .decode().rstrip("="), "%00", "e30", "WzEsMl0"]
# Every query parameter the server reads (resources/views.py, watch/stream.py).
PARAMS = ["labelSelector", "fieldSelector", "continue", "limit", "resourceVersion", "resourceVersionMatch",
          "timeoutSeconds", "timeout", "dryRun", "fieldManager", "fieldValidation", "force", "propagationPolicy",
          "gracePeriodSeconds", "orphanDependents", "watch", "allowWatchBookmarks", "sendInitialEvents", "pretty",
          "includeObject", "export"]
# One path of each shape, with the part to spoil marked {x}.
PATHS = ["/clusters/{x}/api/v1/namespaces", "/apis/{x}/v1/deployments", "/apis/apps/{x}/deployments",
         "/api/v1/namespaces/{x}/configmaps", "/api/v1/namespaces/default/{x}", "/api/v1/namespaces/default/configmaps/{x}",
         "/api/v1/namespaces/default/pods/p/{x}", "/api/v1/namespaces/{x}", "/clusters/{x}/healthz",
         "/api/v1/namespaces/default/configmaps/{x}/status"]
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
BODY = json.dumps({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}}).encode()


def _send(server, method, path, token=True, headers=None):
    hdrs = {"Content-Type": "application/merge-patch+json" if method == "PATCH" else "application/json"}
    hdrs.update(headers or {})
    code, _, body = server.request(method, path, BODY if method in ("POST", "PUT", "PATCH") else None, hdrs,
                                   token=token)
    return code, body


def _status(body):
    doc = json.loads(body)
    assert doc["kind"] == "Status", doc
    return doc


@pytest.mark.parametrize("token", [True, False], ids=["admin", "anonymous"])
def test_nul_in_every_path_part_is_never_a_5xx(server, token):
    for template in PATHS:
        for spoiled in (NUL, f"a{NUL}b", "%2500"):
            path = template.format(x=spoiled)
            for method in METHODS:
                code, body = _send(server, method, path, token)
                assert code < 500, (method, path, code, body[:300])
                if code >= 400 and body:
                    _status(body)


@pytest.mark.parametrize("token", [True, False], ids=["admin", "anonymous"])
def test_nul_and_bad_tokens_in_every_query_parameter_are_never_a_5xx(server, token):
    for param in PARAMS:
        for value in [f"a{NUL}b", NUL, *BAD_TOKENS]:
            for path in ("/api/v1/namespaces/default/configmaps", "/api/v1/configmaps",
                         "/api/v1/namespaces/default/configmaps/x"):
                for method in METHODS:
                    code, body = _send(server, method, f"{path}?{param}={value}", token)
                    assert code < 500, (method, path, param, value, code, body[:300])


def test_nul_answers_400_and_bad_continue_tokens_400(server):
    for path in ("/api/v1/namespaces/default/configmaps/a%00b", "/api/v1/namespaces/a%00b/configmaps",
                 "/api/v1/configmaps?fieldSelector=metadata.name%3Da%00b"):
        code, body = _send(server, "GET", path)
        assert code == 400 and _status(body)["reason"] == "BadRequest", (path, body)
    for token in BAD_TOKENS:
        code, body = _send(server, "GET", f"/api/v1/configmaps?continue={token}")
        doc = _status(body)
        assert code == 400 and doc["reason"] == "BadRequest", (token, doc)
        if token != "%00":
            assert doc["message"].startswith("continue key is not valid"), doc


def test_watch_paths_validate_tenants_and_nul_too(server):
    for path in ("/clusters/x%2500/api/v1/namespaces?watch=1", "/clusters/a%2Fb/api/v1/configmaps?watch=1",
                 "/clusters/UPPER/api/v1/watch/configmaps", "/api/v1/namespaces/a%00b/configmaps?watch=1"):
        code, body = _send(server, "GET", path)
        assert code in (400, 404), (path, code, body[:200])
        _status(body)


@pytest.mark.parametrize("name", ["UPPER", "a%2Fb", "..", "%C3%A9t%C3%A9", "x" * 64, "-a", "a_b", "a.b"])
def test_invalid_tenant_names_are_404_and_create_nothing(server, name):
    for method in ("GET", "POST"):
        code, body = _send(server, method, f"/clusters/{name}/api/v1/namespaces")
        assert code == 404 and _status(body)["reason"] == "NotFound", (name, body)


def test_requests_never_create_tenants(server):
    name = f"t{uuid.uuid4().hex[:8]}"
    for method, path in (("GET", "/api/v1/namespaces"), ("GET", "/api/v1/namespaces/default/configmaps/nope"),
                         ("POST", "/api/v1/namespaces/default/configmaps"), ("GET", "/apis")):
        code, body = _send(server, method, f"/clusters/{name}{path}")
        assert code == 404, (method, path, code, body[:200])
    assert _send(server, "GET", f"/clusters/{name}/api/v1/namespaces")[0] == 404  # still not there
    prefix = create_tenant(server, name)
    code, body = _send(server, "GET", f"{prefix}/api/v1/namespaces")
    assert code == 200 and len(json.loads(body)["items"]) == 4


def test_health_does_not_tell_which_tenants_exist(server):
    existing = create_tenant(server, f"t{uuid.uuid4().hex[:8]}")
    missing = f"/clusters/t{uuid.uuid4().hex[:8]}"
    for check in ("/healthz", "/livez", "/readyz", "/version", "/healthz?verbose"):
        answers = {(code, body) for code, _, body in (server.request("GET", prefix + check, token=False)
                                                      for prefix in (existing, missing, ""))}
        assert len(answers) == 1, (check, answers)
        assert next(iter(answers))[0] == 200
    # And anonymous API requests are 401 either way.
    assert server.request("GET", existing + "/api", token=False)[0] == 401
    assert server.request("GET", missing + "/api", token=False)[0] == 401


def test_impersonating_groups_without_a_user_is_400(server):
    for header in ("Impersonate-Group", "Impersonate-Uid", "Impersonate-Extra-Scopes"):
        code, body = _send(server, "GET", "/api/v1/namespaces", headers={header: "x"})
        doc = _status(body)
        assert code == 400 and doc["reason"] == "BadRequest", doc
        assert "without impersonating a user" in doc["message"], doc


def test_bearer_needs_exactly_one_space(server):
    for header in (f"Bearer  {server.token}", f"Bearer\t{server.token}", f"Bearer {server.token} extra",
                   f"bearer  {server.token}"):
        code, body = _send(server, "GET", "/api/v1/namespaces", token=False, headers={"Authorization": header})
        if header.endswith("extra"):
            assert code == 200, body  # upstream takes the first word after the space
        else:
            assert code == 401 and _status(body)["reason"] == "Unauthorized", (header, body)


def _jwt(server, claims, header=None):
    key = serialization.load_pem_private_key((server.var_dir / "sa.key").read_bytes(), password=None)

    def b64(data):
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    signing_input = f"{b64(header or {'alg': 'RS256', 'typ': 'JWT'})}.{b64(claims)}"
    signature = key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return signing_input + "." + base64.urlsafe_b64encode(signature).decode().rstrip("=")


def test_malformed_claims_signed_with_the_server_key_are_401(server):
    now = int(time.time())
    good = {"iss": "https://kubernetes.default.svc.cluster.local", "aud": ["https://kubernetes.default.svc.cluster.local"],
            "exp": now + 600, "iat": now, "nbf": now, "sub": "system:serviceaccount:default:default",
            "kubernetes.io": {"namespace": "default", "serviceaccount": {"name": "default", "uid": "x"}}}
    spoiled = [
        {"exp": "soon"}, {"exp": True}, {"nbf": [1]}, {"aud": [{"a": 1}]}, {"aud": 5}, {"sub": 7}, {"iss": ["x"]},
        {"kubernetes.io": "default"}, {"kubernetes.io": {"namespace": ["x"]}},
        {"kubernetes.io": {"namespace": "default", "serviceaccount": "default"}},
        {"kubernetes.io": {"namespace": "default", "serviceaccount": {"name": {"x": 1}}}},
        {"kubernetes.io": {"namespace": "de\u0000fault", "serviceaccount": {"name": "default"}}},
        {"kubernetes.io": {"namespace": "default", "serviceaccount": {"name": "default"}, "pod": {"name": 3}}},
        {"kubernetes.io": {}}, {"kubernetes.io/serviceaccount/namespace": 1, "iss": "kubernetes/serviceaccount"},
    ]
    for change in spoiled:
        token = _jwt(server, {**good, **change})
        code, body = _send(server, "GET", "/api/v1/namespaces", token=False,
                           headers={"Authorization": f"Bearer {token}"})
        assert code == 401 and _status(body)["reason"] == "Unauthorized", (change, code, body[:300])
    for header in ({"alg": "RS256", "kid": ["x"]}, {"alg": ["RS256"]}, {"alg": "RS256", "kid": {"a": 1}}):
        code, body = _send(server, "GET", "/api/v1/namespaces", token=False,
                           headers={"Authorization": f"Bearer {_jwt(server, good, header)}"})
        assert code == 401, (header, code, body[:300])


def test_the_plain_upstream_port_serves_nothing(server):
    log = (server.var_dir / "server.log").read_text()
    port = int(re.findall(r"Listening at: http://127\.0\.0\.1:(\d+)", log)[-1])
    for path in ("/api/v1/namespaces", "/healthz", "/admin/login/", "/api/v1/configmaps?watch=1"):
        with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
            conn.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {server.token}\r\n"
                         "Connection: close\r\n\r\n".encode())
            data = b""
            while chunk := conn.recv(65536):
                data += chunk
        status_line = data.split(b"\r\n", 1)[0]
        assert b" 403 " in status_line, (path, data[:300])
        assert b"TLS front" in data
