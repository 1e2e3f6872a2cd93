"""Settings: twelve-factor, every knob from the environment (``KUBEAPI_*``).

``manage.py serve`` flags are translated into these variables before Django
starts, so the flags and the environment are one mechanism.
"""
import os
import secrets
from pathlib import Path

import dj_database_url

from kubeapi.flags import go_duration

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("KUBEAPI_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key():
    """KUBEAPI_SECRET_KEY, else a random key generated once under VAR_DIR
    (like the CA): signs the admin's sessions and CSRF tokens, so it must not
    be a public default. Replicas share it by sharing VAR_DIR or the variable."""
    if os.environ.get("KUBEAPI_SECRET_KEY"):
        return os.environ["KUBEAPI_SECRET_KEY"]
    path = VAR_DIR / "secret-key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        tmp = VAR_DIR / f"secret-key.{os.getpid()}.tmp"
        tmp.write_text(secrets.token_urlsafe(50))
        tmp.chmod(0o600)
        try:
            os.link(tmp, path)  # first writer wins when replicas start together
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("KUBEAPI_DEBUG", "") == "1"
ALLOWED_HOSTS = ["*"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "kubeapi",
    "guardian",
    "resources",
    "authz",
    "watch",
]

MIDDLEWARE = [
    # Django's session, auth and message middleware, run for the admin only
    "kubeapi.middleware.AdminSessionMiddleware",
    "kubeapi.middleware.AdminAuthenticationMiddleware",
    "kubeapi.middleware.AdminMessageMiddleware",
    "kubeapi.middleware.AdminLoginThrottle",
    "kubeapi.middleware.AdminFrameOptionsMiddleware",
    # kube-apiserver's filters: authentication, audit, impersonation, authorization
    "authz.filters.KubernetesFilters",
]
if os.environ.get("KUBEAPI_COUNT_QUERIES") == "1":  # tests/test_query_counts.py
    MIDDLEWARE.insert(0, "kubeapi.querycount.QueryCountMiddleware")

ROOT_URLCONF = "kubeapi.urls"
WSGI_APPLICATION = "kubeapi.wsgi.application"
ASGI_APPLICATION = "kubeapi.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

KUBEAPI_REQUEST_TIMEOUT = os.environ.get("KUBEAPI_REQUEST_TIMEOUT", "60s")  # kubeapi.deadline
DATABASE_URL = os.environ.get("KUBEAPI_DATABASE_URL") or f"sqlite:///{VAR_DIR / 'kubeapi.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=None)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the single writer; IMMEDIATE takes the write
    # lock at BEGIN so two writers never deadlock upgrading a read lock.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = None
    # A file, not Django's in-memory default: tests write from several threads.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-default.sqlite3")}
else:
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["default"]["ENGINE"] = "kubeapi.postgresql"  # health checks without a round trip
        # No query outlives the request timeout (kubeapi.deadline).
        DATABASES["default"]["OPTIONS"].setdefault(
            "options", f"-c statement_timeout={int(go_duration(KUBEAPI_REQUEST_TIMEOUT) * 1000)}")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
USE_TZ = True
TIME_ZONE = "UTC"
STATIC_URL = "static/"
DATA_UPLOAD_MAX_MEMORY_SIZE = None  # the API enforces its own 3 MiB limit

REST_FRAMEWORK = {
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_AUTHENTICATION_CLASSES": ["authz.authentication.KubernetesAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["authz.permissions.KubernetesAuthorization"],
    "DEFAULT_PARSER_CLASSES": [],
    "EXCEPTION_HANDLER": "resources.machinery.errors.exception_handler",
}

# --- kube-apiserver settings (flags of ``manage.py serve``) ---
KUBEAPI_REDIS_URL = os.environ.get("KUBEAPI_REDIS_URL", "")
KUBEAPI_SERVICE_CLUSTER_IP_RANGE = os.environ.get("KUBEAPI_SERVICE_CLUSTER_IP_RANGE", "10.96.0.0/12")
# Admission plugins beyond / taken out of kube-apiserver's default set (resources.admission.PLUGINS).
KUBEAPI_ENABLE_ADMISSION_PLUGINS = os.environ.get("KUBEAPI_ENABLE_ADMISSION_PLUGINS", "")
KUBEAPI_DISABLE_ADMISSION_PLUGINS = os.environ.get("KUBEAPI_DISABLE_ADMISSION_PLUGINS", "")
KUBEAPI_TOKEN_AUTH_FILE = os.environ.get("KUBEAPI_TOKEN_AUTH_FILE", "")
KUBEAPI_MAX_REQUEST_BYTES = 3 * 1024 * 1024
KUBEAPI_VERSION = "v1.32.0"
# How often a process probes the history for another process's CRD change
# (resources.registry.customresources).
KUBEAPI_CRD_REFRESH_SECONDS = float(os.environ.get("KUBEAPI_CRD_REFRESH_SECONDS", "1"))

# --- watch (watch/) ---
# History kept for watches that resume from an old revision: at least this
# long, and never fewer than this many newest revisions (etcd-style compaction).
KUBEAPI_WATCH_RETENTION_SECONDS = float(os.environ.get("KUBEAPI_WATCH_RETENTION_SECONDS", "300"))
KUBEAPI_WATCH_RETAIN_REVISIONS = int(os.environ.get("KUBEAPI_WATCH_RETAIN_REVISIONS", "1000"))
KUBEAPI_WATCH_COMPACTION_INTERVAL = float(os.environ.get("KUBEAPI_WATCH_COMPACTION_INTERVAL", "30"))
KUBEAPI_WATCH_BOOKMARK_SECONDS = float(os.environ.get("KUBEAPI_WATCH_BOOKMARK_SECONDS", "5"))
# Events a watcher may have waiting; beyond that a live watch is closed.
KUBEAPI_WATCH_QUEUE_LENGTH = int(os.environ.get("KUBEAPI_WATCH_QUEUE_LENGTH", "1000"))
# Concurrent watches one user may hold per server process (0: no limit); an
# informer-heavy controller holds dozens, one per resource it follows.
KUBEAPI_MAX_WATCHES_PER_USER = int(os.environ.get("KUBEAPI_MAX_WATCHES_PER_USER", "1000"))
# History rows a replaying watch reads per query.
KUBEAPI_WATCH_REPLAY_BATCH = int(os.environ.get("KUBEAPI_WATCH_REPLAY_BATCH", "1000"))

CELERY_BROKER_URL = os.environ.get("KUBEAPI_CELERY_BROKER_URL", KUBEAPI_REDIS_URL or "memory://")
CELERY_TASK_ALWAYS_EAGER = not KUBEAPI_REDIS_URL

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("KUBEAPI_LOG_LEVEL", "WARNING")},
}

if "pytest" in __import__("sys").modules:
    # The storage tests run on both backends: a second, SQLite database
    # beside whichever one KUBEAPI_DATABASE_URL names.
    DATABASES.setdefault("sqlite", {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(VAR_DIR / "test-sqlite.sqlite3"),
        "TEST": {"NAME": str(VAR_DIR / "test-sqlite.sqlite3")},
        "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
    })
