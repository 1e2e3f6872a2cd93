"""The per-kind declarations the generic API suite (tests/test_api.py) runs
against: a valid object, an invalid one with the field upstream names in
its 422 cause, a spec update, and a status to write through /status.

One entry per stored resource: every built-in kind the registry stores
(test_api.test_every_stored_kind_has_an_entry fails otherwise) and custom
resources of the CRDs below (``CUSTOM_RESOURCE_DEFINITIONS``, which the
suite installs in each tenant it uses). Adding a kind means adding one
``Kind`` here; every generic test then covers it.
"""
import copy
from dataclasses import dataclass, field
from typing import Callable

POD_SPEC = {"containers": [{"name": "c", "image": "nginx"}]}


def _template(labels, restart="Always"):
    spec = copy.deepcopy(POD_SPEC)
    spec["restartPolicy"] = restart
    return {"metadata": {"labels": dict(labels)}, "spec": spec}


@dataclass
class Kind:
    plural: str
    group_version: str  # "v1", "apps/v1"
    kind: str
    namespaced: bool
    body: Callable  # name → the kind-specific part of a valid object (no apiVersion/kind/metadata.name)
    invalid: Callable  # obj → None: makes a valid object invalid
    invalid_field: str  # the field upstream names in the 422 cause
    update: Callable  # obj → None: a spec change
    tracks_generation: bool = True
    status: dict | None = None  # a status to PUT through /status (None: no status subresource)
    returns_object_on_delete: bool = False
    create_on_update: bool = False  # a PUT to a missing name creates (upstream AllowCreateOnUpdate)
    deletecollection: bool = True
    id: str = ""
    complete: Callable | None = None  # obj → None: fills what depends on the namespace
    # A unique name → one valid for the kind (a CRD's is <plural>.<group>).
    naming: Callable | None = None
    generate_name: bool = True  # generateName can give a valid name
    # Deletion answers with the object marked and a server loop finishes it
    # (namespace finalization, CRD instance cleanup).
    finalized_by_server: bool = False
    scale: "ScalePaths | None" = None  # /scale is served over these paths

    def __post_init__(self):
        self.id = self.id or f"{self.plural}.{self.group_version.replace('/', '.')}"
        # Upstream stores with ReturnDeletedObject answer a delete with the object.
        self.returns_object_on_delete = self.returns_object_on_delete or (self.group_version, self.plural) in {
            ("v1", "pods"), ("v1", "services"), ("v1", "serviceaccounts"), ("v1", "persistentvolumes"),
            ("v1", "persistentvolumeclaims"), ("v1", "podtemplates"), ("v1", "resourcequotas"),
            ("storage.k8s.io/v1", "storageclasses")}
        self.create_on_update = self.create_on_update or self.plural in {
            "services", "endpoints", "events", "limitranges", "leases",
            "roles", "clusterroles", "rolebindings", "clusterrolebindings"}

    def name(self, base):
        return self.naming(base) if self.naming else base

    def base(self, namespace=""):
        if "/" in self.group_version:
            return f"/apis/{self.group_version}/" + (f"namespaces/{namespace}/" if self.namespaced else "") + self.plural
        return f"/api/{self.group_version}/" + (f"namespaces/{namespace}/" if self.namespaced else "") + self.plural

    def valid(self, name, namespace="", labels=None):
        obj = {"apiVersion": self.group_version, "kind": self.kind, "metadata": {"name": name}}
        if self.namespaced and namespace:
            obj["metadata"]["namespace"] = namespace
        if labels:
            obj["metadata"]["labels"] = dict(labels)
        obj.update(copy.deepcopy(self.body(name or "generated")))
        if self.complete:
            self.complete(obj)
        return obj

    def broken(self, name, namespace=""):
        obj = self.valid(name, namespace)
        self.invalid(obj)
        return obj


def _set(path, value):
    def apply(obj):
        target = obj
        for part in path[:-1]:
            target = target.setdefault(part, {}) if isinstance(part, str) else target[part]
        target[path[-1]] = value
    return apply


@dataclass(frozen=True)
class ScalePaths:
    """Where a kind's /scale reads and writes (dotted, as a CRD declares
    them) and what Scale.status.selector should say for an object."""

    spec: str = "spec.replicas"
    status: str = "status.replicas"
    selector: Callable = lambda obj: "app=" + obj["metadata"]["name"]


WORKLOAD = ScalePaths()


def get_path(obj, path):
    for key in path.split("."):
        obj = obj.get(key) if isinstance(obj, dict) else None
    return obj


def _event_namespace(field):
    """An event lives in the namespace of the object it is about."""
    def apply(obj):
        obj[field]["namespace"] = obj["metadata"].get("namespace", "")
    return apply


RBAC = "rbac.authorization.k8s.io"
_RULE = {"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"]}
CR_GROUP = "harness.example.com"
_ANY = {"type": "object", "x-kubernetes-preserve-unknown-fields": True}


def _crd(name):
    """A CRD called ``name``: <plural>.<group>."""
    plural, _, group = name.partition(".")
    return {"spec": {"group": group, "scope": "Namespaced",
                     "names": {"plural": plural, "kind": "".join(p.capitalize() for p in plural.split("-"))},
                     "versions": [{"name": "v1", "served": True, "storage": True,
                                   "schema": {"openAPIV3Schema": _ANY}}]}}


def _crd_for(plural, kind, scope, properties, subresources=None):
    version = {"name": "v1", "served": True, "storage": True,
               "schema": {"openAPIV3Schema": {"type": "object", "properties": properties}}}
    if subresources:
        version["subresources"] = subresources
    return {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": f"{plural}.{CR_GROUP}"},
            "spec": {"group": CR_GROUP, "scope": scope, "names": {"plural": plural, "kind": kind},
                     "versions": [version]}}


# The custom resources the suite covers: one namespaced, with /status and
# /scale at paths that are not .spec.replicas (how a scale bug once
# slipped through), one cluster-scoped without subresources.
CUSTOM_RESOURCE_DEFINITIONS = [
    _crd_for("widgets", "Widget", "Namespaced", {
        "spec": {"type": "object", "properties": {"size": {"type": "integer", "minimum": 0},
                                                  "color": {"type": "string", "enum": ["red", "blue"]}}},
        "status": {"type": "object", "properties": {"ready": {"type": "integer"}, "sel": {"type": "string"},
                                                    "phase": {"type": "string"}}}},
        {"status": {}, "scale": {"specReplicasPath": ".spec.size", "statusReplicasPath": ".status.ready",
                                 "labelSelectorPath": ".status.sel"}}),
    _crd_for("gadgets", "Gadget", "Cluster", {
        "spec": {"type": "object", "properties": {"count": {"type": "integer"}}}}),
]


def install_custom_resource_definitions(api):
    """Create CUSTOM_RESOURCE_DEFINITIONS through ``api`` (a tenant) unless
    there, and wait until their resources are served."""
    from tests.conftest import wait_for

    for crd in CUSTOM_RESOURCE_DEFINITIONS:
        code, body = api.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd)
        assert code in (201, 409), body
    for kind in KINDS:
        if kind.group_version == f"{CR_GROUP}/v1":
            assert wait_for(lambda: api.get(kind.base("default"))[0] == 200, timeout=10), kind.id


KINDS = [
    Kind("configmaps", "v1", "ConfigMap", True,
         body=lambda n: {"data": {"key": "value"}},
         invalid=_set(("data",), {"not a key": "x"}), invalid_field="data[not a key]",
         update=_set(("data", "key"), "changed"), tracks_generation=False),
    Kind("secrets", "v1", "Secret", True,
         body=lambda n: {"type": "Opaque", "stringData": {"password": "s3cret"}},
         invalid=_set(("type",), "kubernetes.io/tls"), invalid_field="data[tls.crt]",
         update=_set(("data",), {"password": "bmV3"}), tracks_generation=False),
    Kind("serviceaccounts", "v1", "ServiceAccount", True,
         body=lambda n: {},
         invalid=_set(("metadata", "labels"), {"bad key!": "x"}), invalid_field="metadata.labels",
         update=_set(("automountServiceAccountToken",), False), tracks_generation=False),
    Kind("pods", "v1", "Pod", True,
         body=lambda n: {"spec": copy.deepcopy(POD_SPEC)},
         invalid=_set(("spec", "containers"), []), invalid_field="spec.containers",
         update=_set(("spec", "activeDeadlineSeconds"), 30), tracks_generation=False,
         status={"phase": "Running", "podIP": "10.244.0.5", "podIPs": [{"ip": "10.244.0.5"}]}),
    Kind("services", "v1", "Service", True,
         body=lambda n: {"spec": {"selector": {"app": n}, "ports": [{"port": 80, "targetPort": 8080}]}},
         invalid=_set(("spec", "ports"), [{"port": 0}]), invalid_field="spec.ports[0].port",
         update=_set(("spec", "selector"), {"app": "other"}), tracks_generation=False,
         status={"loadBalancer": {"ingress": [{"ip": "192.0.2.1"}]}}, deletecollection=False),
    Kind("endpoints", "v1", "Endpoints", True,
         body=lambda n: {"subsets": [{"addresses": [{"ip": "10.244.0.9"}], "ports": [{"port": 80}]}]},
         invalid=_set(("subsets",), [{"addresses": [{"ip": "not-an-ip"}], "ports": [{"port": 80}]}]),
         invalid_field="subsets[0].addresses[0].ip",
         update=_set(("subsets",), [{"addresses": [{"ip": "10.244.0.10"}], "ports": [{"port": 80}]}]),
         tracks_generation=False),
    Kind("nodes", "v1", "Node", False,
         body=lambda n: {"spec": {"podCIDR": "10.244.1.0/24"}},
         invalid=_set(("spec", "podCIDR"), "not-a-cidr"), invalid_field="spec.podCIDRs[0]",
         update=_set(("spec", "unschedulable"), True), tracks_generation=False,
         status={"capacity": {"cpu": "4", "memory": "8Gi", "pods": "110"}}),
    Kind("events", "v1", "Event", True,
         body=lambda n: {"involvedObject": {"kind": "Pod", "name": "p", "apiVersion": "v1"}, "reason": "Test",
                         "message": "hello", "type": "Normal", "source": {"component": "tests"}},
         invalid=_set(("involvedObject", "namespace"), "elsewhere"), invalid_field="involvedObject.namespace",
         update=_set(("message",), "bye"), tracks_generation=False, complete=_event_namespace("involvedObject")),
    Kind("resourcequotas", "v1", "ResourceQuota", True,
         body=lambda n: {"spec": {"hard": {"pods": "10"}}},
         invalid=_set(("spec", "hard"), {"pods": "-1"}), invalid_field="spec.hard[pods]",
         update=_set(("spec", "hard"), {"pods": "20"}), tracks_generation=False,
         status={"hard": {"pods": "10"}, "used": {"pods": "1"}}),
    Kind("limitranges", "v1", "LimitRange", True,
         body=lambda n: {"spec": {"limits": [{"type": "Container", "default": {"cpu": "500m"}}]}},
         invalid=_set(("spec", "limits"), [{"type": "Container", "min": {"cpu": "2"}, "max": {"cpu": "1"}}]),
         invalid_field="spec.limits[0].min[cpu]",
         update=_set(("spec", "limits"), [{"type": "Container", "default": {"cpu": "1"}}]), tracks_generation=False),
    Kind("persistentvolumes", "v1", "PersistentVolume", False,
         body=lambda n: {"spec": {"capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteOnce"],
                                  "hostPath": {"path": "/tmp/" + n}}},
         invalid=_set(("spec", "accessModes"), []), invalid_field="spec.accessModes",
         update=_set(("spec", "persistentVolumeReclaimPolicy"), "Delete"), tracks_generation=False,
         status={"phase": "Available"}),
    Kind("persistentvolumeclaims", "v1", "PersistentVolumeClaim", True,
         body=lambda n: {"spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}},
         invalid=_set(("spec", "accessModes"), []), invalid_field="spec.accessModes",
         update=_set(("metadata", "annotations"), {"note": "x"}), tracks_generation=False,
         status={"phase": "Bound"}),
    Kind("podtemplates", "v1", "PodTemplate", True,
         body=lambda n: {"template": _template({"app": n})},
         invalid=_set(("template", "spec", "containers"), []), invalid_field="template.spec.containers",
         update=_set(("template", "spec", "terminationGracePeriodSeconds"), 5)),
    Kind("replicationcontrollers", "v1", "ReplicationController", True,
         body=lambda n: {"spec": {"replicas": 1, "selector": {"app": n}, "template": _template({"app": n})}},
         invalid=_set(("spec", "replicas"), -1), invalid_field="spec.replicas",
         update=_set(("spec", "replicas"), 3), status={"replicas": 1, "readyReplicas": 1}, scale=WORKLOAD),
    Kind("deployments", "apps/v1", "Deployment", True,
         body=lambda n: {"spec": {"replicas": 1, "selector": {"matchLabels": {"app": n}},
                                  "template": _template({"app": n})}},
         invalid=_set(("spec", "replicas"), -1), invalid_field="spec.replicas",
         update=_set(("spec", "replicas"), 3), status={"replicas": 1, "readyReplicas": 1, "availableReplicas": 1},
         scale=WORKLOAD),
    Kind("replicasets", "apps/v1", "ReplicaSet", True,
         body=lambda n: {"spec": {"replicas": 1, "selector": {"matchLabels": {"app": n}},
                                  "template": _template({"app": n})}},
         invalid=_set(("spec", "template", "metadata", "labels"), {"app": "mismatch"}),
         invalid_field="spec.template.metadata.labels",
         update=_set(("spec", "replicas"), 2), status={"replicas": 1, "readyReplicas": 1}, scale=WORKLOAD),
    Kind("statefulsets", "apps/v1", "StatefulSet", True,
         body=lambda n: {"spec": {"replicas": 1, "serviceName": n, "selector": {"matchLabels": {"app": n}},
                                  "template": _template({"app": n})}},
         invalid=_set(("spec", "podManagementPolicy"), "Sometimes"), invalid_field="spec.podManagementPolicy",
         update=_set(("spec", "replicas"), 2), status={"replicas": 1, "readyReplicas": 1, "availableReplicas": 1},
         scale=WORKLOAD),
    Kind("daemonsets", "apps/v1", "DaemonSet", True,
         body=lambda n: {"spec": {"selector": {"matchLabels": {"app": n}}, "template": _template({"app": n})}},
         invalid=_set(("spec", "template", "spec", "restartPolicy"), "Never"),
         invalid_field="spec.template.spec.restartPolicy",
         update=_set(("spec", "minReadySeconds"), 5),
         status={"currentNumberScheduled": 1, "numberMisscheduled": 0, "desiredNumberScheduled": 1,
                 "numberReady": 1}),
    Kind("jobs", "batch/v1", "Job", True,
         body=lambda n: {"spec": {"template": _template({}, restart="Never")}},
         invalid=_set(("spec", "template", "spec", "restartPolicy"), "Always"),
         invalid_field="spec.template.spec.restartPolicy",
         update=_set(("spec", "activeDeadlineSeconds"), 60), status={"active": 1}),
    Kind("cronjobs", "batch/v1", "CronJob", True,
         body=lambda n: {"spec": {"schedule": "*/5 * * * *",
                                  "jobTemplate": {"spec": {"template": _template({}, restart="OnFailure")}}}},
         invalid=_set(("spec", "schedule"), "every day"), invalid_field="spec.schedule",
         update=_set(("spec", "suspend"), True), status={"lastScheduleTime": "2026-01-01T00:00:00Z"}),
    Kind("horizontalpodautoscalers", "autoscaling/v2", "HorizontalPodAutoscaler", True,
         body=lambda n: {"spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": n},
                                  "minReplicas": 1, "maxReplicas": 5}},
         invalid=_set(("spec", "maxReplicas"), 0), invalid_field="spec.maxReplicas",
         update=_set(("spec", "maxReplicas"), 7), tracks_generation=False,
         status={"currentReplicas": 1, "desiredReplicas": 2}),
    Kind("horizontalpodautoscalers", "autoscaling/v1", "HorizontalPodAutoscaler", True,
         body=lambda n: {"spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": n},
                                  "minReplicas": 1, "maxReplicas": 5, "targetCPUUtilizationPercentage": 80}},
         invalid=_set(("spec", "maxReplicas"), 0), invalid_field="spec.maxReplicas",
         update=_set(("spec", "maxReplicas"), 7), tracks_generation=False,
         status={"currentReplicas": 1, "desiredReplicas": 2}),
    Kind("leases", "coordination.k8s.io/v1", "Lease", True,
         body=lambda n: {"spec": {"holderIdentity": "a", "leaseDurationSeconds": 15}},
         invalid=_set(("spec", "leaseDurationSeconds"), 0), invalid_field="spec.leaseDurationSeconds",
         update=_set(("spec", "holderIdentity"), "b"), tracks_generation=False),
    Kind("events", "events.k8s.io/v1", "Event", True,
         body=lambda n: {"eventTime": "2026-01-01T00:00:00.000000Z", "reportingController": "example.com/tests",
                         "reportingInstance": "tests-1", "action": "Testing", "reason": "Test", "type": "Normal",
                         "regarding": {"kind": "Pod", "name": "p", "apiVersion": "v1"}, "note": "hello"},
         invalid=_set(("type",), "Weird"), invalid_field="type",
         update=_set(("series",), {"count": 2, "lastObservedTime": "2026-01-01T00:01:00.000000Z"}),
         tracks_generation=False, complete=_event_namespace("regarding")),
    Kind("ingresses", "networking.k8s.io/v1", "Ingress", True,
         body=lambda n: {"spec": {"rules": [{"host": "example.com", "http": {"paths": [
             {"path": "/", "pathType": "Prefix",
              "backend": {"service": {"name": n, "port": {"number": 80}}}}]}}]}},
         invalid=_set(("spec", "rules"), [{"host": "Not_A_Host"}]), invalid_field="spec.rules[0].host",
         update=_set(("spec", "ingressClassName"), "nginx"),
         status={"loadBalancer": {"ingress": [{"ip": "192.0.2.2"}]}}),
    Kind("ingressclasses", "networking.k8s.io/v1", "IngressClass", False,
         body=lambda n: {"spec": {"controller": "example.com/ingress"}},
         invalid=_set(("spec", "controller"), ""), invalid_field="spec.controller",
         update=_set(("spec", "parameters"), {"kind": "Params", "name": "p", "apiGroup": "example.com"})),
    Kind("networkpolicies", "networking.k8s.io/v1", "NetworkPolicy", True,
         body=lambda n: {"spec": {"podSelector": {"matchLabels": {"app": n}}, "policyTypes": ["Ingress"]}},
         invalid=_set(("spec", "policyTypes"), ["Sideways"]), invalid_field="spec.policyTypes[0]",
         update=_set(("spec", "policyTypes"), ["Ingress", "Egress"])),
    Kind("poddisruptionbudgets", "policy/v1", "PodDisruptionBudget", True,
         body=lambda n: {"spec": {"minAvailable": 1, "selector": {"matchLabels": {"app": n}}}},
         invalid=_set(("spec", "minAvailable"), -1), invalid_field="spec.minAvailable",
         update=_set(("spec", "minAvailable"), 2),
         status={"currentHealthy": 1, "desiredHealthy": 1, "disruptionsAllowed": 0, "expectedPods": 1}),
    Kind("priorityclasses", "scheduling.k8s.io/v1", "PriorityClass", False,
         body=lambda n: {"value": 1000, "description": "test"},
         invalid=_set(("value",), 2000000000), invalid_field="value",
         update=_set(("description",), "changed"), tracks_generation=False),
    Kind("storageclasses", "storage.k8s.io/v1", "StorageClass", False,
         body=lambda n: {"provisioner": "example.com/disk", "parameters": {"type": "fast"}},
         invalid=_set(("provisioner",), ""), invalid_field="provisioner",
         update=_set(("allowVolumeExpansion",), True), tracks_generation=False),
    Kind("namespaces", "v1", "Namespace", False,
         body=lambda n: {},
         invalid=_set(("spec", "finalizers"), ["not/qualified/name"]), invalid_field="spec.finalizers",
         update=_set(("metadata", "annotations"), {"note": "x"}), tracks_generation=False,
         status={"phase": "Active", "conditions": [{"type": "NamespaceContentRemaining", "status": "False",
                                                    "reason": "ContentDeleted", "message": "nothing left"}]},
         deletecollection=False, finalized_by_server=True),
    Kind("roles", "rbac.authorization.k8s.io/v1", "Role", True,
         body=lambda n: {"rules": [_RULE]},
         invalid=_set(("rules",), [{"apiGroups": [""], "resources": ["configmaps"]}]), invalid_field="rules[0].verbs",
         update=_set(("rules",), [dict(_RULE, verbs=["get", "list"])]), tracks_generation=False),
    Kind("clusterroles", "rbac.authorization.k8s.io/v1", "ClusterRole", False,
         body=lambda n: {"rules": [_RULE, {"nonResourceURLs": ["/healthz"], "verbs": ["get"]}]},
         invalid=_set(("aggregationRule",), {"clusterRoleSelectors": []}),
         invalid_field="aggregationRule.clusterRoleSelectors",
         update=_set(("rules",), [dict(_RULE, verbs=["get", "list"])]), tracks_generation=False),
    Kind("rolebindings", "rbac.authorization.k8s.io/v1", "RoleBinding", True,
         body=lambda n: {"roleRef": {"apiGroup": RBAC, "kind": "ClusterRole", "name": "view"},
                         "subjects": [{"kind": "User", "name": "alice", "apiGroup": RBAC}]},
         invalid=_set(("roleRef", "kind"), "Group"), invalid_field="roleRef.kind",
         update=_set(("subjects",), [{"kind": "Group", "name": "team", "apiGroup": RBAC}]), tracks_generation=False),
    Kind("clusterrolebindings", "rbac.authorization.k8s.io/v1", "ClusterRoleBinding", False,
         body=lambda n: {"roleRef": {"apiGroup": RBAC, "kind": "ClusterRole", "name": "view"},
                         "subjects": [{"kind": "User", "name": "alice", "apiGroup": RBAC}]},
         invalid=_set(("roleRef", "kind"), "Role"), invalid_field="roleRef.kind",
         update=_set(("subjects",), [{"kind": "ServiceAccount", "name": "sa", "namespace": "default"}]),
         tracks_generation=False),
    Kind("customresourcedefinitions", "apiextensions.k8s.io/v1", "CustomResourceDefinition", False,
         naming=lambda n: f"{n}.kinds.{CR_GROUP}", body=lambda n: _crd(n), generate_name=False,
         invalid=_set(("spec", "scope"), "Global"), invalid_field="spec.scope",
         update=_set(("spec", "names", "categories"), ["harness"]),
         status={"storedVersions": ["v1"], "conditions": [{
             "type": "Established", "status": "True", "reason": "Test", "message": "set by the test",
             "lastTransitionTime": "2026-01-01T00:00:00Z"}]},
         finalized_by_server=True),
    # Custom resources of CUSTOM_RESOURCE_DEFINITIONS (below).
    Kind("widgets", f"{CR_GROUP}/v1", "Widget", True,
         body=lambda n: {"spec": {"size": 1, "color": "red"}},
         invalid=_set(("spec", "color"), "green"), invalid_field="spec.color",
         update=_set(("spec", "color"), "blue"),
         status={"ready": 1, "sel": "app=widget", "phase": "Running"},
         scale=ScalePaths("spec.size", "status.ready", selector=lambda obj: obj["status"]["sel"])),
    Kind("gadgets", f"{CR_GROUP}/v1", "Gadget", False,
         body=lambda n: {"spec": {"count": 1}},
         invalid=_set(("spec", "count"), "many"), invalid_field="spec.count",
         update=_set(("spec", "count"), 2)),
]

BY_ID = {k.id: k for k in KINDS}


# Pods' subresources that are not served yet (no kubelet), in the shape
# discovery and OpenAPI give them upstream; the document tests declare them.
from resources.subresources.base import Subresource  # noqa: E402

EVICTION = Subresource("eviction", verbs=("create",), kind="Eviction", group="policy", version="v1")
EPHEMERAL_CONTAINERS = Subresource("ephemeralcontainers")
LOG = Subresource("log", verbs=("get",), connect=True)
EXEC = Subresource("exec", verbs=("create", "get"), kind_suffix="ExecOptions", connect=True)
PROXY = Subresource("proxy", verbs=("create", "delete", "get", "patch", "update"), kind_suffix="ProxyOptions",
                    connect=True)
