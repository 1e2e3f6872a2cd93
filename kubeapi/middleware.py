"""Django's session, authentication and message middleware, for the admin only.

The Django admin needs them; API requests never touch sessions, Django
users or messages (``authz.filters`` authenticates them per request), yet
the three cost ~13% of a GET's instructions when they run for every request
(README, Benchmarks). Subclasses, so the admin's system checks still find
them in ``MIDDLEWARE``.
"""
import threading
import time

from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.http import HttpResponse

from authz import x509

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


class AdminFrameOptionsMiddleware(_AdminOnly, XFrameOptionsMiddleware):
    """X-Frame-Options: DENY on the admin's pages (clickjacking)."""


class AdminLoginThrottle:
    """Failed admin logins, per client address and per username: past
    LOGIN_FAILURES in LOGIN_WINDOW seconds a login answers 429 (with
    Retry-After) before the password hasher runs. Upstream has no admin; this
    is Django-side brute-force and CPU protection. Counted per process."""

    LOGIN_FAILURES = 10
    LOGIN_WINDOW = 60.0

    def __init__(self, get_response):
        self.get_response = get_response
        self.failures = {}  # key → [times]
        self.lock = threading.Lock()

    def __call__(self, request):
        if request.method != "POST" or request.path_info != "/admin/login/":
            return self.get_response(request)
        front = x509.peer(request.META)
        keys = ("addr:" + (front[0] if front else request.META.get("REMOTE_ADDR", "")),
                "user:" + request.POST.get("username", "")[:150])
        now = time.monotonic()
        with self.lock:
            recent = [self._recent(key, now) for key in keys]
        if max(recent) >= self.LOGIN_FAILURES:
            response = HttpResponse("Too many failed login attempts; try again later.\n", status=429,
                                    content_type="text/plain")
            response["Retry-After"] = str(int(self.LOGIN_WINDOW))
            return response
        response = self.get_response(request)
        with self.lock:
            if response.status_code == 200:  # the form again: the login failed
                for key in keys:
                    self.failures.setdefault(key, []).append(now)
            elif response.status_code == 302:
                self.failures.pop(keys[1], None)
            if len(self.failures) > 10000:  # bound the table under a spray of names
                self.failures = {k: v for k, v in self.failures.items() if v[-1] > now - self.LOGIN_WINDOW}
        return response

    def _recent(self, key, now):
        times = [t for t in self.failures.get(key, ()) if t > now - self.LOGIN_WINDOW]
        if times:
            self.failures[key] = times
        else:
            self.failures.pop(key, None)
        return len(times)
