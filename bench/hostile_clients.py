#!/usr/bin/env python3
"""Hostile clients against a fresh server (PostgreSQL, like the tests):

- worker RSS after four concurrent anonymous 300 MB POSTs;
- worker RSS after a LIST of ``--list-items`` ConfigMaps (default 10k);
- TLS front RSS and descriptors with ``--connections`` TLS connections from
  one address opened at once (3,000; past ``--max-connections-per-address``
  they are refused);
- CPU and RSS of the server for a ~550-byte YAML "billion laughs" sent as a
  create, as an apply and anonymously (tests/test_hardening_decoding.py's);
- API GET (by name) and /livez p50/p99 with and without 8 anonymous clients
  flooding POST /admin/login/.

The serving ceiling N (bench/ceilings.py) is measured before and after, in the
same run, and each time is also given as a multiple of 1/N, the time per empty
request at the ceiling.

    KUBEAPI_DATABASE_URL=postgres://postgres@127.0.0.1:5432/kubeapi_bench .venv/bin/python bench/hostile_clients.py
"""
import argparse
import json
import multiprocessing
import os
import re
import socket
import ssl
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.ceilings import Ceilings  # noqa: E402
from tests.conftest import start_server  # noqa: E402
from tests.harness import bodies  # noqa: E402

MiB = 1024 * 1024


class Ms(float):
    """A time in ms, printed beside the ceiling N."""


def rss_mb(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def descriptors(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def cpu_seconds(pid):
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def children(pid):
    out = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        out += [int(c) for c in text]
    return out


def processes(root):
    """(granian workers, TLS front) pids under the serve process."""
    workers, front = [], None
    todo = [root]
    while todo:
        pid = todo.pop()
        for child in children(pid):
            cmd = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ")
            if b"kubeapi.tlsfront" in cmd:
                front = child
            elif not children(child):
                workers.append(child)
            todo.append(child)
    return workers, front


def connect(server):
    host, port = server.url.removeprefix("https://").split(":")
    ctx = ssl.create_default_context(cafile=str(server.ca))
    return ctx.wrap_socket(socket.create_connection((host, int(port)), timeout=60), server_hostname=host)


def big_anonymous_post(server):
    with connect(server) as sock:
        sock.sendall(b"POST /api/v1/namespaces/default/configmaps HTTP/1.1\r\nHost: x\r\n"
                     b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % (300 * MiB))
        chunk = b" " * MiB
        try:
            for _ in range(300):
                sock.sendall(chunk)
        except OSError:
            pass  # answered and closed early
        try:
            return sock.recv(200).split(b" ", 2)[1].decode()
        except (OSError, IndexError):
            return "closed"


def read_response(sock):
    """One HTTP/1.1 response with a Content-Length off a kept-alive socket."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(re.search(rb"(?i)content-length:\s*(\d+)", head).group(1))
    while len(body) < length:
        body += sock.recv(65536)
    return head, body


def latency(server, path, seconds, token=True):
    """p50/p99 ms of sequential GETs on one keep-alive connection."""
    sock = connect(server)
    auth = f"Authorization: Bearer {server.token}\r\n" if token else ""
    req = f"GET {path} HTTP/1.1\r\nHost: x\r\n{auth}\r\n".encode()
    times, end = [], time.monotonic() + seconds
    while time.monotonic() < end:
        t = time.perf_counter()
        sock.sendall(req)
        read_response(sock)
        times.append((time.perf_counter() - t) * 1000)
    sock.close()
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.99)], len(times)


def login_flood(url, ca, stop_at):
    import http.cookiejar

    ctx = ssl.create_default_context(cafile=ca)
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=ctx),
                                         urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(url + "/admin/login/", timeout=30).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    n = 0
    while time.time() < stop_at:
        form = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": f"admin{n % 50}",
                                       "password": "guess", "next": "/admin/"}).encode()
        req = urllib.request.Request(url + "/admin/login/", data=form, headers={"Referer": url + "/admin/login/"})
        try:
            opener.open(req, timeout=30).read()
        except Exception:  # noqa: BLE001 - 429s and the like: keep flooding
            pass
        n += 1


def create_configmaps(server, count):
    body = json.dumps({"kind": "ConfigMap", "apiVersion": "v1", "metadata": {"name": "NAME"},
                       "data": {"k": "v" * 200}})
    sock = connect(server)
    for i in range(count):
        data = body.replace("NAME", f"cm-{i}").encode()
        sock.sendall(b"POST /api/v1/namespaces/default/configmaps HTTP/1.1\r\nHost: x\r\n"
                     b"Authorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
                     % (server.token.encode(), len(data), data))
        read_response(sock)
    sock.close()


def yaml_bomb(server, pids):
    """Server CPU seconds and RSS growth (MB) for the bomb as a create, an apply and an anonymous create."""
    ns = "/api/v1/namespaces/default/configmaps"
    sends = (("POST", ns, "application/yaml", True), ("PATCH", ns + "/bomb?fieldManager=t",
             "application/apply-patch+yaml", True), ("POST", ns, "application/yaml", False))
    cpu, rss = sum(map(cpu_seconds, pids)), sum(map(rss_mb, pids))
    for method, path, content_type, token in sends:
        status, _, _ = server.request(method, path, bodies.yaml_bomb(), {"Content-Type": content_type}, token=token)
        assert status in (400, 401, 403), status
    return sum(map(cpu_seconds, pids)) - cpu, sum(map(rss_mb, pids)) - rss


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--list-items", type=int, default=10000)
    parser.add_argument("--connections", type=int, default=3000)
    parser.add_argument("--seconds", type=float, default=8)
    args = parser.parse_args()
    nthreads = os.environ.get("KUBEAPI_THREADS", "8")
    ceilings = Ceilings(workers=1, threads=int(nthreads), writes=False)
    server, stop = start_server(Path(tempfile.mkdtemp()), env={"KUBEAPI_THREADS": nthreads})
    try:
        workers, front = processes(server.process.pid)
        worker = max(workers, key=rss_mb)
        report = {"worker RSS at start (MB)": rss_mb(worker)}

        cpu, rss = yaml_bomb(server, [server.process.pid, *workers] + ([front] if front else []))
        report["YAML bomb (create, apply, anonymous): server CPU"] = Ms(1000 * cpu)
        report["YAML bomb: server RSS growth (MB)"] = rss

        threads = [threading.Thread(target=big_anonymous_post, args=(server,)) for _ in range(4)]
        t = time.monotonic()
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        report["four 300 MB anonymous POSTs: seconds"] = time.monotonic() - t
        time.sleep(1)
        report["worker RSS after them (MB)"] = rss_mb(worker)

        for name, path, token in (("livez", "/livez", False),
                                  ("API GET", "/api/v1/namespaces/default/configmaps/kube-root-ca.crt", True)):
            report[f"{name} p50 / p99, quiet"] = tuple(map(Ms, latency(server, path, args.seconds, token)[:2]))
        stop_at = time.time() + args.seconds * 2 + 3
        flood = [multiprocessing.Process(target=login_flood, args=(server.url, str(server.ca), stop_at))
                 for _ in range(8)]
        for p in flood:
            p.start()
        time.sleep(2)
        for name, path, token in (("livez", "/livez", False),
                                  ("API GET", "/api/v1/namespaces/default/configmaps/kube-root-ca.crt", True)):
            report[f"{name} p50 / p99, 8 login flooders"] = tuple(
                map(Ms, latency(server, path, args.seconds, token)[:2]))
        for p in flood:
            p.join()

        if front is not None:
            report["front RSS (MB) / descriptors at start"] = (rss_mb(front), descriptors(front))
            cpu = cpu_seconds(front)
            socks, refused = [], 0
            for _ in range(args.connections):  # all from 127.0.0.1: the per-address limit applies
                try:
                    socks.append(connect(server))
                except OSError:
                    refused += 1
            report["front RSS (MB) / descriptors with them open"] = (rss_mb(front), descriptors(front))
            report["connections opened / refused"] = (len(socks), refused)
            report["front CPU seconds for them"] = cpu_seconds(front) - cpu
            for s in socks:
                s.close()
            time.sleep(2)
            report["front RSS (MB) / descriptors after they closed"] = (rss_mb(front), descriptors(front))

        if args.list_items:
            create_configmaps(server, args.list_items)
            before = rss_mb(worker)
            latency(server, "/api/v1/namespaces/default/configmaps", 0.01)  # one LIST (JSON)
            sock = connect(server)
            sock.sendall(b"GET /api/v1/namespaces/default/configmaps HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                         + server.token.encode() + b"\r\nAccept: application/json;as=Table;v=v1;g=meta.k8s.io\r\n\r\n")
            read_response(sock)
            sock.close()
            time.sleep(1)
            report[f"worker RSS before / after a LIST (JSON, Table) of {args.list_items} ConfigMaps (MB)"] = (
                before, rss_mb(worker))
    finally:
        stop()
    print(ceilings.measure().line())
    for key, value in report.items():
        values = value if isinstance(value, tuple) else (value,)
        print(f"{key}: " + " / ".join(ceilings.time(v) if isinstance(v, Ms) else f"{v:.1f}" if isinstance(v, float)
                                      else str(v) for v in values))


if __name__ == "__main__":
    main()
