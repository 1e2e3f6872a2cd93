"""The TLS front: terminates TLS on the secure port when x509 client
certificates are enabled, and relays each connection byte for byte to
granian on a loopback port (HTTP/1.1 and HTTP/2 alike: granian's plaintext
listener detects which).

granian verifies client certificates but cannot tell the application who
presented one, so this process does the TLS handshake (Python's ``ssl``
on the socket itself, ``CERT_OPTIONAL`` against ``--client-ca-file``;
see ``_Connection`` for why not asyncio's SSL transport) and records the verified
certificate of every relayed connection in ``authz.x509.ConnectionTable``,
keyed by the local port of the loopback connection, before opening it.

It also bounds connections, per client address and in total: one past
either limit is reset as it is accepted, before any TLS work (see
``Front._accept``), and the refusals are logged at most every few seconds.

Run by ``manage.py serve`` as a child process:
``python -m kubeapi.tlsfront --bind ... --port ... --upstream-port ...``.
"""
import argparse
import asyncio
import errno
import os
import signal
import socket
import ssl
import struct
import sys

from kubeapi import memory
from kubeapi.conf import SETTINGS

# Bytes read from one side before they are handed to the other.
CHUNK = 64 * 1024
# Kernel buffers of both relayed sockets, fixed (no autotuning to several
# MB): the front should add little buffering between a slow client and
# the server, so backpressure (a watcher that stops reading) shows promptly.
SOCKET_BUFFER = 256 * 1024
# A client that connects and never completes the handshake holds a slot for
# at most this long (kube-apiserver: ReadHeaderTimeout 32 s bounds it).
HANDSHAKE_TIMEOUT = SETTINGS["tls_handshake_timeout"].default
# How long a connection granian ended keeps draining what the client still
# sends (Go's server waits 500 ms, its rstAvoidanceDelay).
LINGER_SECONDS = 0.5
# Open connections per client address and in total (0: no limit).
MAX_CONNECTIONS_PER_ADDRESS = SETTINGS["max_connections_per_address"].default
MAX_CONNECTIONS = SETTINGS["max_connections"].default
# Refusals are summed into one log line per this many seconds at most.
REFUSAL_LOG_INTERVAL = 10
# When the open connections fall back to none after a peak of this many,
# the front trims its heap (TLS and relay buffers of the spike).
TRIM_AFTER_CONNECTIONS = 64
# Errors that end a relayed connection (reset, broken pipe, bad TLS).
_GONE = (OSError, ValueError)


class _Connection:
    """One relayed connection: the client's TLS socket and the loopback
    socket to granian, each registered with the event loop directly.

    Blocking-style ``ssl.SSLSocket`` calls on non-blocking sockets rather
    than asyncio's SSL transport: OpenSSL then reads and writes the socket
    itself and releases its record buffers while a connection is idle,
    where the transport keeps two memory BIOs and a 256 KiB read buffer per
    connection (an idle watch cost the front 27.7 KiB; now ~17 KiB).

    At most one chunk waits in each direction (``to_up``, ``to_client``);
    while it waits, the side it came from is not read, so a client that
    stops reading stalls its own stream at granian and nothing else.
    """

    __slots__ = ("front", "loop", "tls", "fd", "up", "up_fd", "to_up", "to_client", "state",
                 "timer", "local_port", "read_wants_write", "interest", "address")

    def __init__(self, front, tls, address):
        self.front = front
        self.loop = front.loop
        self.address = address  # its slot in ``front.per_address``, released by close()
        self.tls = tls
        self.fd = self.tls.fileno()
        self.up = None
        self.up_fd = -1
        self.to_up = b""
        self.to_client = b""
        self.state = "handshake"  # → "connecting" → "relay" (→ "lingering") → "closed"
        self.local_port = None
        self.read_wants_write = False
        self.interest = 0  # bits: client read, client write, upstream read, upstream write
        self.timer = self.loop.call_later(front.handshake_timeout, self.close)
        self._handshake()

    # -- event loop interest: one place decides what each socket waits for
    def _interest(self, client_read, client_write, up_read, up_write):
        wanted = client_read | client_write << 1 | up_read << 2 | up_write << 3
        changed = wanted ^ self.interest
        if not changed:
            return
        self.interest = wanted
        loop = self.loop
        if changed & 1:
            loop.add_reader(self.fd, self._client_readable) if client_read else loop.remove_reader(self.fd)
        if changed & 2:
            loop.add_writer(self.fd, self._client_writable) if client_write else loop.remove_writer(self.fd)
        if changed & 4:
            loop.add_reader(self.up_fd, self._up_to_client) if up_read else loop.remove_reader(self.up_fd)
        if changed & 8:
            loop.add_writer(self.up_fd, self._up_writable) if up_write else loop.remove_writer(self.up_fd)

    def _relay_interest(self):
        if self.state == "relay":
            self._interest(client_read=not self.to_up, client_write=bool(self.to_client) or self.read_wants_write,
                           up_read=not self.to_client, up_write=bool(self.to_up))

    # -- handshake, then the loopback connection
    def _handshake(self):
        try:
            self.tls.do_handshake()
        except ssl.SSLWantReadError:
            self._interest(True, False, False, False)
            return
        except ssl.SSLWantWriteError:
            self._interest(False, True, False, False)
            return
        except _GONE:
            self.close()
            return
        self.timer.cancel()
        self.timer = None
        cert = self.tls.getpeercert(binary_form=True)
        up = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            up.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            up.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, SOCKET_BUFFER)
            up.bind(("127.0.0.1", 0))
            self.local_port = up.getsockname()[1]
            # Recorded before granian can accept the connection it names.
            self.front.table.record(self.local_port, self.tls.getpeername(), cert)
            up.setblocking(False)
            err = up.connect_ex(("127.0.0.1", self.front.upstream_port))
        except _GONE:
            up.close()
            self.close()
            return
        self.up, self.up_fd = up, up.fileno()
        if err == 0:
            self._connected()
        elif err in (errno.EINPROGRESS, errno.EAGAIN):
            self.state = "connecting"
            self._interest(False, False, False, True)
        else:
            self.close()

    def _connected(self):
        self.state = "relay"
        self._client_to_up()  # the handshake may have left request bytes decrypted already

    def _client_readable(self):
        if self.state == "handshake":
            self._handshake()
        elif self.state == "lingering":
            self._drain()
        else:
            self._client_to_up()

    def _client_writable(self):
        if self.state == "handshake":
            self._handshake()
            return
        if self.to_client:
            self._flush_to_client()
        if self.read_wants_write:
            self.read_wants_write = False
            self._client_to_up()
        else:
            self._relay_interest()

    def _up_writable(self):
        if self.state == "connecting":
            if self.up.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR):
                self.close()
            else:
                self._connected()
            return
        try:
            sent = self.up.send(self.to_up)
        except BlockingIOError:
            return
        except _GONE:
            self.close()
            return
        self.to_up = self.to_up[sent:]
        if not self.to_up:
            self._client_to_up()  # OpenSSL may hold decrypted bytes no poll would report

    # -- the two directions
    def _client_to_up(self):
        while not self.to_up and self.state == "relay":
            try:
                data = self.tls.recv(CHUNK)
            except ssl.SSLWantReadError:
                break
            except ssl.SSLWantWriteError:  # a TLS 1.3 key update to answer first
                self.read_wants_write = True
                break
            except _GONE:
                self.close()
                return
            if not data:  # close_notify or EOF: TLS cannot half-close
                self.close()
                return
            try:
                sent = self.up.send(data)
            except BlockingIOError:
                sent = 0
            except _GONE:
                self.close()
                return
            self.to_up = data[sent:]
            if not self.tls.pending():
                break  # the socket will say when there is more (saves a failing read per request)
        self._relay_interest()

    def _up_to_client(self):
        try:
            data = self.up.recv(CHUNK)
        except BlockingIOError:
            return
        except _GONE:
            self.close()
            return
        if not data:
            self._linger()
            return
        self.to_client = data
        self._flush_to_client()
        self._relay_interest()

    def _linger(self):
        """granian ended the connection, perhaps while the client is still
        sending (a 413 for a body past the limit): closing with unread bytes
        would send a RST, and the client would lose the response. So send
        what is left, end the writing half, and drain the client for a
        moment before closing."""
        if self.to_client:
            self._flush_to_client()
        self._interest(False, False, False, False)
        if self.to_client:  # the client does not read: nothing to save
            self.close()
            return
        try:
            self.tls.shutdown(socket.SHUT_WR)  # FIN (no close_notify: TLS cannot half-close)
        except _GONE:
            self.close()
            return
        self.state = "lingering"
        self.timer = self.loop.call_later(LINGER_SECONDS, self.close)
        self._interest(True, False, False, False)

    def _drain(self):
        try:
            data = self.tls.recv(CHUNK)  # plain bytes now: the TLS layer is gone
        except BlockingIOError:
            return
        except _GONE:
            data = b""
        if not data:
            self.close()

    def _flush_to_client(self):
        try:
            # OpenSSL writes all of it or nothing; after "want write" it is
            # retried with the same bytes (CPython allows a moving buffer).
            self.tls.send(self.to_client)
        except (ssl.SSLWantWriteError, ssl.SSLWantReadError):
            return
        except _GONE:
            self.close()
            return
        self.to_client = b""

    def close(self):
        if self.state == "closed":
            return
        lingering, self.state = self.state == "lingering", "closed"
        if self.timer is not None:
            self.timer.cancel()
        # The table slot goes before the loopback connection does.
        if self.local_port is not None:
            self.front.table.clear(self.local_port)
            self.local_port = None
        for fd in (self.fd, self.up_fd):
            if fd >= 0:
                self.loop.remove_reader(fd)
                self.loop.remove_writer(fd)
        if not lingering:
            try:
                self.tls.unwrap()  # close_notify, best effort (non-blocking)
            except _GONE:
                pass
        self.tls.close()
        if self.up is not None:
            self.up.close()
        self.front.release(self.address)


class Front:
    def __init__(self, loop, ctx, table, upstream_port, max_connections=MAX_CONNECTIONS,
                 max_per_address=MAX_CONNECTIONS_PER_ADDRESS, handshake_timeout=HANDSHAKE_TIMEOUT):
        self.loop = loop
        self.ctx = ctx
        self.table = table
        self.upstream_port = upstream_port
        self.max_connections = max_connections
        self.max_per_address = max_per_address
        self.handshake_timeout = handshake_timeout
        self.listeners = []
        self.open = 0  # connections, and their peak since the last trim
        self.peak = 0
        self.per_address = {}  # client address → its open connections
        self.refused = 0  # connections refused over a limit, since the start
        self.refused_logged = 0
        self.refusal_log = None  # the timer of the next log line, while refusals come

    def listen(self, host, port):
        """Listen on every address ``host`` resolves to, as asyncio's create_server does."""
        infos = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
        for family, kind, proto, _, address in dict.fromkeys(infos):
            sock = socket.socket(family, kind, proto)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            sock.bind(address)
            sock.listen(4096)
            sock.setblocking(False)
            self.loop.add_reader(sock.fileno(), self._accept, sock)
            self.listeners.append(sock)

    def _accept(self, listener):
        for _ in range(64):  # a burst of connections, without starving the relays
            try:
                sock, peer = listener.accept()
            except (BlockingIOError, InterruptedError, ConnectionAbortedError):
                return
            except OSError as exc:
                if exc.errno in (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM):
                    # Out of descriptors or memory: the listener stays readable,
                    # so stop polling it for a second rather than spin (as asyncio does).
                    self.loop.remove_reader(listener.fileno())
                    self.loop.call_later(1, self.loop.add_reader, listener.fileno(), self._accept, listener)
                return
            address = peer[0]
            if not self._admit(address):
                self._refuse(sock)
                continue
            sock.setblocking(False)
            try:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SOCKET_BUFFER)
            except OSError:
                pass
            try:
                tls = self.ctx.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
            except _GONE:  # gone before it was wrapped: no _Connection will release its slot
                sock.close()
                self.release(address)
                continue
            _Connection(self, tls, address)

    # -- the limits: every admitted connection is released once, by _Connection.close
    def _admit(self, address):
        held = self.per_address.get(address, 0)
        if 0 < self.max_connections <= self.open or 0 < self.max_per_address <= held:
            return False
        self.per_address[address] = held + 1
        self.open += 1
        self.peak = max(self.peak, self.open)
        return True

    def release(self, address):
        held = self.per_address.pop(address) - 1
        if held:
            self.per_address[address] = held
        self.open -= 1
        if self.open == 0 and self.peak >= TRIM_AFTER_CONNECTIONS:
            # A spike is over: return its buffers' heap to the system (kubeapi.memory).
            self.peak = 0
            self.loop.call_soon(memory.trim)

    def _refuse(self, sock):
        """Reset, not close: no TLS, no FIN exchange, no TIME_WAIT left here."""
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        sock.close()
        self.refused += 1
        if self.refusal_log is None:
            self._log_refusals()

    def _log_refusals(self):
        """One line now, then one per interval while refusals keep coming."""
        new = self.refused - self.refused_logged
        if not new:
            self.refusal_log = None
            return
        self.refused_logged = self.refused
        print(f"tls front: refused {new} connection(s) over the limits ({self.max_per_address} per client address,"
              f" {self.max_connections} in all; {self.open} open), {self.refused} since the start",
              file=sys.stderr, flush=True)
        self.refusal_log = self.loop.call_later(REFUSAL_LOG_INTERVAL, self._log_refusals)

    def close(self):
        for sock in self.listeners:
            self.loop.remove_reader(sock.fileno())
            sock.close()


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
    front = Front(loop, ssl_context(args.cert, args.key, args.client_ca), ConnectionTable(args.table, create=True),
                  args.upstream_port, args.max_connections, args.max_connections_per_address, args.handshake_timeout)
    front.listen(args.bind, args.port)
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
    front.close()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(bind, port, cert, key, client_ca, table, max_connections=MAX_CONNECTIONS,
          max_per_address=MAX_CONNECTIONS_PER_ADDRESS, handshake_timeout=HANDSHAKE_TIMEOUT):
    """Start the front as a child process; returns (process, upstream port)
    where granian should listen (plaintext, loopback)."""
    import subprocess

    upstream = free_port()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    proc = subprocess.Popen(
        [sys.executable, "-m", "kubeapi.tlsfront", "--bind", bind, "--port", str(port), "--upstream-port",
         str(upstream), "--cert", str(cert), "--key", str(key), "--client-ca", str(client_ca or ""),
         "--table", str(table), "--max-connections", str(max_connections),
         "--max-connections-per-address", str(max_per_address), "--handshake-timeout", str(handshake_timeout)],
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
    parser.add_argument("--max-connections", type=int, default=MAX_CONNECTIONS)
    parser.add_argument("--max-connections-per-address", type=int, default=MAX_CONNECTIONS_PER_ADDRESS)
    parser.add_argument("--handshake-timeout", type=float, default=HANDSHAKE_TIMEOUT)
    args = parser.parse_args(argv)
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    try:
        import uvloop  # bench/load.py GET: the front's CPU per request ~180 µs with asyncio, ~75 µs with uvloop

        uvloop.run(serve(args))
    except ImportError:
        asyncio.run(serve(args))


if __name__ == "__main__":
    main()
