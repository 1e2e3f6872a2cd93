"""Server-side printing: the columns and cells ``kubectl get`` shows.

Follows kube-apiserver's ``pkg/printers/internalversion`` (v1.32): one
declaration per kind of its columns, and a function from one served object
(a JSON-shaped dict) to its cells. Like kube-apiserver, rows always carry
the ``-o wide`` cells too; clients hide columns with priority 1.

Kinds without a printer get the generic table (Name, Created At), as
kube-apiserver's default table convertor gives them.
"""
import json
import re
from datetime import datetime, timedelta, timezone
from functools import lru_cache

from resources.kinds import defaults
from resources.machinery import selectors
from resources.machinery.errors import APIError
from resources.registry import Column

__all__ = ["table", "age", "human_duration", "kinds"]


# --- column descriptions -----------------------------------------------------
# Upstream fills descriptions from the API types' field docs; we read the same
# docs from the OpenAPI definitions, lazily (only when a table is built).

_DEFINITIONS = "kubernetes-json-schema/v1.32.0-local/_definitions.json"


@lru_cache(maxsize=1)
def _definitions():
    try:
        from importlib.resources import files

        with files("kubernetes_validate").joinpath(_DEFINITIONS).open() as f:
            return json.load(f).get("$defs", {})
    except Exception:  # docs are cosmetic; never fail a table over them
        return {}


class _Doc:
    """The documentation of one field, e.g. _Doc("core.v1.PodStatus", "podIP")."""

    def __init__(self, definition, field):
        if not definition.startswith("io.k8s."):
            definition = "io.k8s.api." + definition
        self.definition, self.field = definition, field

    def __str__(self):
        props = _definitions().get(self.definition, {}).get("properties", {})
        return props.get(self.field, {}).get("description", "")


_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
_CONTAINERS = "Names of each container in the template."
_IMAGES = "Images referenced by each container in the template."


def _col(name, type="string", desc="", priority=0, format=""):
    return (name, type, format, desc, priority)


NAME = _col("Name", format="name", desc=_Doc(_META, "name"))
AGE = _col("Age", desc=_Doc(_META, "creationTimestamp"))


# --- the registry of printers -----------------------------------------------

_PRINTERS = {}  # kind → (column specs, row function)


def _printer(*kinds, columns):
    def register(fn):
        for kind in kinds:
            _PRINTERS[kind] = (tuple(columns), fn)
        return fn

    return register


def kinds():
    """Kinds with their own columns (all others get the default table)."""
    return sorted(_PRINTERS)


@lru_cache(maxsize=None)
def _columns(kind):
    specs = _PRINTERS[kind][0] if kind in _PRINTERS else _DEFAULT_COLUMNS
    return tuple(
        Column(name=n, type=t, format=f, description=str(d), priority=p)
        for n, t, f, d, p in specs
    )


def table(kind: str) -> dict:
    """{"columns": (Column, ...), "row": fn(obj, now) → [cells]} for a kind."""
    row = _PRINTERS[kind][1] if kind in _PRINTERS else _default_row
    return {"columns": _columns(kind), "row": row}


# --- time --------------------------------------------------------------------

_FRACTION = re.compile(r"(\.\d{6})\d+")


def _time(value):
    """A metav1.Time/MicroTime string → aware datetime; None for zero/unset."""
    if not value or not isinstance(value, str):
        return None
    try:
        t = datetime.fromisoformat(_FRACTION.sub(r"\1", value.strip()))
    except ValueError:
        return None
    if t.tzinfo is None:
        t = t.replace(tzinfo=timezone.utc)
    if t == datetime(1, 1, 1, tzinfo=timezone.utc):  # Go's zero time
        return None
    return t


def _utc(now):
    return now.replace(tzinfo=timezone.utc) if now.tzinfo is None else now


def human_duration(delta: timedelta) -> str:
    """apimachinery's duration.HumanDuration: ~2-3 significant figures."""
    micros = delta // timedelta(microseconds=1)
    seconds = abs(micros) // 1_000_000 * (1 if micros >= 0 else -1)  # toward zero
    if seconds < -1:
        return "<invalid>"
    if seconds < 0:
        return "0s"
    if seconds < 60 * 2:
        return f"{seconds}s"
    minutes = seconds // 60
    if minutes < 10:
        s = seconds % 60
        return f"{minutes}m" if s == 0 else f"{minutes}m{s}s"
    if minutes < 60 * 3:
        return f"{minutes}m"
    hours = seconds // 3600
    if hours < 8:
        m = minutes % 60
        return f"{hours}h" if m == 0 else f"{hours}h{m}m"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        h = hours % 24
        return f"{hours // 24}d" if h == 0 else f"{hours // 24}d{h}h"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        days = hours // 24 % 365
        years = hours // 24 // 365
        return f"{years}y" if days == 0 else f"{years}y{days}d"
    return f"{hours // 24 // 365}y"


def age(timestamp_str, now: datetime) -> str:
    """Time since a timestamp, as the AGE cells show it; <unknown> when unset."""
    t = timestamp_str if isinstance(timestamp_str, datetime) else _time(timestamp_str)
    if t is None:
        return "<unknown>"
    return human_duration(_utc(now) - _utc(t))


def _created(obj, now):
    return age(_meta(obj).get("creationTimestamp"), now)


# --- small helpers -----------------------------------------------------------


def _get(obj, *path):
    """obj[a][b]... with missing or null links as {}."""
    for key in path:
        obj = (obj or {}).get(key) if isinstance(obj, dict) else None
    return obj if obj is not None else {}


def _meta(obj):
    return obj.get("metadata") or {}


def _name(obj):
    return _meta(obj).get("name", "")


def _int(value):
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def _list(value):
    return value if isinstance(value, list) else []


def _dict(value):
    return value if isinstance(value, dict) else {}


def _containers(containers):
    """layoutContainerCells: names and images, comma separated."""
    containers = _list(containers)
    return (
        ",".join(c.get("name", "") for c in containers),
        ",".join(c.get("image", "") for c in containers),
    )


def _format_labels(labels):
    """labels.FormatLabels: k=v pairs sorted by key, or <none>."""
    text = ",".join(f"{k}={v}" for k, v in sorted(_dict(labels).items()))
    return text or "<none>"


def _selector_string(selector):
    """metav1.LabelSelectorAsSelector(...).String(); nil/empty select "".
    Raises APIError for an invalid selector."""
    if not isinstance(selector, dict):
        return ""
    return selectors.selector_to_string(selectors.label_selector_from_dict(selector))


def _format_selector(selector):
    """metav1.FormatLabelSelector: <none> when empty, <error> when invalid."""
    try:
        return _selector_string(selector) or "<none>"
    except (APIError, AttributeError, TypeError):
        return "<error>"


def _condition_true(conditions, type_):
    """Whether the first condition of a type has status True."""
    for condition in _list(conditions):
        if condition.get("type") == type_:
            return condition.get("status") == "True"
    return False


def _bool_ptr(value):
    if value is None:
        return "<unset>"
    return "True" if value else "False"


# --- resource.Quantity canonical form ----------------------------------------
# Cells show quantities as Quantity.String() does: canonicalised (1000m → 1,
# 1536Mi stays, 0.5 → 500m), rounded up to nano precision.

def _quantity(value):
    """resource.Quantity.String() of a serialized quantity."""
    if value is None:
        return "<nil>"  # Go: String() on a nil *Quantity
    if isinstance(value, bool):
        return str(value)
    text = value.strip() if isinstance(value, str) else value
    parsed = defaults.parse_quantity(text)
    return defaults.format_quantity(*parsed) if parsed else str(value)


def _int_or_string(value):
    return str(value) if not isinstance(value, bool) else str(value).lower()


# --- default table -----------------------------------------------------------

_DEFAULT_COLUMNS = (
    NAME,
    _col("Created At", type="date", desc=_Doc(_META, "creationTimestamp")),
)


def _default_row(obj, now):
    created = _time(_meta(obj).get("creationTimestamp"))
    if created is None:
        created = datetime(1, 1, 1, tzinfo=timezone.utc)
    t = created.astimezone(timezone.utc)
    # time.RFC3339 in UTC; strftime would not zero-pad years before 1000.
    stamp = f"{t.year:04d}-{t.month:02d}-{t.day:02d}T{t.hour:02d}:{t.minute:02d}:{t.second:02d}Z"
    return [_name(obj), stamp]


# --- core/v1 -------------------------------------------------------------------


@_printer("Pod", columns=(
    NAME,
    _col("Ready", desc="The aggregate readiness state of this pod for accepting traffic."),
    _col("Status", desc="The aggregate status of the containers in this pod."),
    _col("Restarts", desc="The number of times the containers in this pod have been restarted "
                          "and when the last container in this pod has restarted."),
    AGE,
    _col("IP", priority=1, desc=_Doc("core.v1.PodStatus", "podIP")),
    _col("Node", priority=1, desc=_Doc("core.v1.PodSpec", "nodeName")),
    _col("Nominated Node", priority=1, desc=_Doc("core.v1.PodStatus", "nominatedNodeName")),
    _col("Readiness Gates", priority=1, desc=_Doc("core.v1.PodSpec", "readinessGates")),
))
def _pod(pod, now):
    spec, status = _dict(pod.get("spec")), _dict(pod.get("status"))
    conditions = _list(status.get("conditions"))
    init_specs = _list(spec.get("initContainers"))
    total = len(_list(spec.get("containers")))
    ready = 0
    restarts = sidecar_restarts = 0
    last_restart = last_sidecar_restart = None

    phase = status.get("phase") or ""
    reason = status.get("reason") or phase
    for condition in conditions:
        if condition.get("type") == "PodScheduled" and condition.get("reason") == "SchedulingGated":
            reason = "SchedulingGated"

    def restartable(container):  # a sidecar: an init container that keeps running
        return bool(container) and container.get("restartPolicy") == "Always"

    def later(current, container_status):
        finished = _time(_get(container_status, "lastState", "terminated").get("finishedAt"))
        if finished is not None and (current is None or current < finished):
            return finished
        return current

    by_name = {c.get("name"): c for c in init_specs}
    total += sum(1 for c in init_specs if restartable(c))

    initializing = False
    for i, cs in enumerate(_list(status.get("initContainerStatuses"))):
        restarts += _int(cs.get("restartCount"))
        last_restart = later(last_restart, cs)
        sidecar = restartable(by_name.get(cs.get("name")))
        if sidecar:
            sidecar_restarts += _int(cs.get("restartCount"))
            last_sidecar_restart = later(last_sidecar_restart, cs)
        state = _dict(cs.get("state"))
        terminated, waiting = state.get("terminated"), state.get("waiting")
        if terminated is not None and _int(terminated.get("exitCode")) == 0:
            continue
        if sidecar and cs.get("started"):
            if cs.get("ready"):
                ready += 1
            continue
        if terminated is not None:
            if terminated.get("reason"):
                reason = "Init:" + terminated["reason"]
            elif _int(terminated.get("signal")):
                reason = f"Init:Signal:{_int(terminated.get('signal'))}"
            else:
                reason = f"Init:ExitCode:{_int(terminated.get('exitCode'))}"
        elif waiting is not None and waiting.get("reason") and waiting["reason"] != "PodInitializing":
            reason = "Init:" + waiting["reason"]
        else:
            reason = f"Init:{i}/{len(init_specs)}"
        initializing = True
        break

    if not initializing or _condition_true(conditions, "Initialized"):
        restarts, last_restart = sidecar_restarts, last_sidecar_restart
        has_running = False
        for cs in reversed(_list(status.get("containerStatuses"))):
            restarts += _int(cs.get("restartCount"))
            last_restart = later(last_restart, cs)
            state = _dict(cs.get("state"))
            terminated, waiting = state.get("terminated"), state.get("waiting")
            if waiting is not None and waiting.get("reason"):
                reason = waiting["reason"]
            elif terminated is not None and terminated.get("reason"):
                reason = terminated["reason"]
            elif terminated is not None:
                if _int(terminated.get("signal")):
                    reason = f"Signal:{_int(terminated.get('signal'))}"
                else:
                    reason = f"ExitCode:{_int(terminated.get('exitCode'))}"
            elif cs.get("ready") and state.get("running") is not None:
                has_running = True
                ready += 1
        # A pod whose last container completed but others still run is running.
        if reason == "Completed" and has_running:
            reason = "Running" if _condition_true_any(conditions, "Ready") else "NotReady"

    if _meta(pod).get("deletionTimestamp"):
        if status.get("reason") == "NodeLost":
            reason = "Unknown"
        elif phase not in ("Succeeded", "Failed"):
            reason = "Terminating"

    restarts_cell = str(restarts)
    if restarts and last_restart is not None:
        restarts_cell = f"{restarts} ({age(last_restart, now)} ago)"

    pod_ips = _list(status.get("podIPs"))
    ip = (pod_ips[0].get("ip") if pod_ips else "") or status.get("podIP") or "<none>"
    gates = "<none>"
    if _list(spec.get("readinessGates")):
        true = 0
        for gate in spec["readinessGates"]:
            for condition in conditions:
                if condition.get("type") == gate.get("conditionType"):
                    true += condition.get("status") == "True"
                    break
        gates = f"{true}/{len(spec['readinessGates'])}"
    return [
        _name(pod), f"{ready}/{total}", reason, restarts_cell, _created(pod, now),
        ip, spec.get("nodeName") or "<none>", status.get("nominatedNodeName") or "<none>", gates,
    ]


def _condition_true_any(conditions, type_):
    return any(c.get("type") == type_ and c.get("status") == "True" for c in conditions)


@_printer("PodTemplate", columns=(
    NAME,
    _col("Containers", desc=_CONTAINERS),
    _col("Images", desc=_IMAGES),
    _col("Pod Labels", desc="The labels for the pod template."),
))
def _pod_template(obj, now):
    template = _dict(obj.get("template"))
    names, images = _containers(_get(template, "spec").get("containers"))
    return [_name(obj), names, images, _format_labels(_get(template, "metadata").get("labels"))]


@_printer("Namespace", columns=(NAME, _col("Status", desc="The status of the namespace"), AGE))
def _namespace(obj, now):
    return [_name(obj), _get(obj, "status").get("phase", ""), _created(obj, now)]


@_printer("ConfigMap", columns=(NAME, _col("Data", desc=_Doc("core.v1.ConfigMap", "data")), AGE))
def _config_map(obj, now):
    return [_name(obj), len(_dict(obj.get("data"))) + len(_dict(obj.get("binaryData"))), _created(obj, now)]


@_printer("Secret", columns=(
    NAME,
    _col("Type", desc=_Doc("core.v1.Secret", "type")),
    _col("Data", desc=_Doc("core.v1.Secret", "data")),
    AGE,
))
def _secret(obj, now):
    # stringData is write-only (merged into data); count it if a client's
    # object still carries it.
    keys = set(_dict(obj.get("data"))) | set(_dict(obj.get("stringData")))
    return [_name(obj), obj.get("type", ""), len(keys), _created(obj, now)]


@_printer("ServiceAccount", columns=(NAME, _col("Secrets", desc=_Doc("core.v1.ServiceAccount", "secrets")), AGE))
def _service_account(obj, now):
    return [_name(obj), len(_list(obj.get("secrets"))), _created(obj, now)]


def _load_balancer_ips(load_balancer):
    """Ingress points of a load balancer: IPs, else hostnames, sorted and unique."""
    points = set()
    for ingress in _list(_dict(load_balancer).get("ingress")):
        point = ingress.get("ip") or ingress.get("hostname")
        if point:
            points.add(point)
    # Rows are generated wide, so kube-apiserver never clips this to 16 chars.
    return ",".join(sorted(points))


def _service_external_ip(svc):
    spec = _get(svc, "spec")
    external_ips = _list(spec.get("externalIPs"))
    svc_type = spec.get("type", "")
    if svc_type in ("ClusterIP", "NodePort"):
        return ",".join(external_ips) if external_ips else "<none>"
    if svc_type == "LoadBalancer":
        lb = _load_balancer_ips(_get(svc, "status").get("loadBalancer"))
        if external_ips:
            return ",".join((lb.split(",") if lb else []) + external_ips)
        return lb or "<pending>"
    if svc_type == "ExternalName":
        return spec.get("externalName", "")
    return "<unknown>"


def _service_ports(ports):
    pieces = []
    for port in _list(ports):
        protocol = port.get("protocol") or "TCP"
        if _int(port.get("nodePort")) > 0:
            pieces.append(f"{_int(port.get('port'))}:{_int(port.get('nodePort'))}/{protocol}")
        else:
            pieces.append(f"{_int(port.get('port'))}/{protocol}")
    return ",".join(pieces)


@_printer("Service", columns=(
    NAME,
    _col("Type", desc=_Doc("core.v1.ServiceSpec", "type")),
    _col("Cluster-IP", desc=_Doc("core.v1.ServiceSpec", "clusterIP")),
    _col("External-IP", desc=_Doc("core.v1.ServiceSpec", "externalIPs")),
    _col("Port(s)", desc=_Doc("core.v1.ServiceSpec", "ports")),
    AGE,
    _col("Selector", priority=1, desc=_Doc("core.v1.ServiceSpec", "selector")),
))
def _service(svc, now):
    spec = _get(svc, "spec")
    cluster_ips = _list(spec.get("clusterIPs"))
    cluster_ip = (cluster_ips[0] if cluster_ips else spec.get("clusterIP")) or "<none>"
    return [
        _name(svc), spec.get("type", ""), cluster_ip, _service_external_ip(svc),
        _service_ports(spec.get("ports")) or "<none>", _created(svc, now),
        _format_labels(spec.get("selector")),
    ]


def _join_host_port(host, port):
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _format_endpoints(endpoints):
    subsets = _list(endpoints.get("subsets"))
    if not subsets:
        return "<none>"
    shown, limit, more, count = [], 3, False, 0
    for subset in subsets:
        addresses = _list(subset.get("addresses"))
        ports = _list(subset.get("ports"))
        if not ports:  # headless services may have no ports
            count += len(addresses)
            for address in addresses:
                if len(shown) == limit:
                    more = True
                    break
                shown.append(address.get("ip", ""))
            continue
        for port in ports:
            count += len(addresses)
            for address in addresses:
                if len(shown) == limit:
                    more = True
                    break
                shown.append(_join_host_port(address.get("ip", ""), _int(port.get("port"))))
    text = ",".join(shown)
    return f"{text} + {count - limit} more..." if more else text


@_printer("Endpoints", columns=(NAME, _col("Endpoints", desc=_Doc("core.v1.Endpoints", "subsets")), AGE))
def _endpoints(obj, now):
    return [_name(obj), _format_endpoints(obj), _created(obj, now)]


def _node_roles(node):
    roles = set()
    for key, value in _dict(_meta(node).get("labels")).items():
        if key.startswith("node-role.kubernetes.io/"):
            role = key[len("node-role.kubernetes.io/"):]
            if role:
                roles.add(role)
        elif key == "kubernetes.io/role" and value:
            roles.add(value)
    return sorted(roles)


def _node_address(node, address_type):
    for address in _list(_get(node, "status").get("addresses")):
        if address.get("type") == address_type:
            return address.get("address", "")
    return "<none>"


@_printer("Node", columns=(
    NAME,
    _col("Status", desc="The status of the node"),
    _col("Roles", desc="The roles of the node"),
    AGE,
    _col("Version", desc=_Doc("core.v1.NodeSystemInfo", "kubeletVersion")),
    _col("Internal-IP", priority=1, desc=_Doc("core.v1.NodeStatus", "addresses")),
    _col("External-IP", priority=1, desc=_Doc("core.v1.NodeStatus", "addresses")),
    _col("OS-Image", priority=1, desc=_Doc("core.v1.NodeSystemInfo", "osImage")),
    _col("Kernel-Version", priority=1, desc=_Doc("core.v1.NodeSystemInfo", "kernelVersion")),
    _col("Container-Runtime", priority=1, desc=_Doc("core.v1.NodeSystemInfo", "containerRuntimeVersion")),
))
def _node(node, now):
    status = _get(node, "status")
    by_type = {c.get("type"): c for c in _list(status.get("conditions"))}
    states = []
    if "Ready" in by_type:
        states.append("Ready" if by_type["Ready"].get("status") == "True" else "NotReady")
    if not states:
        states.append("Unknown")
    if _get(node, "spec").get("unschedulable"):
        states.append("SchedulingDisabled")
    info = _dict(status.get("nodeInfo"))
    return [
        _name(node), ",".join(states), ",".join(_node_roles(node)) or "<none>", _created(node, now),
        info.get("kubeletVersion", ""),
        _node_address(node, "InternalIP"), _node_address(node, "ExternalIP"),
        info.get("osImage") or "<unknown>", info.get("kernelVersion") or "<unknown>",
        info.get("containerRuntimeVersion") or "<unknown>",
    ]


def _core_event(event):
    """An events.k8s.io/v1 Event in the core/v1 shape (upstream prints both alike)."""
    if "involvedObject" in event or not (
        str(event.get("apiVersion", "")).startswith("events.k8s.io/")
        or "regarding" in event or "note" in event
    ):
        return event
    renamed = {
        "regarding": "involvedObject", "note": "message", "deprecatedSource": "source",
        "deprecatedFirstTimestamp": "firstTimestamp", "deprecatedLastTimestamp": "lastTimestamp",
        "deprecatedCount": "count",
    }
    return {renamed.get(k, k): v for k, v in event.items()}


@_printer("Event", columns=(
    _col("Last Seen", desc=_Doc("core.v1.Event", "lastTimestamp")),
    _col("Type", desc=_Doc("core.v1.Event", "type")),
    _col("Reason", desc=_Doc("core.v1.Event", "reason")),
    _col("Object", desc=_Doc("core.v1.Event", "involvedObject")),
    _col("Subobject", priority=1, desc=_Doc("core.v1.ObjectReference", "fieldPath")),
    _col("Source", priority=1, desc=_Doc("core.v1.Event", "source")),
    _col("Message", desc=_Doc("core.v1.Event", "message")),
    _col("First Seen", priority=1, desc=_Doc("core.v1.Event", "firstTimestamp")),
    _col("Count", priority=1, desc=_Doc("core.v1.Event", "count")),
    _col("Name", priority=1, format="name", desc=_Doc(_META, "name")),
))
def _event(event, now):
    event = _core_event(event)
    first = age(event.get("firstTimestamp"), now)
    if _time(event.get("firstTimestamp")) is None:
        first = age(event.get("eventTime"), now)
    last = age(event.get("lastTimestamp"), now)
    if _time(event.get("lastTimestamp")) is None:
        last = first
    count = _int(event.get("count"))
    series = event.get("series")
    if series is not None:
        last = age(_dict(series).get("lastObservedTime"), now)
        count = _int(_dict(series).get("count"))
    elif count == 0:
        count = 1  # singleton events of the new API carry no count
    involved = _dict(event.get("involvedObject"))
    target = str(involved.get("kind", "")).lower()
    if involved.get("name"):
        target = f"{target}/{involved['name']}"
    source = _dict(event.get("source"))
    component = source.get("component") or event.get("reportingController") or ""
    instance = source.get("host") or event.get("reportingInstance") or ""
    return [
        last, event.get("type", ""), event.get("reason", ""), target,
        involved.get("fieldPath", ""), f"{component}, {instance}" if instance else component,
        str(event.get("message", "")).strip(), first, count, _name(event),
    ]


@_printer("ResourceQuota", columns=(
    NAME,
    _col("Request", desc="Request represents a minimum amount of cpu/memory that a container may consume."),
    _col("Limit", desc="Limits control the maximum amount of cpu/memory that a container may use "
                       "independent of contention on the node."),
    AGE,
))
def _resource_quota(obj, now):
    status = _get(obj, "status")
    hard, used = _dict(status.get("hard")), _dict(status.get("used"))
    requests, limits = [], []
    for resource in sorted(hard):
        pieces = resource.split(".")
        column = limits if len(pieces) > 1 and pieces[0] == "limits" else requests
        column.append(f"{resource}: {_quantity(used.get(resource, '0'))}/{_quantity(hard[resource])}")
    return [_name(obj), ", ".join(requests), ", ".join(limits), _created(obj, now)]


_ACCESS_MODES = (("ReadWriteOnce", "RWO"), ("ReadOnlyMany", "ROX"), ("ReadWriteMany", "RWX"), ("ReadWriteOncePod", "RWOP"))


def _access_modes(modes):
    modes = set(_list(modes))
    return ",".join(short for mode, short in _ACCESS_MODES if mode in modes)


_BETA_STORAGE_CLASS = "volume.beta.kubernetes.io/storage-class"


@_printer("PersistentVolume", columns=(
    NAME,
    _col("Capacity", desc=_Doc("core.v1.PersistentVolumeSpec", "capacity")),
    _col("Access Modes", desc=_Doc("core.v1.PersistentVolumeSpec", "accessModes")),
    _col("Reclaim Policy", desc=_Doc("core.v1.PersistentVolumeSpec", "persistentVolumeReclaimPolicy")),
    _col("Status", desc=_Doc("core.v1.PersistentVolumeStatus", "phase")),
    _col("Claim", desc=_Doc("core.v1.PersistentVolumeSpec", "claimRef")),
    _col("StorageClass", desc="StorageClass of the pv"),
    _col("VolumeAttributesClass", desc="VolumeAttributesClass of the pv"),
    _col("Reason", desc=_Doc("core.v1.PersistentVolumeStatus", "reason")),
    AGE,
    _col("VolumeMode", priority=1, desc=_Doc("core.v1.PersistentVolumeSpec", "volumeMode")),
))
def _persistent_volume(pv, now):
    spec, status = _get(pv, "spec"), _get(pv, "status")
    claim = ""
    if spec.get("claimRef") is not None:
        ref = _dict(spec["claimRef"])
        claim = f"{ref.get('namespace', '')}/{ref.get('name', '')}"
    phase = "Terminating" if _meta(pv).get("deletionTimestamp") else status.get("phase", "")
    annotations = _dict(_meta(pv).get("annotations"))
    storage_class = annotations.get(_BETA_STORAGE_CLASS, spec.get("storageClassName", ""))
    vac = spec.get("volumeAttributesClassName")
    mode = spec.get("volumeMode")
    return [
        _name(pv), _quantity(_dict(spec.get("capacity")).get("storage", "0")),
        _access_modes(spec.get("accessModes")), spec.get("persistentVolumeReclaimPolicy", ""),
        phase, claim, storage_class, "<unset>" if vac is None else vac,
        status.get("reason", ""), _created(pv, now), "<unset>" if mode is None else mode,
    ]


@_printer("PersistentVolumeClaim", columns=(
    NAME,
    _col("Status", desc=_Doc("core.v1.PersistentVolumeClaimStatus", "phase")),
    _col("Volume", desc=_Doc("core.v1.PersistentVolumeClaimSpec", "volumeName")),
    _col("Capacity", desc=_Doc("core.v1.PersistentVolumeClaimStatus", "capacity")),
    _col("Access Modes", desc=_Doc("core.v1.PersistentVolumeClaimStatus", "accessModes")),
    _col("StorageClass", desc="StorageClass of the pvc"),
    _col("VolumeAttributesClass", desc="VolumeAttributesClass of the pvc"),
    AGE,
    _col("VolumeMode", priority=1, desc=_Doc("core.v1.PersistentVolumeClaimSpec", "volumeMode")),
))
def _persistent_volume_claim(pvc, now):
    spec, status = _get(pvc, "spec"), _get(pvc, "status")
    phase = "Terminating" if _meta(pvc).get("deletionTimestamp") else status.get("phase", "")
    capacity = modes = ""
    if spec.get("volumeName"):
        modes = _access_modes(status.get("accessModes"))
        capacity = _quantity(_dict(status.get("capacity")).get("storage", "0"))
    annotations = _dict(_meta(pvc).get("annotations"))
    if _BETA_STORAGE_CLASS in annotations:
        storage_class = annotations[_BETA_STORAGE_CLASS]
    else:
        storage_class = spec.get("storageClassName") or ""
    vac = spec.get("volumeAttributesClassName")
    mode = spec.get("volumeMode")
    return [
        _name(pvc), phase, spec.get("volumeName", ""), capacity, modes, storage_class,
        "<unset>" if vac is None else vac, _created(pvc, now), "<unset>" if mode is None else mode,
    ]


@_printer("ReplicationController", columns=(
    NAME,
    _col("Desired", "integer", _Doc("core.v1.ReplicationControllerSpec", "replicas")),
    _col("Current", "integer", _Doc("core.v1.ReplicationControllerStatus", "replicas")),
    _col("Ready", "integer", _Doc("core.v1.ReplicationControllerStatus", "readyReplicas")),
    AGE,
    _col("Containers", priority=1, desc=_CONTAINERS),
    _col("Images", priority=1, desc=_IMAGES),
    _col("Selector", priority=1, desc=_Doc("core.v1.ReplicationControllerSpec", "selector")),
))
def _replication_controller(obj, now):
    spec, status = _get(obj, "spec"), _get(obj, "status")
    names, images = _containers(_get(spec, "template", "spec").get("containers"))
    return [
        _name(obj), _replicas(spec), _int(status.get("replicas")), _int(status.get("readyReplicas")),
        _created(obj, now), names, images, _format_labels(spec.get("selector")),
    ]


# --- apps/v1 -----------------------------------------------------------------


def _replicas(spec):
    """spec.replicas; the API defaults an unset count to 1."""
    replicas = spec.get("replicas")
    return 1 if replicas is None else _int(replicas)


@_printer("Deployment", columns=(
    NAME,
    _col("Ready", desc="Number of the pod with ready state"),
    _col("Up-to-date", desc=_Doc("apps.v1.DeploymentStatus", "updatedReplicas")),
    _col("Available", desc=_Doc("apps.v1.DeploymentStatus", "availableReplicas")),
    AGE,
    _col("Containers", priority=1, desc=_CONTAINERS),
    _col("Images", priority=1, desc=_IMAGES),
    _col("Selector", priority=1, desc=_Doc("apps.v1.DeploymentSpec", "selector")),
))
def _deployment(obj, now):
    spec, status = _get(obj, "spec"), _get(obj, "status")
    try:
        selector = _selector_string(spec.get("selector"))
    except (APIError, AttributeError, TypeError):
        selector = "<invalid>"
    names, images = _containers(_get(spec, "template", "spec").get("containers"))
    return [
        _name(obj), f"{_int(status.get('readyReplicas'))}/{_replicas(spec)}",
        _int(status.get("updatedReplicas")), _int(status.get("availableReplicas")),
        _created(obj, now), names, images, selector,
    ]


@_printer("ReplicaSet", columns=(
    NAME,
    _col("Desired", "integer", _Doc("apps.v1.ReplicaSetSpec", "replicas")),
    _col("Current", "integer", _Doc("apps.v1.ReplicaSetStatus", "replicas")),
    _col("Ready", "integer", _Doc("apps.v1.ReplicaSetStatus", "readyReplicas")),
    AGE,
    _col("Containers", priority=1, desc=_CONTAINERS),
    _col("Images", priority=1, desc=_IMAGES),
    _col("Selector", priority=1, desc=_Doc("apps.v1.ReplicaSetSpec", "selector")),
))
def _replica_set(obj, now):
    spec, status = _get(obj, "spec"), _get(obj, "status")
    names, images = _containers(_get(spec, "template", "spec").get("containers"))
    return [
        _name(obj), _replicas(spec), _int(status.get("replicas")), _int(status.get("readyReplicas")),
        _created(obj, now), names, images, _format_selector(spec.get("selector")),
    ]


@_printer("StatefulSet", columns=(
    NAME,
    _col("Ready", desc="Number of the pod with ready state"),
    AGE,
    _col("Containers", priority=1, desc=_CONTAINERS),
    _col("Images", priority=1, desc=_IMAGES),
))
def _stateful_set(obj, now):
    spec, status = _get(obj, "spec"), _get(obj, "status")
    names, images = _containers(_get(spec, "template", "spec").get("containers"))
    return [
        _name(obj), f"{_int(status.get('readyReplicas'))}/{_replicas(spec)}", _created(obj, now),
        names, images,
    ]


@_printer("DaemonSet", columns=(
    NAME,
    _col("Desired", "integer", _Doc("apps.v1.DaemonSetStatus", "desiredNumberScheduled")),
    _col("Current", "integer", _Doc("apps.v1.DaemonSetStatus", "currentNumberScheduled")),
    _col("Ready", "integer", _Doc("apps.v1.DaemonSetStatus", "numberReady")),
    _col("Up-to-date", "integer", _Doc("apps.v1.DaemonSetStatus", "updatedNumberScheduled")),
    _col("Available", "integer", _Doc("apps.v1.DaemonSetStatus", "numberAvailable")),
    _col("Node Selector", desc=_Doc("core.v1.PodSpec", "nodeSelector")),
    AGE,
    _col("Containers", priority=1, desc=_CONTAINERS),
    _col("Images", priority=1, desc=_IMAGES),
    _col("Selector", priority=1, desc=_Doc("apps.v1.DaemonSetSpec", "selector")),
))
def _daemon_set(obj, now):
    spec, status = _get(obj, "spec"), _get(obj, "status")
    pod_spec = _get(spec, "template", "spec")
    names, images = _containers(pod_spec.get("containers"))
    return [
        _name(obj), _int(status.get("desiredNumberScheduled")), _int(status.get("currentNumberScheduled")),
        _int(status.get("numberReady")), _int(status.get("updatedNumberScheduled")),
        _int(status.get("numberAvailable")), _format_labels(pod_spec.get("nodeSelector")),
        _created(obj, now), names, images, _format_selector(spec.get("selector")),
    ]


def _controller_of(obj):
    for ref in _list(_meta(obj).get("ownerReferences")):
        if ref.get("controller"):
            return ref
    return None


@_printer("ControllerRevision", columns=(
    NAME,
    _col("Controller", desc="Controller of the object"),
    _col("Revision", desc=_Doc("apps.v1.ControllerRevision", "revision")),
    AGE,
))
def _controller_revision(obj, now):
    controller = "<none>"
    ref = _controller_of(obj)
    if ref is not None:
        api_version = ref.get("apiVersion", "")
        group = api_version.rsplit("/", 1)[0] if "/" in api_version else ""
        kind = ref.get("kind", "")
        group_kind = f"{kind}.{group}" if group else kind
        controller = f"{group_kind.lower()}/{ref.get('name', '')}" if group_kind else ref.get("name", "")
    return [_name(obj), controller, _int(obj.get("revision")), _created(obj, now)]


# --- batch/v1 ----------------------------------------------------------------


@_printer("Job", columns=(
    NAME,
    _col("Status", desc="Status of the job."),
    _col("Completions", desc=_Doc("batch.v1.JobStatus", "succeeded")),
    _col("Duration", desc="Time required to complete the job."),
    AGE,
    _col("Containers", priority=1, desc=_CONTAINERS),
    _col("Images", priority=1, desc=_IMAGES),
    _col("Selector", priority=1, desc=_Doc("batch.v1.JobSpec", "selector")),
))
def _job(job, now):
    spec, status = _get(job, "spec"), _get(job, "status")
    succeeded = _int(status.get("succeeded"))
    if spec.get("completions") is not None:
        completions = f"{succeeded}/{_int(spec['completions'])}"
    elif _int(spec.get("parallelism")) > 1:
        completions = f"{succeeded}/1 of {_int(spec['parallelism'])}"
    else:
        completions = f"{succeeded}/1"
    started, completed = _time(status.get("startTime")), _time(status.get("completionTime"))
    duration = ""
    if started is not None:
        duration = human_duration((completed or _utc(now)) - started)
    conditions = status.get("conditions")
    if _condition_true(conditions, "Complete"):
        state = "Complete"
    elif _condition_true(conditions, "Failed"):
        state = "Failed"
    elif _meta(job).get("deletionTimestamp"):
        state = "Terminating"
    elif _condition_true(conditions, "Suspended"):
        state = "Suspended"
    elif _condition_true(conditions, "FailureTarget"):
        state = "FailureTarget"
    else:
        state = "Running"
    names, images = _containers(_get(spec, "template", "spec").get("containers"))
    return [
        _name(job), state, completions, duration, _created(job, now),
        names, images, _format_selector(spec.get("selector")),
    ]


@_printer("CronJob", columns=(
    NAME,
    _col("Schedule", desc=_Doc("batch.v1.CronJobSpec", "schedule")),
    _col("Timezone", desc=_Doc("batch.v1.CronJobSpec", "timeZone")),
    _col("Suspend", "boolean", _Doc("batch.v1.CronJobSpec", "suspend")),
    _col("Active", "integer", _Doc("batch.v1.CronJobStatus", "active")),
    _col("Last Schedule", desc=_Doc("batch.v1.CronJobStatus", "lastScheduleTime")),
    AGE,
    _col("Containers", priority=1, desc=_CONTAINERS),
    _col("Images", priority=1, desc=_IMAGES),
    _col("Selector", priority=1, desc=_Doc("batch.v1.JobSpec", "selector")),
))
def _cron_job(obj, now):
    spec, status = _get(obj, "spec"), _get(obj, "status")
    last = "<none>"
    if status.get("lastScheduleTime") is not None:
        last = age(status["lastScheduleTime"], now)
    job_spec = _get(spec, "jobTemplate", "spec")
    names, images = _containers(_get(job_spec, "template", "spec").get("containers"))
    timezone_ = spec.get("timeZone")
    return [
        _name(obj), spec.get("schedule", ""), "<none>" if timezone_ is None else timezone_,
        _bool_ptr(spec.get("suspend")), len(_list(status.get("active"))), last, _created(obj, now),
        names, images, _format_selector(job_spec.get("selector")),
    ]


# --- coordination, policy, scheduling, node ---------------------------------


@_printer("Lease", columns=(NAME, _col("Holder", desc=_Doc("coordination.v1.LeaseSpec", "holderIdentity")), AGE))
def _lease(obj, now):
    return [_name(obj), _get(obj, "spec").get("holderIdentity") or "", _created(obj, now)]


@_printer("PodDisruptionBudget", columns=(
    NAME,
    _col("Min Available", desc="The minimum number of pods that must be available."),
    _col("Max Unavailable", desc="The maximum number of pods that may be unavailable."),
    _col("Allowed Disruptions", "integer", "Calculated number of pods that may be disrupted at this time."),
    AGE,
))
def _pod_disruption_budget(obj, now):
    spec = _get(obj, "spec")
    min_available = spec.get("minAvailable")
    max_unavailable = spec.get("maxUnavailable")
    return [
        _name(obj),
        "N/A" if min_available is None else _int_or_string(min_available),
        "N/A" if max_unavailable is None else _int_or_string(max_unavailable),
        _int(_get(obj, "status").get("disruptionsAllowed")), _created(obj, now),
    ]


@_printer("PriorityClass", columns=(
    NAME,
    _col("Value", "integer", _Doc("scheduling.v1.PriorityClass", "value")),
    _col("Global-Default", "boolean", _Doc("scheduling.v1.PriorityClass", "globalDefault")),
    AGE,
    _col("PreemptionPolicy", desc=_Doc("scheduling.v1.PriorityClass", "preemptionPolicy")),
))
def _priority_class(obj, now):
    # Upstream declares PreemptionPolicy without priority, yet only fills it
    # in wide rows; kube-apiserver always generates wide rows, so it is shown.
    return [
        _name(obj), _int(obj.get("value")), bool(obj.get("globalDefault")), _created(obj, now),
        obj.get("preemptionPolicy") or "",
    ]


@_printer("RuntimeClass", columns=(NAME, _col("Handler", desc=_Doc("node.v1.RuntimeClass", "handler")), AGE))
def _runtime_class(obj, now):
    return [_name(obj), obj.get("handler", ""), _created(obj, now)]


# --- networking --------------------------------------------------------------


def _ingress_hosts(rules):
    rules = _list(rules)
    hosts, limit, more = [], 3, False
    for rule in rules:
        if len(hosts) == limit:
            more = True
        if not more and rule.get("host"):
            hosts.append(rule["host"])
    if not hosts:
        return "*"
    text = ",".join(hosts)
    return f"{text} + {len(rules) - limit} more..." if more else text


@_printer("Ingress", columns=(
    NAME,
    _col("Class", desc="The name of the IngressClass resource that should be used for additional configuration"),
    _col("Hosts", desc="Hosts that incoming requests are matched against before the ingress rule"),
    _col("Address", desc="Address is a list containing ingress points for the load-balancer"),
    _col("Ports", desc="Ports of TLS configurations that open"),
    AGE,
))
def _ingress(obj, now):
    spec = _get(obj, "spec")
    class_name = spec.get("ingressClassName")
    return [
        _name(obj), "<none>" if class_name is None else class_name, _ingress_hosts(spec.get("rules")),
        _load_balancer_ips(_get(obj, "status").get("loadBalancer")),
        "80, 443" if _list(spec.get("tls")) else "80", _created(obj, now),
    ]


@_printer("IngressClass", columns=(
    NAME,
    _col("Controller", desc="Controller that is responsible for handling this class"),
    _col("Parameters", desc="A reference to a resource with additional parameters"),
    AGE,
))
def _ingress_class(obj, now):
    spec = _get(obj, "spec")
    parameters = "<none>"
    if spec.get("parameters") is not None:
        params = _dict(spec["parameters"])
        parameters = params.get("kind", "")
        if params.get("apiGroup") is not None:
            parameters += "." + params["apiGroup"]
        parameters += "/" + params.get("name", "")
    return [_name(obj), spec.get("controller", ""), parameters, _created(obj, now)]


@_printer("NetworkPolicy", columns=(
    NAME,
    _col("Pod-Selector", desc=_Doc("networking.v1.NetworkPolicySpec", "podSelector")),
    AGE,
))
def _network_policy(obj, now):
    return [_name(obj), _format_selector(_get(obj, "spec", "podSelector")), _created(obj, now)]


def _list_with_more(shown, more, count, limit):
    text = ",".join(shown)
    if more:
        return f"{text} + {count - limit} more..."
    return text or "<unset>"


@_printer("EndpointSlice", columns=(
    NAME,
    _col("AddressType", desc=_Doc("discovery.v1.EndpointSlice", "addressType")),
    _col("Ports", desc=_Doc("discovery.v1.EndpointSlice", "ports")),
    _col("Endpoints", desc=_Doc("discovery.v1.EndpointSlice", "endpoints")),
    AGE,
))
def _endpoint_slice(obj, now):
    limit = 3
    ports, more, count = [], False, 0
    for port in _list(obj.get("ports")):
        if len(ports) < limit:
            if port.get("port") is not None:
                ports.append(str(_int(port["port"])))
            elif port.get("name") is not None:
                ports.append(port["name"])
            else:
                ports.append("*")
        elif len(ports) == limit:
            more = True
        count += 1
    ports_cell = _list_with_more(ports, more, count, limit)
    addresses, more, count = [], False, 0
    for endpoint in _list(obj.get("endpoints")):
        for address in _list(endpoint.get("addresses")):
            if len(addresses) < limit:
                addresses.append(address)
            elif len(addresses) == limit:
                more = True
            count += 1
    return [
        _name(obj), obj.get("addressType", ""), ports_cell,
        _list_with_more(addresses, more, count, limit), _created(obj, now),
    ]


# --- storage -----------------------------------------------------------------


@_printer("StorageClass", columns=(
    NAME,
    _col("Provisioner", desc=_Doc("storage.v1.StorageClass", "provisioner")),
    _col("ReclaimPolicy", desc=_Doc("storage.v1.StorageClass", "reclaimPolicy")),
    _col("VolumeBindingMode", desc=_Doc("storage.v1.StorageClass", "volumeBindingMode")),
    _col("AllowVolumeExpansion", desc=_Doc("storage.v1.StorageClass", "allowVolumeExpansion")),
    AGE,
))
def _storage_class(obj, now):
    annotations = _dict(_meta(obj).get("annotations"))
    name = _name(obj)
    if "true" in (annotations.get("storageclass.kubernetes.io/is-default-class"),
                  annotations.get("storageclass.beta.kubernetes.io/is-default-class")):
        name += " (default)"
    return [
        name, obj.get("provisioner", ""), obj.get("reclaimPolicy") or "Delete",
        obj.get("volumeBindingMode") or "Immediate", bool(obj.get("allowVolumeExpansion")),
        _created(obj, now),
    ]


# --- autoscaling ---------------------------------------------------------------

def _hpa_metrics(hpa):
    """(spec metrics, current metrics) of an autoscaling/v2 object (tables
    print the storage version: autoscaling/v1 arrives converted)."""
    spec, status = _get(hpa, "spec"), _get(hpa, "status")
    return _list(spec.get("metrics")), _list(status.get("currentMetrics"))


def _format_hpa_metrics(specs, statuses):
    if not specs:
        return "<none>"
    shown = []
    for i, spec in enumerate(specs):
        kind = spec.get("type")
        status = statuses[i] if len(statuses) > i else {}
        if kind in ("External", "Object"):
            key = kind.lower()
            target = _get(spec, key, "target")
            current_status = status.get(key)
            if target.get("averageValue") is not None:
                current = "<unknown>"
                if current_status is not None and _get(current_status, "current").get("averageValue") is not None:
                    current = _quantity(current_status["current"]["averageValue"])
                shown.append(f"{current}/{_quantity(target['averageValue'])} (avg)")
            else:
                current = "<unknown>"
                if current_status is not None:
                    current = _quantity(_get(current_status, "current").get("value"))
                shown.append(f"{current}/{_quantity(target.get('value'))}")
        elif kind == "Pods":
            current = "<unknown>"
            if status.get("pods") is not None:
                current = _quantity(_get(status, "pods", "current").get("averageValue"))
            shown.append(f"{current}/{_quantity(_get(spec, 'pods', 'target').get('averageValue'))}")
        elif kind in ("Resource", "ContainerResource"):
            key = "resource" if kind == "Resource" else "containerResource"
            source = _get(spec, key)
            target = _get(source, "target")
            current_status = status.get(key)
            if target.get("averageValue") is not None:
                current = "<unknown>"
                if current_status is not None:
                    current = _quantity(_get(current_status, "current").get("averageValue"))
                shown.append(f"{source.get('name', '')}: {current}/{_quantity(target['averageValue'])}")
            else:
                current = "<unknown>"
                utilization = _get(current_status, "current").get("averageUtilization")
                if current_status is not None and utilization is not None:
                    current = f"{_int(utilization)}%"
                wanted = "<auto>"
                if target.get("averageUtilization") is not None:
                    wanted = f"{_int(target['averageUtilization'])}%"
                shown.append(f"{source.get('name', '')}: {current}/{wanted}")
        else:
            shown.append("<unknown type>")
    limit = 2
    if len(shown) > limit:
        return f"{', '.join(shown[:limit])} + {len(shown) - limit} more..."
    return ", ".join(shown)


@_printer("HorizontalPodAutoscaler", columns=(
    NAME,
    _col("Reference", desc=_Doc("autoscaling.v2.HorizontalPodAutoscalerSpec", "scaleTargetRef")),
    _col("Targets", desc=_Doc("autoscaling.v2.HorizontalPodAutoscalerSpec", "metrics")),
    _col("MinPods", desc=_Doc("autoscaling.v2.HorizontalPodAutoscalerSpec", "minReplicas")),
    _col("MaxPods", desc=_Doc("autoscaling.v2.HorizontalPodAutoscalerSpec", "maxReplicas")),
    _col("Replicas", desc=_Doc("autoscaling.v2.HorizontalPodAutoscalerStatus", "currentReplicas")),
    AGE,
))
def _horizontal_pod_autoscaler(hpa, now):
    spec = _get(hpa, "spec")
    ref = _dict(spec.get("scaleTargetRef"))
    min_replicas = spec.get("minReplicas")
    return [
        _name(hpa), f"{ref.get('kind', '')}/{ref.get('name', '')}", _format_hpa_metrics(*_hpa_metrics(hpa)),
        "<unset>" if min_replicas is None else str(_int(min_replicas)), _int(spec.get("maxReplicas")),
        _int(_get(hpa, "status").get("currentReplicas")), _created(hpa, now),
    ]


# --- rbac.authorization.k8s.io/v1 ----------------------------------------------


def _subjects(subjects):
    users, groups, service_accounts = [], [], []
    for subject in _list(subjects):
        kind = subject.get("kind")
        if kind == "ServiceAccount":
            service_accounts.append(f"{subject.get('namespace', '')}/{subject.get('name', '')}")
        elif kind == "User":
            users.append(subject.get("name", ""))
        elif kind == "Group":
            groups.append(subject.get("name", ""))
    return ", ".join(users), ", ".join(groups), ", ".join(service_accounts)


def _binding_columns(what):
    return (
        NAME,
        _col("Role", desc=_Doc(f"rbac.v1.{what}", "roleRef")),
        AGE,
        _col("Users", priority=1, desc=f"Users in the {what[0].lower() + what[1:]}"),
        _col("Groups", priority=1, desc=f"Groups in the {what[0].lower() + what[1:]}"),
        _col("ServiceAccounts", priority=1, desc=f"ServiceAccounts in the {what[0].lower() + what[1:]}"),
    )


def _binding(obj, now):
    ref = _dict(obj.get("roleRef"))
    return [
        _name(obj), f"{ref.get('kind', '')}/{ref.get('name', '')}", _created(obj, now),
        *_subjects(obj.get("subjects")),
    ]


_printer("RoleBinding", columns=_binding_columns("RoleBinding"))(_binding)
_printer("ClusterRoleBinding", columns=_binding_columns("ClusterRoleBinding"))(_binding)


# --- admission, certificates ---------------------------------------------------


@_printer("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration", columns=(
    NAME,
    _col("Webhooks", "integer", "Webhooks indicates the number of webhooks registered in this configuration"),
    AGE,
))
def _webhook_configuration(obj, now):
    return [_name(obj), len(_list(obj.get("webhooks"))), _created(obj, now)]


@_printer("CertificateSigningRequest", columns=(
    NAME,
    AGE,
    _col("SignerName", desc=_Doc("certificates.v1.CertificateSigningRequestSpec", "signerName")),
    _col("Requestor", desc=_Doc("certificates.v1.CertificateSigningRequestSpec", "request")),
    _col("RequestedDuration", desc=_Doc("certificates.v1.CertificateSigningRequestSpec", "expirationSeconds")),
    _col("Condition", desc=_Doc("certificates.v1.CertificateSigningRequestStatus", "conditions")),
))
def _certificate_signing_request(csr, now):
    spec, status = _get(csr, "spec"), _get(csr, "status")
    types = {c.get("type") for c in _list(status.get("conditions"))}
    state = "Denied" if "Denied" in types else "Approved" if "Approved" in types else "Pending"
    if "Failed" in types:
        state += ",Failed"
    if status.get("certificate"):
        state += ",Issued"
    duration = "<none>"
    if spec.get("expirationSeconds") is not None:
        duration = human_duration(timedelta(seconds=_int(spec["expirationSeconds"])))
    return [
        _name(csr), _created(csr, now), spec.get("signerName") or "<none>", spec.get("username", ""),
        duration, state,
    ]


@_printer("Scale", columns=[
    NAME,
    _col("Desired", "integer", _Doc("autoscaling.v1.ScaleSpec", "replicas")),
    _col("Available", "integer", _Doc("autoscaling.v1.ScaleStatus", "replicas")),
    AGE,
])
def _scale(scale, now):
    """The /scale subresource (printScale)."""
    return [_name(scale), _int(_get(scale, "spec").get("replicas")), _int(_get(scale, "status").get("replicas")),
            _created(scale, now)]
