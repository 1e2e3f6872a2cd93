import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kubeapi.settings")

from django.conf import settings  # noqa: E402
from django.core import signals  # noqa: E402
from django.core.cache import close_caches  # noqa: E402
from django.core.handlers.base import reset_urlconf  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.db import close_old_connections, connections, reset_queries  # noqa: E402

application = get_wsgi_application()


def _between_requests(**kwargs):
    """What Django's request_started/request_finished receivers do for this
    server, in one pass: close a connection that errored, was left outside
    autocommit or outlived CONN_MAX_AGE, and re-arm its health check.
    Django's five receivers (reset_queries, close_old_connections twice,
    close_caches, reset_urlconf) each walk every alias or thread-local and
    cost ~20% of a /livez; the other three do nothing here (queries are
    logged only with DEBUG, no cache backend is used, no middleware sets a
    per-request urlconf)."""
    for conn in connections.all(initialized_only=True):
        conn.close_if_unusable_or_obsolete()


if not settings.DEBUG:
    for signal, receivers in ((signals.request_started, (reset_queries, close_old_connections)),
                              (signals.request_finished, (close_old_connections, close_caches, reset_urlconf))):
        for receiver in receivers:
            signal.disconnect(receiver)
        signal.connect(_between_requests)
