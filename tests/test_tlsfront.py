"""The TLS front (kubeapi/tlsfront.py) as a relay: real TLS clients, a real
loopback upstream, the real connection table. The API-level x509 tests are
in test_authz_e2e.py; these check the bytes and the bookkeeping."""
import asyncio
import hashlib
import select
import socket
import ssl
import threading
import time

import pytest

from authz.x509 import ConnectionTable
from kubeapi import bootstrap, tlsfront
from tests.conftest import wait_for


class Upstream(asyncio.Protocol):
    """Echoes what it gets; remembers the peer port of each connection (the
    port the front recorded in the table) and closes on ``b"bye"``."""

    ports = []

    def connection_made(self, transport):
        self.transport = transport
        Upstream.ports.append(transport.get_extra_info("peername")[1])

    def data_received(self, data):
        if data.endswith(b"bye"):
            self.transport.close()
        else:
            self.transport.write(data)


@pytest.fixture(scope="module")
def front(tmp_path_factory):
    var = tmp_path_factory.mktemp("front")
    bootstrap.ensure_ca(var)
    cert, key = bootstrap.ensure_serving_cert(var, "10.0.0.1")
    table_path = var / "table"
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    state = {}

    async def start():
        upstream = await loop.create_server(Upstream, "127.0.0.1", 0)
        table = ConnectionTable(str(table_path), create=True)
        front = tlsfront.Front(loop, tlsfront.ssl_context(cert, key, var / "ca.crt"), table,
                               upstream.sockets[0].getsockname()[1])
        front.listen("127.0.0.1", 0)
        state["port"] = front.listeners[0].getsockname()[1]
        ready.set()

    thread = threading.Thread(target=lambda: (loop.run_until_complete(start()), loop.run_forever()), daemon=True)
    thread.start()
    assert ready.wait(10)
    yield var, state["port"], ConnectionTable(str(table_path))
    loop.call_soon_threadsafe(loop.stop)


def client_context(var, stem=None, user=None, groups=()):
    ctx = ssl.create_default_context(cafile=str(var / "ca.crt"))
    ctx.check_hostname = False
    if stem:
        ctx.load_cert_chain(*bootstrap.ensure_client_cert(var, stem, user, groups))
    return ctx


def connect(port, ctx):
    sock = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=10))
    sock.settimeout(10)
    return sock


def test_large_payloads_both_ways_with_a_slow_reader(front):
    var, port, _ = front
    payload = hashlib.sha256(b"seed").digest() * (8 * 1024 * 1024 // 32)  # 8 MiB, not compressible by accident
    sock = connect(port, client_context(var))
    # Both ways from one thread: an SSL object must not be read and written
    # from two threads at once (that made this test fail now and then).
    sock.setblocking(False)
    sent, received = 0, bytearray()
    while len(received) < len(payload):
        readable, writable, _ = select.select([sock], [sock] if sent < len(payload) else [], [], 10)
        assert readable or writable or sock.pending(), "the front stalled"
        if writable:
            try:
                sent += sock.send(payload[sent:sent + 64 * 1024])
            except (ssl.SSLWantReadError, ssl.SSLWantWriteError):
                pass
        if readable or sock.pending():
            try:
                chunk = sock.recv(256 * 1024)
            except (ssl.SSLWantReadError, ssl.SSLWantWriteError):
                continue
            assert chunk, "the front closed the connection early"
            received += chunk
            if len(received) < 2 * 1024 * 1024:
                time.sleep(0.005)  # a slow reader first: the front must hold back, not drop or reorder
    assert sent == len(payload) and bytes(received) == payload
    sock.close()


def test_many_connections_keep_their_own_bytes(front):
    var, port, _ = front
    ctx = client_context(var)
    socks = [connect(port, ctx) for _ in range(40)]
    for i, sock in enumerate(socks):
        sock.sendall(f"connection {i};".encode() * 100)
    for i, sock in enumerate(socks):
        expected = f"connection {i};".encode() * 100
        got = b""
        while len(got) < len(expected):
            got += sock.recv(65536)
        assert got == expected
        sock.close()


def test_table_names_the_certificate_while_connected_and_forgets_it_after(front):
    var, port, table = front
    sock = connect(port, client_context(var, "jane", "jane", ["devs"]))
    sock.sendall(b"hello")
    assert sock.recv(5) == b"hello"
    local_port = Upstream.ports[-1]
    address, identity = table.lookup(local_port)
    assert address == "127.0.0.1"
    assert identity["cn"] == ["jane"] and identity["o"] == ["devs"]
    sock.close()
    assert wait_for(lambda: table.lookup(local_port) is None, timeout=5)


def test_connection_without_certificate_is_recorded_without_identity(front):
    var, port, table = front
    sock = connect(port, client_context(var))
    sock.sendall(b"x")
    assert sock.recv(1) == b"x"
    assert table.lookup(Upstream.ports[-1]) == ("127.0.0.1", None)
    sock.close()


def test_upstream_close_reaches_the_client(front):
    var, port, table = front
    sock = connect(port, client_context(var))
    sock.sendall(b"bye")
    try:
        assert sock.recv(10) == b""
    except ssl.SSLError:
        pass  # an EOF without close_notify is also an end
    local_port = Upstream.ports[-1]
    assert wait_for(lambda: table.lookup(local_port) is None, timeout=5)
    sock.close()


def test_certificate_from_another_ca_fails_the_handshake(front, tmp_path):
    var, port, _ = front
    bootstrap.ensure_ca(tmp_path)
    ctx = client_context(var)
    ctx.load_cert_chain(*bootstrap.ensure_client_cert(tmp_path, "mallory", "mallory", ["system:masters"]))
    before = len(Upstream.ports)
    with pytest.raises((ssl.SSLError, ConnectionError)):
        sock = connect(port, ctx)
        sock.sendall(b"x")
        sock.recv(1)
    assert len(Upstream.ports) == before  # nothing reached the server


def test_a_stalled_handshake_does_not_hold_up_others(front):
    var, port, _ = front
    raw = socket.create_connection(("127.0.0.1", port), timeout=10)
    raw.sendall(b"\x16\x03\x01")  # the start of a ClientHello, then nothing
    # The front keeps serving others meanwhile.
    sock = connect(port, client_context(var))
    sock.sendall(b"still here")
    assert sock.recv(10) == b"still here"
    sock.close()
    raw.close()


def _cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def test_out_of_descriptors_backs_off_instead_of_spinning(front, tmp_path):
    """With no descriptor left to accept with, the listening socket stays
    readable: the front must pause accepting, not poll it in a busy loop,
    and serve again once descriptors are free."""
    import os
    import resource
    import subprocess
    import sys

    var, _, _ = front
    upstream = socket.create_server(("127.0.0.1", 0))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    root = os.path.dirname(os.path.dirname(os.path.abspath(tlsfront.__file__)))
    proc = subprocess.Popen(
        [sys.executable, "-m", "kubeapi.tlsfront", "--bind", "127.0.0.1", "--port", str(port),
         "--upstream-port", str(upstream.getsockname()[1]), "--cert", str(var / "apiserver.crt"),
         "--key", str(var / "apiserver.key"), "--client-ca", "", "--table", str(tmp_path / "table")],
        cwd=root, stdout=subprocess.PIPE, text=True,
        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (48, 48)))
    try:
        assert "ready" in proc.stdout.readline()
        flood = [socket.create_connection(("127.0.0.1", port)) for _ in range(80)]
        assert wait_for(lambda: len(os.listdir(f"/proc/{proc.pid}/fd")) >= 48, timeout=15), "descriptors left"
        before = _cpu_ticks(proc.pid)
        time.sleep(2)  # the window measured: a busy loop would burn the whole of it
        assert _cpu_ticks(proc.pid) - before < os.sysconf("SC_CLK_TCK")  # under 1 s of CPU in 2 s
        for sock in flood:
            sock.close()
        assert wait_for(lambda: _handshakes(port, client_context(var)), timeout=15)
    finally:
        proc.terminate()
        proc.wait(10)
        upstream.close()


def _handshakes(port, ctx):
    try:
        connect(port, ctx).close()
        return True
    except OSError:
        return False
