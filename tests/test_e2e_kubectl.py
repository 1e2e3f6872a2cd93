"""End to end: the real kubectl against the running server.

Every test runs with kubectl 1.32 ($KUBECTL, protobuf request bodies) and
with an older one ($KUBECTL_OLD, JSON bodies) when it is there. Expected
output is what kubectl prints against kube-apiserver v1.32.
"""
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


@pytest.fixture
def ns(kubectl):
    name = f"e2e-{kubectl.label.lower().replace('_', '-')}-{uuid.uuid4().hex[:6]}"
    assert kubectl.out("create", "namespace", name) == f"namespace/{name} created\n"
    return name


def header(output):
    return output.splitlines()[0].split()


def rows(output):
    return [line.split() for line in output.splitlines()[1:] if line.strip()]


def squeeze(text):
    """Describe output with runs of blanks made one (column widths vary by kubectl version)."""
    return "\n".join(" ".join(line.split()) for line in text.splitlines())


# ---------------------------------------------------------------- version
def test_version(kubectl):
    info = json.loads(kubectl.out("version", "-o", "json"))
    server = info["serverVersion"]
    assert server["major"] == "1" and server["minor"] == "32"
    assert server["gitVersion"].startswith("v1.32.")
    assert "warning" not in kubectl.run("version", "-o", "json").stderr.lower() or kubectl.label == "KUBECTL_OLD"


# ----------------------------------------------------------------- create
CREATES = [
    (["create", "configmap", "cfg", "--from-literal=color=blue", "--from-literal=size=L"], "configmap/cfg created"),
    (["create", "secret", "generic", "sec", "--from-literal=password=hunter2"], "secret/sec created"),
    (["create", "serviceaccount", "robot"], "serviceaccount/robot created"),
    (["create", "deployment", "web", "--image=nginx:1.27", "--replicas=2"], "deployment.apps/web created"),
    (["create", "service", "clusterip", "web", "--tcp=80:8080"], "service/web created"),
    (["create", "job", "once", "--image=busybox", "--", "true"], "job.batch/once created"),
    (["create", "cronjob", "tick", "--image=busybox", "--schedule=*/5 * * * *", "--", "date"],
     "cronjob.batch/tick created"),
    (["create", "poddisruptionbudget", "web-pdb", "--selector=app=web", "--min-available=1"],
     "poddisruptionbudget.policy/web-pdb created"),
    (["create", "quota", "small", "--hard=pods=10,services=5"], "resourcequota/small created"),
    (["create", "ingress", "web", "--rule=example.com/=web:80"], "ingress.networking.k8s.io/web created"),
]


def test_create(kubectl, ns):
    for args, expected in CREATES:
        assert kubectl.out(*args, namespace=ns) == expected + "\n"
    name = f"prio-{uuid.uuid4().hex[:6]}"
    assert kubectl.out("create", "priorityclass", name, "--value=1000", "--description=test") == \
        f"priorityclass.scheduling.k8s.io/{name} created\n"

    cfg = kubectl.json("get", "configmap", "cfg", namespace=ns)
    assert cfg["data"] == {"color": "blue", "size": "L"}
    sec = kubectl.json("get", "secret", "sec", namespace=ns)
    assert sec["type"] == "Opaque" and sec["data"] == {"password": "aHVudGVyMg=="}
    deploy = kubectl.json("get", "deployment", "web", namespace=ns)
    assert deploy["spec"]["replicas"] == 2 and deploy["metadata"]["generation"] == 1
    assert deploy["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.27"
    assert deploy["spec"]["strategy"]["type"] == "RollingUpdate"  # defaulted by the server
    svc = kubectl.json("get", "service", "web", namespace=ns)
    assert svc["spec"]["clusterIP"] and svc["spec"]["ports"][0]["targetPort"] == 8080
    job = kubectl.json("get", "job", "once", namespace=ns)
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"
    assert kubectl.json("get", "cronjob", "tick", namespace=ns)["spec"]["schedule"] == "*/5 * * * *"
    assert kubectl.json("get", "pdb", "web-pdb", namespace=ns)["spec"]["minAvailable"] == 1
    assert kubectl.json("get", "quota", "small", namespace=ns)["spec"]["hard"] == {"pods": "10", "services": "5"}
    ing = kubectl.json("get", "ingress", "web", namespace=ns)
    assert ing["spec"]["rules"][0]["host"] == "example.com"
    assert kubectl.json("get", "priorityclass", name)["value"] == 1000

    # Server-side columns, as kube-apiserver v1.32 prints them.
    tables = kubectl.out("get", "cm,secret,sa,deploy,svc,job,cj,pdb,quota,ing", namespace=ns).split("\n\n")
    by_kind = {rows(t)[0][0].split("/")[0]: (header(t), {r[0].split("/")[1]: r[1:] for r in rows(t)})
               for t in tables}
    expected = {
        "configmap": ["NAME", "DATA", "AGE"],
        "secret": ["NAME", "TYPE", "DATA", "AGE"],
        "serviceaccount": ["NAME", "SECRETS", "AGE"],
        "deployment.apps": ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"],
        "service": ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"],
        "job.batch": ["NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE"],
        "cronjob.batch": ["NAME", "SCHEDULE", "TIMEZONE", "SUSPEND", "ACTIVE", "LAST", "SCHEDULE", "AGE"],
        "poddisruptionbudget.policy": ["NAME", "MIN", "AVAILABLE", "MAX", "UNAVAILABLE", "ALLOWED", "DISRUPTIONS",
                                       "AGE"],
        "resourcequota": ["NAME", "REQUEST", "LIMIT", "AGE"],
        "ingress.networking.k8s.io": ["NAME", "CLASS", "HOSTS", "ADDRESS", "PORTS", "AGE"],
    }
    assert {k: v[0] for k, v in by_kind.items()} == expected
    assert by_kind["configmap"][1]["cfg"][0] == "2"
    assert by_kind["secret"][1]["sec"][:2] == ["Opaque", "1"]
    assert by_kind["serviceaccount"][1]["robot"][0] == "0"
    assert by_kind["deployment.apps"][1]["web"][:3] == ["0/2", "0", "0"]
    assert by_kind["service"][1]["web"][0] == "ClusterIP" and by_kind["service"][1]["web"][2:4] == ["<none>", "80/TCP"]
    assert by_kind["job.batch"][1]["once"][:2] == ["Running", "0/1"]
    assert by_kind["cronjob.batch"][1]["tick"][:9] == ["*/5", "*", "*", "*", "*", "<none>", "False", "0", "<none>"]
    assert by_kind["poddisruptionbudget.policy"][1]["web-pdb"][:3] == ["1", "N/A", "0"]
    assert by_kind["ingress.networking.k8s.io"][1]["web"][:3] == ["<none>", "example.com", "80"]

    # Creating again: AlreadyExists, as upstream words it.
    proc = kubectl.run("create", "configmap", "cfg", namespace=ns, check=False)
    assert proc.returncode == 1
    assert 'configmaps "cfg" already exists' in proc.stderr
    assert kubectl.out("delete", "priorityclass", name) == f'priorityclass.scheduling.k8s.io "{name}" deleted\n'


def test_create_sends_protobuf_from_new_kubectl(kubectl, ns):
    """kubectl 1.32 posts built-in kinds as protobuf, older ones as JSON."""
    proc = kubectl.run("create", "configmap", "wire", "--from-literal=a=b", "-v=8", namespace=ns)
    sent = [line.split("Content-Type:")[1].strip() for line in proc.stderr.splitlines()
            if "Content-Type:" in line and "round_trippers.go:4" in line]
    assert sent, proc.stderr
    expected = "application/vnd.kubernetes.protobuf" if kubectl.label == "KUBECTL" else "application/json"
    assert sent[0] == expected
    assert kubectl.json("get", "configmap", "wire", namespace=ns)["data"] == {"a": "b"}


def test_create_errors(kubectl, ns, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: Bad_Name}\ndata: {a: b}\n")
    proc = kubectl.run("create", "-f", str(bad), namespace=ns, check=False)
    assert proc.returncode == 1
    assert 'The ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": ' in proc.stderr
    proc = kubectl.run("create", "configmap", "x", namespace="does-not-exist", check=False)
    assert 'namespaces "does-not-exist" not found' in proc.stderr
    proc = kubectl.run("get", "configmap", "nope", namespace=ns, check=False)
    assert proc.returncode == 1
    assert proc.stderr.strip() == 'Error from server (NotFound): configmaps "nope" not found'


# ------------------------------------------------------------------ apply
APPLY = """\
apiVersion: v1
kind: Pod
metadata: {name: web, labels: {app: web, tier: front}}
spec:
  containers: [{name: c, image: nginx, ports: [{containerPort: 80}]}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, labels: {app: web}}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, image: nginx}]}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {selector: {app: web}, ports: [{port: 80, targetPort: 80}]}
---
apiVersion: autoscaling/v1
kind: HorizontalPodAutoscaler
metadata: {name: web-v1}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 1
  maxReplicas: 5
  targetCPUUtilizationPercentage: 70
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web-v2}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 1
  maxReplicas: 4
  metrics:
  - type: Resource
    resource: {name: memory, target: {type: AverageValue, averageValue: 100Mi}}
"""
APPLIED = ["pod/web", "deployment.apps/web", "service/web", "horizontalpodautoscaler.autoscaling/web-v1",
           "horizontalpodautoscaler.autoscaling/web-v2"]


def test_apply_new_objects(kubectl, ns, tmp_path):
    manifest = tmp_path / "app.yaml"
    manifest.write_text(APPLY)
    out = kubectl.out("apply", "-f", str(manifest), namespace=ns)
    assert out.splitlines() == [f"{name} created" for name in APPLIED]
    out = kubectl.out("apply", "-f", str(manifest), namespace=ns)
    assert out.splitlines() == [f"{name} unchanged" for name in APPLIED]

    pod = kubectl.json("get", "pod", "web", namespace=ns)
    last = json.loads(pod["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"])
    assert last["metadata"]["name"] == "web" and last["kind"] == "Pod"
    assert pod["spec"]["containers"][0]["terminationMessagePolicy"] == "File"  # server defaults
    assert pod["status"]["phase"] == "Pending"

    # The v1 HPA reads back through v2 and the other way round.
    v1_as_v2 = kubectl.json("get", "horizontalpodautoscalers.v2.autoscaling", "web-v1", namespace=ns)
    assert v1_as_v2["apiVersion"] == "autoscaling/v2"
    assert v1_as_v2["spec"]["metrics"] == [{"type": "Resource", "resource": {
        "name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}}}]
    v1 = kubectl.json("get", "horizontalpodautoscalers.v1.autoscaling", "web-v1", namespace=ns)
    assert v1["apiVersion"] == "autoscaling/v1" and v1["spec"]["targetCPUUtilizationPercentage"] == 70
    hpa = kubectl.out("get", "hpa", namespace=ns)
    assert header(hpa) == ["NAME", "REFERENCE", "TARGETS", "MINPODS", "MAXPODS", "REPLICAS", "AGE"]
    assert [r[:2] for r in rows(hpa)] == [["web-v1", "Deployment/web"], ["web-v2", "Deployment/web"]]
    assert "cpu: <unknown>/70%" in hpa and "memory: <unknown>/100Mi" in hpa


# -------------------------------------------------------------------- get
@pytest.fixture
def populated(kubectl, ns, tmp_path):
    manifest = tmp_path / "app.yaml"
    manifest.write_text(APPLY)
    kubectl.out("apply", "-f", str(manifest), namespace=ns)
    kubectl.out("create", "-f", "-", namespace=ns, input=yaml.safe_dump(
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "plain", "labels": {"team": "blue"}},
         "data": {"a": "b"}}))
    return ns


def test_get_tables(kubectl, populated):
    ns = populated
    pods = kubectl.out("get", "pods", namespace=ns)
    assert header(pods) == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    assert rows(pods)[0][:4] == ["web", "0/1", "Pending", "0"]
    wide = kubectl.out("get", "pods", "-o", "wide", namespace=ns)
    assert header(wide) == ["NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE", "NOMINATED", "NODE",
                            "READINESS", "GATES"]
    deploy = kubectl.out("get", "deploy", "-o", "wide", namespace=ns)
    assert header(deploy) == ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE", "CONTAINERS", "IMAGES", "SELECTOR"]
    assert rows(deploy)[0][:4] == ["web", "0/2", "0", "0"] and rows(deploy)[0][5:] == ["c", "nginx", "app=web"]
    svc = kubectl.out("get", "svc", "web", namespace=ns)
    assert header(svc) == ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"]
    assert rows(svc)[0][1] == "ClusterIP" and rows(svc)[0][3:5] == ["<none>", "80/TCP"]
    cms = kubectl.out("get", "cm", namespace=ns)
    assert header(cms) == ["NAME", "DATA", "AGE"]
    assert [r[:2] for r in rows(cms)] == [["kube-root-ca.crt", "1"], ["plain", "1"]] or \
        [r[:2] for r in rows(cms)] == [["plain", "1"]]
    every = kubectl.out("get", "all", namespace=ns)
    for name in ("pod/web", "service/web", "deployment.apps/web", "horizontalpodautoscaler.autoscaling/web-v1"):
        assert name in every
    ns_table = kubectl.out("get", "ns", ns)
    assert header(ns_table) == ["NAME", "STATUS", "AGE"] and rows(ns_table)[0][:2] == [ns, "Active"]


def test_get_output_formats(kubectl, populated):
    ns = populated
    as_yaml = yaml.safe_load(kubectl.out("get", "deployment", "web", "-o", "yaml", namespace=ns))
    assert as_yaml["kind"] == "Deployment" and as_yaml["metadata"]["namespace"] == ns
    as_json = kubectl.json("get", "deployment", "web", namespace=ns)
    assert as_json["metadata"]["uid"] == as_yaml["metadata"]["uid"]
    listed = kubectl.json("get", "pods,svc", namespace=ns)
    assert listed["kind"] == "List" and sorted(i["kind"] for i in listed["items"]) == ["Pod", "Service"]
    names = kubectl.out("get", "deploy,svc,hpa", "-o", "name", namespace=ns).split()
    assert names == ["deployment.apps/web", "service/web", "horizontalpodautoscaler.autoscaling/web-v1",
                     "horizontalpodautoscaler.autoscaling/web-v2"]
    assert kubectl.out("get", "cm", "plain", "-o", "jsonpath={.data.a}", namespace=ns) == "b"
    custom = kubectl.out("get", "pods", "-o", "custom-columns=N:.metadata.name,IMG:.spec.containers[0].image",
                         namespace=ns)
    assert custom.splitlines()[1].split() == ["web", "nginx"]


def test_get_selectors_and_scopes(kubectl, populated):
    ns = populated
    labelled = kubectl.out("get", "cm", "-l", "team=blue", "--show-labels", namespace=ns)
    assert header(labelled) == ["NAME", "DATA", "AGE", "LABELS"]
    assert [r[0] for r in rows(labelled)] == ["plain"] and rows(labelled)[0][-1] == "team=blue"
    assert kubectl.out("get", "cm", "-l", "team!=blue", "-o", "name", namespace=ns).strip() in ("", "configmap/kube-root-ca.crt")
    assert kubectl.out("get", "pods", "-l", "app in (web),tier", "-o", "name", namespace=ns) == "pod/web\n"
    proc = kubectl.run("get", "pods", "-l", "tier=back", namespace=ns)
    assert proc.stdout == "" and proc.stderr.strip() == f"No resources found in {ns} namespace."

    every = kubectl.out("get", "pods", "-A")
    assert header(every) == ["NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    assert [ns, "web"] in [r[:2] for r in rows(every)]
    by_field = kubectl.out("get", "pods", "-A", "--field-selector", f"metadata.namespace={ns},status.phase=Pending",
                           "-o", "name")
    assert by_field == "pod/web\n"
    assert kubectl.out("get", "pods", "--field-selector", "spec.nodeName=", "-o", "name", namespace=ns) == "pod/web\n"
    proc = kubectl.run("get", "pods", "--field-selector", "spec.bogus=x", namespace=ns, check=False)
    assert proc.returncode == 1 and "field label not supported: spec.bogus" in proc.stderr
    assert kubectl.out("get", "ns", "--field-selector", f"metadata.name={ns}", "-o", "name") == f"namespace/{ns}\n"

    # kubectl pages with limit/continue (--chunk-size); the result is the same list.
    everything = kubectl.out("get", "cm,pods,svc", "-o", "name", namespace=ns)
    assert kubectl.out("get", "cm,pods,svc", "-o", "name", "--chunk-size=1", namespace=ns) == everything
    assert "configmap/plain" in everything.split() and "pod/web" in everything.split()
    proc = kubectl.run("get", "--raw", f"/api/v1/namespaces/{ns}/configmaps/nope", check=False)
    assert proc.returncode == 1 and proc.stderr.strip() == 'Error from server (NotFound): configmaps "nope" not found'


SHORT_NAMES = {"po": "pods", "svc": "services", "deploy": "deployments", "cm": "configmaps",
               "sa": "serviceaccounts", "hpa": "horizontalpodautoscalers", "cj": "cronjobs", "ing": "ingresses",
               "pdb": "poddisruptionbudgets", "quota": "resourcequotas", "ns": "namespaces", "no": "nodes",
               "pc": "priorityclasses", "rs": "replicasets", "ds": "daemonsets", "sts": "statefulsets",
               "ev": "events", "ep": "endpoints", "pvc": "persistentvolumeclaims", "pv": "persistentvolumes",
               "limits": "limitranges", "netpol": "networkpolicies", "sc": "storageclasses", "rc":
               "replicationcontrollers"}


def test_short_names(kubectl, populated):
    # One request per kind, one kubectl run: every short name resolves through discovery.
    out = kubectl.out("get", ",".join(SHORT_NAMES), "-o", "name", namespace=populated).split()
    for name in ("pod/web", "service/web", "deployment.apps/web", "configmap/plain", f"namespace/{populated}",
                 "horizontalpodautoscaler.autoscaling/web-v1", "horizontalpodautoscaler.autoscaling/web-v2"):
        assert name in out
    assert kubectl.out("get", "po", "web", "-o", "name", namespace=populated) == "pod/web\n"
    assert kubectl.out("get", "deploy", "web", "-o", "name", namespace=populated) == "deployment.apps/web\n"


# --------------------------------------------------------------- describe
def test_describe(kubectl, ns, tmp_path, server):
    node = f"node-{uuid.uuid4().hex[:6]}"
    manifest = tmp_path / "objects.yaml"
    manifest.write_text(f"""\
apiVersion: v1
kind: Node
metadata: {{name: {node}, labels: {{kubernetes.io/hostname: {node}}}}}
spec: {{podCIDR: 10.244.7.0/24}}
---
apiVersion: v1
kind: Pod
metadata: {{name: api, labels: {{app: api}}}}
spec:
  nodeName: {node}
  containers:
  - name: c
    image: nginx
    resources: {{requests: {{cpu: 100m, memory: 64Mi}}, limits: {{cpu: 200m, memory: 128Mi}}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: api}}
spec:
  selector: {{matchLabels: {{app: api}}}}
  template:
    metadata: {{labels: {{app: api}}}}
    spec: {{containers: [{{name: c, image: nginx}}]}}
---
apiVersion: v1
kind: Service
metadata: {{name: api}}
spec: {{selector: {{app: api}}, ports: [{{port: 443, targetPort: 8443}}]}}
---
apiVersion: v1
kind: ResourceQuota
metadata: {{name: q}}
spec: {{hard: {{pods: "10"}}}}
""")
    kubectl.out("apply", "-f", str(manifest), namespace=ns)
    # What a kubelet would report, through /status.
    current = kubectl.json("get", "node", node)
    current["status"] = {
        "capacity": {"cpu": "4", "memory": "8Gi", "pods": "110"},
        "allocatable": {"cpu": "4", "memory": "8Gi", "pods": "110"},
        "addresses": [{"type": "InternalIP", "address": "192.0.2.10"}, {"type": "Hostname", "address": node}],
        "nodeInfo": {"kubeletVersion": "v1.32.0", "architecture": "amd64", "operatingSystem": "linux",
                     "osImage": "Test OS", "kernelVersion": "6.1", "containerRuntimeVersion": "containerd://1.7",
                     "kubeProxyVersion": "", "machineID": "m", "systemUUID": "s", "bootID": "b"},
    }
    code, _, body = server.request("PUT", f"/api/v1/nodes/{node}/status", json.dumps(current).encode(),
                                   {"Content-Type": "application/json"})
    assert code == 200, body
    pod_uid = kubectl.json("get", "pod", "api", namespace=ns)["metadata"]["uid"]
    events = tmp_path / "events.yaml"
    events.write_text(f"""\
apiVersion: v1
kind: Event
metadata: {{name: api.1}}
involvedObject: {{kind: Pod, name: api, namespace: {ns}, uid: {pod_uid}, apiVersion: v1}}
reason: Scheduled
message: Successfully assigned {ns}/api to {node}
type: Normal
source: {{component: default-scheduler}}
count: 1
firstTimestamp: "2026-01-01T00:00:00Z"
lastTimestamp: "2026-01-01T00:00:00Z"
""")
    kubectl.out("create", "-f", str(events), namespace=ns)

    pod = kubectl.run("describe", "pod", "api", namespace=ns)
    assert pod.stderr == ""
    text = squeeze(pod.stdout)
    for line in ("Name: api", f"Namespace: {ns}", f"Node: {node}/", "Labels: app=api", "Status: Pending",
                 "QoS Class: Burstable", "Limits:\ncpu: 200m\nmemory: 128Mi\nRequests:\ncpu: 100m"):
        assert line in text, text
    assert "Events:" in text and "Scheduled" in text and f"Successfully assigned {ns}/api to {node}" in text

    deploy = kubectl.run("describe", "deployment", "api", namespace=ns)
    assert deploy.stderr == ""
    for line in ("Name: api", "Selector: app=api",
                 "Replicas: 1 desired | 0 updated | 0 total | 0 available | 0 unavailable",
                 "StrategyType: RollingUpdate", "RollingUpdateStrategy: 25% max unavailable, 25% max surge"):
        assert line in squeeze(deploy.stdout), deploy.stdout

    svc = kubectl.run("describe", "service", "api", namespace=ns)
    assert svc.stderr == ""
    for line in ("Name: api", "Selector: app=api", "Type: ClusterIP", "Port: <unset> 443/TCP",
                 "TargetPort: 8443/TCP", "Endpoints: <none>", "Session Affinity: None"):
        assert line in squeeze(svc.stdout), svc.stdout

    space = kubectl.run("describe", "namespace", ns)
    assert space.stderr == ""
    text = squeeze(space.stdout)
    assert f"Name: {ns}" in text and "Status: Active" in text
    assert "Resource Quotas" in text and "Name: q" in text
    assert "No LimitRange resource." in text

    described = kubectl.run("describe", "node", node)
    assert described.stderr == ""
    text = squeeze(described.stdout)
    assert f"Name: {node}" in text and "PodCIDR: 10.244.7.0/24" in text
    assert "Non-terminated Pods: (1 in total)" in text
    assert f"{ns} api 100m (2%) 200m (5%) 64Mi (0%) 128Mi (1%)" in text, described.stdout
    assert "InternalIP: 192.0.2.10" in text and "Kubelet Version: v1.32.0" in text
    nodes = kubectl.out("get", "node", node, "-o", "wide")
    assert header(nodes) == ["NAME", "STATUS", "ROLES", "AGE", "VERSION", "INTERNAL-IP", "EXTERNAL-IP", "OS-IMAGE",
                             "KERNEL-VERSION", "CONTAINER-RUNTIME"]
    assert rows(nodes)[0][:3] == [node, "Unknown", "<none>"] and "192.0.2.10" in rows(nodes)[0]
    kubectl.out("delete", "node", node)


# ----------------------------------------------------------------- delete
def test_delete(kubectl, ns):
    for i in range(3):
        labels = {"group": "x"} if i else {}
        kubectl.out("create", "-f", "-", namespace=ns, input=json.dumps(
            {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"c{i}", "labels": labels},
             "data": {"a": "b"}}))
    assert kubectl.out("delete", "configmap", "c0", namespace=ns) == 'configmap "c0" deleted\n'
    assert sorted(kubectl.out("delete", "configmap", "-l", "group=x", namespace=ns).splitlines()) == [
        'configmap "c1" deleted', 'configmap "c2" deleted']
    kubectl.out("run", "runner", "--image=nginx", "--restart=Never", namespace=ns)
    assert kubectl.out("delete", "pod", "runner", namespace=ns) == 'pod "runner" deleted\n'
    proc = kubectl.run("delete", "configmap", "c0", namespace=ns, check=False)
    assert proc.returncode == 1
    assert proc.stderr.strip() == 'Error from server (NotFound): configmaps "c0" not found'
    assert kubectl.out("delete", "configmap", "c0", "--ignore-not-found", namespace=ns) == ""


def test_delete_namespace(kubectl, ns):
    kubectl.out("create", "configmap", "inside", "--from-literal=a=b", namespace=ns)
    kubectl.out("create", "deployment", "inside", "--image=nginx", namespace=ns)
    assert kubectl.out("delete", "namespace", ns, "--wait=false") == f'namespace "{ns}" deleted\n'

    def gone():
        proc = kubectl.run("get", "namespace", ns, check=False)
        return proc.returncode == 1 and f'namespaces "{ns}" not found' in proc.stderr

    assert wait_for(gone), kubectl.run("get", "namespace", ns, "-o", "yaml", check=False).stdout
    proc = kubectl.run("get", "configmap", "inside", namespace=ns, check=False)
    assert f'namespaces "{ns}" not found' in proc.stderr  # kubectl looks the namespace up after a 404


# ------------------------------------------------------------- discovery
def test_api_resources(kubectl):
    out = kubectl.out("api-resources")
    assert header(out) == ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"]
    table = {tuple(r[:1] + r[-3:]) for r in rows(out)}
    for entry in [("pods", "v1", "true", "Pod"), ("namespaces", "v1", "false", "Namespace"),
                  ("deployments", "apps/v1", "true", "Deployment"), ("cronjobs", "batch/v1", "true", "CronJob"),
                  ("horizontalpodautoscalers", "autoscaling/v2", "true", "HorizontalPodAutoscaler"),
                  ("ingresses", "networking.k8s.io/v1", "true", "Ingress"),
                  ("priorityclasses", "scheduling.k8s.io/v1", "false", "PriorityClass")]:
        assert entry in table
    assert "pods                       po " in out or any(r[:3] == ["pods", "po", "v1"] for r in rows(out))
    cluster = kubectl.out("api-resources", "--namespaced=false", "-o", "name").split()
    assert "namespaces" in cluster and "nodes" in cluster and "configmaps" not in cluster
    apps = kubectl.out("api-resources", "--api-group=apps", "-o", "name").split()
    assert sorted(apps) == ["controllerrevisions.apps", "daemonsets.apps", "deployments.apps", "replicasets.apps",
                            "statefulsets.apps"] or sorted(apps) == ["daemonsets.apps", "deployments.apps",
                                                                     "replicasets.apps", "statefulsets.apps"]


def test_api_versions(kubectl):
    versions = kubectl.out("api-versions").split()
    for gv in ("v1", "apps/v1", "batch/v1", "autoscaling/v1", "autoscaling/v2", "networking.k8s.io/v1",
               "policy/v1", "scheduling.k8s.io/v1"):
        assert gv in versions
    assert versions == sorted(versions)


def test_explain(kubectl):
    out = kubectl.out("explain", "pods.spec.containers")
    assert "KIND:" in out and "Pod" in out and "VERSION:" in out
    assert "containers <[]Container>" in out or "RESOURCE: containers <[]Object>" in out
    assert "image\t<string>" in out or "image <string>" in out
    strategy = kubectl.out("explain", "deployment.spec.strategy")
    assert "rollingUpdate" in strategy and "type" in strategy and "apps" in strategy
    if kubectl.label == "KUBECTL":
        assert out.startswith("KIND:       Pod\nVERSION:    v1\n\nFIELD: containers <[]Container>\n")
        assert strategy.startswith("GROUP:      apps\nKIND:       Deployment\nVERSION:    v1\n\n"
                                   "FIELD: strategy <DeploymentStrategy>\n")
    proc = kubectl.run("explain", "pods.spec.nothing", check=False)
    assert proc.returncode == 1 and 'field "nothing" does not exist' in proc.stderr
