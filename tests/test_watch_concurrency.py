"""Watch under concurrent writes, across two server processes on one
PostgreSQL + Redis: 8 writers make 5,000 creates/updates/deletes (half of
them through each server) while 50 watchers (half on each server) follow —
started before the writes and mid-stream, from old revisions, from the
current state and as watch-lists, with and without selectors, namespaced
and cluster-wide.

Every watcher must receive exactly the events the history table says its
selectors match, each revision once, in increasing order, and end in the
state a fresh LIST returns."""
import asyncio
import json
import os
import random
import threading
import time

import pytest

from resources.machinery import selectors
from tests.conftest import start_server, wait_for, wait_for_async
from tests.watch_support import AsyncWatch, Client, WatchClosed, configmap, ensure_namespace, namespace_filled

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(
    not os.environ.get("KUBEAPI_DATABASE_URL", "").startswith("postgres"),
    reason="two server processes need PostgreSQL")]

WRITERS = 8
OPERATIONS = int(os.environ.get("KUBEAPI_WATCH_TEST_OPERATIONS", "5000"))
NAMES_PER_WRITER = 25
NAMESPACES = ("cc", "cc2")  # writers 6 and 7 write to cc2


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    # No x509 TLS front (a Python relay): this test is about the streams.
    env = {"KUBEAPI_WATCH_BOOKMARK_SECONDS": "0.5", "KUBEAPI_CLIENT_CA_FILE": ""}
    a, stop_a = start_server(tmp_path_factory.mktemp("a"), env=env)
    b, stop_b = start_server(tmp_path_factory.mktemp("b"), env=env, database_url=a.database_url)
    yield a, b
    stop_b(drop_database=False)
    stop_a()


# ---------------------------------------------------------------- writers
def writer(server, index, ops, errors):
    rng = random.Random(index)
    client = Client(server)
    ns = NAMESPACES[1] if index >= 6 else NAMESPACES[0]
    live = {}
    try:
        for op in range(ops):
            name = f"w{index}-{rng.randrange(NAMES_PER_WRITER)}"
            path = f"/api/v1/namespaces/{ns}/configmaps"
            if name not in live:
                labels = {"group": rng.choice("ab"), "writer": str(index)}
                status, body = client.request("POST", path, configmap(name, ns, labels, n=str(op)))
                expect = 201
                live[name] = labels
            elif rng.random() < 0.7:
                labels = dict(live[name])
                if rng.random() < 0.3:
                    labels["group"] = "b" if labels["group"] == "a" else "a"
                status, body = client.request("PUT", f"{path}/{name}", configmap(name, ns, labels, n=str(op)))
                expect = 200
                live[name] = labels
            else:
                status, body = client.request("DELETE", f"{path}/{name}")
                expect = 200
                del live[name]
            if status != expect:
                errors.append((status, body))
                return
    finally:
        client.close()


# ------------------------------------------------------- the ground truth
def history(database_url):
    import psycopg

    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT revision, namespace, name, event_type, labels FROM kube_history"
            " WHERE tenant = 'default' AND api_group = '' AND resource = 'configmaps' ORDER BY revision").fetchall()
    return [(r, ns, name, etype, labels if isinstance(labels, dict) else json.loads(labels))
            for r, ns, name, etype, labels in rows]


class Spec:
    def __init__(self, name, server, namespace=None, labels="", fields="", start="now", revision=None):
        self.name, self.server, self.namespace = name, server, namespace
        self.labels, self.fields, self.start, self.revision = labels, fields, start, revision
        self.label_reqs = selectors.parse_label_selector(labels)
        self.field_reqs = selectors.parse_field_selector(fields)

    def matches(self, ns, name, labels):
        if labels is None:
            return False
        if self.namespace and ns != self.namespace:
            return False
        return (selectors.matches(self.label_reqs, labels)
                and selectors.fields_match(self.field_reqs, {"metadata.name": name, "metadata.namespace": ns}))

    def path(self):
        return f"/api/v1/namespaces/{self.namespace}/configmaps" if self.namespace else "/api/v1/configmaps"

    def params(self):
        p = {"watch": "true", "allowWatchBookmarks": "true"}
        if self.labels:
            p["labelSelector"] = self.labels
        if self.fields:
            p["fieldSelector"] = self.fields
        if self.start == "revision":
            p["resourceVersion"] = str(self.revision)
        elif self.start == "watchlist":
            p.update(sendInitialEvents="true", resourceVersionMatch="NotOlderThan", resourceVersion="")
        elif self.start == "zero":
            p["resourceVersion"] = "0"
        return p


def state_at(truth, spec, revision):
    """{(namespace, name): revision} of the matching objects at ``revision``."""
    state = {}
    for r, ns, name, etype, labels in truth:
        if r > revision:
            break
        state[(ns, name)] = None if etype == "DELETED" else (r, labels)
    return {key: value[0] for key, value in state.items()
            if value is not None and spec.matches(key[0], key[1], value[1])}


def expected_after(truth, spec, revision):
    """[(revision, type, name)] a watcher from ``revision`` must receive."""
    state, out = {}, []
    for r, ns, name, etype, labels in truth:
        key = (ns, name)
        before = state.get(key)
        state[key] = None if etype == "DELETED" else labels
        if r <= revision:
            continue
        if etype == "ADDED":
            if spec.matches(ns, name, labels):
                out.append((r, "ADDED", name))
        elif etype == "DELETED":
            if spec.matches(ns, name, labels):
                out.append((r, "DELETED", name))
        else:
            now, was = spec.matches(ns, name, labels), spec.matches(ns, name, before)
            if now:
                out.append((r, "MODIFIED" if was else "ADDED", name))
            elif was:
                out.append((r, "DELETED", name))
    return out


# --------------------------------------------------------------- watchers
class Follower:
    def __init__(self, spec):
        self.spec = spec
        self.events = []  # (revision, type, name, namespace) of object events
        self.initial_end = None  # watch-list: the bookmark's revision
        self.last = 0  # newest revision seen (events and bookmarks)
        self.error = None
        self.closed = False
        self.opened = False  # the server has answered 200: the watch is registered

    async def run(self, stop):
        w = await AsyncWatch(self.spec.server, self.spec.path(), self.spec.params()).open()
        assert w.status == 200, await w.body()
        self.opened = True
        try:
            while not stop.is_set():
                try:
                    event = await w.next_event()
                except WatchClosed:
                    self.closed = True
                    return
                obj = event["object"]
                if event["type"] == "ERROR":
                    self.error = obj
                    return
                revision = int(obj["metadata"]["resourceVersion"])
                if event["type"] == "BOOKMARK":
                    if (obj["metadata"].get("annotations") or {}).get("k8s.io/initial-events-end") == "true":
                        self.initial_end = revision
                else:
                    self.events.append((revision, event["type"], obj["metadata"]["name"],
                                        obj["metadata"]["namespace"]))
                self.last = max(self.last, revision)
        finally:
            w.close()

    def check(self, truth, final_items):
        spec = self.spec
        assert self.error is None, (spec.name, self.error)
        assert not self.closed, f"{spec.name}: stream closed early"
        got = [(r, t, name) for r, t, name, _ in self.events]
        if spec.start == "revision":
            initial, live, start = [], got, spec.revision
        elif spec.start == "watchlist":
            assert self.initial_end is not None, spec.name
            count = next((i for i, e in enumerate(got) if e[0] > self.initial_end), len(got))
            initial, live, start = got[:count], got[count:], self.initial_end
        else:
            initial, live, start = self._split(truth, got)
        assert all(t == "ADDED" for _, t, _ in initial), spec.name
        names = [(self.events[i][3], name) for i, (_, _, name) in enumerate(initial)]
        assert len(set(names)) == len(names), f"{spec.name}: an object was added twice initially"
        if spec.start != "revision":
            assert set(names) == set(state_at(truth, spec, start)), f"{spec.name}: initial events differ"
        expected = expected_after(truth, spec, start)
        assert live == expected, self._diff(spec.name, live, expected)
        revisions = [r for r, _, _ in live]
        assert revisions == sorted(set(revisions)), f"{spec.name}: out of order or repeated"
        # The final state is what a fresh LIST answers.
        state = state_at(truth, spec, start) if spec.start == "revision" else {}
        for r, t, name, ns in self.events:
            if t == "DELETED":
                state.pop((ns, name), None)
            else:
                state[(ns, name)] = r
        listed = {(i["metadata"]["namespace"], i["metadata"]["name"]): int(i["metadata"]["resourceVersion"])
                  for i in final_items if spec.matches(i["metadata"]["namespace"], i["metadata"]["name"],
                                                       i["metadata"].get("labels") or {})}
        assert state == listed, f"{spec.name}: final state differs from LIST"

    def _split(self, truth, got):
        """Current-state starts: the leading ADDED events are the snapshot,
        the rest are changes after it. Find where one ends."""
        limit = min(len(got), 400)
        for k in range(0, limit + 1):
            if any(t != "ADDED" for _, t, _ in got[:k]):
                break
            head_max = max((r for r, _, _ in got[:k]), default=0)
            if k < len(got) and got[k][0] <= head_max:
                continue
            start = got[k][0] - 1 if k < len(got) else self.last
            if {(self.events[i][3], got[i][2]) for i in range(k)} != set(state_at(truth, self.spec, start)):
                continue
            if got[k:] != expected_after(truth, self.spec, start):
                continue
            return got[:k], got[k:], start
        return [], got, 0

    @staticmethod
    def _diff(name, got, expected):
        for i, (g, e) in enumerate(zip(got, expected)):
            if g != e:
                return f"{name}: event {i}: got {g}, expected {e} (got {len(got)}, expected {len(expected)})"
        return f"{name}: got {len(got)} events, expected {len(expected)}"


def test_every_watcher_gets_every_matching_revision_once_in_order(servers):
    a, b = servers
    admin = Client(a)
    for ns in NAMESPACES:
        ensure_namespace(admin, ns)
    # s0 comes after the namespace controllers' writes (kube-root-ca.crt, ...).
    assert wait_for(lambda: all(namespace_filled(admin, ns) for ns in NAMESPACES)), "namespaces not filled"
    status, listed = admin.request("GET", "/api/v1/configmaps")
    assert status == 200, listed
    s0 = int(listed["metadata"]["resourceVersion"])
    both = (a, b)
    specs_at_start = []
    for i in range(8):
        specs_at_start.append(Spec(f"replay-{i}", both[i % 2], "cc", start="revision", revision=s0))
    for i in range(4):
        specs_at_start.append(Spec(f"replay-blue-{i}", both[i % 2], "cc", labels="group=a", start="revision",
                                   revision=s0))
    for i in range(2):
        specs_at_start.append(Spec(f"one-{i}", both[i % 2], "cc", fields="metadata.name=w1-3", start="revision",
                                   revision=s0))
    for i in range(4):
        specs_at_start.append(Spec(f"all-{i}", both[i % 2], None, start="revision", revision=s0,
                                   labels="writer in (0,6,7)" if i % 2 else ""))
    for i in range(6):
        specs_at_start.append(Spec(f"state-{i}", both[i % 2], "cc", start="now" if i % 2 else "zero"))

    async def scenario():
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        followers, tasks = [], []

        def follow(spec):
            f = Follower(spec)
            followers.append(f)
            tasks.append(asyncio.create_task(f.run(stop)))

        for spec in specs_at_start:
            follow(spec)
        # Every watch of the start is open before the writes begin.
        assert await wait_for_async(lambda: all(f.opened for f in followers) or any(t.done() for t in tasks), 30), \
            [f.spec.name for f in followers if not f.opened]
        assert all(f.opened for f in followers), [t.exception() for t in tasks if t.done()]
        errors = []
        per_writer = OPERATIONS // WRITERS
        done = [0]

        def write(i):
            writer(both[i % 2], i, per_writer, errors)
            done[0] += 1

        writing = [loop.run_in_executor(None, write, i) for i in range(WRITERS)]
        started = time.monotonic()
        # Mid-stream: wait for about a third of the writes.
        await _until_revision(admin, s0 + OPERATIONS // 3)
        _, mid = await asyncio.to_thread(admin.request, "GET", "/api/v1/configmaps")
        r1 = int(mid["metadata"]["resourceVersion"])
        for i in range(6):
            follow(Spec(f"mid-replay-{i}", both[i % 2], "cc" if i < 4 else None, start="revision", revision=s0,
                        labels="group=b" if i % 3 == 0 else ""))
        for i in range(6):
            follow(Spec(f"mid-state-{i}", both[i % 2], "cc" if i % 2 else None, start="now" if i < 3 else "zero"))
        for i in range(6):
            follow(Spec(f"mid-watchlist-{i}", both[i % 2], "cc" if i < 3 else "cc2", start="watchlist",
                        labels="group=a" if i % 2 else ""))
        for i in range(4):
            follow(Spec(f"mid-selective-{i}", both[i % 2], "cc", labels="group=a,writer!=1",
                        start="now" if i % 2 else "zero"))
        await _until_revision(admin, s0 + 2 * OPERATIONS // 3)
        for i in range(4):
            follow(Spec(f"late-replay-{i}", both[i % 2], "cc" if i % 2 else None, start="revision", revision=r1,
                        labels="group=a" if i < 2 else ""))
        await asyncio.gather(*writing)
        write_seconds = time.monotonic() - started
        assert not errors, errors[:3]
        _, final = await asyncio.to_thread(admin.request, "GET", "/api/v1/configmaps")
        end = int(final["metadata"]["resourceVersion"])
        # Each follower has seen the last write (or failed: check() says how).
        await wait_for_async(lambda: not any(f.last < end and f.error is None and not f.closed for f in followers),
                             60, 0.2)
        stop.set()
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        return followers, final, write_seconds

    followers, final, write_seconds = asyncio.run(scenario())
    admin.close()
    print(f"\nwrites took {write_seconds:.1f}s")
    assert len(followers) == 50
    truth = history(a.database_url)
    if os.environ.get("KUBEAPI_WATCH_TEST_DUMP"):
        with open(os.environ["KUBEAPI_WATCH_TEST_DUMP"], "w") as fh:
            json.dump({"truth": truth, "final": final, "followers": [
                {"name": f.spec.name, "start": f.spec.start, "ns": f.spec.namespace, "labels": f.spec.labels,
                 "events": f.events, "initial_end": f.initial_end, "last": f.last} for f in followers]}, fh)
    writes = [row for row in truth if row[1] in NAMESPACES and row[2].startswith("w")]
    assert len(writes) == OPERATIONS
    for follower in followers:
        follower.check(truth, final["items"])
    delivered = sum(len(f.events) for f in followers)
    print(f"\n{OPERATIONS} writes in {write_seconds:.1f}s; {delivered} events delivered to {len(followers)} watchers")


async def _until_revision(client, revision, timeout=120):
    async def reached():
        status, listed = await asyncio.to_thread(client.request, "GET",
                                                 "/api/v1/namespaces/kube-system/configmaps?limit=1")
        assert status == 200, listed
        return int(listed["metadata"]["resourceVersion"]) >= revision

    assert await wait_for_async(reached, timeout), f"revision {revision} not reached"
