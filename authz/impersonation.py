"""Impersonation (``Impersonate-User``, ``-Group``, ``-Uid``,
``-Extra-<key>``; ``kubectl --as``/``--as-group``), as upstream's
impersonation filter: every requested attribute is authorized with the
``impersonate`` verb for the real user before the request continues as the
impersonated one."""
from urllib.parse import unquote

from authz.authorizer import authorize, forbidden
from authz.rbac import (
    ANONYMOUS, AUTHENTICATED, UNAUTHENTICATED, Attributes, service_account_groups, service_account_username,
)
from authz.serviceaccounts import parse_username
from authz.user import UserInfo
from resources.machinery import errors

USER = "impersonate-user"
GROUP = "impersonate-group"
UID = "impersonate-uid"
EXTRA = "impersonate-extra-"


def request_headers(request):
    """[(lower-case name, value)] with repeated headers kept apart (the
    WSGI environ would join them with commas)."""
    scope = request.META.get("asgi.scope")
    if scope is not None:
        return [(k.decode("latin-1").lower(), v.decode("latin-1")) for k, v in scope.get("headers", [])]
    out = []
    for key, value in request.META.items():
        if key.startswith("HTTP_IMPERSONATE_"):
            out.append((key[5:].lower().replace("_", "-"), value))
    return out


def requested(headers):
    """The impersonation requests: [(kind, namespace, name, extra key)]."""
    user = next((v for k, v in headers if k == USER), "")
    out = []
    if user:
        sa = parse_username(user)
        out.append(("ServiceAccount", sa[0], sa[1], "") if sa else ("User", "", user, ""))
    groups = [v for k, v in headers if k == GROUP]
    out += [("Group", "", g, "") for g in groups]
    extras = [(unquote(k[len(EXTRA):]).lower(), v) for k, v in headers if k.startswith(EXTRA)]
    out += [("UserExtra", "", v, key) for key, v in extras]
    uid = next((v for k, v in headers if k == UID), "")
    if uid:
        out.append(("UID", "", uid, ""))
    if (groups or extras or uid) and not user:
        # Upstream answers this with a 500; it is the client's mistake, so 400.
        raise errors.bad_request(f"requested {_describe(out)} without impersonating a user")
    return out


def _describe(requests):
    return "[" + " ".join("{%s %s}" % (kind, name) for kind, _, name, _ in requests) + "]"


def impersonate(tenant, requestor, headers):
    """(UserInfo to continue as, or None when nothing is impersonated).
    Raises 403 when ``requestor`` may not impersonate what it asks for."""
    wanted = requested(headers)
    if not wanted:
        return None
    groups_specified = any(kind == "Group" for kind, _, _, _ in wanted)
    username, uid, groups, extra = "", "", [], {}
    for kind, namespace, name, key in wanted:
        attrs = Attributes(requestor, "impersonate", True, namespace, "", "*", "", "", name)
        if kind == "ServiceAccount":
            attrs.resource = "serviceaccounts"
            username = service_account_username(namespace, name)
            if not groups_specified:
                groups = service_account_groups(namespace)
        elif kind == "User":
            attrs.resource = "users"
            username = name
        elif kind == "Group":
            attrs.resource = "groups"
            groups.append(name)
        elif kind == "UserExtra":
            attrs.api_group, attrs.resource, attrs.subresource = "authentication.k8s.io", "userextras", key
            extra.setdefault(key, []).append(name)
        else:
            attrs.api_group, attrs.resource = "authentication.k8s.io", "uids"
            uid = name
        allowed, reason = authorize(tenant, attrs)
        if not allowed:
            raise forbidden(attrs, reason)
    if username != ANONYMOUS:
        if not any(g in (AUTHENTICATED, UNAUTHENTICATED) for g in groups):
            groups.append(AUTHENTICATED)
    elif UNAUTHENTICATED not in groups:
        groups.append(UNAUTHENTICATED)
    return UserInfo(username, uid, tuple(groups), extra)
