"""The TLS front: terminates TLS on the secure port when x509 client
certificates are enabled, and relays each connection byte for byte to
granian on a loopback port (HTTP/1.1 and HTTP/2 alike: granian's plaintext
listener detects which).

granian verifies client certificates but cannot tell the application who
presented one, so this process does the TLS handshake (Python's ``ssl``,
``CERT_OPTIONAL`` against ``--client-ca-file``) and records the verified
certificate of every relayed connection in ``authz.x509.ConnectionTable``,
keyed by the local port of the loopback connection, before opening it.

Run by ``manage.py serve`` as a child process:
``python -m kubeapi.tlsfront --bind ... --port ... --upstream-port ...``.
"""
import argparse
import asyncio
import os
import signal
import socket
import ssl
import sys

HIGH_WATER = 256 * 1024
# Kernel buffers of both relayed sockets, fixed (no autotuning to several
# MB): the front should add little buffering between a slow client and
# the server, so backpressure (a watcher that stops reading) shows promptly.
SOCKET_BUFFER = 256 * 1024


class _Relay(asyncio.Protocol):
    """One side of a relayed connection; ``peer`` is the other side."""

    def __init__(self):
        self.transport = None
        self.peer = None
        self.pending = []
        self.closed = False

    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        if self.peer is not None and self.peer.transport is not None:
            self.peer.transport.write(data)
        else:
            self.pending.append(data)

    def pause_writing(self):
        self.peer.transport.pause_reading()

    def resume_writing(self):
        self.peer.transport.resume_reading()

    def eof_received(self):
        if self.peer is not None and self.peer.transport is not None and self.peer.transport.can_write_eof():
            self.peer.transport.write_eof()
            return True  # keep the other direction open
        self._close_both()
        return False

    def connection_lost(self, exc):
        self.closed = True
        self._close_both()

    def _close_both(self):
        if self.peer is not None and self.peer.transport is not None and not self.peer.closed:
            self.peer.transport.close()
        if self.transport is not None:
            self.transport.close()


class _Client(_Relay):
    """The TLS side."""

    def eof_received(self):
        # TLS cannot half-close: a close_notify ends the connection.
        if self.peer is not None and self.peer.transport is not None and self.peer.transport.can_write_eof():
            self.peer.transport.write_eof()
        return False

    def __init__(self, front):
        super().__init__()
        self.front = front
        self.local_port = None

    def connection_made(self, transport):
        super().connection_made(transport)
        transport.set_write_buffer_limits(HIGH_WATER)
        sock = transport.get_extra_info("socket")
        if sock is not None:
            try:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SOCKET_BUFFER)
            except OSError:
                pass
        transport.pause_reading()
        asyncio.get_running_loop().create_task(self._connect())

    async def _connect(self):
        loop = asyncio.get_running_loop()
        sslobj = self.transport.get_extra_info("ssl_object")
        cert = sslobj.getpeercert(binary_form=True) if sslobj is not None else None
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, SOCKET_BUFFER)
            sock.bind(("127.0.0.1", 0))
            self.local_port = sock.getsockname()[1]
            self.front.table.record(self.local_port, self.transport.get_extra_info("peername"), cert)
            sock.setblocking(False)
            await loop.sock_connect(sock, ("127.0.0.1", self.front.upstream_port))
            upstream = _Upstream(self)
            await loop.create_connection(lambda: upstream, sock=sock)
        except OSError:
            self._release()
            sock.close()
            self.transport.close()
            return
        self.peer = upstream
        upstream.peer = self
        for chunk in self.pending:
            upstream.transport.write(chunk)
        self.pending = []
        if not self.closed:
            self.transport.resume_reading()
        else:
            upstream.transport.close()

    def _release(self):
        if self.local_port is not None:
            self.front.table.clear(self.local_port)
            self.local_port = None

    def _close_both(self):
        # The slot goes before the loopback connection does.
        self._release()
        super()._close_both()


class _Upstream(_Relay):
    """The loopback side, towards granian."""

    def __init__(self, client):
        super().__init__()
        self.client = client

    def connection_made(self, transport):
        super().connection_made(transport)
        transport.set_write_buffer_limits(HIGH_WATER)

    def connection_lost(self, exc):
        self.closed = True
        self.client._release()
        self._close_both()


class Front:
    def __init__(self, table, upstream_port):
        self.table = table
        self.upstream_port = upstream_port


def ssl_context(cert, key, client_ca):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(cert, key)
    ctx.set_alpn_protocols(["h2", "http/1.1"])
    if client_ca:
        ctx.load_verify_locations(client_ca)
        ctx.verify_mode = ssl.CERT_OPTIONAL
    return ctx


async def serve(args):
    from authz.x509 import ConnectionTable

    loop = asyncio.get_running_loop()
    front = Front(ConnectionTable(args.table, create=True), args.upstream_port)
    ctx = ssl_context(args.cert, args.key, args.client_ca)
    server = await loop.create_server(lambda: _Client(front), args.bind, args.port, ssl=ctx, backlog=4096,
                                      reuse_address=True, ssl_handshake_timeout=30)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    parent = os.getppid()

    async def watch_parent():
        while not stop.is_set():
            if os.getppid() != parent:
                stop.set()
            await asyncio.sleep(1)

    loop.create_task(watch_parent())
    print(f"tls front ready on {args.bind}:{args.port}", flush=True)
    await stop.wait()
    server.close()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(bind, port, cert, key, client_ca, table):
    """Start the front as a child process; returns (process, upstream port)
    where granian should listen (plaintext, loopback)."""
    import subprocess

    upstream = free_port()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    proc = subprocess.Popen(
        [sys.executable, "-m", "kubeapi.tlsfront", "--bind", bind, "--port", str(port), "--upstream-port",
         str(upstream), "--cert", str(cert), "--key", str(key), "--client-ca", str(client_ca or ""),
         "--table", str(table)],
        cwd=root, stdout=subprocess.PIPE, text=True,
    )
    line = proc.stdout.readline()
    if "ready" not in line:
        proc.wait(10)
        raise RuntimeError(f"the TLS front did not start (exit code {proc.returncode})")
    _guard(proc, table)
    return proc, upstream


def _guard(proc, table):
    """Should the front die, its table no longer describes live connections:
    wipe it and stop the server (granian on the loopback port would
    otherwise be left answering with nobody checking certificates)."""
    import threading

    from authz.x509 import ConnectionTable

    def watch():
        proc.wait()
        ConnectionTable.wipe(str(table))
        if not getattr(proc, "stopping", False):
            print(f"the TLS front exited ({proc.returncode}); stopping the server", file=sys.stderr, flush=True)
            os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="tls-front-guard", daemon=True).start()


def stop(proc):
    proc.stopping = True
    proc.terminate()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bind", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--upstream-port", type=int, required=True)
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--client-ca", default="")
    parser.add_argument("--table", required=True)
    args = parser.parse_args(argv)
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    try:
        import uvloop  # bench/load.py GET: the front's CPU per request ~180 µs with asyncio, ~75 µs with uvloop

        uvloop.run(serve(args))
    except ImportError:
        asyncio.run(serve(args))


if __name__ == "__main__":
    main()
