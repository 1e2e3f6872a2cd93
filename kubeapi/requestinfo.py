"""RequestInfo: the request's verb and target, parsed once from the URL as
kube-apiserver's RequestInfoFactory does, then handed down."""
import re
from dataclasses import dataclass

from resources.machinery import errors, selectors

_WRITE_VERBS = {"POST": "create", "PUT": "update", "PATCH": "patch"}


@dataclass
class RequestInfo:
    is_resource_request: bool
    path: str
    verb: str
    tenant: str = "default"
    api_prefix: str = ""
    api_group: str = ""
    api_version: str = ""
    namespace: str = ""
    resource: str = ""
    subresource: str = ""
    name: str = ""
    parts: tuple = ()


# A tenant is a logical cluster named as kcp names them: a DNS-1123 label.
_TENANT = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
NOT_FOUND = "the server could not find the requested resource"


def split_tenant(path):
    """``/clusters/<tenant>/rest`` → (tenant, /rest); plain paths → default.
    A name that cannot be a tenant's answers 404, as no such tenant exists."""
    if path.startswith("/clusters/"):
        rest = path[len("/clusters/"):]
        tenant, _, tail = rest.partition("/")
        if len(tenant) > 63 or not _TENANT.fullmatch(tenant):
            raise errors.APIError(404, "NotFound", NOT_FOUND)
        return tenant, "/" + tail
    return "default", path


def parse(method, path, query):
    """``path`` is the decoded URL path (Django's and ASGI's ``path``; it is
    not decoded again, as upstream splits ``URL.Path``); ``query`` a mapping
    of query parameters. Raises a 404 Status for a malformed tenant name and
    400 for a NUL byte anywhere in the path or the query, which no name,
    selector or token can hold and PostgreSQL cannot store."""
    if "\x00" in path or any("\x00" in key or any("\x00" in v for v in query.getlist(key)) for key in query):
        raise errors.bad_request("invalid request: the path or query contains a NUL byte")
    tenant, path = split_tenant(path)
    parts = [p for p in path.strip("/").split("/") if p != ""]
    info = RequestInfo(False, path, method.lower(), tenant=tenant)
    if not parts or parts[0] not in ("api", "apis"):
        return info
    info.api_prefix = parts[0]
    rest = parts[1:]
    if info.api_prefix == "apis":
        if len(rest) < 2:
            return info
        info.api_group, info.api_version, rest = rest[0], rest[1], rest[2:]
    else:
        if len(rest) < 1:
            return info
        info.api_version, rest = rest[0], rest[1:]
    if not rest:
        return info
    info.is_resource_request = True
    if rest[0] == "namespaces" and len(rest) > 1:
        info.namespace = rest[1]
        # /namespaces/<ns>/<resource>/... is namespaced; /namespaces/<ns> and
        # its own subresources (status, finalize) address the Namespace.
        if len(rest) > 2 and rest[2] not in ("status", "finalize"):
            rest = rest[2:]
    info.parts = tuple(rest)
    info.resource = rest[0]
    if len(rest) > 1:
        info.name = rest[1]
    if len(rest) > 2:
        info.subresource = rest[2]
    if method == "GET" or method == "HEAD":
        if info.name:
            info.verb = "get"
        elif query.get("watch") in ("1", "true"):
            info.verb = "watch"
        else:
            info.verb = "list"
        if not info.name:
            # As upstream: a list/watch of metadata.name=<x> names <x>, so
            # RBAC rules with resourceNames can allow it.
            info.name = _selected_name(query.get("fieldSelector", ""))
    elif method == "DELETE":
        info.verb = "delete" if info.name else "deletecollection"
    else:
        info.verb = _WRITE_VERBS.get(method, method.lower())
    return info


def _selected_name(selector):
    """The name a field selector requires exactly (``metadata.name=x``), if
    it is a valid path segment; "" otherwise."""
    if "metadata.name" not in selector:
        return ""

    try:
        requirements = selectors.parse_field_selector(selector)
    except errors.APIError:
        return ""
    for req in requirements:
        if req.key == "metadata.name" and req.op == "=":
            name = req.values[0]
            if name and name not in (".", "..") and "/" not in name and "%" not in name:
                return name
    return ""
