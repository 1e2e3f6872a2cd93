"""Custom resources: what a tenant's CustomResourceDefinitions serve.

``for_tenant(tenant)`` is the registry a tenant's requests use: the
built-in types plus one ``CustomResourceType`` per served version of each
of the tenant's CRDs. Custom resources then take the same path as built-in kinds: the
generic view, store, storage, watch, discovery and OpenAPI.

Caching, for several server processes on one database: each process keeps
the tenant's overlay and, at most every ``KUBEAPI_CRD_REFRESH_SECONDS``
(1 s), probes the history table for a CRD written since it was built (one
indexed query). A process that writes a CRD probes on every lookup for a
moment, so the next request sees the change; a lookup of a type the overlay
lacks, and discovery, probe at once — so ``kubectl apply -f crd.yaml`` then
``kubectl apply -f cr.yaml`` works against any process.

Conversion is the ``None`` strategy: versions differ in apiVersion only.
Strategy hooks run in the request's version (its schema prunes, defaults
and validates); ``canonicalize`` stamps the storage version.
"""
import copy
import json
import logging
import re
import threading
import time

from kubeapi.conf import conf
from resources.kinds.apiextensions import GROUP, PLURAL, set_condition, storage_version
from resources.machinery import errors, managedfields
from resources.machinery import validation as v
from resources.models import Tenant
from resources.printing import printers
from resources.registry import Column, Registry, ResourceType, builtin
from resources.registry.strategy import Context, Strategy
from resources.schema import structural as crschema
from resources.store import storage
from resources.store.generic import Store
from resources.subresources.scale import Scale, get_path
from resources.subresources.status import STATUS

log = logging.getLogger(__name__)

CLEANUP_FINALIZER = "customresourcecleanup.apiextensions.k8s.io"
_FULL_RELOAD_SECONDS = 60.0  # re-list now and then: compaction may drop a deletion's history row
_EAGER_SECONDS = 2.0
_OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"


def _map(value):
    return value if isinstance(value, dict) else {}


_refresh_after = None


def _refresh_seconds():
    global _refresh_after
    if _refresh_after is None:
        _refresh_after = float(conf.crd_refresh_seconds)
    return _refresh_after


# ====================================================================== JSONPath
_TOKEN = re.compile(r"""\.([A-Za-z0-9_\-]+)|\[\s*(?:'([^']*)'|"([^"]*)"|(-?\d+)|(\*)|\?\(@((?:\.[A-Za-z0-9_\-]+)+)\s*(==|!=)\s*(?:'([^']*)'|"([^"]*)"|(-?\d+(?:\.\d+)?)|(true|false))\s*\))\s*\]""")


def compile_path(path):
    """Tokens of a simple JSONPath (``.a.b``, ``['x']``, ``[0]``, ``[*]``,
    ``[?(@.type=="Ready")]``), or None when it is not one."""
    text = path.strip()
    if text.startswith("{") and text.endswith("}"):
        text = text[1:-1]
    if text.startswith("$"):
        text = text[1:]
    tokens, pos = [], 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            return None
        field, sq, dq, index, star, fpath, op, fsq, fdq, fnum, fbool = m.groups()
        if field is not None or sq is not None or dq is not None:
            tokens.append(("key", field if field is not None else sq if sq is not None else dq))
        elif index is not None:
            tokens.append(("index", int(index)))
        elif star:
            tokens.append(("all", None))
        else:
            if fnum is not None:
                wanted = float(fnum) if "." in fnum else int(fnum)
            elif fbool is not None:
                wanted = fbool == "true"
            else:
                wanted = fsq if fsq is not None else fdq
            tokens.append(("filter", (fpath[1:].split("."), op, wanted)))
        pos = m.end()
    return tokens


def find(obj, tokens):
    """All values ``tokens`` select in obj."""
    values = [obj]
    for kind, arg in tokens:
        out = []
        for value in values:
            if kind == "key":
                if isinstance(value, dict) and arg in value:
                    out.append(value[arg])
            elif kind == "index":
                if isinstance(value, list) and -len(value) <= arg < len(value):
                    out.append(value[arg])
            elif kind == "all":
                if isinstance(value, list):
                    out.extend(value)
                elif isinstance(value, dict):
                    out.extend(value.values())
            elif isinstance(value, list):
                keys, op, wanted = arg
                for item in value:
                    got = item
                    for key in keys:
                        got = got.get(key) if isinstance(got, dict) else None
                    if (got == wanted) == (op == "=="):
                        out.append(item)
        values = out
    return values


def _text(value):
    """client-go jsonpath's text of a value: JSON for maps and lists."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "<nil>"
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"), sort_keys=True)
    if isinstance(value, float):
        return v._go_float(value)
    return str(value)


# ===================================================================== tables
def _name_column():
    name = printers.table("CustomResourceDefinition")["columns"][0]
    return Column(name="Name", type="string", format="name", description=name.description)


def _age_column_spec():
    created = printers.table("CustomResourceDefinition")["columns"][1]
    return {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp",
            "description": created.description}


def _cell(ctype, value, now):
    if value is None:
        return None
    if ctype == "integer":
        if isinstance(value, bool):
            return None
        if isinstance(value, int):
            return value
        return int(value) if isinstance(value, float) else None
    if ctype == "number":
        return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None
    if ctype == "boolean":
        return value if isinstance(value, bool) else None
    if ctype == "date":
        if not isinstance(value, str):
            return None
        if printers._time(value) is None:
            return "<invalid>"
        return printers.age(value, now)
    return None


def table_of(columns):
    """(columns, row function) for a version's additionalPrinterColumns, as
    apiextensions' table convertor: Name first, then each column; Age when
    the CRD declares none."""
    specs = [c for c in columns if isinstance(c, dict)] or [_age_column_spec()]
    defs = [_name_column()]
    paths = []
    for spec in specs:
        path = spec.get("jsonPath") or ""
        defs.append(Column(name=spec.get("name") or "", type=spec.get("type") or "string",
                           format=spec.get("format") or "",
                           description=spec.get("description") or
                           f"Custom resource definition column (in JSONPath format): {path}",
                           priority=int(spec.get("priority") or 0)))
        paths.append((spec.get("type") or "string", compile_path(path)))

    def row(obj, now):
        cells = [_map(obj.get("metadata")).get("name", "")]
        for ctype, tokens in paths:
            found = find(obj, tokens) if tokens is not None else []
            if not found:
                cells.append(None)
            elif ctype == "string":
                cells.append(_text(found[0]))
            else:
                cells.append(_cell(ctype, found[0], now))
        return cells

    return tuple(defs), row


# ============================================================== the strategy
class CustomResourceStrategy(Strategy):
    """One per served version: that version's schema prunes, defaults and
    validates."""

    tracks_generation = True

    def __init__(self, kind, group, version, storage_version, schema, subresources, terminating=False):
        self.kind, self.group, self.version = kind, group, version
        self.storage_api_version = f"{group}/{storage_version}"
        self.schema = schema or {"type": "object", crschema.PRESERVE: True}
        self.has_status = "status" in subresources
        self.scale = subresources.get("scale") if isinstance(subresources.get("scale"), dict) else None
        self.terminating = terminating

    # --- decoding: unknown fields are reported (fieldValidation) and dropped
    def prune_unknown(self, obj):
        """Drop the fields the schema does not specify; their paths."""
        return crschema.prune(obj, self.schema)

    def _normalize(self, obj):
        crschema.prune(obj, self.schema)
        crschema.drop_nulls(obj, self.schema)
        crschema.default(obj, self.schema)

    def prepare_for_create(self, obj, ctx):
        if self.terminating:
            raise errors.APIError(405, "MethodNotAllowed",
                                  "create not allowed while custom resource definition is terminating",
                                  {"group": self.group, "kind": self.kind})
        super().prepare_for_create(obj, ctx)
        self._normalize(obj)

    def prepare_for_update(self, obj, old, ctx):
        super().prepare_for_update(obj, old, ctx)
        self._normalize(obj)
        # Upstream: anything but metadata (and status, with the subresource) moves the generation.
        skip = {"metadata", "apiVersion", "kind"} | ({"status"} if self.has_status else set())
        if {k: x for k, x in obj.items() if k not in skip} != {k: x for k, x in old.items() if k not in skip}:
            meta = obj.setdefault("metadata", {})
            meta["generation"] = int(_map(old.get("metadata")).get("generation") or 0) + 1

    def prepare_for_status_update(self, obj, old, ctx):
        super().prepare_for_status_update(obj, old, ctx)
        self._normalize(obj)

    def validate(self, obj, ctx):
        errs = crschema.validate(obj, self.schema)
        if self.scale is not None:
            replicas = get_path(obj, self.scale.get("specReplicasPath"))
            if replicas is not None and (isinstance(replicas, bool) or not isinstance(replicas, int)
                                         or replicas < 0):
                path = (self.scale.get("specReplicasPath") or "").lstrip(".")
                if not any(e[0] == path for e in errs):
                    errs.append(v.invalid(path, replicas, "should be a non-negative integer"))
        return errs

    def validate_update(self, obj, old, ctx):
        return self.validate(obj, ctx)

    def canonicalize(self, obj):
        obj["apiVersion"] = self.storage_api_version
        obj["kind"] = self.kind


# ============================================================= the types
class CustomResourceType(ResourceType):
    """A served version of a CRD. No Go type: no strategic merge patch, no
    built-in schema; its OpenAPI schema is the CRD's."""

    hooks_in_served_version = True
    crd_name = ""
    _managed = None

    def prune_unknown(self, obj):
        return self.strategy.prune_unknown(obj)

    @property
    def schema_name(self):
        return None

    @property
    def managed_type(self):
        """The structured-merge-diff type of this version (managedFields, apply)."""
        if self._managed is None:
            self._managed = managedfields.type_of(_managed_schema(self.openapi_schema))
        return self._managed


def _managed_schema(schema):
    schema = copy.deepcopy(schema) if isinstance(schema, dict) else {"type": "object"}

    def untyped_when_preserving(node):
        if not isinstance(node, dict):
            return
        if node.get(crschema.PRESERVE) and "properties" in node:
            node.pop("properties")  # unknown fields allowed: an untyped map for SMD
            return
        for sub in _map(node.get("properties")).values():
            untyped_when_preserving(sub)
        for key in ("items", "additionalProperties"):
            untyped_when_preserving(node.get(key))

    props = schema.setdefault("properties", {})
    for key in ("apiVersion", "kind"):
        props[key] = {"type": "string"}
    props.pop("metadata", None)
    untyped_when_preserving(schema)
    schema.setdefault("properties", {})["metadata"] = {"$ref": "#/$defs/" + _OBJECT_META}
    schema.pop(crschema.PRESERVE, None)
    return schema


def types_of(crd):
    """The CustomResourceTypes a stored CRD serves (one per served version)."""

    spec = _map(crd.get("spec"))
    names = _map(spec.get("names"))
    group, kind, plural = spec.get("group") or "", names.get("kind") or "", names.get("plural") or ""
    stored_in = storage_version(crd)
    if not (group and kind and plural and stored_in):
        return []
    terminating = bool(_map(crd.get("metadata")).get("deletionTimestamp"))
    # Objects written before the storage version changed keep their old
    # apiVersion until rewritten: only a CRD ever stored in one version may
    # serve the stored bytes as they are.
    stored_versions = set(_map(crd.get("status")).get("storedVersions") or ()) | {stored_in}
    out = []
    for version in spec.get("versions") or ():
        if not isinstance(version, dict) or not version.get("served"):
            continue
        name = version.get("name") or ""
        schema = _map(version.get("schema")).get("openAPIV3Schema")
        subresources = _map(version.get("subresources"))
        columns, row = table_of(version.get("additionalPrinterColumns") or ())
        rtype = CustomResourceType(
            group=group, version=name, kind=kind, plural=plural, namespaced=spec.get("scope") != "Cluster",
            strategy=CustomResourceStrategy(kind, group, name, stored_in, schema, subresources, terminating),
            short_names=tuple(names.get("shortNames") or ()), categories=tuple(names.get("categories") or ()),
            singular=names.get("singular") or kind.lower(),
            subresources=_subresources(subresources),
            columns=columns, row=row, storage_version=stored_in,
            from_storage=None if stored_versions == {name} else _served_as(f"{group}/{name}"),
        )
        rtype.openapi_schema = schema if isinstance(schema, dict) else None
        rtype.crd_name = _map(crd.get("metadata")).get("name", "")
        out.append(rtype)
    return out


def _subresources(declared):
    """A CRD version's subresources, as objects: /status, and /scale at the
    CRD's paths."""
    out = [STATUS] if isinstance(declared.get("status"), dict) else []
    scale = declared.get("scale")
    if isinstance(scale, dict):
        out.append(Scale(spec_replicas_path=scale.get("specReplicasPath") or "",
                         status_replicas_path=scale.get("statusReplicasPath") or "",
                         label_selector_path=scale.get("labelSelectorPath") or ""))
    return tuple(out)


def _served_as(api_version):
    def convert(obj):
        obj["apiVersion"] = api_version  # conversion strategy None
        return obj

    return convert


# ============================================================ the overlay
class TenantRegistry(Registry):
    """Built-in types plus one tenant's custom resources (a snapshot)."""

    def __init__(self, tenant, custom=()):
        super().__init__()
        self.tenant = tenant
        self._types = dict(builtin._types)
        self._kinds = dict(builtin._kinds)
        self.custom = tuple(custom)
        for rtype in self.custom:
            self.register(rtype)

    def get(self, group, version, plural):
        rtype = self._types.get((group, version, plural))
        if rtype is None and group not in _builtin_groups():
            # Perhaps a CRD written through another process a moment ago.
            return for_tenant(self.tenant, fresh=True)._types.get((group, version, plural))
        return rtype

    def by_kind(self, group, version, kind):
        rtype = self._kinds.get((group, version, kind))
        if rtype is None and group not in _builtin_groups():
            return for_tenant(self.tenant, fresh=True)._kinds.get((group, version, kind))
        return rtype


_groups = None


def _builtin_groups():
    global _groups
    if _groups is None:
        _groups = frozenset(t.group for t in builtin.types())
    return _groups


class _Entry:
    __slots__ = ("registry", "revision", "fingerprint", "checked", "loaded", "eager_until")

    def __init__(self):
        self.registry = None
        self.revision = 0
        self.fingerprint = None
        self.checked = self.loaded = self.eager_until = 0.0


_entries = {}  # tenant → _Entry
_lock = threading.Lock()


def for_tenant(tenant, fresh=False):
    """The types ``tenant`` sees: the built-in ones plus its custom
    resources. ``fresh``: look for CRDs written meanwhile (discovery does)."""
    entry = _entries.get(tenant)
    if entry is not None and not fresh and _current(entry, time.monotonic()):
        return entry.registry
    asked = time.monotonic()
    with _lock:
        entry = _entries.get(tenant)
        if entry is not None and entry.checked >= asked:
            return entry.registry  # another thread looked (after this one asked) while it waited
        return _reload(tenant)


def _current(entry, now):
    return now - entry.checked < _refresh_seconds() and now >= entry.eager_until


def crd_written(tenant):
    """This process stored a CRD of ``tenant``: look for changes on every
    lookup for a moment (the watch of other processes' writes is not
    needed for this one's)."""
    entry = _entries.get(tenant)
    if entry is not None:
        entry.eager_until = time.monotonic() + _EAGER_SECONDS


def _reload(tenant):
    now = time.monotonic()
    entry = _entries.get(tenant)
    try:
        if entry is not None and now - entry.loaded < _FULL_RELOAD_SECONDS:
            if not storage.history_since(tenant, entry.revision, limit=1, resources=[(GROUP, PLURAL)]):
                entry.checked = now
                return entry.registry
        listed = storage.list(tenant, GROUP, PLURAL)
    except errors.APIError:
        return TenantRegistry(tenant)  # no such tenant (yet): built-in types only, not kept
    fingerprint = tuple(listed.items)
    if entry is None or fingerprint != entry.fingerprint:
        custom = []
        for data in listed.items:
            try:
                custom.extend(types_of(json.loads(data)))
            except Exception:  # one broken CRD must not take the tenant's API down
                log.exception("custom resources: cannot serve a CRD of tenant %s", tenant)
        fresh = _Entry()
        fresh.registry = TenantRegistry(tenant, [t for t in custom if t.group not in _builtin_groups()])
        fresh.fingerprint = fingerprint
        fresh.eager_until = entry.eager_until if entry is not None else 0.0
        entry = fresh
    entry.revision = listed.revision
    entry.checked = entry.loaded = now
    _entries[tenant] = entry
    return entry.registry


# ========================================================== CRD deletion
def cleanup(tenant):
    """Delete the objects of the tenant's terminating CRDs; a CRD whose
    objects are all gone loses its cleanup finalizer, and so goes."""

    crd_type = builtin.get(GROUP, "v1", PLURAL)
    for data in storage.list(tenant, GROUP, PLURAL).items:
        crd = json.loads(data)
        meta = crd["metadata"]
        if not meta.get("deletionTimestamp") or CLEANUP_FINALIZER not in (meta.get("finalizers") or []):
            continue
        served = types_of(crd) or types_of(_all_served(crd))
        store = Store(for_tenant(tenant))
        ctx = Context(tenant=tenant)
        remaining = 0
        if served:
            stored = next((t for t in served if t.version == t.storage_version), served[0])
            for item in store.list(stored, ctx, None).items:
                obj = json.loads(item)
                remaining += 1
                if obj["metadata"].get("deletionTimestamp"):
                    continue  # waiting for its own finalizers
                try:
                    store.delete(stored, ctx, obj["metadata"].get("namespace", ""), obj["metadata"]["name"],
                                 {"propagationPolicy": "Background"})
                except errors.APIError as exc:
                    if exc.code != 404:
                        raise
        if remaining:
            continue

        def drop_finalizer(current):
            current["metadata"]["finalizers"] = [f for f in current["metadata"].get("finalizers") or []
                                                 if f != CLEANUP_FINALIZER]
            set_condition(current.setdefault("status", {}), "Terminating", "True", "InstanceDeletionCompleted",
                          "removed all instances")
            return current

        try:
            store.patch(crd_type, Context(tenant=tenant, field_manager="kube-apiserver"), "", meta["name"],
                        drop_finalizer)
        except errors.APIError as exc:
            if exc.code not in (404, 409):
                raise


def _all_served(crd):
    crd = copy.deepcopy(crd)
    for version in _map(crd.get("spec")).get("versions") or ():
        if isinstance(version, dict):
            version["served"] = True
    return crd


def cleanup_all():
    for tenant in Tenant.objects.values_list("name", flat=True):
        try:
            cleanup(tenant)
        except errors.APIError as exc:
            log.warning("custom resources: cleaning up tenant %s: %s", tenant, exc.message)
