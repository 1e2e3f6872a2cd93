"""First-start material under var/: a CA, a serving certificate, the admin
token and kubeconfig. Generated once; later starts reuse them."""
import base64
import datetime
import ipaddress
import os
import secrets
import socket

import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

ADMIN_USER = "kubernetes-admin"


def _key():
    return ec.generate_private_key(ec.SECP256R1())


def _write_key(path, key):
    # PKCS#8: granian only reads that form.
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    os.chmod(path, 0o600)


def _name(cn, org=None):
    attrs = [x509.NameAttribute(NameOID.COMMON_NAME, cn)]
    if org:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, org))
    return x509.Name(attrs)


def ensure_ca(var_dir):
    cert_path, key_path = var_dir / "ca.crt", var_dir / "ca.key"
    if not cert_path.exists() or not key_path.exists():
        key = _key()
        now = datetime.datetime.now(datetime.timezone.utc)
        cert = (
            x509.CertificateBuilder()
            .subject_name(_name("kubeapi-ca"))
            .issuer_name(_name("kubeapi-ca"))
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(True, False, False, False, False, True, True, False, False), critical=True)
            .sign(key, hashes.SHA256())
        )
        _write_key(key_path, key)
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return cert_path, key_path


def ensure_serving_cert(var_dir, service_ip):
    cert_path, key_path = var_dir / "apiserver.crt", var_dir / "apiserver.key"
    if cert_path.exists() and key_path.exists():
        return cert_path, key_path
    ca_cert_path, ca_key_path = ensure_ca(var_dir)
    ca_cert = x509.load_pem_x509_certificate(ca_cert_path.read_bytes())
    ca_key = serialization.load_pem_private_key(ca_key_path.read_bytes(), None)
    key = _key()
    now = datetime.datetime.now(datetime.timezone.utc)
    names = ["localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc",
             "kubernetes.default.svc.cluster.local", socket.gethostname()]
    ips = ["127.0.0.1", "::1", service_ip]
    san = [x509.DNSName(n) for n in dict.fromkeys(names)] + [x509.IPAddress(ipaddress.ip_address(i)) for i in ips]
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("kube-apiserver"))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=365))
        .add_extension(x509.SubjectAlternativeName(san), critical=False)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    _write_key(key_path, key)
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return cert_path, key_path


def ensure_client_cert(var_dir, stem, user, groups=()):
    """A client certificate signed by the generated CA (CN = user, O = groups),
    as kubeadm writes for the cluster admin. Returns (cert, key) paths."""
    cert_path, key_path = var_dir / f"{stem}.crt", var_dir / f"{stem}.key"
    if cert_path.exists() and key_path.exists():
        return cert_path, key_path
    ca_cert_path, ca_key_path = ensure_ca(var_dir)
    ca_cert = x509.load_pem_x509_certificate(ca_cert_path.read_bytes())
    ca_key = serialization.load_pem_private_key(ca_key_path.read_bytes(), None)
    key = _key()
    now = datetime.datetime.now(datetime.timezone.utc)
    subject = [x509.NameAttribute(NameOID.ORGANIZATION_NAME, g) for g in groups]
    subject.append(x509.NameAttribute(NameOID.COMMON_NAME, user))
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name(subject))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=365))
        .add_extension(x509.KeyUsage(True, False, True, False, False, False, False, False, False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    _write_key(key_path, key)
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return cert_path, key_path


def ensure_admin_token(var_dir):
    """The admin's bearer token, in the --token-auth-file format (var/tokens.csv)."""
    path = var_dir / "tokens.csv"
    if path.exists():
        for line in path.read_text().splitlines():
            fields = line.split(",")
            if len(fields) >= 2 and fields[1] == ADMIN_USER:
                return fields[0]
    token = secrets.token_urlsafe(32)
    with open(path, "a") as fh:
        fh.write(f'{token},{ADMIN_USER},{ADMIN_USER},"system:masters"\n')
    os.chmod(path, 0o600)
    return token


def write_kubeconfig(path, server, ca_path, token, tenant="default", client_cert=None, client_key=None):
    """``client_cert``/``client_key``: authenticate with that certificate
    instead of the token."""
    if tenant != "default":
        server = f"{server}/clusters/{tenant}"
    user = {"token": token}
    if client_cert and client_key:
        user = {"client-certificate-data": base64.b64encode(client_cert.read_bytes()).decode(),
                "client-key-data": base64.b64encode(client_key.read_bytes()).decode()}
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "kubeapi", "cluster": {
            "server": server,
            "certificate-authority-data": base64.b64encode(ca_path.read_bytes()).decode(),
        }}],
        "users": [{"name": ADMIN_USER, "user": user}],
        "contexts": [{"name": "kubeapi", "context": {"cluster": "kubeapi", "user": ADMIN_USER}}],
        "current-context": "kubeapi",
        "preferences": {},
    }
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    os.chmod(path, 0o600)
    return path
