"""The request authorizer: system:masters, then RBAC answered from
django-guardian grants (compiled by ``authz.compiler``).

A request is allowed when the user, or one of its groups, holds any of the
request's candidate permissions (``authz.grants``) on any of its candidate
scopes: one query over guardian's user and group object permissions.
"""
import time
from functools import lru_cache

from django.contrib.auth.models import Group, Permission, User
from django.db import connection
from guardian.models import GroupObjectPermission, UserObjectPermission

from authz import grants, rbac
from authz.models import RBACState
from authz.rbac import MASTERS, Attributes, RuleResolver, StoredPolicy
from kubeapi.conf import conf
from resources.machinery import errors
from resources.machinery.validation import go_quote
from resources.machinery.validation import go_quote as q


def authorize(tenant, attrs):
    """(allowed, reason). ``reason`` is filled in by ``explain`` when
    someone (audit, SubjectAccessReview) wants it."""
    user = attrs.user
    if MASTERS in user.groups:
        return True, ""
    return rbac_allows(tenant, attrs), ""


# Decisions per process, each stamped with the tenant's grant generation
# (RBACState.generation, bumped by every compilation that changes grants):
# a cached decision is only used while the generation it was made at is
# still current, so a request costs one primary-key read when cached.
_decisions = {}
_MAX_DECISIONS = 50000
# KUBEAPI_RBAC_DECISION_CACHE=0 asks guardian every time (bench/rbac.py measures both).
_CACHE = conf.rbac_decision_cache


# The generation itself is read at most every KUBEAPI_RBAC_GENERATION_TTL
# seconds per process (default 0.25; 0 reads it on every request). The
# process that compiles a change forgets it at once (``invalidate``); other
# processes follow within the TTL — as upstream's authorizer follows RBAC
# objects through an informer, a moment behind.
_GENERATION_TTL = conf.rbac_generation_ttl
_generations = {}  # tenant → (generation, monotonic time read)


def _generation(tenant):
    if _GENERATION_TTL > 0:
        known = _generations.get(tenant)
        if known is not None and time.monotonic() - known[1] < _GENERATION_TTL:
            return known[0]
    row = _fetch_one(f"SELECT generation FROM {RBACState._meta.db_table} WHERE tenant = %s", [tenant])
    generation = row[0] if row else 0
    _generations[tenant] = (generation, time.monotonic())
    return generation


def rbac_allows(tenant, attrs):
    """RBAC's answer for ``attrs`` in ``tenant``, from guardian."""
    generation = _generation(tenant)
    if not _CACHE:
        return guardian_allows(tenant, attrs, generation)
    key = (tenant, attrs.user.name, attrs.user.groups, attrs.resource_request, attrs.verb, attrs.api_group,
           attrs.resource, attrs.subresource, attrs.namespace, attrs.name, attrs.path)
    hit = _decisions.get(key)
    if hit is not None and hit[0] == generation:
        return hit[1]
    allowed = guardian_allows(tenant, attrs, generation)
    if len(_decisions) >= _MAX_DECISIONS:
        _decisions.clear()
    _decisions[key] = (generation, allowed)
    return allowed


# Row ids of users, groups and permissions per tenant, valid for one grant
# generation: every row a grant of that generation uses existed when the
# compilation that made it committed.
_ids = {}


def _resolve(tenant, generation, kind, names):
    cached = _ids.get(tenant)
    if cached is None or cached[0] != generation:
        cached = _ids[tenant] = (generation, {})
    table = cached[1]
    missing = [n for n in names if (kind, n) not in table]
    if missing:
        model, column = {"u": (User, "username"), "g": (Group, "name"), "p": (Permission, "codename")}[kind]
        sql = f"SELECT {column}, id FROM {model._meta.db_table} WHERE {column} IN ({', '.join(['%s'] * len(missing))})"
        values = list(missing)
        if kind == "p":
            sql += " AND content_type_id = %s"
            values.append(grants.scope_content_type_id())
        with connection.cursor() as cur:
            cur.execute(sql, values)
            found = dict(cur.fetchall())
        for n in missing:
            table[(kind, n)] = found.get(n)
    return [table[(kind, n)] for n in names if table[(kind, n)] is not None]


def guardian_allows(tenant, attrs, generation=None):
    """The guardian lookup itself: does the user or one of its groups hold
    a candidate permission on a candidate scope? One statement over
    guardian's user and group object-permission tables."""
    if generation is None:
        generation = _generation(tenant)
    perms = _resolve(tenant, generation, "p", grants.candidate_codenames(attrs))
    if not perms:
        return False
    users = _resolve(tenant, generation, "u", [grants.django_name(attrs.user.name)])
    groups = _resolve(tenant, generation, "g", [grants.django_name(g) for g in attrs.user.groups])
    if not users and not groups:
        return False
    scopes = grants.candidate_scopes(tenant, attrs)
    ct = grants.scope_content_type_id()
    sql = _query(bool(users), len(groups), len(perms), len(scopes))
    values = []
    if users:
        values += [ct, users[0], *perms, *scopes]
    if groups:
        values += [ct, *groups, *perms, *scopes]
    with connection.cursor() as cur:
        cur.execute(sql, values)
        return cur.fetchone() is not None


def _fetch_one(sql, values):
    with connection.cursor() as cur:
        cur.execute(sql, values)
        return cur.fetchone()


@lru_cache(maxsize=1024)
def _query(by_user, n_groups, n_perms, n_scopes):
    """Single-table lookups (cheap to plan: planning the joins by name cost
    ten times their execution)."""
    def marks(n):
        return ", ".join(["%s"] * n)

    parts = []
    if by_user:
        parts.append(f"SELECT 1 FROM {UserObjectPermission._meta.db_table} WHERE content_type_id = %s"
                     f" AND user_id = %s AND permission_id IN ({marks(n_perms)}) AND object_pk IN ({marks(n_scopes)})")
    if n_groups:
        parts.append(f"SELECT 1 FROM {GroupObjectPermission._meta.db_table} WHERE content_type_id = %s"
                     f" AND group_id IN ({marks(n_groups)}) AND permission_id IN ({marks(n_perms)})"
                     f" AND object_pk IN ({marks(n_scopes)})")
    return " UNION ALL ".join(parts) + " LIMIT 1"


def explain(tenant, attrs):
    """Upstream's reason for a decision ("RBAC: allowed by RoleBinding ...")
    from the RBAC objects themselves."""

    if MASTERS in attrs.user.groups:
        return ""
    return rbac.authorize(RuleResolver(StoredPolicy(tenant)), attrs)[1]


def can(tenant, user, verb, resource="", group="", namespace="", name="", subresource="", path=""):
    """Convenience for checks the server makes on a user's behalf (bind,
    escalate, impersonate)."""
    if path:
        attrs = Attributes(user, verb, False, path=path)
    else:
        attrs = Attributes(user, verb, True, namespace, group, "*", resource, subresource, name)
    return authorize(tenant, attrs)[0]


def invalidate(tenant):
    """Grants of ``tenant`` changed (in this process; other processes see
    the new generation)."""
    _generations.pop(tenant, None)
    for key in [k for k in _decisions if k[0] == tenant]:
        _decisions.pop(key, None)


# ------------------------------------------------------------- forbidden
def forbidden_message(attrs):
    user = q(attrs.user.name if attrs.user else "")
    if not attrs.resource_request:
        return f"User {user} cannot {attrs.verb} path {q(attrs.path)}"
    resource = f"{attrs.resource}/{attrs.subresource}" if attrs.subresource else attrs.resource
    if attrs.namespace:
        return (f"User {user} cannot {attrs.verb} resource {q(resource)} in API group {q(attrs.api_group)} "
                f"in the namespace {q(attrs.namespace)}")
    return f"User {user} cannot {attrs.verb} resource {q(resource)} in API group {q(attrs.api_group)} at the cluster scope"


def forbidden(attrs, reason=""):
    """The 403 Status upstream's authorization filter writes."""

    message = forbidden_message(attrs)
    if reason:
        message = f"{message}: {reason}"
    qualified = f"{attrs.resource}.{attrs.api_group}" if attrs.api_group else attrs.resource
    if not attrs.resource_request or not attrs.resource:
        text = f"forbidden: {message}"
    elif attrs.name:
        text = f"{qualified} {go_quote(attrs.name)} is forbidden: {message}"
    else:
        text = f"{qualified} is forbidden: {message}"
    details = {k: v for k, v in (("name", attrs.name), ("group", attrs.api_group),
                                 ("kind", attrs.resource if attrs.resource_request else "")) if v}
    return errors.APIError(403, "Forbidden", text, details or None)
