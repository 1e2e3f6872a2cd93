from django.contrib import admin
from django.contrib.staticfiles.views import serve as serve_static
from django.urls import path, re_path

from authz import views as authz_views
from kubeapi import health
from resources.endpoints.views import ResourceView
from resources.machinery import errors
from watch import metrics as watch_metrics

_tenant = r"^(?:clusters/(?P<tenant>[a-z0-9]([-a-z0-9]*[a-z0-9])?)/)?"

urlpatterns = [
    # First: nearly every request is an API request, and Django tries the
    # patterns in order (the admin's alone are dozens of regexes).
    re_path(_tenant + r"(?:api|apis|openapi)(?:/.*)?$", ResourceView.as_view()),
    path("admin/", admin.site.urls),
    # The admin's CSS/JS, served by Django itself: the admin is an operator
    # tool, not worth a separate static file server.
    re_path(r"^static/(?P<path>.*)$", serve_static, {"insecure": True}),
    re_path(_tenant + r"(?P<check>healthz|livez|readyz)(?:/(?P<name>[^/]+))?/?$", health.probe),
    re_path(_tenant + r"version/?$", health.version),
    re_path(r"^metrics/?$", watch_metrics.view),
    re_path(_tenant + r"\.well-known/openid-configuration$", authz_views.openid_configuration),
    re_path(_tenant + r"openid/v1/jwks$", authz_views.jwks),
]


def _not_found(request, exception=None):
    return errors.APIError(404, "NotFound", "the server could not find the requested resource").response()


def _server_error(request):
    return errors.internal("an unexpected error occurred while serving the request").response()


# Every error is a metav1 Status, also for paths no view serves and for crashes.
handler404 = _not_found
handler500 = _server_error
