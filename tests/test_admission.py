"""The admission chain: one ordered list with upstream's names, chosen by
--enable-admission-plugins / --disable-admission-plugins as kube-apiserver's."""
import json
import subprocess
import sys
import uuid

import pytest

from tests.conftest import ROOT, start_server
from resources import admission

NS = {"apiVersion": "v1", "kind": "Namespace"}


def test_plugins_are_in_upstream_order_with_upstream_names():
    names = [p.name for p in admission.PLUGINS if not p.internal]
    assert names == ["NamespaceLifecycle", "LimitRanger", "ServiceAccount", "Priority", "DefaultTolerationSeconds",
                     "ResourceQuota"]
    assert all(name in admission.UPSTREAM_DEFAULT_ON for name in names)
    # ResourceQuota charges what every other plugin admitted: it runs last.
    assert admission.PLUGINS[-1].name == "ResourceQuota"


def test_flags_refused_as_upstream():
    assert admission.check_flags("", "") == []
    assert admission.check_flags("NodeRestriction", "LimitRanger") == []
    assert admission.check_flags("Foo", "") == ['enable-admission-plugins plugin "Foo" is unknown']
    assert admission.check_flags("", "LimitRanger,Bar") == ['disable-admission-plugins plugin "Bar" is unknown']
    assert admission.check_flags("LimitRanger", "LimitRanger") == [
        "['LimitRanger'] in enable-admission-plugins and disable-admission-plugins overlapped"]


def test_internal_plugins_cannot_be_disabled():
    every_upstream_one = ",".join(p.name for p in admission.PLUGINS if not p.internal)
    enabled = {p.name for p in admission.enabled_plugins("", every_upstream_one)}
    assert enabled == {"ServiceClusterIPAllocation", "RBACEscalation"}


def test_serve_refuses_an_unknown_plugin(tmp_path):
    proc = subprocess.run([sys.executable, str(ROOT / "manage.py"), "serve", "--enable-admission-plugins=Nope",
                           "--no-migrate"], cwd=ROOT, capture_output=True, text=True, timeout=60,
                          env={**__import__("os").environ, "KUBEAPI_VAR_DIR": str(tmp_path)})
    assert proc.returncode != 0 and 'enable-admission-plugins plugin "Nope" is unknown' in proc.stderr


@pytest.mark.e2e
def test_disabled_plugins_do_not_run(tmp_path):
    """With NamespaceLifecycle and LimitRanger off, a pod is created in a
    namespace that does not exist and gets no LimitRange defaults; the
    quota (on) still counts it."""
    server, stop = start_server(tmp_path, ["--disable-admission-plugins=NamespaceLifecycle,LimitRanger"])
    try:
        def call(method, path, body=None):
            code, _, raw = server.request(method, path, json.dumps(body).encode() if body else None,
                                          {"Content-Type": "application/json"})
            return code, json.loads(raw)

        ns = f"adm-{uuid.uuid4().hex[:6]}"
        assert call("POST", "/api/v1/namespaces", dict(NS, metadata={"name": ns}))[0] == 201
        code, body = call("POST", f"/api/v1/namespaces/{ns}/limitranges", {
            "apiVersion": "v1", "kind": "LimitRange", "metadata": {"name": "l"},
            "spec": {"limits": [{"type": "Container", "default": {"cpu": "500m"}}]}})
        assert code == 201, body
        code, body = call("POST", f"/api/v1/namespaces/{ns}/resourcequotas", {
            "apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "q"}, "spec": {"hard": {"pods": "1"}}})
        assert code == 201, body
        pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
               "spec": {"containers": [{"name": "c", "image": "nginx"}]}}
        code, body = call("POST", f"/api/v1/namespaces/{ns}/pods", pod)
        assert code == 201, body
        assert "resources" not in body["spec"]["containers"][0] or not body["spec"]["containers"][0]["resources"]
        code, body = call("POST", f"/api/v1/namespaces/{ns}/pods", dict(pod, metadata={"name": "p2"}))
        assert code == 403 and "exceeded quota" in body["message"], body
        code, body = call("POST", "/api/v1/namespaces/missing-ns/configmaps",
                          {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}})
        assert code == 201, body
    finally:
        stop()
