#!/usr/bin/env python3
"""The two ceilings of ../shared/bench-ceilings (its README), measured in the
same run as kubeapi's figures so that a figure is quoted beside them:

- N, the serving ceiling: ``ceiling_app.py`` (an empty DRF view, no database,
  no authentication) under granian over TLS (a throwaway certificate), wrk
  with 16 clients: requests/s.
- P, the write ceiling: ``pg_write_path.sql`` (one create's bare write) under
  pgbench with 16 clients on a ``ceiling_p`` database made afresh: transactions/s.

The folder is found beside the repository's main checkout (``../shared``), or
at ``KUBEAPI_BENCH_CEILINGS``. PostgreSQL is the one ``KUBEAPI_DATABASE_URL``
names.

    .venv/bin/python bench/ceilings.py
    .venv/bin/python bench/ceilings.py --workers 2 --seconds 8
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent))
import load  # noqa: E402  (bench/load.py)

sys.path.insert(0, str(load.ROOT))
from kubeapi.bootstrap import ensure_serving_cert  # noqa: E402
from tests.conftest import _free_port  # noqa: E402

CLIENTS = 16
P_TABLES = ("CREATE TABLE obj(id bigserial primary key, name text, body jsonb);"
            " CREATE TABLE hist(id bigserial primary key, name text, body jsonb);"
            " CREATE TABLE counter(id int primary key, rv bigint); INSERT INTO counter VALUES (1, 0);")


def ceilings_dir():
    """../shared/bench-ceilings beside the repository (its main checkout, for a git worktree)."""
    if os.environ.get("KUBEAPI_BENCH_CEILINGS"):
        candidates = [Path(os.environ["KUBEAPI_BENCH_CEILINGS"])]
    else:
        candidates = [load.ROOT.parent / "shared" / "bench-ceilings"]
        common = subprocess.run(["git", "rev-parse", "--path-format=absolute", "--git-common-dir"], cwd=load.ROOT,
                                capture_output=True, text=True).stdout.strip()
        if common:
            candidates.append(Path(common).parent.parent / "shared" / "bench-ceilings")
    for path in candidates:
        if (path / "ceiling_app.py").exists() and (path / "pg_write_path.sql").exists():
            return path
    raise SystemExit("the ceilings (ceiling_app.py, pg_write_path.sql) are not in "
                     + " or ".join(str(c) for c in candidates) + "; set KUBEAPI_BENCH_CEILINGS to their folder")


def measure_n(workers=1, threads=8, seconds=8):
    """N in requests/s (and the wrk run: p50/p99) for ``workers`` granian processes of ``threads`` threads."""
    folder = ceilings_dir()
    tmp = Path(tempfile.mkdtemp(prefix="kubeapi-ceiling-n-"))
    cert, key = ensure_serving_cert(tmp, "127.0.0.1")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    cmd = [str(Path(sys.executable).parent / "granian"), "--interface", "wsgi", "--workers", str(workers),
           "--blocking-threads", str(threads), "--host", "127.0.0.1", "--port", str(port), "--no-access-log",
           "--ssl-certificate", str(cert), "--ssl-keyfile", str(key), "ceiling_app:application"]
    target = load.Target(f"https://127.0.0.1:{port}", "none")  # the view ignores the token wrk sends
    load.start_granian(target, cmd, folder, env, tmp / "granian.log", ready_path="/")
    try:
        load.wrk(target, "path", CLIENTS, 2, "/api/v1/namespaces/bench/configmaps/x", ())  # warm-up
        return load.wrk(target, "path", CLIENTS, seconds, "/api/v1/namespaces/bench/configmaps/x", ())
    finally:
        target.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def pgbench_binary():
    path = shutil.which("pgbench")
    if not path:
        raise SystemExit("P needs pgbench (Debian/Ubuntu: apt-get install postgresql-contrib)")
    return path


def measure_p(seconds=8, database="ceiling_p"):
    """P in transactions/s on a fresh ``database`` of the PostgreSQL that KUBEAPI_DATABASE_URL names."""
    import psycopg

    url = urlparse(os.environ.get("KUBEAPI_DATABASE_URL", load.DEFAULT_DATABASE_URL))
    load.wait_for_connections(url.geturl(), CLIENTS + 2)
    with psycopg.connect(url._replace(path="/postgres").geturl(), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {database}")
        conn.execute(f"CREATE DATABASE {database}")
    try:
        with psycopg.connect(url._replace(path=f"/{database}").geturl(), autocommit=True) as conn:
            conn.execute(P_TABLES)
        env = dict(os.environ, PGPASSWORD=url.password or "")
        out = subprocess.run([pgbench_binary(), "-h", url.hostname or "127.0.0.1", "-p", str(url.port or 5432),
                              "-U", url.username or "postgres", "-n", "-c", str(CLIENTS), "-j", "2",
                              "-T", str(seconds), "-f", str(ceilings_dir() / "pg_write_path.sql"), database],
                             capture_output=True, text=True, env=env, check=True).stdout
    finally:
        with psycopg.connect(url._replace(path="/postgres").geturl(), autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {database}")
    return float(re.search(r"tps = ([\d.]+)", out).group(1))


class Ceilings:
    """N (and P), measured before and after a benchmark (the machine's speed drifts within a run too), and a
    figure put beside their mean."""

    def __init__(self, workers=1, threads=8, seconds=8, writes=True):
        self.workers, self.threads, self.seconds, self.writes = workers, threads, seconds, writes
        self.ns, self.ps = [], []
        self.measure()

    def measure(self):
        self.ns.append(measure_n(self.workers, self.threads, self.seconds).rps)
        if self.writes:
            self.ps.append(measure_p(self.seconds))
        return self

    @property
    def n(self):
        return sum(self.ns) / len(self.ns)

    @property
    def p(self):
        return sum(self.ps) / len(self.ps) if self.ps else None

    def line(self):
        def fmt(values):
            return " and ".join(f"{v:,.0f}" for v in values) + (f" (mean {sum(values) / len(values):,.0f})"
                                                                 if len(values) > 1 else "")
        p = f"; P = {fmt(self.ps)} tps" if self.ps else ""
        return f"# ceilings, before and after: N = {fmt(self.ns)} req/s ({self.workers} worker(s)){p}"

    def rate(self, rps, write=False):
        """A throughput as a share of N (of P for a write)."""
        ceiling, name = (self.p, "P") if write else (self.n, "N")
        share = 100 * rps / ceiling
        return f"{rps:,.0f}/s = {share:.{0 if share >= 10 else 1}f} % of {name}"

    def time(self, ms, write=False):
        """A latency or CPU time in ms as a multiple of N's time per empty request, 1/N (and of P's per bare
        write, 1/P, for a write)."""
        p = f", {ms * self.p / 1000:,.1f} × 1/P" if write else ""
        return f"{ms:,.1f} ms ({ms * self.n / 1000:,.1f} × 1/N{p})"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=1, help="granian processes for N (default 1)")
    parser.add_argument("--threads", type=int, default=8, help="blocking threads per process for N (default 8)")
    parser.add_argument("--seconds", type=int, default=8, help="length of each measurement (default 8)")
    opts = parser.parse_args(argv)
    n = measure_n(opts.workers, opts.threads, opts.seconds)
    print(f"N = {n.rps:,.0f} req/s (p50 {n.p50_ms:.1f} ms, p99 {n.p99_ms:.1f} ms, {n.errors} errors; "
          f"{opts.workers} worker(s), {opts.threads} threads, {CLIENTS} wrk clients)")
    print(f"P = {measure_p(opts.seconds):,.0f} tps (pgbench, {CLIENTS} clients)")


if __name__ == "__main__":
    main()
