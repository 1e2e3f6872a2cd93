"""Garbage collection (kube-controller-manager's garbage collector):
dependents whose owners are all gone are deleted, in the background."""
import json

from resources.machinery import errors
from resources.models import Tenant
from resources.registry import customresources
from resources.registry.strategy import Context
from resources.store import storage
from resources.store.generic import Store


def _storage_type(registry, group, resource):
    for rtype in registry.types():
        if rtype.group == group and rtype.plural == resource and rtype.version == rtype.storage_version:
            return rtype
    return None


def _dependents(tenant, owner_uid):
    """[(rtype, object)] whose ownerReferences name ``owner_uid``."""
    registry = customresources.for_tenant(tenant)
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
    registry = customresources.for_tenant(tenant)
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


def collect_all():
    for tenant in Tenant.objects.values_list("name", flat=True):
        collect_garbage(tenant)
