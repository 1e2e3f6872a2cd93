"""The subresource declaration and its default (identity) hooks."""
from dataclasses import dataclass
from typing import Callable

from resources.machinery import errors
from resources.schema.builtin import definition_name

GET_UPDATE_PATCH = ("get", "patch", "update")


@dataclass(frozen=True)
class Subresource:
    name: str
    verbs: tuple = GET_UPDATE_PATCH
    kind: str = ""  # "" → the parent's kind
    group: str | None = None  # None → the parent's group and version
    version: str | None = None
    kind_suffix: str = ""  # "ProxyOptions" → PodProxyOptions, NodeProxyOptions
    connect: bool = False  # a stream (exec, proxy, log), not a REST object
    # An action subresource (pods/binding): function(parent, body) → the new
    # parent, in the storage version.
    on_create: Callable | None = None
    # A create that stores nothing (serviceaccounts/token), as
    # ResourceType.create_handler: a dotted path.
    create_handler: str = ""
    # A subresource that replaces part of the parent on update
    # (namespaces/finalize): function(parent, body) → the new parent.
    on_update: Callable | None = None

    def kind_for(self, parent):
        if self.kind_suffix:
            return parent.kind + self.kind_suffix
        return self.kind or parent.kind

    def group_version_for(self, parent):
        if self.group is None:
            return parent.group, parent.version
        return self.group, self.version

    def api_version_for(self, parent):
        group, version = self.group_version_for(parent)
        return f"{group}/{version}" if group else version

    def schema_name_for(self, parent):
        """The OpenAPI definition a body of this subresource decodes as (None
        for a custom resource's own kind: its CRD's schema applies)."""

        group, version = self.group_version_for(parent)
        return definition_name(group, version, self.kind_for(parent))

    # ------------------------------------------------------------ the hooks
    def view(self, rtype, parent):
        """What GET, PUT and PATCH of the subresource answer, from the parent
        in the served version."""
        return parent

    def check(self, rtype, body, name):
        """Validation of a body before anything is read (PUT)."""

    def into(self, rtype, parent, body, name):
        """The new parent (served version) for a write of ``body``."""
        if self.on_update is not None:
            return self.on_update(parent, body)
        return body

    def apply_config(self, rtype, config, name):
        """A server-side apply configuration of the subresource's kind, as
        one of the parent's."""
        return config

    def prepare(self, strategy, new, current, ctx):
        """The strategy hook an update through this subresource runs."""

    def create(self, parent, body, ctx):
        if self.on_create is None:
            raise errors.APIError(405, "MethodNotAllowed", f"create is not supported on {self.name}")
        return self.on_create(parent, body)
