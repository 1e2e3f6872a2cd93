"""Background loops kube-controller-manager runs upstream and that an API
server user relies on: namespace finalization. Celery tasks in production
(beat schedule); ``start_embedded_loops`` runs them on a timer in the server
process when there is no broker."""
import json
import logging
import threading

from celery import shared_task
from django.db import close_old_connections

from resources import errors
from resources.registry import builtin
from resources.storage import storage
from resources.store import Store
from resources.strategy import Context

log = logging.getLogger(__name__)


def _namespaced_storage_types(registry):
    """One ResourceType per stored resource (a kind served in several
    versions is stored once)."""
    seen = {}
    for rtype in registry.types():
        if rtype.namespaced and rtype.version == rtype.storage_version:
            seen.setdefault((rtype.group, rtype.plural), rtype)
    return list(seen.values())


def finalize_namespace(tenant, name):
    """Delete everything in a terminating namespace; once it is empty, drop
    the ``kubernetes`` finalizer so the namespace itself goes."""
    registry = builtin.for_tenant(tenant)
    store = Store(registry)
    ctx = Context(tenant=tenant)
    remaining = 0
    for rtype in _namespaced_storage_types(registry):
        for data in store.list(rtype, ctx, name).items:
            meta = json.loads(data)["metadata"]
            remaining += 1
            if meta.get("deletionTimestamp"):
                continue  # waiting for its own finalizers
            try:
                store.delete(rtype, ctx, name, meta["name"], {"propagationPolicy": "Background"})
            except errors.APIError as exc:
                if exc.code != 404:
                    raise
    if remaining:
        return False
    namespaces = registry.get("", "v1", "namespaces")
    current = json.loads(store.get(namespaces, ctx, "", name).data)
    finalizers = [f for f in (current.get("spec") or {}).get("finalizers", []) if f != "kubernetes"]
    current.setdefault("spec", {})["finalizers"] = finalizers
    store.update(namespaces, Context(tenant=tenant, subresource="finalize"), "", name, current)
    return True


@shared_task(name="resources.finalize_namespaces")
def finalize_namespaces():
    """One pass over every tenant's terminating namespaces."""
    from resources.models import Tenant

    for tenant in Tenant.objects.values_list("name", flat=True):
        for data in storage.list(tenant, "", "namespaces", None).items:
            meta = json.loads(data)["metadata"]
            if meta.get("deletionTimestamp"):
                try:
                    finalize_namespace(tenant, meta["name"])
                except errors.APIError as exc:
                    if exc.code not in (404, 409):
                        log.warning("finalizing namespace %s/%s: %s", tenant, meta["name"], exc.message)


def start_embedded_loops(interval=1.0):
    """Run the background loops on a daemon thread (no broker needed)."""

    def loop():
        stop = threading.Event()
        while not stop.wait(interval):
            try:
                close_old_connections()
                finalize_namespaces()
            except Exception:  # a failed pass must not end the loop
                log.exception("background loop failed")

    thread = threading.Thread(target=loop, name="kubeapi-background", daemon=True)
    thread.start()
    return thread
