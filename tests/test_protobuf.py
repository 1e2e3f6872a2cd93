"""Protobuf request bodies (resources.machinery.protobuf) against real kubectl captures.

Fixtures in tests/fixtures/protobuf/ are bodies captured from our own
kubectl v1.32.5 (``<case>.pb``) next to the JSON it prints for the same
command with ``--dry-run=client -o json`` (``<case>.json``). Regenerate with

    KUBECTL=/path/to/kubectl .venv/bin/python tests/test_protobuf.py

When a kubectl is available (``$KUBECTL`` or ``kubectl`` on PATH) the live
tests capture fresh bodies from a throwaway HTTP server started here.
"""
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # running as a script to regenerate fixtures
    sys.path.insert(0, str(ROOT))

from resources.machinery import protobuf  # noqa: E402
from resources.machinery.errors import APIError  # noqa: E402
from resources.machinery.protobuf import encode_bytes, encode_key, encode_varint  # noqa: E402

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "protobuf"
KUBECTL = os.environ.get("KUBECTL") or shutil.which("kubectl")
CRONJOB_UID = "6a0f3c9e-2b1d-4c57-9a43-0d6f5e2b7c11"
POD_UID = "0b7e1c2d-3f4a-4b5c-8d9e-aabbccddeeff"
BINARY = bytes(range(256))  # not UTF-8: kubectl puts it in ConfigMap.binaryData

# --------------------------------------------------------------- cases --

# Typed creates (kubectl create ..., autoscale): the decoded body must equal the
# --dry-run=client -o json output.
CREATE_CASES = {
    "namespace": ["create", "namespace", "ns1"],
    "configmap": ["create", "configmap", "cm1", "--from-literal=a=b", "--from-literal=empty=",
                  "--from-literal=unicode=grüße ✓"],
    "configmap-files": ["create", "configmap", "cm2", "--from-file=bin={dir}/bin.dat",
                        "--from-file=text={dir}/a.txt"],
    "secret-generic": ["create", "secret", "generic", "s1", "--from-literal=user=admin",
                       "--from-literal=password=s3cr3t", "--from-file=bin={dir}/bin.dat"],
    "secret-docker-registry": ["create", "secret", "docker-registry", "s2", "--docker-server=r.example.com",
                               "--docker-username=u", "--docker-password=p", "--docker-email=e@example.com"],
    "serviceaccount": ["create", "serviceaccount", "sa1"],
    "deployment": ["create", "deployment", "web", "--image=nginx:1.27", "--image=sidecar:2", "--replicas=3",
                   "--port=8080"],
    "deployment-zero-replicas": ["create", "deployment", "idle", "--image=busybox", "--replicas=0", "--",
                                 "sleep", "3600"],
    "service-clusterip": ["create", "service", "clusterip", "svc1", "--tcp=80:8080", "--tcp=443"],
    "service-headless": ["create", "service", "clusterip", "svc2", "--clusterip=None"],
    "service-nodeport": ["create", "service", "nodeport", "svc3", "--tcp=80:http", "--node-port=30080"],
    "service-loadbalancer": ["create", "service", "loadbalancer", "svc4", "--tcp=5678:8080"],
    "service-externalname": ["create", "service", "externalname", "svc5", "--external-name=db.example.com"],
    "job": ["create", "job", "j1", "--image=busybox", "--", "echo", "hi"],
    "job-from-cronjob": ["create", "job", "j2", "--from=cronjob/cj1"],
    "cronjob": ["create", "cronjob", "cj1", "--image=busybox", "--schedule=*/5 * * * *",
                "--restart=OnFailure", "--", "date"],
    "role": ["create", "role", "r1", "--verb=get,list,watch", "--resource=pods,deployments.apps",
             "--resource-name=a", "--resource-name=b"],
    "rolebinding": ["create", "rolebinding", "rb1", "--role=r1", "--user=alice", "--group=devs",
                    "--serviceaccount=default:sa1"],
    "rolebinding-clusterrole": ["create", "rolebinding", "rb2", "--clusterrole=view", "--user=carol"],
    "clusterrole": ["create", "clusterrole", "cr1", "--verb=get,list", "--resource=namespaces,pods/log"],
    "clusterrole-nonresource": ["create", "clusterrole", "cr2", "--verb=get", "--non-resource-url=/logs/*",
                                "--non-resource-url=/healthz"],
    "clusterrole-aggregated": ["create", "clusterrole", "cr3",
                               "--aggregation-rule=rbac.example.com/aggregate-to-cr3=true"],
    "clusterrolebinding": ["create", "clusterrolebinding", "crb1", "--clusterrole=cr1", "--user=bob",
                           "--group=ops", "--serviceaccount=kube-system:default"],
    "priorityclass": ["create", "priorityclass", "pc1", "--value=1000", "--description=high priority",
                      "--preemption-policy=Never", "--global-default=true"],
    "priorityclass-zero": ["create", "priorityclass", "pc0", "--value=0"],
    "poddisruptionbudget": ["create", "poddisruptionbudget", "pdb1", "--selector=app=web", "--min-available=1"],
    "poddisruptionbudget-percent": ["create", "poddisruptionbudget", "pdb2", "--selector=app=web,tier=front",
                                    "--max-unavailable=50%"],
    "quota": ["create", "quota", "q1", "--hard=cpu=1,memory=1Gi,pods=10,requests.storage=500m",
              "--scopes=BestEffort"],
    "ingress": ["create", "ingress", "ing1", "--class=nginx", "--rule=foo.example.com/bar*=svc1:8080,tls=foo-cert",
                "--rule=/exact=svc2:http", "--default-backend=svc3:80", "--annotation=example.com/x=y"],
    # autoscaling/v1 HorizontalPodAutoscaler for the Recorder's deployment "web"
    "autoscale": ["autoscale", "deployment", "web", "--min=2", "--max=5", "--cpu-percent=80"],
    "autoscale-max-only": ["autoscale", "deployment", "web", "--max=3", "--name=web-hpa"],
}

# Commands without --dry-run. Expected: what Go's encoding/json writes for the
# struct kubectl builds (nil non-omitempty slices, written as null, left out).
OTHER_CASES = {
    "can-i": (["auth", "can-i", "get", "pods"], {
        "kind": "SelfSubjectAccessReview", "apiVersion": "authorization.k8s.io/v1",
        "metadata": {"creationTimestamp": None},
        "spec": {"resourceAttributes": {"namespace": "default", "verb": "get", "resource": "pods"}},
        "status": {"allowed": False},
    }),
    "can-i-name-subresource": (["auth", "can-i", "get", "deployments.apps/web", "--subresource=scale",
                                "--namespace=prod"], {
        "kind": "SelfSubjectAccessReview", "apiVersion": "authorization.k8s.io/v1",
        "metadata": {"creationTimestamp": None},
        "spec": {"resourceAttributes": {"namespace": "prod", "verb": "get", "group": "apps",
                                        "resource": "deployments", "subresource": "scale", "name": "web"}},
        "status": {"allowed": False},
    }),
    "can-i-all-namespaces": (["auth", "can-i", "list", "secrets", "--all-namespaces"], {
        "kind": "SelfSubjectAccessReview", "apiVersion": "authorization.k8s.io/v1",
        "metadata": {"creationTimestamp": None},
        "spec": {"resourceAttributes": {"verb": "list", "resource": "secrets"}},
        "status": {"allowed": False},
    }),
    "can-i-nonresource": (["auth", "can-i", "get", "/logs"], {
        "kind": "SelfSubjectAccessReview", "apiVersion": "authorization.k8s.io/v1",
        "metadata": {"creationTimestamp": None},
        "spec": {"nonResourceAttributes": {"path": "/logs", "verb": "get"}},
        "status": {"allowed": False},
    }),
    "can-i-list": (["auth", "can-i", "--list", "--namespace=kube-system"], {
        "kind": "SelfSubjectRulesReview", "apiVersion": "authorization.k8s.io/v1",
        "metadata": {"creationTimestamp": None},
        "spec": {"namespace": "kube-system"},
        "status": {"incomplete": False},  # resourceRules/nonResourceRules: null in JSON
    }),
    "whoami": (["auth", "whoami"], {
        "kind": "SelfSubjectReview", "apiVersion": "authentication.k8s.io/v1",
        "metadata": {"creationTimestamp": None},
        "status": {"userInfo": {}},
    }),
    "token": (["create", "token", "sa1", "--duration=1h", "--audience=api", "--audience=vault",
               "--bound-object-kind=Pod", "--bound-object-name=p1", f"--bound-object-uid={POD_UID}"], {
        "kind": "TokenRequest", "apiVersion": "authentication.k8s.io/v1",
        "metadata": {"creationTimestamp": None},
        "spec": {"audiences": ["api", "vault"], "expirationSeconds": 3600,
                 "boundObjectRef": {"kind": "Pod", "apiVersion": "v1", "name": "p1", "uid": POD_UID}},
        "status": {"token": "", "expirationTimestamp": None},
    }),
}

CREATE_PATHS = {  # the POST each case must hit
    "namespace": "/api/v1/namespaces", "serviceaccount": "/api/v1/namespaces/default/serviceaccounts",
    "deployment": "/apis/apps/v1/namespaces/default/deployments",
    "can-i": "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
    "can-i-list": "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews",
    "whoami": "/apis/authentication.k8s.io/v1/selfsubjectreviews",
    "token": "/api/v1/namespaces/default/serviceaccounts/sa1/token",
    "autoscale": "/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers",
}

# kubectl 1.32 builds these through the generic resource helper and sends JSON:
# no protobuf capture needed (a test below notices if that ever changes).
JSON_CASES = {
    "expose": (["expose", "deployment", "web", "--port=80", "--target-port=8080"],
               ["/api/v1/namespaces/default/services"]),
    "run": (["run", "p1", "--image=nginx", "--port=80", "--expose"],
            ["/api/v1/namespaces/default/pods", "/api/v1/namespaces/default/services"]),
}

# ------------------------------------------------- recording API server --

_GROUPS = {
    "v1": [("namespaces", "Namespace", False), ("configmaps", "ConfigMap", True), ("secrets", "Secret", True),
           ("serviceaccounts", "ServiceAccount", True), ("serviceaccounts/token", "TokenRequest", True),
           ("services", "Service", True), ("pods", "Pod", True), ("resourcequotas", "ResourceQuota", True)],
    "apps/v1": [("deployments", "Deployment", True), ("deployments/scale", "Scale", True)],
    "autoscaling/v1": [("horizontalpodautoscalers", "HorizontalPodAutoscaler", True)],
    "batch/v1": [("jobs", "Job", True), ("cronjobs", "CronJob", True)],
    "rbac.authorization.k8s.io/v1": [("roles", "Role", True), ("rolebindings", "RoleBinding", True),
                                     ("clusterroles", "ClusterRole", False),
                                     ("clusterrolebindings", "ClusterRoleBinding", False)],
    "scheduling.k8s.io/v1": [("priorityclasses", "PriorityClass", False)],
    "policy/v1": [("poddisruptionbudgets", "PodDisruptionBudget", True)],
    "networking.k8s.io/v1": [("ingresses", "Ingress", True)],
    "authorization.k8s.io/v1": [("selfsubjectaccessreviews", "SelfSubjectAccessReview", False),
                                ("selfsubjectrulesreviews", "SelfSubjectRulesReview", False)],
    "authentication.k8s.io/v1": [("selfsubjectreviews", "SelfSubjectReview", False)],
}

_CRONJOB = {
    "apiVersion": "batch/v1", "kind": "CronJob",
    "metadata": {"name": "cj1", "namespace": "default", "uid": CRONJOB_UID, "resourceVersion": "7",
                 "creationTimestamp": "2024-05-01T10:00:00Z"},
    "spec": {"schedule": "@hourly", "jobTemplate": {
        "metadata": {"labels": {"team": "a"}, "annotations": {"note": "x"}},
        "spec": {"backoffLimit": 0, "template": {"spec": {
            "restartPolicy": "Never",
            "containers": [{"name": "c", "image": "busybox", "args": ["date"],
                            "resources": {"limits": {"cpu": "250m", "memory": "64Mi"}}}]}}}}},
}

_DEPLOYMENT = {
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": "web", "namespace": "default", "uid": "3c1d9f0e-7a4b-4e2f-9b8c-5d6e7f8a9b0c",
                 "resourceVersion": "9", "labels": {"app": "web"}, "creationTimestamp": "2024-05-01T10:00:00Z"},
    "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}}, "template": {
        "metadata": {"labels": {"app": "web"}},
        "spec": {"containers": [{"name": "nginx", "image": "nginx:1.27",
                                 "ports": [{"containerPort": 8080, "protocol": "TCP"}]}]}}},
}
_OBJECTS = {"/apis/batch/v1/namespaces/default/cronjobs/cj1": _CRONJOB,
            "/apis/apps/v1/namespaces/default/deployments/web": _DEPLOYMENT}


def _discovery(path):
    if path == "/api":
        return {"kind": "APIVersions", "versions": ["v1"],
                "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"}]}
    if path == "/apis":
        groups = []
        for gv in _GROUPS:
            if "/" in gv:
                group, version = gv.split("/")
                ver = {"groupVersion": gv, "version": version}
                groups.append({"name": group, "versions": [ver], "preferredVersion": ver})
        return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}
    gv = path[len("/api/"):] if path.startswith("/api/") else path[len("/apis/"):]
    if gv not in _GROUPS:
        return None
    resources = [{"name": name, "singularName": "", "namespaced": namespaced, "kind": kind,
                  "verbs": ["create"] if "/" in name else ["create", "delete", "get", "list", "patch", "update"]}
                 for name, kind, namespaced in _GROUPS[gv]]
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": resources}


class Recorder:
    """A tiny HTTP API server: legacy discovery, one CronJob, one Deployment, and
    POSTs that are recorded and answered in JSON (the decoded body echoed back)."""

    def __init__(self):
        self.requests = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _reply(self, code, obj):
                data = json.dumps(obj).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                path = self.path.split("?", 1)[0]
                if path in _OBJECTS:
                    return self._reply(200, _OBJECTS[path])
                found = _discovery(path)
                if found is None:
                    return self._reply(404, {"kind": "Status", "apiVersion": "v1", "status": "Failure",
                                             "reason": "NotFound", "code": 404})
                self._reply(200, found)

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                recorder.requests.append({"path": self.path.split("?", 1)[0], "headers": dict(self.headers),
                                          "body": body})
                obj = protobuf.decode(body) if protobuf.is_protobuf(self.headers.get("Content-Type")) \
                    else json.loads(body)
                if obj["kind"] == "SelfSubjectAccessReview":
                    obj["status"] = {"allowed": True}
                elif obj["kind"] == "SelfSubjectReview":
                    obj["status"] = {"userInfo": {"username": "alice", "groups": ["devs"]}}
                elif obj["kind"] == "TokenRequest":
                    obj["status"] = {"token": "tkn", "expirationTimestamp": "2030-01-01T00:00:00Z"}
                self._reply(201, obj)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}"


def _kubectl(workdir, url, args):
    kubeconfig = Path(workdir) / "kubeconfig"
    kubeconfig.write_text(json.dumps({
        "apiVersion": "v1", "kind": "Config", "current-context": "c",
        "clusters": [{"name": "c", "cluster": {"server": url}}],
        "users": [{"name": "u", "user": {"token": "test-token"}}],
        "contexts": [{"name": "c", "context": {"cluster": "c", "user": "u", "namespace": "default"}}],
    }))
    (Path(workdir) / "bin.dat").write_bytes(BINARY)
    (Path(workdir) / "a.txt").write_text("line one\nline two\n")
    args = [a.replace("{dir}", str(workdir)) for a in args]
    env = {**os.environ, "HOME": str(workdir), "KUBECONFIG": str(kubeconfig)}
    return subprocess.run([KUBECTL, f"--kubeconfig={kubeconfig}", f"--cache-dir={workdir}/cache", *args],
                          capture_output=True, text=True, timeout=60, env=env)


def capture(args, dry_run=False):
    """Run kubectl against a fresh Recorder -> (completed process, recorded POSTs, dry-run JSON or None)."""
    with tempfile.TemporaryDirectory() as workdir, Recorder() as server:
        expected = None
        if dry_run:
            at = args.index("--") if "--" in args else len(args)  # flags go before the command
            out = _kubectl(workdir, server.url, [*args[:at], "--dry-run=client", "-o", "json", *args[at:]])
            assert out.returncode == 0, out.stderr
            expected = json.loads(out.stdout)
            assert not server.requests
        proc = _kubectl(workdir, server.url, args)
        return proc, server.requests, expected


# ---------------------------------------------------- fixture tests --


def _strip_nulls(value):
    """Drop null members: Go writes a nil non-omitempty slice (ClusterRole.rules)
    as null, which protobuf cannot tell from absent; both mean unset."""
    if isinstance(value, dict):
        return {k: _strip_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_strip_nulls(v) for v in value]
    return value


def _fixture(name):
    return (FIXTURES / f"{name}.pb").read_bytes(), json.loads((FIXTURES / f"{name}.json").read_text())


@pytest.mark.parametrize("name", sorted(CREATE_CASES) + sorted(OTHER_CASES))
def test_decode_captured_body(name):
    body, expected = _fixture(name)
    assert body.startswith(b"k8s\x00")
    decoded = protobuf.decode(body)
    assert _strip_nulls(decoded) == _strip_nulls(expected)
    assert decoded["metadata"]["creationTimestamp"] is None


def test_fixture_other_cases_match_expectations():
    for name, (_, expected) in OTHER_CASES.items():
        assert _fixture(name)[1] == expected, name


def test_fixture_details():
    """Spot checks of the trickier JSON shapes in the captures."""
    cm = protobuf.decode(_fixture("configmap-files")[0])
    assert base64.b64decode(cm["binaryData"]["bin"]) == BINARY
    assert cm["data"] == {"text": "line one\nline two\n"}
    assert protobuf.decode(_fixture("configmap")[0])["data"] == {"a": "b", "empty": "", "unicode": "grüße ✓"}

    idle = protobuf.decode(_fixture("deployment-zero-replicas")[0])
    assert idle["spec"]["replicas"] == 0  # *int32 set to 0 survives
    assert idle["spec"]["template"]["spec"]["containers"][0]["command"] == ["sleep", "3600"]

    assert protobuf.decode(_fixture("priorityclass-zero")[0])["value"] == 0  # required int, kept
    pc = protobuf.decode(_fixture("priorityclass")[0])
    assert pc["globalDefault"] is True and pc["preemptionPolicy"] == "Never"

    ports = protobuf.decode(_fixture("service-nodeport")[0])["spec"]["ports"]
    assert ports == [{"name": "80-http", "protocol": "TCP", "port": 80, "targetPort": "http", "nodePort": 30080}]

    pdb = protobuf.decode(_fixture("poddisruptionbudget-percent")[0])["spec"]
    assert pdb["maxUnavailable"] == "50%"
    assert protobuf.decode(_fixture("poddisruptionbudget")[0])["spec"]["minAvailable"] == 1

    job = protobuf.decode(_fixture("job-from-cronjob")[0])
    owner = job["metadata"]["ownerReferences"][0]
    assert owner == {"apiVersion": "batch/v1", "kind": "CronJob", "name": "cj1", "uid": CRONJOB_UID,
                     "controller": True}
    assert job["metadata"]["annotations"]["cronjob.kubernetes.io/instantiate"] == "manual"
    resources = job["spec"]["template"]["spec"]["containers"][0]["resources"]
    assert resources == {"limits": {"cpu": "250m", "memory": "64Mi"}}

    quota = protobuf.decode(_fixture("quota")[0])["spec"]
    assert quota["hard"] == {"cpu": "1", "memory": "1Gi", "pods": "10", "requests.storage": "500m"}

    hpa = protobuf.decode(_fixture("autoscale")[0])
    assert (hpa["apiVersion"], hpa["kind"]) == ("autoscaling/v1", "HorizontalPodAutoscaler")
    assert hpa["spec"] == {"scaleTargetRef": {"kind": "Deployment", "name": "web", "apiVersion": "apps/v1"},
                           "minReplicas": 2, "maxReplicas": 5, "targetCPUUtilizationPercentage": 80}
    assert hpa["status"] == {"currentReplicas": 0, "desiredReplicas": 0}  # required ints, kept at zero
    spec = protobuf.decode(_fixture("autoscale-max-only")[0])["spec"]
    assert "minReplicas" not in spec and "targetCPUUtilizationPercentage" not in spec  # nil pointers


# ------------------------------------------------------ live captures --

live = pytest.mark.skipif(not KUBECTL, reason="no kubectl ($KUBECTL or on PATH)")


def _protobuf_post(requests, name):
    assert len(requests) == 1, [r["path"] for r in requests]
    request = requests[0]
    if name in CREATE_PATHS:
        assert request["path"] == CREATE_PATHS[name]
    if not protobuf.is_protobuf(request["headers"].get("Content-Type", "")):
        pytest.skip(f"this kubectl sends {request['headers'].get('Content-Type')}, not protobuf")
    return request


@live
@pytest.mark.parametrize("name", sorted(CREATE_CASES))
def test_live_create_matches_dry_run(name):
    proc, requests, expected = capture(CREATE_CASES[name], dry_run=True)
    assert proc.returncode == 0, proc.stderr  # kubectl took our JSON answer to its protobuf request
    request = _protobuf_post(requests, name)
    assert _strip_nulls(protobuf.decode(request["body"])) == _strip_nulls(expected)


@live
@pytest.mark.parametrize("name", sorted(OTHER_CASES))
def test_live_other(name):
    args, expected = OTHER_CASES[name]
    proc, requests, _ = capture(args)
    request = _protobuf_post(requests, name)
    assert _strip_nulls(protobuf.decode(request["body"])) == _strip_nulls(expected)
    assert proc.returncode == 0, proc.stderr


@live
@pytest.mark.parametrize("name", sorted(JSON_CASES))
def test_live_json_only_commands(name):
    """expose and run go through the generic resource helper: JSON bodies, no capture
    needed. If a newer kubectl switches them to protobuf, add them to CREATE_CASES."""
    args, paths = JSON_CASES[name]
    proc, requests, _ = capture(args)
    assert proc.returncode == 0, proc.stderr
    assert [r["path"] for r in requests] == paths
    for request in requests:
        assert request["headers"].get("Content-Type") == "application/json", (name, request["path"])


@live
def test_live_headers_and_json_response():
    """kubectl asks for protobuf but also accepts JSON, and it takes a JSON answer."""
    proc, requests, _ = capture(["create", "namespace", "ns1"])
    headers = _protobuf_post(requests, "namespace")["headers"]
    assert headers["Content-Type"] == "application/vnd.kubernetes.protobuf"
    assert headers["Accept"] == "application/vnd.kubernetes.protobuf,application/json"
    assert proc.returncode == 0 and proc.stdout.strip() == "namespace/ns1 created"

    proc, requests, _ = capture(["auth", "can-i", "get", "pods"])
    assert requests[0]["headers"]["Accept"] == "application/vnd.kubernetes.protobuf,application/json"
    assert proc.stdout.strip() == "yes"  # from the JSON status.allowed=true

    proc, requests, _ = capture(["auth", "whoami", "-o", "json"])
    assert requests[0]["headers"]["Accept"] == "application/vnd.kubernetes.protobuf,application/json"
    assert json.loads(proc.stdout)["status"]["userInfo"]["username"] == "alice"


# --------------------------------------------------- hand-built bodies --


# The wire primitives are the ones the OpenAPI protobuf encoder uses
# (resources.machinery.protobuf); the decoder under test does not.
_varint, _tag = encode_varint, encode_key


def _ld(number, payload):
    """A length-delimited field (string, bytes, message)."""
    return encode_bytes(number, payload.encode() if isinstance(payload, str) else payload)


def _vi(number, value):
    return _tag(number, 0) + _varint(value)


def _envelope(api_version, kind, raw=None, extra=b""):
    type_meta = _ld(1, api_version) + _ld(2, kind)
    out = _ld(1, type_meta)
    if raw is not None:
        out += _ld(2, raw)
    return b"k8s\x00" + out + extra + _ld(3, "") + _ld(4, "")


def test_object_meta_all_fields():
    time = _vi(1, 1714557600) + _vi(2, 123456789)  # 2024-05-01T10:00:00.123456789Z
    owner = _ld(1, "ReplicaSet") + _ld(3, "rs1") + _ld(4, "uid-1") + _ld(5, "apps/v1") + _vi(6, 0) + _vi(7, 1)
    fields_v1 = _ld(1, b'{"f:metadata":{"f:labels":{".":{}}}}')
    managed = _ld(1, "kubectl") + _ld(2, "Update") + _ld(3, "v1") + _ld(4, time) + _ld(6, "FieldsV1") \
        + _ld(7, fields_v1) + _ld(8, "")
    meta = (_ld(1, "p1") + _ld(2, "p-") + _ld(3, "default") + _ld(4, "") + _ld(5, "u-1") + _ld(6, "42")
            + _vi(7, 3) + _ld(8, time) + _ld(9, time) + _vi(10, 0)
            + _ld(11, _ld(1, "app") + _ld(2, "web")) + _ld(11, _ld(1, "tier") + _ld(2, ""))
            + _ld(12, _ld(1, "note") + _ld(2, "hi")) + _ld(13, owner) + _ld(14, "example.com/f")
            + _ld(17, managed))
    obj = protobuf.decode(_envelope("v1", "ConfigMap", _ld(1, meta) + _ld(2, _ld(1, "k") + _ld(2, "v"))))
    assert obj == {
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {
            "name": "p1", "generateName": "p-", "namespace": "default", "uid": "u-1", "resourceVersion": "42",
            "generation": 3, "creationTimestamp": "2024-05-01T10:00:00Z",
            "deletionTimestamp": "2024-05-01T10:00:00Z", "deletionGracePeriodSeconds": 0,
            "labels": {"app": "web", "tier": ""}, "annotations": {"note": "hi"},
            "ownerReferences": [{"kind": "ReplicaSet", "name": "rs1", "uid": "uid-1", "apiVersion": "apps/v1",
                                 "controller": False, "blockOwnerDeletion": True}],
            "finalizers": ["example.com/f"],
            "managedFields": [{"manager": "kubectl", "operation": "Update", "apiVersion": "v1",
                               "time": "2024-05-01T10:00:00Z", "fieldsType": "FieldsV1",
                               "fieldsV1": {"f:metadata": {"f:labels": {".": {}}}}}],
        },
        "data": {"k": "v"},
    }


def test_negative_numbers_packed_lists_and_unknown_fields():
    # PodSecurityContext.runAsUser=-1 (int64), supplementalGroups packed [1, 2, 300];
    # PodSpec.priority=-5 (int32, sign-extended to 10 bytes); unknown field 99 skipped.
    sc = _vi(2, -1) + _ld(4, _varint(1) + _varint(2) + _varint(300)) + _vi(4, 7)
    spec = _ld(2, _ld(1, "c")) + _ld(14, sc) + _vi(25, -5) + _ld(99, "future") + _vi(98, 1)
    obj = protobuf.decode(_envelope("v1", "Pod", _ld(2, spec)))
    assert obj["spec"] == {"containers": [{"name": "c"}], "priority": -5,
                           "securityContext": {"runAsUser": -1, "supplementalGroups": [1, 2, 300, 7]}}


def test_inline_embedded_structs():
    volume = _ld(1, "cfg") + _ld(2, _ld(19, _ld(1, _ld(1, "my-cm")) + _vi(3, 0o644) + _vi(4, 0)))
    probe = _ld(1, _ld(2, _ld(1, "/healthz") + _ld(2, _vi(1, 1) + _ld(3, "http")))) + _vi(2, 5)
    container = _ld(1, "c") + _ld(10, probe)
    obj = protobuf.decode(_envelope("v1", "Pod", _ld(2, _ld(1, volume) + _ld(2, container))))
    assert obj["spec"] == {
        "volumes": [{"name": "cfg", "configMap": {"name": "my-cm", "defaultMode": 420, "optional": False}}],
        "containers": [{"name": "c", "livenessProbe": {"httpGet": {"path": "/healthz", "port": "http"},
                                                       "initialDelaySeconds": 5}}],
    }


def test_map_of_lists_and_times():
    extra = _ld(4, _ld(1, "scopes") + _ld(2, _ld(1, "a") + _ld(1, "b")))
    user = _ld(1, "alice") + _ld(3, "devs") + extra
    obj = protobuf.decode(_envelope("authentication.k8s.io/v1", "SelfSubjectReview", _ld(2, _ld(1, user))))
    assert obj["status"] == {"userInfo": {"username": "alice", "groups": ["devs"], "extra": {"scopes": ["a", "b"]}}}

    status = _ld(2, _ld(1, "pod-a") + _ld(2, _vi(1, 0))) + _vi(3, 0)
    obj = protobuf.decode(_envelope("policy/v1", "PodDisruptionBudget", _ld(3, status)))
    assert obj["status"] == {"disruptedPods": {"pod-a": "1970-01-01T00:00:00Z"}, "disruptionsAllowed": 0}


def _time(seconds, nanos=0):
    return _vi(1, seconds) + (_vi(2, nanos) if nanos else b"")


def _quantity(text):
    return _ld(1, text)


def _int_or_string(value):
    return _vi(1, 1) + _vi(2, 0) + _ld(3, value) if isinstance(value, str) else _vi(1, 0) + _vi(2, value) + _ld(3, "")


# Bodies below put zero-valued non-pointer scalars on the wire, as Go's generated
# Marshal does, and pointers only when non-nil: the JSON then shows which zeros
# Go's encoding/json keeps (pointer, required or no omitempty) and which it drops.


def test_autoscaling_v2_hpa_all_metric_sources_and_behavior():
    ref = _ld(1, "Deployment") + _ld(2, "web") + _ld(3, "apps/v1")
    utilization = lambda n: _ld(1, "Utilization") + _vi(4, n)  # noqa: E731
    selector = _ld(1, _ld(1, "app") + _ld(2, "web"))  # matchLabels entry
    metrics = [
        _ld(1, "Resource") + _ld(4, _ld(1, "cpu") + _ld(2, utilization(0))),
        _ld(1, "Pods") + _ld(3, _ld(1, _ld(1, "packets") + _ld(2, selector))
                             + _ld(2, _ld(1, "AverageValue") + _ld(3, _quantity("1k")))),
        _ld(1, "Object") + _ld(2, _ld(1, _ld(1, "Ingress") + _ld(2, "main") + _ld(3, "networking.k8s.io/v1"))
                               + _ld(2, _ld(1, "Value") + _ld(2, _quantity("10k")))
                               + _ld(3, _ld(1, "requests"))),
        _ld(1, "External") + _ld(5, _ld(1, _ld(1, "queue") + _ld(2, b""))
                                 + _ld(2, _ld(1, "AverageValue") + _ld(3, _quantity("30")))),
        _ld(1, "ContainerResource") + _ld(7, _ld(1, "memory") + _ld(2, utilization(60)) + _ld(3, "app")),
    ]
    policy = lambda kind, value: _ld(1, kind) + _vi(2, value) + _vi(3, 15)  # noqa: E731
    behavior = _ld(1, _vi(3, 0) + _ld(1, "Max") + _ld(2, policy("Percent", 100)) + _ld(2, policy("Pods", 4))) \
        + _ld(2, _ld(1, "Disabled"))
    spec = _ld(1, ref) + _vi(2, 1) + _vi(3, 10) + b"".join(_ld(4, m) for m in metrics) + _ld(5, behavior)
    condition = _ld(1, "AbleToScale") + _ld(2, "True") + _ld(3, _time(1714557600)) + _ld(4, "ReadyForNewScale") \
        + _ld(5, "")
    current = _ld(1, "Resource") + _ld(4, _ld(1, "cpu") + _ld(2, _ld(2, _quantity("250m")) + _vi(3, 25)))
    status = _vi(1, 0) + _vi(3, 0) + _vi(4, 0) + _ld(5, current) + _ld(6, condition)
    obj = protobuf.decode(_envelope("autoscaling/v2", "HorizontalPodAutoscaler",
                                    _ld(1, _ld(1, "web") + _ld(8, b"")) + _ld(2, spec) + _ld(3, status)))
    assert obj == {
        "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": "web", "creationTimestamp": None},
        "spec": {
            "scaleTargetRef": {"kind": "Deployment", "name": "web", "apiVersion": "apps/v1"},
            "minReplicas": 1, "maxReplicas": 10,
            "metrics": [
                {"type": "Resource", "resource": {"name": "cpu",
                                                  "target": {"type": "Utilization", "averageUtilization": 0}}},
                {"type": "Pods", "pods": {"metric": {"name": "packets", "selector": {"matchLabels": {"app": "web"}}},
                                          "target": {"type": "AverageValue", "averageValue": "1k"}}},
                {"type": "Object", "object": {
                    "describedObject": {"kind": "Ingress", "name": "main", "apiVersion": "networking.k8s.io/v1"},
                    "target": {"type": "Value", "value": "10k"}, "metric": {"name": "requests"}}},
                {"type": "External", "external": {"metric": {"name": "queue", "selector": {}},
                                                  "target": {"type": "AverageValue", "averageValue": "30"}}},
                {"type": "ContainerResource", "containerResource": {
                    "name": "memory", "target": {"type": "Utilization", "averageUtilization": 60},
                    "container": "app"}},
            ],
            "behavior": {
                "scaleUp": {"stabilizationWindowSeconds": 0, "selectPolicy": "Max", "policies": [
                    {"type": "Percent", "value": 100, "periodSeconds": 15},
                    {"type": "Pods", "value": 4, "periodSeconds": 15}]},
                "scaleDown": {"selectPolicy": "Disabled"},
            },
        },
        "status": {  # observedGeneration: *int64; currentReplicas: omitempty in v2; desiredReplicas: required
            "observedGeneration": 0, "desiredReplicas": 0,
            "currentMetrics": [{"type": "Resource", "resource": {
                "name": "cpu", "current": {"averageValue": "250m", "averageUtilization": 25}}}],
            "conditions": [{"type": "AbleToScale", "status": "True", "lastTransitionTime": "2024-05-01T10:00:00Z",
                            "reason": "ReadyForNewScale"}],
        },
    }


_POD_TEMPLATE = _ld(1, _ld(11, _ld(1, "app") + _ld(2, "db"))) + _ld(2, _ld(2, _ld(1, "db") + _ld(2, "postgres")))
_TEMPLATE_JSON = {"metadata": {"labels": {"app": "db"}}, "spec": {"containers": [{"name": "db", "image": "postgres"}]}}
_SELECTOR = _ld(1, _ld(1, "app") + _ld(2, "db"))


def test_apps_v1_statefulset():
    pvc = (_ld(1, _ld(1, "data")) + _ld(2, _ld(1, "ReadWriteOnce") + _ld(2, _ld(2, _ld(1, "storage")
                                                                                 + _ld(2, _quantity("1Gi"))))
                                           + _ld(5, "") + _ld(3, ""))
           + _ld(3, _ld(1, "Pending")))
    strategy = _ld(1, "RollingUpdate") + _ld(2, _vi(1, 0) + _ld(2, _int_or_string("50%")))
    spec = (_vi(1, 0) + _ld(2, _SELECTOR) + _ld(3, _POD_TEMPLATE) + _ld(4, pvc) + _ld(5, "db") + _ld(6, "Parallel")
            + _ld(7, strategy) + _vi(8, 5) + _vi(9, 0) + _ld(10, _ld(1, "Delete") + _ld(2, "Retain"))
            + _ld(11, _vi(1, 0)))
    status = b"".join(_vi(n, 0) for n in (1, 2, 3, 4, 5)) + _ld(6, "") + _ld(7, "") + _vi(11, 0)
    obj = protobuf.decode(_envelope("apps/v1", "StatefulSet", _ld(1, _ld(1, "db")) + _ld(2, spec) + _ld(3, status)))
    assert obj["spec"] == {
        "replicas": 0, "selector": {"matchLabels": {"app": "db"}}, "template": _TEMPLATE_JSON,
        "volumeClaimTemplates": [{"metadata": {"name": "data"},
                                  "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": "",
                                           "resources": {"requests": {"storage": "1Gi"}}},
                                  "status": {"phase": "Pending"}}],
        "serviceName": "db", "podManagementPolicy": "Parallel",
        "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 0, "maxUnavailable": "50%"}},
        "revisionHistoryLimit": 5,
        "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Delete", "whenScaled": "Retain"},
        "ordinals": {"start": 0},  # json:"start" without omitempty
    }
    # replicas: required; availableReplicas: no omitempty; the rest omitempty
    assert obj["status"] == {"replicas": 0, "availableReplicas": 0}


def test_apps_v1_daemonset_replicaset_controllerrevision():
    strategy = _ld(1, "RollingUpdate") + _ld(2, _ld(1, _int_or_string(1)) + _ld(2, _int_or_string("0%")))
    spec = _ld(1, _SELECTOR) + _ld(2, _POD_TEMPLATE) + _ld(3, strategy) + _vi(4, 10) + _vi(6, 0)
    status = b"".join(_vi(n, v) for n, v in [(1, 0), (2, 0), (3, 3), (4, 0), (5, 2), (6, 0), (7, 0), (8, 3), (9, 0)]) \
        + _ld(10, _ld(1, "Stalled") + _ld(2, "False") + _ld(3, b"") + _ld(4, "") + _ld(5, ""))
    obj = protobuf.decode(_envelope("apps/v1", "DaemonSet", _ld(2, spec) + _ld(3, status)))
    assert obj["spec"] == {
        "selector": {"matchLabels": {"app": "db"}}, "template": _TEMPLATE_JSON,
        "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": "0%"}},
        "minReadySeconds": 10, "revisionHistoryLimit": 0,
    }
    assert obj["status"] == {
        "currentNumberScheduled": 0, "numberMisscheduled": 0, "desiredNumberScheduled": 3, "numberReady": 0,
        "observedGeneration": 2, "numberUnavailable": 3, "collisionCount": 0,
        "conditions": [{"type": "Stalled", "status": "False", "lastTransitionTime": None}],
    }

    spec = _vi(1, 0) + _vi(4, 0) + _ld(2, _SELECTOR) + _ld(3, _POD_TEMPLATE)
    status = b"".join(_vi(n, 0) for n in range(1, 6))
    obj = protobuf.decode(_envelope("apps/v1", "ReplicaSet", _ld(2, spec) + _ld(3, status)))
    assert obj["spec"] == {"replicas": 0, "selector": {"matchLabels": {"app": "db"}}, "template": _TEMPLATE_JSON}
    assert obj["status"] == {"replicas": 0}

    obj = protobuf.decode(_envelope("apps/v1", "ControllerRevision",
                                    _ld(1, _ld(1, "db-5f7b")) + _ld(2, _ld(1, b'{"spec":{"x":1}}')) + _vi(3, 0)))
    assert obj == {"apiVersion": "apps/v1", "kind": "ControllerRevision", "metadata": {"name": "db-5f7b"},
                   "data": {"spec": {"x": 1}}, "revision": 0}


def test_coordination_v1_lease_micro_times():
    spec = (_ld(1, "node-1") + _vi(2, 40) + _ld(3, _time(1714557600, 123456789)) + _ld(4, _time(1714557640))
            + _vi(5, 0) + _ld(6, "OldestEmulationVersion") + _ld(7, ""))
    obj = protobuf.decode(_envelope("coordination.k8s.io/v1", "Lease", _ld(1, _ld(1, "node-1")) + _ld(2, spec)))
    assert obj["spec"] == {  # every LeaseSpec field is a pointer: zero values survive
        "holderIdentity": "node-1", "leaseDurationSeconds": 40,
        "acquireTime": "2024-05-01T10:00:00.123456Z", "renewTime": "2024-05-01T10:00:40.000000Z",
        "leaseTransitions": 0, "strategy": "OldestEmulationVersion", "preferredHolder": "",
    }
    assert protobuf.decode(_envelope("coordination.k8s.io/v1", "Lease", _ld(2, b""))) == {
        "apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "spec": {}}


def test_autoscaling_v1_scale():
    status = _vi(1, 0) + _ld(2, "app=web")
    obj = protobuf.decode(_envelope("autoscaling/v1", "Scale", _ld(2, _vi(1, 0)) + _ld(3, status)))
    assert obj["spec"] == {} and obj["status"] == {"replicas": 0, "selector": "app=web"}


def test_missing_type_meta_uses_defaults():
    body = b"k8s\x00" + _ld(2, _ld(1, _ld(1, "x")))
    assert protobuf.decode(body, api_version="v1", kind="Namespace") == {
        "apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "x"}}


def test_field_table_compiles_against_schema():
    """Every table entry names a property of its v1.32 schema, with a type we can read."""
    schema = protobuf._schema()
    compiled = 0
    for defname in schema.table:
        if defname not in schema.defs:
            continue  # inline-only messages, compiled below with their parent's schema
        msg = protobuf._message(defname, defname)
        for field in msg.fields.values():
            if field.kind == "inline":
                protobuf._message(*field.inline)
            else:
                kind, elem = field.kind, field.elem
                while kind in ("list", "map"):
                    kind, elem = elem
                if kind == "msg":  # every reachable message has field numbers
                    assert elem in schema.table, (defname, field.name, elem)
        compiled += 1
    assert compiled > 150
    for api_version, kind in [("v1", "Namespace"), ("apps/v1", "Deployment"), ("batch/v1", "CronJob"),
                              ("networking.k8s.io/v1", "Ingress"), ("policy/v1", "Eviction"),
                              ("authorization.k8s.io/v1", "SelfSubjectAccessReview"),
                              ("autoscaling/v1", "HorizontalPodAutoscaler"), ("autoscaling/v1", "Scale"),
                              ("autoscaling/v2", "HorizontalPodAutoscaler"), ("apps/v1", "StatefulSet"),
                              ("apps/v1", "DaemonSet"), ("apps/v1", "ReplicaSet"), ("apps/v1", "ControllerRevision"),
                              ("coordination.k8s.io/v1", "Lease"), ("v1", "PersistentVolumeClaim")]:
        assert (api_version, kind) in schema.kinds
    assert schema.kinds[("autoscaling/v2", "HorizontalPodAutoscaler")] == \
        "io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler"


def test_field_table_covers_every_schema_property():
    """Each table line names every property of its v1.32 schema (a kind's apiVersion
    and kind come from the envelope), inline embedded messages included, and nothing else:
    a property missing from a line would be silently dropped from decoded bodies."""
    schema = protobuf._schema()
    checked = 0
    for defname, fields in schema.table.items():
        if defname not in schema.defs:
            continue
        names = set()
        for name, _, inline in fields.values():
            if inline:
                names |= {n for n, _, nested in schema.table[inline].values() if not nested}
            else:
                names.add(name)
        properties = set(schema.defs[defname].get("properties", {}))
        if schema.defs[defname].get("x-kubernetes-group-version-kind"):
            properties -= {"apiVersion", "kind"}  # a kind's TypeMeta: from the envelope
        assert names == properties, (defname, sorted(properties - names), sorted(names - properties))
        checked += 1
    assert checked > 250


def test_is_protobuf():
    assert protobuf.is_protobuf("application/vnd.kubernetes.protobuf")
    assert protobuf.is_protobuf("Application/VND.kubernetes.protobuf; charset=binary")
    assert not protobuf.is_protobuf("application/json")
    assert not protobuf.is_protobuf("application/x-protobuf")
    assert not protobuf.is_protobuf("")
    assert not protobuf.is_protobuf(None)


# ------------------------------------------------------- malformed --

_GOOD = _envelope("v1", "Namespace", _ld(1, _ld(1, "ns")))

MALFORMED = {
    "empty": b"",
    "bad magic": b"k8s\x01" + _GOOD[4:],
    "json": b'{"kind":"Namespace"}',
    "magic only": b"k8s\x00",
    "truncated varint": b"k8s\x00\x0a\x80",
    "overlong varint": b"k8s\x00" + _tag(5, 0) + b"\xff" * 11 + b"\x01",
    "length past end": b"k8s\x00\x0a\x7f\x0a",
    "truncated": _GOOD[:-7],
    "field zero": b"k8s\x00\x00\x00",
    "wire type 7": b"k8s\x00" + _tag(5, 7),
    "stray end group": b"k8s\x00" + _tag(5, 4),
    "unknown kind": _envelope("v1", "Frobnicator", b""),
    "unknown version": _envelope("apps/v9", "Deployment", b""),
    "no kind": b"k8s\x00" + _ld(1, _ld(1, "v1")),
    "wrong wire type for metadata": _envelope("v1", "Namespace", _vi(1, 5)),
    "wrong wire type for name": _envelope("v1", "Namespace", _ld(1, _vi(1, 5))),
    "wrong wire type for replicas": _envelope("apps/v1", "Deployment", _ld(2, _ld(1, "x"))),
    "truncated nested": _envelope("v1", "Namespace", _ld(1, _ld(1, "ns"))[:-1]),
    "bad map entry": _envelope("v1", "ConfigMap", _ld(2, _vi(1, 3))),
    "bad intorstring": _envelope("apps/v1", "Deployment", _ld(2, _ld(4, _ld(2, _ld(1, _vi(1, 7)))))),
    "bad fieldsV1 json": _envelope("v1", "Namespace", _ld(1, _ld(17, _ld(7, _ld(1, b"{nope"))))),
    "time out of range": _envelope("v1", "Namespace", _ld(1, _ld(8, _vi(1, 1 << 62)))),
    "deep groups": b"k8s\x00" + _tag(9, 3) * 200,
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_is_bad_request(name):
    with pytest.raises(APIError) as info:
        protobuf.decode(MALFORMED[name])
    assert info.value.code == 400 and info.value.reason == "BadRequest"
    assert info.value.message


def test_every_truncation_and_bit_flip_is_bad_request_or_decodes():
    body = _fixture("deployment")[0]
    for end in range(len(body)):
        try:
            protobuf.decode(body[:end])
        except APIError as exc:
            assert exc.code == 400
    for i in range(4, len(body)):
        for bit in (0x01, 0x80, 0x07):
            mutated = bytearray(body)
            mutated[i] ^= bit
            try:
                protobuf.decode(bytes(mutated))
            except APIError as exc:
                assert exc.code == 400


def test_error_messages_follow_upstream():
    with pytest.raises(APIError) as info:
        protobuf.decode(b"nope")
    assert info.value.message == ("provided data does not appear to be a protobuf message, "
                                  "expected prefix [107 56 115 0]")
    with pytest.raises(APIError) as info:
        protobuf.decode(MALFORMED["wrong wire type for name"])
    assert info.value.message == "proto: wrong wireType = 0 for field name"


# ------------------------------------------------ fixture regeneration --


def regenerate():
    assert KUBECTL, "set $KUBECTL"
    FIXTURES.mkdir(parents=True, exist_ok=True)
    cases = {name: (args, None) for name, args in CREATE_CASES.items()}
    cases.update(OTHER_CASES)
    for name, (args, expected) in sorted(cases.items()):
        proc, requests, dry_run = capture(args, dry_run=expected is None)
        assert proc.returncode == 0, (name, proc.stderr)
        assert len(requests) == 1, (name, requests)
        (FIXTURES / f"{name}.pb").write_bytes(requests[0]["body"])
        expected = dry_run if expected is None else expected
        (FIXTURES / f"{name}.json").write_text(json.dumps(expected, indent=2, ensure_ascii=False) + "\n")
        decoded = protobuf.decode(requests[0]["body"])
        exact = "exact" if decoded == expected else "equal modulo nulls"
        same = _strip_nulls(decoded) == _strip_nulls(expected)
        print(exact if same else "DIFFERENT", name, requests[0]["path"])


if __name__ == "__main__":
    regenerate()
