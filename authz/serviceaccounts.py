"""ServiceAccount tokens: signed JWTs, as kube-apiserver issues them.

* Bound tokens (TokenRequest, ``kubectl create token``): audience,
  expiry, optionally bound to a Pod, Secret or Node; valid only while the
  ServiceAccount (same uid) and the bound object (same uid) exist.
* Legacy tokens: Secrets of type ``kubernetes.io/service-account-token``,
  filled in by the token controller; valid while the Secret still holds
  the token and the ServiceAccount exists.

Signed with ``--service-account-signing-key-file`` (RS256 for RSA keys,
ES256 for P-256), verified with it and the public keys of
``--service-account-key-file``. Tokens carry their tenant: a token of one
logical cluster means nothing in another.
"""
import base64
import hashlib
import json
import os
import time
import uuid

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

from authz.rbac import SA_PREFIX, service_account_groups, service_account_username
from authz.user import UserInfo
from kubeapi.conf import conf
from resources.kinds.core import invalid
from resources.machinery import errors
from resources.machinery.clock import rfc3339
from resources.store import storage
from resources.store.interface import Key

LEGACY_ISSUER = "kubernetes/serviceaccount"
TENANT_CLAIM = "kubeapi.io/tenant"
MIN_EXPIRATION = 600
DEFAULT_EXPIRATION = 3600
LEEWAY = 60  # seconds of clock skew tolerated on nbf/iat


class InvalidToken(Exception):
    pass


# ------------------------------------------------------------------- keys
def _b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def key_id(public_key):
    der = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return _b64(hashlib.sha256(der).digest())


_keys = {}


def signing_key():
    path = conf.signing_key_file
    cached = _keys.get(("private", path))
    if cached is None:
        with open(path, "rb") as fh:
            cached = serialization.load_pem_private_key(fh.read(), None)
        _keys[("private", path)] = cached
    return cached


def verification_keys():
    """{kid: public key} from the signing key and --service-account-key-file."""
    paths = tuple(conf.verifying_key_files)
    cached = _keys.get(("public", paths))
    if cached is None:
        cached = {}
        for path in paths:
            with open(path, "rb") as fh:
                data = fh.read()
            for block in _pem_blocks(data):
                if b"PRIVATE KEY" in block:
                    key = serialization.load_pem_private_key(block, None).public_key()
                elif b"CERTIFICATE" in block:
                    key = x509.load_pem_x509_certificate(block).public_key()
                else:
                    key = serialization.load_pem_public_key(block)
                cached[key_id(key)] = key
        _keys[("public", paths)] = cached
    return cached


def _pem_blocks(data):
    blocks, current = [], []
    for line in data.splitlines(keepends=True):
        if line.startswith(b"-----BEGIN"):
            current = [line]
        elif line.startswith(b"-----END") and current:
            current.append(line)
            blocks.append(b"".join(current))
            current = []
        elif current:
            current.append(line)
    return blocks


def ensure_signing_key(path):
    """Generate an RSA key (PKCS#8 PEM) at ``path`` when there is none."""

    if os.path.exists(path):
        return path
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with open(path, "wb") as fh:
        fh.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                   serialization.NoEncryption()))
    os.chmod(path, 0o600)
    return path


# -------------------------------------------------------------------- JWS
def sign(claims):
    key = signing_key()
    public = key.public_key()
    if isinstance(key, rsa.RSAPrivateKey):
        alg = "RS256"
    elif isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.name == "secp256r1":
        alg = "ES256"
    else:
        raise ValueError("service account signing key must be RSA or EC P-256")
    header = {"alg": alg, "kid": key_id(public)}
    signing_input = _b64(json.dumps(header, separators=(",", ":")).encode()) + "." + \
        _b64(json.dumps(claims, separators=(",", ":")).encode())
    if alg == "RS256":
        signature = key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    else:
        r, s = decode_dss_signature(key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256())))
        signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    return signing_input + "." + _b64(signature)


def looks_like_jwt(token):
    return token.count(".") == 2 and token.startswith("eyJ")


def verify(token):
    """The claims of a token signed by one of our keys; InvalidToken otherwise."""
    try:
        header_b64, claims_b64, signature_b64 = token.split(".")
        header = json.loads(_unb64(header_b64))
        claims = json.loads(_unb64(claims_b64))
        signature = _unb64(signature_b64)
    except (ValueError, TypeError):
        raise InvalidToken("malformed token") from None
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise InvalidToken("malformed token")
    alg = header.get("alg")
    keys = verification_keys()
    kid = header.get("kid")
    candidates = [keys[kid]] if isinstance(kid, str) and kid in keys else list(keys.values())
    signing_input = f"{header_b64}.{claims_b64}".encode()
    for key in candidates:
        try:
            if alg == "RS256" and isinstance(key, rsa.RSAPublicKey):
                key.verify(signature, signing_input, padding.PKCS1v15(), hashes.SHA256())
                return claims
            if alg == "ES256" and isinstance(key, ec.EllipticCurvePublicKey) and len(signature) == 64:
                der = encode_dss_signature(int.from_bytes(signature[:32], "big"),
                                           int.from_bytes(signature[32:], "big"))
                key.verify(der, signing_input, ec.ECDSA(hashes.SHA256()))
                return claims
        except InvalidSignature:
            continue
    raise InvalidToken("invalid signature")


# ------------------------------------------------------------------ issue
def _now():
    return int(time.time())


def issue_bound(tenant, sa, audiences, expiration, bound=None, now=None):
    """A bound token for ServiceAccount ``sa`` (its stored object); ``bound``
    is the kind/name/uid of the Pod, Secret or Node it is bound to."""
    now = _now() if now is None else now
    meta = sa["metadata"]
    private = {"namespace": meta["namespace"], "serviceaccount": {"name": meta["name"], "uid": meta["uid"]}}
    if bound:
        private[bound["kind"].lower()] = {"name": bound["name"], "uid": bound["uid"]}
    claims = {
        "aud": list(audiences),
        "exp": now + expiration,
        "iat": now,
        "iss": conf.service_account_issuer[0],
        "jti": str(uuid.uuid4()),
        "kubernetes.io": private,
        "nbf": now,
        "sub": service_account_username(meta["namespace"], meta["name"]),
        TENANT_CLAIM: tenant,
    }
    return sign(claims), claims["exp"]


def issue_legacy(tenant, sa, secret_name):
    meta = sa["metadata"]
    return sign({
        "iss": LEGACY_ISSUER,
        "kubernetes.io/serviceaccount/namespace": meta["namespace"],
        "kubernetes.io/serviceaccount/secret.name": secret_name,
        "kubernetes.io/serviceaccount/service-account.name": meta["name"],
        "kubernetes.io/serviceaccount/service-account.uid": meta["uid"],
        "sub": service_account_username(meta["namespace"], meta["name"]),
        TENANT_CLAIM: tenant,
    })


# ---------------------------------------------------------- authenticate
def _get(tenant, resource, namespace, name):
    stored = storage.get(Key(tenant, "", resource, namespace, name))
    return json.loads(stored.data) if stored else None


def _live(obj, uid=None):
    """Exists, is not being deleted, and (when given) has this uid."""
    if obj is None:
        return False
    meta = obj.get("metadata") or {}
    return not meta.get("deletionTimestamp") and (uid is None or meta.get("uid") == uid)


def authenticate(tenant, token):
    """UserInfo for a ServiceAccount token, None when the token is not one
    of ours (another authenticator may know it), InvalidToken when it is
    ours but not valid (expired, wrong audience, revoked...)."""
    if not looks_like_jwt(token):
        return None
    try:
        claims = verify(token)
    except InvalidToken:
        # Not signed by us: maybe someone else's JWT. The caller answers 401
        # when no authenticator accepts the token.
        return None
    _check_claims(claims)
    if claims.get(TENANT_CLAIM, "default") != tenant:
        raise InvalidToken("token was issued for another cluster")
    if claims.get("iss") == LEGACY_ISSUER:
        return _legacy_user(tenant, claims, token)
    if claims.get("iss") not in conf.service_account_issuer:
        raise InvalidToken("token issuer is not accepted")
    return _bound_user(tenant, claims)


_STRING_CLAIMS = ("iss", "sub", "jti", TENANT_CLAIM, "kubernetes.io/serviceaccount/namespace",
                  "kubernetes.io/serviceaccount/service-account.name",
                  "kubernetes.io/serviceaccount/service-account.uid", "kubernetes.io/serviceaccount/secret.name")


def _check_claims(claims):
    """Refuse (InvalidToken) claims of the wrong JSON type before anything
    reads them: even a token signed with our key is input (it may have been
    issued by another server sharing the key, or by an older version)."""
    def number(value):
        return isinstance(value, (int, float)) and not isinstance(value, bool)

    def string(value):
        return isinstance(value, str) and "\x00" not in value

    ok = all(number(claims[c]) for c in ("exp", "nbf", "iat") if c in claims)
    ok = ok and all(string(claims[c]) for c in _STRING_CLAIMS if c in claims)
    aud = claims.get("aud", [])
    ok = ok and (string(aud) or (isinstance(aud, list) and all(string(a) for a in aud)))
    private = claims.get("kubernetes.io") or {}
    ok = ok and isinstance(private, dict) and string(private.get("namespace", ""))
    for kind in ("serviceaccount", "pod", "secret", "node"):
        ref = (private.get(kind) or {}) if ok else None
        ok = ok and isinstance(ref, dict) and all(string(ref.get(f, "")) for f in ("name", "uid"))
    if not ok:
        raise InvalidToken("malformed token claims")


def _bound_user(tenant, claims):
    now = _now()
    exp, nbf = claims.get("exp"), claims.get("nbf", claims.get("iat"))
    if not isinstance(exp, (int, float)) or exp <= now:
        raise InvalidToken("token has expired")
    if isinstance(nbf, (int, float)) and nbf > now + LEEWAY:
        raise InvalidToken("token is not valid yet")
    audiences = claims.get("aud")
    audiences = [audiences] if isinstance(audiences, str) else audiences or []
    if not set(audiences) & set(conf.audiences):
        raise InvalidToken("token audiences are invalid for this server")
    private = claims.get("kubernetes.io") or {}
    namespace = private.get("namespace") or ""
    sa_ref = private.get("serviceaccount") or {}
    if claims.get("sub") != service_account_username(namespace, sa_ref.get("name", "")):
        raise InvalidToken("token subject does not match its service account")
    sa = _get(tenant, "serviceaccounts", namespace, sa_ref.get("name", ""))
    if not _live(sa, sa_ref.get("uid")):
        raise InvalidToken("service account has been deleted")
    extra = {}
    for kind, resource in (("pod", "pods"), ("secret", "secrets"), ("node", "nodes")):
        ref = private.get(kind)
        if not ref:
            continue
        obj = _get(tenant, resource, "" if kind == "node" else namespace, ref.get("name", ""))
        if not _live(obj, ref.get("uid")):
            raise InvalidToken(f"bound {kind} has been deleted")
        if kind in ("pod", "node"):
            extra[f"authentication.kubernetes.io/{kind}-name"] = [ref["name"]]
            extra[f"authentication.kubernetes.io/{kind}-uid"] = [ref["uid"]]
    if claims.get("jti"):
        extra["authentication.kubernetes.io/credential-id"] = [f"JTI={claims['jti']}"]
    return UserInfo(service_account_username(namespace, sa["metadata"]["name"]), sa["metadata"]["uid"],
                    tuple(service_account_groups(namespace)), extra)


def _legacy_user(tenant, claims, token):
    namespace = claims.get("kubernetes.io/serviceaccount/namespace") or ""
    name = claims.get("kubernetes.io/serviceaccount/service-account.name") or ""
    secret = _get(tenant, "secrets", namespace, claims.get("kubernetes.io/serviceaccount/secret.name") or "")
    if not _live(secret):
        raise InvalidToken("token secret has been deleted")
    stored = (secret.get("data") or {}).get("token") or ""
    try:
        stored = base64.b64decode(stored).decode()
    except (ValueError, UnicodeDecodeError):
        stored = ""
    if stored != token:
        raise InvalidToken("token does not match its secret")
    sa = _get(tenant, "serviceaccounts", namespace, name)
    if not _live(sa, claims.get("kubernetes.io/serviceaccount/service-account.uid")):
        raise InvalidToken("service account has been deleted")
    return UserInfo(service_account_username(namespace, name), sa["metadata"]["uid"],
                    tuple(service_account_groups(namespace)),
                    {"authentication.kubernetes.io/credential-id": [f"JTI={claims.get('jti', '')}"]}
                    if claims.get("jti") else {})


def parse_username(name):
    """(namespace, name) of a ServiceAccount user name, or None."""
    if not name.startswith(SA_PREFIX):
        return None
    parts = name[len(SA_PREFIX):].split(":")
    if len(parts) != 2 or not all(parts):
        return None
    return parts[0], parts[1]


# ------------------------------------------------------------ TokenRequest
def create_token(ctx, info, body):
    """POST serviceaccounts/<name>/token."""

    spec = body.get("spec") if isinstance(body.get("spec"), dict) else {}
    audiences = [a for a in spec.get("audiences") or [] if isinstance(a, str)] or list(conf.audiences)
    expiration = spec.get("expirationSeconds")
    expiration = DEFAULT_EXPIRATION if expiration is None else expiration
    causes = []
    if not isinstance(expiration, int) or isinstance(expiration, bool):
        causes.append(invalid("spec.expirationSeconds", expiration, "must be an integer"))
    elif expiration < MIN_EXPIRATION:
        causes.append(invalid("spec.expirationSeconds", expiration, "may not specify a duration less than 10 minutes"))
    elif expiration > 1 << 32:
        causes.append(invalid("spec.expirationSeconds", expiration, "may not specify a duration larger than 2^32 seconds"))
    if causes:
        raise errors.invalid("authentication.k8s.io", "TokenRequest", info.name, causes)
    cap = conf.service_account_max_token_expiration
    if cap and expiration > cap:
        expiration = cap
    sa = _get(ctx.tenant, "serviceaccounts", info.namespace, info.name)
    if sa is None:
        raise errors.not_found("", "serviceaccounts", info.name)
    if not _live(sa):
        raise errors.APIError(
            409, "Conflict", f'Operation cannot be fulfilled on serviceaccounts "{info.name}": '
            "the ServiceAccount is being deleted", {"name": info.name, "kind": "serviceaccounts"})
    bound = None
    ref = spec.get("boundObjectRef")
    if isinstance(ref, dict) and ref:
        kind = ref.get("kind") or ""
        resource = {"Pod": "pods", "Secret": "secrets", "Node": "nodes"}.get(kind)
        if resource is None or (ref.get("apiVersion") or "v1") != "v1":
            raise errors.bad_request(f'cannot bind token for object of type "{ref.get("apiVersion", "")}, Kind={kind}"')
        obj = _get(ctx.tenant, resource, "" if kind == "Node" else info.namespace, ref.get("name") or "")
        if obj is None:
            raise errors.not_found("", resource, ref.get("name") or "")
        uid = obj["metadata"]["uid"]
        if kind == "Pod" and ((obj.get("spec") or {}).get("serviceAccountName") or "default") != info.name:
            raise errors.bad_request(f'cannot bind token for serviceaccount "{info.name}" to pod running with '
                                     "different serviceaccount name.")
        if ref.get("uid") and ref["uid"] != uid:
            raise errors.conflict("", resource, ref.get("name") or "",
                                  f"the UID in the bound object reference ({ref['uid']}) does not match the UID in "
                                  f"record. The object might have been deleted and then recreated")
        bound = {"kind": kind, "name": obj["metadata"]["name"], "uid": uid}
        spec["boundObjectRef"] = {"kind": kind, "apiVersion": "v1", "name": bound["name"], "uid": uid}
    if ctx.dry_run:
        token, exp = "", _now() + expiration
    else:
        token, exp = issue_bound(ctx.tenant, sa, audiences, expiration, bound)
    spec["audiences"] = audiences
    spec["expirationSeconds"] = expiration
    return {
        "kind": "TokenRequest", "apiVersion": "authentication.k8s.io/v1",
        "metadata": {"name": info.name, "namespace": info.namespace, "creationTimestamp": rfc3339(_now())},
        "spec": spec,
        "status": {"token": token, "expirationTimestamp": rfc3339(exp)},
    }
