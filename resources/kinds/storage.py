"""storage.k8s.io/v1: StorageClasses (``pkg/apis/storage/validation``)."""
from resources.kinds import defaults
from resources.registry import ResourceType
from resources.kinds.core import (
    BuiltinStrategy, _table, forbidden, immutable, invalid, not_supported, qualified_name, required, too_long,
)

RECLAIM_POLICIES = ("Delete", "Retain")
BINDING_MODES = ("Immediate", "WaitForFirstConsumer")
MAX_PARAMETERS_SIZE = 256 * 1024


class StorageClassStrategy(BuiltinStrategy):
    group = "storage.k8s.io"
    kind = "StorageClass"
    defaulter = staticmethod(defaults.storage_class)
    tracks_generation = False

    def validate(self, obj, ctx):
        errs = []
        provisioner = obj.get("provisioner") or ""
        if not provisioner:
            errs.append(required("provisioner"))
        else:
            errs += qualified_name(provisioner.lower(), "provisioner")
        parameters = obj.get("parameters") or {}
        size = 0
        for key, value in parameters.items():
            if not key:
                errs.append(invalid("parameters", "", "key must not be empty"))
            size += len(key) + len(str(value))
        if size > MAX_PARAMETERS_SIZE:
            errs.append(too_long("parameters", MAX_PARAMETERS_SIZE))
        policy = obj.get("reclaimPolicy")
        if policy not in RECLAIM_POLICIES:
            errs.append(not_supported("reclaimPolicy", policy or "", RECLAIM_POLICIES))
        mode = obj.get("volumeBindingMode")
        if not mode:
            errs.append(required("volumeBindingMode"))
        elif mode not in BINDING_MODES:
            errs.append(not_supported("volumeBindingMode", mode, BINDING_MODES))
        for i, term in enumerate(obj.get("allowedTopologies") or []):
            expressions = (term or {}).get("matchLabelExpressions") if isinstance(term, dict) else None
            if not expressions:
                errs.append(required(f"allowedTopologies[{i}].matchLabelExpressions", "must have at least one label expression"))
            for j, expr in enumerate(expressions or []):
                epath = f"allowedTopologies[{i}].matchLabelExpressions[{j}]"
                errs += qualified_name((expr or {}).get("key") or "", f"{epath}.key")
                if not (expr or {}).get("values"):
                    errs.append(required(f"{epath}.values", "must specify as least one value"))
        return errs

    def validate_spec_update(self, obj, old, ctx):
        errs = []
        if (obj.get("parameters") or {}) != (old.get("parameters") or {}):
            errs.append(forbidden("parameters", "updates to parameters are forbidden."))
        if obj.get("provisioner") != old.get("provisioner"):
            errs.append(forbidden("provisioner", "updates to provisioner are forbidden."))
        if obj.get("reclaimPolicy") != old.get("reclaimPolicy"):
            errs.append(forbidden("reclaimPolicy", "updates to reclaimPolicy are forbidden."))
        errs += immutable("volumeBindingMode", obj.get("volumeBindingMode"), old.get("volumeBindingMode"))
        return errs


def _types():
    types = [
        ResourceType(
            group="storage.k8s.io", version="v1", kind="StorageClass", plural="storageclasses", namespaced=False,
            strategy=StorageClassStrategy(), short_names=("sc",), return_deleted_object=True,
            **_table("StorageClass"),
        ),
    ]
    return types


TYPES = tuple(_types())
