"""The default RBAC policy every tenant starts with (kube-apiserver's
bootstrap policy): user-facing roles (cluster-admin, admin, edit, view and
their aggregation), discovery and public-info roles, the roles of the
control-plane components, and their bindings.

Reconciled at tenant start-up as upstream does: missing objects are
created; existing ones gain missing rules, subjects, labels and annotations
(nothing is taken away), unless annotated
``rbac.authorization.kubernetes.io/autoupdate: "false"``.
"""
import json
import logging

from authz.rbac import GROUP, normalize_rule
from resources.machinery import errors
from resources.registry import customresources
from resources.registry.strategy import Context
from resources.store import storage
from resources.store.generic import Store
from resources.store.interface import Key

log = logging.getLogger(__name__)

AUTOUPDATE = "rbac.authorization.kubernetes.io/autoupdate"
BOOTSTRAPPING = {"kubernetes.io/bootstrapping": "rbac-defaults"}
AGGREGATE_TO = "rbac.authorization.k8s.io/aggregate-to-"

READ = ["get", "list", "watch"]
WRITE = ["create", "delete", "deletecollection", "patch", "update"]
READ_WRITE = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
EVENT_WRITE = ["create", "patch", "update"]


def rule(verbs, groups, resources, names=None):
    out = {"verbs": list(verbs), "apiGroups": list(groups), "resources": list(resources)}
    if names:
        out["resourceNames"] = list(names)
    return out


def urls(verbs, paths):
    return {"verbs": list(verbs), "nonResourceURLs": list(paths)}


def _events():
    return rule(EVENT_WRITE, ["", "events.k8s.io"], ["events"])


def _leader(name):
    return [rule(["create"], ["coordination.k8s.io"], ["leases"]),
            rule(["get", "update"], ["coordination.k8s.io"], ["leases"], [name])]


def _cluster_role(name, rules=None, labels=None, aggregate=None):
    obj = {
        "apiVersion": f"{GROUP}/v1", "kind": "ClusterRole",
        "metadata": {"name": name, "labels": {**BOOTSTRAPPING, **(labels or {})},
                     "annotations": {AUTOUPDATE: "true"}},
        "rules": rules or [],
    }
    if aggregate:
        obj["aggregationRule"] = {"clusterRoleSelectors": [{"matchLabels": {AGGREGATE_TO + a: "true"}}
                                                           for a in aggregate]}
    return obj


def _subject(kind, name, namespace=None):
    if kind == "ServiceAccount":
        return {"kind": kind, "name": name, "namespace": namespace}
    return {"kind": kind, "apiGroup": GROUP, "name": name}


def _cluster_binding(name, role, *subjects):
    return {
        "apiVersion": f"{GROUP}/v1", "kind": "ClusterRoleBinding",
        "metadata": {"name": name, "labels": dict(BOOTSTRAPPING), "annotations": {AUTOUPDATE: "true"}},
        "roleRef": {"apiGroup": GROUP, "kind": "ClusterRole", "name": role},
        **({"subjects": list(subjects)} if subjects else {}),
    }


def cluster_roles():
    view = [
        rule(READ, [""], ["configmaps", "endpoints", "persistentvolumeclaims", "persistentvolumeclaims/status",
                          "pods", "replicationcontrollers", "replicationcontrollers/scale", "serviceaccounts",
                          "services", "services/status"]),
        rule(READ, [""], ["bindings", "events", "limitranges", "namespaces/status", "pods/log", "pods/status",
                          "replicationcontrollers/status", "resourcequotas", "resourcequotas/status"]),
        rule(READ, [""], ["namespaces"]),
        rule(READ, ["discovery.k8s.io"], ["endpointslices"]),
        rule(READ, ["apps"], ["controllerrevisions", "daemonsets", "daemonsets/status", "deployments",
                              "deployments/scale", "deployments/status", "replicasets", "replicasets/scale",
                              "replicasets/status", "statefulsets", "statefulsets/scale", "statefulsets/status"]),
        rule(READ, ["autoscaling"], ["horizontalpodautoscalers", "horizontalpodautoscalers/status"]),
        rule(READ, ["batch"], ["cronjobs", "cronjobs/status", "jobs", "jobs/status"]),
        rule(READ, ["extensions"], ["daemonsets", "daemonsets/status", "deployments", "deployments/scale",
                                    "deployments/status", "ingresses", "ingresses/status", "networkpolicies",
                                    "replicasets", "replicasets/scale", "replicasets/status",
                                    "replicationcontrollers/scale"]),
        rule(READ, ["policy"], ["poddisruptionbudgets", "poddisruptionbudgets/status"]),
        rule(READ, ["networking.k8s.io"], ["ingresses", "ingresses/status", "networkpolicies"]),
    ]
    edit = [
        rule(READ, [""], ["pods/attach", "pods/exec", "pods/portforward", "pods/proxy", "secrets",
                          "services/proxy"]),
        rule(["impersonate"], [""], ["serviceaccounts"]),
        rule(WRITE, [""], ["pods", "pods/attach", "pods/exec", "pods/portforward", "pods/proxy"]),
        rule(["create"], [""], ["pods/eviction"]),
        rule(WRITE, [""], ["configmaps", "events", "persistentvolumeclaims", "replicationcontrollers",
                           "replicationcontrollers/scale", "secrets", "serviceaccounts", "services",
                           "services/proxy"]),
        rule(["create"], [""], ["serviceaccounts/token"]),
        rule(WRITE, ["apps"], ["daemonsets", "deployments", "deployments/rollback", "deployments/scale",
                               "replicasets", "replicasets/scale", "statefulsets", "statefulsets/scale"]),
        rule(WRITE, ["autoscaling"], ["horizontalpodautoscalers"]),
        rule(WRITE, ["batch"], ["cronjobs", "jobs"]),
        rule(WRITE, ["extensions"], ["daemonsets", "deployments", "deployments/rollback", "deployments/scale",
                                     "ingresses", "networkpolicies", "replicasets", "replicasets/scale",
                                     "replicationcontrollers/scale"]),
        rule(WRITE, ["policy"], ["poddisruptionbudgets"]),
        rule(WRITE, ["networking.k8s.io"], ["ingresses", "networkpolicies"]),
        rule(READ_WRITE, ["coordination.k8s.io"], ["leases"]),
    ]
    admin = [
        rule(["create"], ["authorization.k8s.io"], ["localsubjectaccessreviews"]),
        rule(READ_WRITE, [GROUP], ["rolebindings", "roles"]),
    ]
    return [
        _cluster_role("cluster-admin", [rule(["*"], ["*"], ["*"]), urls(["*"], ["*"])]),
        _cluster_role("admin", aggregate=["admin"]),
        _cluster_role("edit", labels={AGGREGATE_TO + "admin": "true"}, aggregate=["edit"]),
        _cluster_role("view", labels={AGGREGATE_TO + "edit": "true"}, aggregate=["view"]),
        _cluster_role("system:aggregate-to-admin", admin, labels={AGGREGATE_TO + "admin": "true"}),
        _cluster_role("system:aggregate-to-edit", edit, labels={AGGREGATE_TO + "edit": "true"}),
        _cluster_role("system:aggregate-to-view", view, labels={AGGREGATE_TO + "view": "true"}),
        _cluster_role("system:discovery", [urls(["get"], [
            "/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*", "/readyz",
            "/version", "/version/"])]),
        _cluster_role("system:public-info-viewer", [urls(["get"], [
            "/healthz", "/livez", "/readyz", "/version", "/version/"])]),
        _cluster_role("system:basic-user", [
            rule(["create"], ["authorization.k8s.io"], ["selfsubjectaccessreviews", "selfsubjectrulesreviews"]),
            rule(["create"], ["authentication.k8s.io"], ["selfsubjectreviews"]),
        ]),
        _cluster_role("system:monitoring", [urls(["get"], [
            "/healthz", "/healthz/*", "/livez", "/livez/*", "/metrics", "/metrics/slis", "/readyz", "/readyz/*"])]),
        _cluster_role("system:auth-delegator", [
            rule(["create"], ["authentication.k8s.io"], ["tokenreviews"]),
            rule(["create"], ["authorization.k8s.io"], ["subjectaccessreviews"]),
        ]),
        _cluster_role("system:service-account-issuer-discovery", [urls(["get"], [
            "/.well-known/openid-configuration", "/openid/v1/jwks"])]),
        _cluster_role("system:heapster", [
            rule(READ, [""], ["events", "namespaces", "nodes", "pods"]),
            rule(READ, ["extensions"], ["deployments"]),
        ]),
        _cluster_role("system:kube-aggregator", [rule(READ, [""], ["endpoints", "services"])]),
        _cluster_role("system:kube-dns", [rule(["list", "watch"], [""], ["endpoints", "services"])]),
        _cluster_role("system:node-bootstrapper", [
            rule(["create", "get", "list", "watch"], ["certificates.k8s.io"], ["certificatesigningrequests"])]),
        _cluster_role("system:node-problem-detector", [
            rule(["get"], [""], ["nodes"]), rule(["patch"], [""], ["nodes/status"]), _events()]),
        _cluster_role("system:node-proxier", [
            rule(["list", "watch"], [""], ["endpoints", "services"]), rule(READ, [""], ["nodes"]), _events(),
            rule(["list", "watch"], ["discovery.k8s.io"], ["endpointslices"])]),
        _cluster_role("system:kubelet-api-admin", [
            rule(READ, [""], ["nodes"]), rule(["proxy"], [""], ["nodes"]),
            rule(["*"], [""], ["nodes/log", "nodes/metrics", "nodes/proxy", "nodes/stats"])]),
        _cluster_role("system:persistent-volume-provisioner", [
            rule(["create", "delete", "get", "list", "watch"], [""], ["persistentvolumes"]),
            rule(["get", "list", "update", "watch"], [""], ["persistentvolumeclaims"]),
            rule(READ, ["storage.k8s.io"], ["storageclasses"]),
            rule(["watch"], [""], ["events"]), _events()]),
        _cluster_role("system:volume-scheduler", [
            rule(["get", "list", "patch", "update", "watch"], [""], ["persistentvolumes"]),
            rule(READ, ["storage.k8s.io"], ["storageclasses"]),
            rule(["get", "list", "patch", "update", "watch"], [""], ["persistentvolumeclaims"])]),
        _cluster_role("system:kube-scheduler", [
            _events(), *_leader("kube-scheduler"),
            rule(READ, [""], ["nodes"]), rule(["delete", "get", "list", "watch"], [""], ["pods"]),
            rule(["create"], [""], ["bindings", "pods/binding"]), rule(["patch", "update"], [""], ["pods/status"]),
            rule(READ, [""], ["replicationcontrollers", "services"]),
            rule(READ, ["apps", "extensions"], ["replicasets"]), rule(READ, ["apps"], ["statefulsets"]),
            rule(READ, ["policy"], ["poddisruptionbudgets"]),
            rule(READ, [""], ["persistentvolumeclaims", "persistentvolumes"]),
            rule(["create"], ["authentication.k8s.io"], ["tokenreviews"]),
            rule(["create"], ["authorization.k8s.io"], ["subjectaccessreviews"]),
            rule(READ, ["storage.k8s.io"], ["csinodes"]), rule(READ, [""], ["namespaces"]),
            rule(READ, ["storage.k8s.io"], ["csidrivers"]), rule(READ, ["storage.k8s.io"], ["csistoragecapacities"]),
        ]),
        _cluster_role("system:kube-controller-manager", [
            _events(), *_leader("kube-controller-manager"),
            rule(["create"], [""], ["secrets", "serviceaccounts"]), rule(["delete"], [""], ["secrets"]),
            rule(["get"], [""], ["configmaps", "namespaces", "secrets", "serviceaccounts"]),
            rule(["update"], [""], ["secrets", "serviceaccounts"]),
            rule(["create"], ["authentication.k8s.io"], ["tokenreviews"]),
            rule(["create"], ["authorization.k8s.io"], ["subjectaccessreviews"]),
            rule(["list", "watch"], ["*"], ["*"]),
            rule(["create"], [""], ["serviceaccounts/token"]),
        ]),
        _cluster_role("system:node", [
            rule(["create"], ["authentication.k8s.io"], ["tokenreviews"]),
            rule(["create"], ["authorization.k8s.io"], ["localsubjectaccessreviews", "subjectaccessreviews"]),
            rule(READ, [""], ["services"]), rule(["create", "get", "list", "watch"], [""], ["nodes"]),
            rule(["patch", "update"], [""], ["nodes/status"]), rule(["patch", "update"], [""], ["nodes"]),
            rule(EVENT_WRITE, [""], ["events"]), rule(READ, [""], ["pods"]), rule(["create", "delete"], [""], ["pods"]),
            rule(["patch", "update"], [""], ["pods/status"]), rule(["create"], [""], ["pods/eviction"]),
            rule(READ, [""], ["configmaps", "secrets"]),
            rule(["get"], [""], ["persistentvolumeclaims", "persistentvolumes"]), rule(["get"], [""], ["endpoints"]),
            rule(["create", "get", "list", "watch"], ["certificates.k8s.io"], ["certificatesigningrequests"]),
            rule(["create", "delete", "get", "patch", "update"], ["coordination.k8s.io"], ["leases"]),
            rule(["get"], ["storage.k8s.io"], ["volumeattachments"]),
            rule(["create"], [""], ["serviceaccounts/token"]),
            rule(["get", "patch", "update"], [""], ["persistentvolumeclaims/status"]),
            rule(READ, ["storage.k8s.io"], ["csidrivers"]),
            rule(["create", "delete", "get", "patch", "update"], ["storage.k8s.io"], ["csinodes"]),
            rule(READ, ["node.k8s.io"], ["runtimeclasses"]),
        ]),
        *[_cluster_role(f"system:certificates.k8s.io:{name}", [
            rule(["approve"], ["certificates.k8s.io"], ["signers"], [f"kubernetes.io/{signer}"])])
          for name, signer in (("kube-apiserver-client-approver", "kube-apiserver-client"),
                               ("kube-apiserver-client-kubelet-approver", "kube-apiserver-client-kubelet"),
                               ("kubelet-serving-approver", "kubelet-serving"),
                               ("legacy-unknown-approver", "legacy-unknown"))],
        _cluster_role("system:certificates.k8s.io:certificatesigningrequests:nodeclient", [
            rule(["create"], ["certificates.k8s.io"], ["certificatesigningrequests/nodeclient"])]),
        _cluster_role("system:certificates.k8s.io:certificatesigningrequests:selfnodeclient", [
            rule(["create"], ["certificates.k8s.io"], ["certificatesigningrequests/selfnodeclient"])]),
    ]


def cluster_role_bindings():
    authenticated = _subject("Group", "system:authenticated")
    return [
        _cluster_binding("cluster-admin", "cluster-admin", _subject("Group", "system:masters")),
        _cluster_binding("system:basic-user", "system:basic-user", authenticated),
        _cluster_binding("system:discovery", "system:discovery", authenticated),
        _cluster_binding("system:public-info-viewer", "system:public-info-viewer", authenticated,
                         _subject("Group", "system:unauthenticated")),
        _cluster_binding("system:monitoring", "system:monitoring", _subject("Group", "system:monitoring")),
        _cluster_binding("system:service-account-issuer-discovery", "system:service-account-issuer-discovery",
                         _subject("Group", "system:serviceaccounts")),
        _cluster_binding("system:kube-controller-manager", "system:kube-controller-manager",
                         _subject("User", "system:kube-controller-manager")),
        _cluster_binding("system:kube-scheduler", "system:kube-scheduler", _subject("User", "system:kube-scheduler")),
        _cluster_binding("system:volume-scheduler", "system:volume-scheduler",
                         _subject("User", "system:kube-scheduler")),
        _cluster_binding("system:kube-dns", "system:kube-dns", _subject("ServiceAccount", "kube-dns", "kube-system")),
        _cluster_binding("system:node-proxier", "system:node-proxier", _subject("User", "system:kube-proxy")),
        _cluster_binding("system:node", "system:node"),
    ]


# ------------------------------------------------------------- reconcile
def _merge_meta(meta, default_meta):
    changed = False
    for key in ("labels", "annotations"):
        wanted = default_meta.get(key) or {}
        current = meta.setdefault(key, {}) if wanted else meta.get(key) or {}
        for k, v in wanted.items():
            if k not in current:
                current[k] = v
                changed = True
    return changed


def reconcile_role(current, default):
    """The role after reconciliation, or None when nothing changes."""
    if (current["metadata"].get("annotations") or {}).get(AUTOUPDATE) == "false":
        return None
    new = json.loads(json.dumps(current))
    changed = _merge_meta(new["metadata"], default["metadata"])
    if default.get("aggregationRule"):
        selectors = (new.setdefault("aggregationRule", {})).setdefault("clusterRoleSelectors", [])
        for selector in default["aggregationRule"]["clusterRoleSelectors"]:
            if selector not in selectors:
                selectors.append(selector)
                changed = True
    else:
        have = [normalize_rule(r) for r in new.get("rules") or []]
        for r in default.get("rules") or []:
            if normalize_rule(r) not in have:
                new.setdefault("rules", []).append(r)
                changed = True
    return new if changed else None


def reconcile_binding(current, default):
    if (current["metadata"].get("annotations") or {}).get(AUTOUPDATE) == "false":
        return None
    if current.get("roleRef") != default["roleRef"]:
        return None  # roleRef is immutable; upstream would recreate, we leave a changed binding alone
    new = json.loads(json.dumps(current))
    changed = _merge_meta(new["metadata"], default["metadata"])
    for subject in default.get("subjects") or []:
        if subject not in (new.get("subjects") or []):
            new.setdefault("subjects", []).append(subject)
            changed = True
    return new if changed else None


def ensure_defaults(tenant):
    """Create or reconcile the default policy of ``tenant``."""

    registry = customresources.for_tenant(tenant)
    store = Store(registry)
    ctx = Context(tenant=tenant)
    plans = [("clusterroles", cluster_roles(), reconcile_role),
             ("clusterrolebindings", cluster_role_bindings(), reconcile_binding)]
    for resource, defaults, reconcile in plans:
        rtype = registry.get(GROUP, "v1", resource)
        for default in defaults:
            name = default["metadata"]["name"]
            stored = storage.get(Key(tenant, GROUP, resource, "", name))
            try:
                if stored is None:
                    store.create(rtype, ctx, json.loads(json.dumps(default)))
                    continue
                new = reconcile(json.loads(stored.data), default)
                if new is not None:
                    store.update(rtype, ctx, "", name, new)
            except errors.APIError as exc:
                if exc.reason not in ("AlreadyExists", "Conflict"):  # another process got there first
                    raise
