"""ServiceAccount issuer discovery (OIDC): the issuer's configuration and
the public keys that verify ServiceAccount tokens, so other systems can
trust them (``system:service-account-issuer-discovery`` lets every
ServiceAccount read them)."""
import base64
import json

from cryptography.hazmat.primitives.asymmetric import ec, rsa
from django.http import HttpResponse

from authz import serviceaccounts
from kubeapi.conf import conf


def _b64(number, size=None):
    raw = number.to_bytes(size or (number.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _jwk(kid, key):
    if isinstance(key, rsa.RSAPublicKey):
        numbers = key.public_numbers()
        return {"use": "sig", "kty": "RSA", "kid": kid, "alg": "RS256", "n": _b64(numbers.n), "e": _b64(numbers.e)}
    if isinstance(key, ec.EllipticCurvePublicKey):
        numbers = key.public_numbers()
        return {"use": "sig", "kty": "EC", "kid": kid, "alg": "ES256", "crv": "P-256",
                "x": _b64(numbers.x, 32), "y": _b64(numbers.y, 32)}
    return None


def openid_configuration(request, tenant=None):
    issuer = conf.service_account_issuer[0]
    algs = sorted({_jwk(k, v)["alg"] for k, v in serviceaccounts.verification_keys().items() if _jwk(k, v)})
    body = {"issuer": issuer, "jwks_uri": f"{issuer}/openid/v1/jwks", "response_types_supported": ["id_token"],
            "subject_types_supported": ["public"], "id_token_signing_alg_values_supported": algs}
    return HttpResponse(json.dumps(body), content_type="application/json")


def jwks(request, tenant=None):
    keys = [j for j in (_jwk(k, v) for k, v in sorted(serviceaccounts.verification_keys().items())) if j]
    return HttpResponse(json.dumps({"keys": keys}), content_type="application/jwk-set+json")
