from django.contrib import admin
from django.urls import path, re_path

from kubeapi import health
from resources.views import ResourceView

_tenant = r"^(?:clusters/(?P<tenant>[a-z0-9]([-a-z0-9]*[a-z0-9])?)/)?"

urlpatterns = [
    path("admin/", admin.site.urls),
    re_path(_tenant + r"(?P<check>healthz|livez|readyz)(?:/(?P<name>[^/]+))?/?$", health.probe),
    re_path(_tenant + r"version/?$", health.version),
    re_path(_tenant + r"(?:api|apis|openapi)(?:/.*)?$", ResourceView.as_view()),
]
