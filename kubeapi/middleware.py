"""Django's session, authentication and message middleware, for the admin only.

The Django admin needs them; API requests never touch sessions, Django
users or messages (``authz.filters`` authenticates them per request), yet
the three cost ~13% of a GET's instructions when they run for every request
(README, Benchmarks). Subclasses, so the admin's system checks still find
them in ``MIDDLEWARE``.
"""
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware

ADMIN_PATHS = ("/admin/",)


class _AdminOnly:
    def __call__(self, request):
        if self.async_mode or request.path_info.startswith(ADMIN_PATHS):
            return super().__call__(request)
        return self.get_response(request)


class AdminSessionMiddleware(_AdminOnly, SessionMiddleware):
    pass


class AdminAuthenticationMiddleware(_AdminOnly, AuthenticationMiddleware):
    pass


class AdminMessageMiddleware(_AdminOnly, MessageMiddleware):
    pass
