"""Authenticators, in kube-apiserver's order; the first that recognises the
request wins:

1. x509 client certificates verified against ``--client-ca-file``
   (CN → user, O → groups), reported by the TLS front (``authz.x509``);
2. bearer tokens: ``--token-auth-file`` (and ``var/tokens.csv``), API
   tokens of Django users, ServiceAccount JWTs;
3. anonymous (``system:anonymous`` in ``system:unauthenticated``) when no
   credentials were sent, as ``--anonymous-auth`` allows.

Credentials that are sent but not valid answer 401. Every authenticated
user is also in ``system:authenticated``.
"""
import hashlib

from django.utils import timezone
from rest_framework.authentication import BaseAuthentication

from authz import serviceaccounts, tokens, x509
from authz.models import APIToken
from authz.rbac import ANONYMOUS, AUTHENTICATED, MASTERS, UNAUTHENTICATED
from authz.user import UserInfo
from kubeapi.conf import conf
from resources.machinery import errors

# What anonymous requests may reach when --anonymous-auth is not given
# (the AuthenticationConfiguration ``anonymous.conditions`` of
# hardened clusters).
PUBLIC_PATHS = ("/healthz", "/livez", "/readyz", "/version", "/version/")


def is_public(path):
    return any(path == p or (p != "/version/" and path.startswith(p + "/")) for p in PUBLIC_PATHS)


def authenticate(request, tenant, path):
    """UserInfo of the request (anonymous included) or raise 401."""
    meta = request.META
    front = x509.peer(meta)
    presented = False  # credentials were sent (so no anonymous fallback)
    if front is not None and front[1] is not None:
        presented = True
        user = x509.user_from_identity(front[1])
        if user is not None:
            return _authenticated(user)
    header = meta.get("HTTP_AUTHORIZATION", "")
    if header:
        # As upstream's bearer authenticator: exactly one space after the
        # scheme ("Bearer  t" carries an empty token, and is refused).
        scheme, _, token = header.partition(" ")
        token = token.split(" ", 1)[0]
        if scheme.lower() != "bearer" or not token:
            raise errors.unauthorized()
        user = token_user(tenant, token)
        if user is None:
            raise errors.unauthorized()
        return _authenticated(user)
    mode = conf.anonymous
    if presented:
        raise errors.unauthorized()
    if mode == "all" or (mode == "public" and is_public(path)):
        return UserInfo(ANONYMOUS, "", (UNAUTHENTICATED,))
    raise errors.unauthorized()


def token_user(tenant, token):
    """The user a bearer token stands for, or None."""
    user = tokens.lookup(token)
    if user is not None:
        return user
    if token.startswith("kubeapi_"):
        return api_token_user(token)
    try:
        return serviceaccounts.authenticate(tenant, token)
    except serviceaccounts.InvalidToken:
        return None


def api_token_user(token):
    """API tokens operators create for Django users: the user's name and
    Django groups; superusers are cluster admins (system:masters)."""

    digest = hashlib.sha256(token.encode()).hexdigest()
    row = APIToken.objects.select_related("user").filter(digest=digest).first()
    if row is None or not row.user.is_active:
        return None
    now = timezone.now()
    if row.expires is not None and row.expires <= now:
        return None
    if row.last_used is None or (now - row.last_used).total_seconds() > 60:
        APIToken.objects.filter(pk=row.pk).update(last_used=now)
    groups = list(row.user.groups.values_list("name", flat=True))
    if row.user.is_superuser:
        groups.append(MASTERS)
    return UserInfo(row.user.get_username(), str(row.user.pk), tuple(groups))


def _authenticated(user):
    if AUTHENTICATED in user.groups or UNAUTHENTICATED in user.groups:
        return user
    return UserInfo(user.name, user.uid, tuple(user.groups) + (AUTHENTICATED,), user.extra)


class KubernetesAuthentication(BaseAuthentication):
    """DRF's view of what ``authz.filters`` established for the request."""

    def authenticate(self, request):
        user = getattr(request._request, "kube_user", None)
        return (user, None) if user is not None else None
