"""autoscaling/v1 and autoscaling/v2 HorizontalPodAutoscalers, both stored
as autoscaling/v2 (``pkg/apis/autoscaling/v1/conversion.go``).

autoscaling/v1 can say one thing, a CPU utilization target. Everything
else a v2 object holds rides in the annotations kube-apiserver uses, so an
object read through v1 and written back loses nothing:

    autoscaling.alpha.kubernetes.io/metrics          other spec metrics (v1 MetricSpec JSON)
    autoscaling.alpha.kubernetes.io/current-metrics  all status metrics (v1 MetricStatus JSON)
    autoscaling.alpha.kubernetes.io/conditions       status conditions
    autoscaling.alpha.kubernetes.io/behavior         spec.behavior (internal-type JSON, Go field names)

Upstream appends the CPU target after the other metrics when converting
back; when it was not last, ``CPU_INDEX_ANNOTATION`` (ours) remembers
where it was.
"""
import copy
import json

from resources.kinds import defaults
from resources.registry import ResourceType
from resources.subresources.status import STATUS
from resources.kinds.core import (
    BuiltinStrategy, _is_int, _table, forbidden, invalid, non_negative, not_supported, required, spec_of,
    validate_label_selector,
)

METRICS_ANNOTATION = "autoscaling.alpha.kubernetes.io/metrics"
CURRENT_METRICS_ANNOTATION = "autoscaling.alpha.kubernetes.io/current-metrics"
CONDITIONS_ANNOTATION = "autoscaling.alpha.kubernetes.io/conditions"
BEHAVIOR_ANNOTATION = "autoscaling.alpha.kubernetes.io/behavior"
CPU_INDEX_ANNOTATION = "autoscaling.kubeapi.io/cpu-metric-index"
ROUND_TRIP_ANNOTATIONS = (METRICS_ANNOTATION, CURRENT_METRICS_ANNOTATION, CONDITIONS_ANNOTATION,
                          BEHAVIOR_ANNOTATION, CPU_INDEX_ANNOTATION)
DEFAULT_CPU_UTILIZATION = 80


def _dumps(value):
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _loads_list(text):
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        return None
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else None


def _put(out, key, value):
    if value is not None:
        out[key] = copy.deepcopy(value)


def _ref(ref):
    ref = ref if isinstance(ref, dict) else {}
    out = {"kind": ref.get("kind", ""), "name": ref.get("name", "")}
    _put(out, "apiVersion", ref.get("apiVersion") or None)
    return out


def _is_cpu_utilization(metric):
    resource = metric.get("resource") if isinstance(metric.get("resource"), dict) else {}
    target = resource.get("target") if isinstance(resource.get("target"), dict) else {}
    return metric.get("type") == "Resource" and resource.get("name") == "cpu" and \
        target.get("averageUtilization") is not None


def _cpu_metric(utilization):
    return {"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization",
                                                                        "averageUtilization": utilization}}}


# ------------------------------------------------------------- metric specs
def metric_spec_to_v1(metric):
    """autoscaling/v2 MetricSpec → the autoscaling/v1 MetricSpec of the annotation."""
    out = {"type": metric.get("type", "")}
    source = metric.get("object")
    if isinstance(source, dict):
        target, ident = source.get("target") or {}, source.get("metric") or {}
        v1 = {"target": _ref(source.get("describedObject")), "metricName": ident.get("name", ""),
              "targetValue": target.get("value") if target.get("value") is not None else "0"}
        _put(v1, "selector", ident.get("selector"))
        _put(v1, "averageValue", target.get("averageValue"))
        out["object"] = v1
    source = metric.get("pods")
    if isinstance(source, dict):
        target, ident = source.get("target") or {}, source.get("metric") or {}
        v1 = {"metricName": ident.get("name", ""),
              "targetAverageValue": target.get("averageValue") if target.get("averageValue") is not None else "0"}
        _put(v1, "selector", ident.get("selector"))
        out["pods"] = v1
    for key in ("resource", "containerResource"):
        source = metric.get(key)
        if isinstance(source, dict):
            target = source.get("target") or {}
            v1 = {"name": source.get("name", "")}
            _put(v1, "targetAverageUtilization", target.get("averageUtilization"))
            _put(v1, "targetAverageValue", target.get("averageValue"))
            if key == "containerResource":
                v1["container"] = source.get("container", "")
            out[key] = v1
    source = metric.get("external")
    if isinstance(source, dict):
        target, ident = source.get("target") or {}, source.get("metric") or {}
        v1 = {"metricName": ident.get("name", "")}
        _put(v1, "metricSelector", ident.get("selector"))
        _put(v1, "targetValue", target.get("value"))
        _put(v1, "targetAverageValue", target.get("averageValue"))
        out["external"] = v1
    return out


def metric_spec_from_v1(metric):
    """The inverse of metric_spec_to_v1 (Convert_v1_*MetricSource_To_autoscaling_*)."""
    out = {"type": metric.get("type", "")}
    source = metric.get("object")
    if isinstance(source, dict):
        average = source.get("averageValue")
        target = {"type": "AverageValue" if average is not None else "Value"}
        value = source.get("targetValue")
        if value is not None and not (average is not None and value in ("0", 0)):
            target["value"] = value
        _put(target, "averageValue", average)
        ident = {"name": source.get("metricName", "")}
        _put(ident, "selector", source.get("selector"))
        out["object"] = {"describedObject": _ref(source.get("target")), "target": target, "metric": ident}
    source = metric.get("pods")
    if isinstance(source, dict):
        ident = {"name": source.get("metricName", "")}
        _put(ident, "selector", source.get("selector"))
        out["pods"] = {"metric": ident, "target": {"type": "AverageValue",
                                                   "averageValue": source.get("targetAverageValue", "0")}}
    for key in ("resource", "containerResource"):
        source = metric.get(key)
        if isinstance(source, dict):
            utilization = source.get("targetAverageUtilization")
            target = {"type": "Utilization" if utilization is not None else "AverageValue"}
            _put(target, "averageUtilization", utilization)
            _put(target, "averageValue", source.get("targetAverageValue"))
            v2 = {"name": source.get("name", ""), "target": target}
            if key == "containerResource":
                v2["container"] = source.get("container", "")
            out[key] = v2
    source = metric.get("external")
    if isinstance(source, dict):
        average = source.get("targetAverageValue")
        target = {"type": "AverageValue" if average is not None else "Value"}
        _put(target, "value", source.get("targetValue"))
        _put(target, "averageValue", average)
        ident = {"name": source.get("metricName", "")}
        _put(ident, "selector", source.get("metricSelector"))
        out["external"] = {"metric": ident, "target": target}
    return out


# ----------------------------------------------------------- metric status
def metric_status_to_v1(metric):
    out = {"type": metric.get("type", "")}
    source = metric.get("object")
    if isinstance(source, dict):
        current, ident = source.get("current") or {}, source.get("metric") or {}
        v1 = {"target": _ref(source.get("describedObject")), "metricName": ident.get("name", ""),
              "currentValue": current.get("value") if current.get("value") is not None else "0"}
        _put(v1, "selector", ident.get("selector"))
        _put(v1, "averageValue", current.get("averageValue"))
        out["object"] = v1
    source = metric.get("pods")
    if isinstance(source, dict):
        current, ident = source.get("current") or {}, source.get("metric") or {}
        v1 = {"metricName": ident.get("name", ""),
              "currentAverageValue": current.get("averageValue") if current.get("averageValue") is not None else "0"}
        _put(v1, "selector", ident.get("selector"))
        out["pods"] = v1
    for key in ("resource", "containerResource"):
        source = metric.get(key)
        if isinstance(source, dict):
            current = source.get("current") or {}
            v1 = {"name": source.get("name", "")}
            _put(v1, "currentAverageUtilization", current.get("averageUtilization"))
            v1["currentAverageValue"] = current.get("averageValue") if current.get("averageValue") is not None else "0"
            if key == "containerResource":
                v1["container"] = source.get("container", "")
            out[key] = v1
    source = metric.get("external")
    if isinstance(source, dict):
        current, ident = source.get("current") or {}, source.get("metric") or {}
        v1 = {"metricName": ident.get("name", "")}
        _put(v1, "metricSelector", ident.get("selector"))
        v1["currentValue"] = current.get("value") if current.get("value") is not None else "0"
        _put(v1, "currentAverageValue", current.get("averageValue"))
        out["external"] = v1
    return out


def metric_status_from_v1(metric):
    out = {"type": metric.get("type", "")}
    source = metric.get("object")
    if isinstance(source, dict):
        current = {"value": source.get("currentValue", "0")}
        _put(current, "averageValue", source.get("averageValue"))
        ident = {"name": source.get("metricName", "")}
        _put(ident, "selector", source.get("selector"))
        out["object"] = {"metric": ident, "current": current, "describedObject": _ref(source.get("target"))}
    source = metric.get("pods")
    if isinstance(source, dict):
        ident = {"name": source.get("metricName", "")}
        _put(ident, "selector", source.get("selector"))
        out["pods"] = {"metric": ident, "current": {"averageValue": source.get("currentAverageValue", "0")}}
    for key in ("resource", "containerResource"):
        source = metric.get(key)
        if isinstance(source, dict):
            current = {"averageValue": source.get("currentAverageValue", "0")}
            _put(current, "averageUtilization", source.get("currentAverageUtilization"))
            v2 = {"name": source.get("name", ""), "current": current}
            if key == "containerResource":
                v2["container"] = source.get("container", "")
            out[key] = v2
    source = metric.get("external")
    if isinstance(source, dict):
        current = {"value": source.get("currentValue", "0")}
        _put(current, "averageValue", source.get("currentAverageValue"))
        ident = {"name": source.get("metricName", "")}
        _put(ident, "selector", source.get("metricSelector"))
        out["external"] = {"metric": ident, "current": current}
    return out


def _condition_to_v1(condition):
    out = {"type": condition.get("type", ""), "status": condition.get("status", ""),
           "lastTransitionTime": condition.get("lastTransitionTime")}
    _put(out, "reason", condition.get("reason") or None)
    _put(out, "message", condition.get("message") or None)
    return out


def _condition_from_v1(condition):
    out = {"type": condition.get("type", ""), "status": condition.get("status", "")}
    for key in ("lastTransitionTime", "reason", "message"):
        _put(out, key, condition.get(key) or None)
    return out


# ------------------------------------------------------------- behavior
_RULE_FIELDS = (("stabilizationWindowSeconds", "StabilizationWindowSeconds"), ("selectPolicy", "SelectPolicy"),
                ("policies", "Policies"), ("tolerance", "Tolerance"))
_POLICY_FIELDS = (("type", "Type"), ("value", "Value"), ("periodSeconds", "PeriodSeconds"))


def behavior_to_annotation(behavior):
    """json.Marshal of the internal HorizontalPodAutoscalerBehavior (no JSON
    tags, so Go field names and nulls)."""
    def rules(r):
        if not isinstance(r, dict):
            return None
        out = {}
        for json_name, go_name in _RULE_FIELDS:
            if json_name == "tolerance" and json_name not in r:
                continue
            value = r.get(json_name)
            if json_name == "policies":
                value = [{go: p.get(js) for js, go in _POLICY_FIELDS} for p in value or [] if isinstance(p, dict)] \
                    if value is not None else None
            out[go_name] = value
        return out

    return _dumps({"ScaleUp": rules(behavior.get("scaleUp")), "ScaleDown": rules(behavior.get("scaleDown"))})


def behavior_from_annotation(text):
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        return None
    if not isinstance(value, dict):
        return None

    def rules(r):
        if not isinstance(r, dict):
            return None
        out = {}
        for json_name, go_name in _RULE_FIELDS:
            item = r.get(go_name, r.get(json_name))
            if item is None:
                continue
            if json_name == "policies":
                item = [{js: p.get(go, p.get(js)) for js, go in _POLICY_FIELDS} for p in item if isinstance(p, dict)]
            out[json_name] = item
        return out

    behavior = {}
    for json_name, go_name in (("scaleUp", "ScaleUp"), ("scaleDown", "ScaleDown")):
        r = rules(value.get(go_name, value.get(json_name)))
        if r is not None:
            behavior[json_name] = r
    return behavior or None


# ----------------------------------------------------------- conversion
def hpa_v2_to_v1(obj):
    """from_storage for autoscaling/v1."""
    meta = copy.deepcopy(obj.get("metadata") or {})
    annotations = {k: v for k, v in (meta.get("annotations") or {}).items() if k not in ROUND_TRIP_ANNOTATIONS}
    spec2 = obj.get("spec") if isinstance(obj.get("spec"), dict) else {}
    spec1 = {}
    if "scaleTargetRef" in spec2:
        spec1["scaleTargetRef"] = _ref(spec2["scaleTargetRef"])
    _put(spec1, "minReplicas", spec2.get("minReplicas"))
    spec1["maxReplicas"] = spec2.get("maxReplicas", 0)
    metrics = [m for m in spec2.get("metrics") or [] if isinstance(m, dict)]
    cpu_index = next((i for i, m in enumerate(metrics) if _is_cpu_utilization(m)), None)
    if cpu_index is not None:
        spec1["targetCPUUtilizationPercentage"] = metrics[cpu_index]["resource"]["target"]["averageUtilization"]
    others = [metric_spec_to_v1(m) for i, m in enumerate(metrics) if i != cpu_index]
    if others:
        annotations[METRICS_ANNOTATION] = _dumps(others)
    if cpu_index is not None and cpu_index != len(metrics) - 1:
        annotations[CPU_INDEX_ANNOTATION] = str(cpu_index)
    if isinstance(spec2.get("behavior"), dict):
        annotations[BEHAVIOR_ANNOTATION] = behavior_to_annotation(spec2["behavior"])
    out = {"apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler", "metadata": meta, "spec": spec1}
    status2 = obj.get("status")
    if isinstance(status2, dict):
        status1 = {}
        _put(status1, "observedGeneration", status2.get("observedGeneration"))
        _put(status1, "lastScaleTime", status2.get("lastScaleTime"))
        status1["currentReplicas"] = status2.get("currentReplicas", 0)
        status1["desiredReplicas"] = status2.get("desiredReplicas", 0)
        current = [m for m in status2.get("currentMetrics") or [] if isinstance(m, dict)]
        for m in current:
            resource = m.get("resource") if isinstance(m.get("resource"), dict) else {}
            utilization = (resource.get("current") or {}).get("averageUtilization")
            if m.get("type") == "Resource" and resource.get("name") == "cpu" and utilization is not None:
                status1["currentCPUUtilizationPercentage"] = utilization
        if current:
            annotations[CURRENT_METRICS_ANNOTATION] = _dumps([metric_status_to_v1(m) for m in current])
        conditions = [c for c in status2.get("conditions") or [] if isinstance(c, dict)]
        if conditions:
            annotations[CONDITIONS_ANNOTATION] = _dumps([_condition_to_v1(c) for c in conditions])
        out["status"] = status1
    if annotations:
        meta["annotations"] = annotations
    else:
        meta.pop("annotations", None)
    return out


def hpa_v1_to_v2(obj):
    """to_storage for autoscaling/v1."""
    meta = copy.deepcopy(obj.get("metadata") or {})
    annotations = meta.get("annotations") if isinstance(meta.get("annotations"), dict) else {}
    spec1 = obj.get("spec") if isinstance(obj.get("spec"), dict) else {}
    spec2 = {}
    if "scaleTargetRef" in spec1:
        spec2["scaleTargetRef"] = _ref(spec1["scaleTargetRef"])
    _put(spec2, "minReplicas", spec1.get("minReplicas"))
    if "maxReplicas" in spec1:
        spec2["maxReplicas"] = spec1["maxReplicas"]
    metrics = [metric_spec_from_v1(m) for m in _loads_list(annotations.get(METRICS_ANNOTATION)) or []]
    if spec1.get("targetCPUUtilizationPercentage") is not None:
        at = len(metrics)
        try:
            at = min(max(int(annotations.get(CPU_INDEX_ANNOTATION, at)), 0), len(metrics))
        except (TypeError, ValueError):
            pass
        metrics.insert(at, _cpu_metric(spec1["targetCPUUtilizationPercentage"]))
    behavior = behavior_from_annotation(annotations.get(BEHAVIOR_ANNOTATION))
    if behavior:
        spec2["behavior"] = behavior
    if not metrics:
        # autoscaling/v1's implicit target, made explicit as upstream does.
        metrics = [_cpu_metric(DEFAULT_CPU_UTILIZATION)]
    spec2["metrics"] = metrics
    out = {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": meta, "spec": spec2}
    status1 = obj.get("status")
    if isinstance(status1, dict):
        status2 = {}
        _put(status2, "observedGeneration", status1.get("observedGeneration"))
        _put(status2, "lastScaleTime", status1.get("lastScaleTime"))
        if status1.get("currentReplicas"):
            status2["currentReplicas"] = status1["currentReplicas"]
        status2["desiredReplicas"] = status1.get("desiredReplicas", 0)
        current = _loads_list(annotations.get(CURRENT_METRICS_ANNOTATION))
        if current is not None:
            current = [metric_status_from_v1(m) for m in current]
        elif status1.get("currentCPUUtilizationPercentage") is not None:
            current = [{"type": "Resource", "resource": {
                "name": "cpu", "current": {"averageUtilization": status1["currentCPUUtilizationPercentage"]}}}]
        if current:
            status2["currentMetrics"] = current
        conditions = _loads_list(annotations.get(CONDITIONS_ANNOTATION))
        if conditions:
            status2["conditions"] = [_condition_from_v1(c) for c in conditions]
        out["status"] = status2
    remaining = {k: v for k, v in annotations.items() if k not in ROUND_TRIP_ANNOTATIONS}
    if remaining:
        meta["annotations"] = remaining
    else:
        meta.pop("annotations", None)
    return out


# ------------------------------------------------------------- strategy
METRIC_SOURCE_TYPES = ("Object", "Pods", "Resource", "External", "ContainerResource")
METRIC_TARGET_TYPES = ("Utilization", "Value", "AverageValue")
SCALING_POLICY_TYPES = ("Pods", "Percent")
SELECT_POLICIES = ("Max", "Min", "Disabled")
_SOURCE_KEYS = {"Object": "object", "Pods": "pods", "Resource": "resource", "External": "external",
                "ContainerResource": "containerResource"}


def _validate_target(target, path):
    errs = []
    if not isinstance(target, dict):
        return [required(path)]
    kind = target.get("type")
    if not kind:
        errs.append(required(f"{path}.type", "must specify a metric target type"))
    elif kind not in METRIC_TARGET_TYPES:
        errs.append(not_supported(f"{path}.type", kind, METRIC_TARGET_TYPES))
    utilization = target.get("averageUtilization")
    if utilization is not None and (not _is_int(utilization) or utilization < 1):
        errs.append(invalid(f"{path}.averageUtilization", utilization, "must be greater than 0"))
    return errs


def _validate_metric(metric, path):
    errs = []
    kind = metric.get("type")
    if not kind:
        errs.append(required(f"{path}.type", "must specify a metric source type"))
    elif kind not in METRIC_SOURCE_TYPES:
        errs.append(not_supported(f"{path}.type", kind, METRIC_SOURCE_TYPES))
    present = [k for k in _SOURCE_KEYS.values() if metric.get(k) is not None]
    if len(present) != 1 or (kind in _SOURCE_KEYS and present[0] != _SOURCE_KEYS[kind]):
        if kind in _SOURCE_KEYS and metric.get(_SOURCE_KEYS[kind]) is None:
            errs.append(required(f"{path}.{_SOURCE_KEYS[kind]}", "must populate information for the given metric source"))
        elif len(present) > 1:
            errs.append(forbidden(path, "must populate the given metric source only"))
    source = metric.get(_SOURCE_KEYS.get(kind, ""))
    if isinstance(source, dict):
        spath = f"{path}.{_SOURCE_KEYS[kind]}"
        if kind in ("Resource", "ContainerResource"):
            if not source.get("name"):
                errs.append(required(f"{spath}.name"))
            if kind == "ContainerResource" and not source.get("container"):
                errs.append(required(f"{spath}.container"))
        else:
            ident = source.get("metric") if isinstance(source.get("metric"), dict) else {}
            if not ident.get("name"):
                errs.append(required(f"{spath}.metric.name", "must specify a metric name"))
            errs += validate_label_selector(ident.get("selector"), f"{spath}.metric.selector")
            if kind == "Object":
                ref = source.get("describedObject") if isinstance(source.get("describedObject"), dict) else {}
                for key in ("kind", "name"):
                    if not ref.get(key):
                        errs.append(required(f"{spath}.describedObject.{key}"))
        errs += _validate_target(source.get("target"), f"{spath}.target")
    return errs


def _validate_rules(rules, path):
    errs = []
    if not isinstance(rules, dict):
        return errs
    window = rules.get("stabilizationWindowSeconds")
    if window is not None and (not _is_int(window) or not 0 <= window <= 3600):
        errs.append(invalid(f"{path}.stabilizationWindowSeconds", window,
                            "must be less than or equal to 3600" if _is_int(window) and window > 3600
                            else "must be greater than or equal to zero"))
    select = rules.get("selectPolicy")
    if select is not None and select not in SELECT_POLICIES:
        errs.append(not_supported(f"{path}.selectPolicy", select, SELECT_POLICIES))
    policies = rules.get("policies")
    if policies is not None and not policies:
        errs.append(required(f"{path}.policies", "must specify at least one Policy"))
    for i, policy in enumerate(policies or []):
        ppath = f"{path}.policies[{i}]"
        if not isinstance(policy, dict):
            continue
        if policy.get("type") not in SCALING_POLICY_TYPES:
            errs.append(not_supported(f"{ppath}.type", policy.get("type") or "", SCALING_POLICY_TYPES))
        value = policy.get("value")
        if not _is_int(value) or value <= 0:
            errs.append(invalid(f"{ppath}.value", value, "must be greater than zero"))
        period = policy.get("periodSeconds")
        if not _is_int(period) or period <= 0:
            errs.append(invalid(f"{ppath}.periodSeconds", period, "must be greater than zero"))
        elif period > 1800:
            errs.append(invalid(f"{ppath}.periodSeconds", period, "must be less than or equal to 1800"))
    return errs


class HorizontalPodAutoscalerStrategy(BuiltinStrategy):
    group = "autoscaling"
    kind = "HorizontalPodAutoscaler"
    defaulter = staticmethod(defaults.horizontal_pod_autoscaler)
    has_status = True
    tracks_generation = False
    initial_status = {"desiredReplicas": 0}

    def validate(self, obj, ctx):
        spec = spec_of(obj)
        errs = []
        minimum, maximum = spec.get("minReplicas"), spec.get("maxReplicas", 0)
        if minimum is not None and (not _is_int(minimum) or minimum < 1):
            errs.append(invalid("spec.minReplicas", minimum, "must be greater than or equal to 1"))
        if not _is_int(maximum) or maximum < 1:
            errs.append(invalid("spec.maxReplicas", maximum, "must be greater than 0"))
        if _is_int(minimum) and _is_int(maximum) and maximum < minimum:
            errs.append(invalid("spec.maxReplicas", maximum, "must be greater than or equal to `minReplicas`"))
        ref = spec.get("scaleTargetRef") if isinstance(spec.get("scaleTargetRef"), dict) else {}
        for key in ("kind", "name"):
            value = ref.get(key) or ""
            if not value:
                errs.append(required(f"spec.scaleTargetRef.{key}"))
            elif value in (".", "..") or "/" in value or "%" in value:
                errs.append(invalid(f"spec.scaleTargetRef.{key}", value, f"may not be '{value}'" if value in (".", "..")
                                    else "may not contain '/'" if "/" in value else "may not contain '%'"))
        for i, metric in enumerate(spec.get("metrics") or []):
            if isinstance(metric, dict):
                errs += _validate_metric(metric, f"spec.metrics[{i}]")
        behavior = spec.get("behavior")
        if isinstance(behavior, dict):
            errs += _validate_rules(behavior.get("scaleUp"), "spec.behavior.scaleUp")
            errs += _validate_rules(behavior.get("scaleDown"), "spec.behavior.scaleDown")
        return errs

    def validate_status_update(self, obj, old, ctx):
        status = obj.get("status") if isinstance(obj.get("status"), dict) else {}
        return non_negative(status.get("currentReplicas"), "status.currentReplicas") + \
            non_negative(status.get("desiredReplicas"), "status.desiredReplicas")


def _types():
    strategy = HorizontalPodAutoscalerStrategy()
    types = [
        ResourceType(
            group="autoscaling", version="v2", kind="HorizontalPodAutoscaler", plural="horizontalpodautoscalers",
            namespaced=True, strategy=strategy, short_names=("hpa",), categories=("all",),
            subresources=(STATUS,), **_table("HorizontalPodAutoscaler"),
        ),
        ResourceType(
            group="autoscaling", version="v1", kind="HorizontalPodAutoscaler", plural="horizontalpodautoscalers",
            namespaced=True, strategy=strategy, short_names=("hpa",), categories=("all",),
            subresources=(STATUS,), storage_version="v2", to_storage=hpa_v1_to_v2, from_storage=hpa_v2_to_v1,
            **_table("HorizontalPodAutoscaler"),
        ),
    ]
    return types


TYPES = tuple(_types())
