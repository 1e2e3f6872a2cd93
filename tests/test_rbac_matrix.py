"""The RBAC matrix: decisions answered from django-guardian grants (what the
server uses) equal upstream's rule-by-rule RBAC evaluation for every
combination of users, groups, verbs, resources, subresources, namespaces
and resource names — wildcards, aggregation and the default policy
included — before and after incremental changes. A table of hand-checked
cases pins the upstream answers themselves."""
import itertools
import json

import pytest

from authz import authorizer, compiler, controllers, rbac
from authz.rbac import Attributes, RuleResolver, StoredPolicy
from authz.user import UserInfo
from resources.registry import tenants
from resources.registry import builtin
from resources.store.generic import Store
from resources.registry.strategy import Context

pytestmark = pytest.mark.django_db(transaction=True)
T = "rbac-matrix"
G = "rbac.authorization.k8s.io"


def rule(verbs, groups=None, resources=None, names=None, urls=None):
    out = {"verbs": verbs}
    if urls:
        out["nonResourceURLs"] = urls
        return out
    out["apiGroups"], out["resources"] = groups, resources
    if names:
        out["resourceNames"] = names
    return out


def subj(kind, name, namespace=None):
    if kind == "ServiceAccount":
        return {"kind": kind, "name": name, **({"namespace": namespace} if namespace else {})}
    return {"kind": kind, "name": name, "apiGroup": G}


CLUSTER_ROLES = {
    "pod-reader": [rule(["get", "list", "watch"], [""], ["pods"])],
    "wild-verbs": [rule(["*"], ["apps"], ["deployments"])],
    "wild-groups": [rule(["get"], ["*"], ["configmaps"])],
    "wild-resources": [rule(["list"], ["apps"], ["*"])],
    "sub-scale": [rule(["update"], ["apps", ""], ["*/scale"]), rule(["get"], ["apps"], ["deployments/scale"])],
    "named": [rule(["get", "update", "list", "watch", "create", "delete", "deletecollection"], [""], ["configmaps"],
                   ["cm-1", "cm-2"])],
    "logs": [rule(["get"], [""], ["pods/log"])],
    "nonres": [rule(["get"], urls=["/healthz", "/apis/*", "/custom*"])],
    "agg-child-1": [rule(["get"], [""], ["secrets"])],
    "agg-child-2": [rule(["list"], [""], ["services"]), rule(["get"], [""], ["secrets"])],
    "everything": [rule(["*"], ["*"], ["*"]), rule(["*"], urls=["*"])],
}
AGGREGATED = {"agg-parent": {"team": "x"}}
ROLES = {
    ("ns-a", "ns-role"): [rule(["get", "create"], [""], ["secrets"])],
    ("ns-b", "ns-role-b"): [rule(["*"], ["*"], ["*"])],
}
ROLE_BINDINGS = [
    ("ns-a", "alice-pods", "ClusterRole", "pod-reader", [subj("User", "alice")]),
    ("ns-a", "devs-secrets", "Role", "ns-role", [subj("Group", "devs")]),
    ("ns-a", "robot-named", "ClusterRole", "named", [subj("ServiceAccount", "robot")]),
    ("ns-a", "bob-nonres", "ClusterRole", "nonres", [subj("User", "bob")]),
    ("ns-b", "alice-all-b", "Role", "ns-role-b", [subj("User", "alice")]),
    ("ns-b", "ops-agg", "ClusterRole", "agg-parent", [subj("Group", "ops")]),
    ("ns-b", "missing-role", "Role", "does-not-exist", [subj("User", "frank")]),
    ("ns-b", "robot-elsewhere", "ClusterRole", "pod-reader", [subj("ServiceAccount", "robot", "ns-a")]),
]
CLUSTER_ROLE_BINDINGS = [
    ("carol-deploy", "wild-verbs", [subj("User", "carol")]),
    ("ops-cm", "wild-groups", [subj("Group", "ops")]),
    ("dave-list", "wild-resources", [subj("User", "dave")]),
    ("dave-scale", "sub-scale", [subj("User", "dave")]),
    ("dave-logs", "logs", [subj("User", "dave")]),
    ("dave-nonres", "nonres", [subj("User", "dave")]),
    ("erin-agg", "agg-parent", [subj("User", "erin")]),
    ("sa-group-named", "named", [subj("Group", "system:serviceaccounts:ns-c")]),
    ("root", "everything", [subj("User", "root")]),
]

AUTH = "system:authenticated"
USERS = [
    UserInfo("alice", groups=(AUTH,)),
    UserInfo("bob", groups=(AUTH,)),
    UserInfo("carol", groups=(AUTH,)),
    UserInfo("dave", groups=(AUTH,)),
    UserInfo("erin", groups=(AUTH,)),
    UserInfo("frank", groups=("devs", AUTH)),
    UserInfo("gina", groups=("ops", AUTH)),
    UserInfo("hana", groups=("devs", "ops", AUTH)),
    UserInfo("root", groups=(AUTH,)),
    UserInfo("system:serviceaccount:ns-a:robot",
             groups=("system:serviceaccounts", "system:serviceaccounts:ns-a", AUTH)),
    UserInfo("system:serviceaccount:ns-c:worker",
             groups=("system:serviceaccounts", "system:serviceaccounts:ns-c", AUTH)),
    UserInfo("system:anonymous", groups=("system:unauthenticated",)),
]
VERBS = ["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection", "escalate"]
RESOURCES = [("", "pods", ""), ("", "pods", "log"), ("", "configmaps", ""), ("", "secrets", ""),
             ("", "services", ""), ("apps", "deployments", ""), ("apps", "deployments", "scale"),
             ("apps", "replicasets", "scale"), ("", "replicationcontrollers", "scale"), ("batch", "jobs", ""),
             (G, "roles", ""), ("extensions", "configmaps", "")]
NAMESPACES = ["", "ns-a", "ns-b", "ns-c"]
NAMES = ["", "cm-1", "cm-3"]
PATHS = ["/healthz", "/healthz/etcd", "/api", "/apis", "/apis/apps/v1", "/custom", "/customized/x", "/cust",
         "/metrics", "/version"]


def _create(store, resource, obj, namespace=""):
    rtype = builtin.get(G, "v1", resource) if resource in ("roles", "clusterroles", "rolebindings",
                                                               "clusterrolebindings") \
        else builtin.get("", "v1", resource)
    return store.create(rtype, Context(tenant=T, namespace=namespace), obj)


@pytest.fixture
def policy():
    tenants._ready.discard(T)
    tenants.ensure(T, create=True)
    store = Store(builtin)
    for ns in ("ns-a", "ns-b", "ns-c"):
        _create(store, "namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
    for name, rules in CLUSTER_ROLES.items():
        labels = {"team": "x"} if name.startswith("agg-child") else {}
        _create(store, "clusterroles", {"apiVersion": f"{G}/v1", "kind": "ClusterRole",
                                        "metadata": {"name": name, "labels": labels}, "rules": rules})
    for name, selector in AGGREGATED.items():
        _create(store, "clusterroles", {"apiVersion": f"{G}/v1", "kind": "ClusterRole", "metadata": {"name": name},
                                        "aggregationRule": {"clusterRoleSelectors": [{"matchLabels": selector}]}})
    for (ns, name), rules in ROLES.items():
        _create(store, "roles", {"apiVersion": f"{G}/v1", "kind": "Role",
                                 "metadata": {"name": name, "namespace": ns}, "rules": rules}, ns)
    for ns, name, kind, role, subjects in ROLE_BINDINGS:
        _create(store, "rolebindings", {"apiVersion": f"{G}/v1", "kind": "RoleBinding",
                                        "metadata": {"name": name, "namespace": ns},
                                        "roleRef": {"apiGroup": G, "kind": kind, "name": role},
                                        "subjects": subjects}, ns)
    for name, role, subjects in CLUSTER_ROLE_BINDINGS:
        _create(store, "clusterrolebindings", {"apiVersion": f"{G}/v1", "kind": "ClusterRoleBinding",
                                               "metadata": {"name": name},
                                               "roleRef": {"apiGroup": G, "kind": "ClusterRole", "name": role},
                                               "subjects": subjects})
    controllers.sync(T)
    return store


def all_attributes():
    for user, verb, (group, resource, sub), ns, name in itertools.product(USERS, VERBS, RESOURCES, NAMESPACES,
                                                                         NAMES):
        yield Attributes(user, verb, True, ns, group, "*", resource, sub, name)
    for user, verb, path in itertools.product(USERS, ("get", "post"), PATHS):
        yield Attributes(user, verb, False, path=path)


def mismatches():
    reference = RuleResolver(StoredPolicy(T))
    out, count = [], 0
    for attrs in all_attributes():
        count += 1
        want = rbac.authorize(reference, attrs)[0]
        got = authorizer.guardian_allows(T, attrs)
        if want != got:
            out.append((attrs.user.name, attrs.verb, attrs.api_group, attrs.resource, attrs.subresource,
                        attrs.namespace, attrs.name, attrs.path, "reference", want, "guardian", got))
    return out, count


def test_matrix_matches_reference(policy):
    wrong, count = mismatches()
    assert count > 10000
    assert not wrong, wrong[:20]


def test_matrix_after_incremental_changes(policy):
    store = policy
    rb = builtin.get(G, "v1", "rolebindings")
    crb = builtin.get(G, "v1", "clusterrolebindings")
    cr = builtin.get(G, "v1", "clusterroles")
    role = builtin.get(G, "v1", "roles")
    ctx = Context(tenant=T)
    # Subjects move, roles change and go, a missing role appears, a child
    # of an aggregated role changes: each is compiled incrementally.
    binding = json.loads(store.get(rb, ctx, "ns-a", "alice-pods").data)
    binding["subjects"] = [subj("User", "bob"), subj("Group", "ops")]
    store.update(rb, Context(tenant=T, namespace="ns-a"), "ns-a", "alice-pods", binding)
    store.delete(crb, ctx, "", "carol-deploy", {})
    pod_reader = json.loads(store.get(cr, ctx, "", "pod-reader").data)
    pod_reader["rules"].append(rule(["delete"], [""], ["pods"], ["p-1"]))
    store.update(cr, ctx, "", "pod-reader", pod_reader)
    store.delete(role, ctx, "ns-a", "ns-role", {})
    store.create(role, Context(tenant=T, namespace="ns-b"), {
        "apiVersion": f"{G}/v1", "kind": "Role", "metadata": {"name": "does-not-exist", "namespace": "ns-b"},
        "rules": [rule(["list"], ["batch"], ["jobs"])]})
    child = json.loads(store.get(cr, ctx, "", "agg-child-1").data)
    child["rules"] = [rule(["watch"], [""], ["services"])]
    store.update(cr, ctx, "", "agg-child-1", child)
    controllers.sync(T)
    wrong, _ = mismatches()
    assert not wrong, wrong[:20]
    # A full recompilation from scratch agrees with the incremental one.
    from authz.models import RBACState

    RBACState.objects.filter(tenant=T).update(revision=0)
    assert compiler.sync(T) is False


# (user, groups, verb, group, resource, subresource, namespace, name, allowed) as upstream decides
HAND_CHECKED = [
    ("alice", (), "list", "", "pods", "", "ns-a", "", True),
    ("alice", (), "list", "", "pods", "", "ns-b", "", True),  # via Role ns-role-b (*.*)
    ("alice", (), "list", "", "pods", "", "ns-c", "", False),
    ("alice", (), "list", "", "pods", "", "", "", False),  # a RoleBinding never reaches the cluster scope
    ("alice", (), "delete", "", "pods", "", "ns-a", "", False),
    ("alice", (), "get", "", "pods", "log", "ns-a", "", False),  # pods does not cover pods/log
    ("dave", (), "get", "", "pods", "log", "ns-c", "", True),
    ("dave", (), "get", "", "pods", "", "ns-c", "", False),
    ("dave", (), "update", "apps", "replicasets", "scale", "ns-c", "x", True),  # */scale
    ("dave", (), "update", "", "replicationcontrollers", "scale", "", "x", True),
    ("dave", (), "get", "apps", "replicasets", "scale", "ns-c", "x", False),
    ("dave", (), "get", "apps", "deployments", "scale", "ns-c", "x", True),
    ("dave", (), "list", "apps", "deployments", "", "", "", True),  # apps/*
    ("dave", (), "list", "apps", "deployments", "scale", "ns-a", "", True),  # * covers subresources
    ("dave", (), "list", "batch", "jobs", "", "ns-a", "", False),
    ("carol", (), "deletecollection", "apps", "deployments", "", "ns-b", "", True),
    ("carol", (), "get", "extensions", "deployments", "", "ns-b", "", False),
    ("gina", ("ops",), "get", "batch", "configmaps", "", "", "", True),  # apiGroups *
    ("gina", ("ops",), "list", "", "configmaps", "", "ns-a", "", False),
    ("gina", ("ops",), "get", "", "secrets", "", "ns-b", "s", True),  # aggregated, via RoleBinding
    ("gina", ("ops",), "get", "", "secrets", "", "ns-a", "s", False),
    ("erin", (), "list", "", "services", "", "", "", True),  # aggregated, via ClusterRoleBinding
    ("erin", (), "get", "", "configmaps", "", "ns-a", "x", False),
    ("frank", ("devs",), "create", "", "secrets", "", "ns-a", "", True),
    ("frank", ("devs",), "get", "", "secrets", "", "ns-b", "s", False),  # binding to a missing role
    ("system:serviceaccount:ns-a:robot", (), "get", "", "configmaps", "", "ns-a", "cm-1", True),
    ("system:serviceaccount:ns-a:robot", (), "get", "", "configmaps", "", "ns-a", "cm-3", False),
    ("system:serviceaccount:ns-a:robot", (), "list", "", "configmaps", "", "ns-a", "", False),
    ("system:serviceaccount:ns-a:robot", (), "list", "", "configmaps", "", "ns-a", "cm-2", True),  # metadata.name
    ("system:serviceaccount:ns-a:robot", (), "create", "", "configmaps", "", "ns-a", "", False),
    ("system:serviceaccount:ns-a:robot", (), "deletecollection", "", "configmaps", "", "ns-a", "", False),
    ("system:serviceaccount:ns-a:robot", (), "get", "", "configmaps", "", "ns-b", "cm-1", False),
    ("system:serviceaccount:ns-a:robot", (), "get", "", "pods", "", "ns-b", "p", True),
    ("system:serviceaccount:ns-c:worker", ("system:serviceaccounts:ns-c",), "get", "", "configmaps", "", "",
     "cm-2", True),
    ("system:serviceaccount:ns-c:worker", ("system:serviceaccounts:ns-c",), "get", "", "configmaps", "", "ns-b",
     "cm-2", True),
    ("root", (), "escalate", G, "clusterroles", "", "", "", True),
    ("nobody", (), "get", "", "pods", "", "ns-a", "", False),
]
HAND_CHECKED_PATHS = [
    ("bob", (AUTH,), "get", "/custom", False),  # non-resource rules only count from ClusterRoleBindings
    ("dave", (), "get", "/custom", True),
    ("dave", (), "get", "/customized/x", True),
    ("dave", (), "get", "/cust", False),
    ("dave", (), "post", "/custom", False),
    ("dave", (), "get", "/apis/apps/v1", True),
    ("dave", (), "get", "/apis", False),
    ("bob", (AUTH,), "get", "/apis", True),  # system:discovery
    ("bob", (AUTH,), "get", "/healthz/etcd", False),
    ("system:anonymous", ("system:unauthenticated",), "get", "/healthz", True),  # system:public-info-viewer
    ("system:anonymous", ("system:unauthenticated",), "get", "/version", True),
    ("system:anonymous", ("system:unauthenticated",), "get", "/api", False),
    ("root", (), "delete", "/anything/at/all", True),
]


def test_hand_checked_decisions(policy):
    """Both evaluations give upstream's answer (one test: the policy takes
    seconds to set up)."""
    reference = RuleResolver(StoredPolicy(T))
    wrong = []
    for name, groups, verb, group, resource, sub, ns, obj, allowed in HAND_CHECKED:
        attrs = Attributes(UserInfo(name, groups=tuple(groups)), verb, True, ns, group, "*", resource, sub, obj)
        got = (authorizer.guardian_allows(T, attrs), rbac.authorize(reference, attrs)[0])
        if got != (allowed, allowed):
            wrong.append((name, verb, group, resource, sub, ns, obj, "want", allowed, "got", got))
    for name, groups, verb, path, allowed in HAND_CHECKED_PATHS:
        attrs = Attributes(UserInfo(name, groups=tuple(groups)), verb, False, path=path)
        got = (authorizer.guardian_allows(T, attrs), rbac.authorize(reference, attrs)[0])
        if got != (allowed, allowed):
            wrong.append((name, verb, path, "want", allowed, "got", got))
    assert not wrong


def test_system_masters_bypasses_rbac(policy):
    attrs = Attributes(UserInfo("x", groups=("system:masters",)), "delete", True, "ns-a", "", "*", "pods")
    assert authorizer.authorize(T, attrs) == (True, "")
    assert authorizer.rbac_allows(T, attrs) is True  # and the default cluster-admin binding agrees


def test_aggregated_rules_follow_their_children(policy):
    parent = json.loads(policy.get(builtin.get(G, "v1", "clusterroles"), Context(tenant=T), "", "agg-parent").data)
    assert parent["rules"] == [rule(["get"], [""], ["secrets"]), rule(["list"], [""], ["services"])]
    edit = json.loads(policy.get(builtin.get(G, "v1", "clusterroles"), Context(tenant=T), "", "edit").data)
    admin = json.loads(policy.get(builtin.get(G, "v1", "clusterroles"), Context(tenant=T), "", "admin").data)
    view = json.loads(policy.get(builtin.get(G, "v1", "clusterroles"), Context(tenant=T), "", "view").data)
    norm = [rbac.normalize_rule(r) for r in admin["rules"]]
    assert all(rbac.normalize_rule(r) in norm for r in edit["rules"] + view["rules"])
    assert any("rolebindings" in r.get("resources", []) for r in admin["rules"])
    assert not any("rolebindings" in r.get("resources", []) for r in edit["rules"])


def test_explain_names_the_binding(policy):
    attrs = Attributes(UserInfo("alice", groups=(AUTH,)), "list", True, "ns-a", "", "*", "pods")
    assert authorizer.explain(T, attrs) == \
        'RBAC: allowed by RoleBinding "alice-pods/ns-a" of ClusterRole "pod-reader" to User "alice"'
