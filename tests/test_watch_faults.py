"""Watch streams when things go wrong: Redis restarts mid-stream (a private
redis-server, never the shared one), a watcher that never reads, clients
that disconnect, compaction while a watch replays. Nothing is lost,
nothing hangs, nothing leaks (the servers' /metrics count watchers, event
loop tasks and open descriptors)."""
import asyncio
import contextlib
import os
import shutil
import socket
import ssl
import subprocess
import sys
import time
import uuid
from urllib.parse import urlparse

import pytest

from tests.conftest import _free_port, start_server, wait_for
from tests.watch_support import (AsyncWatch, Client, WatchClosed, configmap, ensure_namespace, metrics,
                                 namespace_filled)

pytestmark = pytest.mark.e2e


def run(coro, timeout=120):
    return asyncio.run(asyncio.wait_for(coro, timeout))


def rv(obj):
    return int(obj["metadata"]["resourceVersion"])


def connections(server):
    """Established connections to the server's port (its side of them)."""
    port = urlparse(server.url).port
    out = subprocess.run(["ss", "-tnH", "state", "established", f"( sport = :{port} )"], capture_output=True,
                         text=True, check=True).stdout
    return len([line for line in out.splitlines() if line.strip()])


def _unsent(server, sock):
    """Bytes the server has written on ``sock``'s connection that the client
    has not taken in (its Send-Q): its writes are blocked on the client."""
    port = urlparse(server.url).port
    out = subprocess.run(["ss", "-tnH", "state", "established",
                          f"( sport = :{port} and dport = :{sock.getsockname()[1]} )"],
                         capture_output=True, text=True, check=True).stdout
    return sum(int(line.split()[1]) for line in out.splitlines() if line.strip())


def watchers(server):
    return sum(v for k, v in metrics(server).items() if k.startswith("apiserver_longrunning_requests"))


# ------------------------------------------------------------ Redis restart
class PrivateRedis:
    def __init__(self, workdir):
        self.port = _free_port()
        self.workdir = workdir
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.workdir)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        assert wait_for(self._up, 10), "private redis-server did not start"

    def _up(self):
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self):
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(10)
            self.proc = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def publishes(self):
        """PUBLISH commands this redis-server has run since it started."""
        import redis

        with redis.Redis.from_url(self.url) as client:
            return client.info("commandstats").get("cmdstat_publish", {}).get("calls", 0)


@pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server")
@pytest.mark.skipif(not os.environ.get("KUBEAPI_DATABASE_URL", "").startswith("postgres"),
                    reason="two server processes need PostgreSQL")
def test_redis_restart_loses_nothing(tmp_path):
    redis = PrivateRedis(tmp_path)
    redis.start()
    env = {"KUBEAPI_REDIS_URL": redis.url, "KUBEAPI_CLIENT_CA_FILE": ""}
    a, stop_a = start_server(tmp_path / "a", env=env)
    b, stop_b = start_server(tmp_path / "b", env=env, database_url=a.database_url)
    try:
        writer = Client(a)
        ensure_namespace(writer, "rr")
        assert wait_for(lambda: metrics(b).get("kubeapi_watch_bus_connected") == 1, 10)
        _, listed = writer.request("GET", "/api/v1/namespaces/rr/configmaps")
        start = listed["metadata"]["resourceVersion"]
        written = []

        def write(n):
            for i in range(n):
                status, body = writer.request("POST", "/api/v1/namespaces/rr/configmaps",
                                              configmap(f"c{len(written)}", "rr", n=str(i)))
                assert status == 201, body
                written.append(rv(body))

        async def scenario():
            w = await AsyncWatch(b, "/api/v1/namespaces/rr/configmaps",
                                 {"watch": "true", "resourceVersion": start}).open()
            got = []

            async def collect(n, timeout):
                while len(got) < n:
                    event = await w.next_event(timeout)
                    got.append((rv(event["object"]), time.monotonic()))

            await asyncio.to_thread(write, 20)
            await collect(20, 10)
            assert metrics(b)["kubeapi_watch_bus_connected"] == 1
            redis.stop()  # mid-stream
            await asyncio.to_thread(write, 20)
            await collect(40, 15)  # the hubs poll the database meanwhile
            redis.start()
            assert await asyncio.to_thread(
                wait_for, lambda: metrics(b).get("kubeapi_watch_bus_connected") == 1, 15)

            def published():  # a's publisher skips Redis for a second after a failed publish
                write(1)
                return redis.publishes() > 0

            assert await asyncio.to_thread(wait_for, published, 15, 0.2), "a never published to Redis again"
            await collect(len(written), 10)
            t0 = time.monotonic()
            await asyncio.to_thread(write, 20)
            await collect(len(written), 10)
            w.close()
            return got, t0

        got, t0 = run(scenario())
        assert [r for r, _ in got] == written  # every revision once, in order
        after = [t for _, t in got[40:]]
        assert after[-1] - t0 < 10
    finally:
        stop_b(drop_database=False)
        stop_a()
        redis.stop()


# ------------------------------------- slow, absent and disconnecting clients
@pytest.fixture(scope="module")
def fserver(tmp_path_factory):
    server, stop = start_server(tmp_path_factory.mktemp("faults"),
                                env={"KUBEAPI_WATCH_QUEUE_LENGTH": "20", "KUBEAPI_WATCH_BOOKMARK_SECONDS": "0.5",
                                     "KUBEAPI_WATCH_REPLAY_BATCH": "50",
                                     "KUBEAPI_CLIENT_CA_FILE": ""})
    yield server
    stop()


def _raw_watch(server, path, rcvbuf=4096):
    """A TLS connection that sends a watch request and then does not read."""
    url = urlparse(server.url)
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    sock.connect((url.hostname, url.port))
    tls = ssl.create_default_context(cafile=str(server.ca)).wrap_socket(sock, server_hostname=url.hostname)
    tls.sendall(f"GET {path} HTTP/1.1\r\nHost: {url.hostname}\r\nAuthorization: Bearer {server.token}\r\n"
                f"Accept: application/json\r\n\r\n".encode())
    return tls


def test_a_watcher_that_never_reads_is_closed_and_holds_nobody_up(fserver):
    client = Client(fserver)
    ns = f"slow-{uuid.uuid4().hex[:6]}"
    ensure_namespace(client, ns)
    _, listed = client.request("GET", f"/api/v1/namespaces/{ns}/configmaps")
    start = listed["metadata"]["resourceVersion"]
    baseline = watchers(fserver)
    open_before = connections(fserver)
    stuck = _raw_watch(fserver, f"/api/v1/namespaces/{ns}/configmaps?watch=true&resourceVersion={start}")
    big = "x" * 200_000
    writes = 80  # 16 MB: more than socket buffers hold, then more than the queue (20) holds

    async def scenario():
        healthy = await AsyncWatch(fserver, f"/api/v1/namespaces/{ns}/configmaps",
                                   {"watch": "true", "resourceVersion": start}).open()
        assert await asyncio.to_thread(wait_for, lambda: watchers(fserver) == baseline + 2, 10)
        delays = []
        for i in range(writes):
            status, body = await asyncio.to_thread(client.request, "POST", f"/api/v1/namespaces/{ns}/configmaps",
                                                   configmap(f"big{i}", ns, blob=big))
            assert status == 201, body
            written = time.monotonic()
            event = await healthy.next_event(10)
            assert rv(event["object"]) == rv(body)
            delays.append(time.monotonic() - written)
        healthy.close()
        return delays

    delays = run(scenario(), timeout=300)
    # The healthy watcher got every event at once throughout; the stuck one
    # was dropped (closed when its queue filled, aborted when its write
    # stayed blocked).
    assert max(delays) < 5, delays
    assert wait_for(lambda: watchers(fserver) == baseline, 20), metrics(fserver)
    stuck.close()
    client.close()
    assert wait_for(lambda: connections(fserver) <= open_before, 20), connections(fserver)


def test_disconnecting_clients_release_everything(fserver):
    client = Client(fserver)
    ns = f"gone-{uuid.uuid4().hex[:6]}"
    ensure_namespace(client, ns)
    assert wait_for(lambda: namespace_filled(client, ns)), "the namespace controllers did not fill the namespace"
    client.close()
    before = metrics(fserver)
    open_before = connections(fserver)

    async def scenario():
        streams = []
        for i in range(30):
            params = {"watch": "true", "allowWatchBookmarks": "true"}
            if i % 3 == 0:
                params["labelSelector"] = "a=b"
            if i % 3 == 1:
                params["timeoutSeconds"] = "600"
            streams.append(await AsyncWatch(fserver, f"/api/v1/namespaces/{ns}/configmaps", params).open())
        assert await asyncio.to_thread(
            wait_for, lambda: watchers(fserver) == watchers_before + 30, 10)
        for w in streams[:10]:
            await w.next_event(5)  # a bookmark: they are live
        for w in streams:
            w.close()  # abrupt: no FIN handshake from the client's side of HTTP

    watchers_before = sum(v for k, v in before.items() if k.startswith("apiserver_longrunning_requests"))
    run(scenario())
    assert wait_for(lambda: watchers(fserver) == watchers_before, 20), metrics(fserver)
    after = metrics(fserver)
    assert after["kubeapi_event_loop_tasks"] <= before["kubeapi_event_loop_tasks"] + 2  # a feed's pump may run
    assert wait_for(lambda: connections(fserver) <= open_before, 20), connections(fserver)


def test_compaction_during_a_replay_never_skips_silently(fserver):
    client = Client(fserver)
    ns = f"cmp-{uuid.uuid4().hex[:6]}"
    ensure_namespace(client, ns)
    status, first = client.request("POST", f"/api/v1/namespaces/{ns}/configmaps", configmap("a", ns, n="0"))
    assert status == 201, first
    blob = "y" * 50_000  # 10 MB of replay: more than the socket buffers hold
    expected = []
    for i in range(1, 200):
        status, body = client.request("PUT", f"/api/v1/namespaces/{ns}/configmaps/a", configmap("a", ns, n=str(i),
                                                                                                  blob=blob))
        assert status == 200, body
        expected.append(rv(body))
    # A reader that stops reading: the replay (50 rows a query on this
    # server) blocks part way, with history still to read...
    stream = _raw_watch(fserver, f"/api/v1/namespaces/{ns}/configmaps?watch=true&resourceVersion={rv(first)}",
                        rcvbuf=256 * 1024)
    assert wait_for(lambda: _unsent(fserver, stream) > 0), "the replay never filled the client's buffers"
    # ... when compaction removes it.
    _compact(fserver)
    got, error = [], None
    for event in _events(stream, timeout=20):
        if event["type"] == "ERROR":
            error = event["object"]
            continue
        assert error is None, "the stream went on after the error"
        got.append(rv(event["object"]))
    stream.close()
    # A prefix of the history, in order, then a 410 (never a silent gap).
    assert got and got == expected[:len(got)]
    assert len(got) < len(expected)
    assert error is not None and error["code"] == 410 and error["reason"] == "Expired", (len(got), error)
    # The client re-lists (as informers do on 410) and misses nothing.
    _, now = client.request("GET", f"/api/v1/namespaces/{ns}/configmaps/a")
    assert rv(now) == expected[-1] and now["data"]["n"] == "199"


def _events(sock, timeout):
    """Events of a raw watch response (HTTP/1.1, chunked), to its end."""
    import json

    sock.settimeout(timeout)
    reader = sock.makefile("rb")
    status = reader.readline()
    assert b" 200 " in status, status
    while reader.readline() not in (b"\r\n", b""):
        pass
    pending = b""
    while True:
        size = int(reader.readline().split(b";")[0], 16)
        if size == 0:
            return
        pending += reader.read(size)
        reader.readline()
        *lines, pending = pending.split(b"\n")
        for line in lines:
            if line:
                yield json.loads(line)


def _compact(server):
    env = dict(os.environ, KUBEAPI_DATABASE_URL=server.database_url, KUBEAPI_VAR_DIR=str(server.var_dir))
    out = subprocess.run([sys.executable, "manage.py", "compact", "--retention-seconds", "0",
                          "--retain-revisions", "0"], cwd=os.path.dirname(os.path.dirname(__file__)),
                         env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "compacted up to revision" in out.stdout, out.stdout


def test_nothing_leaks_after_the_faults(fserver):
    assert wait_for(lambda: watchers(fserver) == 0, 20), metrics(fserver)
    m = metrics(fserver)
    assert m["kubeapi_watch_feeds"] == 0
    # The hub's own tasks (poll, bookmarks) and little else.
    assert m["kubeapi_event_loop_tasks"] < 10, m
