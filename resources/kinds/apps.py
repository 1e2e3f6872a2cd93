"""apps/v1: Deployments, ReplicaSets, StatefulSets, DaemonSets
(``pkg/registry/apps/*/strategy.go``, ``pkg/apis/apps/validation``)."""
import copy

from resources.kinds.core import (
    BuiltinStrategy,
    GoValue,
    _int_field,
    _is_int,
    _table,
    _validate_replica_status,
    forbidden,
    go_label_selector,
    immutable,
    int_or_percent,
    invalid,
    non_negative,
    not_supported,
    required,
    selector_is_empty,
    spec_of,
    validate_controller_template,
    validate_label_selector,
)
from resources.kinds import defaults
from resources.registry import ResourceType
from resources.subresources.scale import WORKLOAD_SCALE
from resources.subresources.status import STATUS


def _validate_selector(spec, owner):
    """selector required, valid and not empty."""
    selector = spec.get("selector")
    if selector is None:
        return [required("spec.selector")]
    errs = validate_label_selector(selector, "spec.selector")
    if isinstance(selector, dict) and selector_is_empty(selector):
        errs.append(invalid("spec.selector", go_label_selector(selector), f"empty selector is invalid for {owner}"))
    return errs


def _immutable_selector(obj, old):
    new_sel, old_sel = spec_of(obj).get("selector"), spec_of(old).get("selector")
    return immutable("spec.selector", new_sel, old_sel, shown=go_label_selector(new_sel))


def _not_more_than_100_percent(value, path):
    if isinstance(value, str) and value.endswith("%") and value[:-1].isdigit() and int(value[:-1]) > 100:
        return [invalid(path, value, "must not be greater than 100%")]
    return []


def _int_or_percent_value(value):
    if isinstance(value, str) and value.endswith("%") and value[:-1].isdigit():
        return int(value[:-1])
    return value if _is_int(value) else 0


class _WorkloadStrategy(BuiltinStrategy):
    group = "apps"
    has_status = True
    owner = ""  # how validation messages name the kind

    def validate_spec_update(self, obj, old, ctx):
        # apps/v1: the selector may not change.
        return _immutable_selector(obj, old)

    def validate_status_update(self, obj, old, ctx):
        return _validate_replica_status(obj.get("status"))


class DeploymentStrategy(_WorkloadStrategy):
    kind = "Deployment"
    defaulter = staticmethod(defaults.deployment)
    owner = "deployment"
    initial_status = {}

    def validate(self, obj, ctx):
        spec = spec_of(obj)
        errs = non_negative(spec.get("replicas"), "spec.replicas")
        selector_errs = _validate_selector(spec, "deployment")
        errs += selector_errs
        errs += validate_controller_template(spec.get("template"), spec.get("selector"), "spec.template")
        strategy = spec.get("strategy") if isinstance(spec.get("strategy"), dict) else {}
        kind = strategy.get("type")
        if kind == "Recreate":
            if strategy.get("rollingUpdate") is not None:
                errs.append(forbidden("spec.strategy.rollingUpdate",
                                      "may not be specified when strategy `type` is 'Recreate'"))
        elif kind == "RollingUpdate":
            rolling = strategy.get("rollingUpdate")
            if not isinstance(rolling, dict):
                errs.append(required("spec.strategy.rollingUpdate", "this should be defaulted and never be nil"))
            else:
                path = "spec.strategy.rollingUpdate"
                unavailable, surge = rolling.get("maxUnavailable"), rolling.get("maxSurge")
                errs += int_or_percent(unavailable, f"{path}.maxUnavailable")[0]
                errs += int_or_percent(surge, f"{path}.maxSurge")[0]
                if _int_or_percent_value(unavailable) == 0 and _int_or_percent_value(surge) == 0:
                    errs.append(invalid(f"{path}.maxUnavailable", unavailable, "may not be 0 when `maxSurge` is 0"))
                errs += _not_more_than_100_percent(unavailable, f"{path}.maxUnavailable")
        else:
            errs.append(not_supported("spec.strategy", GoValue(
                'apps.DeploymentStrategy{Type:%s, RollingUpdate:(*apps.RollingUpdateDeployment)(nil)}'
                % _quote(kind or "")), ["Recreate", "RollingUpdate"]))
        errs += non_negative(spec.get("minReadySeconds"), "spec.minReadySeconds")
        errs += non_negative(spec.get("revisionHistoryLimit"), "spec.revisionHistoryLimit")
        deadline = spec.get("progressDeadlineSeconds")
        if deadline is not None:
            errs += non_negative(deadline, "spec.progressDeadlineSeconds")
            if _is_int(deadline) and deadline <= (spec.get("minReadySeconds") or 0):
                errs.append(invalid("spec.progressDeadlineSeconds", deadline, "must be greater than minReadySeconds"))
        return errs

    def validate_status_update(self, obj, old, ctx):
        status = obj.get("status") if isinstance(obj.get("status"), dict) else {}
        errs = []
        for key in ("observedGeneration", "replicas", "updatedReplicas", "readyReplicas", "availableReplicas",
                    "unavailableReplicas", "collisionCount"):
            errs += non_negative(status.get(key), f"status.{key}")
        replicas = status.get("replicas") or 0
        for key in ("updatedReplicas", "readyReplicas", "availableReplicas"):
            if _is_int(status.get(key)) and status[key] > replicas:
                errs.append(invalid(f"status.{key}", status[key], "cannot be greater than status.replicas"))
        if (status.get("availableReplicas") or 0) > (status.get("readyReplicas") or 0):
            errs.append(invalid("status.availableReplicas", status["availableReplicas"], "cannot be greater than readyReplicas"))
        return errs


def _quote(text):
    import json

    return json.dumps(text)


class ReplicaSetStrategy(_WorkloadStrategy):
    kind = "ReplicaSet"
    defaulter = staticmethod(defaults.replica_set)
    initial_status = {"replicas": 0}

    def validate(self, obj, ctx):
        spec = spec_of(obj)
        errs = non_negative(spec.get("replicas"), "spec.replicas")
        errs += non_negative(spec.get("minReadySeconds"), "spec.minReadySeconds")
        errs += _validate_selector(spec, "deployment")  # sic: upstream reuses the deployment wording
        errs += validate_controller_template(spec.get("template"), spec.get("selector"), "spec.template")
        return errs


STATEFUL_SET_MUTABLE = ("replicas", "ordinals", "template", "updateStrategy", "revisionHistoryLimit",
                        "persistentVolumeClaimRetentionPolicy", "minReadySeconds")


class StatefulSetStrategy(_WorkloadStrategy):
    kind = "StatefulSet"
    defaulter = staticmethod(defaults.stateful_set)
    initial_status = {"replicas": 0, "availableReplicas": 0}

    def validate(self, obj, ctx):
        spec = spec_of(obj)
        errs = []
        policy = spec.get("podManagementPolicy")
        if not policy:
            errs.append(required("spec.podManagementPolicy"))
        elif policy not in ("OrderedReady", "Parallel"):
            errs.append(invalid("spec.podManagementPolicy", policy, "must be 'OrderedReady' or 'Parallel'"))
        update = spec.get("updateStrategy") if isinstance(spec.get("updateStrategy"), dict) else {}
        kind = update.get("type")
        if not kind:
            errs.append(required("spec.updateStrategy"))
        elif kind == "OnDelete":
            if update.get("rollingUpdate") is not None:
                errs.append(invalid("spec.updateStrategy.rollingUpdate", update["rollingUpdate"],
                                    "only allowed for updateStrategy 'RollingUpdate'"))
        elif kind == "RollingUpdate":
            rolling = update.get("rollingUpdate")
            if isinstance(rolling, dict):
                errs += non_negative(rolling.get("partition"), "spec.updateStrategy.rollingUpdate.partition")
                if rolling.get("maxUnavailable") is not None:
                    errs += int_or_percent(rolling["maxUnavailable"], "spec.updateStrategy.rollingUpdate.maxUnavailable")[0]
        else:
            errs.append(invalid("spec.updateStrategy", update, "must be 'RollingUpdate' or 'OnDelete'"))
        retention = spec.get("persistentVolumeClaimRetentionPolicy")
        if isinstance(retention, dict):
            for key in ("whenDeleted", "whenScaled"):
                value = retention.get(key)
                if value not in ("Retain", "Delete"):
                    errs.append(not_supported(f"spec.persistentVolumeClaimRetentionPolicy.{key}", value or "",
                                              ["Retain", "Delete"]))
        ordinals = spec.get("ordinals")
        if isinstance(ordinals, dict):
            errs += non_negative(ordinals.get("start"), "spec.ordinals.start")
        errs += non_negative(spec.get("replicas"), "spec.replicas")
        errs += non_negative(spec.get("minReadySeconds"), "spec.minReadySeconds")
        errs += _validate_selector(spec, "statefulset")
        errs += validate_controller_template(spec.get("template"), spec.get("selector"), "spec.template",
                                             owner="StatefulSet")
        for i, claim in enumerate(spec.get("volumeClaimTemplates") or []):
            if isinstance(claim, dict) and not (claim.get("metadata") or {}).get("name"):
                errs.append(required(f"spec.volumeClaimTemplates[{i}].metadata.name"))
        return errs

    def validate_spec_update(self, obj, old, ctx):
        new_spec, old_spec = copy.deepcopy(spec_of(obj)), spec_of(old)
        for key in STATEFUL_SET_MUTABLE:
            if key in old_spec:
                new_spec[key] = old_spec[key]
            else:
                new_spec.pop(key, None)
        if new_spec != old_spec:
            return [forbidden("spec", "updates to statefulset spec for fields other than 'replicas', 'ordinals', "
                                      "'template', 'updateStrategy', 'revisionHistoryLimit', "
                                      "'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden")]
        return []

    def validate_status_update(self, obj, old, ctx):
        status = obj.get("status") if isinstance(obj.get("status"), dict) else {}
        errs = []
        for key in ("replicas", "readyReplicas", "currentReplicas", "updatedReplicas", "availableReplicas",
                    "observedGeneration", "collisionCount"):
            errs += non_negative(status.get(key), f"status.{key}")
        replicas = status.get("replicas") or 0
        for key in ("readyReplicas", "currentReplicas", "updatedReplicas", "availableReplicas"):
            if _is_int(status.get(key)) and status[key] > replicas:
                errs.append(invalid(f"status.{key}", status[key], "cannot be greater than status.replicas"))
        if (status.get("availableReplicas") or 0) > (status.get("readyReplicas") or 0):
            errs.append(invalid("status.availableReplicas", status["availableReplicas"], "cannot be greater than status.readyReplicas"))
        return errs


class DaemonSetStrategy(_WorkloadStrategy):
    kind = "DaemonSet"
    defaulter = staticmethod(defaults.daemon_set)
    initial_status = {"currentNumberScheduled": 0, "numberMisscheduled": 0, "desiredNumberScheduled": 0,
                      "numberReady": 0}

    def validate(self, obj, ctx):
        spec = spec_of(obj)
        errs = _validate_selector(spec, "daemonset")
        selector = spec.get("selector")
        if selector is None:
            selector = {"matchExpressions": [{"key": "", "operator": "In", "values": []}]}  # labels.Nothing()
        errs += validate_controller_template(spec.get("template"), selector, "spec.template", owner="DaemonSet")
        errs += non_negative(spec.get("minReadySeconds"), "spec.minReadySeconds")
        errs += non_negative(spec.get("templateGeneration"), "spec.templateGeneration")
        errs += non_negative(spec.get("revisionHistoryLimit"), "spec.revisionHistoryLimit")
        update = spec.get("updateStrategy") if isinstance(spec.get("updateStrategy"), dict) else {}
        kind = update.get("type")
        if kind == "RollingUpdate":
            rolling = update.get("rollingUpdate")
            path = "spec.updateStrategy.rollingUpdate"
            if not isinstance(rolling, dict):
                errs.append(required(path))
            else:
                unavailable, surge = rolling.get("maxUnavailable"), rolling.get("maxSurge")
                errs += int_or_percent(unavailable, f"{path}.maxUnavailable")[0]
                errs += int_or_percent(surge, f"{path}.maxSurge")[0]
                errs += _not_more_than_100_percent(unavailable, f"{path}.maxUnavailable")
                errs += _not_more_than_100_percent(surge, f"{path}.maxSurge")
                has_unavailable = _int_or_percent_value(unavailable) != 0
                has_surge = _int_or_percent_value(surge) != 0
                if has_unavailable and has_surge:
                    errs.append(invalid(f"{path}.maxSurge", surge, "may not be set when maxUnavailable is non-zero"))
                elif not has_unavailable and not has_surge:
                    errs.append(required(f"{path}.maxUnavailable", "cannot be 0 when maxSurge is 0"))
        elif kind != "OnDelete":
            errs.append(not_supported("spec.updateStrategy", GoValue(
                "apps.DaemonSetUpdateStrategy{Type:%s, RollingUpdate:(*apps.RollingUpdateDaemonSet)(nil)}"
                % _quote(kind or "")), ["RollingUpdate", "OnDelete"]))
        return errs

    def validate_status_update(self, obj, old, ctx):
        status = obj.get("status") if isinstance(obj.get("status"), dict) else {}
        errs = []
        for key in ("currentNumberScheduled", "numberMisscheduled", "desiredNumberScheduled", "numberReady",
                    "observedGeneration", "updatedNumberScheduled", "numberAvailable", "numberUnavailable",
                    "collisionCount"):
            errs += non_negative(status.get(key), f"status.{key}")
        return errs


def _types():
    types = [
        ResourceType(
            group="apps", version="v1", kind="Deployment", plural="deployments", namespaced=True,
            strategy=DeploymentStrategy(), short_names=("deploy",), categories=("all",),
            subresources=(STATUS, WORKLOAD_SCALE), **_table("Deployment"),
        ),
        ResourceType(
            group="apps", version="v1", kind="ReplicaSet", plural="replicasets", namespaced=True,
            strategy=ReplicaSetStrategy(), short_names=("rs",), categories=("all",),
            subresources=(STATUS, WORKLOAD_SCALE),
            selectable_fields={"status.replicas": _int_field("status", "replicas")},
            **_table("ReplicaSet"),
        ),
        ResourceType(
            group="apps", version="v1", kind="StatefulSet", plural="statefulsets", namespaced=True,
            strategy=StatefulSetStrategy(), short_names=("sts",), categories=("all",),
            subresources=(STATUS, WORKLOAD_SCALE), **_table("StatefulSet"),
        ),
        ResourceType(
            group="apps", version="v1", kind="DaemonSet", plural="daemonsets", namespaced=True,
            strategy=DaemonSetStrategy(), short_names=("ds",), categories=("all",),
            subresources=(STATUS,), **_table("DaemonSet"),
        ),
    ]
    return types


TYPES = tuple(_types())
