"""Background loops kube-controller-manager runs upstream and that an API
server user relies on: namespace finalization and garbage collection. Celery tasks in production
(beat schedule); ``start_embedded_loops`` runs them on a timer in the server
process when there is no broker."""
import json
import logging
import threading

from celery import shared_task
from django.db import close_old_connections

from resources.machinery import errors
from resources.registry import builtin
from resources.store import storage
from resources.store.generic import Store
from resources.registry.strategy import Context

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


def _storage_type(registry, group, resource):
    for rtype in registry.types():
        if rtype.group == group and rtype.plural == resource and rtype.version == rtype.storage_version:
            return rtype
    return None


def _dependents(tenant, owner_uid):
    """[(rtype, object)] whose ownerReferences name ``owner_uid``."""
    registry = builtin.for_tenant(tenant)
    found = []
    for group, resource, _ns, _name, data in storage.containing(tenant, owner_uid):
        obj = json.loads(data)
        refs = (obj.get("metadata") or {}).get("ownerReferences") or []
        rtype = _storage_type(registry, group, resource)
        if rtype is not None and any(ref.get("uid") == owner_uid for ref in refs):
            found.append((rtype, obj))
    return found


def _update_meta(store, rtype, tenant, obj, change):
    """Apply ``change(metadata)`` to the stored object through the store."""
    meta = obj["metadata"]
    try:
        current = json.loads(store.get(rtype, Context(tenant=tenant), meta.get("namespace", ""), meta["name"]).data)
        change(current["metadata"])
        store.update(rtype, Context(tenant=tenant), meta.get("namespace", ""), meta["name"], current)
    except errors.APIError as exc:
        if exc.code not in (404, 409):
            raise


def _delete(store, rtype, tenant, obj, policy="Background"):
    meta = obj["metadata"]
    try:
        store.delete(rtype, Context(tenant=tenant), meta.get("namespace", ""), meta["name"],
                     {"propagationPolicy": policy, "preconditions": {"uid": meta["uid"]}})
    except errors.APIError as exc:
        if exc.code not in (404, 409):
            raise


def _without_owner(uid):
    def change(meta):
        refs = [r for r in meta.get("ownerReferences") or [] if r.get("uid") != uid]
        if refs:
            meta["ownerReferences"] = refs
        else:
            meta.pop("ownerReferences", None)

    return change


_gc_checked = {}  # tenant → last revision whose deletions were cascaded


def collect_garbage(tenant):
    """What kube-controller-manager's garbage collector does for deletion
    propagation: ``orphan`` strips owner references from dependents,
    ``foregroundDeletion`` deletes dependents first, and dependents of an
    owner that is gone (background propagation) are deleted."""
    last = _gc_checked.get(tenant)
    current = storage.current_revision(tenant)
    if last == current:
        return  # nothing was written since the last pass
    registry = builtin.for_tenant(tenant)
    store = Store(registry)
    for finalizer in ("orphan", "foregroundDeletion"):
        for group, resource, _ns, _name, data in storage.containing(tenant, f'"{finalizer}"'):
            owner = json.loads(data)
            meta = owner["metadata"]
            rtype = _storage_type(registry, group, resource)
            if rtype is None or not meta.get("deletionTimestamp") or finalizer not in (meta.get("finalizers") or []):
                continue
            dependents = _dependents(tenant, meta["uid"])
            for dep_type, dep in dependents:
                if finalizer == "orphan":
                    _update_meta(store, dep_type, tenant, dep, _without_owner(meta["uid"]))
                elif not dep["metadata"].get("deletionTimestamp"):
                    _delete(store, dep_type, tenant, dep, "Foreground")
            if finalizer == "orphan" or not dependents:
                _update_meta(store, rtype, tenant, owner, lambda m: m.update(
                    finalizers=[f for f in m.get("finalizers") or [] if f != finalizer]))
    # Background propagation: cascade the deletions committed since the last pass.
    if last is not None:
        for event in storage.history_since(tenant, last):
            if event.event_type != "DELETED":
                continue
            gone = json.loads(event.data)["metadata"]
            if "orphan" in (gone.get("finalizers") or []):
                continue
            for dep_type, dep in _dependents(tenant, gone["uid"]):
                others = [r for r in dep["metadata"].get("ownerReferences") or [] if r.get("uid") != gone["uid"]]
                if not others:
                    _delete(store, dep_type, tenant, dep)
    _gc_checked[tenant] = current


@shared_task(name="resources.collect_garbage")
def collect_garbage_all():
    from resources.models import Tenant

    for tenant in Tenant.objects.values_list("name", flat=True):
        collect_garbage(tenant)


# Functions() run on each pass of the embedded loop after the built-in
# ones (authz's controllers); registered by the apps that own them.
LOOP_HOOKS = []


def start_embedded_loops(interval=1.0):
    """Run the background loops on a daemon thread (no broker needed)."""

    def loop():
        stop = threading.Event()
        while not stop.wait(interval):
            try:
                close_old_connections()
                finalize_namespaces()
                collect_garbage_all()
                for hook in LOOP_HOOKS:
                    hook()
            except Exception:  # a failed pass must not end the loop
                log.exception("background loop failed")

    thread = threading.Thread(target=loop, name="kubeapi-background", daemon=True)
    thread.start()
    return thread
