"""The request authorizer: system:masters, then RBAC answered from
django-guardian grants (compiled by ``authz.compiler``).

A request is allowed when the user, or one of its groups, holds any of the
request's candidate permissions (``authz.grants``) on any of its candidate
scopes: one query over guardian's user and group object permissions.
"""
from guardian.models import GroupObjectPermission, UserObjectPermission

from authz import grants
from authz.compiler import django_name, scope_content_type_id
from authz.rbac import MASTERS, Attributes, RuleResolver, StoredPolicy


def authorize(tenant, attrs):
    """(allowed, reason). ``reason`` is filled in by ``explain`` when
    someone (audit, SubjectAccessReview) wants it."""
    user = attrs.user
    if MASTERS in user.groups:
        return True, ""
    return rbac_allows(tenant, attrs), ""


def rbac_allows(tenant, attrs):
    ct = scope_content_type_id()
    codenames = grants.candidate_codenames(attrs)
    scopes = grants.candidate_scopes(tenant, attrs)
    by_user = UserObjectPermission.objects.filter(
        content_type_id=ct, object_pk__in=scopes, user__username=django_name(attrs.user.name),
        permission__content_type_id=ct, permission__codename__in=codenames,
    ).values_list("id")
    groups = [django_name(g) for g in attrs.user.groups]
    if not groups:
        return by_user.exists()
    by_group = GroupObjectPermission.objects.filter(
        content_type_id=ct, object_pk__in=scopes, group__name__in=groups,
        permission__content_type_id=ct, permission__codename__in=codenames,
    ).values_list("id")
    return bool(list(by_user.union(by_group, all=True)[:1]))


def explain(tenant, attrs):
    """Upstream's reason for a decision ("RBAC: allowed by RoleBinding ...")
    from the RBAC objects themselves."""
    from authz import rbac

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
    """Grants of ``tenant`` changed (nothing is cached yet)."""


# ------------------------------------------------------------- forbidden
def forbidden_message(attrs):
    from resources.validation import go_quote as q

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
    from resources import errors
    from resources.validation import go_quote

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
