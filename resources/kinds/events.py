"""events.k8s.io/v1 Events.

Upstream stores these together with core/v1 Events (one etcd resource,
two served shapes). Our registry keys storage by (group, resource), so this
declaration has its own storage; ``to_core_event``/``from_core_event`` are
the field conversion kube-apiserver applies, for whoever joins the two.
"""
import copy
import re

from resources.kinds import defaults
from resources.registry import ResourceType
from resources.kinds.core import (
    EVENT_TYPES, BuiltinStrategy, _field, _table, dns1123_subdomain, immutable, invalid, meta_of, qualified_name,
    required,
)

# events.k8s.io/v1 field → core/v1 field (same value, different name)
RENAMED = {
    "regarding": "involvedObject",
    "note": "message",
    "deprecatedSource": "source",
    "deprecatedFirstTimestamp": "firstTimestamp",
    "deprecatedLastTimestamp": "lastTimestamp",
    "deprecatedCount": "count",
    "reportingController": "reportingComponent",
}
SHARED = ("metadata", "eventTime", "series", "action", "reason", "related", "reportingInstance", "type")


def to_core_event(event):
    """events.k8s.io/v1 Event → core/v1 Event."""
    out = {"apiVersion": "v1", "kind": "Event"}
    for key in SHARED:
        if key in event:
            out[key] = copy.deepcopy(event[key])
    for new, old in RENAMED.items():
        if new in event:
            out[old] = copy.deepcopy(event[new])
    return out


def from_core_event(event):
    """core/v1 Event → events.k8s.io/v1 Event."""
    out = {"apiVersion": "events.k8s.io/v1", "kind": "Event"}
    for key in SHARED:
        if key in event:
            out[key] = copy.deepcopy(event[key])
    for new, old in RENAMED.items():
        if old in event:
            out[new] = copy.deepcopy(event[old])
    return out


_MICRO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$")


class EventsEventStrategy(BuiltinStrategy):
    """ValidateEventCreate/Update for requests in events.k8s.io/v1 (strict)."""

    group = "events.k8s.io"
    kind = "Event"
    defaulter = staticmethod(defaults.events_event)
    tracks_generation = False
    allow_create_on_update = True

    def validate(self, obj, ctx):
        errs = []
        meta = meta_of(obj)
        namespace = meta.get("namespace") or (getattr(ctx, "namespace", "") if ctx else "")
        regarding = obj.get("regarding") if isinstance(obj.get("regarding"), dict) else {}
        # legacyValidateEvent, the part that applies to new-style events
        if not regarding.get("namespace") and namespace not in ("default", "kube-system"):
            errs.append(invalid("involvedObject.namespace", regarding.get("namespace") or "", "does not match event.namespace"))
        if namespace:
            errs += dns1123_subdomain(namespace, "namespace")
        series = obj.get("series")
        if isinstance(series, dict):
            if not isinstance(series.get("count"), int) or series["count"] < 2:
                errs.append(invalid("series.count", "", "should be at least 2"))
            if not series.get("lastObservedTime"):
                errs.append(required("series.lastObservedTime"))
        if not obj.get("eventTime"):
            errs.append(required("eventTime"))
        elif not _MICRO_TIME.match(str(obj["eventTime"])):
            errs.append(invalid("eventTime", obj["eventTime"], "must be an RFC3339 time"))
        if obj.get("type") not in EVENT_TYPES:
            errs.append(invalid("type", "", f"has invalid value: {obj.get('type') or ''}"))
        for key in ("deprecatedFirstTimestamp", "deprecatedLastTimestamp"):
            if obj.get(key):
                errs.append(invalid(key, "", "needs to be unset"))
        if obj.get("deprecatedCount"):
            errs.append(invalid("deprecatedCount", "", "needs to be unset"))
        if (obj.get("deprecatedSource") or {}).get("component") or (obj.get("deprecatedSource") or {}).get("host"):
            errs.append(invalid("deprecatedSource", "", "needs to be unset"))
        controller = obj.get("reportingController") or ""
        if not controller:
            errs.append(required("reportingController"))
        errs += qualified_name(controller, "reportingController")
        instance = obj.get("reportingInstance") or ""
        if not instance:
            errs.append(required("reportingInstance"))
        if len(instance) > 128:
            errs.append(invalid("reportingInstance", "", "can have at most 128 characters"))
        for key in ("action", "reason"):
            value = obj.get(key) or ""
            if not value:
                errs.append(required(key))
            if len(value) > 128:
                errs.append(invalid(key, "", "can have at most 128 characters"))
        if len(obj.get("note") or "") > 1024:
            errs.append(invalid("note", "", "can have at most 1024 characters"))
        return errs

    def validate_update(self, obj, old, ctx):
        errs = self.validate(obj, ctx)
        for new_name, old_name in (("regarding", "involvedObject"), ("reason", "reason"), ("note", "message"),
                                   ("deprecatedSource", "source"), ("deprecatedFirstTimestamp", "firstTimestamp"),
                                   ("deprecatedLastTimestamp", "lastTimestamp"), ("deprecatedCount", "count"),
                                   ("type", "type"), ("action", "action"), ("related", "related"),
                                   ("reportingController", "reportingController"),
                                   ("reportingInstance", "reportingInstance")):
            errs += immutable(old_name, obj.get(new_name), old.get(new_name))
        return errs


def _types():
    types = [
        ResourceType(
            group="events.k8s.io", version="v1", kind="Event", plural="events", namespaced=True,
            strategy=EventsEventStrategy(), short_names=("ev",),
            selectable_fields={
                "regarding.kind": _field("regarding", "kind"),
                "regarding.namespace": _field("regarding", "namespace"),
                "regarding.name": _field("regarding", "name"),
                "regarding.uid": _field("regarding", "uid"),
                "regarding.apiVersion": _field("regarding", "apiVersion"),
                "regarding.resourceVersion": _field("regarding", "resourceVersion"),
                "regarding.fieldPath": _field("regarding", "fieldPath"),
                "reason": _field("reason"),
                "reportingController": _field("reportingController"),
                "type": _field("type"),
            },
            **_table("Event"),
        ),
    ]
    return types


TYPES = tuple(_types())
