"""Server-side printing: objects → meta.k8s.io Table, from the columns and
row function each ResourceType declares (see resources.printing.printers)."""
from datetime import datetime, timezone

from kubeapi import deadline
from resources.machinery import errors
from resources.printing import printers

_DEFAULT_DESCRIPTIONS = {"Name": "Name must be unique within a namespace. Is required when creating resources, "
                         "although some resources may allow a client to request the generation of an appropriate "
                         "name automatically. Name is primarily intended for creation idempotence and configuration "
                         "definition. Cannot be updated. More info: "
                         "https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names"}


def _columns(rtype):
    if rtype.columns:
        return rtype.columns, rtype.row

    spec = printers.table(rtype.kind)
    return spec["columns"], spec["row"]


def table(rtype, objects, request, version="v1"):
    include = request.GET.get("includeObject", "Metadata") or "Metadata"
    if include not in ("None", "Metadata", "Object"):
        raise errors.bad_request(f'includeObject: Unsupported value: "{include}"')
    columns, row = _columns(rtype)
    now = datetime.now(timezone.utc)
    rows = []
    for obj in deadline.checked(objects):
        # Printed in the storage version, as upstream prints the internal one
        # (autoscaling/v1 HorizontalPodAutoscalers as v2).
        entry = {"cells": row(rtype.to_storage(obj) if rtype.to_storage else obj, now)}
        if include == "Object":
            entry["object"] = obj
        elif include == "Metadata":
            entry["object"] = {
                "kind": "PartialObjectMetadata",
                "apiVersion": f"meta.k8s.io/{version}",
                "metadata": obj.get("metadata", {}),
            }
        rows.append(entry)
    return {
        "kind": "Table",
        "apiVersion": f"meta.k8s.io/{version}",
        "metadata": {"resourceVersion": (objects[0].get("metadata", {}).get("resourceVersion", "") if len(objects) == 1 else "")},
        "columnDefinitions": [
            {"name": c.name, "type": c.type, "format": c.format,
             "description": c.description or _DEFAULT_DESCRIPTIONS.get(c.name, ""), "priority": c.priority}
            for c in columns
        ],
        "rows": rows,
    }
