"""The per-request deadline of kube-apiserver's ``--request-timeout`` (60 s)
and ``?timeout=``, for every request but watches (they have timeoutSeconds).

Python cannot stop a thread, so answering 504 alone would leave the thread
working: long loops (list decoding, table rows, apply) call ``check()``
through ``checked()``, which raises the upstream Timeout Status once the
deadline passed, freeing the thread; PostgreSQL's ``statement_timeout``
bounds a single query (kubeapi.postgresql).
"""
import contextvars
import time

from kubeapi.conf import conf, go_duration
from resources.machinery import errors

_deadline = contextvars.ContextVar("kubeapi_deadline", default=None)


def start(query_timeout):
    """Arm the deadline of this request: ``?timeout=`` capped by the server's
    ``--request-timeout``, as upstream's WithRequestDeadline does."""
    seconds = limit = go_duration(conf.request_timeout)
    if query_timeout:
        try:
            seconds = go_duration(query_timeout)
        except ValueError as exc:
            raise errors.bad_request(f"invalid timeout specified in the request URL: {exc}") from None
        if seconds <= 0 or seconds > limit:
            seconds = limit
    _deadline.set(time.monotonic() + seconds)


def clear():
    _deadline.set(None)


def remaining():
    """Seconds left to this request, or None without a deadline."""
    deadline = _deadline.get()
    return None if deadline is None else deadline - time.monotonic()


def timeout_error():
    return errors.APIError(504, "Timeout", "request did not complete within requested timeout - context deadline exceeded",
                           {"details": {}})


def check():
    deadline = _deadline.get()
    if deadline is not None and time.monotonic() > deadline:
        raise timeout_error()


def checked(items, every=256):
    """``items``, checking the deadline every ``every`` of them."""
    for i, item in enumerate(items):
        if not i % every:
            check()
        yield item
