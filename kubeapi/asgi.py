"""The ASGI entry point served by granian.

Ordinary requests run the Django WSGI handler on a thread pool (a2wsgi):
Django's own ASGI handler funnels sync views through one thread, which
measured far slower. Long-lived streams (watch) will be served natively
async here, holding no thread.
"""
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kubeapi.settings")

from a2wsgi import WSGIMiddleware  # noqa: E402

from kubeapi.wsgi import application as wsgi_application  # noqa: E402

from watch import hub as watch_hub  # noqa: E402
from watch import stream as watch_stream  # noqa: E402

if os.environ.get("KUBEAPI_EMBEDDED_LOOPS", "1") == "1":
    from resources.tasks import start_embedded_loops

    start_embedded_loops()

_threads = int(os.environ.get("KUBEAPI_THREADS", "16"))
_wsgi = WSGIMiddleware(wsgi_application, workers=_threads)


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
    async def receive_coroutine():
        # a2wsgi schedules receive() with run_coroutine_threadsafe, which
        # needs a real coroutine; granian's receive returns another awaitable.
        return await receive()

    await _wsgi(scope, receive_coroutine, send)
