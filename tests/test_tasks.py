"""Background loops: namespace finalization and garbage collection, run
directly against the store (the server runs the same functions on a timer)."""
import json

import pytest

from resources.machinery import errors
from resources.registry import tenants
from resources.registry import builtin
from resources.store.generic import Store
from resources.registry.strategy import Context
from resources.loops.garbage import collect_garbage
from resources.loops.namespaces import finalize_namespace

pytestmark = pytest.mark.django_db(transaction=True)
T = "gc-tests"


@pytest.fixture
def store():
    tenants._ready.discard(T)
    tenants.ensure(T, create=True)
    return Store(builtin)


def rt(group, version, plural):
    return builtin.get(group, version, plural)


def cm(name, ns="default", owner=None, finalizers=None):
    meta = {"name": name, "namespace": ns}
    if owner:
        meta["ownerReferences"] = [{"apiVersion": "v1", "kind": "ConfigMap", "name": owner["metadata"]["name"],
                                    "uid": owner["metadata"]["uid"]}]
    if finalizers:
        meta["finalizers"] = finalizers
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta}


def exists(store, name, ns="default"):
    try:
        return json.loads(store.get(rt("", "v1", "configmaps"), Context(tenant=T), ns, name).data)
    except errors.APIError:
        return None


def test_foreground_deletion_deletes_dependents_then_owner(store):
    cms = rt("", "v1", "configmaps")
    ctx = Context(tenant=T)
    owner = store.create(cms, ctx, cm("owner"))
    store.create(cms, ctx, cm("child", owner=owner))
    obj, deleted = store.delete(cms, ctx, "default", "owner", {"propagationPolicy": "Foreground"})
    assert not deleted and "foregroundDeletion" in obj["metadata"]["finalizers"]
    collect_garbage(T)  # deletes the child, in the foreground too
    assert exists(store, "child") is not None or exists(store, "owner") is not None
    for _ in range(3):  # the child's own finalizer goes, then the owner's
        collect_garbage(T)
    assert exists(store, "child") is None and exists(store, "owner") is None


def test_orphan_keeps_dependents_without_owner_reference(store):
    cms = rt("", "v1", "configmaps")
    ctx = Context(tenant=T)
    owner = store.create(cms, ctx, cm("owner2"))
    store.create(cms, ctx, cm("child2", owner=owner))
    store.delete(cms, ctx, "default", "owner2", {"propagationPolicy": "Orphan"})
    collect_garbage(T)
    child = exists(store, "child2")
    assert child is not None and "ownerReferences" not in child["metadata"]
    assert exists(store, "owner2") is None


def test_background_deletion_cascades(store):
    cms = rt("", "v1", "configmaps")
    ctx = Context(tenant=T)
    collect_garbage(T)  # baseline revision
    owner = store.create(cms, ctx, cm("owner3"))
    store.create(cms, ctx, cm("child3", owner=owner))
    store.delete(cms, ctx, "default", "owner3", {})
    collect_garbage(T)
    assert exists(store, "child3") is None


def test_namespace_finalization_empties_then_removes_namespace(store):
    nss, cms = rt("", "v1", "namespaces"), rt("", "v1", "configmaps")
    ctx = Context(tenant=T)
    store.create(nss, ctx, {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "doomed"}})
    store.create(cms, ctx, cm("a", ns="doomed"))
    store.create(cms, ctx, cm("held", ns="doomed", finalizers=["example.com/hold"]))
    obj, deleted = store.delete(nss, ctx, "", "doomed", {})
    assert not deleted and obj["status"]["phase"] == "Terminating"
    assert finalize_namespace(T, "doomed") is False  # "held" waits for its finalizer
    assert exists(store, "a", "doomed") is None
    held = exists(store, "held", "doomed")
    held["metadata"]["finalizers"] = []
    store.update(cms, ctx, "doomed", "held", held)
    assert finalize_namespace(T, "doomed") is True
    with pytest.raises(errors.APIError) as exc:
        store.get(nss, ctx, "", "doomed")
    assert exc.value.code == 404
