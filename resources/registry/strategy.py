"""Per-kind behaviour, as in kube-apiserver's ``strategy.go``.

A strategy is stateless. The generic store (``resources.store.generic``) calls its
hooks in one fixed order on every write:

    prepare_for_create / prepare_for_update  (defaults, drop fields the
                                              client may not set)
    validate / validate_update               (kind-specific causes)
    -- object-meta validation (generic, in the store) --
    warnings
    canonicalize

Strategies never call each other; shared defaulting lives in
``resources.kinds.defaults``.
"""
from dataclasses import dataclass, field
from typing import Callable


@dataclass
class Context:
    """What a write knows about its request."""

    tenant: str = "default"
    namespace: str = ""
    user: object = None
    dry_run: bool = False
    field_manager: str = ""
    subresource: str = ""
    # function(verb): raises 403 unless the request may also do ``verb``
    # (an update that creates must be allowed to create); None: unchecked.
    authorize: Callable | None = None
    warnings: list = field(default_factory=list)
    extra: dict = field(default_factory=dict)


class Strategy:
    # Whether the kind has a /status subresource: then the main resource
    # ignores status writes and /status ignores everything but status.
    has_status = False
    # metadata.generation moves when anything but metadata/status changes.
    tracks_generation = True
    # Whether a PUT to a name that does not exist creates it (endpoints, events, ...).
    allow_create_on_update = False
    # Which name syntax metadata.name must follow: "subdomain" (most kinds),
    # "label" (namespaces, services) or "path_segment" (RBAC roles, ...).
    name_rule = "subdomain"

    def prepare_for_create(self, obj, ctx):
        if self.has_status:
            obj.pop("status", None)

    def prepare_for_update(self, obj, old, ctx):
        if self.has_status:
            if "status" in old:
                obj["status"] = old["status"]
            else:
                obj.pop("status", None)

    def prepare_for_status_update(self, obj, old, ctx):
        """``/status`` writes change status only: everything else comes from old."""
        new_status = obj.get("status")
        obj.clear()
        obj.update({k: v for k, v in old.items() if k != "status"})
        if new_status is not None:
            obj["status"] = new_status

    def prepare_for_delete(self, obj, ctx):
        """A delete that has to wait (finalizers) marks the object; e.g. a
        namespace's phase becomes Terminating."""

    def blocks_deletion(self, obj):
        """Besides metadata.finalizers, does anything keep a deleted object?
        (A namespace waits for its spec.finalizers.)"""
        return False

    def validate(self, obj, ctx):
        """Return a list of (field, cause type, message)."""
        return []

    def validate_update(self, obj, old, ctx):
        return self.validate(obj, ctx)

    def warnings(self, obj, ctx):
        return []

    def canonicalize(self, obj):
        pass


def spec_changed(obj, old):
    """Generation moves on changes outside metadata and status."""
    skip = ("metadata", "status", "apiVersion", "kind")
    return {k: v for k, v in obj.items() if k not in skip} != {k: v for k, v in old.items() if k not in skip}
