"""The Celery app: background loops kube-apiserver runs in-process
(namespace finalization, garbage collection, compaction). In the embedded
default the server runs the same functions on a timer instead."""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kubeapi.settings")

app = Celery("kubeapi")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["resources", "authz", "watch"])
