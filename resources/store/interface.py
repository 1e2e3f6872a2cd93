"""The storage protocol: what the generic store needs from a database.

Objects are handled as encoded JSON text (``data``) in the storage version.
The storage layer owns revisions: ``metadata.resourceVersion`` inside
``data`` is written by the storage layer at commit and nothing else.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, NamedTuple, Protocol


class Key(NamedTuple):
    tenant: str
    group: str
    resource: str
    namespace: str
    name: str


class StoredObject(NamedTuple):
    data: str  # encoded JSON, resourceVersion included
    revision: int


class StoredEvent(NamedTuple):
    revision: int
    event_type: str  # ADDED | MODIFIED | DELETED
    namespace: str
    name: str
    data: str
    group: str = ""
    resource: str = ""


@dataclass
class ListResult:
    items: list  # encoded JSON strings
    revision: int  # the snapshot's counter value
    continue_from: tuple | None  # (namespace, name) of the last item when more remain
    remaining: int | None = None


class Storage(Protocol):
    def get(self, key: Key) -> StoredObject | None: ...

    def list(
        self,
        tenant: str,
        group: str,
        resource: str,
        namespace: str | None,
        labels=(),  # resources.machinery.selectors requirements
        fields=(),
        limit: int = 0,
        after: tuple | None = None,
        revision: int = 0,  # 0 = latest; otherwise the state as of that revision
    ) -> ListResult: ...

    def create(self, key: Key, obj: dict, fields: dict) -> StoredObject: ...

    def update(self, key: Key, expected: int, obj: dict, fields: dict) -> StoredObject | None: ...

    def guaranteed_update(
        self, key: Key, update: Callable[[dict], dict | Deletion | None], fields_of: Callable[[dict], dict]
    ) -> StoredObject: ...

    def delete(self, key: Key, expected: int, final: dict, fields: dict) -> StoredObject | None: ...

    def history_since(self, tenant: str, revision: int, limit: int = 0, resources=None) -> list[StoredEvent]: ...

    def current_revision(self, tenant: str) -> int: ...


class Deletion(NamedTuple):
    """Returned by a guaranteed_update function to delete instead of update
    (the last finalizer went away): ``final`` is the object's last state."""

    final: dict
