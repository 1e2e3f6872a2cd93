"""Built-in kinds: upstream defaulting, validation causes, conversions.

Pure unit tests over JSON-shaped dicts: no database, no server. Expected
objects are what kube-apiserver v1.32 stores for the same input.
"""
import base64
import copy
import json

import pytest

from resources.admission import pods
from resources.kinds import defaults
from resources.machinery import errors
from resources.machinery import validation
from resources.registry import builtin
from resources.registry.strategy import Context
from resources.kinds import autoscaling, batch, events
from resources.kinds.core import go_label_selector

UID = "6e8b9c2a-1111-4a5b-9c3d-000000000001"


def rtype(group, version, plural):
    found = builtin.get(group, version, plural)
    assert found is not None, (group, version, plural)
    return found


def create(group, plural, obj, version="v1", ctx=None):
    """prepare_for_create, then validate: (prepared object, causes)."""
    strategy = rtype(group, version, plural).strategy
    obj = copy.deepcopy(obj)
    obj.setdefault("metadata", {}).setdefault("uid", UID)
    ctx = ctx or Context(namespace=obj["metadata"].get("namespace", ""))
    strategy.prepare_for_create(obj, ctx)
    return obj, strategy.validate(obj, ctx)


def update(group, plural, obj, old, version="v1", subresource=""):
    strategy = rtype(group, version, plural).strategy
    obj = copy.deepcopy(obj)
    ctx = Context(subresource=subresource)
    if subresource == "status":
        strategy.prepare_for_status_update(obj, old, ctx)
    else:
        strategy.prepare_for_update(obj, old, ctx)
    return obj, strategy.validate_update(obj, old, ctx)


def valid(group, plural, obj, version="v1"):
    prepared, causes = create(group, plural, obj, version)
    assert causes == []
    return prepared


def meta(name="x", namespace="default", **extra):
    m = {"name": name, "uid": UID}
    if namespace:
        m["namespace"] = namespace
    m.update(extra)
    return m


DEFAULTED_CONTAINER = {
    "name": "nginx",
    "image": "nginx",
    "imagePullPolicy": "Always",
    "resources": {},
    "terminationMessagePath": "/dev/termination-log",
    "terminationMessagePolicy": "File",
}
DEFAULTED_POD_SPEC = {
    "containers": [DEFAULTED_CONTAINER],
    "dnsPolicy": "ClusterFirst",
    "restartPolicy": "Always",
    "schedulerName": "default-scheduler",
    "securityContext": {},
    "terminationGracePeriodSeconds": 30,
}


def template(labels=None, **spec):
    pod_spec = {"containers": [{"name": "nginx", "image": "nginx"}]}
    pod_spec.update(spec)
    return {"metadata": {"labels": labels or {"app": "nginx"}}, "spec": pod_spec}


def defaulted_template(labels=None, **spec):
    pod_spec = copy.deepcopy(DEFAULTED_POD_SPEC)
    pod_spec.update(spec)
    return {"metadata": {"creationTimestamp": None, "labels": labels or {"app": "nginx"}}, "spec": pod_spec}


# ===================================================================== pods
def test_pod_defaults_and_admission():
    pod = valid("", "pods", {"metadata": meta("nginx"), "spec": {"containers": [{"name": "nginx", "image": "nginx"}]}})
    for plugin in (pods.service_account, pods.priority, pods.default_toleration_seconds):
        plugin(rtype("", "v1", "pods"), Context(), pod, None)
    expected_spec = copy.deepcopy(DEFAULTED_POD_SPEC)
    expected_spec.update({
        "enableServiceLinks": True,
        "preemptionPolicy": "PreemptLowerPriority",
        "priority": 0,
        "serviceAccount": "default",
        "serviceAccountName": "default",
        "tolerations": [
            {"effect": "NoExecute", "key": "node.kubernetes.io/not-ready", "operator": "Exists", "tolerationSeconds": 300},
            {"effect": "NoExecute", "key": "node.kubernetes.io/unreachable", "operator": "Exists", "tolerationSeconds": 300},
        ],
    })
    assert pod["spec"] == expected_spec
    assert pod["status"] == {"phase": "Pending", "qosClass": "BestEffort"}


def test_pod_spec_nested_defaults():
    spec = {
        "containers": [{
            "name": "app", "image": "registry.example.com:5000/team/app:1.2",
            "ports": [{"containerPort": 80}],
            "env": [{"name": "NS", "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}}],
            "livenessProbe": {"httpGet": {"port": 80}},
            "readinessProbe": {"grpc": {"port": 9000}},
            "lifecycle": {"preStop": {"httpGet": {"port": 8080}}},
            "resources": {"limits": {"cpu": "0.5", "memory": "1.5Gi"}},
            "volumeMounts": [{"name": "cfg", "mountPath": "/etc/cfg"}],
        }],
        "volumes": [
            {"name": "cfg", "configMap": {"name": "cfg"}},
            {"name": "sec", "secret": {"secretName": "s"}},
            {"name": "scratch"},
            {"name": "host", "hostPath": {"path": "/var"}},
            {"name": "info", "downwardAPI": {"items": [{"path": "labels", "fieldRef": {"fieldPath": "metadata.labels"}}]}},
            {"name": "proj", "projected": {"sources": [{"serviceAccountToken": {"path": "token"}}]}},
        ],
    }
    pod = valid("", "pods", {"metadata": meta(), "spec": spec})
    c = pod["spec"]["containers"][0]
    assert c["imagePullPolicy"] == "IfNotPresent"
    assert c["ports"] == [{"containerPort": 80, "protocol": "TCP"}]
    assert c["env"][0]["valueFrom"]["fieldRef"] == {"apiVersion": "v1", "fieldPath": "metadata.namespace"}
    assert c["livenessProbe"] == {"httpGet": {"port": 80, "path": "/", "scheme": "HTTP"}, "timeoutSeconds": 1,
                                  "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3}
    assert c["readinessProbe"]["grpc"] == {"port": 9000, "service": ""}
    assert c["lifecycle"]["preStop"]["httpGet"] == {"port": 8080, "path": "/", "scheme": "HTTP"}
    # requests default to limits (pods only), quantities canonical
    assert c["resources"] == {"limits": {"cpu": "500m", "memory": "1536Mi"},
                              "requests": {"cpu": "500m", "memory": "1536Mi"}}
    assert pod["status"]["qosClass"] == "Guaranteed"
    volumes = {v["name"]: v for v in pod["spec"]["volumes"]}
    assert volumes["cfg"]["configMap"] == {"name": "cfg", "defaultMode": 420}
    assert volumes["sec"]["secret"] == {"secretName": "s", "defaultMode": 420}
    assert volumes["scratch"] == {"name": "scratch", "emptyDir": {}}
    assert volumes["host"]["hostPath"] == {"path": "/var", "type": ""}
    assert volumes["info"]["downwardAPI"] == {
        "defaultMode": 420,
        "items": [{"path": "labels", "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.labels"}}]}
    assert volumes["proj"]["projected"] == {
        "defaultMode": 420, "sources": [{"serviceAccountToken": {"path": "token", "expirationSeconds": 3600}}]}


@pytest.mark.parametrize("image, policy", [
    ("nginx", "Always"),
    ("nginx:latest", "Always"),
    ("nginx:1.25", "IfNotPresent"),
    ("localhost:5000/nginx", "Always"),
    ("localhost:5000/nginx:v1", "IfNotPresent"),
    ("nginx@sha256:" + "a" * 64, "IfNotPresent"),
    ("nginx:latest@sha256:" + "a" * 64, "Always"),
    ("", "IfNotPresent"),
    ("Not/Valid", "IfNotPresent"),
])
def test_image_pull_policy(image, policy):
    assert defaults.image_pull_policy(image) == policy


def test_pod_qos_classes():
    def qos(*requirements):
        spec = {"containers": [{"name": f"c{i}", "image": "x", "resources": r} for i, r in enumerate(requirements)]}
        return valid("", "pods", {"metadata": meta(), "spec": spec})["status"]["qosClass"]

    assert qos({}) == "BestEffort"
    assert qos({"requests": {"cpu": "100m"}}) == "Burstable"
    assert qos({"limits": {"cpu": "1", "memory": "1Gi"}}) == "Guaranteed"
    assert qos({"limits": {"cpu": "1", "memory": "1Gi"}}, {}) == "Burstable"
    assert qos({"limits": {"cpu": "1", "memory": "1Gi"}, "requests": {"cpu": "500m"}}) == "Burstable"


def test_pod_host_network_ports_and_service_account_mirror():
    spec = {"hostNetwork": True, "serviceAccount": "builder",
            "containers": [{"name": "c", "image": "x", "ports": [{"containerPort": 8080}]}]}
    pod = valid("", "pods", {"metadata": meta(), "spec": spec})
    pods.service_account(rtype("", "v1", "pods"), Context(), pod, None)
    assert pod["spec"]["containers"][0]["ports"][0] == {"containerPort": 8080, "hostPort": 8080, "protocol": "TCP"}
    assert pod["spec"]["serviceAccountName"] == pod["spec"]["serviceAccount"] == "builder"


def test_pod_scheduling_gates_condition():
    pod = valid("", "pods", {"metadata": meta(), "spec": {"schedulingGates": [{"name": "example.com/gate"}],
                                                          "containers": [{"name": "c", "image": "x"}]}})
    condition = pod["status"]["conditions"][0]
    assert (condition["type"], condition["status"], condition["reason"]) == ("PodScheduled", "False", "SchedulingGated")


@pytest.mark.parametrize("spec, cause", [
    ({"containers": []}, ("spec.containers", "FieldValueRequired", "Required value")),
    ({"containers": [{"image": "x"}]}, ("spec.containers[0].name", "FieldValueRequired", "Required value")),
    ({"containers": [{"name": "c"}]}, ("spec.containers[0].image", "FieldValueRequired", "Required value")),
    ({"containers": [{"name": "Web_1", "image": "x"}]}, (
        "spec.containers[0].name", "FieldValueInvalid",
        "Invalid value: \"Web_1\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters "
        "or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used "
        "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')")),
    ({"containers": [{"name": "c", "image": "x"}, {"name": "c", "image": "y"}]},
     ("spec.containers[1].name", "FieldValueDuplicate", 'Duplicate value: "c"')),
    ({"containers": [{"name": "c", "image": "x", "ports": [{"containerPort": 70000}]}]},
     ("spec.containers[0].ports[0].containerPort", "FieldValueInvalid",
      "Invalid value: 70000: must be between 1 and 65535, inclusive")),
    ({"containers": [{"name": "c", "image": "x", "ports": [{"containerPort": 80, "protocol": "HTTP"}]}]},
     ("spec.containers[0].ports[0].protocol", "FieldValueNotSupported",
      'Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"')),
    ({"containers": [{"name": "c", "image": "x"}], "restartPolicy": "Sometimes"},
     ("spec.restartPolicy", "FieldValueNotSupported",
      'Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"')),
    ({"containers": [{"name": "c", "image": "x", "volumeMounts": [{"name": "data", "mountPath": "/d"}]}]},
     ("spec.containers[0].volumeMounts[0].name", "FieldValueNotFound", 'Not found: "data"')),
    ({"containers": [{"name": "c", "image": "x", "resources": {"requests": {"cpu": "2"}, "limits": {"cpu": "1"}}}]},
     ("spec.containers[0].resources.requests[cpu]", "FieldValueInvalid",
      'Invalid value: "2": must be less than or equal to cpu limit of 1')),
    ({"containers": [{"name": "c", "image": "x"}], "volumes": [{"name": "a", "emptyDir": {}}, {"name": "a", "emptyDir": {}}]},
     ("spec.volumes[1].name", "FieldValueDuplicate", 'Duplicate value: "a"')),
    ({"containers": [{"name": "c", "image": "x", "env": [{"name": "A=B", "value": "1"}]}]},
     ("spec.containers[0].env[0].name", "FieldValueInvalid",
      "Invalid value: \"A=B\": a valid environment variable name must consist only of printable ASCII characters "
      "other than '='")),
])
def test_pod_validation(spec, cause):
    _, causes = create("", "pods", {"metadata": meta(), "spec": spec})
    assert cause in causes


def test_pod_update_spec_is_mostly_immutable():
    old = valid("", "pods", {"metadata": meta(), "spec": {"containers": [{"name": "c", "image": "nginx:1"}]}})
    new = copy.deepcopy(old)
    new["spec"]["containers"][0]["image"] = "nginx:2"
    new["spec"]["activeDeadlineSeconds"] = 30
    new["spec"]["tolerations"] = [{"key": "k", "operator": "Exists"}]
    assert update("", "pods", new, old)[1] == []
    new = copy.deepcopy(old)
    new["spec"]["restartPolicy"] = "Never"
    (path, cause, message), = update("", "pods", new, old)[1]
    assert (path, cause) == ("spec", "FieldValueForbidden")
    assert message.startswith("Forbidden: pod updates may not change fields other than `spec.containers[*].image`,"
                              "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` "
                              "(only additions to existing tolerations),`spec.terminationGracePeriodSeconds` "
                              "(allow it to be set to 1 if it was previously negative)\n")


def test_pod_status_update_keeps_spec_and_qos():
    old = valid("", "pods", {"metadata": meta(), "spec": {"containers": [{"name": "c", "image": "x"}]}})
    new = copy.deepcopy(old)
    new["spec"]["nodeName"] = "sneaky"
    new["status"] = {"phase": "Running", "podIP": "10.0.0.7"}
    prepared, causes = update("", "pods", new, old, subresource="status")
    assert causes == []
    assert "nodeName" not in prepared["spec"]
    assert prepared["status"] == {"phase": "Running", "podIP": "10.0.0.7", "podIPs": [{"ip": "10.0.0.7"}],
                                  "qosClass": "BestEffort"}
    bad = copy.deepcopy(old)
    bad["status"] = {"phase": "Dancing"}
    assert update("", "pods", bad, old, subresource="status")[1] == [(
        "status.phase", "FieldValueNotSupported",
        'Unsupported value: "Dancing": supported values: "Pending", "Running", "Succeeded", "Failed", "Unknown"')]


def test_pod_warns_on_non_label_name():
    strategy = rtype("", "v1", "pods").strategy
    assert strategy.warnings({"metadata": {"name": "a.b"}}, Context())[0].startswith(
        "metadata.name: this is used in the Pod's hostname")
    assert strategy.warnings({"metadata": {"name": "a.b", "resourceVersion": "7"}}, Context()) == []


# ================================================================ workloads
def test_deployment_defaults():
    d = valid("apps", "deployments", {"metadata": meta("nginx", labels={"app": "nginx"}),
                                      "spec": {"selector": {"matchLabels": {"app": "nginx"}}, "template": template()}})
    assert d["spec"] == {
        "progressDeadlineSeconds": 600,
        "replicas": 1,
        "revisionHistoryLimit": 10,
        "selector": {"matchLabels": {"app": "nginx"}},
        "strategy": {"rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}, "type": "RollingUpdate"},
        "template": defaulted_template(),
    }
    assert d["status"] == {}
    assert rtype("apps", "v1", "deployments").strategy.tracks_generation


def test_deployment_recreate_keeps_no_rolling_update():
    d = valid("apps", "deployments", {"metadata": meta(), "spec": {
        "strategy": {"type": "Recreate"}, "selector": {"matchLabels": {"app": "nginx"}}, "template": template()}})
    assert d["spec"]["strategy"] == {"type": "Recreate"}


@pytest.mark.parametrize("spec, cause", [
    ({"template": template()}, ("spec.selector", "FieldValueRequired", "Required value")),
    ({"selector": {"matchLabels": {"app": "other"}}, "template": template()}, (
        "spec.template.metadata.labels", "FieldValueInvalid",
        'Invalid value: map[string]string{"app":"nginx"}: `selector` does not match template `labels`')),
    ({"selector": {}, "template": template()}, (
        "spec.selector", "FieldValueInvalid",
        "Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), "
        "MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment")),
    ({"replicas": -1, "selector": {"matchLabels": {"app": "nginx"}}, "template": template()},
     ("spec.replicas", "FieldValueInvalid", "Invalid value: -1: must be greater than or equal to 0")),
    ({"selector": {"matchLabels": {"app": "nginx"}}, "template": template(restartPolicy="Never")},
     ("spec.template.spec.restartPolicy", "FieldValueNotSupported",
      'Unsupported value: "Never": supported values: "Always"')),
    ({"selector": {"matchLabels": {"app": "nginx"}}, "template": template(),
      "strategy": {"rollingUpdate": {"maxSurge": 0, "maxUnavailable": 0}}},
     ("spec.strategy.rollingUpdate.maxUnavailable", "FieldValueInvalid",
      "Invalid value: 0: may not be 0 when `maxSurge` is 0")),
    ({"selector": {"matchLabels": {"app": "nginx"}}, "template": template(),
      "strategy": {"type": "Recreate", "rollingUpdate": {"maxSurge": 1}}},
     ("spec.strategy.rollingUpdate", "FieldValueForbidden",
      "Forbidden: may not be specified when strategy `type` is 'Recreate'")),
    ({"selector": {"matchLabels": {"app": "nginx"}}, "template": template(), "minReadySeconds": 700},
     ("spec.progressDeadlineSeconds", "FieldValueInvalid", "Invalid value: 600: must be greater than minReadySeconds")),
])
def test_deployment_validation(spec, cause):
    assert cause in create("apps", "deployments", {"metadata": meta(), "spec": spec})[1]


def test_deployment_selector_is_immutable():
    old = valid("apps", "deployments", {"metadata": meta(), "spec": {
        "selector": {"matchLabels": {"app": "nginx"}}, "template": template()}})
    new = copy.deepcopy(old)
    new["spec"]["selector"] = {"matchLabels": {"app": "nginx2"}}
    new["spec"]["template"]["metadata"]["labels"] = {"app": "nginx2"}
    assert update("apps", "deployments", new, old)[1] == [(
        "spec.selector", "FieldValueInvalid",
        'Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"nginx2"}, '
        "MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable")]


def test_deployment_update_keeps_status_and_status_update_keeps_spec():
    old = valid("apps", "deployments", {"metadata": meta(), "spec": {
        "selector": {"matchLabels": {"app": "nginx"}}, "template": template()}})
    old["status"] = {"replicas": 1}
    new = copy.deepcopy(old)
    new["status"] = {"replicas": 99}
    new["spec"]["replicas"] = 3
    prepared, causes = update("apps", "deployments", new, old)
    assert causes == [] and prepared["status"] == {"replicas": 1} and prepared["spec"]["replicas"] == 3
    prepared, causes = update("apps", "deployments", new, old, subresource="status")
    assert causes == [] and prepared["status"] == {"replicas": 99} and prepared["spec"]["replicas"] == 1
    new["status"] = {"replicas": 1, "readyReplicas": 2}
    assert update("apps", "deployments", new, old, subresource="status")[1] == [
        ("status.readyReplicas", "FieldValueInvalid", "Invalid value: 2: cannot be greater than status.replicas")]


def test_replica_set_defaults():
    rs = valid("apps", "replicasets", {"metadata": meta(), "spec": {
        "selector": {"matchLabels": {"app": "nginx"}}, "template": template()}})
    assert rs["spec"] == {"replicas": 1, "selector": {"matchLabels": {"app": "nginx"}}, "template": defaulted_template()}
    assert rs["status"] == {"replicas": 0}


def test_stateful_set_defaults():
    sts = valid("apps", "statefulsets", {"metadata": meta("web"), "spec": {
        "serviceName": "web", "selector": {"matchLabels": {"app": "nginx"}}, "template": template(),
        "volumeClaimTemplates": [{"metadata": {"name": "www"}, "spec": {
            "accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}]}})
    assert sts["spec"] == {
        "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Retain", "whenScaled": "Retain"},
        "podManagementPolicy": "OrderedReady",
        "replicas": 1,
        "revisionHistoryLimit": 10,
        "selector": {"matchLabels": {"app": "nginx"}},
        "serviceName": "web",
        "template": defaulted_template(),
        "updateStrategy": {"rollingUpdate": {"partition": 0}, "type": "RollingUpdate"},
        "volumeClaimTemplates": [{
            "apiVersion": "v1", "kind": "PersistentVolumeClaim",
            "metadata": {"creationTimestamp": None, "name": "www"},
            "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}},
                     "volumeMode": "Filesystem"},
            "status": {"phase": "Pending"},
        }],
    }
    assert sts["status"] == {"availableReplicas": 0, "replicas": 0}


def test_stateful_set_update_rules():
    old = valid("apps", "statefulsets", {"metadata": meta(), "spec": {
        "serviceName": "web", "selector": {"matchLabels": {"app": "nginx"}}, "template": template()}})
    new = copy.deepcopy(old)
    new["spec"]["replicas"] = 5
    new["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:2"
    assert update("apps", "statefulsets", new, old)[1] == []
    new["spec"]["serviceName"] = "other"
    assert update("apps", "statefulsets", new, old)[1] == [(
        "spec", "FieldValueForbidden",
        "Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', "
        "'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' "
        "are forbidden")]


def test_daemon_set_defaults_and_validation():
    ds = valid("apps", "daemonsets", {"metadata": meta(), "spec": {
        "selector": {"matchLabels": {"app": "nginx"}}, "template": template()}})
    assert ds["spec"] == {
        "revisionHistoryLimit": 10,
        "selector": {"matchLabels": {"app": "nginx"}},
        "template": defaulted_template(),
        "updateStrategy": {"rollingUpdate": {"maxSurge": 0, "maxUnavailable": 1}, "type": "RollingUpdate"},
    }
    assert ds["status"] == {"currentNumberScheduled": 0, "desiredNumberScheduled": 0, "numberMisscheduled": 0,
                            "numberReady": 0}
    causes = create("apps", "daemonsets", {"metadata": meta(), "spec": {
        "selector": {"matchLabels": {"app": "nginx"}}, "template": template(),
        "updateStrategy": {"rollingUpdate": {"maxSurge": 1, "maxUnavailable": 1}}}})[1]
    assert causes == [("spec.updateStrategy.rollingUpdate.maxSurge", "FieldValueInvalid",
                       "Invalid value: 1: may not be set when maxUnavailable is non-zero")]


def test_replication_controller_defaults_from_template():
    rc = valid("", "replicationcontrollers", {"metadata": meta(), "spec": {"template": template()}})
    assert rc["spec"]["selector"] == {"app": "nginx"}
    assert rc["metadata"]["labels"] == {"app": "nginx"}
    assert rc["spec"]["replicas"] == 1
    assert rc["status"] == {"replicas": 0}


# ==================================================================== batch
def test_job_defaults_and_generated_selector():
    job = valid("batch", "jobs", {"metadata": meta("pi"), "spec": {
        "template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "pi", "image": "perl:5.34"}]}}}})
    generated = {
        "batch.kubernetes.io/controller-uid": UID, "batch.kubernetes.io/job-name": "pi",
        "controller-uid": UID, "job-name": "pi",
    }
    container = dict(DEFAULTED_CONTAINER, name="pi", image="perl:5.34", imagePullPolicy="IfNotPresent")
    assert job["spec"] == {
        "backoffLimit": 6,
        "completionMode": "NonIndexed",
        "completions": 1,
        "manualSelector": False,
        "parallelism": 1,
        "podReplacementPolicy": "TerminatingOrFailed",
        "selector": {"matchLabels": {"batch.kubernetes.io/controller-uid": UID}},
        "suspend": False,
        "template": {"metadata": {"creationTimestamp": None, "labels": generated},
                     "spec": dict(DEFAULTED_POD_SPEC, containers=[container], restartPolicy="Never")},
    }
    assert job["metadata"]["labels"] == generated
    assert job["status"] == {}


def test_job_defaults_parallel_and_failure_policy():
    job = valid("batch", "jobs", {"metadata": meta(), "spec": {
        "parallelism": 3, "podFailurePolicy": {"rules": [{"action": "Ignore", "onPodConditions": [{"type": "DisruptionTarget"}]}]},
        "template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "x"}]}}}})
    assert "completions" not in job["spec"] and job["spec"]["parallelism"] == 3
    assert job["spec"]["podReplacementPolicy"] == "Failed"
    assert job["spec"]["podFailurePolicy"]["rules"][0]["onPodConditions"] == [{"type": "DisruptionTarget", "status": "True"}]


@pytest.mark.parametrize("spec, cause", [
    ({"template": {"spec": {"containers": [{"name": "c", "image": "x"}]}}},
     ("spec.template.spec.restartPolicy", "FieldValueRequired", 'Required value: valid values: "OnFailure", "Never"')),
    ({"completionMode": "Indexed", "parallelism": 2,
      "template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "x"}]}}},
     ("spec.completions", "FieldValueRequired", "Required value: when completion mode is Indexed")),
    ({"backoffLimit": -1, "template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "x"}]}}},
     ("spec.backoffLimit", "FieldValueInvalid", "Invalid value: -1: must be greater than or equal to 0")),
    ({"manualSelector": True,
      "template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "x"}]}}},
     ("spec.selector", "FieldValueRequired", "Required value")),
])
def test_job_validation(spec, cause):
    assert cause in create("batch", "jobs", {"metadata": meta(), "spec": spec})[1]


def test_job_generated_labels_must_not_conflict():
    causes = create("batch", "jobs", {"metadata": meta("pi"), "spec": {"template": {
        "metadata": {"labels": {"job-name": "other"}},
        "spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "x"}]}}}})[1]
    assert causes and causes[0][0] == "spec.template.metadata.labels[job-name]"
    assert causes[0][2].endswith(": must be 'pi'")


def test_job_update_immutability():
    old = valid("batch", "jobs", {"metadata": meta(), "spec": {
        "template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "x"}]}}}})
    new = copy.deepcopy(old)
    new["spec"]["template"]["spec"]["containers"][0]["image"] = "y"
    new["spec"]["completions"] = 3
    causes = update("batch", "jobs", new, old)[1]
    assert ("spec.completions", "FieldValueInvalid", "Invalid value: 3: field is immutable") in causes
    assert ("spec.template", "FieldValueInvalid", "Invalid value: core.PodTemplateSpec{...}: field is immutable") in causes
    # A suspended Job that never started may move its pods.
    old["spec"]["suspend"] = True
    new = copy.deepcopy(old)
    new["spec"]["template"]["spec"]["nodeSelector"] = {"disk": "ssd"}
    assert update("batch", "jobs", new, old)[1] == []


def test_cron_job_defaults():
    cj = valid("batch", "cronjobs", {"metadata": meta("hello"), "spec": {
        "schedule": "*/1 * * * *",
        "jobTemplate": {"spec": {"template": {"spec": {
            "restartPolicy": "OnFailure", "containers": [{"name": "nginx", "image": "nginx"}]}}}}}})
    assert cj["spec"] == {
        "concurrencyPolicy": "Allow",
        "failedJobsHistoryLimit": 1,
        "jobTemplate": {"metadata": {"creationTimestamp": None}, "spec": {"template": {
            "metadata": {"creationTimestamp": None},
            "spec": dict(DEFAULTED_POD_SPEC, restartPolicy="OnFailure")}}},
        "schedule": "*/1 * * * *",
        "successfulJobsHistoryLimit": 3,
        "suspend": False,
    }
    assert cj["status"] == {}


@pytest.mark.parametrize("schedule, message", [
    ("* * * *", "expected exactly 5 fields, found 4: [* * * *]"),
    ("61 * * * *", "end of range (61) above maximum (59): 61"),
    ("x * * * *", 'failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax'),
    ("@fortnightly", "unrecognized descriptor: @fortnightly"),
    ("5-1 * * * *", "beginning of range (5) beyond end of range (1): 5-1"),
    ("TZ=UTC * * * * *", "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"),
])
def test_cron_job_schedule_validation(schedule, message):
    causes = create("batch", "cronjobs", {"metadata": meta(), "spec": {
        "schedule": schedule, "jobTemplate": {"spec": {"template": {"spec": {
            "restartPolicy": "OnFailure", "containers": [{"name": "c", "image": "x"}]}}}}}})[1]
    assert ("spec.schedule", "FieldValueInvalid", f"Invalid value: {json.dumps(schedule)}: {message}") in causes


@pytest.mark.parametrize("schedule", ["@hourly", "@every 1h30m", "0 0 * jan,feb mon-fri", "*/15 2-4 1,15 * ?",
                                      "CRON_TZ=Europe/Paris 0 9 * * *"])
def test_cron_schedules_that_parse(schedule):
    batch.parse_cron(schedule)


def test_cron_job_other_validation():
    causes = create("batch", "cronjobs", {"metadata": meta("n" * 53), "spec": {
        "schedule": "@daily", "concurrencyPolicy": "Sometimes", "timeZone": "Mars/Olympus",
        "jobTemplate": {"spec": {"template": {"spec": {"restartPolicy": "OnFailure",
                                                       "containers": [{"name": "c", "image": "x"}]}}}}}})[1]
    assert ("spec.concurrencyPolicy", "FieldValueNotSupported",
            'Unsupported value: "Sometimes": supported values: "Allow", "Forbid", "Replace"') in causes
    assert ("spec.timeZone", "FieldValueInvalid", 'Invalid value: "Mars/Olympus": unknown time zone Mars/Olympus') in causes
    assert ("metadata.name", "FieldValueInvalid", f'Invalid value: "{"n" * 53}": must be no more than 52 characters') in causes


# =================================================================== core/v1
def test_service_defaults_cluster_ip():
    svc = valid("", "services", {"metadata": meta("web"), "spec": {
        "selector": {"app": "web"}, "ports": [{"port": 80}]}})
    assert svc["spec"] == {
        "internalTrafficPolicy": "Cluster",
        "ipFamilies": ["IPv4"],
        "ipFamilyPolicy": "SingleStack",
        "ports": [{"port": 80, "protocol": "TCP", "targetPort": 80}],
        "selector": {"app": "web"},
        "sessionAffinity": "None",
        "type": "ClusterIP",
    }
    assert svc["status"] == {"loadBalancer": {}}


def test_service_defaults_by_type():
    lb = valid("", "services", {"metadata": meta(), "spec": {"type": "LoadBalancer", "ports": [{"port": 443, "targetPort": "https"}],
                                                            "sessionAffinity": "ClientIP"}})["spec"]
    assert lb["externalTrafficPolicy"] == "Cluster"
    assert lb["allocateLoadBalancerNodePorts"] is True
    assert lb["sessionAffinityConfig"] == {"clientIP": {"timeoutSeconds": 10800}}
    assert lb["ports"][0]["targetPort"] == "https"
    headless = valid("", "services", {"metadata": meta(), "spec": {"clusterIP": "None"}})["spec"]
    assert (headless["clusterIPs"], headless["ipFamilyPolicy"]) == (["None"], "RequireDualStack")
    external = valid("", "services", {"metadata": meta(), "spec": {"type": "ExternalName", "externalName": "example.com"}})["spec"]
    assert external == {"externalName": "example.com", "sessionAffinity": "None", "type": "ExternalName"}


@pytest.mark.parametrize("spec, cause", [
    ({"type": "Foo", "ports": [{"port": 80}]}, (
        "spec.type", "FieldValueNotSupported",
        'Unsupported value: "Foo": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"')),
    ({"selector": {"app": "x"}}, ("spec.ports", "FieldValueRequired", "Required value")),
    ({"ports": [{"port": 0}]}, ("spec.ports[0].port", "FieldValueInvalid",
                                "Invalid value: 0: must be between 1 and 65535, inclusive")),
    ({"ports": [{"port": 80, "name": "a"}, {"port": 81}]}, ("spec.ports[1].name", "FieldValueRequired", "Required value")),
    ({"ports": [{"port": 80, "name": "a"}, {"port": 80, "name": "b"}]}, (
        "spec.ports[1]", "FieldValueDuplicate",
        'Duplicate value: core.ServicePort{Name:"", Protocol:"TCP", AppProtocol:(*string)(nil), Port:80, '
        'TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}')),
    ({"ports": [{"port": 80, "nodePort": 30080}]}, (
        "spec.ports[0].nodePort", "FieldValueForbidden", "Forbidden: may not be used when `type` is 'ClusterIP'")),
    ({"type": "ExternalName"}, ("spec.externalName", "FieldValueRequired", "Required value")),
    ({"type": "NodePort", "clusterIP": "None", "ports": [{"port": 80}]}, (
        "spec.clusterIPs[0]", "FieldValueInvalid", "Invalid value: \"None\": may not be set to 'None' for NodePort services")),
])
def test_service_validation(spec, cause):
    assert cause in create("", "services", {"metadata": meta(), "spec": spec})[1]


def test_service_names_are_dns1035_labels():
    assert rtype("", "v1", "services").strategy.name_rule == "dns1035"
    assert rtype("", "v1", "namespaces").strategy.name_rule == "label"


def test_service_cluster_ip_is_immutable():
    old = valid("", "services", {"metadata": meta(), "spec": {"clusterIP": "10.96.0.10", "ports": [{"port": 53}]}})
    new = copy.deepcopy(old)
    new["spec"]["clusterIP"] = "10.96.0.11"
    new["spec"]["clusterIPs"] = ["10.96.0.11"]
    assert update("", "services", new, old)[1] == [
        ("spec.clusterIPs[0]", "FieldValueInvalid", 'Invalid value: []string{"10.96.0.11"}: may not change once set')]


def test_service_switch_to_external_name_drops_allocated_fields():
    old = valid("", "services", {"metadata": meta(), "spec": {"type": "NodePort", "clusterIP": "10.96.0.10",
                                                             "ports": [{"port": 80, "nodePort": 30080}]}})
    new = copy.deepcopy(old)
    new["spec"]["type"] = "ExternalName"
    new["spec"]["externalName"] = "example.com"
    prepared, causes = update("", "services", new, old)
    assert causes == []
    for key in ("clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy", "externalTrafficPolicy"):
        assert key not in prepared["spec"]
    assert "nodePort" not in prepared["spec"]["ports"][0]


def test_namespace_lifecycle():
    strategy = rtype("", "v1", "namespaces").strategy
    ns = valid("", "namespaces", {"metadata": meta("team-a", namespace="")})
    assert ns["spec"] == {"finalizers": ["kubernetes"]}
    assert ns["status"] == {"phase": "Active"}
    assert ns["metadata"]["labels"] == {"kubernetes.io/metadata.name": "team-a"}
    # generated names get their label at canonicalize
    generated = {"metadata": {"generateName": "team-"}}
    strategy.prepare_for_create(generated, Context())
    generated["metadata"]["name"] = "team-x7k2p"
    strategy.canonicalize(generated)
    assert generated["metadata"]["labels"] == {"kubernetes.io/metadata.name": "team-x7k2p"}
    # spec.finalizers only changes through /finalize
    new = copy.deepcopy(ns)
    new["spec"]["finalizers"] = []
    assert update("", "namespaces", new, ns)[0]["spec"] == {"finalizers": ["kubernetes"]}
    namespaces = rtype("", "v1", "namespaces")
    finalized = namespaces.subresource("finalize").into(namespaces, ns, new, "x")
    assert finalized["spec"] == {} and finalized["status"] == {"phase": "Active"}
    assert strategy.blocks_deletion(ns) and not strategy.blocks_deletion(finalized)
    strategy.prepare_for_delete(ns, Context())
    assert ns["status"]["phase"] == "Terminating"
    assert create("", "namespaces", {"metadata": meta("x", namespace=""), "spec": {"finalizers": ["bad"]}})[1] == [
        ("spec.finalizers", "FieldValueInvalid",
         'Invalid value: "bad": name is neither a standard finalizer name nor is it fully qualified')]


def test_config_map_validation():
    causes = create("", "configmaps", {"metadata": meta(), "data": {"a b": "1", "k": "v"},
                                       "binaryData": {"k": base64.b64encode(b"x").decode()}})[1]
    assert ("data[a b]", "FieldValueInvalid",
            "Invalid value: \"a b\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' "
            "(e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')") in causes
    assert ("data[k]", "FieldValueInvalid", 'Invalid value: "k": duplicate of key present in binaryData') in causes
    causes = create("", "configmaps", {"metadata": meta(), "data": {"big": "x" * (1024 * 1024 + 1)}})[1]
    assert causes == [("[]", "FieldValueTooLong", defaults_too_long(1048576))]


def defaults_too_long(n):
    return validation.too_long("", n)[2]


def test_config_map_and_secret_immutable():
    old = valid("", "configmaps", {"metadata": meta(), "data": {"a": "1"}, "immutable": True})
    new = copy.deepcopy(old)
    new["data"]["a"] = "2"
    assert update("", "configmaps", new, old)[1] == [
        ("data", "FieldValueForbidden", "Forbidden: field is immutable when `immutable` is set")]
    old = valid("", "secrets", {"metadata": meta(), "stringData": {"a": "1"}, "immutable": True})
    new = copy.deepcopy(old)
    new["immutable"] = False
    new["type"] = "kubernetes.io/basic-auth"
    causes = update("", "secrets", new, old)[1]
    assert ("type", "FieldValueInvalid", 'Invalid value: "kubernetes.io/basic-auth": field is immutable') in causes
    assert ("immutable", "FieldValueForbidden", "Forbidden: field is immutable when `immutable` is set") in causes


def test_secret_string_data_and_types():
    secret = valid("", "secrets", {"metadata": meta(), "data": {"a": base64.b64encode(b"old").decode()},
                                   "stringData": {"a": "new", "b": "2"}})
    assert secret == {"metadata": meta(), "type": "Opaque",
                      "data": {"a": base64.b64encode(b"new").decode(), "b": base64.b64encode(b"2").decode()}}
    causes = create("", "secrets", {"metadata": meta(), "type": "kubernetes.io/tls", "stringData": {"tls.crt": "x"}})[1]
    assert causes == [("data[tls.key]", "FieldValueRequired", "Required value")]
    causes = create("", "secrets", {"metadata": meta(), "type": "kubernetes.io/service-account-token"})[1]
    assert causes == [("metadata.annotations[kubernetes.io/service-account.name]", "FieldValueRequired", "Required value")]
    with pytest.raises(errors.APIError) as exc:
        create("", "secrets", {"metadata": meta(), "data": {"a": "not base64!"}})
    assert exc.value.code == 400


def test_persistent_volumes_and_claims():
    pv = valid("", "persistentvolumes", {"metadata": meta("pv1", namespace=""), "spec": {
        "capacity": {"storage": "10Gi"}, "accessModes": ["ReadWriteOnce"], "hostPath": {"path": "/data"}}})
    assert pv["spec"]["persistentVolumeReclaimPolicy"] == "Retain"
    assert pv["spec"]["volumeMode"] == "Filesystem"
    assert pv["status"]["phase"] == "Pending" and pv["status"]["lastPhaseTransitionTime"]
    pvc = valid("", "persistentvolumeclaims", {"metadata": meta(), "spec": {
        "accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1.5Gi"}}}})
    assert pvc["spec"] == {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1536Mi"}},
                           "volumeMode": "Filesystem"}
    assert pvc["status"] == {"phase": "Pending"}
    assert create("", "persistentvolumeclaims", {"metadata": meta(), "spec": {}})[1] == [
        ("spec.accessModes", "FieldValueRequired", "Required value: at least 1 access mode is required"),
        ("spec.resources[storage]", "FieldValueRequired", "Required value"),
    ]
    grown = copy.deepcopy(pvc)
    grown["spec"]["resources"]["requests"]["storage"] = "2Gi"
    assert update("", "persistentvolumeclaims", grown, pvc)[1] == []
    grown["spec"]["accessModes"] = ["ReadWriteMany"]
    assert update("", "persistentvolumeclaims", grown, pvc)[1] == [(
        "spec", "FieldValueForbidden",
        "Forbidden: spec is immutable after creation except resources.requests for bound claims")]


def test_node_keeps_status_and_defaults_allocatable():
    node = valid("", "nodes", {"metadata": meta("n1", namespace=""), "spec": {"podCIDR": "10.244.0.0/24"},
                               "status": {"capacity": {"cpu": "4", "memory": "8Gi"}}})
    assert node["spec"]["podCIDRs"] == ["10.244.0.0/24"]
    assert node["status"]["allocatable"] == {"cpu": "4", "memory": "8Gi"}


def test_core_event_shape_and_validation():
    event = valid("", "events", {"metadata": meta("e1"), "involvedObject": {"kind": "Pod", "name": "p", "namespace": "default"},
                                 "reason": "Started", "message": "hi", "type": "Normal", "source": {"component": "kubelet"}})
    assert event["eventTime"] is None and event["firstTimestamp"] is None
    assert event["reportingComponent"] == "" and event["reportingInstance"] == ""
    causes = create("", "events", {"metadata": meta("e2"), "involvedObject": {"kind": "Pod", "name": "p", "namespace": "other"}})[1]
    assert causes == [("involvedObject.namespace", "FieldValueInvalid", 'Invalid value: "other": does not match event.namespace')]


def test_limit_range_defaults():
    lr = valid("", "limitranges", {"metadata": meta(), "spec": {"limits": [
        {"type": "Container", "max": {"cpu": "2"}, "min": {"memory": "64Mi"}}]}})
    item = lr["spec"]["limits"][0]
    assert item["default"] == {"cpu": "2"}
    assert item["defaultRequest"] == {"cpu": "2", "memory": "64Mi"}


@pytest.mark.parametrize("text, canonical", [
    ("100m", "100m"), ("0.1", "100m"), ("0.5", "500m"), ("1", "1"), ("1.5", "1500m"), ("1000", "1k"),
    ("1500", "1500"), ("1G", "1G"), ("129e6", "129e6"), ("1024Mi", "1Gi"), ("1.5Gi", "1536Mi"),
    ("0.5Gi", "512Mi"), ("1.5Ki", "1536"), ("500Ki", "500Ki"), (2, "2"), (0.25, "250m"), ("0", "0"),
    ("1n", "1n"), ("nope", "nope"),
])
def test_quantity_canonical_form(text, canonical):
    assert defaults.canonical_quantity(text) == canonical


def test_milli_rounding_for_pod_resources():
    assert defaults.canonical_quantity("0.0001", milli=True) == "1m"
    assert defaults.canonical_quantity("100Ki", milli=True) == "100Ki"


# ============================================================ other groups
def test_network_policy_defaults():
    np = valid("networking.k8s.io", "networkpolicies", {"metadata": meta(), "spec": {
        "podSelector": {}, "egress": [{"ports": [{"port": 53}]}]}})
    assert np["spec"]["policyTypes"] == ["Ingress", "Egress"]
    assert np["spec"]["egress"][0]["ports"] == [{"port": 53, "protocol": "TCP"}]
    np = valid("networking.k8s.io", "networkpolicies", {"metadata": meta(), "spec": {"podSelector": {}}})
    assert np["spec"]["policyTypes"] == ["Ingress"]
    causes = create("networking.k8s.io", "networkpolicies", {"metadata": meta(), "spec": {
        "podSelector": {}, "policyTypes": ["Sideways"], "ingress": [{"from": [{}]}]}})[1]
    assert ("spec.policyTypes[0]", "FieldValueNotSupported",
            'Unsupported value: "Sideways": supported values: "Ingress", "Egress"') in causes
    assert ("spec.ingress[0].from[0]", "FieldValueRequired", "Required value: must specify a peer") in causes


def test_ingress_and_ingress_class():
    ing = valid("networking.k8s.io", "ingresses", {"metadata": meta(), "spec": {"rules": [{"host": "example.com", "http": {
        "paths": [{"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "web", "port": {"number": 80}}}}]}}]}})
    assert ing["status"] == {"loadBalancer": {}}
    causes = create("networking.k8s.io", "ingresses", {"metadata": meta(), "spec": {"rules": [{"http": {
        "paths": [{"path": "/", "backend": {"service": {"name": "web"}}}]}}]}})[1]
    assert ("spec.rules[0].http.paths[0].pathType", "FieldValueRequired", "Required value: pathType must be specified") in causes
    assert ("spec.rules[0].http.paths[0].backend", "FieldValueRequired", "Required value: port name or number is required") in causes
    ic = valid("networking.k8s.io", "ingressclasses", {"metadata": meta("nginx", namespace=""), "spec": {
        "controller": "k8s.io/ingress-nginx", "parameters": {"kind": "Params", "name": "p"}}})
    assert ic["spec"]["parameters"]["scope"] == "Cluster"


def test_pdb_priority_and_storage_classes():
    pdb = valid("policy", "poddisruptionbudgets", {"metadata": meta(), "spec": {"minAvailable": 1, "selector": {}}})
    assert pdb["status"] == {"currentHealthy": 0, "desiredHealthy": 0, "disruptionsAllowed": 0, "expectedPods": 0}
    causes = create("policy", "poddisruptionbudgets", {"metadata": meta(), "spec": {"minAvailable": "150%"}})[1]
    assert causes == [("spec.minAvailable", "FieldValueInvalid", 'Invalid value: "150%": must not be greater than 100%')]
    pc = valid("scheduling.k8s.io", "priorityclasses", {"metadata": meta("high", namespace=""), "value": 1000})
    assert pc["preemptionPolicy"] == "PreemptLowerPriority"
    changed = dict(pc, value=2000)
    assert update("scheduling.k8s.io", "priorityclasses", changed, pc)[1] == [
        ("value", "FieldValueForbidden", "Forbidden: may not be changed in an update.")]
    assert create("scheduling.k8s.io", "priorityclasses", {"metadata": meta("system-x", namespace=""), "value": 1})[1] == [(
        "metadata.name", "FieldValueForbidden", "Forbidden: priority class names with 'system-' prefix are reserved "
        "for system use only. error: system-x is not a known system priority class")]
    sc = valid("storage.k8s.io", "storageclasses", {"metadata": meta("fast", namespace=""), "provisioner": "ebs.csi.aws.com"})
    assert (sc["reclaimPolicy"], sc["volumeBindingMode"]) == ("Delete", "Immediate")
    changed = dict(sc, parameters={"type": "gp3"})
    assert update("storage.k8s.io", "storageclasses", changed, sc)[1] == [
        ("parameters", "FieldValueForbidden", "Forbidden: updates to parameters are forbidden.")]


def test_lease_validation():
    lease = valid("coordination.k8s.io", "leases", {"metadata": meta()})
    assert lease["spec"] == {}
    assert create("coordination.k8s.io", "leases", {"metadata": meta(), "spec": {"leaseDurationSeconds": 0}})[1] == [
        ("spec.leaseDurationSeconds", "FieldValueInvalid", "Invalid value: 0: must be greater than 0")]


def test_events_v1_conversion_and_validation():
    ev = {"apiVersion": "events.k8s.io/v1", "kind": "Event", "metadata": meta("e"), "eventTime": "2024-01-01T00:00:00.000000Z",
          "reportingController": "kubelet", "reportingInstance": "node-1", "action": "Pull", "reason": "Pulled",
          "regarding": {"kind": "Pod", "name": "p", "namespace": "default"}, "note": "pulled", "type": "Normal",
          "deprecatedCount": 2}
    core_event = events.to_core_event(ev)
    assert core_event["involvedObject"] == ev["regarding"] and core_event["message"] == "pulled"
    assert core_event["reportingComponent"] == "kubelet" and core_event["count"] == 2
    assert events.from_core_event(core_event) == ev
    causes = create("events.k8s.io", "events", ev)[1]
    assert causes == [("deprecatedCount", "FieldValueInvalid", 'Invalid value: "": needs to be unset')]
    causes = create("events.k8s.io", "events", {"metadata": meta("e"), "type": "Odd"})[1]
    assert ("eventTime", "FieldValueRequired", "Required value") in causes
    assert ("type", "FieldValueInvalid", 'Invalid value: "": has invalid value: Odd') in causes


# ====================================================================== HPA
def test_hpa_v2_defaults():
    hpa = valid("autoscaling", "horizontalpodautoscalers", {"metadata": meta(), "spec": {
        "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}, "maxReplicas": 5,
        "behavior": {"scaleDown": {"stabilizationWindowSeconds": 60}}}}, version="v2")
    assert hpa["spec"]["minReplicas"] == 1
    assert hpa["spec"]["metrics"] == [{"type": "Resource", "resource": {
        "name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}}}]
    assert hpa["spec"]["behavior"] == {
        "scaleUp": {"stabilizationWindowSeconds": 0, "selectPolicy": "Max", "policies": [
            {"type": "Pods", "value": 4, "periodSeconds": 15}, {"type": "Percent", "value": 100, "periodSeconds": 15}]},
        "scaleDown": {"stabilizationWindowSeconds": 60, "selectPolicy": "Max", "policies": [
            {"type": "Percent", "value": 100, "periodSeconds": 15}]},
    }
    assert hpa["status"] == {"desiredReplicas": 0}
    causes = create("autoscaling", "horizontalpodautoscalers", {"metadata": meta(), "spec": {
        "scaleTargetRef": {"kind": "Deployment"}, "minReplicas": 3, "maxReplicas": 2}}, version="v2")[1]
    assert causes == [
        ("spec.maxReplicas", "FieldValueInvalid", "Invalid value: 2: must be greater than or equal to `minReplicas`"),
        ("spec.scaleTargetRef.name", "FieldValueRequired", "Required value"),
    ]


V1_HPA = {
    "apiVersion": "autoscaling/v1",
    "kind": "HorizontalPodAutoscaler",
    "metadata": {"name": "web", "namespace": "default", "annotations": {"team": "a"}},
    "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
             "minReplicas": 2, "maxReplicas": 10, "targetCPUUtilizationPercentage": 70},
    "status": {"currentReplicas": 3, "desiredReplicas": 4, "currentCPUUtilizationPercentage": 65},
}


def test_hpa_v1_to_v2_to_v1():
    v2 = autoscaling.hpa_v1_to_v2(V1_HPA)
    assert v2["spec"]["metrics"] == [{"type": "Resource", "resource": {
        "name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}}}]
    assert v2["metadata"]["annotations"] == {"team": "a"}
    assert v2["status"]["currentMetrics"] == [{"type": "Resource", "resource": {
        "name": "cpu", "current": {"averageUtilization": 65}}}]
    back = autoscaling.hpa_v2_to_v1(v2)
    # the status now carries its metrics in the round-trip annotation
    annotations = back["metadata"].pop("annotations")
    assert annotations.pop(autoscaling.CURRENT_METRICS_ANNOTATION) == \
        '[{"type":"Resource","resource":{"name":"cpu","currentAverageUtilization":65,"currentAverageValue":"0"}}]'
    assert annotations == {"team": "a"}
    expected = copy.deepcopy(V1_HPA)
    expected["metadata"].pop("annotations")
    assert back == expected
    # without a status the round trip is exact
    spec_only = {k: v for k, v in V1_HPA.items() if k != "status"}
    assert autoscaling.hpa_v2_to_v1(autoscaling.hpa_v1_to_v2(spec_only)) == spec_only


def test_hpa_v1_without_target_gets_the_implicit_cpu_default():
    v1 = copy.deepcopy(V1_HPA)
    del v1["spec"]["targetCPUUtilizationPercentage"]
    v2 = autoscaling.hpa_v1_to_v2(v1)
    assert v2["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"] == 80


V2_HPA = {
    "apiVersion": "autoscaling/v2",
    "kind": "HorizontalPodAutoscaler",
    "metadata": {"name": "web", "namespace": "default"},
    "spec": {
        "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
        "minReplicas": 1, "maxReplicas": 10,
        "metrics": [
            {"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 60}}},
            {"type": "Resource", "resource": {"name": "memory", "target": {"type": "AverageValue", "averageValue": "500Mi"}}},
            {"type": "Pods", "pods": {"metric": {"name": "packets-per-second"},
                                      "target": {"type": "AverageValue", "averageValue": "1k"}}},
            {"type": "Object", "object": {
                "describedObject": {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "name": "main-route"},
                "metric": {"name": "requests-per-second", "selector": {"matchLabels": {"verb": "GET"}}},
                "target": {"type": "Value", "value": "10k"}}},
            {"type": "External", "external": {"metric": {"name": "queue_messages_ready"},
                                              "target": {"type": "AverageValue", "averageValue": "30"}}},
            {"type": "ContainerResource", "containerResource": {
                "name": "cpu", "container": "app", "target": {"type": "Utilization", "averageUtilization": 50}}},
        ],
        "behavior": {
            "scaleUp": {"stabilizationWindowSeconds": 0, "selectPolicy": "Max", "policies": [
                {"type": "Pods", "value": 4, "periodSeconds": 15}, {"type": "Percent", "value": 100, "periodSeconds": 15}]},
            "scaleDown": {"stabilizationWindowSeconds": 300, "selectPolicy": "Min", "policies": [
                {"type": "Percent", "value": 10, "periodSeconds": 60}]},
        },
    },
    "status": {
        "currentReplicas": 3, "desiredReplicas": 3, "lastScaleTime": "2024-05-01T10:00:00Z",
        "currentMetrics": [
            {"type": "Resource", "resource": {"name": "cpu", "current": {"averageUtilization": 45, "averageValue": "450m"}}},
            {"type": "Resource", "resource": {"name": "memory", "current": {"averageValue": "300Mi"}}},
        ],
        "conditions": [{"type": "AbleToScale", "status": "True", "lastTransitionTime": "2024-05-01T10:00:00Z",
                        "reason": "ReadyForNewScale", "message": "recommended size matches current size"}],
    },
}


def test_hpa_v2_with_extra_metrics_through_v1_and_back():
    v1 = autoscaling.hpa_v2_to_v1(V2_HPA)
    assert v1["spec"] == {"scaleTargetRef": {"kind": "Deployment", "name": "web", "apiVersion": "apps/v1"},
                          "minReplicas": 1, "maxReplicas": 10, "targetCPUUtilizationPercentage": 60}
    assert v1["status"] == {"lastScaleTime": "2024-05-01T10:00:00Z", "currentReplicas": 3, "desiredReplicas": 3,
                            "currentCPUUtilizationPercentage": 45}
    annotations = v1["metadata"]["annotations"]
    others = json.loads(annotations[autoscaling.METRICS_ANNOTATION])
    assert others[0] == {"type": "Resource", "resource": {"name": "memory", "targetAverageValue": "500Mi"}}
    assert others[2] == {"type": "Object", "object": {
        "target": {"kind": "Ingress", "name": "main-route", "apiVersion": "networking.k8s.io/v1"},
        "metricName": "requests-per-second", "targetValue": "10k", "selector": {"matchLabels": {"verb": "GET"}}}}
    assert json.loads(annotations[autoscaling.BEHAVIOR_ANNOTATION])["ScaleDown"] == {
        "StabilizationWindowSeconds": 300, "SelectPolicy": "Min",
        "Policies": [{"Type": "Percent", "Value": 10, "PeriodSeconds": 60}]}
    assert autoscaling.CPU_INDEX_ANNOTATION in annotations  # the CPU target was not last
    assert autoscaling.hpa_v1_to_v2(v1) == V2_HPA
    # and what v1 reads back from that is stable
    assert autoscaling.hpa_v2_to_v1(autoscaling.hpa_v1_to_v2(v1)) == v1


def test_hpa_upstream_annotation_format_is_read():
    """An object written by kube-apiserver through autoscaling/v1 (CPU last)."""
    v1 = copy.deepcopy(V1_HPA)
    del v1["status"]
    v1["metadata"]["annotations"] = {autoscaling.METRICS_ANNOTATION: json.dumps(
        [{"type": "External", "external": {"metricName": "queue", "targetAverageValue": "30"}}])}
    v2 = autoscaling.hpa_v1_to_v2(v1)
    assert "annotations" not in v2["metadata"]
    assert [m["type"] for m in v2["spec"]["metrics"]] == ["External", "Resource"]
    assert v2["spec"]["metrics"][0]["external"] == {"metric": {"name": "queue"},
                                                     "target": {"type": "AverageValue", "averageValue": "30"}}
    assert autoscaling.hpa_v2_to_v1(v2) == {**v1, "metadata": {**v1["metadata"], "annotations": {
        autoscaling.METRICS_ANNOTATION: '[{"type":"External","external":{"metricName":"queue","targetAverageValue":"30"}}]'}}}


def test_hpa_storage_declarations():
    v1, v2 = rtype("autoscaling", "v1", "horizontalpodautoscalers"), rtype("autoscaling", "v2", "horizontalpodautoscalers")
    assert (v1.storage_version, v2.storage_version) == ("v2", "v2")
    assert v1.to_storage is autoscaling.hpa_v1_to_v2 and v1.from_storage is autoscaling.hpa_v2_to_v1
    assert builtin.group_versions()["autoscaling"] == ["v2", "v1"]


# ============================================================= declarations
DECLARED = {
    # (group, version, plural): (namespaced, subresources, short names, categories)
    ("", "v1", "namespaces"): (False, ("status", "finalize"), ("ns",), ()),
    ("", "v1", "configmaps"): (True, (), ("cm",), ()),
    ("", "v1", "secrets"): (True, (), (), ()),
    ("", "v1", "serviceaccounts"): (True, ("token",), ("sa",), ()),
    ("", "v1", "pods"): (True, ("status", "binding"), ("po",), ("all",)),
    ("", "v1", "services"): (True, ("status",), ("svc",), ("all",)),
    ("", "v1", "endpoints"): (True, (), ("ep",), ()),
    ("", "v1", "nodes"): (False, ("status",), ("no",), ()),
    ("", "v1", "events"): (True, (), ("ev",), ()),
    ("", "v1", "resourcequotas"): (True, ("status",), ("quota",), ()),
    ("", "v1", "limitranges"): (True, (), ("limits",), ()),
    ("", "v1", "persistentvolumes"): (False, ("status",), ("pv",), ()),
    ("", "v1", "persistentvolumeclaims"): (True, ("status",), ("pvc",), ()),
    ("", "v1", "podtemplates"): (True, (), (), ()),
    ("", "v1", "replicationcontrollers"): (True, ("status", "scale"), ("rc",), ("all",)),
    ("apps", "v1", "deployments"): (True, ("status", "scale"), ("deploy",), ("all",)),
    ("apps", "v1", "replicasets"): (True, ("status", "scale"), ("rs",), ("all",)),
    ("apps", "v1", "statefulsets"): (True, ("status", "scale"), ("sts",), ("all",)),
    ("apps", "v1", "daemonsets"): (True, ("status",), ("ds",), ("all",)),
    ("batch", "v1", "jobs"): (True, ("status",), (), ("all",)),
    ("batch", "v1", "cronjobs"): (True, ("status",), ("cj",), ("all",)),
    ("coordination.k8s.io", "v1", "leases"): (True, (), (), ()),
    ("events.k8s.io", "v1", "events"): (True, (), ("ev",), ()),
    ("policy", "v1", "poddisruptionbudgets"): (True, ("status",), ("pdb",), ()),
    ("networking.k8s.io", "v1", "ingresses"): (True, ("status",), ("ing",), ()),
    ("networking.k8s.io", "v1", "networkpolicies"): (True, (), ("netpol",), ()),
    ("networking.k8s.io", "v1", "ingressclasses"): (False, (), (), ()),
    ("scheduling.k8s.io", "v1", "priorityclasses"): (False, (), ("pc",), ()),
    ("storage.k8s.io", "v1", "storageclasses"): (False, (), ("sc",), ()),
    ("autoscaling", "v1", "horizontalpodautoscalers"): (True, ("status",), ("hpa",), ("all",)),
    ("autoscaling", "v2", "horizontalpodautoscalers"): (True, ("status",), ("hpa",), ("all",)),
}


@pytest.mark.parametrize("key", sorted(DECLARED))
def test_declarations(key):
    t = rtype(*key)
    assert (t.namespaced, tuple(sub.name for sub in t.subresources), t.short_names, t.categories) == DECLARED[key]
    assert t.strategy.has_status == (t.subresource("status") is not None)
    assert t.columns and callable(t.row)


def test_generation_tracking_follows_upstream():
    tracked = {(t.group, t.plural) for t in builtin.types() if t.strategy.tracks_generation}
    assert tracked >= {("apps", "deployments"), ("batch", "jobs"), ("batch", "cronjobs"), ("", "replicationcontrollers"),
                       ("policy", "poddisruptionbudgets"), ("networking.k8s.io", "networkpolicies")}
    assert not tracked & {("", "pods"), ("", "services"), ("", "configmaps"), ("", "namespaces"),
                          ("autoscaling", "horizontalpodautoscalers")}


def test_selectable_fields():
    pods = rtype("", "v1", "pods").selectable_fields
    pod = {"spec": {"nodeName": "n1", "restartPolicy": "Always"}, "status": {"phase": "Running", "podIPs": [{"ip": "10.1.1.1"}]}}
    assert {k: f(pod) for k, f in pods.items()} == {
        "spec.nodeName": "n1", "spec.restartPolicy": "Always", "spec.schedulerName": "",
        "spec.serviceAccountName": "", "spec.hostNetwork": "false", "status.phase": "Running",
        "status.podIP": "10.1.1.1", "status.nominatedNodeName": ""}
    assert rtype("", "v1", "nodes").selectable_fields["spec.unschedulable"]({"spec": {"unschedulable": True}}) == "true"
    assert rtype("apps", "v1", "replicasets").selectable_fields["status.replicas"]({}) == "0"
    assert rtype("batch", "v1", "jobs").selectable_fields["status.successful"]({"status": {"succeeded": 2}}) == "2"
    assert rtype("", "v1", "secrets").selectable_fields["type"]({"type": "Opaque"}) == "Opaque"
    assert rtype("", "v1", "namespaces").selectable_fields["status.phase"]({"status": {"phase": "Active"}}) == "Active"
    assert set(rtype("", "v1", "events").selectable_fields) == {
        "involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
        "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath", "reason",
        "reportingComponent", "source", "type"}


def test_defaults_are_idempotent():
    samples = [
        ("apps", "v1", "deployments", {"spec": {"selector": {"matchLabels": {"a": "b"}}, "template": template()}}),
        ("apps", "v1", "statefulsets", {"spec": {"template": template(),
                                                 "volumeClaimTemplates": [{"metadata": {"name": "d"}}]}}),
        ("batch", "v1", "cronjobs", {"spec": {"jobTemplate": {"spec": {"template": template()}}}}),
        ("", "v1", "services", {"spec": {"type": "LoadBalancer", "ports": [{"port": 1}], "sessionAffinity": "ClientIP"}}),
        ("", "v1", "pods", {"spec": {"containers": [{"name": "c", "image": "x",
                                                      "resources": {"limits": {"cpu": "0.1"}}}]}}),
        ("autoscaling", "v2", "horizontalpodautoscalers", {"spec": {"behavior": {}}}),
    ]
    for group, version, plural, obj in samples:
        default = rtype(group, version, plural).strategy.defaulter
        once = default(copy.deepcopy(obj))
        assert default(copy.deepcopy(once)) == once, plural


def test_go_label_selector_rendering():
    rendered = go_label_selector({"matchExpressions": [{"key": "tier", "operator": "In", "values": ["web"]}]}).text
    assert rendered == ('v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement'
                        '{v1.LabelSelectorRequirement{Key:"tier", Operator:"In", Values:[]string{"web"}}}}')


# ============================================================ subresources
def test_scale_subresource():
    from resources.subresources.scale import WORKLOAD_SCALE as scale_sub

    deployments = rtype("apps", "v1", "deployments")
    old = valid("apps", "deployments", {"metadata": meta("web"), "spec": {
        "selector": {"matchLabels": {"app": "nginx"}, "matchExpressions": [{"key": "tier", "operator": "In", "values": ["b", "a"]}]},
        "template": template(labels={"app": "nginx", "tier": "a"})}})
    scale = scale_sub.view(deployments, old)
    assert scale["spec"] == {"replicas": 1}
    assert scale["status"] == {"replicas": 0, "selector": "app=nginx,tier in (a,b)"}
    body = {"apiVersion": "autoscaling/v1", "kind": "Scale", "metadata": {"name": "web"}, "spec": {"replicas": 4}}
    new = scale_sub.into(deployments, old, body, "web")
    assert new["spec"]["replicas"] == 4 and new["spec"]["template"] == old["spec"]["template"]
    assert deployments.strategy.validate_update(new, old, Context(subresource="scale")) == []
    body["spec"]["replicas"] = -1
    with pytest.raises(errors.APIError) as err:
        scale_sub.into(deployments, old, body, "web")
    assert err.value.code == 422
    rc = valid("", "replicationcontrollers", {"metadata": meta(), "spec": {"template": template()}})
    assert scale_sub.view(rtype("", "v1", "replicationcontrollers"), rc)["status"]["selector"] == "app=nginx"


def test_pod_binding():
    from resources.kinds.core import apply_binding

    pod = valid("", "pods", {"metadata": meta("p"), "spec": {"containers": [{"name": "c", "image": "x"}]}})
    bound = apply_binding(pod, {"metadata": {"name": "p", "annotations": {"a": "b"}}, "target": {"kind": "Node", "name": "n1"}})
    assert bound["spec"]["nodeName"] == "n1" and bound["metadata"]["annotations"] == {"a": "b"}
    assert bound["status"]["conditions"][-1]["type"] == "PodScheduled"
    with pytest.raises(errors.APIError) as exc:
        apply_binding(bound, {"target": {"name": "n2"}})
    assert exc.value.code == 409 and 'is already assigned to node "n1"' in exc.value.message
