"""Shared fixtures. ``server`` starts the real API server (``manage.py
serve``) on a fresh database — PostgreSQL when KUBEAPI_DATABASE_URL names
one, else SQLite — and yields how to reach it."""
import asyncio
import inspect
import os
import socket
import ssl
import subprocess
import sys
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional
from urllib.parse import urlparse, urlunparse

import pytest

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Server:
    url: str
    kubeconfig: Path
    ca: Path
    token: str
    var_dir: Path
    database_url: str
    process: Optional[subprocess.Popen] = field(default=None, repr=False, compare=False)

    def request(self, method, path, body=None, headers=None, token=True):
        """Raw HTTPS request → (status, headers, body bytes)."""
        req = urllib.request.Request(self.url + path, data=body, method=method)
        if token:
            req.add_header("Authorization", f"Bearer {self.token}")
        for k, v in (headers or {}).items():
            req.add_header(k, v)
        ctx = ssl.create_default_context(cafile=str(self.ca))
        try:
            with urllib.request.urlopen(req, context=ctx, timeout=30) as resp:
                return resp.status, dict(resp.headers), resp.read()
        except urllib.error.HTTPError as err:
            return err.code, dict(err.headers), err.read()


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _fresh_database():
    """A new, empty database for one server: (url, cleanup)."""
    base = os.environ.get("KUBEAPI_DATABASE_URL", "")
    if base.startswith("postgres"):
        import psycopg

        name = f"kubeapi_e2e_{uuid.uuid4().hex[:10]}"
        parts = urlparse(base)
        admin_url = urlunparse(parts._replace(path="/postgres"))
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')

        def drop():
            with psycopg.connect(admin_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

        return urlunparse(parts._replace(path=f"/{name}")), drop
    return None, lambda: None


def create_tenant(server, name):
    """Create tenant ``name`` on ``server`` as an operator does
    (``manage.py create_tenant``: requests never create tenants); returns
    its path prefix, ``/clusters/<name>``."""
    env = dict(os.environ, KUBEAPI_VAR_DIR=str(server.var_dir), KUBEAPI_DATABASE_URL=server.database_url)
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "create_tenant", name], cwd=ROOT, env=env,
                   check=True, capture_output=True)
    return f"/clusters/{name}"


def wait_for(predicate, timeout=20, interval=0.1):
    """Poll until ``predicate()`` is truthy: its value, or None after
    ``timeout`` seconds (callers assert, with what to show when it failed)."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result or time.monotonic() > deadline:
            return result or None
        time.sleep(interval)


async def wait_for_async(predicate, timeout=20, interval=0.1):
    """``wait_for`` for a test on an event loop: sleeps without blocking it,
    and ``predicate()`` may return an awaitable (its result is the value)."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if inspect.isawaitable(result):
            result = await result
        if result or time.monotonic() > deadline:
            return result or None
        await asyncio.sleep(interval)


def start_server(tmp_path, extra_args=(), workers=1, env=None, database_url=None):
    """Start ``manage.py serve`` with its files in ``tmp_path``/var, ``env``
    on top of this process's environment; with ``database_url`` on that
    database (several servers on one database), else on a fresh one.
    Returns (Server, stop); ``stop(drop_database=False)`` keeps the database."""
    drop = lambda: None  # noqa: E731
    if database_url is None:
        database_url, drop = _fresh_database()
    var_dir = tmp_path / "var"
    var_dir.mkdir(parents=True, exist_ok=True)
    if database_url is None:
        database_url = f"sqlite:///{var_dir / 'kubeapi.sqlite3'}"
    port = _free_port()
    full_env = dict(os.environ, KUBEAPI_VAR_DIR=str(var_dir), KUBEAPI_DATABASE_URL=database_url)
    full_env.update(env or {})
    log = open(var_dir / "server.log", "ab")
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "serve", "--secure-port", str(port),
         "--workers", str(workers), *extra_args],
        cwd=ROOT, env=full_env, stdout=log, stderr=subprocess.STDOUT,
    )

    def ready():
        if proc.poll() is not None:
            raise RuntimeError("server exited:\n" + (var_dir / "server.log").read_text())
        kubeconfig = var_dir / "admin.kubeconfig"
        if not kubeconfig.exists():
            return None
        token = (var_dir / "tokens.csv").read_text().split(",")[0]
        server = Server(f"https://127.0.0.1:{port}", kubeconfig, var_dir / "ca.crt", token, var_dir, database_url,
                        process=proc)
        try:
            return server if server.request("GET", "/readyz")[0] == 200 else None
        except OSError:
            return None

    server = wait_for(ready, timeout=90, interval=0.2)
    if server is None:
        proc.kill()
        raise RuntimeError("server did not become ready:\n" + (var_dir / "server.log").read_text())

    def stop(drop_database=True):
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
        if drop_database:
            drop()

    return server, stop


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    srv, stop = start_server(tmp_path_factory.mktemp("server"))
    yield srv
    stop()
