"""coordination.k8s.io/v1: Leases (``pkg/apis/coordination/validation``)."""
from resources.kinds import defaults
from resources.registry import ResourceType
from resources.kinds.core import BuiltinStrategy, _is_int, _table, invalid, not_supported, spec_of

COORDINATED_LEASE_STRATEGIES = ("OldestEmulationVersion",)


class LeaseStrategy(BuiltinStrategy):
    group = "coordination.k8s.io"
    kind = "Lease"
    defaulter = staticmethod(defaults.lease)
    tracks_generation = False
    allow_create_on_update = True

    def validate(self, obj, ctx):
        spec = spec_of(obj)
        errs = []
        duration = spec.get("leaseDurationSeconds")
        if duration is not None and (not _is_int(duration) or duration <= 0):
            errs.append(invalid("spec.leaseDurationSeconds", duration, "must be greater than 0"))
        transitions = spec.get("leaseTransitions")
        if transitions is not None and (not _is_int(transitions) or transitions < 0):
            errs.append(invalid("spec.leaseTransitions", transitions, "must be greater than or equal to 0"))
        strategy = spec.get("strategy")
        if strategy and strategy not in COORDINATED_LEASE_STRATEGIES:
            errs.append(not_supported("spec.strategy", strategy, COORDINATED_LEASE_STRATEGIES))
        return errs


def _types():
    types = [
        ResourceType(
            group="coordination.k8s.io", version="v1", kind="Lease", plural="leases", namespaced=True,
            strategy=LeaseStrategy(), **_table("Lease"),
        ),
    ]
    return types


TYPES = tuple(_types())
