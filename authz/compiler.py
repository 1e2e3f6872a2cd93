"""Compile a tenant's RBAC objects into django-guardian grants.

Incremental, driven by the tenant's history: the bindings and roles written
since the last compilation name the subjects whose grants may have changed;
only those subjects are recompiled (their complete desired grant set,
diffed against what guardian holds). A first compilation, or one whose
history was compacted away, recompiles everything.

One compilation per tenant at a time (a row lock on ``RBACState``); every
change bumps the tenant's grant generation.
"""
import json
import logging
import secrets

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission, User
from django.db import IntegrityError, connection, transaction
from guardian.models import GroupObjectPermission, UserObjectPermission

from authz import authorizer, grants
from authz.models import CompiledBinding, RBACState, Scope
from authz.rbac import GROUP, RoleRefError, RuleResolver, StoredPolicy, subject_identity
from resources.store import storage
from resources.store.interface import Key

log = logging.getLogger(__name__)

RBAC_RESOURCES = [(GROUP, r) for r in ("roles", "clusterroles", "rolebindings", "clusterrolebindings")]
def binding_subjects(binding):
    meta = binding.get("metadata") or {}
    namespace = meta.get("namespace") or ""
    out = []
    for subject in binding.get("subjects") or []:
        identity = subject_identity(subject, namespace)
        if identity is not None and list(identity) not in out:
            out.append(list(identity))
    return out


# ------------------------------------------------------------------- sync
def sync(tenant):
    """Compile what changed since the last compilation. Returns True when
    grants changed."""

    state, _ = RBACState.objects.get_or_create(tenant=tenant)
    if state.revision >= storage.current_revision(tenant):
        return False  # nothing written since (checked again under the lock)
    with transaction.atomic():
        state = RBACState.objects.select_for_update().get(tenant=tenant)
        current = storage.current_revision(tenant)
        if state.revision >= current:
            return False
        if state.revision == 0 or state.revision < storage.compacted_revision(tenant):
            affected = _rebuild_bindings(tenant)
        else:
            events = storage.history_since(tenant, state.revision, resources=RBAC_RESOURCES)
            events = [e for e in events if e.revision <= current]
            affected = _apply_events(tenant, events)
        changed = recompile(tenant, affected) if affected else False
        state.revision = current
        if changed:
            # Random rather than +1: caches keyed on it stay safe even if the
            # row is ever reset (a tenant recreated, a test database flushed).
            state.generation = secrets.randbits(62)
        state.save(update_fields=["revision", "generation"])
    if changed:
        authorizer.invalidate(tenant)
    return changed


def _upsert_binding(tenant, kind, obj):
    meta = obj["metadata"]
    ref = obj.get("roleRef") or {}
    CompiledBinding.objects.update_or_create(
        tenant=tenant, kind=kind, namespace=meta.get("namespace") or "", name=meta["name"],
        defaults={"role_kind": ref.get("kind") or "", "role_name": ref.get("name") or "",
                  "subjects": binding_subjects(obj)},
    )


def _rebuild_bindings(tenant):
    """Re-read every binding; every subject (old and new) is affected."""

    affected = {tuple(s) for row in CompiledBinding.objects.filter(tenant=tenant) for s in row.subjects}
    affected |= _current_holders(tenant)
    CompiledBinding.objects.filter(tenant=tenant).delete()
    for resource, kind in (("rolebindings", "RoleBinding"), ("clusterrolebindings", "ClusterRoleBinding")):
        for data in storage.list(tenant, GROUP, resource, None).items:
            obj = json.loads(data)
            _upsert_binding(tenant, kind, obj)
            affected |= {tuple(s) for s in binding_subjects(obj)}
    return affected


def _apply_events(tenant, events):
    bindings, roles = set(), set()
    for event in events:
        if event.resource in ("rolebindings", "clusterrolebindings"):
            bindings.add((event.resource, event.namespace, event.name))
        else:
            roles.add(("Role" if event.resource == "roles" else "ClusterRole", event.namespace, event.name))
    affected = set()
    for resource, namespace, name in bindings:
        kind = "RoleBinding" if resource == "rolebindings" else "ClusterRoleBinding"
        row = CompiledBinding.objects.filter(tenant=tenant, kind=kind, namespace=namespace, name=name).first()
        if row is not None:
            affected |= {tuple(s) for s in row.subjects}
        stored = storage.get(Key(tenant, GROUP, resource, namespace, name))
        if stored is None:
            if row is not None:
                row.delete()
            continue
        obj = json.loads(stored.data)
        _upsert_binding(tenant, kind, obj)
        affected |= {tuple(s) for s in binding_subjects(obj)}
    for kind, namespace, name in roles:
        rows = CompiledBinding.objects.filter(tenant=tenant, role_kind=kind, role_name=name)
        if kind == "Role":
            rows = rows.filter(namespace=namespace)
        for row in rows:
            affected |= {tuple(s) for s in row.subjects}
    return affected


def _tenant_scopes(tenant):
    return Scope.objects.filter(tenant=tenant).values("key")


def _current_holders(tenant):
    ct = grants.scope_content_type_id()
    scopes = _tenant_scopes(tenant)
    users = UserObjectPermission.objects.filter(content_type_id=ct, object_pk__in=scopes)
    groups = GroupObjectPermission.objects.filter(content_type_id=ct, object_pk__in=scopes)
    # Django names of over-long Kubernetes names are hashes ("~<sha256>");
    # their holders are found through the bindings that name them.
    return ({("User", n) for n in users.values_list("user__username", flat=True).distinct() if not _hashed(n)}
            | {("Group", n) for n in groups.values_list("group__name", flat=True).distinct() if not _hashed(n)})


def _hashed(name):
    return len(name) == 65 and name.startswith("~")


# -------------------------------------------------------------- recompile
def desired_grants(tenant, subjects, policy=None):
    """{(kind, name): {(codename, scope key)}} for the given subjects, and
    the scopes involved {key: (namespace, name)}."""
    resolver = RuleResolver(policy or StoredPolicy(tenant))
    wanted = {s: set() for s in subjects}
    scopes = {}
    for row in CompiledBinding.objects.filter(tenant=tenant).order_by("id"):
        hits = [tuple(s) for s in row.subjects if tuple(s) in wanted]
        if not hits:
            continue
        try:
            rules = resolver.role_ref_rules({"kind": row.role_kind, "name": row.role_name}, row.namespace)
        except RoleRefError:
            continue  # a binding to a missing role grants nothing (until the role appears)
        for rule in rules:
            codenames = grants.codenames_for_rule(rule, with_urls=row.kind == "ClusterRoleBinding")
            if not codenames:
                continue
            rule_scopes = grants.scopes_for_binding(tenant, row.namespace, rule)
            for key, namespace, name in rule_scopes:
                scopes[key] = (namespace, name)
            pairs = {(c, key) for c in codenames for key, _, _ in rule_scopes}
            for subject in hits:
                wanted[subject] |= pairs
    return wanted, scopes


def recompile(tenant, subjects):
    """Make guardian hold exactly the desired grants of ``subjects`` in
    ``tenant``. Returns True when anything changed."""
    subjects = {tuple(s) for s in subjects}
    wanted, scopes = desired_grants(tenant, subjects)
    ct = grants.scope_content_type_id()
    tenant_scopes = _tenant_scopes(tenant)
    names = {kind: {grants.django_name(n): n for k, n in subjects if k == kind} for kind in ("User", "Group")}

    existing = {}
    for pk, holder, codename, key in UserObjectPermission.objects.filter(
            content_type_id=ct, object_pk__in=tenant_scopes, user__username__in=list(names["User"])
    ).values_list("id", "user__username", "permission__codename", "object_pk"):
        existing[(("User", names["User"][holder]), codename, key)] = pk
    for pk, holder, codename, key in GroupObjectPermission.objects.filter(
            content_type_id=ct, object_pk__in=tenant_scopes, group__name__in=list(names["Group"])
    ).values_list("id", "group__name", "permission__codename", "object_pk"):
        existing[(("Group", names["Group"][holder]), codename, key)] = pk

    desired = {(subject, codename, key) for subject, pairs in wanted.items() for codename, key in pairs}
    remove = [pk for grant, pk in existing.items() if grant not in desired]
    add = [grant for grant in desired if grant not in existing]
    if remove:
        user_ids = [pk for grant, pk in existing.items() if grant not in desired and grant[0][0] == "User"]
        group_ids = [pk for grant, pk in existing.items() if grant not in desired and grant[0][0] == "Group"]
        UserObjectPermission.objects.filter(id__in=user_ids).delete()
        GroupObjectPermission.objects.filter(id__in=group_ids).delete()
    if add:
        _add(tenant, ct, add, scopes)
    if len(add) + len(remove) >= ANALYZE_AFTER:
        _analyze()
    return bool(remove or add)


ANALYZE_AFTER = 100  # grants changed in one compilation


def _analyze():
    """Fresh planner statistics after a bulk change: on a young table
    PostgreSQL otherwise plans the authorizer's lookup as if it were empty."""

    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(f"ANALYZE {UserObjectPermission._meta.db_table}, {GroupObjectPermission._meta.db_table},"
                        f" {Permission._meta.db_table}, {User._meta.db_table}, {Group._meta.db_table}")


def _ensure_rows(model, field, values, **defaults):
    values = set(values)
    found = dict(model.objects.filter(**{f"{field}__in": values}).values_list(field, "id"))
    missing = values - set(found)
    if missing:
        model.objects.bulk_create([model(**{field: v}, **defaults) for v in missing], ignore_conflicts=True)
        found.update(model.objects.filter(**{f"{field}__in": missing}).values_list(field, "id"))
    return found


def _add(tenant, ct, grants_to_add, scopes):
    users = _ensure_rows(User, "username", {grants.django_name(s[1]) for s, _, _ in grants_to_add if s[0] == "User"},
                         password=make_password(None))
    groups = _ensure_rows(Group, "name", {grants.django_name(s[1]) for s, _, _ in grants_to_add if s[0] == "Group"})
    codenames = {c for _, c, _ in grants_to_add}
    perms = dict(Permission.objects.filter(content_type_id=ct, codename__in=codenames).values_list("codename", "id"))
    missing = codenames - set(perms)
    if missing:
        Permission.objects.bulk_create(
            [Permission(content_type_id=ct, codename=c, name=grants.describe_codename(c)) for c in missing],
            ignore_conflicts=True)
        perms.update(Permission.objects.filter(content_type_id=ct, codename__in=missing)
                     .values_list("codename", "id"))
    keys = {k for _, _, k in grants_to_add}
    Scope.objects.bulk_create(
        [Scope(key=k, tenant=tenant, namespace=scopes.get(k, ("", ""))[0], name=scopes.get(k, ("", ""))[1])
         for k in keys], ignore_conflicts=True)
    user_rows, group_rows = [], []
    for (kind, name), codename, key in grants_to_add:
        if kind == "User":
            user_rows.append(UserObjectPermission(user_id=users[grants.django_name(name)], permission_id=perms[codename],
                                                  content_type_id=ct, object_pk=key))
        else:
            group_rows.append(GroupObjectPermission(group_id=groups[grants.django_name(name)],
                                                    permission_id=perms[codename], content_type_id=ct, object_pk=key))
    try:
        UserObjectPermission.objects.bulk_create(user_rows, batch_size=1000)
        GroupObjectPermission.objects.bulk_create(group_rows, batch_size=1000)
    except IntegrityError:
        log.exception("compiling RBAC grants of tenant %s", tenant)
        raise
