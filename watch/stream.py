"""Watch streams, served natively async by the ASGI application.

``GET <collection>?watch=true`` (and the deprecated ``/watch/`` paths and
``<object>?watch=true``) answers newline-terminated ``{"type","object"}``
JSON, one flush per batch of ready events, as kube-apiserver does:

- ``resourceVersion`` unset or "0": synthetic ADDED for every current match,
  then live events;
- ``resourceVersion=R``: exactly the changes after R, replayed from the
  history table and handed over to the live feed with no gap and no
  duplicate (register with the hub first, then read; drop live events at or
  below what was read). R older than the compacted history: an ERROR event
  with a 410 Expired Status, then the end of the stream;
- ``sendInitialEvents=true&resourceVersionMatch=NotOlderThan`` (watch-list):
  the initial ADDED events, then a BOOKMARK annotated
  ``k8s.io/initial-events-end: "true"``;
- ``allowWatchBookmarks=true``: a BOOKMARK with the current revision every
  few seconds; ``timeoutSeconds`` ends the stream;
- ``Accept: application/json;as=Table;...``: every object as a one-row
  Table, column definitions on the first only (upstream's NoHeaders).

An idle stream is a coroutine waiting on a future: no thread, no database
connection. Errors before the stream starts are Status responses.
"""
import asyncio
import collections
import io
import logging
import random

from django.core.handlers.asgi import ASGIRequest
from django.http import HttpResponse, QueryDict

from authz import audit, filters
from kubeapi import requestinfo
from kubeapi.conf import conf
from resources.machinery import codecs, errors, selectors
from resources.machinery.encoding import dump_json
from resources.printing import tables
from resources.registry import customresources
from resources.store import storage
from watch import events
from watch.events import ADDED, ERROR, Event, Filter
from watch.hub import get_hub

log = logging.getLogger(__name__)

CONTENT_TYPE = b"application/json"
_completed_type = None  # what granian's send() answers when it took the message at once
# One write (one flush) carries at most this much: granian's backpressure
# counts messages, so smaller messages keep a slow client's backlog small.
LINES_PER_WRITE = 256
BYTES_PER_WRITE = 256 * 1024
STUCK_SECONDS = 5.0  # a closed watcher's write that has not finished by then is aborted


def is_watch(scope):
    """A GET of a resource path with watch=true|1 (the cheap test first)."""
    if scope.get("type") != "http" or scope.get("method") != "GET":
        return False
    path = scope.get("path", "")
    if "/api/" not in path and "/apis/" not in path:
        return False
    query = scope.get("query_string") or b""
    if b"watch=" in query and QueryDict(query).get("watch") in ("1", "true"):
        return True
    return "/watch/" in path and _deprecated_watch_path(path)[1]


def _bool(value):
    # Go's strconv.ParseBool, as query parameters are decoded upstream.
    if value in ("1", "t", "T", "true", "TRUE", "True"):
        return True
    if value in ("0", "f", "F", "false", "FALSE", "False"):
        return False
    raise errors.bad_request(f'strconv.ParseBool: parsing "{value}": invalid syntax')


class Spec:
    """What a watch request asks for, checked and resolved."""

    __slots__ = ("tenant", "rtype", "namespace", "filter", "labels", "fields", "mode", "revision",
                 "bookmarks", "initial_events_end", "timeout", "table", "table_version", "query",
                 "trail", "info", "request", "user")


def _request(scope):
    request = ASGIRequest(scope, io.BytesIO())
    request.META["asgi.scope"] = scope
    return request


def _deprecated_watch_path(path):
    """``/api/v1/watch/...`` → ``/api/v1/...`` (upstream still serves them)."""
    tenant_prefix = ""
    if path.startswith("/clusters/"):
        head, sep, rest = path[len("/clusters/"):].partition("/")
        tenant_prefix, path = "/clusters/" + head, "/" + rest
    parts = path.split("/")
    at = 3 if len(parts) > 3 and parts[1] == "api" else 4 if len(parts) > 4 and parts[1] == "apis" else None
    if at is not None and len(parts) > at and parts[at] == "watch":
        del parts[at]
        return tenant_prefix + "/".join(parts), True
    return tenant_prefix + path, False


def prepare(scope):
    """Authenticate, authorize and resolve a watch request (in a thread:
    token lookups and RBAC read the database). Raises APIError."""
    query = QueryDict(scope.get("query_string") or b"")
    path, _ = _deprecated_watch_path(scope["path"])
    info = requestinfo.parse("GET", path, query)
    if not info.is_resource_request:
        raise errors.APIError(404, "NotFound", "the server could not find the requested resource")
    named = len(info.parts) > 1
    info.verb = "watch"
    request = _request(scope)
    request.kube = info
    trail = None
    try:
        trail = audit.begin(request, info)
    except ImportError:
        pass
    spec = Spec()
    spec.trail, spec.info, spec.request = trail, info, request
    try:
        spec.user = _authorize(request, info, trail).name
        _resolve(spec, info, query, named)
    except errors.APIError as exc:
        if trail is not None:
            trail.complete(exc.response(), exc.status())
        raise
    if trail is None:
        spec.request = None  # an idle watch keeps only what it uses
    return spec


def _authorize(request, info, trail):
    request.kube_user = filters.check(request, info, trail)
    return request.kube_user


def _resolve(spec, info, query, named):
    registry = customresources.for_tenant(info.tenant)
    rtype = registry.get(info.api_group, info.api_version, info.resource)
    not_found = errors.APIError(404, "NotFound", "the server could not find the requested resource")
    if rtype is None or info.subresource:
        raise not_found
    if rtype.namespaced is False and info.namespace and info.resource != "namespaces":
        raise not_found
    if "watch" not in rtype.verbs:
        raise errors.method_not_supported(rtype.group, rtype.plural, "watch")
    label_reqs = selectors.parse_label_selector(query.get("labelSelector", ""))
    field_reqs = selectors.parse_field_selector(query.get("fieldSelector", ""))
    if named:
        field_reqs = field_reqs + [selectors.Requirement("metadata.name", "=", (info.name,))]
    for key, _, _ in field_reqs:
        if key not in ("metadata.name", "metadata.namespace") and key not in rtype.selectable_fields:
            raise errors.bad_request(f"field label not supported: {key}")
    form, version = codecs.negotiate(spec.request.META.get("HTTP_ACCEPT"))
    if form not in ("json", "table"):
        raise errors.APIError(406, "NotAcceptable",
                              "only the following media types are accepted: application/json, "
                              "application/vnd.kubernetes.protobuf, application/json;stream=watch")
    if form == "table":
        include = query.get("includeObject", "Metadata") or "Metadata"
        if include not in ("None", "Metadata", "Object"):
            raise errors.bad_request(f'Unable to convert to Table as requested: includeObject: Unsupported value: "{include}"')
    spec.tenant = info.tenant
    spec.rtype = rtype
    spec.namespace = info.namespace if rtype.namespaced else ""
    spec.labels, spec.fields = label_reqs, field_reqs
    spec.filter = Filter(label_reqs, field_reqs) if (label_reqs or field_reqs) else None
    spec.table, spec.table_version = form == "table", version
    spec.query = query if spec.table else None  # Table options; nothing else reads it later
    _options(spec, query)


def _options(spec, query):
    """ListOptions of a watch, validated as upstream (ValidateListOptions
    with WatchList on)."""
    rv = query.get("resourceVersion", "")
    match = query.get("resourceVersionMatch", "")
    raw = query.get("sendInitialEvents")
    send_initial = None if raw is None else _bool(raw)
    causes = []
    if send_initial is not None and match != "NotOlderThan":
        causes.append(("resourceVersionMatch", "FieldValueForbidden",
                       "Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan"))
    if match:
        if send_initial is None:
            causes.append(("resourceVersionMatch", "FieldValueForbidden",
                           "Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided"))
        if match != "NotOlderThan":
            causes.append(("resourceVersionMatch", "FieldValueNotSupported",
                           f'Unsupported value: "{match}": supported values: "NotOlderThan"'))
        if query.get("continue"):
            causes.append(("resourceVersionMatch", "FieldValueForbidden",
                           "Forbidden: resourceVersionMatch is forbidden when continue is provided"))
    if causes:
        raise errors.invalid("meta.k8s.io", "ListOptions", "", causes)
    revision = 0
    if rv not in ("", "0"):
        try:
            revision = int(rv)
        except ValueError:
            raise errors.bad_request(f"invalid resource version: {rv}") from None
        if revision < 0:
            raise errors.bad_request(f"invalid resource version: {rv}")
    spec.bookmarks = _bool(query.get("allowWatchBookmarks", "false") or "false")
    # mode: "list" (initial ADDED events, then live), "replay" (changes after
    # ``revision``), "now" (live from the current revision, nothing before).
    if send_initial is True or (send_initial is None and not revision):
        spec.mode = "list"
    elif revision:
        spec.mode = "replay"
    else:
        spec.mode = "now"
    spec.revision = revision
    spec.initial_events_end = send_initial is True and spec.bookmarks
    raw_timeout = query.get("timeoutSeconds", "")
    if raw_timeout:
        try:
            timeout = int(raw_timeout)
        except ValueError:
            raise errors.bad_request(f"invalid timeoutSeconds {raw_timeout!r}: must be an integer") from None
    else:
        timeout = 0
    if timeout <= 0:
        # Upstream's --min-request-timeout (1800 s) times a random factor in
        # [1, 2), so streams of many clients do not all end at once.
        base = conf.watch_default_timeout_seconds
        timeout = base * (1 + random.random()) if base else 0
    spec.timeout = timeout


class _TableRequest:
    """What ``resources.printing.tables.table`` reads of a request."""

    def __init__(self, query):
        self.GET = query


class Watcher:
    """One watch stream: the hub fills its bounded queue, the request's
    coroutine drains it into the response."""

    __slots__ = ("hub", "spec", "tenant", "route", "namespace", "filter", "bookmarks", "rtype", "queue",
                 "limit", "waiter", "live", "lagging", "closed", "aborted", "sending", "writes", "task",
                 "feed", "sent", "headers_sent", "initial", "send", "pending", "direct")

    def __init__(self, hub, spec):
        self.hub = hub
        self.spec = spec
        self.tenant = spec.tenant
        self.rtype = spec.rtype
        self.route = (spec.rtype.group, spec.rtype.plural)
        self.namespace = spec.namespace
        self.filter = spec.filter
        self.bookmarks = spec.bookmarks
        self.queue = collections.deque()
        self.limit = conf.watch_queue_length
        self.waiter = None
        self.live = False  # past the initial events / replay
        self.lagging = False  # the queue overflowed before live: refill from the database
        self.closed = None  # why the stream ends
        self.aborted = False
        self.sending = False
        self.writes = 0
        self.task = None
        self.feed = None
        self.sent = 0  # every event up to this revision has been handled
        self.headers_sent = False  # Table column definitions
        self.initial = None
        self.send = None
        self.pending = None  # a write the hub started that granian has not taken yet
        self.direct = not spec.table  # the hub may write events itself (see offer)

    # ----------------------------------------------------- called by the hub
    def offer(self, event):
        if self.closed is not None:
            return
        if self.namespace and event.namespace != self.namespace:
            return
        kind = event.type if self.filter is None else self.filter.kind(event)
        if kind is None:
            return
        queue = self.queue
        if self.live and self.direct and not queue and self.pending is None and not self.sending:
            # The common case, written from here: granian takes a body
            # message when send() is called (it answers an already completed
            # awaitable unless the connection is backed up), so waking this
            # watch's coroutine per event would only cost time.
            if event.revision > self.sent:
                self.sent = event.revision
                self._write_now(event.line(kind, self.rtype))
            return
        if len(queue) >= self.limit:
            if self.live:
                self.close("the watcher fell behind")
            else:
                self.lagging = True
            return
        if self.lagging:
            return
        queue.append((event, kind))
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def _write_now(self, data):
        try:
            result = self.send({"type": "http.response.body", "body": data, "more_body": True})
        except Exception:  # the connection is gone: this watch ends, the hub goes on
            self.abort("write failed")
            return
        self.writes += 1
        if type(result) is not _completed_type:
            self.pending = result  # backed up: the coroutine waits for it, events queue meanwhile
            waiter = self.waiter
            if waiter is not None and not waiter.done():
                waiter.set_result(None)

    def offer_bookmark(self, revision):
        if self.live and not self.queue and self.closed is None:
            self.queue.append((None, revision))
            waiter = self.waiter
            if waiter is not None and not waiter.done():
                waiter.set_result(None)

    def close(self, reason):
        """End the stream after the write in progress."""
        if self.closed is not None:
            return
        self.closed = reason
        log.info("watch of %s closing: %s", self.route, reason)
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)
        if self.sending or self.pending is not None:
            self.hub.loop.call_later(STUCK_SECONDS, self._abort_if_stuck, self.writes)

    def _abort_if_stuck(self, writes):
        if self.sending and self.writes == writes:
            self.abort("a write to the client did not complete")

    def abort(self, reason):
        """End the stream now (client gone, or not reading)."""
        if self.aborted:
            return
        log.info("watch of %s aborted: %s", self.route, reason)
        self.closed = self.closed or reason
        self.aborted = True
        task = self.task
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)
        elif task is not None and not task.done():
            task.cancel()

    # ------------------------------------------------------------ the stream
    async def start(self):
        """Register and read the start point; raises APIError before the
        response starts."""
        spec = self.spec
        await self.hub.register(self)
        if spec.mode == "list":
            rtype = spec.rtype
            result = await self.hub.run(
                storage.list, spec.tenant, rtype.group, rtype.plural, spec.namespace or None,
                spec.labels, spec.fields,
            )
            if spec.revision and result.revision < spec.revision:
                raise errors.too_large_resource_version(spec.revision, result.revision)
            self.initial = result.items
            self.sent = result.revision
        elif spec.mode == "replay":
            self.sent = spec.revision
        else:
            self.sent = await self.hub.run(storage.current_revision, spec.tenant)

    async def serve(self, receive, send):
        loop = self.hub.loop
        self.send = send
        self.task = asyncio.current_task()
        headers = [(b"content-type", CONTENT_TYPE), (b"cache-control", b"no-cache, private")]
        if self.spec.trail is not None:
            headers.append((b"audit-id", self.spec.trail.audit_id.encode()))
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        flushed = send({"type": "http.response.body", "body": b"", "more_body": True})  # flush the headers
        global _completed_type
        if _completed_type is None:
            _completed_type = type(flushed)
        await flushed
        receiver = loop.create_task(self._receive(receive))
        timer = loop.call_later(self.spec.timeout, self.close, "timeout") if self.spec.timeout else None
        try:
            if self.initial is not None:
                await self._initial_events()
            elif self.spec.mode == "replay":
                await self._replay(self.sent)
            while self.lagging and self.closed is None:
                await self._replay(self.sent)
            self.live = True
            await self._live()
        except asyncio.CancelledError:
            if not self.aborted:
                raise
            self.task.uncancel()
        except Exception as exc:
            log.exception("watch stream failed")
            self.closed = self.closed or "internal error"
            await self._error(exc)
        finally:
            self.closed = self.closed or "done"
            self.hub.unregister(self)
            self.queue.clear()
            if timer is not None:
                timer.cancel()
            receiver.cancel()
        if not self.aborted:
            try:
                await send({"type": "http.response.body", "body": b"", "more_body": False})
            except Exception:
                pass
        if self.spec.trail is not None:
            self.spec.trail.complete(HttpResponse(status=200, content_type="application/json"))

    async def _error(self, exc):
        """End a failed stream as kube-apiserver does: an ERROR event whose
        object is a Status (500 InternalError), so the client knows to
        re-list or re-watch instead of taking the silence for "no changes"."""
        if self.aborted:
            return
        status = (exc if isinstance(exc, errors.APIError) else errors.internal(str(exc) or type(exc).__name__)).status()
        try:
            await self._write([events.line(ERROR, status)])
        except Exception:
            pass  # the client is gone too

    async def _receive(self, receive):
        try:
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    self.abort("client disconnected")
                    return
        except asyncio.CancelledError:
            pass
        except Exception:
            self.abort("connection error")

    async def _write(self, chunks):
        self.sending = True
        try:
            await self.send({"type": "http.response.body", "body": b"".join(chunks), "more_body": True})
        finally:
            self.sending = False
            self.writes += 1

    def _line(self, event, kind):
        if not self.spec.table:
            return event.line(kind, self.rtype)
        return self._table_line("DELETED" if kind == events.LEFT else kind, event.object(kind, self.rtype))

    def _table_line(self, event_type, obj):
        table = tables.table(self.rtype, [obj], _TableRequest(self.spec.query), self.spec.table_version)
        if self.headers_sent:
            table["columnDefinitions"] = None
        self.headers_sent = True
        return events.line(event_type, table)

    def _bookmark_line(self, revision, initial_events_end=False):
        obj = events.bookmark(self.rtype, revision, initial_events_end)
        if self.spec.table:
            obj = {"kind": "Table", "apiVersion": f"meta.k8s.io/{self.spec.table_version}",
                   "metadata": obj["metadata"], "columnDefinitions": None, "rows": []}
        return events.line("BOOKMARK", obj)

    async def _initial_events(self):
        items, self.initial = self.initial, None
        chunk, size = [], 0
        for data in items:
            if self.closed is not None:
                return
            if self.spec.table or self.rtype.from_storage is not None:
                import json

                obj = events.served(self.rtype, json.loads(data))
                chunk.append(self._table_line(ADDED, obj) if self.spec.table else events.line(ADDED, obj))
            else:
                chunk.append(b'{"type":"ADDED","object":' + data.encode() + b"}\n")
            size += len(chunk[-1])
            if len(chunk) >= LINES_PER_WRITE or size >= BYTES_PER_WRITE:
                await self._write(chunk)
                chunk, size = [], 0
        if self.spec.initial_events_end:
            chunk.append(self._bookmark_line(self.sent, initial_events_end=True))
        if chunk:
            await self._write(chunk)

    async def _replay(self, position):
        """Send the history after ``position`` (up to the counter), then, if
        live events overflowed the queue meanwhile, continue from there."""
        spec, rtype = self.spec, self.rtype
        batch = conf.watch_replay_batch
        if self.lagging:
            self.queue.clear()  # what follows is queued again; the rest comes from the database
            self.lagging = False
        while self.closed is None:
            current, compacted, rows = await self.hub.run(
                storage.watch_events, spec.tenant, position, batch, rtype.group, rtype.plural, spec.namespace or None)
            if compacted > position:
                self.closed = "expired"
                await self._write([events.line(ERROR, errors.expired(
                    f"too old resource version: {position} ({compacted})").status())])
                return
            chunk, size = [], 0
            flt = self.filter
            for row in rows:
                event = Event(row)
                kind = event.type if flt is None else flt.kind(event)
                if kind is not None:
                    chunk.append(self._line(event, kind))
                    size += len(chunk[-1])
                    if len(chunk) >= LINES_PER_WRITE or size >= BYTES_PER_WRITE:
                        await self._write(chunk)
                        chunk, size = [], 0
            if chunk:
                await self._write(chunk)
            if rows:
                position = rows[-1][0]
            if len(rows) < batch:
                position = max(position, current)
                break
        self.sent = max(self.sent, position)

    async def _live(self):
        queue = self.queue
        loop = self.hub.loop
        while self.closed is None:
            if self.pending is not None:
                self.sending = True
                try:
                    await self.pending
                finally:
                    self.sending = False
                    self.pending = None
                continue
            if not queue:
                self.waiter = loop.create_future()
                try:
                    await self.waiter
                finally:
                    self.waiter = None
                continue
            chunk, size = [], 0
            while queue and len(chunk) < LINES_PER_WRITE and size < BYTES_PER_WRITE:
                event, kind = queue.popleft()
                if event is None:  # a bookmark at the feed's revision then
                    self.sent = max(self.sent, kind)
                    chunk.append(self._bookmark_line(self.sent))
                elif event.revision > self.sent:
                    self.sent = event.revision
                    chunk.append(self._line(event, kind))
                else:
                    continue
                size += len(chunk[-1])
            if chunk:
                await self._write(chunk)


async def serve(scope, receive, send):
    """The ASGI handler of a watch request."""
    hub = get_hub()
    watcher = None
    user = None
    try:
        spec = await hub.run(prepare, scope)
        watcher = Watcher(hub, spec)
        _take_watch_slot(spec.user)
        user = spec.user
        await watcher.start()
    except errors.APIError as exc:
        if user is not None:
            _release_watch_slot(user)
        if watcher is not None:
            hub.unregister(watcher)
            if watcher.spec.trail is not None:
                watcher.spec.trail.complete(exc.response(), exc.status())
        await _respond(send, exc)
        return
    except Exception as exc:
        if user is not None:
            _release_watch_slot(user)
        if watcher is not None:
            hub.unregister(watcher)
        log.exception("watch request failed")
        await _respond(send, errors.internal(str(exc)))
        return
    try:
        await watcher.serve(receive, send)
    finally:
        _release_watch_slot(user)


# Open watches per user in this process (the event loop's thread only).
_watches_by_user = {}


def _take_watch_slot(user):
    """429 past ``KUBEAPI_MAX_WATCHES_PER_USER`` (0: no limit) concurrent
    watches of one user in this process, as kube-apiserver's max-in-flight
    filter answers: one token cannot hold thousands of streams."""
    limit = conf.max_watches_per_user
    count = _watches_by_user.get(user, 0)
    if limit and count >= limit:
        raise errors.APIError(429, "TooManyRequests", "Too many requests, please try again later.",
                              {"retryAfterSeconds": 1}, headers={"Retry-After": "1"})
    _watches_by_user[user] = count + 1


def _release_watch_slot(user):
    count = _watches_by_user.get(user, 0) - 1
    if count > 0:
        _watches_by_user[user] = count
    else:
        _watches_by_user.pop(user, None)


async def _respond(send, exc):
    headers = [(b"content-type", b"application/json")]
    headers += [(k.lower().encode(), str(v).encode()) for k, v in exc.headers.items()]
    await send({"type": "http.response.start", "status": exc.code, "headers": headers})
    await send({"type": "http.response.body", "body": dump_json(exc.status())})
