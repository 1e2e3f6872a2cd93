"""The real kubectl for the end-to-end tests: which binary ($KUBECTL, else
kubectl on PATH; $KUBECTL_OLD, an older kubectl that sends JSON bodies), and
a wrapper that runs it against one kubeconfig with a HOME and cache of its
own."""
import json
import os
import shutil
import subprocess

import pytest

# ``@pytest.fixture(scope="module", **BOTH_KUBECTLS)``: the module's tests run
# with kubectl 1.32 (protobuf bodies) and, when $KUBECTL_OLD names one, with an
# older kubectl (JSON bodies).
BOTH_KUBECTLS = {"params": ["KUBECTL", "KUBECTL_OLD"], "ids": ["kubectl", "kubectl-old"]}


def kubectl_path(env_name="KUBECTL"):
    path = os.environ.get(env_name) or (shutil.which("kubectl") if env_name == "KUBECTL" else "")
    return path if path and os.access(path, os.X_OK) else None


def require_kubectl(env_name="KUBECTL"):
    """kubectl_path(env_name), or skip the test."""
    path = kubectl_path(env_name)
    if path is None:
        if env_name == "KUBECTL":
            pytest.skip("no kubectl: set KUBECTL to a kubectl binary or put one on PATH")
        pytest.skip(f"no older kubectl: set {env_name} to run these tests with it too")
    return path


class Kubectl:
    """``binary`` with ``kubeconfig``, HOME ``home`` and a cache dir under it.
    ``label`` names the binary (KUBECTL or KUBECTL_OLD); with
    ``show_managed_fields`` the objects of get() keep their managedFields."""

    def __init__(self, binary, kubeconfig, home, label="KUBECTL", show_managed_fields=False):
        self.binary = binary
        self.kubeconfig = str(kubeconfig)
        self.home = home
        self.label = label
        self.show_managed_fields = show_managed_fields

    def run(self, *args, input=None, check=True, namespace=None, env=None):
        """kubectl ``args`` (in ``namespace``; ``env`` on top of HOME and PATH)
        → the CompletedProcess; with ``check`` a failure raises."""
        cmd = [self.binary, "--kubeconfig", self.kubeconfig, "--cache-dir", str(self.home / "cache")]
        if namespace:
            cmd += ["-n", namespace]
        environ = {"HOME": str(self.home), "PATH": os.environ.get("PATH", ""), "KUBECTL_INTERACTIVE_DELETE": ""}
        environ.update(env or {})
        proc = subprocess.run([*cmd, *args], input=input, capture_output=True, text=True, env=environ, timeout=60)
        if check and proc.returncode != 0:
            raise AssertionError(f"kubectl {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
        return proc

    def out(self, *args, **kw):
        return self.run(*args, **kw).stdout

    def json(self, *args, **kw):
        return json.loads(self.out(*args, "-o", "json", **kw))

    def get(self, *args, **kw):
        """``kubectl get args -o json``, parsed."""
        return self.json("get", *args, *(["--show-managed-fields"] if self.show_managed_fields else []), **kw)


def kubectl_for(request, server, tmp_path_factory, **options):
    """The body of a module's ``kubectl`` fixture parametrised with
    BOTH_KUBECTLS: a Kubectl for ``server`` with a fresh home (or a skip)."""
    binary = require_kubectl(request.param)
    home = tmp_path_factory.mktemp(request.param.lower())
    return Kubectl(binary, server.kubeconfig, home, label=request.param, **options)
