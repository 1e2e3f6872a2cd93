"""Serve a WSGI application from an ASGI server with one thread hop per request.

The event loop reads a small request body (the common case), one pool
thread runs the WSGI application and builds the whole response, and the
loop sends it. A body over the limit is refused by its Content-Length
before a byte is read; a larger one is read by the view, after
authentication, through a lazy ``wsgi.input`` (``BodyReader``), so an
anonymous client cannot make the server buffer it. a2wsgi
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
import json
import queue
import sys
import threading
import time

from kubeapi import memory
from kubeapi.conf import conf
from resources.machinery import errors

# Bodies up to this size are read on the event loop before the thread runs
# (the common case, one hop); larger ones and those of unknown length are
# read by the view, after authentication, from a lazy wsgi.input.
EAGER_BODY_BYTES = 64 * 1024
# A body must arrive at BODY_MIN_RATE bytes/s after a BODY_GRACE_SECONDS
# start, else 408: one slow client cannot hold a request thread.
BODY_MIN_RATE = 16 * 1024
BODY_GRACE_SECONDS = conf.body_grace_seconds
# An over-limit body up to this size is drained (read, not kept) before the 413.
DRAIN_BYTES = 16 * 1024 * 1024
# After a request that moved this much, give freed heap back to the system.
TRIM_AFTER_BYTES = 1024 * 1024


class WSGIBridge:
    def __init__(self, app, threads, max_body=3 * 1024 * 1024, name="wsgi"):
        self.app = app
        self.threads = threads
        self.max_body = max_body
        self.name = name
        self.jobs = queue.SimpleQueue()
        self.started = 0
        self.lock = threading.Lock()

    async def __call__(self, scope, receive, send):
        length = _content_length(scope)
        lazy = None
        if length == "invalid":
            return await _send_status(send, 400, "BadRequest", "invalid Content-Length")
        if length is not None and length > self.max_body:
            # Refused before buffering a byte (upstream: RequestEntityTooLarge).
            # A body up to a few times the limit is read and dropped first, so
            # an ordinary client still writing it sees the answer, not a reset.
            if length <= DRAIN_BYTES:
                try:
                    await BodyReader(receive, asyncio.get_running_loop(), DRAIN_BYTES, keep=False).read_async(-1)
                except (_ClientGone, _SlowBody):
                    return
            return await _send_status(send, 413, "RequestEntityTooLarge",
                                      f"Request entity too large: limit is {self.max_body}")
        if scope["method"] in ("GET", "HEAD") and not _has_body(scope):
            body = b""  # nothing to receive: skip the round trip through the server
        elif length is not None and length > EAGER_BODY_BYTES:
            body, lazy = b"", None
        else:
            reader = BodyReader(receive, asyncio.get_running_loop(), self.max_body)
            try:
                body = await reader.read_async(EAGER_BODY_BYTES + 1)
            except _ClientGone:
                return
            except _SlowBody:
                return await _send_status(send, 408, "Timeout", _SLOW_MESSAGE)
            if not reader.done:
                lazy = reader  # no length and more to come: the view reads on
        loop = asyncio.get_running_loop()
        if length is not None and length > EAGER_BODY_BYTES:
            lazy = BodyReader(receive, loop, self.max_body)
        environ = _environ(scope, body, lazy)
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
                threading.Thread(target=self._worker, name=f"{self.name}-{self.started}", daemon=True).start()
                self.started += 1

    def _worker(self):
        while True:
            run, environ, loop, send, future = self.jobs.get()
            moved = [0]
            try:
                response = run(self._run_app, environ, loop, send, moved)
            except BaseException as exc:  # noqa: BLE001 - handed to the awaiting request
                loop.call_soon_threadsafe(_set_exception, future, exc)
            else:
                loop.call_soon_threadsafe(_set_result, future, response)
            reader = environ.get("kubeapi.body")
            if moved[0] + (reader.received if reader is not None else 0) > TRIM_AFTER_BYTES:
                memory.trim()
            del environ, response

    def _run_app(self, environ, loop, send, moved):
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
                content = b"".join(result)
                moved[0] = len(content)
                return started[0], started[1], content

            def push(message):
                # granian's send returns an awaitable that is not a coroutine:
                # wrap it so run_coroutine_threadsafe accepts it.
                asyncio.run_coroutine_threadsafe(_awaited(send(message)), loop).result()

            head_sent = False
            for chunk in result:
                if not head_sent:
                    push({"type": "http.response.start", "status": started[0], "headers": started[1]})
                    head_sent = True
                if chunk:
                    moved[0] += len(chunk)
                    push({"type": "http.response.body", "body": chunk, "more_body": True})
            if not head_sent:
                push({"type": "http.response.start", "status": started[0], "headers": started[1]})
            push({"type": "http.response.body", "body": b""})
            return None
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()


_SLOW_MESSAGE = "request body was not received fast enough: the request timed out"


class _ClientGone(Exception):
    pass


class _SlowBody(Exception):
    pass


class BodyReader:
    """A request body pulled from ASGI ``receive`` only when read: on the loop
    (``read_async``) or, as ``wsgi.input``, from the request thread. It stops
    reading one byte past ``limit`` (the view answers 413) and fails with a
    408 Status when the body arrives slower than BODY_MIN_RATE."""

    def __init__(self, receive, loop, limit, keep=True):
        self.keep = keep
        self.receive = receive
        self.loop = loop
        self.limit = limit
        self.buffer = bytearray()
        self.received = 0
        self.done = False
        self.started = None  # the clock starts with the first read, after authentication

    def _timeout(self):
        if self.started is None:
            self.started = time.monotonic()
        allowed = BODY_GRACE_SECONDS + self.received / BODY_MIN_RATE
        return max(allowed - (time.monotonic() - self.started), 0.001)

    async def _pull(self):
        try:
            message = await asyncio.wait_for(_awaited(self.receive()), self._timeout())
        except asyncio.TimeoutError:
            raise _SlowBody() from None
        if message["type"] == "http.disconnect":
            raise _ClientGone()
        chunk = message.get("body", b"")
        self.received += len(chunk)
        if self.keep:
            self.buffer += chunk
        if not message.get("more_body", False) or self.received > self.limit:
            self.done = True  # past the limit nothing more is read

    async def read_async(self, size):
        while not self.done and (size < 0 or len(self.buffer) < size):
            await self._pull()
        return self._take(size)

    def _take(self, size):
        if size < 0 or size >= len(self.buffer):
            data, self.buffer = bytes(self.buffer), bytearray()
        else:
            data = bytes(self.buffer[:size])
            del self.buffer[:size]
        return data

    # -- wsgi.input, in the request thread
    def _pull_sync(self):
        try:
            asyncio.run_coroutine_threadsafe(self._pull(), self.loop).result()
        except _SlowBody:
            raise errors.APIError(408, "Timeout", _SLOW_MESSAGE) from None
        except _ClientGone:
            raise errors.APIError(400, "BadRequest", "the client closed the connection") from None

    def read(self, size=-1):
        size = -1 if size is None else size
        while not self.done and (size < 0 or len(self.buffer) < size):
            self._pull_sync()
        return self._take(size)

    def readline(self, size=-1):
        while not self.done and b"\n" not in self.buffer and (size < 0 or len(self.buffer) < size):
            self._pull_sync()
        end = self.buffer.find(b"\n") + 1 or len(self.buffer)
        return self._take(end if size < 0 else min(end, size))


async def _awaited(awaitable):
    return await awaitable


async def _send_status(send, code, reason, message):
    body = json.dumps({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                       "message": message, "reason": reason, "code": code}, separators=(",", ":")).encode()
    await send({"type": "http.response.start", "status": code,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


def _content_length(scope):
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return "invalid"
    return None


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


def _environ(scope, body, lazy=None):
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
        "wsgi.input": io.BytesIO(body) if lazy is None else lazy,
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
    if lazy is not None:
        environ["kubeapi.body"] = lazy
        if "CONTENT_LENGTH" not in environ:
            lazy.buffer[:0] = body  # what was read eagerly comes first
            # Django reads no more than CONTENT_LENGTH: a chunked body reads to
            # its end, or one byte past the limit (the view answers 413).
            environ["CONTENT_LENGTH"] = str(lazy.limit + 1)
    elif "CONTENT_LENGTH" not in environ and body:
        environ["CONTENT_LENGTH"] = str(len(body))  # a chunked body, already read whole
    return environ
