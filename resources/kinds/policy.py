"""policy/v1: PodDisruptionBudgets (``pkg/apis/policy/validation``)."""
from resources.kinds import defaults
from resources.registry import ResourceType
from resources.subresources.status import STATUS
from resources.kinds.core import (
    BuiltinStrategy, GoValue, _table, int_or_percent, invalid, non_negative, not_supported, spec_of,
    validate_label_selector,
)

UNHEALTHY_POD_EVICTION_POLICIES = ("AlwaysAllow", "IfHealthyBudget")


def _not_more_than_100_percent(value, path):
    if isinstance(value, str) and value.endswith("%") and value[:-1].isdigit() and int(value[:-1]) > 100:
        return [invalid(path, value, "must not be greater than 100%")]
    return []


class PodDisruptionBudgetStrategy(BuiltinStrategy):
    group = "policy"
    kind = "PodDisruptionBudget"
    defaulter = staticmethod(defaults.pod_disruption_budget)
    has_status = True
    initial_status = {"disruptionsAllowed": 0, "currentHealthy": 0, "desiredHealthy": 0, "expectedPods": 0}

    def validate(self, obj, ctx):
        spec = spec_of(obj)
        errs = []
        if spec.get("minAvailable") is not None and spec.get("maxUnavailable") is not None:
            errs.append(invalid("spec", GoValue("policy.PodDisruptionBudgetSpec{...}"),
                                "minAvailable and maxUnavailable cannot be both set"))
        for key in ("minAvailable", "maxUnavailable"):
            if spec.get(key) is not None:
                errs += int_or_percent(spec[key], f"spec.{key}")[0]
                errs += _not_more_than_100_percent(spec[key], f"spec.{key}")
        errs += validate_label_selector(spec.get("selector"), "spec.selector")
        policy = spec.get("unhealthyPodEvictionPolicy")
        if policy is not None and policy not in UNHEALTHY_POD_EVICTION_POLICIES:
            errs.append(not_supported("spec.unhealthyPodEvictionPolicy", policy, UNHEALTHY_POD_EVICTION_POLICIES))
        return errs

    def validate_status_update(self, obj, old, ctx):
        status = obj.get("status") if isinstance(obj.get("status"), dict) else {}
        errs = []
        for key in ("disruptionsAllowed", "currentHealthy", "desiredHealthy", "expectedPods", "observedGeneration"):
            errs += non_negative(status.get(key), f"status.{key}")
        return errs


def _types():
    types = [
        ResourceType(
            group="policy", version="v1", kind="PodDisruptionBudget", plural="poddisruptionbudgets",
            namespaced=True, strategy=PodDisruptionBudgetStrategy(), short_names=("pdb",),
            subresources=(STATUS,), **_table("PodDisruptionBudget"),
        ),
    ]
    return types


TYPES = tuple(_types())
