"""The ASGI entry point served by granian.

Ordinary requests run the Django WSGI handler on a thread pool, one thread
hop per request (``kubeapi.wsgibridge``): Django's own ASGI handler funnels
sync views through one thread and a2wsgi hops per message; both measured
far slower (README, Benchmarks). Long-lived streams (watch) are served
natively async here (``watch.stream``), holding no thread.
"""
import gc
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kubeapi.settings")

from kubeapi.wsgi import application as wsgi_application  # noqa: E402
from kubeapi.wsgibridge import WSGIBridge  # noqa: E402

from authz import x509  # noqa: E402
from watch import hub as watch_hub  # noqa: E402
from watch import stream as watch_stream  # noqa: E402
from kubeapi.conf import MAX_REQUEST_BYTES, conf  # noqa: E402

if conf.embedded_loops:
    from resources.tasks import start_embedded_loops

    start_embedded_loops()

_threads = conf.threads
_wsgi = WSGIBridge(wsgi_application, threads=_threads, max_body=MAX_REQUEST_BYTES)
# The admin and its static files on their own two threads: a login runs the
# password hasher (~100 ms of CPU), and a flood of them must not queue ahead
# of API requests.
_admin = WSGIBridge(wsgi_application, threads=2, max_body=MAX_REQUEST_BYTES, name="admin")
_ADMIN_PATHS = ("/admin/", "/static/")

# What is loaded by now (Django, schemas, the registry: ~90% of the heap)
# lives as long as the process: keep it out of the collector's full passes,
# each of which stalled every request thread for ~100 ms (README, Benchmarks).
gc.collect()
gc.freeze()


async def application(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                watch_hub.get_hub()  # subscribe to the bus before the first write is served
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                watch_hub.get_hub().stop()
                await send({"type": "lifespan.shutdown.complete"})
                return
    if x509.table() is not None:
        if _not_from_front(scope):
            await _refuse_direct(send)
            return
        scope["scheme"] = "https"  # the front terminated TLS (the admin's CSRF checks compare the Origin)
    if watch_stream.is_watch(scope):
        await watch_stream.serve(scope, receive, send)
        return
    if scope["path"].startswith(_ADMIN_PATHS):
        await _admin(scope, receive, send)
        return
    await _wsgi(scope, receive, send)


def _not_from_front(scope):
    """Behind the TLS front, granian's loopback port is the front's alone:
    a connection the front did not record is another local process
    talking plain HTTP past TLS and client certificates."""
    host, port = scope.get("client") or ("", 0)
    return host != "127.0.0.1" or x509.table().lookup(int(port or 0)) is None  # granian: the port is a str


async def _refuse_direct(send):
    body = (b'{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":'
            b'"connections must come through the TLS front (the secure port)","reason":"Forbidden","code":403}')
    await send({"type": "http.response.start", "status": 403,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
