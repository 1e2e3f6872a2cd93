"""Server-side printing: columns and cells as kube-apiserver v1.32 prints them.

Pure unit tests: one table of (kind, object, expected cells, wide cells
included — kube-apiserver always generates wide rows), plus column
declarations and AGE formatting.
"""
import json
from datetime import datetime, timedelta, timezone

import pytest

from resources.kinds.autoscaling import hpa_v1_to_v2
from resources.printing import printers
from resources.printing.printers import age, table
from resources.registry import Column

NOW = datetime(2024, 5, 1, 12, 0, 0, tzinfo=timezone.utc)


def ago(**kw):
    return (NOW - timedelta(**kw)).strftime("%Y-%m-%dT%H:%M:%SZ")


CREATED = ago(days=3)


def meta(name="web", namespace="default", **extra):
    m = {"name": name, "creationTimestamp": CREATED, "uid": "0d9c3f9e-1", "resourceVersion": "42"}
    if namespace:
        m["namespace"] = namespace
    m.update(extra)
    return m


# --- objects -------------------------------------------------------------------


def pod(status=None, spec=None, **meta_extra):
    base_spec = {"containers": [{"name": "nginx", "image": "nginx:1.25"}], "restartPolicy": "Always"}
    base_spec.update(spec or {})
    return {
        "apiVersion": "v1", "kind": "Pod", "metadata": meta(**meta_extra),
        "spec": base_spec, "status": status if status is not None else {"phase": "Pending"},
    }


def running(name="nginx", ready=True, restarts=0, **extra):
    cs = {
        "name": name, "image": "nginx:1.25", "ready": ready, "restartCount": restarts, "started": True,
        "state": {"running": {"startedAt": ago(hours=1)}},
    }
    cs.update(extra)
    return cs


CONDITIONS_READY = [
    {"type": "Initialized", "status": "True"},
    {"type": "Ready", "status": "True"},
    {"type": "ContainersReady", "status": "True"},
    {"type": "PodScheduled", "status": "True"},
]

RUNNING_STATUS = {
    "phase": "Running", "conditions": CONDITIONS_READY, "hostIP": "172.18.0.2",
    "podIP": "10.244.0.5", "podIPs": [{"ip": "10.244.0.5"}], "containerStatuses": [running()],
}

POD_CASES = [
    ("pending-unscheduled", pod(), ["web", "0/1", "Pending", "0", "3d", "<none>", "<none>", "<none>", "<none>"]),
    ("pending-scheduled-creating", pod(
        spec={"nodeName": "node-1"},
        status={"phase": "Pending", "conditions": [{"type": "PodScheduled", "status": "True"}],
                "containerStatuses": [{"name": "nginx", "ready": False, "restartCount": 0,
                                       "state": {"waiting": {"reason": "ContainerCreating"}}}]},
    ), ["web", "0/1", "ContainerCreating", "0", "3d", "<none>", "node-1", "<none>", "<none>"]),
    ("running", pod(spec={"nodeName": "node-1"}, status=RUNNING_STATUS),
     ["web", "1/1", "Running", "0", "3d", "10.244.0.5", "node-1", "<none>", "<none>"]),
    ("crashloop", pod(spec={"nodeName": "node-1"}, status={
        "phase": "Running", "podIPs": [{"ip": "10.244.0.6"}],
        "conditions": [{"type": "Initialized", "status": "True"}, {"type": "Ready", "status": "False"}],
        "containerStatuses": [{
            "name": "nginx", "ready": False, "restartCount": 5, "started": False,
            "state": {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 5m0s"}},
            "lastState": {"terminated": {"exitCode": 1, "reason": "Error", "finishedAt": ago(minutes=5)}},
        }],
    }), ["web", "0/1", "CrashLoopBackOff", "5 (5m ago)", "3d", "10.244.0.6", "node-1", "<none>", "<none>"]),
    ("completed", pod(spec={"restartPolicy": "Never"}, status={
        "phase": "Succeeded",
        "containerStatuses": [{"name": "nginx", "ready": False, "restartCount": 0, "state": {
            "terminated": {"exitCode": 0, "reason": "Completed", "finishedAt": ago(hours=2)}}}],
    }), ["web", "0/1", "Completed", "0", "3d", "<none>", "<none>", "<none>", "<none>"]),
    ("error-exit-code", pod(status={
        "phase": "Failed",
        "containerStatuses": [{"name": "nginx", "ready": False, "restartCount": 0,
                               "state": {"terminated": {"exitCode": 137}}}],
    }), ["web", "0/1", "ExitCode:137", "0", "3d", "<none>", "<none>", "<none>", "<none>"]),
    ("killed-by-signal", pod(status={
        "phase": "Failed",
        "containerStatuses": [{"name": "nginx", "ready": False, "restartCount": 0,
                               "state": {"terminated": {"exitCode": 0, "signal": 9}}}],
    }), ["web", "0/1", "Signal:9", "0", "3d", "<none>", "<none>", "<none>", "<none>"]),
    ("evicted", pod(status={"phase": "Failed", "reason": "Evicted", "message": "low on memory"}),
     ["web", "0/1", "Evicted", "0", "3d", "<none>", "<none>", "<none>", "<none>"]),
    ("terminating", pod(spec={"nodeName": "node-1"}, status=RUNNING_STATUS,
                        deletionTimestamp=ago(seconds=10), deletionGracePeriodSeconds=30),
     ["web", "1/1", "Terminating", "0", "3d", "10.244.0.5", "node-1", "<none>", "<none>"]),
    ("terminating-but-succeeded", pod(status={"phase": "Succeeded", "containerStatuses": [
        {"name": "nginx", "ready": False, "restartCount": 0,
         "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}}]},
        deletionTimestamp=ago(seconds=10)),
     ["web", "0/1", "Completed", "0", "3d", "<none>", "<none>", "<none>", "<none>"]),
    ("node-lost", pod(status={**RUNNING_STATUS, "reason": "NodeLost"}, deletionTimestamp=ago(minutes=1)),
     ["web", "1/1", "Unknown", "0", "3d", "10.244.0.5", "<none>", "<none>", "<none>"]),
    ("init-0-of-1", pod(
        spec={"nodeName": "node-1", "initContainers": [{"name": "migrate", "image": "busybox"}]},
        status={
            "phase": "Pending",
            "conditions": [{"type": "Initialized", "status": "False", "reason": "ContainersNotInitialized"}],
            "initContainerStatuses": [{"name": "migrate", "ready": False, "restartCount": 0,
                                       "state": {"running": {"startedAt": ago(seconds=30)}}}],
            "containerStatuses": [{"name": "nginx", "ready": False, "restartCount": 0,
                                   "state": {"waiting": {"reason": "PodInitializing"}}}],
        }), ["web", "0/1", "Init:0/1", "0", "3d", "<none>", "node-1", "<none>", "<none>"]),
    ("init-1-of-2", pod(
        spec={"initContainers": [{"name": "a", "image": "busybox"}, {"name": "b", "image": "busybox"}]},
        status={
            "phase": "Pending",
            "initContainerStatuses": [
                {"name": "a", "ready": True, "restartCount": 0, "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}},
                {"name": "b", "ready": False, "restartCount": 0, "state": {"waiting": {"reason": "PodInitializing"}}},
            ],
        }), ["web", "0/1", "Init:1/2", "0", "3d", "<none>", "<none>", "<none>", "<none>"]),
    ("init-crashloop", pod(
        spec={"initContainers": [{"name": "migrate", "image": "busybox"}]},
        status={
            "phase": "Pending",
            "initContainerStatuses": [{
                "name": "migrate", "ready": False, "restartCount": 3,
                "state": {"waiting": {"reason": "CrashLoopBackOff"}},
                "lastState": {"terminated": {"exitCode": 1, "reason": "Error", "finishedAt": ago(minutes=2)}},
            }],
        }), ["web", "0/1", "Init:CrashLoopBackOff", "3 (2m ago)", "3d", "<none>", "<none>", "<none>", "<none>"]),
    ("init-error", pod(
        spec={"initContainers": [{"name": "migrate", "image": "busybox"}]},
        status={"phase": "Pending", "initContainerStatuses": [
            {"name": "migrate", "ready": False, "restartCount": 0, "state": {"terminated": {"exitCode": 2, "reason": "Error"}}}]},
    ), ["web", "0/1", "Init:Error", "0", "3d", "<none>", "<none>", "<none>", "<none>"]),
    ("init-exit-code", pod(
        spec={"initContainers": [{"name": "migrate", "image": "busybox"}]},
        status={"phase": "Pending", "initContainerStatuses": [
            {"name": "migrate", "ready": False, "restartCount": 0, "state": {"terminated": {"exitCode": 2}}}]},
    ), ["web", "0/1", "Init:ExitCode:2", "0", "3d", "<none>", "<none>", "<none>", "<none>"]),
    ("sidecar-running", pod(
        spec={"initContainers": [{"name": "proxy", "image": "envoy", "restartPolicy": "Always"}]},
        status={
            "phase": "Running", "conditions": CONDITIONS_READY, "podIPs": [{"ip": "10.244.0.9"}],
            "initContainerStatuses": [running("proxy", restarts=1, lastState={
                "terminated": {"exitCode": 137, "reason": "OOMKilled", "finishedAt": ago(minutes=10)}})],
            "containerStatuses": [running()],
        }), ["web", "2/2", "Running", "1 (10m ago)", "3d", "10.244.0.9", "<none>", "<none>", "<none>"]),
    ("not-ready-after-completion", pod(
        spec={"containers": [{"name": "a", "image": "x"}, {"name": "b", "image": "y"}]},
        status={
            "phase": "Running",
            "conditions": [{"type": "Initialized", "status": "True"}, {"type": "Ready", "status": "False"}],
            "containerStatuses": [
                running("a"),
                {"name": "b", "ready": False, "restartCount": 0,
                 "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}},
            ],
        }), ["web", "1/2", "NotReady", "0", "3d", "<none>", "<none>", "<none>", "<none>"]),
    ("scheduling-gated", pod(
        spec={"schedulingGates": [{"name": "example.com/quota"}]},
        status={"phase": "Pending", "conditions": [
            {"type": "PodScheduled", "status": "False", "reason": "SchedulingGated"}]},
    ), ["web", "0/1", "SchedulingGated", "0", "3d", "<none>", "<none>", "<none>", "<none>"]),
    ("wide-columns", pod(
        spec={"nodeName": "node-2", "readinessGates": [
            {"conditionType": "example.com/lb-ready"}, {"conditionType": "example.com/dns-ready"}]},
        status={**RUNNING_STATUS, "nominatedNodeName": "node-3", "conditions": CONDITIONS_READY + [
            {"type": "example.com/lb-ready", "status": "True"},
            {"type": "example.com/dns-ready", "status": "False"}]},
    ), ["web", "1/1", "Running", "0", "3d", "10.244.0.5", "node-2", "node-3", "1/2"]),
    ("no-creation-timestamp", {"metadata": {"name": "bare"}, "spec": {"containers": []}, "status": {}},
     ["bare", "0/0", "", "0", "<unknown>", "<none>", "<none>", "<none>", "<none>"]),
]


def service(spec, status=None, name="web"):
    return {"apiVersion": "v1", "kind": "Service", "metadata": meta(name=name),
            "spec": spec, "status": status or {"loadBalancer": {}}}


SERVICE_CASES = [
    ("cluster-ip", service({
        "type": "ClusterIP", "clusterIP": "10.96.0.10", "clusterIPs": ["10.96.0.10"],
        "ports": [{"name": "dns", "port": 53, "protocol": "UDP", "targetPort": 53},
                  {"name": "dns-tcp", "port": 53, "protocol": "TCP", "targetPort": 53}],
        "selector": {"k8s-app": "kube-dns"},
    }, name="kube-dns"), ["kube-dns", "ClusterIP", "10.96.0.10", "<none>", "53/UDP,53/TCP", "3d", "k8s-app=kube-dns"]),
    ("cluster-ip-external-ips", service({
        "type": "ClusterIP", "clusterIPs": ["10.96.1.1"], "externalIPs": ["192.0.2.10", "192.0.2.11"],
        "ports": [{"port": 80, "protocol": "TCP"}], "selector": {"app": "web", "tier": "front"},
    }), ["web", "ClusterIP", "10.96.1.1", "192.0.2.10,192.0.2.11", "80/TCP", "3d", "app=web,tier=front"]),
    ("headless", service({"type": "ClusterIP", "clusterIP": "None", "clusterIPs": ["None"],
                          "ports": [{"port": 5432, "protocol": "TCP"}]}),
     ["web", "ClusterIP", "None", "<none>", "5432/TCP", "3d", "<none>"]),
    ("node-port", service({
        "type": "NodePort", "clusterIPs": ["10.96.2.2"],
        "ports": [{"port": 80, "nodePort": 30080, "protocol": "TCP"}, {"port": 443, "nodePort": 30443, "protocol": "TCP"}],
        "selector": {"app": "web"},
    }), ["web", "NodePort", "10.96.2.2", "<none>", "80:30080/TCP,443:30443/TCP", "3d", "app=web"]),
    ("load-balancer-pending", service({
        "type": "LoadBalancer", "clusterIPs": ["10.96.3.3"],
        "ports": [{"port": 80, "nodePort": 31000, "protocol": "TCP"}], "selector": {"app": "web"},
    }), ["web", "LoadBalancer", "10.96.3.3", "<pending>", "80:31000/TCP", "3d", "app=web"]),
    ("load-balancer-ready", service({
        "type": "LoadBalancer", "clusterIPs": ["10.96.3.4"], "ports": [{"port": 443, "nodePort": 31443, "protocol": "TCP"}],
    }, {"loadBalancer": {"ingress": [
        {"ip": "203.0.113.9"}, {"hostname": "a1b2c3d4e5f6-1234567890.eu-west-1.elb.amazonaws.com"}, {"ip": "203.0.113.9"}]}}),
     ["web", "LoadBalancer", "10.96.3.4",
      "203.0.113.9,a1b2c3d4e5f6-1234567890.eu-west-1.elb.amazonaws.com", "443:31443/TCP", "3d", "<none>"]),
    ("load-balancer-with-external-ips", service({
        "type": "LoadBalancer", "clusterIPs": ["10.96.3.5"], "externalIPs": ["198.51.100.1"],
        "ports": [{"port": 80, "nodePort": 31001, "protocol": "TCP"}],
    }, {"loadBalancer": {"ingress": [{"ip": "203.0.113.10"}]}}),
     ["web", "LoadBalancer", "10.96.3.5", "203.0.113.10,198.51.100.1", "80:31001/TCP", "3d", "<none>"]),
    ("external-name", service({"type": "ExternalName", "externalName": "db.example.com"}),
     ["web", "ExternalName", "<none>", "db.example.com", "<none>", "3d", "<none>"]),
]


def deployment(status=None, selector=None, replicas=3):
    obj = {
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta(),
        "spec": {
            "replicas": replicas,
            "selector": selector or {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [
                {"name": "nginx", "image": "nginx:1.25"}, {"name": "log", "image": "fluent-bit:3.0"}]}},
        },
    }
    if status is not None:
        obj["status"] = status
    return obj


DEPLOYMENT_CASES = [
    ("with-status", deployment({"observedGeneration": 2, "replicas": 3, "updatedReplicas": 3,
                                "readyReplicas": 2, "availableReplicas": 2, "unavailableReplicas": 1}),
     ["web", "2/3", 3, 2, "3d", "nginx,log", "nginx:1.25,fluent-bit:3.0", "app=web"]),
    ("without-status", deployment(), ["web", "0/3", 0, 0, "3d", "nginx,log", "nginx:1.25,fluent-bit:3.0", "app=web"]),
    ("empty-status", deployment({}, replicas=0),
     ["web", "0/0", 0, 0, "3d", "nginx,log", "nginx:1.25,fluent-bit:3.0", "app=web"]),
    ("selector-expressions", deployment({"readyReplicas": 3, "updatedReplicas": 3, "availableReplicas": 3}, selector={
        "matchLabels": {"app": "web"},
        "matchExpressions": [{"key": "tier", "operator": "In", "values": ["frontend", "backend"]},
                             {"key": "canary", "operator": "DoesNotExist"},
                             {"key": "env", "operator": "NotIn", "values": ["dev"]},
                             {"key": "zone", "operator": "Exists"}]}),
     ["web", "3/3", 3, 3, "3d", "nginx,log", "nginx:1.25,fluent-bit:3.0",
      "app=web,!canary,env notin (dev),tier in (backend,frontend),zone"]),
    ("invalid-selector", deployment(selector={"matchExpressions": [{"key": "a", "operator": "Near"}]}),
     ["web", "0/3", 0, 0, "3d", "nginx,log", "nginx:1.25,fluent-bit:3.0", "<invalid>"]),
]


def hpa_v2(metrics, current=None, min_replicas=1):
    spec = {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
            "maxReplicas": 10, "metrics": metrics}
    if min_replicas is not None:
        spec["minReplicas"] = min_replicas
    status = {"currentReplicas": 2, "desiredReplicas": 2}
    if current is not None:
        status["currentMetrics"] = current
    return {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": meta(),
            "spec": spec, "status": status}


def hpa_v1(target=None, current=None, annotations=None, current_replicas=2):
    spec = {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
            "minReplicas": 1, "maxReplicas": 10}
    if target is not None:
        spec["targetCPUUtilizationPercentage"] = target
    status = {"currentReplicas": current_replicas, "desiredReplicas": current_replicas}
    if current is not None:
        status["currentCPUUtilizationPercentage"] = current
    m = meta()
    if annotations:
        m["annotations"] = {k: json.dumps(v) for k, v in annotations.items()}
    return {"apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler", "metadata": m,
            "spec": spec, "status": status}


CPU_50 = {"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 50}}}
MEMORY_100MI = {"type": "Resource", "resource": {"name": "memory", "target": {"type": "AverageValue", "averageValue": "100Mi"}}}
CPU_NOW = {"type": "Resource", "resource": {"name": "cpu", "current": {"averageUtilization": 30, "averageValue": "100m"}}}
MEMORY_NOW = {"type": "Resource", "resource": {"name": "memory", "current": {"averageValue": "50Mi"}}}
PODS_QPS = {"type": "Pods", "pods": {"metric": {"name": "qps"}, "target": {"type": "AverageValue", "averageValue": "1k"}}}
EXTERNAL_QUEUE = {"type": "External", "external": {"metric": {"name": "queue_depth"},
                                                    "target": {"type": "AverageValue", "averageValue": "30"}}}

HPA_CASES = [
    ("v2-cpu-and-memory", hpa_v2([CPU_50, MEMORY_100MI], [CPU_NOW, MEMORY_NOW]),
     ["web", "Deployment/web", "cpu: 30%/50%, memory: 50Mi/100Mi", "1", 10, 2, "3d"]),
    ("v2-no-status-yet", hpa_v2([CPU_50]), ["web", "Deployment/web", "cpu: <unknown>/50%", "1", 10, 2, "3d"]),
    ("v2-more-than-two", hpa_v2([CPU_50, PODS_QPS, EXTERNAL_QUEUE]),
     ["web", "Deployment/web", "cpu: <unknown>/50%, <unknown>/1k + 1 more...", "1", 10, 2, "3d"]),
    ("v2-external-and-pods", hpa_v2([EXTERNAL_QUEUE, PODS_QPS], [
        {"type": "External", "external": {"metric": {"name": "queue_depth"}, "current": {"averageValue": "12"}}},
        {"type": "Pods", "pods": {"metric": {"name": "qps"}, "current": {"averageValue": "1500m"}}},
    ]), ["web", "Deployment/web", "12/30 (avg), 1500m/1k", "1", 10, 2, "3d"]),
    ("v2-object-value", hpa_v2([{"type": "Object", "object": {
        "describedObject": {"kind": "Ingress", "name": "main", "apiVersion": "networking.k8s.io/v1"},
        "metric": {"name": "requests-per-second"}, "target": {"type": "Value", "value": "10k"}}}], [
        {"type": "Object", "object": {"metric": {"name": "requests-per-second"}, "current": {"value": "2500"}}}]),
     ["web", "Deployment/web", "2500/10k", "1", 10, 2, "3d"]),
    ("v2-container-resource", hpa_v2([{"type": "ContainerResource", "containerResource": {
        "name": "cpu", "container": "app", "target": {"type": "Utilization", "averageUtilization": 60}}}], [
        {"type": "ContainerResource", "containerResource": {"name": "cpu", "container": "app",
                                                            "current": {"averageUtilization": 75}}}]),
     ["web", "Deployment/web", "cpu: 75%/60%", "1", 10, 2, "3d"]),
    ("v2-no-metrics-no-min", hpa_v2([], min_replicas=None), ["web", "Deployment/web", "<none>", "<unset>", 10, 2, "3d"]),
    ("v1-cpu", hpa_v1(target=80, current=45), ["web", "Deployment/web", "cpu: 45%/80%", "1", 10, 2, "3d"]),
    ("v1-no-status-yet", hpa_v1(target=70, current_replicas=0),
     ["web", "Deployment/web", "cpu: <unknown>/70%", "1", 10, 0, "3d"]),
    ("v1-implicit-default", hpa_v1(), ["web", "Deployment/web", "cpu: <unknown>/80%", "1", 10, 2, "3d"]),
    ("v1-of-a-v2-object", hpa_v1(target=50, current=30, annotations={
        "autoscaling.alpha.kubernetes.io/metrics": [
            {"type": "Resource", "resource": {"name": "memory", "targetAverageValue": "100Mi"}}],
        "autoscaling.alpha.kubernetes.io/current-metrics": [
            {"type": "Resource", "resource": {"name": "cpu", "currentAverageUtilization": 30, "currentAverageValue": "100m"}},
            {"type": "Resource", "resource": {"name": "memory", "currentAverageValue": "50Mi"}}],
        # Where the CPU target sat among the v2 metrics (the conversion's round trip).
        "autoscaling.kubeapi.io/cpu-metric-index": 0,
    }), ["web", "Deployment/web", "cpu: 30%/50%, memory: 50Mi/100Mi", "1", 10, 2, "3d"]),
    ("v1-of-a-v2-object-without-cpu", hpa_v1(annotations={
        "autoscaling.alpha.kubernetes.io/metrics": [
            {"type": "Pods", "pods": {"metricName": "qps", "targetAverageValue": "1k"}},
            {"type": "External", "external": {"metricName": "queue", "targetValue": "100"}}],
    }), ["web", "Deployment/web", "<unknown>/1k, <unknown>/100", "1", 10, 2, "3d"]),
]

NODE = {
    "apiVersion": "v1", "kind": "Node",
    "metadata": meta(name="kind-control-plane", namespace=None, labels={
        "kubernetes.io/hostname": "kind-control-plane", "node-role.kubernetes.io/control-plane": "",
        "node-role.kubernetes.io/etcd": "", "kubernetes.io/role": "master"}),
    "spec": {"podCIDR": "10.244.0.0/24", "unschedulable": True},
    "status": {
        "addresses": [{"type": "InternalIP", "address": "172.18.0.2"}, {"type": "Hostname", "address": "kind-control-plane"}],
        "conditions": [{"type": "MemoryPressure", "status": "False"}, {"type": "Ready", "status": "True"}],
        "nodeInfo": {"kubeletVersion": "v1.32.0", "osImage": "Debian GNU/Linux 12 (bookworm)",
                     "kernelVersion": "6.8.0-45-generic", "containerRuntimeVersion": "containerd://1.7.18"},
    },
}

EVENT = {
    "apiVersion": "v1", "kind": "Event",
    "metadata": meta(name="web-5d4f8c7b9-x2x9k.17c3a1b2c3d4e5f6"),
    "involvedObject": {"kind": "Pod", "namespace": "default", "name": "web-5d4f8c7b9-x2x9k",
                       "fieldPath": "spec.containers{nginx}", "apiVersion": "v1"},
    "reason": "BackOff", "message": "Back-off restarting failed container nginx\n", "type": "Warning",
    "source": {"component": "kubelet", "host": "node-1"},
    "firstTimestamp": ago(minutes=30), "lastTimestamp": ago(seconds=40), "count": 12,
}

EVENT_NEW_API = {
    "apiVersion": "v1", "kind": "Event", "metadata": meta(name="web.17c3"),
    "involvedObject": {"kind": "Deployment", "namespace": "default", "name": "web"},
    "reason": "ScalingReplicaSet", "message": "Scaled up replica set web-5d4f8c7b9 to 3", "type": "Normal",
    "source": {}, "eventTime": "2024-05-01T11:56:59.750000Z", "reportingComponent": "deployment-controller",
    "reportingController": "deployment-controller", "reportingInstance": "",
    "firstTimestamp": None, "lastTimestamp": None,
}

EVENTS_K8S_IO = {
    "apiVersion": "events.k8s.io/v1", "kind": "Event", "metadata": meta(name="node-1.17c4"),
    "regarding": {"kind": "Node", "name": "node-1"}, "note": "Node node-1 status is now: NodeReady",
    "reason": "NodeReady", "type": "Normal", "eventTime": None,
    "deprecatedSource": {"component": "kubelet", "host": "node-1"},
    "deprecatedFirstTimestamp": ago(hours=5), "deprecatedLastTimestamp": ago(hours=1), "deprecatedCount": 2,
}

EVENT_SERIES = {
    "apiVersion": "v1", "kind": "Event", "metadata": meta(name="s.1"),
    "involvedObject": {"kind": "Pod", "name": "web"}, "reason": "Unhealthy", "message": "probe failed",
    "type": "Warning", "eventTime": ago(minutes=20), "series": {"count": 7, "lastObservedTime": ago(seconds=90)},
    "reportingController": "kubelet", "reportingInstance": "node-9", "source": {},
}


def job(status, spec=None, **meta_extra):
    base = {"completions": 1, "parallelism": 1, "backoffLimit": 6,
            "selector": {"matchLabels": {"batch.kubernetes.io/controller-uid": "7a1"}},
            "template": {"spec": {"containers": [{"name": "pi", "image": "perl:5.34"}], "restartPolicy": "Never"}}}
    base.update(spec or {})
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": meta(name="pi", **meta_extra),
            "spec": base, "status": status}


JOB_WIDE = ["pi", "perl:5.34", "batch.kubernetes.io/controller-uid=7a1"]

OTHER_CASES = [
    ("Namespace", {"apiVersion": "v1", "kind": "Namespace", "metadata": meta(name="kube-system", namespace=None),
                   "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}},
     ["kube-system", "Active", "3d"]),
    ("Namespace", {"metadata": meta(name="old", namespace=None, deletionTimestamp=ago(seconds=5)),
                   "status": {"phase": "Terminating"}}, ["old", "Terminating", "3d"]),
    ("ConfigMap", {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta(name="kube-root-ca.crt"),
                   "data": {"ca.crt": "-----BEGIN CERTIFICATE-----"}, "binaryData": {"logo.png": "iVBORw0KGgo="}},
     ["kube-root-ca.crt", 2, "3d"]),
    ("ConfigMap", {"metadata": meta(name="empty")}, ["empty", 0, "3d"]),
    ("Secret", {"apiVersion": "v1", "kind": "Secret", "metadata": meta(name="tls"), "type": "kubernetes.io/tls",
                "data": {"tls.crt": "Y3J0", "tls.key": "a2V5"}}, ["tls", "kubernetes.io/tls", 2, "3d"]),
    ("Secret", {"metadata": meta(name="opaque"), "type": "Opaque"}, ["opaque", "Opaque", 0, "3d"]),
    ("ServiceAccount", {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta(name="default")},
     ["default", 0, "3d"]),
    ("ServiceAccount", {"metadata": meta(name="builder"), "secrets": [{"name": "builder-token"}]},
     ["builder", 1, "3d"]),
    ("Endpoints", {"apiVersion": "v1", "kind": "Endpoints", "metadata": meta(name="kube-dns"), "subsets": [{
        "addresses": [{"ip": "10.244.0.2"}, {"ip": "10.244.0.3"}],
        "ports": [{"name": "dns", "port": 53, "protocol": "UDP"}, {"name": "metrics", "port": 9153, "protocol": "TCP"}]}]},
     ["kube-dns", "10.244.0.2:53,10.244.0.3:53,10.244.0.2:9153 + 1 more...", "3d"]),
    ("Endpoints", {"metadata": meta(name="v6"), "subsets": [{"addresses": [{"ip": "fd00::1"}], "ports": [{"port": 80}]}]},
     ["v6", "[fd00::1]:80", "3d"]),
    ("Endpoints", {"metadata": meta(name="headless"), "subsets": [{"addresses": [{"ip": "10.0.0.1"}]}]},
     ["headless", "10.0.0.1", "3d"]),
    ("Endpoints", {"metadata": meta(name="none")}, ["none", "<none>", "3d"]),
    ("Node", NODE, ["kind-control-plane", "Ready,SchedulingDisabled", "control-plane,etcd,master", "3d", "v1.32.0",
                    "172.18.0.2", "<none>", "Debian GNU/Linux 12 (bookworm)", "6.8.0-45-generic", "containerd://1.7.18"]),
    ("Node", {"metadata": meta(name="new", namespace=None), "status": {"conditions": [
        {"type": "Ready", "status": "Unknown"}]}},
     ["new", "NotReady", "<none>", "3d", "", "<none>", "<none>", "<unknown>", "<unknown>", "<unknown>"]),
    ("Node", {"metadata": meta(name="bare", namespace=None)},
     ["bare", "Unknown", "<none>", "3d", "", "<none>", "<none>", "<unknown>", "<unknown>", "<unknown>"]),
    ("Event", EVENT, ["40s", "Warning", "BackOff", "pod/web-5d4f8c7b9-x2x9k", "spec.containers{nginx}",
                      "kubelet, node-1", "Back-off restarting failed container nginx", "30m", 12, EVENT["metadata"]["name"]]),
    ("Event", EVENT_NEW_API, ["3m", "Normal", "ScalingReplicaSet", "deployment/web", "", "deployment-controller",
                              "Scaled up replica set web-5d4f8c7b9 to 3", "3m", 1, "web.17c3"]),
    ("Event", EVENT_SERIES, ["90s", "Warning", "Unhealthy", "pod/web", "", "kubelet, node-9", "probe failed",
                             "20m", 7, "s.1"]),
    ("Event", EVENTS_K8S_IO, ["60m", "Normal", "NodeReady", "node/node-1", "", "kubelet, node-1",
                              "Node node-1 status is now: NodeReady", "5h", 2, "node-1.17c4"]),
    ("ResourceQuota", {"apiVersion": "v1", "kind": "ResourceQuota", "metadata": meta(name="compute"),
                       "spec": {"hard": {"requests.cpu": "1", "limits.cpu": "2", "pods": "10"}},
                       "status": {"hard": {"requests.cpu": "1", "requests.memory": "1Gi", "limits.cpu": "2",
                                           "limits.memory": "2Gi", "pods": "10"},
                                  "used": {"requests.cpu": "500m", "requests.memory": "256Mi", "limits.cpu": "1",
                                           "pods": "3"}}},
     ["compute", "pods: 3/10, requests.cpu: 500m/1, requests.memory: 256Mi/1Gi", "limits.cpu: 1/2, limits.memory: 0/2Gi", "3d"]),
    ("ResourceQuota", {"metadata": meta(name="fresh"), "spec": {"hard": {"pods": "5"}}}, ["fresh", "", "", "3d"]),
    ("LimitRange", {"apiVersion": "v1", "kind": "LimitRange", "metadata": meta(name="limits"),
                    "spec": {"limits": [{"type": "Container", "default": {"cpu": "500m"}}]}},
     ["limits", CREATED]),
    ("PersistentVolume", {"apiVersion": "v1", "kind": "PersistentVolume", "metadata": meta(name="pv-1", namespace=None),
                          "spec": {"capacity": {"storage": "10Gi"}, "accessModes": ["ReadWriteOnce", "ReadOnlyMany"],
                                   "persistentVolumeReclaimPolicy": "Retain", "storageClassName": "standard",
                                   "claimRef": {"kind": "PersistentVolumeClaim", "namespace": "default", "name": "data"},
                                   "volumeMode": "Filesystem", "hostPath": {"path": "/data"}},
                          "status": {"phase": "Bound"}},
     ["pv-1", "10Gi", "RWO,ROX", "Retain", "Bound", "default/data", "standard", "<unset>", "", "3d", "Filesystem"]),
    ("PersistentVolume", {"metadata": meta(name="pv-2", namespace=None, deletionTimestamp=ago(seconds=1),
                                           annotations={"volume.beta.kubernetes.io/storage-class": "slow"}),
                          "spec": {"capacity": {"storage": "1024Mi"}, "accessModes": ["ReadWriteOncePod"],
                                   "persistentVolumeReclaimPolicy": "Delete", "storageClassName": "fast",
                                   "volumeAttributesClassName": "gold"},
                          "status": {"phase": "Failed", "reason": "VolumeFailedDelete"}},
     ["pv-2", "1Gi", "RWOP", "Delete", "Terminating", "", "slow", "gold", "VolumeFailedDelete", "3d", "<unset>"]),
    ("PersistentVolumeClaim", {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": meta(name="data"),
                               "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "8Gi"}},
                                        "storageClassName": "standard", "volumeName": "pvc-3f1c", "volumeMode": "Filesystem"},
                               "status": {"phase": "Bound", "accessModes": ["ReadWriteOnce"], "capacity": {"storage": "8Gi"}}},
     ["data", "Bound", "pvc-3f1c", "8Gi", "RWO", "standard", "<unset>", "3d", "Filesystem"]),
    ("PersistentVolumeClaim", {"metadata": meta(name="pending"),
                               "spec": {"accessModes": ["ReadWriteMany"], "resources": {"requests": {"storage": "1Gi"}}},
                               "status": {"phase": "Pending"}},
     ["pending", "Pending", "", "", "", "", "<unset>", "3d", "<unset>"]),
    ("ReplicaSet", {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": meta(name="web-5d4f8c7b9"),
                    "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web", "pod-template-hash": "5d4f8c7b9"}},
                             "template": {"spec": {"containers": [{"name": "nginx", "image": "nginx:1.25"}]}}},
                    "status": {"replicas": 3, "readyReplicas": 2, "availableReplicas": 2}},
     ["web-5d4f8c7b9", 3, 3, 2, "3d", "nginx", "nginx:1.25", "app=web,pod-template-hash=5d4f8c7b9"]),
    ("ReplicaSet", {"metadata": meta(name="old"), "spec": {"replicas": 0, "selector": {},
                                                           "template": {"spec": {"containers": []}}}, "status": {"replicas": 0}},
     ["old", 0, 0, 0, "3d", "", "", "<none>"]),
    ("StatefulSet", {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": meta(name="db"),
                     "spec": {"replicas": 3, "serviceName": "db", "selector": {"matchLabels": {"app": "db"}},
                              "template": {"spec": {"containers": [{"name": "postgres", "image": "postgres:16"}]}}},
                     "status": {"replicas": 2, "readyReplicas": 1}},
     ["db", "1/3", "3d", "postgres", "postgres:16"]),
    ("DaemonSet", {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": meta(name="kube-proxy", namespace="kube-system"),
                   "spec": {"selector": {"matchLabels": {"k8s-app": "kube-proxy"}}, "template": {"spec": {
                       "nodeSelector": {"kubernetes.io/os": "linux"},
                       "containers": [{"name": "kube-proxy", "image": "registry.k8s.io/kube-proxy:v1.32.0"}]}}},
                   "status": {"desiredNumberScheduled": 3, "currentNumberScheduled": 3, "numberReady": 2,
                              "updatedNumberScheduled": 3, "numberAvailable": 2}},
     ["kube-proxy", 3, 3, 2, 3, 2, "kubernetes.io/os=linux", "3d", "kube-proxy",
      "registry.k8s.io/kube-proxy:v1.32.0", "k8s-app=kube-proxy"]),
    ("Job", job({"startTime": ago(minutes=10), "completionTime": ago(minutes=9, seconds=20), "succeeded": 1,
                 "conditions": [{"type": "SuccessCriteriaMet", "status": "True"}, {"type": "Complete", "status": "True"}]}),
     ["pi", "Complete", "1/1", "40s", "3d", *JOB_WIDE]),
    ("Job", job({"startTime": ago(minutes=4, seconds=5), "active": 2, "succeeded": 3},
                spec={"completions": 10, "parallelism": 2}),
     ["pi", "Running", "3/10", "4m5s", "3d", *JOB_WIDE]),
    ("Job", job({"startTime": ago(hours=1), "failed": 7, "conditions": [
        {"type": "FailureTarget", "status": "True"}, {"type": "Failed", "status": "True", "reason": "BackoffLimitExceeded"}]}),
     ["pi", "Failed", "0/1", "60m", "3d", *JOB_WIDE]),
    ("Job", job({"conditions": [{"type": "Suspended", "status": "True"}]}, spec={"suspend": True}),
     ["pi", "Suspended", "0/1", "", "3d", *JOB_WIDE]),
    ("Job", job({"startTime": ago(seconds=30), "active": 1}, deletionTimestamp=ago(seconds=1)),
     ["pi", "Terminating", "0/1", "30s", "3d", *JOB_WIDE]),
    ("Job", job({}, spec={"completions": None, "parallelism": 4}), ["pi", "Running", "0/1 of 4", "", "3d", *JOB_WIDE]),
    ("CronJob", {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": meta(name="backup"),
                 "spec": {"schedule": "*/5 * * * *", "suspend": False, "concurrencyPolicy": "Allow",
                          "jobTemplate": {"spec": {"template": {"spec": {"containers": [
                              {"name": "backup", "image": "restic:0.16"}]}}}}},
                 "status": {"active": [{"kind": "Job", "name": "backup-28580000"}], "lastScheduleTime": ago(minutes=3)}},
     ["backup", "*/5 * * * *", "<none>", "False", 1, "3m", "3d", "backup", "restic:0.16", "<none>"]),
    ("CronJob", {"metadata": meta(name="nightly"), "spec": {"schedule": "0 2 * * *", "timeZone": "Europe/Paris",
                                                            "jobTemplate": {"spec": {}}}, "status": {}},
     ["nightly", "0 2 * * *", "Europe/Paris", "<unset>", 0, "<none>", "3d", "", "", "<none>"]),
    ("Lease", {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
               "metadata": meta(name="kube-scheduler", namespace="kube-system"),
               "spec": {"holderIdentity": "kind-control-plane_3b0c", "leaseDurationSeconds": 15}},
     ["kube-scheduler", "kind-control-plane_3b0c", "3d"]),
    ("Lease", {"metadata": meta(name="free"), "spec": {}}, ["free", "", "3d"]),
    ("PodDisruptionBudget", {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": meta(name="web"),
                             "spec": {"minAvailable": 2, "selector": {"matchLabels": {"app": "web"}}},
                             "status": {"disruptionsAllowed": 1, "currentHealthy": 3, "desiredHealthy": 2, "expectedPods": 3}},
     ["web", "2", "N/A", 1, "3d"]),
    ("PodDisruptionBudget", {"metadata": meta(name="db"), "spec": {"maxUnavailable": "25%"}, "status": {}},
     ["db", "N/A", "25%", 0, "3d"]),
    ("Ingress", {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": meta(name="web"),
                 "spec": {"ingressClassName": "nginx", "tls": [{"hosts": ["example.com"], "secretName": "tls"}],
                          "rules": [{"host": "example.com"}, {"host": "www.example.com"}, {}]},
                 "status": {"loadBalancer": {"ingress": [{"ip": "203.0.113.7"}]}}},
     ["web", "nginx", "example.com,www.example.com", "203.0.113.7", "80, 443", "3d"]),
    ("Ingress", {"metadata": meta(name="many"), "spec": {"rules": [
        {"host": "a.example"}, {"host": "b.example"}, {"host": "c.example"}, {"host": "d.example"}, {"host": "e.example"}]},
        "status": {"loadBalancer": {}}},
     ["many", "<none>", "a.example,b.example,c.example + 2 more...", "", "80", "3d"]),
    ("Ingress", {"metadata": meta(name="default-backend"), "spec": {"defaultBackend": {"service": {"name": "web"}}}},
     ["default-backend", "<none>", "*", "", "80", "3d"]),
    ("NetworkPolicy", {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": meta(name="deny-all"),
                       "spec": {"podSelector": {}, "policyTypes": ["Ingress"]}}, ["deny-all", "<none>", "3d"]),
    ("NetworkPolicy", {"metadata": meta(name="db"), "spec": {"podSelector": {"matchLabels": {"role": "db"}}}},
     ["db", "role=db", "3d"]),
    ("PriorityClass", {"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass",
                       "metadata": meta(name="system-cluster-critical", namespace=None),
                       "value": 2000000000, "preemptionPolicy": "PreemptLowerPriority"},
     ["system-cluster-critical", 2000000000, False, "3d", "PreemptLowerPriority"]),
    ("PriorityClass", {"metadata": meta(name="high", namespace=None), "value": 1000, "globalDefault": True,
                       "preemptionPolicy": "Never"}, ["high", 1000, True, "3d", "Never"]),
    ("StorageClass", {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
                      "metadata": meta(name="standard", namespace=None, annotations={
                          "storageclass.kubernetes.io/is-default-class": "true"}),
                      "provisioner": "rancher.io/local-path", "reclaimPolicy": "Delete",
                      "volumeBindingMode": "WaitForFirstConsumer"},
     ["standard (default)", "rancher.io/local-path", "Delete", "WaitForFirstConsumer", False, "3d"]),
    ("StorageClass", {"metadata": meta(name="fast", namespace=None), "provisioner": "ebs.csi.aws.com",
                      "reclaimPolicy": "Retain", "allowVolumeExpansion": True},
     ["fast", "ebs.csi.aws.com", "Retain", "Immediate", True, "3d"]),
    ("Role", {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": meta(name="pod-reader"),
              "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list"]}]},
     ["pod-reader", CREATED]),
    ("ClusterRole", {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
                     "metadata": meta(name="cluster-admin", namespace=None), "rules": []},
     ["cluster-admin", CREATED]),
    ("RoleBinding", {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": meta(name="read-pods"),
                     "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "pod-reader"},
                     "subjects": [{"kind": "User", "name": "jane", "apiGroup": "rbac.authorization.k8s.io"},
                                  {"kind": "User", "name": "joe", "apiGroup": "rbac.authorization.k8s.io"},
                                  {"kind": "Group", "name": "devs", "apiGroup": "rbac.authorization.k8s.io"},
                                  {"kind": "ServiceAccount", "name": "builder", "namespace": "ci"}]},
     ["read-pods", "Role/pod-reader", "3d", "jane, joe", "devs", "ci/builder"]),
    ("ClusterRoleBinding", {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
                            "metadata": meta(name="cluster-admin", namespace=None),
                            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
                            "subjects": [{"kind": "Group", "name": "system:masters", "apiGroup": "rbac.authorization.k8s.io"}]},
     ["cluster-admin", "ClusterRole/cluster-admin", "3d", "", "system:masters", ""]),
    ("CustomResourceDefinition", {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
                                  "metadata": meta(name="crontabs.stable.example.com", namespace=None),
                                  "spec": {"group": "stable.example.com", "scope": "Namespaced", "versions": []}},
     ["crontabs.stable.example.com", CREATED]),
    ("CronTab", {"apiVersion": "stable.example.com/v1", "kind": "CronTab", "metadata": {"name": "no-timestamp"}},
     ["no-timestamp", "0001-01-01T00:00:00Z"]),
    ("ReplicationController", {"apiVersion": "v1", "kind": "ReplicationController", "metadata": meta(name="rc"),
                               "spec": {"replicas": 2, "selector": {"app": "rc"},
                                        "template": {"spec": {"containers": [{"name": "c", "image": "i"}]}}},
                               "status": {"replicas": 2, "readyReplicas": 2}},
     ["rc", 2, 2, 2, "3d", "c", "i", "app=rc"]),
    ("ControllerRevision", {"apiVersion": "apps/v1", "kind": "ControllerRevision", "metadata": meta(
        name="db-7c9d", ownerReferences=[{"apiVersion": "apps/v1", "kind": "StatefulSet", "name": "db", "uid": "1",
                                          "controller": True}]), "revision": 3},
     ["db-7c9d", "statefulset.apps/db", 3, "3d"]),
    ("EndpointSlice", {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", "metadata": meta(name="web-abc"),
                       "addressType": "IPv4", "ports": [{"name": "http", "port": 80, "protocol": "TCP"}],
                       "endpoints": [{"addresses": ["10.244.0.5"]}, {"addresses": ["10.244.0.6"]}]},
     ["web-abc", "IPv4", "80", "10.244.0.5,10.244.0.6", "3d"]),
    ("EndpointSlice", {"metadata": meta(name="empty"), "addressType": "IPv6"}, ["empty", "IPv6", "<unset>", "<unset>", "3d"]),
    ("MutatingWebhookConfiguration", {"metadata": meta(name="istio", namespace=None), "webhooks": [{"name": "a"}, {"name": "b"}]},
     ["istio", 2, "3d"]),
    ("CertificateSigningRequest", {"metadata": meta(name="csr-1", namespace=None), "spec": {
        "signerName": "kubernetes.io/kube-apiserver-client", "username": "jane", "expirationSeconds": 86400},
        "status": {"conditions": [{"type": "Approved", "status": "True"}], "certificate": "LS0t"}},
     ["csr-1", "3d", "kubernetes.io/kube-apiserver-client", "jane", "24h", "Approved,Issued"]),
]

CASES = (
    [("Pod",) + c for c in POD_CASES]
    + [("Service",) + c for c in SERVICE_CASES]
    + [("Deployment",) + c for c in DEPLOYMENT_CASES]
    + [("HorizontalPodAutoscaler",) + c for c in HPA_CASES]
    + [(kind, f"{kind}-{i}", obj, cells) for i, (kind, obj, cells) in enumerate(OTHER_CASES)]
)


@pytest.mark.parametrize("kind,case,obj,cells", CASES, ids=[f"{c[0]}:{c[1]}" for c in CASES])
def test_row(kind, case, obj, cells):
    printer = table(kind)
    if obj.get("apiVersion") == "autoscaling/v1":
        obj = hpa_v1_to_v2(obj)  # tables print the storage version
    row = printer["row"](obj, NOW)
    assert row == cells
    assert len(row) == len(printer["columns"])
    assert all(type(cell) is type(expected) for cell, expected in zip(row, cells))


# --- columns -------------------------------------------------------------------


def columns(kind):
    return [(c.name, c.type, c.format, c.priority) for c in table(kind)["columns"]]


def test_pod_columns():
    assert columns("Pod") == [
        ("Name", "string", "name", 0), ("Ready", "string", "", 0), ("Status", "string", "", 0),
        ("Restarts", "string", "", 0), ("Age", "string", "", 0), ("IP", "string", "", 1),
        ("Node", "string", "", 1), ("Nominated Node", "string", "", 1), ("Readiness Gates", "string", "", 1),
    ]


def test_service_columns():
    assert [(n, p) for n, _, _, p in columns("Service")] == [
        ("Name", 0), ("Type", 0), ("Cluster-IP", 0), ("External-IP", 0), ("Port(s)", 0), ("Age", 0), ("Selector", 1)]


def test_deployment_columns():
    assert [(n, p) for n, _, _, p in columns("Deployment")] == [
        ("Name", 0), ("Ready", 0), ("Up-to-date", 0), ("Available", 0), ("Age", 0),
        ("Containers", 1), ("Images", 1), ("Selector", 1)]


def test_job_columns():
    assert [(n, p) for n, _, _, p in columns("Job")] == [
        ("Name", 0), ("Status", 0), ("Completions", 0), ("Duration", 0), ("Age", 0),
        ("Containers", 1), ("Images", 1), ("Selector", 1)]


def test_hpa_columns():
    assert [n for n, *_ in columns("HorizontalPodAutoscaler")] == [
        "Name", "Reference", "Targets", "MinPods", "MaxPods", "Replicas", "Age"]


def test_event_columns_as_upstream():
    # The one built-in table whose Name is not first: it is a wide column.
    assert columns("Event") == [
        ("Last Seen", "string", "", 0), ("Type", "string", "", 0), ("Reason", "string", "", 0),
        ("Object", "string", "", 0), ("Subobject", "string", "", 1), ("Source", "string", "", 1),
        ("Message", "string", "", 0), ("First Seen", "string", "", 1), ("Count", "string", "", 1),
        ("Name", "string", "name", 1),
    ]


def test_binding_wide_columns():
    for kind in ("RoleBinding", "ClusterRoleBinding"):
        assert [(n, p) for n, _, _, p in columns(kind)] == [
            ("Name", 0), ("Role", 0), ("Age", 0), ("Users", 1), ("Groups", 1), ("ServiceAccounts", 1)]


@pytest.mark.parametrize("kind", ["LimitRange", "Role", "ClusterRole", "CustomResourceDefinition", "Widget"])
def test_default_table(kind):
    assert columns(kind) == [("Name", "string", "name", 0), ("Created At", "date", "", 0)]


@pytest.mark.parametrize("kind", printers.kinds())
def test_name_column_and_types(kind):
    cols = table(kind)["columns"]
    assert all(isinstance(c, Column) for c in cols)
    assert all(c.type in ("string", "integer", "boolean", "number", "date") for c in cols)
    names = [c for c in cols if c.format == "name"]
    assert [c.name for c in names] == ["Name"]
    if kind != "Event":
        assert cols[0] is names[0] and cols[0].priority == 0


def test_descriptions_come_from_the_api_docs():
    cols = {c.name: c for c in table("Pod")["columns"]}
    assert cols["Name"].description.startswith("Name must be unique within a namespace.")
    assert cols["Age"].description.startswith("CreationTimestamp is a timestamp")
    assert "IP address allocated to the pod" in cols["IP"].description


# --- AGE -------------------------------------------------------------------------


@pytest.mark.parametrize("delta,expected", [
    (timedelta(0), "0s"),
    (timedelta(seconds=5), "5s"),
    (timedelta(seconds=59), "59s"),
    (timedelta(seconds=119), "119s"),
    (timedelta(seconds=120), "2m"),
    (timedelta(seconds=123), "2m3s"),
    (timedelta(minutes=9, seconds=59), "9m59s"),
    (timedelta(minutes=10), "10m"),
    (timedelta(minutes=10, seconds=30), "10m"),
    (timedelta(minutes=179, seconds=59), "179m"),
    (timedelta(hours=3), "3h"),
    (timedelta(hours=3, minutes=4), "3h4m"),
    (timedelta(hours=7, minutes=59, seconds=59), "7h59m"),
    (timedelta(hours=8), "8h"),
    (timedelta(hours=47, minutes=59), "47h"),
    (timedelta(hours=48), "2d"),
    (timedelta(days=5), "5d"),
    (timedelta(days=5, hours=3), "5d3h"),
    (timedelta(days=7, hours=23), "7d23h"),
    (timedelta(days=8, hours=5), "8d"),
    (timedelta(days=729), "729d"),
    (timedelta(days=730), "2y"),
    (timedelta(days=731), "2y1d"),
    (timedelta(days=365 * 8 - 1), "7y364d"),
    (timedelta(days=365 * 8), "8y"),
    (timedelta(days=365 * 10 + 100), "10y"),
    (timedelta(milliseconds=-1500), "0s"),  # clock skew is tolerated
    (timedelta(seconds=-1), "0s"),
    (timedelta(seconds=-2), "<invalid>"),
])
def test_age(delta, expected):
    assert age((NOW - delta).isoformat().replace("+00:00", "Z"), NOW) == expected
    assert printers.human_duration(delta) == expected


@pytest.mark.parametrize("stamp,expected", [
    (None, "<unknown>"),
    ("", "<unknown>"),
    ("0001-01-01T00:00:00Z", "<unknown>"),
    ("not a time", "<unknown>"),
    ("2024-05-01T11:59:55.123456Z", "4s"),        # MicroTime
    ("2024-05-01T11:59:55.123456789Z", "4s"),     # more digits than Python parses
    ("2024-05-01T13:55:00+02:00", "5m"),          # other offsets
])
def test_age_timestamps(stamp, expected):
    assert age(stamp, NOW) == expected


def test_age_accepts_naive_now():
    assert age("2024-05-01T11:00:00Z", NOW.replace(tzinfo=None)) == "60m"


@pytest.mark.parametrize("value,expected", [
    ("1000m", "1"), ("0.5", "500m"), ("1536Mi", "1536Mi"), ("1024Mi", "1Gi"), ("1.5Gi", "1536Mi"),
    ("0.5Ki", "512"), ("1e3", "1e3"), ("1.5e3", "1500"), ("0", "0"), ("0.0000000001", "1n"),
    ("1.1", "1100m"), (2, "2"), (None, "<nil>"),
])
def test_quantities_print_canonically(value, expected):
    assert printers._quantity(value) == expected
