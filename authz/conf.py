"""authz settings: kube-apiserver flags of ``manage.py serve``, which
``kubeapi.flags`` turns into ``KUBEAPI_*`` environment variables (so every
server process sees them), with upstream's defaults."""
import os
import re

from django.conf import settings

DEFAULT_ISSUER = "https://kubernetes.default.svc.cluster.local"

# flag → (environment variable, help); all default to unset.
FLAGS = {
    "--client-ca-file": ("KUBEAPI_CLIENT_CA_FILE",
                         "CA bundle for x509 client certificates (default: the generated CA; \"\" disables)"),
    "--anonymous-auth": ("KUBEAPI_ANONYMOUS_AUTH",
                         "true: anonymous requests everywhere, authorized by RBAC; false: none; "
                         "default: only /healthz, /livez, /readyz, /version"),
    "--authorization-mode": ("KUBEAPI_AUTHORIZATION_MODE", "RBAC (default) or AlwaysAllow"),
    "--service-account-signing-key-file": ("KUBEAPI_SERVICE_ACCOUNT_SIGNING_KEY_FILE",
                                           "private key that signs ServiceAccount tokens (default: var/sa.key)"),
    "--service-account-key-file": ("KUBEAPI_SERVICE_ACCOUNT_KEY_FILE",
                                   "comma-separated PEM files of public keys that verify ServiceAccount tokens"),
    "--service-account-issuer": ("KUBEAPI_SERVICE_ACCOUNT_ISSUER",
                                 f"comma-separated issuers; the first signs (default {DEFAULT_ISSUER})"),
    "--api-audiences": ("KUBEAPI_API_AUDIENCES", "comma-separated audiences tokens must name (default: the issuers)"),
    "--service-account-max-token-expiration": ("KUBEAPI_SERVICE_ACCOUNT_MAX_TOKEN_EXPIRATION",
                                               "cap on TokenRequest expiry, e.g. 48h (default: none)"),
    "--audit-policy-file": ("KUBEAPI_AUDIT_POLICY_FILE", "audit.k8s.io/v1 Policy (YAML or JSON)"),
    "--audit-log-path": ("KUBEAPI_AUDIT_LOG_PATH", "where audit events go, JSON lines ('-' for stdout)"),
    "--audit-log-maxage": ("KUBEAPI_AUDIT_LOG_MAXAGE", "days to keep rotated audit logs"),
    "--audit-log-maxbackup": ("KUBEAPI_AUDIT_LOG_MAXBACKUP", "rotated audit logs to keep"),
    "--audit-log-maxsize": ("KUBEAPI_AUDIT_LOG_MAXSIZE", "megabytes before the audit log rotates"),
}


def _env(name):
    return os.environ.get(name)


def _list(value):
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def var_dir():
    return settings.VAR_DIR


def client_ca_file():
    value = _env("KUBEAPI_CLIENT_CA_FILE")
    if value is None:
        return str(var_dir() / "ca.crt")
    return value


def anonymous_mode():
    """"all", "none" or "public" (the default)."""
    value = (_env("KUBEAPI_ANONYMOUS_AUTH") or "").lower()
    if value in ("true", "1", "yes"):
        return "all"
    if value in ("false", "0", "no"):
        return "none"
    return "public"


def authorization_mode():
    return _env("KUBEAPI_AUTHORIZATION_MODE") or "RBAC"


def service_account_signing_key_file():
    return _env("KUBEAPI_SERVICE_ACCOUNT_SIGNING_KEY_FILE") or str(var_dir() / "sa.key")


def service_account_key_files():
    return _list(_env("KUBEAPI_SERVICE_ACCOUNT_KEY_FILE")) or [service_account_signing_key_file()]


def service_account_issuers():
    return _list(_env("KUBEAPI_SERVICE_ACCOUNT_ISSUER")) or [DEFAULT_ISSUER]


def api_audiences():
    return _list(_env("KUBEAPI_API_AUDIENCES")) or service_account_issuers()


def parse_duration(text):
    """Seconds of a Go duration ("48h", "1h30m", "90s") or a plain number."""
    text = (text or "").strip()
    if not text:
        return 0
    if text.isdigit():
        return int(text)
    total, pos = 0.0, 0
    for m in re.finditer(r"(\d+(?:\.\d+)?)(h|ms|m|s)", text):
        if m.start() != pos:
            raise ValueError(f"invalid duration {text!r}")
        total += float(m.group(1)) * {"h": 3600, "m": 60, "s": 1, "ms": 0.001}[m.group(2)]
        pos = m.end()
    if pos != len(text):
        raise ValueError(f"invalid duration {text!r}")
    return int(total)


def service_account_max_token_expiration():
    return parse_duration(_env("KUBEAPI_SERVICE_ACCOUNT_MAX_TOKEN_EXPIRATION"))


def audit_policy_file():
    return _env("KUBEAPI_AUDIT_POLICY_FILE") or ""


def audit_log_path():
    return _env("KUBEAPI_AUDIT_LOG_PATH") or ""


def audit_rotation():
    def number(name):
        try:
            return int(_env(name) or 0)
        except ValueError:
            return 0

    return (number("KUBEAPI_AUDIT_LOG_MAXAGE"), number("KUBEAPI_AUDIT_LOG_MAXBACKUP"),
            number("KUBEAPI_AUDIT_LOG_MAXSIZE"))
