"""Timestamps as Kubernetes writes them (metav1.Time): RFC 3339 in UTC, to
the second."""
from datetime import datetime, timezone

_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def now_rfc3339():
    return datetime.now(timezone.utc).strftime(_FORMAT)


def rfc3339(epoch):
    """The metav1.Time of a Unix time (token expirations)."""
    return datetime.fromtimestamp(epoch, timezone.utc).strftime(_FORMAT)
