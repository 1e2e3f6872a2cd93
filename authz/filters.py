"""The request filters kube-apiserver wraps around every handler, as one
Django middleware, in upstream's order:
    RequestInfo → authentication → audit → impersonation → tenant →
    authorization → handler → (controllers after RBAC/ServiceAccount writes)
    → audit

Everything but the Django admin goes through it. ``check`` is the same
chain without the handler, for code that serves requests outside Django
(watch streams in the ASGI app).
"""
from dataclasses import replace

from authz import audit, authentication, authorizer, controllers, impersonation, x509
from authz.rbac import attributes_for
from kubeapi import deadline, requestinfo
from kubeapi.conf import conf
from resources.machinery import errors
from resources.registry import tenants

EXEMPT = ("/admin/", "/static/")


def _source_ips(request, front_address):
    meta = request.META
    ips = []
    forwarded = meta.get("HTTP_X_FORWARDED_FOR", "")
    ips += [ip.strip() for ip in forwarded.split(",") if ip.strip()]
    if meta.get("HTTP_X_REAL_IP"):
        ips.append(meta["HTTP_X_REAL_IP"].strip())
    remote = front_address or meta.get("REMOTE_ADDR", "")
    if remote:
        ips.append(remote)
    return list(dict.fromkeys(ips))


def check(request, info, trail=None):
    """Authenticate, impersonate and authorize ``request`` (RequestInfo
    ``info``). Returns the UserInfo to act as; raises APIError (401, 403,
    404 for an unknown tenant)."""
    user = authentication.authenticate(request, info.tenant, info.path)
    if trail is not None:
        trail.user = user
    tenant = info.tenant
    if not info.is_resource_request and authentication.is_public(info.path) and not tenants.exists(tenant):
        # Health and version are the server's, not the tenant's: in a tenant
        # that does not exist they answer as in ``default``, so nobody can
        # probe which tenants exist.
        tenant = "default"
    else:
        tenants.ensure(tenant)
    acting = impersonation.impersonate(tenant, user, impersonation.request_headers(request))
    if acting is not None:
        if trail is not None:
            trail.impersonated = acting
        user = acting
    attrs = attributes_for(user, info)
    if trail is not None:
        trail.decide(attrs)
    _authorize(tenant, attrs, trail)
    # An update that creates (kinds that allow it) must also be allowed to
    # create, as upstream's update handler checks: the store asks.
    request.kube_authorize = lambda verb: _authorize(tenant, attributes_for(user, replace(info, verb=verb)))
    return user


def _authorize(tenant, attrs, trail=None):
    if conf.authorization_mode == "AlwaysAllow":
        allowed, reason = True, ""
    else:
        allowed, reason = authorizer.authorize(tenant, attrs)
    if trail is not None:
        trail.annotations["authorization.k8s.io/decision"] = "allow" if allowed else "forbid"
        trail.annotations["authorization.k8s.io/reason"] = reason or (
            authorizer.explain(tenant, attrs) if trail.level not in (None, "None") else "")
    if not allowed:
        raise authorizer.forbidden(attrs, reason)


class KubernetesFilters:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path
        if path.startswith(EXEMPT):
            return self.get_response(request)
        try:
            info = requestinfo.parse(request.method, path, request.GET)
        except errors.APIError as exc:
            return exc.response()
        request.kube = info
        trail = audit.begin(request, info)
        if trail is not None:
            front = x509.peer(request.META)
            trail.source_ips = _source_ips(request, front[0] if front else "")
        try:
            if info.verb != "watch":  # watches have timeoutSeconds (watch.stream)
                deadline.start(request.GET.get("timeout", ""))
            request.kube_user = check(request, info, trail)
            response = self.get_response(request)
        except errors.APIError as exc:
            response = exc.response()
        finally:
            deadline.clear()
        if trail is not None:
            response["Audit-Id"] = trail.audit_id
            trail.complete(response, audit.status_of(response))
        if info.is_resource_request:
            controllers.after_write(info, response.status_code)
        return response
