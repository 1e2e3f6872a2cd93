#!/usr/bin/env python3
"""Watch benchmark: how many idle watches one server process holds and what
each costs in memory, and how long a committed write takes to reach 1,000
watchers at 20 writes/s.

It starts its own server (one process, ``manage.py serve --workers 1``) on a
fresh database — PostgreSQL when ``KUBEAPI_DATABASE_URL`` names one, with
Redis when ``KUBEAPI_REDIS_URL`` does — and drives it from this process
(asyncio, one HTTP/1.1 connection per watch, as many Python clients do).

    .venv/bin/python bench/watch.py                      # the README figures
    .venv/bin/python bench/watch.py --idle 10000 --latency-watchers 2000

idle: opens ``--idle`` watches (no bookmarks) in batches, waits until the
server has registered all of them, and reads the API server process's RSS
before and after: (after − before) / N is the memory of an idle watch. Then
one write must reach every one of them (the fan-out time is printed).

latency: ``--latency-watchers`` watches; a writer creates ConfigMaps at
``--rate`` per second for ``--duration`` seconds. For every event at every
watcher: the time from the write's response (the write committed before it
was answered) to delivery, and from the write's request (an upper bound
including the write itself). p50/p99/max over all deliveries.
"""
import argparse
import asyncio
import gc
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kubeapi.settings")

from tests.watch_support import AsyncWatch, Client, configmap, ensure_namespace, launch, metrics  # noqa: E402


def rss_kib(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def cpu_seconds(pid):
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def front_processes(serve_pid):
    out = []
    for child in subprocess.run(["pgrep", "-P", str(serve_pid)], capture_output=True, text=True).stdout.split():
        if b"tlsfront" in Path(f"/proc/{child}/cmdline").read_bytes():
            out.append(int(child))
    return out


def api_processes(serve_pid):
    """The granian worker processes of a serve process (not the TLS front)."""
    out = []
    for child in subprocess.run(["pgrep", "-P", str(serve_pid)], capture_output=True, text=True).stdout.split():
        cmdline = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        if "tlsfront" not in cmdline:
            out.append(int(child))
    return out or [serve_pid]


def dispatch_histogram(server):
    """{bucket bound: cumulative count}, sum of kubeapi_watch_dispatch_delay_seconds."""
    buckets, total = {}, 0.0
    for name, value in metrics(server).items():
        if name.startswith("kubeapi_watch_dispatch_delay_seconds_bucket"):
            bound = name.split('le="')[1].split('"')[0]
            buckets[float("inf") if bound == "+Inf" else float(bound)] = value
        elif name == "kubeapi_watch_dispatch_delay_seconds_sum":
            total = value
    return buckets, total


def histogram_quantiles(before, after):
    (b0, s0), (b1, s1) = before, after
    bounds = sorted(b1)
    counts = [b1[b] - b0.get(b, 0) for b in bounds]
    n = counts[-1] if counts else 0
    if not n:
        return None

    def upper(q):
        for bound, c in zip(bounds, counts):
            if c >= q * n:
                return "≤ " + (f"{1000 * bound:g} ms" if bound != float("inf") else "∞")
        return None

    return {"dispatches": int(n), "mean_ms": round(1000 * (s1 - s0) / n, 1), "p50": upper(0.5), "p99": upper(0.99)}


def registered(server):
    return int(sum(v for k, v in metrics(server).items() if k.startswith("apiserver_longrunning_requests")))


async def open_many(server, path, params, count, batch=200):
    streams = []
    for start in range(0, count, batch):
        opened = await asyncio.gather(*[AsyncWatch(server, path, params).open()
                                        for _ in range(min(batch, count - start))])
        for w in opened:
            assert w.status == 200, w.status
        streams += opened
    return streams


async def idle(server, serve_pid, count, ns):
    client = Client(server)
    _, listed = client.request("GET", f"/api/v1/namespaces/{ns}/configmaps")
    params = {"watch": "true", "resourceVersion": listed["metadata"]["resourceVersion"]}
    pids = api_processes(serve_pid)
    fronts = front_processes(serve_pid)
    # Warm up (thread pools, caches, the hub), then measure from a settled state.
    warm = await open_many(server, f"/api/v1/namespaces/{ns}/configmaps", params, 50)
    for w in warm:
        w.close()
    await asyncio.sleep(2)
    base = registered(server)
    before = sum(rss_kib(p) for p in pids)
    front_before = sum(rss_kib(p) for p in fronts)
    started = time.monotonic()
    streams = await open_many(server, f"/api/v1/namespaces/{ns}/configmaps", params, count)
    opened_in = time.monotonic() - started
    deadline = time.monotonic() + 60
    while registered(server) < base + count and time.monotonic() < deadline:
        await asyncio.sleep(0.5)
    held = registered(server) - base
    await asyncio.sleep(3)
    after = sum(rss_kib(p) for p in pids)
    front_after = sum(rss_kib(p) for p in fronts)
    # Every one of them is live: one write reaches all.
    t0 = time.monotonic()
    status, _ = await asyncio.to_thread(client.request, "POST", f"/api/v1/namespaces/{ns}/configmaps",
                                        configmap("fanout", ns))
    assert status == 201
    got = await asyncio.gather(*[w.next_event(60) for w in streams], return_exceptions=True)
    fanout = time.monotonic() - t0
    delivered = sum(1 for g in got if isinstance(g, dict) and g.get("type") == "ADDED")
    for w in streams:
        w.close()
    client.close()
    return {
        "watchers": count, "registered": held, "delivered_one_write_to": delivered,
        "open_seconds": round(opened_in, 1), "fanout_seconds": round(fanout, 3),
        "rss_before_mib": round(before / 1024, 1), "rss_after_mib": round(after / 1024, 1),
        "kib_per_watcher": round((after - before) / count, 1),
        **({"tls_front_kib_per_watcher": round((front_after - front_before) / count, 1)} if fronts else {}),
    }


class _Deliveries(asyncio.Protocol):
    """A watch stream read for names only: a callback per TCP read, no
    coroutine or JSON decoding per event, so the client costs little of the
    CPU the server needs on a small machine."""

    MARK = b'"name":"lat-'

    def __init__(self, request, out):
        self.request, self.out = request, out
        self.tail = b""
        self.transport = None
        self.closed = asyncio.get_running_loop().create_future()

    def connection_made(self, transport):
        self.transport = transport
        transport.write(self.request)

    def data_received(self, data):
        now = time.monotonic()
        data = self.tail + data
        at = data.find(self.MARK)
        while at >= 0:
            end = data.find(b'"', at + len(self.MARK))
            if end < 0:
                break
            self.out.append((data[at + len(self.MARK):end], now))
            at = data.find(self.MARK, end)
        self.tail = data[-64:]

    def connection_lost(self, exc):
        if not self.closed.done():
            self.closed.set_result(None)


async def latency(server, serve_pid, watchers, rate, duration, ns):
    from urllib.parse import urlencode, urlparse

    from tests.watch_support import ssl_context

    pids = api_processes(serve_pid)
    client = Client(server)
    _, listed = client.request("GET", f"/api/v1/namespaces/{ns}/configmaps")
    query = urlencode({"watch": "true", "resourceVersion": listed["metadata"]["resourceVersion"]})
    url = urlparse(server.url)
    request = (f"GET /api/v1/namespaces/{ns}/configmaps?{query} HTTP/1.1\r\nHost: {url.hostname}\r\n"
               f"Authorization: Bearer {server.token}\r\nAccept: application/json\r\n\r\n").encode()
    loop = asyncio.get_running_loop()
    deliveries = []
    streams = []
    context = ssl_context(server)
    for start in range(0, watchers, 200):
        streams += await asyncio.gather(*[
            loop.create_connection(lambda: _Deliveries(request, deliveries), url.hostname, url.port, ssl=context)
            for _ in range(min(200, watchers - start))])
    deadline = time.monotonic() + 60
    while registered(server) < watchers and time.monotonic() < deadline:
        await asyncio.sleep(0.5)
    await asyncio.sleep(2)
    sent, acked = {}, {}
    total = int(rate * duration)
    server_cpu = sum(cpu_seconds(p) for p in pids)
    own_cpu = time.process_time()
    histogram = dispatch_histogram(server)

    def write():
        writer = Client(server)
        next_at = time.monotonic()
        for i in range(total):
            name = f"{i}".encode()
            sent[name] = time.monotonic()
            status, _ = writer.request("POST", f"/api/v1/namespaces/{ns}/configmaps",
                                       configmap(f"lat-{i}", ns, i=str(i)))
            acked[name] = time.monotonic()
            assert status == 201
            next_at += 1 / rate
            time.sleep(max(0, next_at - time.monotonic()))
        writer.close()

    await asyncio.to_thread(write)
    deadline = time.monotonic() + 30
    while len(deliveries) < total * watchers and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
    server_cpu = sum(cpu_seconds(p) for p in pids) - server_cpu
    own_cpu = time.process_time() - own_cpu
    dispatch = histogram_quantiles(histogram, dispatch_histogram(server))
    for transport, _ in streams:
        transport.abort()
    client.close()
    from_ack = sorted(max(0.0, t - acked[n]) for n, t in deliveries)
    from_send = sorted(t - sent[n] for n, t in deliveries)

    def pct(values, p):
        return round(1000 * values[min(len(values) - 1, int(len(values) * p))], 1) if values else None

    return {
        "watchers": watchers, "writes": total, "writes_per_second": rate,
        "deliveries": len(deliveries), "expected": total * watchers,
        "server_cpu_us_per_delivery": round(1e6 * server_cpu / max(1, len(deliveries)), 1),
        "client_cpu_us_per_delivery": round(1e6 * own_cpu / max(1, len(deliveries)), 1),
        # Server side alone: from the hub hearing of a write to its event
        # handed to every watch's connection.
        "server_dispatch": dispatch,
        "ack_to_delivery_ms": {"p50": pct(from_ack, 0.5), "p99": pct(from_ack, 0.99), "max": pct(from_ack, 1)},
        "request_to_delivery_ms": {"p50": pct(from_send, 0.5), "p99": pct(from_send, 0.99),
                                   "max": pct(from_send, 1)},
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--idle", type=int, default=5000, help="idle watches to hold (0: skip)")
    parser.add_argument("--latency-watchers", type=int, default=1000, help="watches for the latency run (0: skip)")
    parser.add_argument("--rate", type=float, default=20, help="writes per second in the latency run")
    parser.add_argument("--duration", type=float, default=30, help="seconds of writes in the latency run")
    parser.add_argument("--tls-front", action="store_true",
                        help="serve through the x509 TLS front (the default when a client CA is configured)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args()

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = 2 * max(args.idle, args.latency_watchers) + 1000
    if soft < need:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, need), hard))
    # Thousands of watches as one user from one address: lift the per-user and
    # per-address limits (README, Security and limits).
    env = {"KUBEAPI_WATCH_BOOKMARK_SECONDS": "3600", "KUBEAPI_MAX_WATCHES_PER_USER": "0",
           "KUBEAPI_MAX_CONNECTIONS_PER_ADDRESS": "0"}
    if not args.tls_front:
        env["KUBEAPI_CLIENT_CA_FILE"] = ""
    var_dir = Path(tempfile.mkdtemp(prefix="kubeapi-watch-bench-"))
    server, stop, proc = launch(var_dir / "var", env=env)
    results = {"database": "postgresql" if server.database_url.startswith("postgres") else "sqlite",
               "redis": bool(os.environ.get("KUBEAPI_REDIS_URL")), "tls_front": args.tls_front,
               "cpus": os.cpu_count()}
    try:
        admin = Client(server)
        ensure_namespace(admin, "bench-idle")
        ensure_namespace(admin, "bench-latency")
        admin.close()
        if args.idle:
            results["idle"] = asyncio.run(idle(server, proc.pid, args.idle, "bench-idle"))
            print("idle:", json.dumps(results["idle"], ensure_ascii=False), flush=True)
        gc.collect()
        if args.latency_watchers:
            results["latency"] = asyncio.run(latency(server, proc.pid, args.latency_watchers, args.rate, args.duration,
                                                     "bench-latency"))
            print("latency:", json.dumps(results["latency"], ensure_ascii=False), flush=True)
    finally:
        stop()
    if args.json:
        print(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
