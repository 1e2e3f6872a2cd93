"""LimitRanger and ResourceQuota admission against the running server:
defaults and their annotation, min/max/ratio refusals, quota counts and
compute resources with upstream's messages, status kept current by the
background loop, charges that hold under concurrent creates."""
import threading

import pytest

from tests.conftest import start_server, wait_for
from tests.harness.client import API, unique
from tests.kubectl import Kubectl, require_kubectl


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A server of its own: the quota loop writes statuses after these tests,
    which would move the revision under other modules' tests."""
    srv, stop = start_server(tmp_path_factory.mktemp("quota"))
    yield srv
    stop()


@pytest.fixture(scope="module")
def api(server):
    return API(server)


@pytest.fixture
def ns(api):
    return api.create_namespace(unique("quota"))


def pod(name, *containers, **spec):
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"containers": list(containers) or [{"name": "c", "image": "nginx"}], **spec}}


def container(name="c", requests=None, limits=None):
    resources = {k: v for k, v in (("requests", requests), ("limits", limits)) if v}
    return {"name": name, "image": "nginx", **({"resources": resources} if resources else {})}


def limit_range(api, ns, *limits):
    code, body = api.post(f"/api/v1/namespaces/{ns}/limitranges", {
        "apiVersion": "v1", "kind": "LimitRange", "metadata": {"name": "limits"}, "spec": {"limits": list(limits)}})
    assert code == 201, body


def quota(api, ns, hard, name="q", **spec):
    code, body = api.post(f"/api/v1/namespaces/{ns}/resourcequotas", {
        "apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": name}, "spec": {"hard": hard, **spec}})
    assert code == 201, body
    # Filled at creation (upstream: by the controller, a moment later).
    assert body["status"]["hard"] == body["spec"]["hard"]
    assert set(body["status"].get("used") or {}) == set(body["spec"]["hard"]) - {"foo"}
    return body["status"]


def status_of(api, ns, name, predicate):
    code, body = api.get(f"/api/v1/namespaces/{ns}/resourcequotas/{name}")
    assert code == 200, body
    status = body.get("status") or {}
    return status if predicate(status) else None


def wait_used(api, ns, name, resource, value):
    status = wait_for(lambda: status_of(api, ns, name, lambda s: (s.get("used") or {}).get(resource) == value))
    assert status, f"timed out waiting for {name}.status.used[{resource}] == {value}"
    return status


def forbidden(code, body, message):
    assert code == 403, body
    assert body["reason"] == "Forbidden", body
    assert body["message"] == message


# ---------------------------------------------------------------- LimitRanger
def test_limit_range_defaults_and_annotation(api, ns):
    limit_range(api, ns, {"type": "Container", "default": {"cpu": "500m", "memory": "256Mi"},
                          "defaultRequest": {"cpu": "100m"}})
    code, body = api.post(f"/api/v1/namespaces/{ns}/pods", pod(
        "p", container("a"), container("b", requests={"memory": "64Mi"}, limits={"cpu": "1"}),
        initContainers=[container("init")]))
    assert code == 201, body
    a, b = body["spec"]["containers"]
    assert a["resources"] == {"requests": {"cpu": "100m", "memory": "256Mi"}, "limits": {"cpu": "500m", "memory": "256Mi"}}
    # b's cpu request came from its limit (pod defaulting), before the LimitRanger ran.
    assert b["resources"] == {"requests": {"cpu": "1", "memory": "64Mi"}, "limits": {"cpu": "1", "memory": "256Mi"}}
    assert body["spec"]["initContainers"][0]["resources"]["limits"] == {"cpu": "500m", "memory": "256Mi"}
    assert body["metadata"]["annotations"]["kubernetes.io/limit-ranger"] == (
        "LimitRanger plugin set: cpu, memory request for container a; cpu, memory limit for container a; "
        "memory limit for container b; cpu, memory request for init container init; "
        "cpu, memory limit for init container init")
    assert body["status"]["qosClass"] == "Burstable"


def test_limit_range_default_from_max_makes_guaranteed(api, ns):
    # LimitRange defaulting: max → default → defaultRequest.
    limit_range(api, ns, {"type": "Container", "max": {"cpu": "1", "memory": "1Gi"}})
    code, body = api.get(f"/api/v1/namespaces/{ns}/limitranges/limits")
    assert body["spec"]["limits"][0]["defaultRequest"] == {"cpu": "1", "memory": "1Gi"}
    code, body = api.post(f"/api/v1/namespaces/{ns}/pods", pod("p"))
    assert code == 201, body
    assert body["spec"]["containers"][0]["resources"]["limits"] == {"cpu": "1", "memory": "1Gi"}
    assert body["status"]["qosClass"] == "Guaranteed"


def test_limit_range_min_max_ratio(api, ns):
    limit_range(api, ns,
                {"type": "Container", "max": {"cpu": "500m"}, "min": {"memory": "64Mi"},
                 "maxLimitRequestRatio": {"memory": "2"}, "default": {"cpu": "200m", "memory": "128Mi"}},
                {"type": "Pod", "max": {"cpu": "1200m"}})
    url = f"/api/v1/namespaces/{ns}/pods"
    code, body = api.post(url, pod("x", container(limits={"cpu": "1"})))
    forbidden(code, body, 'pods "x" is forbidden: maximum cpu usage per Container is 500m, but limit is 1')
    code, body = api.post(url, pod("x", container(requests={"memory": "32Mi"})))
    forbidden(code, body, 'pods "x" is forbidden: [minimum memory usage per Container is 64Mi, but request is 32Mi, '
                          'memory max limit to request ratio per Container is 2, but provided ratio is 4.000000]')
    code, body = api.post(url, pod("x", container(requests={"memory": "100Mi"}, limits={"memory": "300Mi"})))
    forbidden(code, body, 'pods "x" is forbidden: memory max limit to request ratio per Container is 2, '
                          'but provided ratio is 3.000000')
    half = container(limits={"cpu": "500m"})
    code, body = api.post(url, pod("x", {**half, "name": "a"}, {**half, "name": "b"}, {**half, "name": "c"}))
    forbidden(code, body, 'pods "x" is forbidden: maximum cpu usage per Pod is 1200m, but limit is 1500m')
    code, body = api.post(url, pod("ok", container("a"), container("b", limits={"cpu": "400m"})))
    assert code == 201, body


def test_limit_range_persistent_volume_claims(api, ns):
    limit_range(api, ns, {"type": "PersistentVolumeClaim", "min": {"storage": "1Gi"}, "max": {"storage": "2Gi"}})

    def claim(name, size):
        return {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": name},
                "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": size}}}}

    url = f"/api/v1/namespaces/{ns}/persistentvolumeclaims"
    forbidden(*api.post(url, claim("big", "5Gi")), 'persistentvolumeclaims "big" is forbidden: '
              "maximum storage usage per PersistentVolumeClaim is 2Gi, but request is 5Gi")
    forbidden(*api.post(url, claim("small", "500Mi")), 'persistentvolumeclaims "small" is forbidden: '
              "minimum storage usage per PersistentVolumeClaim is 1Gi, but request is 500Mi")
    code, body = api.post(url, claim("ok", "1Gi"))
    assert code == 201, body
    body["spec"]["resources"]["requests"]["storage"] = "3Gi"
    forbidden(*api.put(f"{url}/ok", body), 'persistentvolumeclaims "ok" is forbidden: '
              "maximum storage usage per PersistentVolumeClaim is 2Gi, but request is 3Gi")


# ------------------------------------------------------------- ResourceQuota
def test_quota_counts_and_release(api, ns):
    status = quota(api, ns, {"configmaps": "3", "count/secrets": "1", "foo": "1"})
    assert status["hard"] == {"configmaps": "3", "count/secrets": "1", "foo": "1"}
    # kube-root-ca.crt is there already; "foo" has no evaluator, so no usage.
    assert status["used"] == {"configmaps": "1", "count/secrets": "0"}
    url = f"/api/v1/namespaces/{ns}/configmaps"
    for i in range(1, 3):
        code, body = api.post(url, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"cm{i}"}})
        assert code == 201, body
    assert status_of(api, ns, "q", lambda s: True)["used"]["configmaps"] == "3"  # charged at admission
    code, body = api.post(url, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm3"}})
    forbidden(code, body, 'configmaps "cm3" is forbidden: exceeded quota: q, requested: configmaps=1, '
                          "used: configmaps=3, limited: configmaps=3")
    assert body["details"] == {"name": "cm3", "kind": "configmaps"}
    # Dry run is checked but not charged.
    code, body = api.post(f"/api/v1/namespaces/{ns}/secrets?dryRun=All",
                          {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}})
    assert code == 201, body
    assert status_of(api, ns, "q", lambda s: True)["used"]["count/secrets"] == "0"
    code, body = api.delete(f"{url}/cm1")
    assert code == 200, body
    wait_used(api, ns, "q", "configmaps", "2")
    code, body = api.post(url, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm3"}})
    assert code == 201, body


def test_quota_services(api, ns):
    quota(api, ns, {"services": "5", "services.nodeports": "2", "services.loadbalancers": "0"})
    url = f"/api/v1/namespaces/{ns}/services"

    def service(name, kind, ports):
        return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name},
                "spec": {"type": kind, "selector": {"a": "b"},
                         "ports": [{"name": f"p{i}", "port": 80 + i} for i in range(ports)]}}

    forbidden(*api.post(url, service("lb", "LoadBalancer", 1)), 'services "lb" is forbidden: exceeded quota: q, '
              "requested: services.loadbalancers=1, used: services.loadbalancers=0, limited: services.loadbalancers=0")
    forbidden(*api.post(url, service("np", "NodePort", 3)), 'services "np" is forbidden: exceeded quota: q, '
              "requested: services.nodeports=3, used: services.nodeports=0, limited: services.nodeports=2")
    code, body = api.post(url, service("np", "NodePort", 2))
    assert code == 201, body
    used = status_of(api, ns, "q", lambda s: True)["used"]
    assert used == {"services": "1", "services.nodeports": "2", "services.loadbalancers": "0"}


def test_quota_compute_resources(api, ns):
    quota(api, ns, {"pods": "3", "requests.cpu": "1", "limits.memory": "1Gi", "count/pods": "10"})
    url = f"/api/v1/namespaces/{ns}/pods"
    code, body = api.post(url, pod("x", container("c", requests={"cpu": "100m"}), container("d")))
    forbidden(code, body, 'pods "x" is forbidden: failed quota: q: must specify limits.memory for: c,d; '
                          "requests.cpu for: d")
    ok = container(requests={"cpu": "400m"}, limits={"memory": "512Mi"})
    for name in ("a", "b"):
        code, body = api.post(url, pod(name, ok))
        assert code == 201, body
    used = status_of(api, ns, "q", lambda s: True)["used"]
    assert used == {"pods": "2", "count/pods": "2", "requests.cpu": "800m", "limits.memory": "1Gi"}
    code, body = api.post(url, pod("c", ok))
    forbidden(code, body, 'pods "c" is forbidden: exceeded quota: q, requested: limits.memory=512Mi,requests.cpu=400m, '
                          "used: limits.memory=1Gi,requests.cpu=800m, limited: limits.memory=1Gi,requests.cpu=1")
    # A pod that finished no longer counts (count/pods still does).
    code, current = api.get(f"{url}/a")
    current["status"]["phase"] = "Succeeded"
    code, body = api.put(f"{url}/a/status", current)
    assert code == 200, body
    wait_used(api, ns, "q", "requests.cpu", "400m")
    used = status_of(api, ns, "q", lambda s: True)["used"]
    assert used == {"pods": "1", "count/pods": "2", "requests.cpu": "400m", "limits.memory": "512Mi"}
    code, body = api.post(url, pod("c", ok))
    assert code == 201, body


def test_quota_scopes(api, ns):
    quota(api, ns, {"pods": "1"}, name="besteffort", scopes=["BestEffort"])
    quota(api, ns, {"pods": "1"}, name="high", scopeSelector={"matchExpressions": [
        {"scopeName": "PriorityClass", "operator": "In", "values": ["high"]}]})
    url = f"/api/v1/namespaces/{ns}/pods"
    assert api.post(url, pod("be1"))[0] == 201
    forbidden(*api.post(url, pod("be2")), 'pods "be2" is forbidden: exceeded quota: besteffort, '
              "requested: pods=1, used: pods=1, limited: pods=1")
    burstable = container(requests={"cpu": "10m"})
    assert api.post(url, pod("b1", burstable))[0] == 201
    assert api.post(url, pod("b2", burstable))[0] == 201
    wait_used(api, ns, "high", "pods", "0")


def test_quota_persistent_volume_claims(api, ns):
    quota(api, ns, {"requests.storage": "3Gi", "persistentvolumeclaims": "5",
                    "gold.storageclass.storage.k8s.io/requests.storage": "1Gi"})
    url = f"/api/v1/namespaces/{ns}/persistentvolumeclaims"

    def claim(name, size, klass=None):
        spec = {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": size}}}
        if klass:
            spec["storageClassName"] = klass
        return {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": name}, "spec": spec}

    assert api.post(url, claim("a", "1Gi"))[0] == 201
    forbidden(*api.post(url, claim("b", "3Gi")), 'persistentvolumeclaims "b" is forbidden: exceeded quota: q, '
              "requested: requests.storage=3Gi, used: requests.storage=1Gi, limited: requests.storage=3Gi")
    forbidden(*api.post(url, claim("g", "1536Mi", "gold")), 'persistentvolumeclaims "g" is forbidden: exceeded quota: '
              "q, requested: gold.storageclass.storage.k8s.io/requests.storage=1536Mi, "
              "used: gold.storageclass.storage.k8s.io/requests.storage=0, "
              "limited: gold.storageclass.storage.k8s.io/requests.storage=1Gi")
    assert api.post(url, claim("g", "512Mi", "gold"))[0] == 201
    used = status_of(api, ns, "q", lambda s: True)["used"]
    assert used == {"requests.storage": "1536Mi", "persistentvolumeclaims": "2",
                    "gold.storageclass.storage.k8s.io/requests.storage": "512Mi"}


def test_quota_count_of_any_resource(api, ns):
    quota(api, ns, {"count/deployments.apps": "1"})
    url = f"/apis/apps/v1/namespaces/{ns}/deployments"

    def deployment(name):
        labels = {"app": name}
        return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
                "spec": {"selector": {"matchLabels": labels}, "template": {
                    "metadata": {"labels": labels}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}}

    assert api.post(url, deployment("a"))[0] == 201
    forbidden(*api.post(url, deployment("b")), 'deployments.apps "b" is forbidden: exceeded quota: q, '
              "requested: count/deployments.apps=1, used: count/deployments.apps=1, limited: count/deployments.apps=1")


def test_quota_count_of_custom_resource(api, ns):
    group = f"{unique('g')}.example.com"
    code, body = api.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", {
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": f"widgets.{group}"},
        "spec": {"group": group, "scope": "Namespaced",
                 "names": {"plural": "widgets", "singular": "widget", "kind": "Widget"},
                 "versions": [{"name": "v1", "served": True, "storage": True, "schema": {
                     "openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}}}]}})
    assert code == 201, body
    url = f"/apis/{group}/v1/namespaces/{ns}/widgets"
    assert wait_for(lambda: api.get(url)[0] == 200), "the CRD is not served"
    quota(api, ns, {f"count/widgets.{group}": "1"})
    widget = {"apiVersion": f"{group}/v1", "kind": "Widget", "metadata": {"name": "w1"}}
    assert api.post(url, widget)[0] == 201
    widget["metadata"]["name"] = "w2"
    forbidden(*api.post(url, widget), f'widgets.{group} "w2" is forbidden: exceeded quota: q, '
              f"requested: count/widgets.{group}=1, used: count/widgets.{group}=1, limited: count/widgets.{group}=1")
    assert api.delete(f"{url}/w1")[0] == 200
    wait_used(api, ns, "q", f"count/widgets.{group}", "0")
    assert api.post(url, widget)[0] == 201


def test_concurrent_creates_never_exceed_quota(api, ns):
    quota(api, ns, {"secrets": "5"})
    results = []

    def create(i):
        code, _ = api.post(f"/api/v1/namespaces/{ns}/secrets",
                           {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": f"race{i}"}})
        results.append(code)

    threads = [threading.Thread(target=create, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [201] * 5 + [403] * 3
    code, body = api.get(f"/api/v1/namespaces/{ns}/secrets")
    assert len(body["items"]) == 5
    assert status_of(api, ns, "q", lambda s: True)["used"] == {"secrets": "5"}


def test_quota_status_follows_spec(api, ns):
    quota(api, ns, {"resourcequotas": "2", "count/resourcequotas": "3"})
    assert status_of(api, ns, "q", lambda s: True)["used"] == {"resourcequotas": "1", "count/resourcequotas": "1"}
    code, body = api.get(f"/api/v1/namespaces/{ns}/resourcequotas/q")
    body["spec"]["hard"] = {"resourcequotas": "1", "secrets": "4"}
    assert api.put(f"/api/v1/namespaces/{ns}/resourcequotas/q", body)[0] == 200
    assert wait_for(lambda: status_of(api, ns, "q", lambda s: s.get("hard") == {"resourcequotas": "1", "secrets": "4"}
                                      and s.get("used") == {"resourcequotas": "1", "secrets": "0"})), \
        "the status did not follow the spec"
    forbidden(*api.post(f"/api/v1/namespaces/{ns}/resourcequotas", {
        "apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "q2"}, "spec": {"hard": {"pods": "1"}}}),
        'resourcequotas "q2" is forbidden: exceeded quota: q, requested: resourcequotas=1, used: resourcequotas=1, '
        "limited: resourcequotas=1")


def test_over_charge_is_corrected(api, ns):
    """A create that fails after admission charged it (the name is taken)
    leaves an over-charge that the loop gives back."""
    quota(api, ns, {"secrets": "5"})
    url = f"/api/v1/namespaces/{ns}/secrets"
    assert api.post(url, {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "a"}})[0] == 201
    assert api.post(url, {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "a"}})[0] == 409
    assert status_of(api, ns, "q", lambda s: True)["used"] == {"secrets": "2"}
    wait_used(api, ns, "q", "secrets", "1")


# ------------------------------------------------------------------- kubectl
@pytest.fixture(scope="module")
def kubectl(server, tmp_path_factory):
    return Kubectl(require_kubectl("KUBECTL"), server.kubeconfig, tmp_path_factory.mktemp("kubectl"))


def test_kubectl_describe_and_get_quota(api, ns, kubectl):
    quota(api, ns, {"pods": "4", "requests.cpu": "2", "limits.memory": "2Gi"}, name="compute")
    code, body = api.post(f"/api/v1/namespaces/{ns}/pods", pod(
        "p", container(requests={"cpu": "250m"}, limits={"memory": "512Mi"})))
    assert code == 201, body
    wait_used(api, ns, "compute", "pods", "1")
    out = kubectl.out("describe", "quota", "compute", namespace=ns)
    lines = [line.split() for line in out.splitlines()]
    assert ["Name:", "compute"] in lines and ["Namespace:", ns] in lines
    table = lines[lines.index(["Resource", "Used", "Hard"]) + 2:]
    assert table == [["limits.memory", "512Mi", "2Gi"], ["pods", "1", "4"], ["requests.cpu", "250m", "2"]]
    out = kubectl.out("get", "quota", namespace=ns)
    header, row = out.splitlines()
    assert header.split() == ["NAME", "REQUEST", "LIMIT", "AGE"]
    assert row.split()[:5] == ["compute", "pods:", "1/4,", "requests.cpu:", "250m/2"]
    assert "limits.memory: 512Mi/2Gi" in row


def test_kubectl_describe_limits(api, ns, kubectl):
    limit_range(api, ns, {"type": "Container", "max": {"cpu": "1"}, "min": {"cpu": "100m"},
                          "default": {"cpu": "500m"}, "maxLimitRequestRatio": {"cpu": "4"}})
    out = kubectl.out("describe", "limits", "limits", namespace=ns)
    lines = [line.split() for line in out.splitlines()]
    assert ["Type", "Resource", "Min", "Max", "Default", "Request", "Default", "Limit", "Max", "Limit/Request",
            "Ratio"] in lines
    assert ["Container", "cpu", "100m", "1", "500m", "500m", "4"] in lines


def test_a_quota_binds_in_every_server_process(tmp_path):
    """Admission reads which namespaces hold quotas from a per-process cache
    refreshed every second: a quota created through one process must bind
    creates served by the other too, promptly."""
    srv, stop = start_server(tmp_path, workers=2)
    try:
        if not srv.database_url.startswith("postgres"):
            pytest.skip("two server processes need PostgreSQL")
        api = API(srv)
        ns = api.create_namespace(unique("quota"))
        for i in range(20):  # both processes have looked at (and cached) this tenant's quotas
            assert api.post(f"/api/v1/namespaces/{ns}/secrets", {
                "apiVersion": "v1", "kind": "Secret", "metadata": {"name": f"warm-{i}"}})[0] == 201
        quota(api, ns, {"count/configmaps": "2"})  # kube-root-ca.crt is one already
        names = iter(range(1000))

        def refused():
            code, body = api.post(f"/api/v1/namespaces/{ns}/configmaps", {
                "apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"cm-{next(names)}"}})
            assert code in (201, 403), body
            return code == 403 and body

        body = wait_for(refused, timeout=10)
        assert body, "no create was refused by the new quota"
        assert body["message"].startswith("configmaps \"cm-") and "exceeded quota: q" in body["message"]
        # The process that did not create the quota learns of it within a
        # second; from then on every create is refused, whichever serves it.
        assert wait_for(lambda: all(refused() for _ in range(10)), timeout=10), "no ten refusals in a row"
    finally:
        stop()


def test_a_null_limit_range_item_is_refused_as_an_empty_one(api, ns):
    # Go decodes a null list element as an empty LimitRangeItem: its type is required.
    code, body = api.post(f"/api/v1/namespaces/{ns}/limitranges", {
        "apiVersion": "v1", "kind": "LimitRange", "metadata": {"name": "nulls"}, "spec": {"limits": [None]}})
    assert code == 422, body
    assert [(c["field"], c["reason"]) for c in body["details"]["causes"]] == [("spec.limits[0].type", "FieldValueRequired")]
    code, body = api.post(f"/api/v1/namespaces/{ns}/pods", pod("after-null"))
    assert code == 201, body
