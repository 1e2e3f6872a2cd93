"""End to end: the official ``kubernetes`` Python client against the running
server — the typed APIs (which deserialise into strict models) and the
dynamic client (which reads discovery)."""
import json
import uuid

import pytest

kubernetes = pytest.importorskip("kubernetes")
from kubernetes import client, config, dynamic  # noqa: E402
from kubernetes.client.rest import ApiException  # noqa: E402

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def api_client(server):
    configuration = client.Configuration()
    config.load_kube_config(config_file=str(server.kubeconfig), client_configuration=configuration)
    with client.ApiClient(configuration) as api:
        yield api


@pytest.fixture(scope="module")
def core(api_client):
    return client.CoreV1Api(api_client)


@pytest.fixture
def ns(core):
    name = f"py-{uuid.uuid4().hex[:8]}"
    core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=name)))
    yield name
    core.delete_namespace(name)


def error(exc_info):
    """The Status inside an ApiException."""
    return json.loads(exc_info.value.body)


def configmap(name, labels=None, data=None):
    return client.V1ConfigMap(metadata=client.V1ObjectMeta(name=name, labels=labels), data=data or {"k": "v"})


def deployment(name, replicas=1):
    labels = {"app": name}
    return client.V1Deployment(
        metadata=client.V1ObjectMeta(name=name, labels=labels),
        spec=client.V1DeploymentSpec(
            replicas=replicas,
            selector=client.V1LabelSelector(match_labels=labels),
            template=client.V1PodTemplateSpec(
                metadata=client.V1ObjectMeta(labels=labels),
                spec=client.V1PodSpec(containers=[client.V1Container(name="c", image="nginx")]),
            ),
        ),
    )


# ------------------------------------------------------------------ core
def test_version(api_client):
    info = client.VersionApi(api_client).get_code()
    assert info.major == "1" and info.minor == "32" and info.git_version.startswith("v1.32.")


def test_configmap_lifecycle(core, ns):
    created = core.create_namespaced_config_map(ns, configmap("settings", {"app": "demo"}, {"color": "blue"}))
    assert isinstance(created, client.V1ConfigMap)
    assert created.metadata.uid and created.metadata.resource_version and created.metadata.namespace == ns
    got = core.read_namespaced_config_map("settings", ns)
    assert got.data == {"color": "blue"} and got.metadata.labels == {"app": "demo"}

    got.data["color"] = "green"
    replaced = core.replace_namespaced_config_map("settings", ns, got)
    assert replaced.data["color"] == "green"
    assert int(replaced.metadata.resource_version) > int(created.metadata.resource_version)

    # The copy read before the replace is stale now.
    stale = created
    stale.data = {"color": "red"}
    with pytest.raises(ApiException) as exc:
        core.replace_namespaced_config_map("settings", ns, stale)
    assert exc.value.status == 409 and exc.value.reason == "Conflict"
    assert error(exc)["reason"] == "Conflict"

    with pytest.raises(ApiException) as exc:
        core.create_namespaced_config_map(ns, configmap("settings"))
    assert exc.value.status == 409 and error(exc)["reason"] == "AlreadyExists"
    assert error(exc)["message"] == 'configmaps "settings" already exists'

    status = core.delete_namespaced_config_map("settings", ns)  # the client types this as a plain object
    assert status["kind"] == "Status" and status["status"] == "Success"
    assert status["details"]["uid"] == created.metadata.uid
    with pytest.raises(ApiException) as exc:
        core.read_namespaced_config_map("settings", ns)
    assert exc.value.status == 404 and exc.value.reason == "Not Found"
    assert error(exc) == {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                          "message": 'configmaps "settings" not found', "reason": "NotFound",
                          "details": {"name": "settings", "kind": "configmaps"}, "code": 404} or \
        error(exc)["reason"] == "NotFound"


def test_invalid_is_422_with_causes(core, ns):
    with pytest.raises(ApiException) as exc:
        core.create_namespaced_config_map(ns, configmap("Not_Valid"))
    assert exc.value.status == 422 and exc.value.reason == "Unprocessable Entity"
    body = error(exc)
    assert body["reason"] == "Invalid" and body["details"]["kind"] == "ConfigMap"
    assert [c["field"] for c in body["details"]["causes"]] == ["metadata.name"]
    pod = client.V1Pod(metadata=client.V1ObjectMeta(name="p"), spec=client.V1PodSpec(containers=[]))
    with pytest.raises(ApiException) as exc:
        core.create_namespaced_pod(ns, pod)
    assert exc.value.status == 422
    assert "spec.containers" in [c["field"] for c in error(exc)["details"]["causes"]]


def test_label_selectors_and_paging(core, ns):
    for i in range(7):
        core.create_namespaced_config_map(ns, configmap(f"cm-{i}", {"parity": "even" if i % 2 == 0 else "odd",
                                                                     "index": str(i)}))
    even = core.list_namespaced_config_map(ns, label_selector="parity=even")
    assert [c.metadata.name for c in even.items] == ["cm-0", "cm-2", "cm-4", "cm-6"]
    assert [c.metadata.name for c in core.list_namespaced_config_map(ns, label_selector="index in (1,5)").items] == \
        ["cm-1", "cm-5"]
    assert [c.metadata.name for c in core.list_namespaced_config_map(
        ns, label_selector="parity", field_selector="metadata.name=cm-3").items] == ["cm-3"]

    seen, token, revisions = [], None, set()
    while True:
        page = core.list_namespaced_config_map(ns, label_selector="parity", limit=3, _continue=token)
        seen += [c.metadata.name for c in page.items]
        revisions.add(page.metadata.resource_version)
        token = page.metadata._continue
        if not token:
            break
        assert len(page.items) == 3
    assert seen == [f"cm-{i}" for i in range(7)]
    assert len(revisions) == 1  # every page from the same snapshot

    everywhere = core.list_config_map_for_all_namespaces(label_selector="parity=odd")
    assert {(c.metadata.namespace, c.metadata.name) for c in everywhere.items} == {
        (ns, "cm-1"), (ns, "cm-3"), (ns, "cm-5")}

    with pytest.raises(ApiException) as exc:
        core.list_namespaced_config_map(ns, field_selector="data.k=v")
    assert exc.value.status == 400 and exc.value.reason == "Bad Request" and error(exc)["reason"] == "BadRequest"
    with pytest.raises(ApiException) as exc:
        core.list_namespaced_config_map(ns, limit=2, _continue="not-a-token")
    assert exc.value.status == 400

    deleted = core.delete_collection_namespaced_config_map(ns, label_selector="parity=odd")
    assert deleted is not None
    assert [c.metadata.name for c in core.list_namespaced_config_map(ns, label_selector="parity").items] == \
        ["cm-0", "cm-2", "cm-4", "cm-6"]


def test_pods_and_services(core, ns):
    pod = client.V1Pod(metadata=client.V1ObjectMeta(name="web", labels={"app": "web"}),
                       spec=client.V1PodSpec(containers=[client.V1Container(name="c", image="nginx")]))
    created = core.create_namespaced_pod(ns, pod)
    assert created.status.phase == "Pending"
    assert created.spec.containers[0].image_pull_policy == "Always"  # defaulted (":latest")
    assert created.spec.restart_policy == "Always" and created.spec.dns_policy == "ClusterFirst"
    assert core.list_namespaced_pod(ns, field_selector="status.phase=Pending").items[0].metadata.name == "web"

    created.status.phase = "Running"
    running = core.replace_namespaced_pod_status("web", ns, created)
    assert running.status.phase == "Running"
    assert core.read_namespaced_pod_status("web", ns).status.phase == "Running"

    svc = core.create_namespaced_service(ns, client.V1Service(
        metadata=client.V1ObjectMeta(name="web"),
        spec=client.V1ServiceSpec(selector={"app": "web"}, ports=[client.V1ServicePort(port=80, target_port=8080)])))
    assert svc.spec.cluster_ip and svc.spec.type == "ClusterIP"
    assert svc.spec.ports[0].protocol == "TCP"

    gone = core.delete_namespaced_pod("web", ns)  # pods answer with the object
    assert isinstance(gone, client.V1Pod) and gone.metadata.uid == created.metadata.uid
    gone = core.delete_namespaced_service("web", ns)
    assert isinstance(gone, client.V1Service) and gone.metadata.name == "web"


def test_namespace_rules(core, ns):
    with pytest.raises(ApiException) as exc:
        core.create_namespaced_config_map("no-such-namespace", configmap("x"))
    assert exc.value.status == 404 and error(exc)["message"] == 'namespaces "no-such-namespace" not found'
    names = [n.metadata.name for n in core.list_namespace().items]
    for system in ("default", "kube-system", "kube-public", ns):
        assert system in names


# ------------------------------------------------------------------ apps
def test_deployments(api_client, ns):
    apps = client.AppsV1Api(api_client)
    created = apps.create_namespaced_deployment(ns, deployment("web", replicas=2))
    assert created.metadata.generation == 1
    assert created.spec.strategy.type == "RollingUpdate" and created.spec.revision_history_limit == 10

    created.spec.replicas = 3
    replaced = apps.replace_namespaced_deployment("web", ns, created)
    assert replaced.spec.replicas == 3 and replaced.metadata.generation == 2

    # Status is separate from spec.
    replaced.status = client.V1DeploymentStatus(replicas=3, ready_replicas=3, available_replicas=3)
    with_status = apps.replace_namespaced_deployment_status("web", ns, replaced)
    assert with_status.status.ready_replicas == 3 and with_status.metadata.generation == 2

    scale = apps.read_namespaced_deployment_scale("web", ns)
    assert scale.spec.replicas == 3
    scale.spec.replicas = 5
    assert apps.replace_namespaced_deployment_scale("web", ns, scale).spec.replicas == 5
    assert apps.read_namespaced_deployment("web", ns).spec.replicas == 5

    listed = apps.list_namespaced_deployment(ns, label_selector="app=web")
    assert [d.metadata.name for d in listed.items] == ["web"]
    assert apps.list_namespaced_deployment(ns, label_selector="app=nothing").items == []
    status = apps.delete_namespaced_deployment("web", ns, propagation_policy="Background")
    assert status["status"] == "Success" and status["details"]["name"] == "web"
    assert status["details"]["group"] == "apps" and status["details"]["kind"] == "deployments"
    with pytest.raises(ApiException) as exc:
        apps.read_namespaced_deployment("web", ns)
    assert exc.value.status == 404
    assert error(exc)["message"] == 'deployments.apps "web" not found'


# ----------------------------------------------------------- autoscaling
def test_hpa_v1_and_v2_are_one_object(api_client, ns):
    v1 = client.AutoscalingV1Api(api_client)
    v2 = client.AutoscalingV2Api(api_client)
    target = client.V1CrossVersionObjectReference(api_version="apps/v1", kind="Deployment", name="web")
    created = v1.create_namespaced_horizontal_pod_autoscaler(ns, client.V1HorizontalPodAutoscaler(
        metadata=client.V1ObjectMeta(name="web"),
        spec=client.V1HorizontalPodAutoscalerSpec(scale_target_ref=target, min_replicas=2, max_replicas=6,
                                                  target_cpu_utilization_percentage=75)))
    assert created.spec.target_cpu_utilization_percentage == 75

    as_v2 = v2.read_namespaced_horizontal_pod_autoscaler("web", ns)
    assert as_v2.metadata.uid == created.metadata.uid
    metric = as_v2.spec.metrics[0]
    assert metric.type == "Resource" and metric.resource.name == "cpu"
    assert metric.resource.target.type == "Utilization" and metric.resource.target.average_utilization == 75

    as_v2.spec.metrics[0].resource.target.average_utilization = 50
    as_v2.spec.max_replicas = 8
    v2.replace_namespaced_horizontal_pod_autoscaler("web", ns, as_v2)
    back = v1.read_namespaced_horizontal_pod_autoscaler("web", ns)
    assert back.spec.target_cpu_utilization_percentage == 50 and back.spec.max_replicas == 8

    assert [h.metadata.name for h in v2.list_namespaced_horizontal_pod_autoscaler(ns).items] == ["web"]
    assert [h.metadata.name for h in v1.list_horizontal_pod_autoscaler_for_all_namespaces().items
            if h.metadata.namespace == ns] == ["web"]
    v2.delete_namespaced_horizontal_pod_autoscaler("web", ns)
    with pytest.raises(ApiException) as exc:
        v1.read_namespaced_horizontal_pod_autoscaler("web", ns)
    assert exc.value.status == 404

    # What v1 cannot say survives a v1 round trip (in annotations, as upstream keeps it).
    memory = client.V2MetricSpec(type="Resource", resource=client.V2ResourceMetricSource(
        name="memory", target=client.V2MetricTarget(type="AverageValue", average_value="100Mi")))
    v2.create_namespaced_horizontal_pod_autoscaler(ns, client.V2HorizontalPodAutoscaler(
        metadata=client.V1ObjectMeta(name="mem"),
        spec=client.V2HorizontalPodAutoscalerSpec(
            scale_target_ref=client.V2CrossVersionObjectReference(api_version="apps/v1", kind="Deployment",
                                                                  name="web"),
            max_replicas=4, metrics=[memory],
            behavior=client.V2HorizontalPodAutoscalerBehavior(
                scale_down=client.V2HPAScalingRules(stabilization_window_seconds=120)))))
    old = v1.read_namespaced_horizontal_pod_autoscaler("mem", ns)
    assert old.spec.target_cpu_utilization_percentage is None
    assert "autoscaling.alpha.kubernetes.io/metrics" in old.metadata.annotations
    old.spec.max_replicas = 6
    v1.replace_namespaced_horizontal_pod_autoscaler("mem", ns, old)
    again = v2.read_namespaced_horizontal_pod_autoscaler("mem", ns)
    assert again.spec.max_replicas == 6
    assert again.spec.metrics == [memory]
    assert again.spec.behavior.scale_down.stabilization_window_seconds == 120
    assert not (again.metadata.annotations or {})


# ----------------------------------------------------------------- batch
def test_jobs_and_cronjobs(api_client, ns):
    batch = client.BatchV1Api(api_client)
    template = client.V1PodTemplateSpec(spec=client.V1PodSpec(
        restart_policy="Never", containers=[client.V1Container(name="c", image="busybox", command=["true"])]))
    job = batch.create_namespaced_job(ns, client.V1Job(
        metadata=client.V1ObjectMeta(name="once", labels={"kind": "batch"}),
        spec=client.V1JobSpec(template=template)))
    assert job.spec.backoff_limit == 6 and job.spec.completions == 1
    selector = job.spec.selector.match_labels
    assert selector["batch.kubernetes.io/controller-uid"] == job.metadata.uid
    with pytest.raises(ApiException) as exc:
        bad = client.V1Job(metadata=client.V1ObjectMeta(name="bad"), spec=client.V1JobSpec(
            template=client.V1PodTemplateSpec(spec=client.V1PodSpec(
                restart_policy="Always", containers=[client.V1Container(name="c", image="busybox")]))))
        batch.create_namespaced_job(ns, bad)
    assert exc.value.status == 422
    assert "spec.template.spec.restartPolicy" in [c["field"] for c in error(exc)["details"]["causes"]]

    cron = batch.create_namespaced_cron_job(ns, client.V1CronJob(
        metadata=client.V1ObjectMeta(name="tick", labels={"kind": "batch"}),
        spec=client.V1CronJobSpec(schedule="*/10 * * * *", job_template=client.V1JobTemplateSpec(
            spec=client.V1JobSpec(template=template)))))
    assert cron.spec.concurrency_policy == "Allow" and cron.spec.suspend is False
    cron.spec.suspend = True
    assert batch.replace_namespaced_cron_job("tick", ns, cron).spec.suspend is True
    assert [j.metadata.name for j in batch.list_namespaced_job(ns, label_selector="kind=batch").items] == ["once"]
    assert [c.metadata.name for c in batch.list_namespaced_cron_job(ns, label_selector="kind=batch").items] == ["tick"]
    batch.delete_namespaced_job("once", ns, propagation_policy="Foreground")
    batch.delete_namespaced_cron_job("tick", ns)
    assert batch.list_namespaced_cron_job(ns).items == []


# --------------------------------------------------------------- dynamic
DYNAMIC = [
    ("v1", "ConfigMap", True, {"data": {"a": "b"}}),
    ("v1", "Secret", True, {"stringData": {"token": "t"}}),
    ("apps/v1", "Deployment", True, {"spec": {"selector": {"matchLabels": {"app": "d"}}, "template": {
        "metadata": {"labels": {"app": "d"}}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}}),
    ("v1", "Service", True, {"spec": {"ports": [{"port": 80}]}}),
    ("autoscaling/v2", "HorizontalPodAutoscaler", True, {"spec": {
        "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "d"}, "maxReplicas": 3}}),
    ("networking.k8s.io/v1", "NetworkPolicy", True, {"spec": {"podSelector": {}}}),
    ("scheduling.k8s.io/v1", "PriorityClass", False, {"value": 10}),
    ("storage.k8s.io/v1", "StorageClass", False, {"provisioner": "example.com/p"}),
]


@pytest.fixture(scope="module")
def dyn(api_client):
    return dynamic.DynamicClient(api_client)


@pytest.mark.parametrize("api_version, kind, namespaced, body", DYNAMIC, ids=[d[1] for d in DYNAMIC])
def test_dynamic_client(dyn, ns, api_version, kind, namespaced, body):
    resource = dyn.resources.get(api_version=api_version, kind=kind)
    assert resource.namespaced == namespaced
    name = f"dyn-{uuid.uuid4().hex[:6]}"
    manifest = {"apiVersion": api_version, "kind": kind, "metadata": {"name": name, "labels": {"via": "dynamic"}},
                **body}
    scope = {"namespace": ns} if namespaced else {}
    created = resource.create(body=manifest, **scope)
    assert created.metadata.name == name and created.kind == kind and created.apiVersion == api_version
    got = resource.get(name=name, **scope)
    assert got.metadata.uid == created.metadata.uid
    listed = resource.get(label_selector="via=dynamic", **scope)
    assert name in [item.metadata.name for item in listed.items]
    resource.delete(name=name, **scope)
    with pytest.raises(dynamic.exceptions.NotFoundError):
        resource.get(name=name, **scope)


def test_dynamic_errors(dyn, ns):
    configmaps = dyn.resources.get(api_version="v1", kind="ConfigMap")
    configmaps.create(body={"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "dup"}}, namespace=ns)
    with pytest.raises(dynamic.exceptions.ConflictError):
        configmaps.create(body={"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "dup"}}, namespace=ns)
    with pytest.raises(dynamic.exceptions.UnprocessibleEntityError):
        configmaps.create(body={"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "-bad-"}}, namespace=ns)
    with pytest.raises(dynamic.exceptions.ResourceNotFoundError):
        dyn.resources.get(api_version="v1", kind="NoSuchKind")
