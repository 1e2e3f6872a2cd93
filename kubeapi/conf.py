"""Every kubeapi setting in one table, and one way to read it: ``conf.<name>``.

A setting comes from its ``KUBEAPI_<NAME>`` environment variable, else its
default, parsed once per process. ``manage.py serve`` turns its
kube-apiserver flags into these variables before anything starts (the
``flag`` column; ``kubeapi.flags``), so each worker process and the TLS
front see the same values. Django's own settings (``kubeapi.settings``) are
built from here too; nothing else reads ``os.environ`` for configuration.

    from kubeapi.conf import conf
    conf.request_timeout          # "60s"
    conf.watch_queue_length       # 1000
"""
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_ISSUER = "https://kubernetes.default.svc.cluster.local"


def _bool(text):
    return text.strip().lower() in ("1", "true", "yes")


def _int_or_zero(text):
    try:
        return int(text or 0)
    except ValueError:
        return 0


def csv(text):
    return [v.strip() for v in (text or "").split(",") if v.strip()]


_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600}


def go_duration(text):
    """Seconds of a Go duration (``time.ParseDuration``: "60s", "1m30s", "500ms")."""
    if text == "0":
        return 0.0
    total, pos = 0.0, 0
    for m in re.finditer(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)", text):
        if m.start() != pos:
            break
        total += float(m.group(1)) * _UNITS[m.group(2)]
        pos = m.end()
    if not text or pos != len(text):
        raise ValueError(f'time: invalid duration "{text}"')
    return total


def seconds(text):
    """Whole seconds of a plain number or a Go duration ("3600", "48h"); "" is 0."""
    text = (text or "").strip()
    return int(text) if text.isdigit() else int(go_duration(text)) if text else 0


@dataclass(frozen=True)
class Setting:
    default: object
    parse: Callable = str  # text of the environment variable → value (the default is not parsed)
    flag: str = ""  # the ``manage.py serve`` flag that sets it
    help: str = ""


SETTINGS = {
    # --- the server
    "var_dir": Setting(BASE_DIR / "var", Path, "--var-dir",
                       "where generated certificates, kubeconfig and the SQLite file live (default var/)"),
    "database_url": Setting("", str, "--database-url",
                            "postgres://user@host:5432/db or sqlite:///path (default: SQLite under var/)"),
    "redis_url": Setting("", str, "--redis-url",
                         "redis://host:6379/0 for the watch bus and Celery (default: in-process)"),
    "celery_broker_url": Setting(""),
    "secret_key": Setting(""),  # default: generated once under var/ (kubeapi.settings)
    "debug": Setting(False, _bool),
    "log_level": Setting("WARNING"),
    "workers": Setting(1, int),
    "threads": Setting(8, int),
    "embedded_loops": Setting(True, _bool),
    "access_log": Setting(False, _bool),
    "count_queries": Setting(False, _bool),  # tests/test_query_counts.py
    "max_connections_per_worker": Setting(65536, int),
    # --- kube-apiserver flags
    "service_cluster_ip_range": Setting("10.96.0.0/12", str, "--service-cluster-ip-range",
                                        "CIDR for Service cluster IPs (default 10.96.0.0/12)"),
    "enable_admission_plugins": Setting("", str, "--enable-admission-plugins",
                                        "admission plugins to enable beyond the default ones, comma-separated "
                                        "(upstream names)"),
    "disable_admission_plugins": Setting("", str, "--disable-admission-plugins",
                                         "default admission plugins to disable, comma-separated"),
    "token_auth_file": Setting("", str, "--token-auth-file",
                               "static tokens, CSV: token,user,uid,\"group1,group2\""),
    "request_timeout": Setting("60s", str, "--request-timeout",
                               "longest a non-watch request may take, a Go duration (default 60s; ?timeout= may "
                               "ask for less)"),
    "client_ca_file": Setting(None, str, "--client-ca-file",
                              "CA bundle for x509 client certificates (default: the generated CA; \"\" disables)"),
    "anonymous_auth": Setting("", str, "--anonymous-auth",
                              "true: anonymous requests everywhere, authorized by RBAC; false: none; "
                              "default: only /healthz, /livez, /readyz, /version"),
    "authorization_mode": Setting("RBAC", str, "--authorization-mode", "RBAC (default) or AlwaysAllow"),
    "service_account_signing_key_file": Setting("", str, "--service-account-signing-key-file",
                                                "private key that signs ServiceAccount tokens (default: var/sa.key)"),
    "service_account_key_file": Setting([], csv, "--service-account-key-file",
                                        "comma-separated PEM files of public keys that verify ServiceAccount tokens"),
    "service_account_issuer": Setting([DEFAULT_ISSUER], csv, "--service-account-issuer",
                                      f"comma-separated issuers; the first signs (default {DEFAULT_ISSUER})"),
    "api_audiences": Setting([], csv, "--api-audiences",
                             "comma-separated audiences tokens must name (default: the issuers)"),
    "service_account_max_token_expiration": Setting(0, seconds,
                                                    "--service-account-max-token-expiration",
                                                    "cap on TokenRequest expiry, e.g. 48h (default: none)"),
    "audit_policy_file": Setting("", str, "--audit-policy-file", "audit.k8s.io/v1 Policy (YAML or JSON)"),
    "audit_log_path": Setting("", str, "--audit-log-path", "where audit events go, JSON lines ('-' for stdout)"),
    "audit_log_maxage": Setting(0, _int_or_zero, "--audit-log-maxage", "days to keep rotated audit logs"),
    "audit_log_maxbackup": Setting(0, _int_or_zero, "--audit-log-maxbackup", "rotated audit logs to keep"),
    "audit_log_maxsize": Setting(0, _int_or_zero, "--audit-log-maxsize", "megabytes before the audit log rotates"),
    # --- limits (Security and limits in the README)
    "max_connections": Setting(20000, int),
    "max_connections_per_address": Setting(1000, int),
    "tls_handshake_timeout": Setting(30.0, float),
    "body_grace_seconds": Setting(10.0, float),
    # Concurrent watches one user may hold per server process (0: no limit); an
    # informer-heavy controller holds dozens, one per resource it follows.
    "max_watches_per_user": Setting(1000, int),
    # --- watches and history
    # History kept for watches that resume from an old revision: at least this
    # long, and never fewer than this many newest revisions (etcd-style compaction).
    "watch_retention_seconds": Setting(300.0, float),
    "watch_retain_revisions": Setting(1000, int),
    "watch_compaction_interval": Setting(30.0, float),
    "watch_bookmark_seconds": Setting(5.0, float),
    "watch_queue_length": Setting(1000, int),  # events a watcher may have waiting; beyond, it is closed
    "watch_replay_batch": Setting(1000, int),  # history rows a replaying watch reads per query
    "watch_default_timeout_seconds": Setting(1800, int),
    "watch_db_threads": Setting(4, int),
    "watch_poll_seconds": Setting(1.0, float),
    # --- caches
    # How often a process probes the history for another process's CRD change.
    "crd_refresh_seconds": Setting(1.0, float),
    # How often a process re-reads which namespaces hold ResourceQuotas and LimitRanges.
    "quota_holders_refresh_seconds": Setting(1.0, float),
    "rbac_decision_cache": Setting(True, _bool),
    "rbac_generation_ttl": Setting(0.25, float),
}

# Not settings: facts of the API this server serves.
MAX_REQUEST_BYTES = 3 * 1024 * 1024
VERSION = "v1.32.0"


def env_name(name):
    return "KUBEAPI_" + name.upper()


class Conf:
    """``conf.<name>``: the setting's value in this process."""

    def __init__(self):
        self._values = {}

    def __getattr__(self, name):
        try:
            setting = SETTINGS[name]
        except KeyError:
            raise AttributeError(f"no kubeapi setting {name!r}") from None
        if name not in self._values:
            text = os.environ.get(env_name(name))
            try:
                self._values[name] = setting.default if text is None else setting.parse(text)
            except ValueError as exc:
                flag = f" ({setting.flag})" if setting.flag else ""
                raise ValueError(f"{env_name(name)}{flag}: invalid value {text!r}: {exc}") from None
        return self._values[name]

    def reload(self):
        """Read the environment again (``serve`` writes the values it settles
        on there for the processes it starts)."""
        self._values.clear()

    # --- derived: what an unset flag means, as kube-apiserver decides it
    @property
    def client_ca(self):
        """The CA of x509 client certificates; "" turns them off."""
        return str(self.var_dir / "ca.crt") if self.client_ca_file is None else self.client_ca_file

    @property
    def anonymous(self):
        """"all", "none" or "public" (only /healthz, /livez, /readyz, /version)."""
        value = self.anonymous_auth.lower()
        return "all" if value in ("true", "1", "yes") else "none" if value in ("false", "0", "no") else "public"

    @property
    def signing_key_file(self):
        return self.service_account_signing_key_file or str(self.var_dir / "sa.key")

    @property
    def verifying_key_files(self):
        return self.service_account_key_file or [self.signing_key_file]

    @property
    def audiences(self):
        return self.api_audiences or self.service_account_issuer


conf = Conf()
