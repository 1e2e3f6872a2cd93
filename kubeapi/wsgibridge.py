"""Serve a WSGI application from an ASGI server with one thread hop per request.

The event loop reads the whole request body, one pool thread runs the WSGI
application and builds the whole response, and the loop sends it. a2wsgi
instead hops between the loop and the thread for every receive and send
(four or more round trips per request, each waiting for the GIL); that cost
about a third more CPU per request (README, Benchmarks). The pool is a
plain queue and threads rather than concurrent.futures, whose locks and
future chaining cost another ~100k instructions per request. Streaming
responses (``response.streaming``, as Django sets it) are sent chunk by
chunk as the thread produces them.
"""
import asyncio
import contextvars
import io
import queue
import sys
import threading


class WSGIBridge:
    def __init__(self, app, threads):
        self.app = app
        self.threads = threads
        self.jobs = queue.SimpleQueue()
        self.started = 0
        self.lock = threading.Lock()

    async def __call__(self, scope, receive, send):
        if scope["method"] in ("GET", "HEAD") and not _has_body(scope):
            body = b""  # nothing to receive: skip the round trip through the server
        else:
            chunks = []
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    break
            body = chunks[0] if len(chunks) == 1 else b"".join(chunks)
        environ = _environ(scope, body)
        loop = asyncio.get_running_loop()
        if self.started < self.threads:
            self._start_threads()
        future = loop.create_future()
        self.jobs.put((contextvars.copy_context().run, environ, loop, send, future))
        response = await future
        if response is not None:
            status, headers, content = response
            await send({"type": "http.response.start", "status": status, "headers": headers})
            # HEAD: headers only (Django leaves the body to the server; HTTP/2 refuses one).
            await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else content})

    def _start_threads(self):
        # Started on first use, in the server's worker process (not before it forks).
        with self.lock:
            while self.started < self.threads:
                threading.Thread(target=self._worker, name=f"wsgi-{self.started}", daemon=True).start()
                self.started += 1

    def _worker(self):
        while True:
            run, environ, loop, send, future = self.jobs.get()
            try:
                response = run(self._run_app, environ, loop, send)
            except BaseException as exc:  # noqa: BLE001 - handed to the awaiting request
                loop.call_soon_threadsafe(_set_exception, future, exc)
            else:
                loop.call_soon_threadsafe(_set_result, future, response)

    def _run_app(self, environ, loop, send):
        """In a pool thread: the whole response as (status, headers, body), or
        None when it was streamed from here."""
        started = []

        def start_response(status, headers, exc_info=None):
            started[:] = [int(status.split(" ", 1)[0]),
                          [(name.lower().encode("latin1"), value.encode("latin1")) for name, value in headers]]
            return _no_write

        result = self.app(environ, start_response)
        try:
            if not getattr(result, "streaming", False):
                return started[0], started[1], b"".join(result)

            def push(message):
                asyncio.run_coroutine_threadsafe(send(message), loop).result()

            head_sent = False
            for chunk in result:
                if not head_sent:
                    push({"type": "http.response.start", "status": started[0], "headers": started[1]})
                    head_sent = True
                if chunk:
                    push({"type": "http.response.body", "body": chunk, "more_body": True})
            if not head_sent:
                push({"type": "http.response.start", "status": started[0], "headers": started[1]})
            push({"type": "http.response.body", "body": b""})
            return None
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()


def _set_result(future, result):
    if not future.cancelled():  # the client went away meanwhile
        future.set_result(result)


def _set_exception(future, exc):
    if not future.cancelled():
        future.set_exception(exc)


def _no_write(data):
    raise NotImplementedError("the WSGI write() callable is not supported; return an iterable")


def _has_body(scope):
    return any(name in (b"content-length", b"transfer-encoding") for name, _ in scope["headers"])


def _environ(scope, body):
    server = scope.get("server") or ("localhost", 80)
    script_name = scope.get("root_path", "")
    path = scope["path"]
    if script_name and path.startswith(script_name):
        path = path[len(script_name):]
    environ = {
        "REQUEST_METHOD": scope["method"],
        "SCRIPT_NAME": script_name.encode("utf8").decode("latin1"),
        "PATH_INFO": path.encode("utf8").decode("latin1"),
        "QUERY_STRING": scope["query_string"].decode("latin1"),
        "SERVER_NAME": server[0],
        "SERVER_PORT": str(server[1] or 0),
        "SERVER_PROTOCOL": f"HTTP/{scope['http_version']}",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scope.get("scheme", "http"),
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "asgi.scope": scope,
    }
    client = scope.get("client")
    if client:
        environ["REMOTE_ADDR"], environ["REMOTE_PORT"] = client[0], str(client[1])
    for name, value in scope["headers"]:
        name = name.decode("latin1")
        if name == "content-type":
            key = "CONTENT_TYPE"
        elif name == "content-length":
            key = "CONTENT_LENGTH"
        else:
            key = "HTTP_" + name.upper().replace("-", "_")
        value = value.decode("latin1")
        if key in environ:
            value = environ[key] + "," + value
        environ[key] = value
    if "CONTENT_LENGTH" not in environ and body:
        environ["CONTENT_LENGTH"] = str(len(body))  # a chunked body, already read whole
    return environ
