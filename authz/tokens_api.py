"""API tokens for Django users: created by operators (``manage.py
create_api_token`` or the admin), shown once, stored as a SHA-256 digest."""
import hashlib
import secrets

from authz.models import APIToken


def create(user, description="", expires=None):
    """(token, APIToken row). The token is ``kubeapi_`` + 43 random characters."""
    token = APIToken.PREFIX + secrets.token_urlsafe(32)
    row = APIToken.objects.create(user=user, digest=hashlib.sha256(token.encode()).hexdigest(),
                                  description=description, expires=expires)
    return token, row
