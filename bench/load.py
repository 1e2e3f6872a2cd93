#!/usr/bin/env python3
"""Load benchmark: ConfigMap create (1 and 16 clients), GET by name, LIST of
1k and 10k objects. Prints requests/s and p50/p99 latency per scenario.

By default it starts its own server (``manage.py serve``) on a fresh
PostgreSQL database (``KUBEAPI_DATABASE_URL``, default
postgres://postgres@127.0.0.1:5432/kubeapi names the server to create it on),
the same way the end-to-end tests do. ``--server``/``--token`` or
``--kubeconfig`` target a running server instead.

The load generator is ``wrk`` (C, one thread): it costs the server far less
CPU than a Python client would on a small machine. Each scenario runs
``--repeat`` times; the report gives the best run and the spread of all runs,
and the best beside the ceilings measured before and after, in the same run
(bench/ceilings.py: N for reads, P for creates; the same workers and threads).

    .venv/bin/python bench/load.py                       # the README figures
    .venv/bin/python bench/load.py --threads 8 --workers 2
    .venv/bin/python bench/load.py --kubeconfig var/admin.kubeconfig --only get,list-1k
"""
import argparse
import base64
import http.client
import json
import os
import platform
import shutil
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
WRK_DIR = Path(__file__).resolve().parent / "wrk"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/kubeapi"

# Scenario name → (wrk script, connections, what it measures)
SCENARIOS = {
    "create-1": ("create", 1, "POST a ConfigMap, 1 client"),
    "create-16": ("create", 16, "POST a ConfigMap, 16 clients"),
    "get": ("get", 16, "GET a ConfigMap by name, 16 clients"),
    "list-1k": ("list", 1, "LIST 1,000 ConfigMaps (one namespace), 1 client"),
    "list-10k": ("list", 1, "LIST 10,000 ConfigMaps (one namespace), 1 client"),
    # What kubectl and informers do: page through with limit=500.
    "list-10k-page": ("list", 1, "first page (limit=500) of the 10,000 ConfigMaps, 1 client"),
    # The serving stack alone (no DRF, authentication or database): its ceiling.
    "livez": ("livez", 16, "GET /livez, 16 clients"),
}
LIST_SIZES = {"list-1k": 1000, "list-10k": 10000, "list-10k-page": 10000}
GET_NAMESPACE = "bench-1k"  # GET picks random names among the 1k seeded objects


# ---------------------------------------------------------------- targets
@dataclass
class Target:
    url: str
    token: str
    ca: str = ""  # CA file; empty → do not verify (wrk never verifies)
    stop: object = None
    database_url: str = ""  # known for a started server: its backends count as the server's CPU

    def ssl_context(self):
        if self.ca:
            return ssl.create_default_context(cafile=self.ca)
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        return ctx

    def connection(self):
        u = urlparse(self.url)
        if u.scheme == "https":
            return http.client.HTTPSConnection(u.hostname, u.port or 443, context=self.ssl_context(), timeout=60)
        return http.client.HTTPConnection(u.hostname, u.port or 80, timeout=60)

    @property
    def prefix(self):
        return urlparse(self.url).path.rstrip("/")  # /clusters/<tenant> for a tenant's kubeconfig


def start_target(workers=1, threads=None, extra_args=()):
    """Start ``manage.py serve`` on a fresh database (tests/conftest.py's helper)."""
    os.environ.setdefault("KUBEAPI_DATABASE_URL", DEFAULT_DATABASE_URL)
    sys.path.insert(0, str(ROOT))
    from tests.conftest import start_server

    tmp = Path(tempfile.mkdtemp(prefix="kubeapi-bench-"))
    args = list(extra_args)
    if threads:
        args += ["--threads", str(threads)]
    wait_for_connections(os.environ["KUBEAPI_DATABASE_URL"], workers * (threads or 8) + 8)
    server, stop = start_server(tmp, extra_args=args, workers=workers)

    def stop_and_clean():
        stop()
        shutil.rmtree(tmp, ignore_errors=True)

    return Target(server.url, server.token, str(server.ca), stop_and_clean, server.database_url), server


def start_granian(target, cmd, cwd, env, log_path, ready_path="/readyz", patience=30):
    """Run granian (``cmd``) until ``ready_path`` answers on ``target``; sets ``target.stop``."""
    log = open(log_path, "wb")
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.time() + patience
    while time.time() < deadline and proc.poll() is None:
        try:
            conn = target.connection()
            conn.request("GET", ready_path)
            if conn.getresponse().status == 200:
                break
        except OSError:
            time.sleep(0.2)
    else:
        proc.kill()
        log.close()
        raise SystemExit(f"{' '.join(cmd)} did not start:\n{Path(log_path).read_text()[-3000:]}")

    def stop():
        proc.terminate()
        proc.wait(15)
        log.close()

    target.stop = stop
    return target


def wait_for_connections(database_url, needed, patience=600):
    """A shared PostgreSQL may be near max_connections (every test server
    holds a connection per request thread): wait until the server to start
    fits, rather than measure its failures."""
    if not database_url.startswith("postgres"):
        return
    import psycopg

    parts = urlparse(database_url)
    admin_url = parts._replace(path="/postgres").geturl()
    deadline = time.monotonic() + patience
    while True:
        try:
            with psycopg.connect(admin_url, autocommit=True) as conn:
                free = conn.execute("SELECT current_setting('max_connections')::int"
                                    " - current_setting('superuser_reserved_connections')::int"
                                    " - (SELECT count(*) FROM pg_stat_activity)").fetchone()[0]
        except psycopg.OperationalError:  # none left even to ask
            free = 0
        if free >= needed or time.monotonic() > deadline:
            return
        print(f"# waiting for PostgreSQL connections: {free} free, the server needs {needed}", flush=True)
        time.sleep(10)


def target_from_kubeconfig(path, context_name=None):
    import yaml

    config = yaml.safe_load(Path(path).read_text())
    context_name = context_name or config.get("current-context")
    ctx = next(c["context"] for c in config["contexts"] if c["name"] == context_name)
    cluster = next(c["cluster"] for c in config["clusters"] if c["name"] == ctx["cluster"])
    user = next(u["user"] for u in config["users"] if u["name"] == ctx["user"])
    if "token" not in user:
        raise SystemExit(f"{path}: the bench needs a bearer-token user")
    ca = cluster.get("certificate-authority", "")
    if not ca and cluster.get("certificate-authority-data"):
        fd, ca = tempfile.mkstemp(suffix=".crt")
        os.write(fd, base64.b64decode(cluster["certificate-authority-data"]))
        os.close(fd)
    elif ca and not os.path.isabs(ca):
        ca = str(Path(path).resolve().parent / ca)
    if cluster.get("insecure-skip-tls-verify"):
        ca = ""
    return Target(cluster["server"], user["token"], ca)


# ---------------------------------------------------------------- seeding
def api(conn, target, method, path, body=None):
    headers = {"Authorization": f"Bearer {target.token}", "Accept": "application/json"}
    if body is not None:
        headers["Content-Type"] = "application/json"
        body = json.dumps(body)
    conn.request(method, target.prefix + path, body=body, headers=headers)
    resp = conn.getresponse()
    return resp.status, resp.read()


def configmap(name):
    """The object every scenario creates: a small, typical ConfigMap."""
    return {
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": name, "labels": {"app.kubernetes.io/name": "bench", "tier": "load"}},
        "data": {"color": "blue", "settings.yaml": "replicas: 3\nlogLevel: info\nfeatures:\n  - a\n  - b\n"},
    }


def ensure_namespace(target, name):
    conn = target.connection()
    status, body = api(conn, target, "POST", "/api/v1/namespaces",
                       {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
    conn.close()
    if status not in (201, 409):
        raise SystemExit(f"creating namespace {name}: {status} {body[:300]!r}")


def seed(target, namespace, count, clients=8):
    """Make sure ``namespace`` holds ConfigMaps cm-0 .. cm-<count-1> (idempotent)."""
    ensure_namespace(target, namespace)
    names = iter(range(count))
    lock = threading.Lock()
    failures = []

    def work():
        conn = target.connection()
        while True:
            with lock:
                i = next(names, None)
            if i is None:
                break
            status, body = api(conn, target, "POST", f"/api/v1/namespaces/{namespace}/configmaps",
                               configmap(f"cm-{i}"))
            if status not in (201, 409):
                failures.append((status, body[:300]))
                break
        conn.close()

    started = time.monotonic()
    pool = [threading.Thread(target=work) for _ in range(clients)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    if failures:
        raise SystemExit(f"seeding {namespace}: {failures[0]}")
    return time.monotonic() - started


# ---------------------------------------------------------------- running wrk
@dataclass
class Run:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int
    other_cpu: float | None = None  # % of the machine's CPU used by processes outside the benchmark
    cpu_us: float | None = None  # CPU time of the server processes per request
    db_cpu_us: float | None = None  # CPU time of the server's PostgreSQL backends per request



@dataclass
class Result:
    scenario: str
    description: str
    connections: int
    runs: list = field(default_factory=list)

    @property
    def best(self):
        return max(self.runs, key=lambda r: r.rps)

    def row(self, ceilings=None):
        best, rates = self.best, [r.rps for r in self.runs]
        other = "-" if best.other_cpu is None else f"{best.other_cpu:.0f}%"
        cpus = [(r.cpu_us, r.db_cpu_us) for r in self.runs if r.cpu_us is not None]
        cpu = f"{min(cpus)[0]:.0f}+{min(cpus)[1]:.0f}" if cpus else "-"
        return (f"{self.scenario:<13} {self.connections:>3} {best.rps:>9.0f} {min(rates):>7.0f}–{max(rates):<7.0f}"
                f" {best.p50_ms:>8.1f} {best.p99_ms:>8.1f} {sum(r.errors for r in self.runs):>6} {other:>6}"
                f" {cpu:>10}" + (f"  {ceilings.rate(best.rps, write=self.scenario.startswith('create'))}"
                                 if ceilings else ""))


HEADER = (f"{'scenario':<13} {'c':>3} {'req/s':>9} {'spread':^15} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6}"
          f" {'other':>6} {'cpu µs+db':>10}  best beside N (P for creates)")


# ---------------------------------------------------------------- quietness
# Other engineers' tests share the machine. Each run reports how much CPU
# went to processes outside the benchmark (not this process's descendants,
# not the server's PostgreSQL backends, not wrk): the quiet runs are the ones
# to trust.
_TICK = os.sysconf("SC_CLK_TCK")


def _machine_busy():
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, idle, iowait, irq, softirq, steal = (int(v) for v in fields[:8])
    return (user + nice + system + irq + softirq + steal) / _TICK


def _stat(pid):
    raw = Path(f"/proc/{pid}/stat").read_text()
    rest = raw[raw.rindex(")") + 2:].split()
    return int(rest[1]), (int(rest[11]) + int(rest[12])) / _TICK  # ppid, utime + stime


def _backend_pids(database_url):
    if not database_url.startswith("postgres"):
        return set()
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as conn:
        rows = conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database()").fetchall()
    return {r[0] for r in rows}


def _our_cpu(backends):
    """CPU seconds of (this process's descendants, the given backends)."""
    parents, cpu = {}, {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                parents[int(entry.name)], cpu[int(entry.name)] = _stat(entry.name)
            except (OSError, ValueError, IndexError):
                pass
    me, server, database = os.getpid(), 0.0, 0.0
    for pid in cpu:
        p = pid
        while p > 1 and p != me:
            p = parents.get(p, 0)
        if p == me and pid != me:
            server += cpu[pid]
        elif pid in backends:
            database += cpu[pid]
    return server, database


class Quietness:
    def __init__(self, target):
        self.database_url = target.database_url if target.stop else ""

    def __enter__(self):
        if not self.database_url or not Path("/proc/stat").exists():
            self.start = None
            return self
        self.backends = _backend_pids(self.database_url)
        self.start = (time.monotonic(), _machine_busy(), *_our_cpu(self.backends), _children_cpu())
        return self

    def __exit__(self, *exc):
        if self.start is None or exc[0] is not None:
            self.other = self.server = self.database = None
            return
        self.backends |= _backend_pids(self.database_url)
        wall, busy, server, database, children = self.start
        wall = time.monotonic() - wall
        server_now, database_now = _our_cpu(self.backends)
        self.server, self.database = server_now - server, database_now - database
        other = (_machine_busy() - busy) - self.server - self.database - (_children_cpu() - children)
        self.other = max(0.0, 100 * other / (wall * os.cpu_count()))


def _children_cpu():
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # wrk, once it has exited
    return usage.ru_utime + usage.ru_stime


def wrk_binary():
    path = shutil.which("wrk")
    if path:
        return path
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("installing wrk (apt-get install wrk)...", file=sys.stderr)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False, stdout=subprocess.DEVNULL)
        path = shutil.which("wrk")
    if not path:
        raise SystemExit("bench/load.py needs wrk (Debian/Ubuntu: apt-get install wrk)")
    return path


def wrk(target, script, connections, duration, url_path, script_args):
    cmd = [wrk_binary(), "-t1", f"-c{connections}", f"-d{duration}s", "--timeout", "30s",
           "-s", str(WRK_DIR / f"{script}.lua"), target.url + url_path, "--", target.token, *script_args]
    with Quietness(target) as quiet:
        out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    line = next((line for line in out.splitlines() if line.startswith("WRK_RESULT ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no result:\n{out}")
    data = json.loads(line.split(" ", 1)[1])
    rps = data["requests"] / (data["duration_us"] / 1e6)
    errors = data["status_errors"] + data["socket_errors"] + data["timeouts"]
    n = max(data["requests"], 1)
    cpu_us = None if quiet.server is None else 1e6 * quiet.server / n
    db_cpu_us = None if quiet.database is None else 1e6 * quiet.database / n
    return Run(rps, data["p50_us"] / 1000, data["p99_us"] / 1000, data["requests"], errors, quiet.other, cpu_us,
               db_cpu_us)


def run_scenario(target, name, duration, repeat, warmup):
    script, connections, description = SCENARIOS[name]
    result = Result(name, description, connections)
    prefix = target.prefix
    for i in range(-1 if warmup else 0, repeat):
        if script == "create":
            ns = f"bench-{name}"
            args = (f"{prefix}/api/v1/namespaces/{ns}/configmaps", f"r{uuid.uuid4().hex[:6]}-")
            run = wrk(target, "create", connections, duration if i >= 0 else warmup, args[0], args)
        elif script == "get":
            collection = f"{prefix}/api/v1/namespaces/{GET_NAMESPACE}/configmaps"
            run = wrk(target, "get", connections, duration if i >= 0 else warmup, "/", (collection, "cm-", "1000"))
        elif script == "livez":
            run = wrk(target, "path", connections, duration if i >= 0 else warmup, f"{prefix}/livez", ())
        else:
            ns = f"bench-{LIST_SIZES[name] // 1000}k"
            query = "?limit=500" if name.endswith("-page") else ""
            run = wrk(target, "path", connections, duration if i >= 0 else warmup,
                      f"{prefix}/api/v1/namespaces/{ns}/configmaps{query}", ())
        if i >= 0:
            result.runs.append(run)
    return result


def prepare(target, scenarios, quiet=False):
    for name in ("create-1", "create-16"):
        if name in scenarios:
            ensure_namespace(target, f"bench-{name}")
    sizes = {1000} if "get" in scenarios else set()
    sizes |= {LIST_SIZES[s] for s in scenarios if s in LIST_SIZES}
    for size in sorted(sizes):
        took = seed(target, f"bench-{size // 1000}k", size)
        if not quiet:
            print(f"# seeded bench-{size // 1000}k with {size} ConfigMaps in {took:.1f}s", flush=True)


def run_all(target, scenarios, duration, repeat, warmup, out=sys.stdout):
    prepare(target, scenarios)
    results = []
    print(HEADER, file=out)
    for name in scenarios:
        result = run_scenario(target, name, duration, repeat, warmup)
        results.append(result)
        print(result.row(), file=out, flush=True)
    return results


def machine():
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {"nproc": os.cpu_count(), "memory_gib": round(mem, 1), "cpu": model or platform.processor(),
            "python": platform.python_version()}


def load_average():
    return " ".join(Path("/proc/loadavg").read_text().split()[:3]) if Path("/proc/loadavg").exists() else "?"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    target_group = parser.add_argument_group("target (default: start a server on a fresh PostgreSQL database)")
    target_group.add_argument("--server", help="URL of a running server, e.g. https://127.0.0.1:6443")
    target_group.add_argument("--token", help="bearer token for --server")
    target_group.add_argument("--ca", default="", help="CA file for --server (default: do not verify)")
    target_group.add_argument("--kubeconfig", help="take server, CA and token from this kubeconfig")
    target_group.add_argument("--context", help="kubeconfig context (default: current)")
    parser.add_argument("--workers", type=int, default=None, help="server processes for a started server")
    parser.add_argument("--threads", type=int, default=None, help="request threads for a started server")
    parser.add_argument("--server-args", default="", help="extra `manage.py serve` flags for a started server")
    parser.add_argument("--only", default=",".join(s for s in SCENARIOS if s != "livez"), help="comma-separated scenarios: " + ", ".join(SCENARIOS))
    parser.add_argument("--duration", type=int, default=10, help="seconds per run (default 10)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per scenario (default 3)")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of unmeasured load first (default 2)")
    parser.add_argument("--json", help="also write the results here")
    opts = parser.parse_args(argv)
    scenarios = [s.strip() for s in opts.only.split(",") if s.strip()]
    unknown = [s for s in scenarios if s not in SCENARIOS]
    if unknown:
        parser.error(f"unknown scenario(s): {', '.join(unknown)}")
    wrk_binary()
    from ceilings import Ceilings  # it imports this module

    info = machine()
    print(f"# {info['nproc']} CPUs ({info['cpu']}), {info['memory_gib']} GiB, Python {info['python']}; "
          f"load average {load_average()}", flush=True)
    threads = opts.threads or int(os.environ.get("KUBEAPI_THREADS", 8))
    ceilings = Ceilings(opts.workers or 1, threads, writes=any(s.startswith("create") for s in scenarios))
    if opts.server:
        if not opts.token:
            parser.error("--server needs --token")
        target = Target(opts.server.rstrip("/"), opts.token, opts.ca)
    elif opts.kubeconfig:
        target = target_from_kubeconfig(opts.kubeconfig, opts.context)
    else:
        target, _ = start_target(opts.workers or 1, opts.threads, opts.server_args.split())
    print(f"# server {target.url}; {opts.repeat}×{opts.duration}s per scenario", flush=True)
    try:
        results = run_all(target, scenarios, opts.duration, opts.repeat, opts.warmup)
    finally:
        if target.stop:
            target.stop()
    print(ceilings.measure().line())
    print(HEADER)
    for result in results:  # again, each beside the ceilings' mean
        print(result.row(ceilings), flush=True)
    if opts.json:
        Path(opts.json).write_text(json.dumps({
            "machine": info, "workers": opts.workers, "threads": opts.threads, "N": ceilings.n, "P": ceilings.p,
            "results": [dict(asdict(r), best=asdict(r.best)) for r in results],
        }, indent=2) + "\n")


if __name__ == "__main__":
    main()
