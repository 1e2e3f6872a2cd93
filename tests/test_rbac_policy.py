"""The default policy's reconciliation, escalation checks' edge cases and
compilation after history was compacted away."""
import json

import pytest

from authz import compiler, controllers, escalation, policy
from authz.rbac import GROUP
from resources.registry import tenants
from resources.registry import builtin
from resources.store.generic import Store
from resources.registry.strategy import Context

T = "rbac-policy"


def test_reconcile_role_adds_what_is_missing_and_keeps_the_rest():
    default = next(r for r in policy.cluster_roles() if r["metadata"]["name"] == "system:basic-user")
    current = json.loads(json.dumps(default))
    current["rules"] = [current["rules"][0], {"verbs": ["get"], "apiGroups": [""], "resources": ["pods"]}]
    current["metadata"]["labels"] = {"team": "x"}
    new = policy.reconcile_role(current, default)
    assert new["rules"][:2] == current["rules"] and new["rules"][2] == default["rules"][1]
    assert new["metadata"]["labels"] == {"team": "x", "kubernetes.io/bootstrapping": "rbac-defaults"}
    assert policy.reconcile_role(new, default) is None  # nothing left to do
    current["metadata"]["annotations"] = {policy.AUTOUPDATE: "false"}
    assert policy.reconcile_role(current, default) is None


def test_reconcile_aggregated_role_and_binding():
    default = next(r for r in policy.cluster_roles() if r["metadata"]["name"] == "edit")
    current = json.loads(json.dumps(default))
    current["aggregationRule"]["clusterRoleSelectors"] = [{"matchLabels": {"mine": "true"}}]
    current["rules"] = [{"verbs": ["get"], "apiGroups": [""], "resources": ["pods"]}]
    new = policy.reconcile_role(current, default)
    assert new["aggregationRule"]["clusterRoleSelectors"] == [
        {"matchLabels": {"mine": "true"}}, {"matchLabels": {"rbac.authorization.k8s.io/aggregate-to-edit": "true"}}]
    assert new["rules"] == current["rules"]  # the aggregation controller owns them
    binding = next(b for b in policy.cluster_role_bindings() if b["metadata"]["name"] == "system:discovery")
    current = json.loads(json.dumps(binding))
    current["subjects"] = [{"kind": "User", "apiGroup": GROUP, "name": "extra"}]
    new = policy.reconcile_binding(current, binding)
    assert new["subjects"] == current["subjects"] + binding["subjects"]
    current["roleRef"] = {"apiGroup": GROUP, "kind": "ClusterRole", "name": "view"}
    assert policy.reconcile_binding(current, binding) is None  # roleRef cannot change


def test_only_gc_fields_changed():
    old = {"metadata": {"name": "r", "resourceVersion": "1"}, "rules": []}
    new = {"metadata": {"name": "r", "resourceVersion": "1", "finalizers": ["x"],
                        "ownerReferences": [{"uid": "u"}]}, "rules": []}
    assert escalation.only_gc_fields_changed(new, old)
    new["rules"] = [{"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]}]
    assert not escalation.only_gc_fields_changed(new, old)


@pytest.mark.django_db(transaction=True)
def test_defaults_are_idempotent_and_survive_compaction():
    from resources.store import storage

    tenants._ready.discard(T)
    tenants.ensure(T, create=True)
    before = storage.current_revision(T)
    policy.ensure_defaults(T)
    assert storage.current_revision(T) == before  # a second start-up writes nothing
    cr = builtin.get(GROUP, "v1", "clusterroles")
    role = json.loads(Store(builtin).get(cr, Context(tenant=T), "", "system:basic-user").data)
    role["rules"] = role["rules"][:1]
    Store(builtin).update(cr, Context(tenant=T), "", "system:basic-user", role)
    policy.ensure_defaults(T)  # a damaged default role is repaired
    role = json.loads(Store(builtin).get(cr, Context(tenant=T), "", "system:basic-user").data)
    assert len(role["rules"]) == 2
    # History compacted past the compiler's cursor: it rebuilds from the objects.
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("UPDATE kube_tenant SET compacted_revision = revision WHERE name = %s", [T])
        cur.execute("UPDATE authz_rbacstate SET revision = 1 WHERE tenant = %s", [T])
    crb = builtin.get(GROUP, "v1", "clusterrolebindings")
    Store(builtin).create(crb, Context(tenant=T), {
        "apiVersion": f"{GROUP}/v1", "kind": "ClusterRoleBinding", "metadata": {"name": "late"},
        "roleRef": {"apiGroup": GROUP, "kind": "ClusterRole", "name": "view"},
        "subjects": [{"kind": "User", "apiGroup": GROUP, "name": "latecomer"}]})
    controllers.sync(T)
    from authz import authorizer
    from authz.rbac import Attributes
    from authz.user import UserInfo

    attrs = Attributes(UserInfo("latecomer"), "list", True, "default", "", "*", "pods")
    assert authorizer.guardian_allows(T, attrs) is True
    assert compiler.sync(T) is False
