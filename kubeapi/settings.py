"""Django's settings, built from ``kubeapi.conf`` (every kubeapi setting,
from its ``KUBEAPI_*`` environment variable or default; kubeapi's own code
reads ``conf`` directly, not these)."""
import os
import secrets
from pathlib import Path

import dj_database_url

from kubeapi.conf import conf, go_duration

VAR_DIR = Path(conf.var_dir)
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key():
    """KUBEAPI_SECRET_KEY, else a random key generated once under VAR_DIR
    (like the CA): signs the admin's sessions and CSRF tokens, so it must not
    be a public default. Replicas share it by sharing VAR_DIR or the variable."""
    if conf.secret_key:
        return conf.secret_key
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
DEBUG = conf.debug
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
if conf.count_queries:  # tests/test_query_counts.py
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

DATABASE_URL = conf.database_url or f"sqlite:///{VAR_DIR / 'kubeapi.sqlite3'}"
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
            "options", f"-c statement_timeout={int(go_duration(conf.request_timeout) * 1000)}")

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

CELERY_BROKER_URL = conf.celery_broker_url or conf.redis_url or "memory://"
CELERY_TASK_ALWAYS_EAGER = not conf.redis_url

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": conf.log_level},
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
