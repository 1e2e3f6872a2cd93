"""An alternative ASGI entry point for bench/stack.py's comparison of serving
stacks (not used by the server): the Django WSGI application under a2wsgi,
the previous default."""
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kubeapi.settings")

import django  # noqa: E402

django.setup()


def _lifespan(app):
    async def wrapped(scope, receive, send):
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        await app(scope, receive, send)
    return wrapped


def _a2wsgi():
    from a2wsgi import WSGIMiddleware

    from kubeapi.wsgi import application

    middleware = WSGIMiddleware(application, workers=int(os.environ.get("KUBEAPI_THREADS", "8")))

    async def app(scope, receive, send):
        async def receive_coroutine():  # a2wsgi needs a real coroutine
            return await receive()
        await middleware(scope, receive_coroutine, send)
    return _lifespan(app)


a2wsgi_application = _a2wsgi()
