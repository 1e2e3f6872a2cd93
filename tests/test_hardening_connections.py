"""Connection limits of the TLS front, end to end against the real server
(one token held 3,000 connections from one address before): past
``--max-connections-per-address`` or ``--max-connections`` a connection is
reset as it is accepted, before any TLS; every way a connection ends gives
its slot back; a client that never finishes its handshake is cut."""
import socket
import ssl
import struct
import time

import pytest

from tests.conftest import start_server, wait_for

pytestmark = pytest.mark.e2e
PER_ADDRESS = 5
TOTAL = 8
HANDSHAKE_TIMEOUT = 2
RETRY = 0.3  # seconds between attempts to connect (wait_for's interval): each attempt opens connections


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    server, stop = start_server(tmp_path_factory.mktemp("connections"),
                                ["--max-connections-per-address", str(PER_ADDRESS), "--max-connections", str(TOTAL)],
                                env={"KUBEAPI_TLS_HANDSHAKE_TIMEOUT": str(HANDSHAKE_TIMEOUT)})
    yield server
    stop()


def _tcp(server, source):
    """A plain TCP connection from ``source`` (any of 127/8 reaches the server's 127.0.0.1)."""
    host, port = server.url.removeprefix("https://").split(":")
    return socket.create_connection((host, int(port)), timeout=10, source_address=(source, 0))


def _tls(server, source="127.0.0.1"):
    ctx = ssl.create_default_context(cafile=str(server.ca))
    return ctx.wrap_socket(_tcp(server, source), server_hostname="127.0.0.1")


def _livez(sock):
    sock.sendall(b"GET /livez HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        assert chunk, "the connection closed before the response"
        data += chunk
    return int(data.split(b" ", 2)[1])


def _refused(server, source="127.0.0.1"):
    """Whether the front drops a connection that has sent nothing: a
    connection it admitted would wait for the ClientHello."""
    try:
        with _tcp(server, source) as sock:  # the reset may even beat connect() back
            sock.settimeout(HANDSHAKE_TIMEOUT / 2)
            return sock.recv(1) == b""
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False


def _hold(server, count, source="127.0.0.1"):
    """``count`` working connections from ``source``, or None (none kept) if
    the front refused one: slots freed by a close are given back on the
    front's event loop, a moment after the client's close (callers retry
    with wait_for)."""
    socks = []
    try:
        for _ in range(count):
            socks.append(_tls(server, source))
            assert _livez(socks[-1]) == 200
        return socks
    except (OSError, AssertionError):
        _close(socks)
        return None


def _close(socks):
    for sock in socks:
        sock.close()


def test_past_the_per_address_limit_a_connection_is_reset_before_the_handshake(srv):
    held = wait_for(lambda: _hold(srv, PER_ADDRESS), interval=RETRY)
    assert held, "could not open the allowed connections"
    assert _refused(srv)
    with pytest.raises((ssl.SSLError, OSError)):
        _livez(_tls(srv))
    # The connections held keep working, and so do other addresses.
    assert [_livez(sock) for sock in held] == [200] * PER_ADDRESS
    with _tls(srv, "127.0.0.2") as other:
        assert _livez(other) == 200
    _close(held)
    # The slots come back: the same number again, and not one more.
    again = wait_for(lambda: _hold(srv, PER_ADDRESS), interval=RETRY)
    assert again, "closed connections did not give their slots back"
    assert _refused(srv)
    _close(again)
    log = (srv.var_dir / "server.log").read_text()
    assert "tls front: refused" in log and f"{PER_ADDRESS} per client address" in log


def test_past_the_total_limit_every_address_is_refused(srv):
    first = wait_for(lambda: _hold(srv, PER_ADDRESS, "127.0.0.1"), interval=RETRY)
    second = wait_for(lambda: _hold(srv, TOTAL - PER_ADDRESS, "127.0.0.2"), interval=RETRY)
    assert first and second
    assert _refused(srv, "127.0.0.3")
    _close(second)
    third = wait_for(lambda: _hold(srv, TOTAL - PER_ADDRESS, "127.0.0.3"), interval=RETRY)
    assert third, "closed connections did not give their slots back"
    _close(first + third)


def _fail_handshake(server, sock, foreign):
    """A certificate of another CA: the front fails the handshake with an alert."""
    ctx = ssl.create_default_context(cafile=str(server.ca))
    ctx.load_cert_chain(*foreign)
    tls = ctx.wrap_socket(sock, server_side=False, server_hostname="127.0.0.1")
    try:
        tls.recv(1)  # TLS 1.3: the client certificate is judged after the client's Finished
    except ssl.SSLError as exc:
        assert "alert" in str(exc), exc  # not the reset of a refused connection
        return tls
    raise AssertionError("a foreign certificate was accepted")


def _reset_after_a_request(server, sock, _):
    tls = ssl.create_default_context(cafile=str(server.ca)).wrap_socket(sock, server_hostname="127.0.0.1")
    assert _livez(tls) == 200
    tls.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # its close sends RST
    return tls


def _close_after_a_request(server, sock, _):
    tls = ssl.create_default_context(cafile=str(server.ca)).wrap_socket(sock, server_hostname="127.0.0.1")
    assert _livez(tls) == 200
    return tls


@pytest.fixture(scope="module")
def foreign(tmp_path_factory):
    from kubeapi import bootstrap

    var = tmp_path_factory.mktemp("foreign-ca")
    bootstrap.ensure_ca(var)
    return bootstrap.ensure_client_cert(var, "mallory", "mallory", ["system:masters"])


@pytest.mark.parametrize("end", [_fail_handshake, _reset_after_a_request, _close_after_a_request],
                         ids=["handshake-failure", "reset", "close"])
def test_every_way_a_connection_ends_frees_its_slot(srv, end, foreign):
    def ended():
        sock = None
        try:
            sock = _tcp(srv, "127.0.0.1")
            return end(srv, sock, foreign)
        except (OSError, AssertionError):  # refused: a slot of the round before is not back yet
            if sock is not None:
                sock.close()
            return None

    for _ in range(3):  # three times the limit in all
        socks = [wait_for(ended, interval=RETRY) for _ in range(PER_ADDRESS)]
        assert all(socks), f"{end.__name__}: slots not given back"
        _close(socks)
        again = wait_for(lambda: _hold(srv, PER_ADDRESS), interval=RETRY)
        assert again, f"connections ended by {end.__name__} kept their slots"
        _close(again)


def test_a_client_that_never_says_hello_is_cut_and_frees_its_slot(srv):
    silent = [_tcp(srv, "127.0.0.1") for _ in range(PER_ADDRESS)]
    started = time.monotonic()
    assert _refused(srv)  # they hold every slot while they wait
    for sock in silent:
        sock.settimeout(HANDSHAKE_TIMEOUT + 10)
        try:
            assert sock.recv(1) == b""
        except ConnectionResetError:
            pass
    elapsed = time.monotonic() - started
    assert HANDSHAKE_TIMEOUT - 0.5 < elapsed < HANDSHAKE_TIMEOUT + 8
    held = wait_for(lambda: _hold(srv, PER_ADDRESS), interval=RETRY)
    assert held, "timed-out handshakes kept their slots"
    _close(held + silent)
