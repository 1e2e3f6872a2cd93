"""NamespaceLifecycle: objects are created only in namespaces that exist and
are not terminating, and the namespaces the API server relies on stay."""
import json

from resources.machinery import errors
from resources.store import storage
from resources.store.interface import Key

IMMORTAL_NAMESPACES = ("default", "kube-system", "kube-public")


def require_namespace(rtype, ctx, obj, old):
    if old is not None or not rtype.namespaced:
        return
    meta = obj.get("metadata") or {}
    namespace, name = meta.get("namespace"), meta.get("name")
    ns = storage.get(Key(ctx.tenant, "", "namespaces", "", namespace))
    if ns is None:
        raise errors.not_found("", "namespaces", namespace)
    if json.loads(ns.data).get("metadata", {}).get("deletionTimestamp"):
        raise errors.APIError(
            403,
            "Forbidden",
            f'{errors.qualified(rtype.group, rtype.plural)} "{name}" is forbidden: '
            f"unable to create new content in namespace {namespace} because it is being terminated",
            {"name": name, "group": rtype.group, "kind": rtype.plural,
             "causes": [{"reason": "NamespaceTerminating", "message": f"namespace {namespace} is being terminated",
                         "field": "metadata.namespace"}]},
        )


def keep_immortal_namespaces(rtype, ctx, name):
    if name in IMMORTAL_NAMESPACES:
        raise errors.APIError(403, "Forbidden", f'namespaces "{name}" is forbidden: this namespace may not be deleted',
                              {"name": name, "group": "", "kind": "namespaces"})
