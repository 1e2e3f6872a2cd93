"""Namespace finalization (kube-controller-manager's namespace controller):
a terminating namespace is emptied, then its ``kubernetes`` finalizer goes."""
import json
import logging

from resources.machinery import errors
from resources.models import Tenant
from resources.registry import customresources
from resources.registry.strategy import Context
from resources.store import storage
from resources.store.generic import Store

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
    registry = customresources.for_tenant(tenant)
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


def finalize_all():
    """One pass over every tenant's terminating namespaces."""
    for tenant in Tenant.objects.values_list("name", flat=True):
        for data in storage.list(tenant, "", "namespaces", None).items:
            meta = json.loads(data)["metadata"]
            if meta.get("deletionTimestamp"):
                try:
                    finalize_namespace(tenant, meta["name"])
                except errors.APIError as exc:
                    if exc.code not in (404, 409):
                        log.warning("finalizing namespace %s/%s: %s", tenant, meta["name"], exc.message)
