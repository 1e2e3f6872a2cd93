"""The default admission plugins that fill in a new pod without looking
anything up: ServiceAccount (``serviceAccountName: default``; the token
volume is not added yet), Priority (a pod without a priority class gets
priority 0; a named class is not resolved yet) and DefaultTolerationSeconds
(NoExecute tolerations of not-ready and unreachable nodes for 300 s).

They run after the request's managedFields are recorded, as upstream's
mutating admission does: the fields they set belong to no manager."""

NOT_READY_TOLERATIONS = (
    ("node.kubernetes.io/not-ready", 300),
    ("node.kubernetes.io/unreachable", 300),
)


def _new_pod_spec(ctx, obj, old):
    if old is not None or ctx.subresource:
        return None
    if not isinstance(obj.get("spec"), dict):
        obj["spec"] = {}
    return obj["spec"]


def service_account(rtype, ctx, obj, old):
    spec = _new_pod_spec(ctx, obj, old)
    if spec is not None and not spec.get("serviceAccountName"):
        # v1 mirrors the name into the deprecated serviceAccount field.
        spec["serviceAccountName"] = spec.get("serviceAccount") or "default"
        spec["serviceAccount"] = spec["serviceAccountName"]


def priority(rtype, ctx, obj, old):
    spec = _new_pod_spec(ctx, obj, old)
    if spec is None:
        return
    if not spec.get("priorityClassName") and spec.get("priority") is None:
        spec["priority"] = 0
    if spec.get("priority") is not None and not spec.get("preemptionPolicy"):
        spec["preemptionPolicy"] = "PreemptLowerPriority"


def default_toleration_seconds(rtype, ctx, obj, old):
    spec = _new_pod_spec(ctx, obj, old)
    if spec is None:
        return
    tolerations = spec.get("tolerations")
    if not isinstance(tolerations, list):
        tolerations = []
    for key, seconds in NOT_READY_TOLERATIONS:
        # A toleration with this key (or no key) and effect NoExecute (or
        # none) already covers the taint.
        if any(isinstance(t, dict) and t.get("key") in (key, "", None) and t.get("effect") in ("NoExecute", "", None)
               for t in tolerations):
            continue
        tolerations.append({"effect": "NoExecute", "key": key, "operator": "Exists", "tolerationSeconds": seconds})
    if tolerations:
        spec["tolerations"] = tolerations
