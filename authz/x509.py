"""x509 client-certificate authentication.

granian (2.8.7) terminates TLS in Rust and does not hand the client
certificate to the application (its ``--ssl-client-verify`` only accepts or
refuses the connection). So when client certificates are enabled,
``manage.py serve`` puts an in-process-tree TLS front
(``kubeapi.tlsfront``) on the secure port: it verifies client certificates
against ``--client-ca-file`` and relays the decrypted bytes to granian on a
loopback port. Before it connects to granian it records, in a shared
table indexed by the *local port of that loopback connection*, who is on
the other end (certificate fingerprint, client address). Here the
application looks the request's ``REMOTE_PORT`` up in that table.

The table (``ConnectionTable``) is a memory-mapped file in the var
directory, readable by the server's processes only. A slot is written
before the loopback connection exists and cleared before it is closed, so
a slot always describes the connection that currently owns the port.
"""
import datetime
import hashlib
import ipaddress
import json
import mmap
import os
import struct

from cryptography import x509
from cryptography.x509.oid import NameOID

from authz.user import UserInfo

SLOTS = 65536
SLOT_SIZE = 64
_SLOT = struct.Struct("!BBH16s32s")  # state, ip version, client port, client ip, certificate sha256
EMPTY, NO_CERT, CERT = 0, 1, 2
TABLE_ENV = "KUBEAPI_TLS_FRONT_TABLE"


class ConnectionTable:
    def __init__(self, path, create=False):
        self.path = path
        self.identities = os.path.join(os.path.dirname(path), "x509-identities")
        if create:
            os.makedirs(self.identities, mode=0o700, exist_ok=True)
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)
            os.ftruncate(fd, SLOTS * SLOT_SIZE)
        else:
            fd = os.open(path, os.O_RDONLY)
        try:
            self._map = mmap.mmap(fd, SLOTS * SLOT_SIZE, access=mmap.ACCESS_WRITE if create else mmap.ACCESS_READ)
        finally:
            os.close(fd)
        self._identity_cache = {}

    # ----------------------------------------------------------- the front
    def record(self, local_port, peer, cert_der):
        """Describe the loopback connection from ``local_port``."""
        host, port = (peer or ("", 0))[:2]
        try:
            ip = ipaddress.ip_address(host)
            version, packed = ip.version, ip.packed.rjust(16, b"\0")
        except ValueError:
            version, packed = 0, b"\0" * 16
        digest = b"\0" * 32
        state = NO_CERT
        if cert_der:
            digest = hashlib.sha256(cert_der).digest()
            self._store_identity(digest.hex(), cert_der)
            state = CERT
        self._map[local_port * SLOT_SIZE:local_port * SLOT_SIZE + _SLOT.size] = _SLOT.pack(
            state, version, port, packed, digest)

    def clear(self, local_port):
        self._map[local_port * SLOT_SIZE] = EMPTY

    @staticmethod
    def wipe(path):
        """Forget every connection (the front is gone: its slots mean nothing)."""
        try:
            with open(path, "r+b") as fh:
                fh.write(b"\0" * (SLOTS * SLOT_SIZE))
        except OSError:
            pass

    def _store_identity(self, fingerprint, cert_der):
        path = os.path.join(self.identities, fingerprint + ".json")
        if fingerprint in self._identity_cache or os.path.exists(path):
            self._identity_cache[fingerprint] = True
            return

        cert = x509.load_der_x509_certificate(cert_der)
        subject = cert.subject
        identity = {
            "cn": [a.value for a in subject.get_attributes_for_oid(NameOID.COMMON_NAME)],
            "o": [a.value for a in subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)],
            "notBefore": cert.not_valid_before_utc.timestamp(),
            "notAfter": cert.not_valid_after_utc.timestamp(),
            "serial": format(cert.serial_number, "x"),
        }
        tmp = path + f".{os.getpid()}.tmp"
        with open(tmp, "w") as fh:
            json.dump(identity, fh)
        os.replace(tmp, path)
        self._identity_cache[fingerprint] = True

    # ------------------------------------------------------------ the app
    def lookup(self, local_port):
        """(client address, identity dict or None), or None when no front
        connection owns the port."""
        if not 0 < local_port < SLOTS:
            return None
        state, version, port, packed, digest = _SLOT.unpack_from(self._map, local_port * SLOT_SIZE)
        if state == EMPTY:
            return None
        address = ""
        if version == 4:
            address = str(ipaddress.IPv4Address(packed[12:]))
        elif version == 6:
            address = str(ipaddress.IPv6Address(packed))
        if state != CERT:
            return address, None
        fingerprint = digest.hex()
        identity = self._identity_cache.get(fingerprint)
        if identity is None:
            try:
                with open(os.path.join(self.identities, fingerprint + ".json")) as fh:
                    identity = json.load(fh)
            except (OSError, ValueError):
                return address, None
            self._identity_cache[fingerprint] = identity
        return address, identity


_table = None


def table():
    """The front's table, when this process serves behind the TLS front."""
    global _table
    if _table is None:
        path = os.environ.get(TABLE_ENV)
        if not path:
            _table = False
        else:
            try:
                _table = ConnectionTable(path)
            except OSError:
                _table = False
    return _table or None


def peer(environ):
    """(client address, certificate identity or None) of a request that
    came through the TLS front; None for a request that did not."""
    t = table()
    if t is None or environ.get("REMOTE_ADDR") != "127.0.0.1":  # the front connects from 127.0.0.1 only
        return None
    try:
        port = int(environ.get("REMOTE_PORT") or 0)
    except ValueError:
        return None
    return t.lookup(port)


def user_from_identity(identity):
    """CN → user name, O → groups (upstream's CommonNameUserConversion);
    None when the certificate is not valid now or has no CN."""

    now = datetime.datetime.now(datetime.timezone.utc).timestamp()
    if not identity or not identity.get("cn") or not identity["cn"][0]:
        return None
    if not identity.get("notBefore", 0) <= now <= identity.get("notAfter", 0):
        return None
    return UserInfo(identity["cn"][0], "", tuple(identity.get("o") or ()))
