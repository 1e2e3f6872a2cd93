"""kubeapi: a Kubernetes-compatible API server on Django."""
from kubeapi.celery import app as celery_app  # noqa: F401  (celery -A kubeapi)
