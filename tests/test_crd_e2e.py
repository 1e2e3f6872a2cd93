"""End to end: CustomResourceDefinitions and custom resources with the
real kubectl (1.32 and, with $KUBECTL_OLD, an older one) and the official
Python client's dynamic client."""
import json
import uuid

import pytest
import yaml

from tests.conftest import wait_for
from tests.kubectl import BOTH_KUBECTLS, kubectl_for

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module", **BOTH_KUBECTLS)
def kubectl(request, server, tmp_path_factory):
    return kubectl_for(request, server, tmp_path_factory)


def crd_yaml(group):
    return f"""
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: crontabs.{group}
spec:
  group: {group}
  scope: Namespaced
  names:
    plural: crontabs
    singular: crontab
    kind: CronTab
    shortNames: [ct]
  versions:
  - name: v1
    served: true
    storage: true
    subresources:
      status: {{}}
    additionalPrinterColumns:
    - name: Spec
      type: string
      jsonPath: .spec.cronSpec
    - name: Replicas
      type: integer
      jsonPath: .spec.replicas
    - name: Age
      type: date
      jsonPath: .metadata.creationTimestamp
    schema:
      openAPIV3Schema:
        type: object
        description: A CronTab runs an image on a schedule.
        properties:
          spec:
            type: object
            description: What to run and when.
            properties:
              cronSpec:
                type: string
                description: The schedule, in cron format.
              image:
                type: string
              replicas:
                type: integer
                minimum: 1
                default: 1
              tags:
                type: array
                items:
                  type: string
          status:
            type: object
            properties:
              phase:
                type: string
"""


def cr_yaml(group, name="daily", image="nginx:1", replicas=2, extra=""):
    return f"""
apiVersion: {group}/v1
kind: CronTab
metadata:
  name: {name}
spec:
  cronSpec: "0 0 * * *"
  image: {image}
  replicas: {replicas}
{extra}"""


@pytest.fixture(scope="module")
def crontabs(kubectl):
    """The CRD, applied with kubectl, and a namespace; the CRD is applied
    and used in consecutive commands, as users do."""
    group = f"e{uuid.uuid4().hex[:8]}.example.com"
    ns = f"crd-e2e-{uuid.uuid4().hex[:6]}"
    assert kubectl.out("apply", "-f", "-", input=crd_yaml(group)) == \
        f"customresourcedefinition.apiextensions.k8s.io/crontabs.{group} created\n"
    kubectl.out("create", "namespace", ns)
    yield group, ns
    # Gone before the next kubectl's run: two CRDs of one plural make
    # "kubectl get crontabs" pick a group by discovery order, as upstream.
    kubectl.out("delete", "crd", f"crontabs.{group}")
    kubectl.out("delete", "namespace", ns, "--wait=false")


def test_apply_get_describe(kubectl, crontabs):
    group, ns = crontabs
    assert kubectl.out("-n", ns, "apply", "-f", "-", input=cr_yaml(group)) == f"crontab.{group}/daily created\n"
    lines = kubectl.out("-n", ns, "get", "crontabs").splitlines()
    assert lines[0].split() == ["NAME", "SPEC", "REPLICAS", "AGE"]
    assert lines[1].split()[:6] == ["daily", "0", "0", "*", "*", "*"] and lines[1].split()[6] == "2"
    assert kubectl.out("-n", ns, "get", "ct", "-o", "name") == f"crontab.{group}/daily\n"
    assert kubectl.out("-n", ns, "get", f"crontabs.{group}", "daily", "-o", "jsonpath={.spec.image}") == "nginx:1"
    obj = yaml.safe_load(kubectl.out("-n", ns, "get", "crontab", "daily", "-o", "yaml"))
    assert obj["apiVersion"] == f"{group}/v1" and obj["spec"]["replicas"] == 2
    assert "kubectl.kubernetes.io/last-applied-configuration" in obj["metadata"]["annotations"]
    described = kubectl.out("-n", ns, "describe", "crontab", "daily")
    assert "Name:         daily" in described and f"API Version:  {group}/v1" in described
    assert "Cron Spec:  0 0 * * *" in described
    crds = kubectl.out("get", "crd", f"crontabs.{group}")
    assert crds.splitlines()[0].split() == ["NAME", "CREATED", "AT"]
    kubectl.run("wait", "--for", "condition=established", f"crd/crontabs.{group}", "--timeout=10s")


def test_explain(kubectl, crontabs):
    group, _ = crontabs
    text = kubectl.out("explain", f"crontabs.{group}.spec")
    flat = " ".join(text.split())  # column widths differ between kubectl versions
    assert "KIND: CronTab" in flat and "VERSION: v1" in flat
    assert "What to run and when." in flat and "cronSpec" in flat and "The schedule, in cron format." in flat


def test_client_side_apply_twice(kubectl, crontabs):
    group, ns = crontabs
    first = cr_yaml(group, "twice", extra="  tags: [a, b]\n")
    assert kubectl.out("-n", ns, "apply", "-f", "-", input=first) == f"crontab.{group}/twice created\n"
    second = cr_yaml(group, "twice", image="nginx:2")  # tags removed, image changed
    assert kubectl.out("-n", ns, "apply", "-f", "-", input=second) == f"crontab.{group}/twice configured\n"
    obj = json.loads(kubectl.out("-n", ns, "get", "crontab", "twice", "-o", "json"))
    assert obj["spec"]["image"] == "nginx:2" and "tags" not in obj["spec"]
    assert kubectl.out("-n", ns, "apply", "-f", "-", input=second) == f"crontab.{group}/twice unchanged\n"


def test_server_side_apply(kubectl, crontabs):
    group, ns = crontabs
    body = cr_yaml(group, "ssa")
    assert kubectl.out("-n", ns, "apply", "--server-side", "-f", "-", input=body) == \
        f"crontab.{group}/ssa serverside-applied\n"
    body = cr_yaml(group, "ssa", replicas=5)
    kubectl.out("-n", ns, "apply", "--server-side", "-f", "-", input=body)
    obj = json.loads(kubectl.out("-n", ns, "get", "crontab", "ssa", "-o", "json", "--show-managed-fields"))
    assert obj["spec"]["replicas"] == 5
    assert [(e["manager"], e["operation"]) for e in obj["metadata"]["managedFields"]] == [("kubectl", "Apply")]


def test_patch(kubectl, crontabs):
    group, ns = crontabs
    kubectl.out("-n", ns, "apply", "-f", "-", input=cr_yaml(group, "patched"))
    assert kubectl.out("-n", ns, "patch", "crontab", "patched", "--type", "merge", "-p",
                       '{"spec":{"image":"redis"}}') == f"crontab.{group}/patched patched\n"
    assert kubectl.out("-n", ns, "patch", "crontab", "patched", "--type", "json", "-p",
                       '[{"op":"replace","path":"/spec/replicas","value":3}]') == f"crontab.{group}/patched patched\n"
    proc = kubectl.run("-n", ns, "patch", "crontab", "patched", "--type", "strategic", "-p",
                       '{"spec":{"image":"x"}}', check=False)
    assert proc.returncode != 0
    assert ("the body of the request was in an unknown format - accepted media types include: "
            "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml") in proc.stderr
    obj = json.loads(kubectl.out("-n", ns, "get", "crontab", "patched", "-o", "json"))
    assert obj["spec"]["image"] == "redis" and obj["spec"]["replicas"] == 3 and obj["metadata"]["generation"] == 3


def test_validation_errors(kubectl, crontabs):
    group, ns = crontabs
    proc = kubectl.run("-n", ns, "apply", "-f", "-", input=cr_yaml(group, "bad", replicas=0), check=False)
    assert proc.returncode != 0
    assert (f'The CronTab "bad" is invalid: spec.replicas: Invalid value: 0: spec.replicas in body should be '
            "greater than or equal to 1") in proc.stderr
    proc = kubectl.run("-n", ns, "apply", "-f", "-", input=cr_yaml(group, "typo", extra="  imagee: x\n"),
                       check=False)
    assert proc.returncode != 0 and 'unknown field "spec.imagee"' in proc.stderr


def test_delete_and_crd_cleanup(kubectl, crontabs, tmp_path):
    group, ns = crontabs
    kubectl.out("-n", ns, "apply", "-f", "-", input=cr_yaml(group, "doomed"))
    assert kubectl.out("-n", ns, "delete", "crontab", "doomed") == f'crontab.{group} "doomed" deleted\n'
    kubectl.out("-n", ns, "apply", "-f", "-", input=cr_yaml(group, "left"))
    # A CRD of its own, so the other tests keep theirs.
    other = f"d{uuid.uuid4().hex[:8]}.example.com"
    kubectl.out("apply", "-f", "-", input=crd_yaml(other))
    kubectl.out("-n", ns, "apply", "-f", "-", input=cr_yaml(other, "gone"))
    assert kubectl.out("delete", "crd", f"crontabs.{other}") == \
        f'customresourcedefinition.apiextensions.k8s.io "crontabs.{other}" deleted\n'
    # kubectl waits for the deletion: the CRD and its objects are gone, the other CRD's stay.
    assert kubectl.run("get", "crd", f"crontabs.{other}", check=False).returncode != 0
    assert kubectl.run("-n", ns, "get", f"crontabs.{other}", check=False).returncode != 0
    assert f"crontab.{group}/left\n" in kubectl.out("-n", ns, "get", f"crontabs.{group}", "-o", "name")


def test_dynamic_client(server, crontabs):
    kubernetes = pytest.importorskip("kubernetes")
    from kubernetes import config, dynamic

    group, ns = crontabs
    api_client = config.new_client_from_config(config_file=str(server.kubeconfig))
    client = dynamic.DynamicClient(api_client)
    crontab = client.resources.get(api_version=f"{group}/v1", kind="CronTab")
    created = crontab.create(namespace=ns, body={"apiVersion": f"{group}/v1", "kind": "CronTab",
                                                 "metadata": {"name": "dynamic"},
                                                 "spec": {"cronSpec": "* * * * *"}})
    assert created.spec.replicas == 1
    patched = crontab.patch(namespace=ns, name="dynamic", body={"spec": {"image": "x"}},
                            content_type="application/merge-patch+json")
    assert patched.spec.image == "x" and patched.metadata.generation == 2
    names = [item.metadata.name for item in crontab.get(namespace=ns).items]
    assert "dynamic" in names
    status = crontab.status.patch(namespace=ns, name="dynamic", body={"status": {"phase": "Done"}},
                                  content_type="application/merge-patch+json")
    assert status.status.phase == "Done"
    with pytest.raises(kubernetes.client.exceptions.ApiException) as exc:
        crontab.patch(namespace=ns, name="dynamic", body={"spec": {"image": "y"}})  # strategic by default
    assert exc.value.status == 415
    crontab.delete(namespace=ns, name="dynamic")

    def names():
        return [item.metadata.name for item in crontab.get(namespace=ns).items]

    assert wait_for(lambda: "dynamic" not in names(), timeout=5), names()
