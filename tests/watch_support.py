"""Helpers of the watch tests (tests/test_watch*.py) and bench/watch.py: a
minimal asyncio HTTP/1.1 watch client that can hold thousands of streams,
and a blocking keep-alive client for writes."""
import asyncio
import http.client
import json
import socket
import ssl
import sys
from pathlib import Path
from urllib.parse import urlencode, urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import start_server  # noqa: E402


def launch(directory, env=None, database_url=None, workers=1, extra_args=()):
    """conftest.start_server (its files in ``directory``/var) → (Server, stop,
    process), the form bench/watch.py uses; the tests call start_server."""
    server, stop = start_server(Path(directory), extra_args, workers, env=env, database_url=database_url)
    return server, stop, server.process


def ssl_context(server):
    return ssl.create_default_context(cafile=str(server.ca))


# ------------------------------------------------------------ blocking client
class Client:
    """A keep-alive HTTPS connection for writes and lists."""

    def __init__(self, server):
        self.server = server
        url = urlparse(server.url)
        self.host, self.port = url.hostname, url.port
        self.conn = None

    def request(self, method, path, body=None, headers=None):
        for attempt in range(3):
            if self.conn is None:
                self.conn = http.client.HTTPSConnection(self.host, self.port, context=ssl_context(self.server),
                                                        timeout=60)
            h = {"Authorization": f"Bearer {self.server.token}", "Accept": "application/json"}
            if body is not None:
                h["Content-Type"] = "application/json"
            h.update(headers or {})
            try:
                self.conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=h)
                resp = self.conn.getresponse()
                data = resp.read()
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
                continue
            return resp.status, (json.loads(data) if data else None)

    def close(self):
        if self.conn is not None:
            self.conn.close()


def ensure_namespace(client, name):
    status, body = client.request("POST", "/api/v1/namespaces",
                                  {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
    assert status in (201, 409), body


def namespace_filled(client, name):
    """The namespace controllers have done their writes in namespace ``name``
    (its ``default`` ServiceAccount and the root CA ConfigMap)."""
    return all(client.request("GET", f"/api/v1/namespaces/{name}/{path}")[0] == 200
               for path in ("serviceaccounts/default", "configmaps/kube-root-ca.crt"))


def configmap(name, namespace, labels=None, **data):
    meta = {"name": name, "namespace": namespace}
    if labels:
        meta["labels"] = labels
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": data}


# --------------------------------------------------------------- async client
class WatchClosed(Exception):
    pass


class AsyncWatch:
    """One watch stream over its own connection (HTTP/1.1, chunked)."""

    def __init__(self, server, path, params=None, headers=None, token=True, rcvbuf=None):
        self.server = server
        self.path = path + ("?" + urlencode(params) if params else "")
        self.headers = headers or {}
        self.token = token
        self.rcvbuf = rcvbuf  # a small receive buffer makes a slow reader
        self.reader = self.writer = None
        self.status = None
        self.response_headers = {}
        self.buffer = b""
        self.chunked = True
        self.eof = False

    async def open(self):
        url = urlparse(self.server.url)
        if self.rcvbuf:
            sock = socket.socket()
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, self.rcvbuf)
            sock.setblocking(False)
            await asyncio.get_running_loop().sock_connect(sock, (url.hostname, url.port))
            self.reader, self.writer = await asyncio.open_connection(
                sock=sock, ssl=ssl_context(self.server), server_hostname=url.hostname, limit=self.rcvbuf)
        else:
            self.reader, self.writer = await asyncio.open_connection(
                url.hostname, url.port, ssl=ssl_context(self.server), limit=1 << 22)
        lines = [f"GET {self.path} HTTP/1.1", f"Host: {url.hostname}:{url.port}", "User-Agent: watch-test"]
        if not any(k.lower() == "accept" for k in self.headers):
            lines.append("Accept: application/json")
        if self.token:
            lines.append(f"Authorization: Bearer {self.server.token}")
        lines += [f"{k}: {v}" for k, v in self.headers.items()]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
        await self.writer.drain()
        head = await self.reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin1").split("\r\n")
        self.status = int(status_line.split()[1])
        for line in header_lines:
            if ":" in line:
                k, v = line.split(":", 1)
                self.response_headers[k.strip().lower()] = v.strip()
        self.chunked = self.response_headers.get("transfer-encoding", "").lower() == "chunked"
        return self

    async def body(self):
        """The whole body of a non-streaming (error) response."""
        if "content-length" in self.response_headers:
            return await self.reader.readexactly(int(self.response_headers["content-length"]))
        out = b""
        while True:
            chunk = await self._chunk()
            if chunk is None:
                return out
            out += chunk

    async def _chunk(self):
        if not self.chunked:
            data = await self.reader.read(1 << 16)
            return data or None
        size_line = await self.reader.readuntil(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            await self.reader.readuntil(b"\r\n")
            return None
        data = await self.reader.readexactly(size + 2)
        return data[:-2]

    async def next_line(self):
        """The next event line (bytes); WatchClosed at the end of the stream."""
        while b"\n" not in self.buffer:
            if self.eof:
                raise WatchClosed()
            try:
                chunk = await self._chunk()
            except (asyncio.IncompleteReadError, ConnectionError, ssl.SSLError):
                chunk = None
            if chunk is None:
                self.eof = True
                if self.buffer:
                    line, self.buffer = self.buffer, b""
                    return line
                raise WatchClosed()
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\n")
        return line

    async def next_event(self, timeout=None):
        line = await (asyncio.wait_for(self.next_line(), timeout) if timeout else self.next_line())
        return json.loads(line)

    async def events(self, timeout=None):
        while True:
            try:
                yield await self.next_event(timeout)
            except WatchClosed:
                return

    def close(self):
        if self.writer is not None:
            try:
                self.writer.transport.abort()
            except Exception:
                pass


def metrics(server):
    status, _, body = server.request("GET", "/metrics")
    assert status == 200, body
    out = {}
    for line in body.decode().splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            out[name] = float(value)
    return out


def watchers_registered(server):
    return sum(v for k, v in metrics(server).items() if k.startswith("apiserver_longrunning_requests"))
