"""RBAC escalation prevention (kube-apiserver's policy-based RBAC storage),
as validating admission on Roles, ClusterRoles and their bindings:

* a role may only be created or updated with rules its author already
  holds, unless the author may ``escalate`` roles; an aggregationRule
  (which can gather anything) needs full authority;
* a binding may only be created or updated by someone who holds the
  referenced role's rules, or may ``bind`` it;
* system:masters may do anything; server-internal writes (no user) too.
"""
import json

from authz import authorizer
from authz.rbac import GROUP, MASTERS, RoleRefError, RuleResolver, StoredPolicy, covers, escalation_message
from resources.machinery import errors

FULL_AUTHORITY = [{"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]},
                  {"verbs": ["*"], "nonResourceURLs": ["*"]}]


def escalation_allowed(user):
    return user is None or MASTERS in user.groups


def only_gc_fields_changed(obj, old):
    """IsOnlyMutatingGCFields: only ownerReferences/finalizers differ."""
    if old is None:
        return False
    copy = json.loads(json.dumps(obj))
    meta = copy.setdefault("metadata", {})
    old_meta = old.get("metadata") or {}
    for key in ("ownerReferences", "finalizers"):
        if key in old_meta:
            meta[key] = old_meta[key]
        else:
            meta.pop(key, None)
    for key in ("resourceVersion", "managedFields", "generation"):
        meta.pop(key, None)
    old_copy = json.loads(json.dumps(old))
    for key in ("resourceVersion", "managedFields", "generation"):
        old_copy.get("metadata", {}).pop(key, None)
    return copy == old_copy


def _forbidden(resource, name, message):
    return errors.APIError(403, "Forbidden", f'{resource}.{GROUP} "{name}" is forbidden: {message}',
                           {"name": name, "group": GROUP, "kind": resource})


def confirm_no_escalation(tenant, user, namespace, rules, resource, name):
    owner_rules, resolution_errors = RuleResolver(StoredPolicy(tenant)).rules_for(user, namespace)
    covered, missing = covers(owner_rules, rules)
    if not covered:
        message = escalation_message(user, missing)
        if resolution_errors:
            message += "; resolution errors: [" + ", ".join(resolution_errors) + "]"
        raise _forbidden(resource, name, message)


def _role_escalation_authorized(ctx, rtype, name):
    return authorizer.can(ctx.tenant, ctx.user, "escalate", rtype.plural, GROUP, ctx.namespace, name)


def check_role(rtype, ctx, obj, old):
    user = ctx.user
    if escalation_allowed(user) or (old is not None and only_gc_fields_changed(obj, old)):
        return
    name = (obj.get("metadata") or {}).get("name") or ""
    if _role_escalation_authorized(ctx, rtype, name if old is not None else ""):
        return
    namespace = ctx.namespace if rtype.namespaced else ""
    confirm_no_escalation(ctx.tenant, user, namespace, obj.get("rules") or [], rtype.plural, name)
    if rtype.plural == "clusterroles":
        new_rule = obj.get("aggregationRule")
        old_rule = (old or {}).get("aggregationRule")
        if new_rule and (old is None or new_rule != old_rule):
            try:
                confirm_no_escalation(ctx.tenant, user, "", FULL_AUTHORITY, rtype.plural, name)
            except errors.APIError:
                raise _forbidden(rtype.plural, name,
                                 "must have cluster-admin privileges to use the aggregationRule") from None


def check_binding(rtype, ctx, obj, old):
    user = ctx.user
    if escalation_allowed(user) or (old is not None and only_gc_fields_changed(obj, old)):
        return
    ref = obj.get("roleRef") or {}
    namespace = ctx.namespace if rtype.namespaced else ""
    name = (obj.get("metadata") or {}).get("name") or ""
    role_resource = {"ClusterRole": "clusterroles", "Role": "roles"}.get(ref.get("kind"))
    if role_resource and authorizer.can(ctx.tenant, user, "bind", role_resource, ref.get("apiGroup") or "",
                                        namespace, ref.get("name") or ""):
        return
    try:
        rules = RuleResolver(StoredPolicy(ctx.tenant)).role_ref_rules(ref, namespace)
    except RoleRefError:
        kind = ref.get("kind")
        raise errors.not_found(GROUP, "clusterroles" if kind == "ClusterRole" else "roles", ref.get("name") or "")
    confirm_no_escalation(ctx.tenant, user, namespace, rules, rtype.plural, name)
