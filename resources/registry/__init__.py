"""The registry of served resource types.

A kind *declares* itself as a ``ResourceType``; the generic store and view
do the rest. Built-in types are shared by every tenant; each tenant's custom resources
are overlaid on them (``Registry.for_tenant``, ``resources.registry.customresources``).
"""
from dataclasses import dataclass, field
from typing import Callable

from resources.registry.strategy import Strategy
from resources.schema.builtin import definition_name

ALL_VERBS = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")


@dataclass(frozen=True)
class Column:
    """A server-side printing column (meta.k8s.io/v1 TableColumnDefinition)."""

    name: str
    type: str = "string"
    format: str = ""
    description: str = ""
    priority: int = 0  # 1 → only with ``-o wide``


@dataclass
class ResourceType:
    group: str
    version: str
    kind: str
    plural: str
    namespaced: bool
    strategy: Strategy = field(default_factory=Strategy)
    short_names: tuple = ()
    categories: tuple = ()
    singular: str = ""
    verbs: tuple = ALL_VERBS
    # Subresources served: resources.subresources objects (STATUS, a Scale
    # with its paths, pods/binding ...). Each says what it means.
    subresources: tuple = ()
    # Delete answers with the deleted object instead of a Status (pods, ...).
    return_deleted_object: bool = False
    # Extra field selectors beyond metadata.name/metadata.namespace:
    # selector name → function(obj) → str.
    selectable_fields: dict = field(default_factory=dict)
    # Server-side printing: columns and a function(obj) → list of cells.
    columns: tuple = ()
    row: Callable | None = None
    # The version objects are stored in, and conversion to/from it when this
    # version is not the storage version (hub and spoke).
    storage_version: str = ""
    to_storage: Callable | None = None
    from_storage: Callable | None = None
    # A create that stores nothing and answers with a computed object (the
    # access reviews): dotted path of function(ctx, info, body) → the answer.
    create_handler: str = ""
    # Dotted path of function(tenant) run once a write of this kind is
    # stored (never for dry runs or failed writes): CRDs refresh served types.
    after_write: str = ""

    # What a custom resource's version brings instead of a built-in Go type
    # (registry.customresources.CustomResourceType sets them):
    hooks_in_served_version = False  # the store runs this version's strategy, not the storage version's
    openapi_schema = None  # its structural schema (a CRD's openAPIV3Schema); built-ins use kubernetes-validate
    managed_type = None  # its structured-merge-diff type; None: the built-in definition's

    def prune_unknown(self, obj):
        """Drop the fields a custom resource's schema does not declare and
        return their paths; None for a built-in kind, whose Go-decoder checks
        (``schema.builtin``) say what is unknown."""
        return None

    def __post_init__(self):
        self.singular = self.singular or self.kind.lower()
        self.storage_version = self.storage_version or self.version

    def subresource(self, name):
        """The declared subresource called ``name``, or None."""
        return next((sub for sub in self.subresources if sub.name == name), None)

    @property
    def group_version(self):
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def schema_name(self):
        """Definition name in the OpenAPI schemas, e.g. io.k8s.api.core.v1.Pod."""

        return definition_name(self.group, self.version, self.kind)


def to_storage(rtype, obj):
    """``obj`` (in ``rtype``'s version) in the storage version (hub and spoke)."""
    return rtype.to_storage(obj) if rtype.to_storage else obj


def from_storage(rtype, obj):
    """A stored object in ``rtype``'s version."""
    return rtype.from_storage(obj) if rtype.from_storage else obj


class Registry:
    def __init__(self):
        self._types = {}  # (group, version, plural) → ResourceType
        self._kinds = {}  # (group, version, kind) → ResourceType

    def register(self, rtype: ResourceType):
        self._types[(rtype.group, rtype.version, rtype.plural)] = rtype
        self._kinds[(rtype.group, rtype.version, rtype.kind)] = rtype
        return rtype

    def get(self, group, version, plural):
        return self._types.get((group, version, plural))

    def by_kind(self, group, version, kind):
        return self._kinds.get((group, version, kind))

    def types(self):
        return list(self._types.values())

    def group_versions(self):
        """{group: [versions, preferred first]} in registration order."""
        out = {}
        for rtype in self._types.values():
            versions = out.setdefault(rtype.group, [])
            if rtype.version not in versions:
                versions.append(rtype.version)
        for group, versions in out.items():
            versions.sort(key=_version_priority)
        return out



def _version_priority(version):
    """Kubernetes version ordering: GA > beta > alpha, higher numbers first."""
    import re

    m = re.fullmatch(r"v(\d+)(?:(alpha|beta)(\d+))?", version)
    if not m:
        return (3, version)
    major, stage, minor = int(m.group(1)), m.group(2), int(m.group(3) or 0)
    rank = {None: 0, "beta": 1, "alpha": 2}[stage]
    return (rank, -major, -minor)


builtin = Registry()
