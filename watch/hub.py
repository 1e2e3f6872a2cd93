"""The per-process hub: follows each watched tenant's history once, in
revision order, and fans the events out to the watchers' bounded queues.

A ``Feed`` per tenant remembers the revision up to which everything has been
dispatched (``last``). A wake-up from the bus, or the once-a-second poll,
makes it read ``(last, counter]`` from the history table (one statement: the
counter and the rows are one snapshot) and dispatch it. So the hub never
skips a revision, whatever the bus loses: a gap is filled from the
database. Database reads run on a thread of their own; no watcher holds a
thread or a connection.

A watcher's queue is bounded: dispatch never waits for a watcher, and one
whose queue is full while it is live is closed (its client re-watches from
the last revision it saw), as kube-apiserver's cacher does.
"""
import asyncio
import bisect
import logging
import time
from concurrent.futures import ThreadPoolExecutor

from django.db import DatabaseError, InterfaceError, OperationalError, connection

from kubeapi.conf import conf
from resources.store import storage
from watch import bus
from watch.events import Event

log = logging.getLogger(__name__)

BATCH = 1000  # history rows per read
# Buckets (seconds) of the time from hearing of a write to having handed its
# event to every watcher of this process.
DELAY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)


def run_db(fn, *args):
    """Run a storage call in an executor thread; a broken connection is
    closed so the next call opens a fresh one."""
    try:
        return fn(*args)
    except (OperationalError, InterfaceError):
        connection.close()
        raise


class Feed:
    """One tenant's history as this process follows it."""

    def __init__(self, hub, tenant):
        self.hub = hub
        self.tenant = tenant
        self.last = None  # everything up to this revision has been dispatched
        self.ready = hub.loop.create_future()  # set once ``last`` is known
        self.routes = {}  # (group, resource) → set of watchers
        self.size = 0
        self.wanted = False
        self.task = None
        self.failures = 0
        self.heard = None  # when a wake-up for a revision not yet dispatched came

    def add(self, watcher):
        self.routes.setdefault(watcher.route, set()).add(watcher)
        self.size += 1

    def discard(self, watcher):
        watchers = self.routes.get(watcher.route)
        if watchers is not None and watcher in watchers:
            watchers.discard(watcher)
            if not watchers:
                del self.routes[watcher.route]
            self.size -= 1

    def watchers(self):
        for watchers in self.routes.values():
            yield from watchers

    def kick(self):
        self.wanted = True
        if self.task is None:
            self.task = self.hub.loop.create_task(self._pump())

    async def _pump(self):
        try:
            while self.wanted and self.size:
                self.wanted = False
                try:
                    await self._catch_up()
                    self.failures = 0
                except asyncio.CancelledError:
                    raise
                except DatabaseError as exc:
                    self.failures += 1
                    log.warning("watch hub: reading history of tenant %s failed: %s", self.tenant, exc)
                    await asyncio.sleep(min(0.1 * 2 ** self.failures, 2.0))
                    self.wanted = True
                except Exception as exc:
                    if not self.ready.done():
                        self.ready.set_exception(exc)  # e.g. 404: no such tenant
                        self.hub.drop(self)
                        return
                    log.exception("watch hub: dispatch for tenant %s failed", self.tenant)
                    await asyncio.sleep(0.5)
                    self.wanted = True
        finally:
            self.task = None
        if self.wanted and self.size:
            self.kick()

    async def _catch_up(self):
        hub = self.hub
        if self.last is None:
            self.last = await hub.read(storage.current_revision, self.tenant)
            self.ready.set_result(None)
            self.wanted = True  # and follow from there
            return
        while True:
            current, compacted, rows = await hub.read(storage.watch_events, self.tenant, self.last, BATCH)
            if compacted > self.last:
                # History this process never dispatched is gone (it fell far
                # behind): every watcher must start over.
                log.warning("watch hub: tenant %s compacted past %s; closing its watches", self.tenant, self.last)
                for watcher in list(self.watchers()):
                    watcher.close("history compacted while the hub was behind")
                self.last = current
                return
            if rows:
                self.dispatch([Event(row) for row in rows])
            if len(rows) < BATCH:
                self.last = max(self.last, current)
                if self.heard is not None and rows:
                    hub.observe_delay(time.monotonic() - self.heard)
                self.heard = None
                return
            self.last = rows[-1][0]

    def dispatch(self, events):
        routes = self.routes
        for event in events:
            watchers = routes.get((event.group, event.resource))
            if watchers:
                for watcher in tuple(watchers):
                    try:
                        watcher.offer(event)
                    except Exception:  # one watch's failure must not replay the batch to the others
                        log.exception("watch hub: offering revision %s failed", event.revision)
                        watcher.close("internal error")


class Hub:
    def __init__(self, loop):
        self.loop = loop
        self.feeds = {}
        # The hub's own reads, in order, on one thread; watch starts and
        # replays on a few others, so a burst of new watches does not delay
        # live events.
        self.pump_executor = ThreadPoolExecutor(1, thread_name_prefix="watch-hub")
        self.executor = ThreadPoolExecutor(conf.watch_db_threads, thread_name_prefix="watch-db")
        self.bus_state = {"connected": False}
        self.poll_seconds = conf.watch_poll_seconds
        self.bookmark_seconds = conf.watch_bookmark_seconds
        self.tasks = []
        self.delays = [0] * (len(DELAY_BUCKETS) + 1)  # histogram of dispatch delays
        self.delay_sum = 0.0

    def start(self):
        bus.add_listener(self.notify_threadsafe)
        self.tasks.append(self.loop.create_task(self._poll()))
        self.tasks.append(self.loop.create_task(self._bookmarks()))
        if conf.redis_url:
            self.tasks.append(self.loop.create_task(bus.subscribe(self.notify, self.resync, self.bus_state)))

    def stop(self):
        bus.remove_listener(self.notify_threadsafe)
        for task in self.tasks:
            task.cancel()
        for feed in list(self.feeds.values()):
            for watcher in list(feed.watchers()):
                watcher.close("server shutting down")

    # -------------------------------------------------------------- database
    async def read(self, fn, *args):
        """A storage read for the feeds (in order, on the hub's thread)."""
        return await self.loop.run_in_executor(self.pump_executor, run_db, fn, *args)

    async def run(self, fn, *args):
        """A database call for a watch stream (start, replay, authorization)."""
        return await self.loop.run_in_executor(self.executor, run_db, fn, *args)

    # ---------------------------------------------------------- notification
    def notify(self, tenant, revision):
        feed = self.feeds.get(tenant)
        if feed is not None and (feed.last is None or revision > feed.last):
            if feed.heard is None:
                feed.heard = time.monotonic()
            feed.kick()

    def observe_delay(self, seconds):
        self.delays[bisect.bisect_left(DELAY_BUCKETS, seconds)] += 1
        self.delay_sum += seconds

    def notify_threadsafe(self, tenant, revision):
        try:
            self.loop.call_soon_threadsafe(self.notify, tenant, revision)
        except RuntimeError:
            pass  # loop closed: the server is stopping

    def resync(self):
        for feed in self.feeds.values():
            feed.kick()

    async def _poll(self):
        # Redis may have dropped a message: look at the counters anyway.
        while True:
            await asyncio.sleep(self.poll_seconds)
            self.resync()

    async def _bookmarks(self):
        while True:
            await asyncio.sleep(self.bookmark_seconds)
            for feed in list(self.feeds.values()):
                if feed.last is None:
                    continue
                for watcher in feed.watchers():
                    if watcher.bookmarks:
                        watcher.offer_bookmark(feed.last)

    # -------------------------------------------------------------- watchers
    async def register(self, watcher):
        """Add ``watcher`` to its tenant's feed; returns once the feed knows
        where it stands, so the watcher's own start point is not older than
        anything the feed will dispatch to it."""
        feed = self.feeds.get(watcher.tenant)
        if feed is None:
            feed = self.feeds[watcher.tenant] = Feed(self, watcher.tenant)
        feed.add(watcher)
        watcher.feed = feed
        if feed.last is None:
            feed.kick()
        try:
            await asyncio.shield(feed.ready)
        except BaseException:
            self.unregister(watcher)
            raise
        return feed

    def unregister(self, watcher):
        feed = watcher.feed
        if feed is None:
            return
        feed.discard(watcher)
        watcher.feed = None
        if not feed.size and self.feeds.get(feed.tenant) is feed:
            del self.feeds[feed.tenant]

    def drop(self, feed):
        if self.feeds.get(feed.tenant) is feed:
            del self.feeds[feed.tenant]

    def stats(self):
        return {"feeds": len(self.feeds), "watchers": sum(f.size for f in self.feeds.values()),
                "redis": self.bus_state["connected"]}


_hub = None


def current():
    """The process's hub, or None before the first watch (any thread)."""
    return _hub


def get_hub():
    """The process's hub, started on the running event loop on first use."""
    global _hub
    loop = asyncio.get_running_loop()
    if _hub is None or _hub.loop is not loop:
        if _hub is not None:
            _hub.stop()
        _hub = Hub(loop)
        _hub.start()
    return _hub
