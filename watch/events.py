"""Watch events as the hub fans them out: one ``Event`` per history row,
shared by every watcher of the process. Each encoding of it (event type ×
served version) is made once and reused by all the streams that send it.

Selectors follow kube-apiserver's cacher (``cacheWatcher.convertToWatchEvent``):
an object that starts matching is ADDED, one that stops matching is DELETED
(with its previous content at the event's resourceVersion).
"""
import json

from resources.machinery import selectors
from resources.machinery.encoding import dump_json
from resources.registry import from_storage

ADDED, MODIFIED, DELETED, BOOKMARK, ERROR = "ADDED", "MODIFIED", "DELETED", "BOOKMARK", "ERROR"
# A MODIFIED that takes the object out of a selector: sent as DELETED, with
# the previous content.
LEFT = "LEFT"

INITIAL_EVENTS_END = "k8s.io/initial-events-end"


def _decode(value):
    if value is None or isinstance(value, dict):
        return value
    return json.loads(value)


class Event:
    __slots__ = ("revision", "group", "resource", "namespace", "name", "type", "data",
                 "_labels", "_fields", "_prev_labels", "_prev_fields", "prev_data", "_lines")

    def __init__(self, row):
        (self.revision, self.group, self.resource, self.namespace, self.name, self.type, self.data,
         self._labels, self._fields, self._prev_labels, self._prev_fields, self.prev_data) = row
        self._lines = None

    @classmethod
    def synthetic(cls, revision, namespace, name, data, event_type=ADDED):
        """An event for an object of an initial list (no history row)."""
        return cls((revision, None, None, namespace, name, event_type, data, None, None, None, None, None))

    # What selectors look at, decoded on first use (most watches have none).
    def labels(self):
        self._labels = value = _decode(self._labels) or {}
        return value

    def fields(self):
        if not isinstance(self._fields, dict):
            self._fields = self._with_meta_fields(self._fields)
        return self._fields

    def prev_labels(self):
        self._prev_labels = value = _decode(self._prev_labels) or {}
        return value

    def prev_fields(self):
        if not isinstance(self._prev_fields, dict):
            self._prev_fields = self._with_meta_fields(self._prev_fields)
        return self._prev_fields

    def _with_meta_fields(self, stored):
        """The kind's stored selectable fields plus the two every kind has."""
        value = dict(_decode(stored) or {})
        value["metadata.name"] = self.name
        value["metadata.namespace"] = self.namespace
        return value

    def has_prev(self):
        return self.prev_data is not None

    # ------------------------------------------------------------ encoding
    def line(self, kind, rtype):
        """The newline-terminated JSON event of ``kind`` (ADDED, MODIFIED,
        DELETED or LEFT) with the object served as ``rtype``'s version."""
        key = (kind, rtype.group_version, rtype.kind)
        lines = self._lines
        if lines is None:
            lines = self._lines = {}
        else:
            cached = lines.get(key)
            if cached is not None:
                return cached
        if kind == LEFT:
            obj = json.loads(self.prev_data)
            obj.setdefault("metadata", {})["resourceVersion"] = str(self.revision)
            body = dump_json(served(rtype, obj))
            kind = DELETED
        elif rtype.from_storage is None:
            body = self.data.encode()  # the stored bytes, as they are
        else:
            body = dump_json(served(rtype, json.loads(self.data)))
        line = b'{"type":"' + kind.encode() + b'","object":' + body + b"}\n"
        lines[key] = line
        return line

    def object(self, kind, rtype):
        """The served object (decoded), for Table rendering."""
        if kind == LEFT:
            obj = json.loads(self.prev_data)
            obj.setdefault("metadata", {})["resourceVersion"] = str(self.revision)
        else:
            obj = json.loads(self.data)
        return served(rtype, obj)


def served(rtype, obj):
    if rtype.from_storage is None:
        return obj
    obj = from_storage(rtype, obj)
    obj["apiVersion"] = rtype.group_version
    obj["kind"] = rtype.kind
    return obj


def line(event_type, obj):
    return b'{"type":"' + event_type.encode() + b'","object":' + dump_json(obj) + b"}\n"


def bookmark(rtype, revision, initial_events_end=False):
    meta = {"resourceVersion": str(revision), "creationTimestamp": None}
    if initial_events_end:
        meta["annotations"] = {INITIAL_EVENTS_END: "true"}
    return {"kind": rtype.kind, "apiVersion": rtype.group_version, "metadata": meta}


class Filter:
    """A watch's label and field selectors (requirement lists)."""

    __slots__ = ("labels", "fields")

    def __init__(self, labels, fields):
        self.labels, self.fields = labels, fields

    def current(self, event):
        return ((not self.labels or selectors.matches(self.labels, event.labels()))
                and (not self.fields or selectors.fields_match(self.fields, event.fields())))

    def previous(self, event):
        return ((not self.labels or selectors.matches(self.labels, event.prev_labels()))
                and (not self.fields or selectors.fields_match(self.fields, event.prev_fields())))

    def kind(self, event):
        """What a watcher with these selectors is sent for ``event``: ADDED,
        MODIFIED, DELETED, LEFT, or None (nothing)."""
        etype = event.type
        if etype == MODIFIED:
            now = self.current(event)
            before = event.has_prev() and self.previous(event)
            if now:
                return MODIFIED if before else ADDED
            return LEFT if before else None
        return etype if self.current(event) else None
