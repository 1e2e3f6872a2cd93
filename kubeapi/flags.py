"""kube-apiserver-style flags of ``manage.py serve``.

Flags that configure Django (database, redis, ...) must be known before
settings load, so manage.py turns them into ``KUBEAPI_*`` environment
variables first; the same variables can be set directly.
"""
import argparse
import re

# flag → (environment variable, default, help)
SETTINGS_FLAGS = {
    "--database-url": ("KUBEAPI_DATABASE_URL", None, "postgres://user@host:5432/db or sqlite:///path (default: SQLite under var/)"),
    "--redis-url": ("KUBEAPI_REDIS_URL", None, "redis://host:6379/0 for the watch bus and Celery (default: in-process)"),
    "--service-cluster-ip-range": ("KUBEAPI_SERVICE_CLUSTER_IP_RANGE", None, "CIDR for Service cluster IPs (default 10.96.0.0/12)"),
    "--enable-admission-plugins": ("KUBEAPI_ENABLE_ADMISSION_PLUGINS", None, "admission plugins to enable beyond the default ones, comma-separated (upstream names)"),
    "--disable-admission-plugins": ("KUBEAPI_DISABLE_ADMISSION_PLUGINS", None, "default admission plugins to disable, comma-separated"),
    "--token-auth-file": ("KUBEAPI_TOKEN_AUTH_FILE", None, "static tokens, CSV: token,user,uid,\"group1,group2\""),
    "--request-timeout": ("KUBEAPI_REQUEST_TIMEOUT", None, "longest a non-watch request may take, a Go duration (default 60s; ?timeout= may ask for less)"),
    "--var-dir": ("KUBEAPI_VAR_DIR", None, "where generated certificates, kubeconfig and the SQLite file live (default var/)"),
}

# Authentication, authorization and audit flags live with authz.
from authz.conf import FLAGS as _AUTHZ_FLAGS  # noqa: E402

SETTINGS_FLAGS.update({flag: (env, None, help_text) for flag, (env, help_text) in _AUTHZ_FLAGS.items()})


def add_settings_flags(parser):
    for flag, (_, default, help_text) in SETTINGS_FLAGS.items():
        parser.add_argument(flag, default=default, help=help_text)


def apply(argv, environ):
    """Copy settings flags given to ``serve`` into the environment."""
    if len(argv) < 2 or argv[1] != "serve":
        return
    parser = argparse.ArgumentParser(add_help=False)
    add_settings_flags(parser)
    known, _ = parser.parse_known_args(argv[2:])
    for flag, (env, _, _) in SETTINGS_FLAGS.items():
        value = getattr(known, flag.lstrip("-").replace("-", "_"))
        if value is not None:
            environ[env] = value


_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600}


def go_duration(text):
    """Seconds of a Go duration (``time.ParseDuration``: "60s", "1m30s", "500ms")."""
    total, pos = 0.0, 0
    for m in re.finditer(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)", text):
        if m.start() != pos:
            break
        total += float(m.group(1)) * _UNITS[m.group(2)]
        pos = m.end()
    if text == "0":
        return 0.0
    if not text or pos != len(text):
        raise ValueError(f'time: invalid duration "{text}"')
    return total
