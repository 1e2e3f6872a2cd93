"""End to end: kubectl apply (client-side and server-side), diff, dry-run
and prune with the real kubectl against the running server."""
import json
import uuid

import pytest

from tests.kubectl import BOTH_KUBECTLS, kubectl_for

pytestmark = pytest.mark.e2e

LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"


@pytest.fixture(scope="module", **BOTH_KUBECTLS)
def kubectl(request, server, tmp_path_factory):
    return kubectl_for(request, server, tmp_path_factory, show_managed_fields=True)


@pytest.fixture
def ns(kubectl):
    name = f"apply-{uuid.uuid4().hex[:8]}"
    kubectl.run("create", "namespace", name)
    return name


def write(tmp_path, name, obj):
    path = tmp_path / name
    path.write_text(json.dumps(obj, indent=2))  # JSON is YAML, without YAML 1.1's "y" meaning true
    return str(path)


def configmap(ns, data, labels=None, name="settings"):
    meta = {"name": name, "namespace": ns}
    if labels:
        meta["labels"] = labels
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": data}


def deployment(ns, containers, replicas=2, name="web"):
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": ns},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": containers}}}}


def managers(obj):
    return sorted((e["manager"], e["operation"]) + ((e["subresource"],) if e.get("subresource") else ())
                  for e in obj["metadata"].get("managedFields", []))


def entry(obj, manager, operation):
    return next(e for e in obj["metadata"]["managedFields"] if e["manager"] == manager and e["operation"] == operation)


# ------------------------------------------------------- client-side apply

def test_client_side_apply_create_reapply_and_remove_fields(kubectl, ns, tmp_path):
    path = write(tmp_path, "cm.yaml", configmap(ns, {"a": "1", "b": "2"}, labels={"team": "x", "tier": "y"}))
    assert kubectl.run("apply", "-f", path).stdout == "configmap/settings created\n"
    obj = kubectl.get("cm", "settings", "-n", ns)
    assert json.loads(obj["metadata"]["annotations"][LAST_APPLIED])["data"] == {"a": "1", "b": "2"}
    assert managers(obj) == [("kubectl-client-side-apply", "Update")]

    assert kubectl.run("apply", "-f", path).stdout == "configmap/settings unchanged\n"

    # The file changes: a value changes, a key and a label are removed.
    path = write(tmp_path, "cm.yaml", configmap(ns, {"a": "changed"}, labels={"team": "x"}))
    assert kubectl.run("apply", "-f", path).stdout == "configmap/settings configured\n"
    obj = kubectl.get("cm", "settings", "-n", ns)
    assert obj["data"] == {"a": "changed"}
    assert obj["metadata"]["labels"] == {"team": "x"}
    assert json.loads(obj["metadata"]["annotations"][LAST_APPLIED])["data"] == {"a": "changed"}


def test_client_side_apply_merges_containers_by_name(kubectl, ns, tmp_path):
    containers = [{"name": "app", "image": "nginx:1.25", "env": [{"name": "A", "value": "1"}]},
                  {"name": "sidecar", "image": "busybox"}]
    path = write(tmp_path, "d.yaml", deployment(ns, containers))
    kubectl.run("apply", "-f", path)
    # A field set by someone else survives the next apply (three-way merge).
    kubectl.run("patch", "deployment", "web", "-n", ns, "-p",
                '{"spec":{"template":{"spec":{"containers":[{"name":"app","workingDir":"/srv"}]}}}}')
    containers = [{"name": "app", "image": "nginx:1.26", "env": [{"name": "A", "value": "2"}]}]
    path = write(tmp_path, "d.yaml", deployment(ns, containers, replicas=3))
    assert kubectl.run("apply", "-f", path).stdout == "deployment.apps/web configured\n"
    obj = kubectl.get("deployment", "web", "-n", ns)
    spec = obj["spec"]["template"]["spec"]
    assert [c["name"] for c in spec["containers"]] == ["app"]
    app = spec["containers"][0]
    assert app["image"] == "nginx:1.26" and app["env"] == [{"name": "A", "value": "2"}]
    assert app["workingDir"] == "/srv"
    assert obj["spec"]["replicas"] == 3
    assert obj["metadata"]["generation"] == 3


def test_client_side_apply_retries_after_a_conflict(kubectl, ns, tmp_path, server):
    """kubectl's apply patch carries no resourceVersion; a concurrent write
    between its read and its patch is merged, never lost."""
    path = write(tmp_path, "cm.yaml", configmap(ns, {"a": "1"}))
    kubectl.run("apply", "-f", path)
    kubectl.run("label", "cm", "settings", "-n", ns, "extra=yes")
    path = write(tmp_path, "cm.yaml", configmap(ns, {"a": "2"}))
    kubectl.run("apply", "-f", path)
    obj = kubectl.get("cm", "settings", "-n", ns)
    assert obj["data"] == {"a": "2"} and obj["metadata"]["labels"] == {"extra": "yes"}


# ------------------------------------------------------- server-side apply

def test_server_side_apply_create_update_and_remove(kubectl, ns, tmp_path):
    path = write(tmp_path, "cm.yaml", configmap(ns, {"a": "1", "b": "2"}, labels={"x": "1"}))
    assert kubectl.run("apply", "--server-side", "-f", path).stdout == "configmap/settings serverside-applied\n"
    obj = kubectl.get("cm", "settings", "-n", ns)
    assert managers(obj) == [("kubectl", "Apply")]
    assert entry(obj, "kubectl", "Apply")["fieldsV1"] == {
        "f:data": {"f:a": {}, "f:b": {}}, "f:metadata": {"f:labels": {"f:x": {}}}}
    assert LAST_APPLIED not in (obj["metadata"].get("annotations") or {})

    path = write(tmp_path, "cm.yaml", configmap(ns, {"a": "1"}))
    kubectl.run("apply", "--server-side", "-f", path)
    obj = kubectl.get("cm", "settings", "-n", ns)
    assert obj["data"] == {"a": "1"}
    assert "labels" not in obj["metadata"]


def test_server_side_apply_conflict_between_two_managers(kubectl, ns, tmp_path):
    kubectl.run("apply", "--server-side", "-f", write(tmp_path, "a.yaml", configmap(ns, {"a": "1", "shared": "s"})))
    other = write(tmp_path, "b.yaml", configmap(ns, {"a": "2", "shared": "s", "mine": "m"}))
    proc = kubectl.run("apply", "--server-side", "--field-manager=other", "-f", other, check=False)
    assert proc.returncode == 1
    assert proc.stderr.startswith('error: Apply failed with 1 conflict: conflict with "kubectl": .data.a\n')
    assert kubectl.get("cm", "settings", "-n", ns)["data"] == {"a": "1", "shared": "s"}

    proc = kubectl.run("apply", "--server-side", "--field-manager=other", "--force-conflicts", "-f", other)
    assert proc.stdout == "configmap/settings serverside-applied\n"
    obj = kubectl.get("cm", "settings", "-n", ns)
    assert obj["data"] == {"a": "2", "shared": "s", "mine": "m"}
    assert entry(obj, "kubectl", "Apply")["fieldsV1"] == {"f:data": {"f:shared": {}}}
    assert entry(obj, "other", "Apply")["fieldsV1"] == {"f:data": {"f:a": {}, "f:mine": {}, "f:shared": {}}}


def test_migration_from_client_side_to_server_side_apply(kubectl, ns, tmp_path):
    kubectl.run("apply", "-f", write(tmp_path, "d.yaml", deployment(ns, [{"name": "app", "image": "nginx:1"}])))
    assert ("kubectl-client-side-apply", "Update") in managers(kubectl.get("deployment", "web", "-n", ns))
    # The same manifest with a change, now server-side: no conflict with
    # kubectl's own client-side apply, and the fields change hands.
    changed = write(tmp_path, "d.yaml", deployment(ns, [{"name": "app", "image": "nginx:2"}], replicas=4))
    kubectl.run("apply", "--server-side", "-f", changed)
    obj = kubectl.get("deployment", "web", "-n", ns)
    assert obj["spec"]["replicas"] == 4
    assert obj["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:2"
    assert ("kubectl-client-side-apply", "Update") not in managers(obj)
    assert ("kubectl", "Apply") in managers(obj)
    # Dropping a field from the manifest now removes it server-side.
    again = deployment(ns, [{"name": "app", "image": "nginx:2"}], replicas=4)
    again["metadata"]["labels"] = {"release": "a"}
    kubectl.run("apply", "--server-side", "-f", write(tmp_path, "d.yaml", again))
    del again["metadata"]["labels"]
    kubectl.run("apply", "--server-side", "-f", write(tmp_path, "d.yaml", again))
    assert "release" not in (kubectl.get("deployment", "web", "-n", ns)["metadata"].get("labels") or {})


# ------------------------------------------------------- diff and dry-run

def test_diff_exit_codes(kubectl, ns, tmp_path):
    path = write(tmp_path, "cm.yaml", configmap(ns, {"a": "1"}))
    kubectl.run("apply", "-f", path)
    assert kubectl.run("diff", "-f", path).returncode == 0
    changed = write(tmp_path, "cm2.yaml", configmap(ns, {"a": "2"}))
    proc = kubectl.run("diff", "-f", changed, check=False)
    assert proc.returncode == 1
    assert '-  a: "1"' in proc.stdout and '+  a: "2"' in proc.stdout
    assert kubectl.get("cm", "settings", "-n", ns)["data"] == {"a": "1"}
    # A new object shows as a difference too.
    proc = kubectl.run("diff", "-f", write(tmp_path, "new.yaml", configmap(ns, {"n": "1"}, name="fresh")),
                       check=False)
    assert proc.returncode == 1
    assert kubectl.run("get", "cm", "fresh", "-n", ns, check=False).returncode == 1
    # Server-side diff.
    assert kubectl.run("diff", "--server-side", "-f", changed, check=False).returncode == 1


def test_dry_run_server_stores_nothing(kubectl, ns, tmp_path):
    path = write(tmp_path, "cm.yaml", configmap(ns, {"a": "1"}))
    kubectl.run("apply", "-f", path)
    before = kubectl.get("cm", "settings", "-n", ns)

    changed = write(tmp_path, "cm2.yaml", configmap(ns, {"a": "2"}))
    out = kubectl.run("apply", "-f", changed, "--dry-run=server", "-o", "json").stdout
    assert json.loads(out)["data"] == {"a": "2"}
    out = kubectl.run("apply", "--server-side", "-f", changed, "--dry-run=server", "--force-conflicts",
                      "-o", "json").stdout
    assert json.loads(out)["data"] == {"a": "2"}
    kubectl.run("patch", "cm", "settings", "-n", ns, "--dry-run=server", "-p", '{"data":{"b":"x"}}')
    kubectl.run("label", "cm", "settings", "-n", ns, "--dry-run=server", "l=v")
    kubectl.run("scale", "deployment", "nothing", "-n", ns, "--replicas=1", "--dry-run=server", check=False)
    created = kubectl.run("create", "-f", write(tmp_path, "n.yaml", configmap(ns, {"x": "1"}, name="ghost")),
                          "--dry-run=server", "-o", "json").stdout
    assert json.loads(created)["metadata"]["name"] == "ghost"
    kubectl.run("delete", "cm", "settings", "-n", ns, "--dry-run=server")

    after = kubectl.get("cm", "settings", "-n", ns)
    assert after == before
    assert kubectl.run("get", "cm", "ghost", "-n", ns, check=False).returncode == 1


# ------------------------------------------------------------------- prune

def test_apply_directory_with_prune(kubectl, ns, tmp_path):
    directory = tmp_path / "manifests"
    directory.mkdir()
    for name in ("one", "two"):
        write(directory, f"{name}.yaml", configmap(ns, {"k": name}, labels={"set": "demo"}, name=name))
    kubectl.run("create", "configmap", "unrelated", "-n", ns)
    out = kubectl.run("apply", "-n", ns, "-f", str(directory), "--prune", "-l", "set=demo").stdout
    assert "configmap/one created" in out and "configmap/two created" in out
    (directory / "two.yaml").unlink()
    out = kubectl.run("apply", "-n", ns, "-f", str(directory), "--prune", "-l", "set=demo").stdout
    assert "configmap/two pruned" in out
    names = {i["metadata"]["name"] for i in kubectl.get("cm", "-n", ns)["items"]}
    assert {"one", "unrelated"} <= names and "two" not in names


def test_client_side_apply_with_a_stale_resource_version_fails_after_retries(kubectl, ns, tmp_path):
    """A manifest that carries a resourceVersion makes kubectl's patch a
    precondition: the server answers 409 and kubectl gives up after its
    retries; the object is untouched."""
    path = write(tmp_path, "cm.yaml", configmap(ns, {"a": "1"}))
    kubectl.run("apply", "-f", path)
    stale = configmap(ns, {"a": "2"})
    stale["metadata"]["resourceVersion"] = "1"
    proc = kubectl.run("apply", "-f", write(tmp_path, "stale.yaml", stale), check=False)
    assert proc.returncode == 1
    assert "the object has been modified; please apply your changes to the latest version" in proc.stderr
    assert kubectl.get("cm", "settings", "-n", ns)["data"] == {"a": "1"}


def test_server_side_apply_of_atomic_and_set_lists(kubectl, ns, tmp_path):
    """args is an atomic list (replaced whole, one owner); finalizers a set
    (items owned one by one)."""
    pod = deployment(ns, [{"name": "c", "image": "nginx", "args": ["1", "2"]}], name="p")
    pod["metadata"]["finalizers"] = ["a/x"]
    kubectl.run("apply", "--server-side", "-f", write(tmp_path, "p.yaml", pod))
    other = {"apiVersion": "apps/v1", "kind": "Deployment",
             "metadata": {"name": "p", "namespace": ns, "finalizers": ["b/y"]}}
    kubectl.run("apply", "--server-side", "--field-manager=second", "-f", write(tmp_path, "o.yaml", other))
    obj = kubectl.get("deployment", "p", "-n", ns)
    assert sorted(obj["metadata"]["finalizers"]) == ["a/x", "b/y"]
    assert entry(obj, "second", "Apply")["fieldsV1"] == {"f:metadata": {"f:finalizers": {'v:"b/y"': {}}}}
    fields = entry(obj, "kubectl", "Apply")["fieldsV1"]
    assert fields["f:spec"]["f:template"]["f:spec"]["f:containers"]['k:{"name":"c"}']["f:args"] == {}
    pod["spec"]["template"]["spec"]["containers"][0]["args"] = ["3"]
    kubectl.run("apply", "--server-side", "-f", write(tmp_path, "p.yaml", pod))
    assert kubectl.get("deployment", "p", "-n", ns)["spec"]["template"]["spec"]["containers"][0]["args"] == ["3"]
    for manifest in (other, pod):
        manifest["metadata"]["finalizers"] = []
    kubectl.run("apply", "--server-side", "--field-manager=second", "-f", write(tmp_path, "o.yaml", other))
    kubectl.run("apply", "--server-side", "-f", write(tmp_path, "p.yaml", pod))
    assert "finalizers" not in kubectl.get("deployment", "p", "-n", ns)["metadata"]
