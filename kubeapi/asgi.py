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

from django.conf import settings  # noqa: E402

from kubeapi.wsgi import application as wsgi_application  # noqa: E402
from kubeapi.wsgibridge import WSGIBridge  # noqa: E402

from watch import hub as watch_hub  # noqa: E402
from watch import stream as watch_stream  # noqa: E402

if os.environ.get("KUBEAPI_EMBEDDED_LOOPS", "1") == "1":
    from resources.tasks import start_embedded_loops

    start_embedded_loops()

_threads = int(os.environ.get("KUBEAPI_THREADS", "8"))
_wsgi = WSGIBridge(wsgi_application, threads=_threads, max_body=settings.KUBEAPI_MAX_REQUEST_BYTES)
# The admin and its static files on their own two threads: a login runs the
# password hasher (~100 ms of CPU), and a flood of them must not queue ahead
# of API requests.
_admin = WSGIBridge(wsgi_application, threads=2, max_body=settings.KUBEAPI_MAX_REQUEST_BYTES, name="admin")
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
    if watch_stream.is_watch(scope):
        await watch_stream.serve(scope, receive, send)
        return
    if scope["path"].startswith(_ADMIN_PATHS):
        await _admin(scope, receive, send)
        return
    await _wsgi(scope, receive, send)
