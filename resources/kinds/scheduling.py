"""scheduling.k8s.io/v1: PriorityClasses (``pkg/apis/scheduling/validation``)."""
from resources.kinds import defaults
from resources.registry import ResourceType
from resources.kinds.core import BuiltinStrategy, _table, forbidden, immutable, meta_of, not_supported

HIGHEST_USER_DEFINABLE_PRIORITY = 1000000000
SYSTEM_PRIORITY_CLASSES = {
    # name: (value, globalDefault)
    "system-node-critical": (2000001000, False),
    "system-cluster-critical": (2000000000, False),
}
PREEMPTION_POLICIES = ("PreemptLowerPriority", "Never")


class PriorityClassStrategy(BuiltinStrategy):
    group = "scheduling.k8s.io"
    kind = "PriorityClass"
    defaulter = staticmethod(defaults.priority_class)
    tracks_generation = False

    def validate(self, obj, ctx):
        errs = []
        name = meta_of(obj).get("name") or ""
        value = obj.get("value", 0)
        if name.startswith("system-"):
            known = SYSTEM_PRIORITY_CLASSES.get(name)
            problem = None
            if known is None:
                problem = f"{name} is not a known system priority class"
            elif known[0] != value:
                problem = f"value of {name} PriorityClass must be {known[0]}"
            elif known[1] != bool(obj.get("globalDefault")):
                problem = f"globalDefault of {name} PriorityClass must be {'true' if known[1] else 'false'}"
            if problem:
                errs.append(forbidden("metadata.name", "priority class names with 'system-' prefix are reserved "
                                                       f"for system use only. error: {problem}"))
        elif isinstance(value, int) and value > HIGHEST_USER_DEFINABLE_PRIORITY:
            errs.append(forbidden("value", f"maximum allowed value of a user defined priority is "
                                           f"{HIGHEST_USER_DEFINABLE_PRIORITY}"))
        policy = obj.get("preemptionPolicy")
        if policy is not None and policy not in PREEMPTION_POLICIES:
            errs.append(not_supported("preemptionPolicy", policy, PREEMPTION_POLICIES))
        return errs

    def validate_spec_update(self, obj, old, ctx):
        errs = []
        if obj.get("value", 0) != old.get("value", 0):
            errs.append(forbidden("value", "may not be changed in an update."))
        errs += immutable("preemptionPolicy", obj.get("preemptionPolicy"), old.get("preemptionPolicy"))
        return errs


def _types():
    types = [
        ResourceType(
            group="scheduling.k8s.io", version="v1", kind="PriorityClass", plural="priorityclasses",
            namespaced=False, strategy=PriorityClassStrategy(), short_names=("pc",), **_table("PriorityClass"),
        ),
    ]
    return types


TYPES = tuple(_types())
