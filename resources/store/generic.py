"""The generic registry store (kube-apiserver's ``registry/generic/registry/store.go``).

It owns what every kind shares: conversion to the storage version, uid,
timestamps, generation, resourceVersion preconditions, finalizers and
deletion, generateName, dry-run, and the fixed order of strategy hooks.
A kind only declares itself (``ResourceType``) and its ``Strategy``.
"""
import json
import uuid

from django.utils.module_loading import import_string

from resources import admission
from resources.machinery import errors, managedfields, validation
from resources.machinery.clock import now_rfc3339
from resources.registry import from_storage, to_storage
from resources.registry.strategy import spec_changed
from resources.store import storage
from resources.store.interface import Deletion, Key

GENERATE_NAME_ATTEMPTS = 8


def _storage_type(rtype, registry):
    # Custom resources run the hooks of the request's version (its schema).
    if rtype.version == rtype.storage_version or rtype.hooks_in_served_version:
        return rtype
    return registry.get(rtype.group, rtype.storage_version, rtype.plural) or rtype


OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"


def as_decoded(rtype, obj):
    """``obj`` as kube-apiserver's decoder leaves every write: what the Go
    types omit when empty (omitempty: `labels: {}`, `finalizers: []`,
    nulls) is gone. A custom resource has no Go type but its metadata,
    which upstream coerces through ObjectMeta."""
    if isinstance(obj, dict):
        if rtype.schema_name:
            managedfields.drop_omitted(obj, managedfields.type_for_definition(rtype.schema_name))
        elif isinstance(obj.get("metadata"), dict):
            managedfields.drop_omitted(obj["metadata"], managedfields.type_for_definition(OBJECT_META))
    return obj


def fields_of(rtype, obj):
    """Values of the kind's selectable fields, stored beside the object so
    field selectors run in SQL. Missing values are "" (upstream matches
    ``spec.nodeName=`` against unscheduled pods)."""
    return {name: str(getter(obj) or "") for name, getter in rtype.selectable_fields.items()}


class Store:
    def __init__(self, registry):
        self.registry = registry

    def key(self, rtype, ctx, namespace, name):
        return Key(ctx.tenant, rtype.group, rtype.plural, namespace if rtype.namespaced else "", name)

    # ------------------------------------------------------------------ reads
    def get(self, rtype, ctx, namespace, name):
        stored = storage.get(self.key(rtype, ctx, namespace, name))
        if stored is None:
            raise errors.not_found(rtype.group, rtype.plural, name)
        return stored

    # ----------------------------------------------------------------- create
    def create(self, rtype, ctx, obj):
        """``obj`` is in the served version; returns the stored object (storage version)."""
        stype = _storage_type(rtype, self.registry)
        obj = to_storage(rtype, as_decoded(rtype, obj))
        meta = obj.setdefault("metadata", {})
        if not isinstance(meta, dict):
            raise errors.bad_request("metadata must be an object")
        for system_field in ("resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink"):
            meta.pop(system_field, None)
        meta["uid"] = str(uuid.uuid4())
        meta["creationTimestamp"] = now_rfc3339()
        if stype.strategy.tracks_generation:
            meta["generation"] = 1
        else:
            meta.pop("generation", None)
        if not rtype.namespaced:
            meta.pop("namespace", None)
        generate = not meta.get("name") and meta.get("generateName")
        if generate:
            meta["name"] = validation.generate_name(meta["generateName"])
        stype.strategy.prepare_for_create(obj, ctx)
        managedfields.track_write(stype, ctx, obj, None, served=rtype)
        admission.mutate(stype, ctx, obj, None)
        self._validate(stype, ctx, obj, None)
        admission.validate(stype, ctx, obj, None)
        ctx.warnings.extend(stype.strategy.warnings(obj, ctx))
        stype.strategy.canonicalize(obj)
        for attempt in range(GENERATE_NAME_ATTEMPTS if generate else 1):
            if generate and attempt:
                meta["name"] = validation.generate_name(meta["generateName"])
            if ctx.dry_run:
                return obj
            key = self.key(rtype, ctx, meta.get("namespace", ""), meta["name"])
            try:
                stored = json.loads(storage.create(key, obj, fields_of(stype, obj)).data)
                self._after_write(rtype, ctx)
                return stored
            except errors.APIError as exc:
                if not (generate and exc.reason == "AlreadyExists" and attempt < GENERATE_NAME_ATTEMPTS - 1):
                    raise
        raise AssertionError("unreachable")

    def _validate(self, stype, ctx, obj, old):
        causes = validation.validate_object_meta(obj.get("metadata") or {}, stype.namespaced, stype.strategy.name_rule)
        if old is not None:
            causes += validation.validate_object_meta_update(obj.get("metadata") or {}, old.get("metadata") or {})
        causes += stype.strategy.validate(obj, ctx) if old is None else stype.strategy.validate_update(obj, old, ctx)
        if causes:
            name = (obj.get("metadata") or {}).get("name") or (obj.get("metadata") or {}).get("generateName") or ""
            raise errors.invalid(stype.group, stype.kind, name, causes)

    # ----------------------------------------------------------------- update
    def update(self, rtype, ctx, namespace, name, obj):
        """PUT of the main resource or a subresource (``ctx.subresource``).
        For kinds that allow it, a PUT to a missing name creates the object
        (``ctx.extra["created"]`` tells)."""
        stype = _storage_type(rtype, self.registry)
        sub = rtype.subresource(ctx.subresource) if ctx.subresource else None
        want_rv = (obj.get("metadata") or {}).get("resourceVersion") or ""
        if sub is None:
            served = as_decoded(rtype, obj)
            obj = to_storage(rtype, served)
        else:
            sub.check(rtype, obj, name)

        def apply(current):
            cur_meta = current["metadata"]
            self._check_resource_version(rtype, name, want_rv, cur_meta)
            if sub is None:
                new = json.loads(json.dumps(obj))
            else:  # the subresource's body, moved onto the parent
                parent = from_storage(rtype, json.loads(json.dumps(current)))
                new = to_storage(rtype, as_decoded(rtype, sub.into(rtype, parent, json.loads(json.dumps(obj)), name)))
            meta = new.setdefault("metadata", {})
            if meta.get("uid") and meta["uid"] != cur_meta["uid"]:
                raise errors.conflict(
                    rtype.group, rtype.plural, name,
                    f"Precondition failed: UID in precondition: {meta['uid']}, UID in object meta: {cur_meta['uid']}",
                )
            return self._updated(rtype, stype, ctx, new, current)

        try:
            return self._guaranteed_update(rtype, stype, ctx, namespace, name, apply)
        except errors.APIError as exc:
            missing = exc.code == 404 and (exc.details or {}).get("name") == name and \
                (exc.details or {}).get("kind") == rtype.plural
            if not (missing and sub is None and stype.strategy.allow_create_on_update):
                raise
        if ctx.authorize is not None:
            ctx.authorize("create")
        created = json.loads(json.dumps(served))
        created.setdefault("metadata", {}).pop("resourceVersion", None)
        ctx.extra["created"] = True
        return self.create(rtype, ctx, created)

    def patch(self, rtype, ctx, namespace, name, mutate, create_missing=False):
        """PATCH: ``mutate(current)`` gets a copy of the current object in the
        served version (None when it does not exist and ``create_missing``:
        server-side apply creates) and returns the patched object. Applied
        again on a lost race, like any update. Returns (stored, created)."""
        stype = _storage_type(rtype, self.registry)

        def apply(current):
            new = to_storage(rtype, as_decoded(rtype, mutate(from_storage(rtype, json.loads(json.dumps(current))))))
            meta = new.setdefault("metadata", {})
            # A resourceVersion in the patched object is a precondition.
            self._check_resource_version(rtype, name, meta.get("resourceVersion") or "", current["metadata"])
            return self._updated(rtype, stype, ctx, new, current, patching=True)

        for _ in range(3):
            try:
                return self._guaranteed_update(rtype, stype, ctx, namespace, name, apply), False
            except errors.APIError as exc:
                missing = exc.code == 404 and (exc.details or {}).get("name") == name and \
                    (exc.details or {}).get("kind") == rtype.plural
                if not (create_missing and missing):
                    raise
            if ctx.authorize is not None:  # an apply that creates must be allowed to create
                ctx.authorize("create")
            obj = mutate(None)
            try:
                return self.create(rtype, ctx, obj), True
            except errors.APIError as exc:
                if exc.reason != "AlreadyExists":
                    raise
                # Created meanwhile: patch it instead.
        raise errors.APIError(500, "InternalError", "too many concurrent updates, please retry")

    def _check_resource_version(self, rtype, name, want_rv, cur_meta):
        if want_rv and want_rv != cur_meta.get("resourceVersion"):
            raise errors.conflict(
                rtype.group, rtype.plural, name,
                "the object has been modified; please apply your changes to the latest version and try again",
            )

    def _guaranteed_update(self, rtype, stype, ctx, namespace, name, apply):
        if ctx.dry_run:
            result = apply(json.loads(self.get(rtype, ctx, namespace, name).data))
            if isinstance(result, Deletion):
                return result.final
            return result or json.loads(self.get(rtype, ctx, namespace, name).data)
        key = self.key(rtype, ctx, namespace, name)
        stored = json.loads(storage.guaranteed_update(key, apply, lambda o: fields_of(stype, o)).data)
        self._after_write(rtype, ctx)
        return stored

    def _after_write(self, rtype, ctx):
        if rtype.after_write:
            import_string(rtype.after_write)(ctx.tenant)

    def _updated(self, rtype, stype, ctx, new, current, patching=False):
        """The hooks of an update, in their fixed order, on ``new`` (storage
        version) against ``current``: the object to write, None when nothing
        changed, or a Deletion. ``rtype`` is the version the request speaks."""
        cur_meta = current["metadata"]
        meta = new.setdefault("metadata", {})
        # System fields come from the stored object, whatever the client sent
        # (a patch that changes the uid fails validation instead).
        for system_field in ("uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds",
                             "generation", "resourceVersion", "selfLink"):
            if patching and system_field == "uid" and meta.get("uid"):
                continue
            if system_field in cur_meta:
                meta[system_field] = cur_meta[system_field]
            else:
                meta.pop(system_field, None)
        if ctx.subresource:
            rtype.subresource(ctx.subresource).prepare(stype.strategy, new, current, ctx)
        else:
            stype.strategy.prepare_for_update(new, current, ctx)
        managedfields.track_write(stype, ctx, new, current, served=rtype)
        if stype.strategy.tracks_generation and spec_changed(new, current):
            meta["generation"] = int(cur_meta.get("generation") or 0) + 1
        admission.mutate(stype, ctx, new, current)
        self._validate(stype, ctx, new, current)
        admission.validate(stype, ctx, new, current)
        ctx.warnings.extend(stype.strategy.warnings(new, ctx))
        stype.strategy.canonicalize(new)
        if new == current:
            return None  # nothing changed: no write, no new revision
        if meta.get("deletionTimestamp") and not meta.get("finalizers") and not stype.strategy.blocks_deletion(new):
            return Deletion(new)
        return new

    def create_on_subresource(self, rtype, ctx, namespace, name, body):
        """POST to an action subresource (pods/binding): the subresource turns
        the body into a change of the parent object."""
        stype = _storage_type(rtype, self.registry)
        sub = rtype.subresource(ctx.subresource)

        def apply(current):
            # The subresource owns the rules here: binding sets spec.nodeName,
            # which an ordinary pod update may not.
            return sub.create(current, body, ctx)

        if ctx.dry_run:
            return apply(json.loads(self.get(rtype, ctx, namespace, name).data))
        key = self.key(rtype, ctx, namespace, name)
        stored = json.loads(storage.guaranteed_update(key, apply, lambda o: fields_of(stype, o)).data)
        self._after_write(rtype, ctx)
        return stored

    # ----------------------------------------------------------------- delete
    def delete(self, rtype, ctx, namespace, name, options):
        """Returns (object, deleted_now)."""
        stype = _storage_type(rtype, self.registry)
        key = self.key(rtype, ctx, namespace, name)
        preconditions = options.get("preconditions") or {}
        policy = options.get("propagationPolicy") or ""
        if options.get("orphanDependents") is True and not policy:
            policy = "Orphan"
        if policy not in ("", "Orphan", "Background", "Foreground"):
            raise errors.invalid(
                "meta.k8s.io", "DeleteOptions", "",
                [("propagationPolicy", "FieldValueNotSupported",
                  f'Unsupported value: "{policy}": supported values: "Foreground", "Background", "Orphan"')],
            )
        admission.validate_delete(stype, ctx, name)
        outcome = {}

        def apply(current):
            meta = current["metadata"]
            if preconditions.get("uid") and preconditions["uid"] != meta.get("uid"):
                raise errors.conflict(
                    rtype.group, rtype.plural, name,
                    f"Precondition failed: UID in precondition: {preconditions['uid']}, UID in object meta: {meta.get('uid')}",
                )
            if preconditions.get("resourceVersion") and preconditions["resourceVersion"] != meta.get("resourceVersion"):
                raise errors.conflict(
                    rtype.group, rtype.plural, name,
                    f"Precondition failed: ResourceVersion in precondition: {preconditions['resourceVersion']}, "
                    f"ResourceVersion in object meta: {meta.get('resourceVersion')}",
                )
            finalizers = list(meta.get("finalizers") or [])
            wanted = {"Orphan": "orphan", "Foreground": "foregroundDeletion"}.get(policy)
            if wanted and wanted not in finalizers:
                finalizers.append(wanted)
            finalizers = [f for f in finalizers if not (
                policy and f in ("orphan", "foregroundDeletion") and f != wanted)]
            if not finalizers and not stype.strategy.blocks_deletion(current):
                outcome["deleted"] = True
                return Deletion(current)
            # Graceful: mark for deletion; the object goes with its last finalizer.
            new = json.loads(json.dumps(current))
            new_meta = new["metadata"]
            new_meta["finalizers"] = list(dict.fromkeys(finalizers))
            if not new_meta.get("deletionTimestamp"):
                new_meta["deletionTimestamp"] = now_rfc3339()
                new_meta["deletionGracePeriodSeconds"] = 0
                stype.strategy.prepare_for_delete(new, ctx)
            outcome["deleted"] = False
            return None if new == current else new

        if ctx.dry_run:
            current = json.loads(self.get(rtype, ctx, namespace, name).data)
            result = apply(current)
            if isinstance(result, Deletion):
                return result.final, True
            return result or current, False
        stored = storage.guaranteed_update(key, apply, lambda o: fields_of(stype, o))
        self._after_write(rtype, ctx)
        return json.loads(stored.data), outcome.get("deleted", False)

    # ------------------------------------------------------------------- list
    def list(self, rtype, ctx, namespace, labels=(), fields=(), limit=0, after=None, revision=0):
        return storage.list(
            ctx.tenant, rtype.group, rtype.plural, namespace if rtype.namespaced else None,
            labels=labels, fields=fields, limit=limit, after=after, revision=revision,
        )
