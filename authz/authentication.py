"""Authenticators, tried in order; the first that recognises the request wins.
Every authenticated user is also in ``system:authenticated``."""

from rest_framework.authentication import BaseAuthentication

from authz import tokens
from authz.user import UserInfo
from resources import errors


def authenticate(request):
    """Return a UserInfo, None when the request carries no credentials, or
    raise 401 when it carries bad ones."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header:
        scheme, _, token = header.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise errors.unauthorized()
        user = tokens.lookup(token)
        if user is None:
            raise errors.unauthorized()
        return _authenticated(user)
    return None


def _authenticated(user):
    if "system:authenticated" in user.groups:
        return user
    return UserInfo(user.name, user.uid, user.groups + ("system:authenticated",), user.extra)


class KubernetesAuthentication(BaseAuthentication):
    def authenticate(self, request):
        user = authenticate(request._request)
        return (user, None) if user is not None else None
