"""core/v1: declarations and strategies (``pkg/registry/core/*/strategy.go``,
``pkg/apis/core/validation``).

The first half of this module is the validation vocabulary every built-in
kind shares: causes in upstream's wording (``field.Error.ErrorBody``), Go's
way of printing a bad value, label selectors, and PodSpec validation (pod
templates live in apps and batch too).
"""
import base64
import binascii
import copy
import ipaddress
import json
import re

from resources.kinds import defaults
from resources.machinery import errors
from resources.machinery import validation as _kv
from resources.machinery.clock import now_rfc3339
from resources.machinery.selectors import label_selector_matches
from resources.printing import printers
from resources.registry import ResourceType
from resources.registry.strategy import Strategy
from resources.subresources.base import Subresource
from resources.subresources.scale import WORKLOAD_SCALE
from resources.subresources.status import STATUS

# ============================================================ field errors
# Causes render exactly as resources.machinery.validation renders them (one place
# knows how Go prints a value); these wrappers add the maps and structs
# that only kinds print.

REQUIRED = _kv.REQUIRED
INVALID = _kv.INVALID
NOT_SUPPORTED = _kv.NOT_SUPPORTED
FORBIDDEN = _kv.FORBIDDEN
DUPLICATE = _kv.DUPLICATE
TOO_LONG = _kv.TOO_LONG
TOO_MANY = _kv.TOO_MANY
NOT_FOUND = _kv.NOT_FOUND

FIELD_IMMUTABLE = "field is immutable"
IS_NEGATIVE = "must be greater than or equal to 0"

GoValue = _kv.GoLiteral
_go_string = _kv.go_quote


def _renderable(value):
    """Values Go prints with %#v that resources.machinery.validation does not know."""
    if isinstance(value, dict) and all(isinstance(v, str) or v is None for v in value.values()):
        return GoValue(go_string_map(value))
    if isinstance(value, (dict, list)) and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
        return GoValue(json.dumps(value, separators=(",", ":"), sort_keys=True))
    return value


def go_value(value):
    """How ``field.Error`` prints a bad value (%q for strings, %v for
    numbers and bools, %#v for the rest)."""
    return _kv.go_value(_renderable(value))


def go_string_map(value):
    if value is None:
        return "map[string]string(nil)"
    return "map[string]string{" + ", ".join(
        f"{_go_string(str(k))}:{_go_string(_text(value[k]))}" for k in sorted(value, key=str)) + "}"


def _text(value):
    """A string field as Go decoded it: null is ""."""
    return "" if value is None else value if isinstance(value, str) else str(value)


def go_label_selector(selector):
    """%#v of a metav1.LabelSelector, as in the well-known immutable-selector error."""
    if not isinstance(selector, dict):
        return GoValue("(*v1.LabelSelector)(nil)")
    labels = selector.get("matchLabels")
    exprs = selector.get("matchExpressions")
    if exprs:
        rendered = ", ".join(
            "v1.LabelSelectorRequirement{Key:%s, Operator:%s, Values:%s}" % (
                _go_string(_text(e.get("key"))), _go_string(_text(e.get("operator"))),
                ("[]string{" + ", ".join(_go_string(_text(v)) for v in e["values"]) + "}") if e.get("values")
                else "[]string(nil)")
            for e in exprs if isinstance(e, dict))
        exprs_text = "[]v1.LabelSelectorRequirement{" + rendered + "}"
    else:
        exprs_text = "[]v1.LabelSelectorRequirement(nil)"
    return GoValue(f"v1.LabelSelector{{MatchLabels:{go_string_map(labels or None)}, MatchExpressions:{exprs_text}}}")


def required(path, detail=""):
    return _kv.required(path, detail)


def invalid(path, value, detail=""):
    return _kv.invalid(path, _renderable(value), detail)


def not_supported(path, value, valid):
    return _kv.not_supported(path, _renderable(value), list(valid))


def forbidden(path, detail=""):
    return _kv.forbidden(path, detail)


def duplicate(path, value):
    return _kv.duplicate(path, _renderable(value))


def not_found(path, value):
    return (path, NOT_FOUND, _kv.error_body(NOT_FOUND, _renderable(value)))


def too_long(path, max_length):
    return _kv.too_long(path, max_length)


def too_many(path, actual, maximum):
    return (path, TOO_MANY, _kv.error_body(TOO_MANY, actual, f"must have at most {maximum} items"))


def immutable(path, new, old, shown=None):
    """ValidateImmutableField."""
    if new != old:
        return [invalid(path, new if shown is None else shown, FIELD_IMMUTABLE)]
    return []


def key_path(path, key):
    return f"{path}[{key}]"


# ======================================================= name/value checks
def dns1123_label(value, path):
    return [invalid(path, value, msg) for msg in _kv.is_dns1123_label(value)]


def dns1123_subdomain(value, path):
    return [invalid(path, value, msg) for msg in _kv.is_dns1123_subdomain(value)]


def qualified_name(value, path):
    return [invalid(path, value, msg) for msg in _kv.is_qualified_name(value)]


def is_dns1035_label(value):
    return _kv.is_dns1035_label(value)


def validate_labels(labels, path):
    """ValidateLabels: keys are qualified names, values label values."""
    errs = []
    if not isinstance(labels, dict):
        return errs
    for key, value in labels.items():
        errs += qualified_name(key, path)
        for msg in _kv.is_valid_label_value(_text(value)):
            errs.append(invalid(path, _text(value), msg))
    return errs


def is_valid_port_num(port):
    if not isinstance(port, int) or isinstance(port, bool) or not 1 <= port <= 65535:
        return ["must be between 1 and 65535, inclusive"]
    return []


_PORT_NAME_CHARS = re.compile(r"^[-a-z0-9]+$")
_PORT_NAME_LETTER = re.compile(r"[a-z]")


def is_valid_port_name(name):
    """IsValidPortName: an IANA_SVC_NAME."""
    errs = []
    if len(name) > 15:
        errs.append("must be no more than 15 characters")
    if not _PORT_NAME_CHARS.match(name):
        errs.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
    if not _PORT_NAME_LETTER.search(name):
        errs.append("must contain at least one letter (a-z)")
    if "--" in name:
        errs.append("must not contain consecutive hyphens")
    if name and (name[0] == "-" or name[-1] == "-"):
        errs.append("must not begin or end with a hyphen")
    return errs


def port_num_or_name(value, path):
    if isinstance(value, int) and not isinstance(value, bool):
        return [invalid(path, value, msg) for msg in is_valid_port_num(value)]
    if isinstance(value, str):
        return [invalid(path, value, msg) for msg in is_valid_port_name(value)]
    return [invalid(path, value, "must be an int or a string")]


def non_negative(value, path):
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value < 0:
        return [invalid(path, value, IS_NEGATIVE)]
    return []


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


_PERCENT = re.compile(r"^[0-9]+%$")


def int_or_percent(value, path):
    """ValidatePositiveIntOrPercent; returns (errors, is_percent, number)."""
    if isinstance(value, str):
        if not _PERCENT.match(value):
            return [invalid(path, value, "a valid percent string must be a numeric string followed by an ending '%' "
                                         "(e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')")], True, 0
        return [], True, int(value[:-1])
    if _is_int(value):
        return non_negative(value, path), False, value
    return [invalid(path, value, "must be an integer or percentage (e.g '5%')")], False, 0


def validate_quantity(value, path):
    if defaults.parse_quantity(value) is None:
        return [invalid(path, value, defaults.QUANTITY_REGEX_MESSAGE)]
    return []


def quantity_value(value):
    parsed = defaults.parse_quantity(value)
    return parsed[0] if parsed else None


# =========================================================== label selectors
SELECTOR_OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist")


def validate_label_selector(selector, path):
    errs = []
    if selector is None:
        return errs
    if not isinstance(selector, dict):
        return [invalid(path, selector, "must be a label selector")]
    errs += validate_labels(selector.get("matchLabels"), f"{path}.matchLabels")
    for i, expr in enumerate(selector.get("matchExpressions") or []):
        epath = f"{path}.matchExpressions[{i}]"
        if not isinstance(expr, dict):
            errs.append(invalid(epath, expr, "must be an object"))
            continue
        op, values = expr.get("operator"), expr.get("values") or []
        if op in ("In", "NotIn"):
            if not values:
                errs.append(required(f"{epath}.values", "must be specified when `operator` is 'In' or 'NotIn'"))
        elif op in ("Exists", "DoesNotExist"):
            if values:
                errs.append(forbidden(f"{epath}.values", "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"))
        else:
            errs.append(invalid(f"{epath}.operator", op or "", "not a valid selector operator"))
        errs += qualified_name(_text(expr.get("key")), f"{epath}.key")
        for j, value in enumerate(values):
            for msg in _kv.is_valid_label_value(_text(value)):
                errs.append(invalid(f"{epath}.values[{j}]", _text(value), msg))
    return errs


def selector_is_empty(selector):
    return not (selector or {}).get("matchLabels") and not (selector or {}).get("matchExpressions")


# ============================================================ pod validation
RESTART_POLICIES = ("Always", "OnFailure", "Never")
DNS_POLICIES = ("ClusterFirstWithHostNet", "ClusterFirst", "Default", "None")
PULL_POLICIES = ("Always", "IfNotPresent", "Never")
TERMINATION_MESSAGE_POLICIES = ("FallbackToLogsOnError", "File")
PORT_PROTOCOLS = ("SCTP", "TCP", "UDP")
TOLERATION_OPERATORS = ("Equal", "Exists")
TAINT_EFFECTS = ("NoExecute", "NoSchedule", "PreferNoSchedule")
FILE_MODE_MESSAGE = "must be a number between 0 and 0777 (octal), both inclusive"
PROBE_HANDLERS = ("exec", "httpGet", "tcpSocket", "grpc")
LIFECYCLE_HANDLERS = ("exec", "httpGet", "tcpSocket", "sleep")
STANDARD_RESOURCES = ("cpu", "memory", "ephemeral-storage", "storage")


def _int_range(value, path, low, high):
    if not _is_int(value) or not low <= value <= high:
        return [invalid(path, value, f"must be between {low} and {high}, inclusive")]
    return []


def _validate_volumes(volumes, path):
    errs, names = [], {}
    if volumes is None:
        return errs, names
    if not isinstance(volumes, list):
        return [invalid(path, volumes, "must be a list")], names
    for i, vol in enumerate(volumes):
        vpath = f"{path}[{i}]"
        if not isinstance(vol, dict):
            errs.append(invalid(vpath, vol, "must be an object"))
            continue
        name = vol.get("name") or ""
        if not name:
            errs.append(required(f"{vpath}.name"))
        else:
            errs += dns1123_label(name, f"{vpath}.name")
            if name in names:
                errs.append(duplicate(f"{vpath}.name", name))
        sources = [s for s in defaults.VOLUME_SOURCES if vol.get(s) is not None]
        if not sources:
            errs.append(required(vpath, "must specify a volume type"))
        for extra in sources[1:]:
            errs.append(forbidden(f"{vpath}.{extra}", "may not specify more than 1 volume type"))
        source = vol.get(sources[0]) if sources else None
        if sources:
            spath = f"{vpath}.{sources[0]}"
            if not isinstance(source, dict):
                errs.append(invalid(spath, source, "must be an object"))
                source = {}
            kind = sources[0]
            if kind == "configMap" and not source.get("name"):
                errs.append(required(f"{spath}.name"))
            if kind == "secret" and not source.get("secretName"):
                errs.append(required(f"{spath}.secretName"))
            if kind == "persistentVolumeClaim" and not source.get("claimName"):
                errs.append(required(f"{spath}.claimName"))
            if kind == "hostPath" and not source.get("path"):
                errs.append(required(f"{spath}.path"))
            if kind == "nfs":
                if not source.get("server"):
                    errs.append(required(f"{spath}.server"))
                if not source.get("path"):
                    errs.append(required(f"{spath}.path"))
            if kind in ("configMap", "secret", "downwardAPI", "projected"):
                mode = source.get("defaultMode")
                if mode is not None and (not _is_int(mode) or not 0 <= mode <= 0o777):
                    errs.append(invalid(f"{spath}.defaultMode", mode, FILE_MODE_MESSAGE))
                for j, item in enumerate(source.get("items") or []):
                    if isinstance(item, dict) and item.get("mode") is not None and (
                            not _is_int(item["mode"]) or not 0 <= item["mode"] <= 0o777):
                        errs.append(invalid(f"{spath}.items[{j}].mode", item["mode"], FILE_MODE_MESSAGE))
            if kind == "emptyDir" and source.get("sizeLimit") is not None:
                errs += validate_quantity(source["sizeLimit"], f"{spath}.sizeLimit")
        if name:
            names[name] = vol
    return errs, names


def _validate_handler(handler, path, kinds, what):
    errs = []
    if not isinstance(handler, dict):
        return [invalid(path, handler, "must be an object")]
    present = [k for k in kinds if handler.get(k) is not None]
    if not present:
        errs.append(required(path, f"must specify a {what} type"))
    for extra in present[1:]:
        errs.append(forbidden(f"{path}.{extra}", f"may not specify more than 1 {what} type"))
    for k in present[:1]:
        action = handler.get(k) or {}
        if k in ("httpGet", "tcpSocket") and isinstance(action, dict):
            errs += port_num_or_name(action.get("port", 0), f"{path}.{k}.port")
        if k == "exec" and isinstance(action, dict) and not action.get("command"):
            errs.append(required(f"{path}.exec.command"))
    return errs


def _validate_probe(p, path, liveness_like):
    if p is None:
        return []
    errs = _validate_handler(p, path, PROBE_HANDLERS, "handler")
    if not isinstance(p, dict):
        return errs
    for key in ("initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold", "failureThreshold"):
        errs += non_negative(p.get(key), f"{path}.{key}")
    if liveness_like and p.get("successThreshold") not in (None, 1):
        errs.append(invalid(f"{path}.successThreshold", p["successThreshold"], "must be 1"))
    return errs


def _validate_resources(resources, path):
    errs = []
    if not isinstance(resources, dict):
        return errs
    limits = resources.get("limits") if isinstance(resources.get("limits"), dict) else {}
    requests = resources.get("requests") if isinstance(resources.get("requests"), dict) else {}
    for key, listing in (("limits", limits), ("requests", requests)):
        for name, quantity in listing.items():
            qpath = key_path(f"{path}.{key}", name)
            if name not in STANDARD_RESOURCES and not name.startswith("hugepages-") and "/" not in name:
                errs.append(invalid(qpath, name, "must be a standard resource type or fully qualified"))
            q = quantity_value(quantity)
            if q is None:
                errs.append(invalid(qpath, quantity, defaults.QUANTITY_REGEX_MESSAGE))
            elif q < 0:
                errs.append(invalid(qpath, quantity, IS_NEGATIVE))
    for name, quantity in requests.items():
        request, limit = quantity_value(quantity), quantity_value(limits.get(name))
        if request is not None and limit is not None and request > limit:
            errs.append(invalid(key_path(f"{path}.requests", name), quantity,
                                f"must be less than or equal to {name} limit of {limits[name]}"))
    return errs


def _validate_env(env, path):
    errs = []
    for i, var in enumerate(env or []):
        vpath = f"{path}[{i}]"
        if not isinstance(var, dict):
            errs.append(invalid(vpath, var, "must be an object"))
            continue
        name = var.get("name") or ""
        if not name:
            errs.append(required(f"{vpath}.name"))
        elif not all(32 <= ord(ch) <= 126 for ch in name) or "=" in name:
            errs.append(invalid(f"{vpath}.name", name, "a valid environment variable name must consist only of "
                                                       "printable ASCII characters other than '='"))
        value_from = var.get("valueFrom")
        if isinstance(value_from, dict):
            sources = [k for k in ("fieldRef", "resourceFieldRef", "configMapKeyRef", "secretKeyRef")
                       if value_from.get(k) is not None]
            if not sources:
                errs.append(invalid(f"{vpath}.valueFrom", "", "must specify one of: `fieldRef`, `resourceFieldRef`, "
                                                              "`configMapKeyRef` or `secretKeyRef`"))
            elif len(sources) > 1:
                errs.append(invalid(f"{vpath}.valueFrom", "", "may not have more than one field specified at a time"))
            if var.get("value"):
                errs.append(invalid(f"{vpath}.valueFrom", "", "may not be specified when `value` is not empty"))
            for key in ("configMapKeyRef", "secretKeyRef"):
                ref = value_from.get(key)
                if isinstance(ref, dict) and not ref.get("key"):
                    errs.append(required(f"{vpath}.valueFrom.{key}.key"))
            ref = value_from.get("fieldRef")
            if isinstance(ref, dict) and not ref.get("fieldPath"):
                errs.append(required(f"{vpath}.valueFrom.fieldRef.fieldPath"))
    return errs


def _validate_container(c, path, volumes, is_pod, init, host_network, port_names):
    errs = []
    name = c.get("name") or ""
    if not name:
        errs.append(required(f"{path}.name"))
    else:
        errs += dns1123_label(name, f"{path}.name")
    image = c.get("image")
    if not image:
        errs.append(required(f"{path}.image"))
    elif is_pod and isinstance(image, str) and image != image.strip():
        errs.append(invalid(f"{path}.image", image, "must not have leading or trailing whitespace"))
    for i, port in enumerate(c.get("ports") or []):
        ppath = f"{path}.ports[{i}]"
        if not isinstance(port, dict):
            errs.append(invalid(ppath, port, "must be an object"))
            continue
        pname = port.get("name")
        if pname:
            for msg in is_valid_port_name(pname):
                errs.append(invalid(f"{ppath}.name", pname, msg))
            if pname in port_names:
                errs.append(duplicate(f"{ppath}.name", pname))
            port_names.add(pname)
        container_port = port.get("containerPort")
        if not container_port:
            errs.append(required(f"{ppath}.containerPort"))
        else:
            errs += [invalid(f"{ppath}.containerPort", container_port, m) for m in is_valid_port_num(container_port)]
        host_port = port.get("hostPort")
        if host_port:
            errs += [invalid(f"{ppath}.hostPort", host_port, m) for m in is_valid_port_num(host_port)]
            if host_network and host_port != container_port:
                errs.append(invalid(f"{ppath}.hostPort", host_port, "must match `containerPort` when `hostNetwork` is true"))
        protocol = port.get("protocol")
        if not protocol:
            errs.append(required(f"{ppath}.protocol"))
        elif protocol not in PORT_PROTOCOLS:
            errs.append(not_supported(f"{ppath}.protocol", protocol, PORT_PROTOCOLS))
    errs += _validate_env(c.get("env"), f"{path}.env")
    mount_paths = set()
    for i, mount in enumerate(c.get("volumeMounts") or []):
        mpath = f"{path}.volumeMounts[{i}]"
        if not isinstance(mount, dict):
            errs.append(invalid(mpath, mount, "must be an object"))
            continue
        mname = mount.get("name") or ""
        if not mname:
            errs.append(required(f"{mpath}.name"))
        elif mname not in volumes:
            errs.append(not_found(f"{mpath}.name", mname))
        mount_path = mount.get("mountPath") or ""
        if not mount_path:
            errs.append(required(f"{mpath}.mountPath"))
        elif mount_path in mount_paths:
            errs.append(invalid(f"{mpath}.mountPath", mount_path, "must be unique"))
        mount_paths.add(mount_path)
    policy = c.get("imagePullPolicy")
    if not policy:
        errs.append(required(f"{path}.imagePullPolicy"))
    elif policy not in PULL_POLICIES:
        errs.append(not_supported(f"{path}.imagePullPolicy", policy, PULL_POLICIES))
    policy = c.get("terminationMessagePolicy")
    if not policy:
        errs.append(required(f"{path}.terminationMessagePolicy"))
    elif policy not in TERMINATION_MESSAGE_POLICIES:
        errs.append(not_supported(f"{path}.terminationMessagePolicy", policy, TERMINATION_MESSAGE_POLICIES))
    errs += _validate_resources(c.get("resources"), f"{path}.resources")
    restart = c.get("restartPolicy")
    sidecar = init and restart == "Always"
    if restart is not None:
        if not init:
            errs.append(forbidden(f"{path}.restartPolicy", "may not be set for non-init containers"))
        elif restart != "Always":
            errs.append(not_supported(f"{path}.restartPolicy", restart, ["Always"]))
    for key in ("livenessProbe", "readinessProbe", "startupProbe"):
        if init and not sidecar and c.get(key) is not None:
            errs.append(forbidden(f"{path}.{key}", "may not be set for init containers without restartPolicy=Always"))
        else:
            errs += _validate_probe(c.get(key), f"{path}.{key}", key != "readinessProbe")
    lifecycle = c.get("lifecycle")
    if isinstance(lifecycle, dict):
        for key in ("postStart", "preStop"):
            if lifecycle.get(key) is not None:
                errs += _validate_handler(lifecycle[key], f"{path}.lifecycle.{key}", LIFECYCLE_HANDLERS, "handler")
    return errs


def _validate_tolerations(tolerations, path):
    errs = []
    for i, t in enumerate(tolerations or []):
        tpath = f"{path}[{i}]"
        if not isinstance(t, dict):
            errs.append(invalid(tpath, t, "must be an object"))
            continue
        key, op = t.get("key") or "", t.get("operator") or ""
        if key:
            errs += qualified_name(key, f"{tpath}.key")
        if not key and op != "Exists":
            errs.append(invalid(f"{tpath}.operator", op, "operator must be Exists when `key` is empty, which means "
                                                         "\"match all values and all keys\""))
        if t.get("tolerationSeconds") is not None and t.get("effect") != "NoExecute":
            errs.append(invalid(f"{tpath}.effect", t.get("effect") or "",
                                "effect must be 'NoExecute' when `tolerationSeconds` is set"))
        if op in ("Equal", ""):
            for msg in _kv.is_valid_label_value(t.get("value") or ""):
                errs.append(invalid(f"{tpath}.operator", t.get("value") or "", msg))
        elif op == "Exists":
            if t.get("value"):
                errs.append(invalid(f"{tpath}.operator", t, "value must be empty when `operator` is 'Exists'"))
        else:
            errs.append(not_supported(f"{tpath}.operator", op, TOLERATION_OPERATORS))
        effect = t.get("effect")
        if effect and effect not in TAINT_EFFECTS:
            errs.append(not_supported(f"{tpath}.effect", effect, TAINT_EFFECTS))
    return errs


def validate_pod_spec(spec, path="spec", is_pod=True):
    """The essentials of ValidatePodSpec, on a defaulted spec."""
    if not isinstance(spec, dict):
        return [required(path)]
    errs = []
    vol_errs, volumes = _validate_volumes(spec.get("volumes"), f"{path}.volumes")
    errs += vol_errs
    containers = spec.get("containers")
    if not containers:
        errs.append(required(f"{path}.containers"))
    names = set()
    host_network = bool(spec.get("hostNetwork"))
    for key, init in (("initContainers", True), ("containers", False)):
        items = spec.get(key) or []
        if not isinstance(items, list):
            errs.append(invalid(f"{path}.{key}", items, "must be a list"))
            continue
        for i, c in enumerate(items):
            cpath = f"{path}.{key}[{i}]"
            if not isinstance(c, dict):
                errs.append(invalid(cpath, c, "must be an object"))
                continue
            errs += _validate_container(c, cpath, volumes, is_pod, init, host_network, set())
            if c.get("name"):
                if c["name"] in names:
                    errs.append(duplicate(f"{cpath}.name", c["name"]))
                names.add(c["name"])
    for i, c in enumerate(spec.get("ephemeralContainers") or []):
        if isinstance(c, dict) and c.get("name"):
            if c["name"] in names:
                errs.append(duplicate(f"{path}.ephemeralContainers[{i}].name", c["name"]))
            names.add(c["name"])
    restart = spec.get("restartPolicy")
    if not restart:
        errs.append(required(f"{path}.restartPolicy"))
    elif restart not in RESTART_POLICIES:
        errs.append(not_supported(f"{path}.restartPolicy", restart, RESTART_POLICIES))
    dns = spec.get("dnsPolicy")
    if not dns:
        errs.append(required(f"{path}.dnsPolicy"))
    elif dns not in DNS_POLICIES:
        errs.append(not_supported(f"{path}.dnsPolicy", dns, DNS_POLICIES))
    elif dns == "None" and not spec.get("dnsConfig"):
        errs.append(required(f"{path}.dnsConfig", "must provide `dnsConfig` when `dnsPolicy` is None"))
    deadline = spec.get("activeDeadlineSeconds")
    if deadline is not None:
        errs += _int_range(deadline, f"{path}.activeDeadlineSeconds", 1, 2147483647)
    grace = spec.get("terminationGracePeriodSeconds")
    if grace is not None and not _is_int(grace):
        errs.append(invalid(f"{path}.terminationGracePeriodSeconds", grace, "must be an integer"))
    for key, check in (("serviceAccountName", dns1123_subdomain), ("nodeName", dns1123_subdomain),
                       ("priorityClassName", dns1123_subdomain), ("hostname", dns1123_label),
                       ("subdomain", dns1123_label)):
        if spec.get(key):
            errs += check(spec[key], f"{path}.{key}")
    errs += validate_labels(spec.get("nodeSelector"), f"{path}.nodeSelector")
    errs += _validate_tolerations(spec.get("tolerations"), f"{path}.tolerations")
    return errs


def validate_pod_template_spec(template, path, is_pod=False):
    """ValidatePodTemplateSpec: template labels/annotations and its pod spec."""
    if not isinstance(template, dict):
        return [required(path)]
    meta = template.get("metadata") or {}
    errs = validate_labels(meta.get("labels"), f"{path}.metadata.labels")
    errs += validate_pod_spec(template.get("spec"), f"{path}.spec", is_pod=is_pod)
    return errs


def validate_controller_template(template, selector, path, restart_policies=("Always",), owner="ReplicaSet"):
    """ValidatePodTemplateSpecForReplicaSet (and its kin for other
    controllers): labels must match the selector, restartPolicy Always."""
    errs = []
    if not isinstance(template, dict):
        return [required(path)]
    labels = (template.get("metadata") or {}).get("labels")
    if selector is not None and not selector_is_empty(selector) and label_selector_matches(selector, labels) is False:
        errs.append(invalid(f"{path}.metadata.labels", GoValue(go_string_map(labels)),
                            "`selector` does not match template `labels`"))
    errs += validate_pod_template_spec(template, path)
    spec = template.get("spec") if isinstance(template.get("spec"), dict) else {}
    restart = spec.get("restartPolicy")
    if restart and restart in RESTART_POLICIES and restart not in restart_policies:
        errs.append(not_supported(f"{path}.spec.restartPolicy", restart, restart_policies))
    if restart_policies == ("Always",) and spec.get("activeDeadlineSeconds") is not None:
        errs.append(forbidden(f"{path}.spec.activeDeadlineSeconds", f"activeDeadlineSeconds in {owner} is not Supported"))
    return errs


POD_UPDATABLE = (
    "`spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,"
    "`spec.tolerations` (only additions to existing tolerations),"
    "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)"
)


def _spec_diff(old, new):
    lines = []
    for key in sorted(set(old) | set(new)):
        if old.get(key) != new.get(key):
            if key in old:
                lines.append(f"- \t{key}: {json.dumps(old[key], separators=(',', ':'), sort_keys=True)}")
            if key in new:
                lines.append(f"+ \t{key}: {json.dumps(new[key], separators=(',', ':'), sort_keys=True)}")
    return "  core.PodSpec{\n" + "\n".join(lines) + "\n  }\n"


def validate_pod_spec_update(new, old):
    """ValidatePodUpdate: a pod's spec is immutable but for images,
    activeDeadlineSeconds (shortened), added tolerations and removed
    scheduling gates."""
    errs = []
    new, old = new if isinstance(new, dict) else {}, old if isinstance(old, dict) else {}
    new_deadline, old_deadline = new.get("activeDeadlineSeconds"), old.get("activeDeadlineSeconds")
    if old_deadline is not None:
        if new_deadline is None:
            errs.append(invalid("spec.activeDeadlineSeconds", None, "must not update from a positive integer to nil value"))
        elif _is_int(new_deadline) and _is_int(old_deadline) and new_deadline > old_deadline:
            errs.append(invalid("spec.activeDeadlineSeconds", new_deadline, "must be less than or equal to previous value"))
    munged = copy.deepcopy(new)
    for key in ("containers", "initContainers"):
        new_list, old_list = munged.get(key) or [], old.get(key) or []
        if len(new_list) == len(old_list):
            for c, o in zip(new_list, old_list):
                if isinstance(c, dict) and isinstance(o, dict) and "image" in o:
                    c["image"] = o["image"]
    if "activeDeadlineSeconds" in old:
        munged["activeDeadlineSeconds"] = old["activeDeadlineSeconds"]
    else:
        munged.pop("activeDeadlineSeconds", None)
    old_tolerations = old.get("tolerations") or []
    new_tolerations = munged.get("tolerations") or []
    if all(t in new_tolerations for t in old_tolerations):
        if old_tolerations:
            munged["tolerations"] = old_tolerations
        else:
            munged.pop("tolerations", None)
    old_gates = old.get("schedulingGates") or []
    if all(g in old_gates for g in munged.get("schedulingGates") or []):
        if old_gates:
            munged["schedulingGates"] = old_gates
        else:
            munged.pop("schedulingGates", None)
    old_grace = old.get("terminationGracePeriodSeconds")
    if _is_int(old_grace) and old_grace < 0 and munged.get("terminationGracePeriodSeconds") == 1:
        munged["terminationGracePeriodSeconds"] = old_grace
    if munged != old:
        errs.append(forbidden("spec", f"pod updates may not change fields other than {POD_UPDATABLE}\n"
                                      f"{_spec_diff(old, munged)}"))
    return errs


# ========================================================== strategy bases
def _table(kind):
    """The kind's printing columns and row function, for its declaration."""
    return printers.table(kind)


class BuiltinStrategy(Strategy):
    """A built-in kind: defaults from ``resources.kinds.defaults`` on every write,
    and the status Go prints for a new object (``initial_status``)."""

    group = ""
    kind = ""
    # The kind's SetDefaults (a function of resources.kinds.defaults); None: nothing to default.
    defaulter = None
    initial_status = None  # dict, or a function(obj) → dict; None: no status on create

    def default(self, obj):
        if self.defaulter is not None:
            self.defaulter(obj)

    def prepare_for_create(self, obj, ctx):
        super().prepare_for_create(obj, ctx)
        if self.has_status and self.initial_status is not None:
            status = self.initial_status(obj) if callable(self.initial_status) else copy.deepcopy(self.initial_status)
            obj["status"] = status
        self.default(obj)

    def prepare_for_update(self, obj, old, ctx):
        super().prepare_for_update(obj, old, ctx)
        self.default(obj)

    def prepare_for_status_update(self, obj, old, ctx):
        super().prepare_for_status_update(obj, old, ctx)
        self.default(obj)

    def validate_update(self, obj, old, ctx):
        if ctx is not None and getattr(ctx, "subresource", "") == "status":
            return self.validate_status_update(obj, old, ctx)
        return self.validate(obj, ctx) + self.validate_spec_update(obj, old, ctx)

    def validate_spec_update(self, obj, old, ctx):
        """Immutability checks of an update of the main resource."""
        return []

    def validate_status_update(self, obj, old, ctx):
        return []


def spec_of(obj):
    spec = obj.get("spec")
    return spec if isinstance(spec, dict) else {}


def meta_of(obj):
    meta = obj.get("metadata")
    return meta if isinstance(meta, dict) else {}


def _field(*path, fmt=str):
    """A selectable-field getter: the value at ``path`` as upstream prints it."""

    def get(obj):
        value = obj
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        return fmt(value) if value is not None else ""

    return get


def _bool_field(*path):
    getter = _field(*path, fmt=lambda v: "true" if v else "false")

    def get(obj):
        return getter(obj) or "false"

    return get


def _int_field(*path):
    getter = _field(*path, fmt=lambda v: str(int(v)) if isinstance(v, (int, float)) else "0")

    def get(obj):
        return getter(obj) or "0"

    return get


# ============================================================ subresources
def apply_binding(pod, binding):
    """POST pods/binding (assignPod): schedule a pod onto binding.target.
    Returns the updated pod; raises APIError as upstream would."""

    name = meta_of(pod).get("name", "")
    target = binding.get("target") if isinstance(binding.get("target"), dict) else {}
    node = target.get("name") or ""
    if target.get("kind") not in (None, "", "Node"):
        raise errors.invalid("", "Binding", name, [invalid("target.kind", target.get("kind"), "must be empty or 'Node'")])
    if not node:
        raise errors.invalid("", "Binding", name, [required("target.name")])
    if meta_of(pod).get("deletionTimestamp"):
        raise errors.conflict("", "pods", name, f"pod {name} is being deleted, cannot be assigned to a host")
    if spec_of(pod).get("nodeName"):
        raise errors.conflict("", "pods", name, f"pod {name} is already assigned to node {_go_string(pod['spec']['nodeName'])}")
    pod = copy.deepcopy(pod)
    pod.setdefault("spec", {})["nodeName"] = node
    annotations = (binding.get("metadata") or {}).get("annotations") or {}
    if annotations:
        meta = pod.setdefault("metadata", {})
        meta["annotations"] = {**(meta.get("annotations") or {}), **annotations}
    status = pod.setdefault("status", {})
    conditions = [c for c in status.get("conditions") or [] if c.get("type") != "PodScheduled"]
    conditions.append({"type": "PodScheduled", "status": "True", "lastProbeTime": None,
                       "lastTransitionTime": now_rfc3339()})
    status["conditions"] = conditions
    return pod


def finalize_namespace(namespace, body):
    """PUT namespaces/<name>/finalize: the body's spec.finalizers, nothing else."""
    finalizers = spec_of(body).get("finalizers")
    new = copy.deepcopy(namespace)
    spec = new.setdefault("spec", {})
    if finalizers:
        spec["finalizers"] = finalizers
    else:
        spec.pop("finalizers", None)
    return new


BINDING = Subresource("binding", verbs=("create",), kind="Binding", group="", version="v1", on_create=apply_binding)
FINALIZE = Subresource("finalize", verbs=("update",), on_update=finalize_namespace)
TOKEN = Subresource("token", verbs=("create",), kind="TokenRequest", group="authentication.k8s.io", version="v1",
                    create_handler="authz.serviceaccounts.create_token")


# ================================================================ strategies
class NamespaceStrategy(BuiltinStrategy):
    kind = "Namespace"
    defaulter = staticmethod(defaults.namespace)
    has_status = True
    tracks_generation = False
    name_rule = "label"
    initial_status = {"phase": "Active"}
    STANDARD_FINALIZERS = ("kubernetes", "orphan", "foregroundDeletion")

    def prepare_for_create(self, obj, ctx):
        super().prepare_for_create(obj, ctx)
        if not isinstance(obj.get("spec"), dict):
            obj["spec"] = {}
        spec = obj["spec"]
        finalizers = spec.get("finalizers") if isinstance(spec.get("finalizers"), list) else []
        if "kubernetes" not in finalizers:
            finalizers.append("kubernetes")
        spec["finalizers"] = finalizers

    def prepare_for_update(self, obj, old, ctx):
        super().prepare_for_update(obj, old, ctx)
        # spec.finalizers only moves through /finalize.
        old_spec = spec_of(old)
        if not isinstance(obj.get("spec"), dict):
            obj["spec"] = {}
        if "finalizers" in old_spec:
            obj.setdefault("spec", {})["finalizers"] = copy.deepcopy(old_spec["finalizers"])
        elif isinstance(obj.get("spec"), dict):
            obj["spec"].pop("finalizers", None)
        if not obj.get("spec") and "spec" in old:
            obj["spec"] = copy.deepcopy(old["spec"])

    def prepare_for_delete(self, obj, ctx):
        obj.setdefault("status", {})["phase"] = "Terminating"

    def blocks_deletion(self, obj):
        return bool(spec_of(obj).get("finalizers"))

    def validate(self, obj, ctx):
        errs = []
        for name in spec_of(obj).get("finalizers") or []:
            path = "spec.finalizers"  # upstream names the list, not the item
            name = _text(name)
            name_errs = qualified_name(name, path)
            if not name_errs and "/" not in name and name not in self.STANDARD_FINALIZERS:
                name_errs.append(invalid(path, name, "name is neither a standard finalizer name nor is it fully qualified"))
            errs += name_errs
        phase = (obj.get("status") or {}).get("phase")
        if phase and phase not in ("Active", "Terminating"):
            errs.append(not_supported("status.phase", phase, ["Active", "Terminating"]))
        return errs

    def validate_status_update(self, obj, old, ctx):
        return self.validate(obj, ctx)

    def canonicalize(self, obj):
        # Names generated after defaulting still get their label.
        meta = meta_of(obj)
        if meta.get("name"):
            labels = meta.get("labels") if isinstance(meta.get("labels"), dict) else {}
            labels["kubernetes.io/metadata.name"] = meta["name"]
            meta["labels"] = labels


def _validate_data_keys(data, path):
    errs = []
    for key in (data or {}):
        for msg in _kv.is_config_map_key(key):
            errs.append(invalid(key_path(path, key), key, msg))
    return errs


MAX_SECRET_SIZE = 1024 * 1024


class ConfigMapStrategy(BuiltinStrategy):
    kind = "ConfigMap"
    defaulter = staticmethod(defaults.config_map)
    tracks_generation = False

    def validate(self, obj, ctx):
        data = obj.get("data") if isinstance(obj.get("data"), dict) else {}
        binary = obj.get("binaryData") if isinstance(obj.get("binaryData"), dict) else {}
        errs, size = [], 0
        for key, value in data.items():
            errs += _validate_data_keys({key: None}, "data")
            if key in binary:
                errs.append(invalid(key_path("data", key), key, "duplicate of key present in binaryData"))
            size += len(str(value).encode())
        errs += _validate_data_keys(binary, "binaryData")
        for key, value in binary.items():
            try:
                size += len(base64.b64decode(value or "", validate=True))
            except (binascii.Error, TypeError, ValueError):
                errs.append(invalid(key_path("binaryData", key), "<value omitted>", "must be base64-encoded bytes"))
        if size > MAX_SECRET_SIZE:
            errs.append(too_long("[]", MAX_SECRET_SIZE))
        return errs

    def validate_spec_update(self, obj, old, ctx):
        errs = []
        if old.get("immutable") is True:
            if obj.get("immutable") is not True:
                errs.append(forbidden("immutable", "field is immutable when `immutable` is set"))
            for key in ("data", "binaryData"):
                if (obj.get(key) or {}) != (old.get(key) or {}):
                    errs.append(forbidden(key, "field is immutable when `immutable` is set"))
        return errs


SECRET_TYPES_REQUIRED_KEYS = {
    "kubernetes.io/dockercfg": (".dockercfg",),
    "kubernetes.io/dockerconfigjson": (".dockerconfigjson",),
    "kubernetes.io/ssh-auth": ("ssh-privatekey",),
    "kubernetes.io/tls": ("tls.key", "tls.crt"),
}


def _b64decode(value):
    return base64.b64decode(value or "", validate=True)


class SecretStrategy(BuiltinStrategy):
    kind = "Secret"
    defaulter = staticmethod(defaults.secret)
    tracks_generation = False

    def _merge_string_data(self, obj):
        """Conversion folds stringData into data (stringData wins) and drops it."""
        string_data = obj.pop("stringData", None)
        if isinstance(string_data, dict) and string_data:
            data = obj.get("data") if isinstance(obj.get("data"), dict) else {}
            for key, value in string_data.items():
                data[key] = base64.b64encode(str(value).encode()).decode()
            obj["data"] = data
        if isinstance(obj.get("data"), dict):
            for key, value in obj["data"].items():
                try:
                    _b64decode(value)
                except (binascii.Error, TypeError, ValueError):
                    raise errors.bad_request(
                        f'Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte '
                        f"{_bad_base64_offset(value)}")

    def prepare_for_create(self, obj, ctx):
        self._merge_string_data(obj)
        super().prepare_for_create(obj, ctx)

    def prepare_for_update(self, obj, old, ctx):
        self._merge_string_data(obj)
        super().prepare_for_update(obj, old, ctx)

    def validate(self, obj, ctx):
        data = obj.get("data") if isinstance(obj.get("data"), dict) else {}
        errs = _validate_data_keys(data, "data")
        size = 0
        decoded = {}
        for key, value in data.items():
            try:
                decoded[key] = _b64decode(value)
            except (binascii.Error, TypeError, ValueError):
                decoded[key] = b""
            size += len(decoded[key])
        if size > MAX_SECRET_SIZE:
            errs.append(too_long("data", MAX_SECRET_SIZE))
        secret_type = obj.get("type") or "Opaque"
        annotations = meta_of(obj).get("annotations") or {}
        if secret_type == "kubernetes.io/service-account-token":
            if not annotations.get("kubernetes.io/service-account.name"):
                errs.append(required("metadata.annotations[kubernetes.io/service-account.name]"))
        elif secret_type == "kubernetes.io/basic-auth":
            if not decoded.get("username") and not decoded.get("password"):
                errs.append(required("data[username]"))
                errs.append(required("data[password]"))
        for key in SECRET_TYPES_REQUIRED_KEYS.get(secret_type, ()):
            if not decoded.get(key):
                errs.append(required(key_path("data", key)))
        for stype, key in (("kubernetes.io/dockercfg", ".dockercfg"), ("kubernetes.io/dockerconfigjson", ".dockerconfigjson")):
            if secret_type == stype and decoded.get(key):
                try:
                    json.loads(decoded[key])
                except ValueError as exc:
                    errs.append(invalid(key_path("data", key), "<secret contents redacted>", str(exc)))
        return errs

    def validate_spec_update(self, obj, old, ctx):
        errs = immutable("type", obj.get("type") or "", old.get("type") or "")
        if old.get("immutable") is True:
            if obj.get("immutable") is not True:
                errs.append(forbidden("immutable", "field is immutable when `immutable` is set"))
            if (obj.get("data") or {}) != (old.get("data") or {}):
                errs.append(forbidden("data", "field is immutable when `immutable` is set"))
        return errs


def _bad_base64_offset(value):
    if not isinstance(value, str):
        return 0
    alphabet = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
    for i, ch in enumerate(value):
        if ch not in alphabet and ch != "=":
            return i
    return len(value.rstrip("=")) // 4 * 4


class ServiceAccountStrategy(BuiltinStrategy):
    kind = "ServiceAccount"
    tracks_generation = False


class PodStrategy(BuiltinStrategy):
    kind = "Pod"
    defaulter = staticmethod(defaults.pod)
    has_status = True
    tracks_generation = False

    def prepare_for_create(self, obj, ctx):
        Strategy.prepare_for_create(self, obj, ctx)
        self.default(obj)
        obj["status"] = {"phase": "Pending", "qosClass": defaults.pod_qos_class(obj)}
        gates = spec_of(obj).get("schedulingGates")
        if gates:
            obj["status"]["conditions"] = [{
                "type": "PodScheduled", "status": "False", "lastProbeTime": None,
                "lastTransitionTime": now_rfc3339(), "reason": "SchedulingGated",
                "message": "Scheduling is blocked due to non-empty scheduling gates",
            }]

    def prepare_for_status_update(self, obj, old, ctx):
        super().prepare_for_status_update(obj, old, ctx)
        status = obj.get("status") if isinstance(obj.get("status"), dict) else {}
        if not status.get("qosClass") and (old.get("status") or {}).get("qosClass"):
            status["qosClass"] = old["status"]["qosClass"]
        obj["status"] = status

    def validate(self, obj, ctx):
        errs = validate_pod_spec(obj.get("spec"), "spec", is_pod=True)
        errs += _validate_pod_status(obj.get("status"))
        return errs

    def validate_spec_update(self, obj, old, ctx):
        return validate_pod_spec_update(obj.get("spec"), old.get("spec"))

    def validate_status_update(self, obj, old, ctx):
        return _validate_pod_status(obj.get("status"))

    def warnings(self, obj, ctx):
        # WarningsOnCreate only: an update arrives with its resourceVersion.
        meta = meta_of(obj)
        name = meta.get("name") or ""
        msgs = _kv.is_dns1123_label(name) if name and not meta.get("resourceVersion") else []
        if msgs:
            return [f"metadata.name: this is used in the Pod's hostname, which can result in surprising behavior; "
                    f"a DNS label is recommended: [{' '.join(msgs)}]"]
        return []


POD_PHASES = ("Pending", "Running", "Succeeded", "Failed", "Unknown")


def _validate_pod_status(status):
    errs = []
    if not isinstance(status, dict):
        return errs
    phase = status.get("phase")
    if phase and phase not in POD_PHASES:
        errs.append(not_supported("status.phase", phase, POD_PHASES))
    for key in ("podIPs", "hostIPs"):
        seen = set()
        for i, entry in enumerate(status.get(key) or []):
            ip = (entry or {}).get("ip") if isinstance(entry, dict) else None
            try:
                ipaddress.ip_address(ip or "")
            except ValueError:
                errs.append(invalid(f"status.{key}[{i}].ip", ip or "", "must be a valid IP address"))
            if ip in seen:
                errs.append(duplicate(f"status.{key}[{i}].ip", ip))
            seen.add(ip)
    return errs


class PodTemplateStrategy(BuiltinStrategy):
    kind = "PodTemplate"
    defaulter = staticmethod(defaults.pod_template)

    def validate(self, obj, ctx):
        errs = validate_pod_template_spec(obj.get("template"), "template")
        spec = ((obj.get("template") or {}).get("spec") or {}) if isinstance(obj.get("template"), dict) else {}
        if spec.get("activeDeadlineSeconds") is not None:
            errs.append(forbidden("template.spec.activeDeadlineSeconds", "activeDeadlineSeconds in PodTemplate is not Supported"))
        return errs


class ReplicationControllerStrategy(BuiltinStrategy):
    kind = "ReplicationController"
    defaulter = staticmethod(defaults.replication_controller)
    has_status = True
    initial_status = {"replicas": 0}

    def validate(self, obj, ctx):
        spec = spec_of(obj)
        errs = []
        replicas = spec.get("replicas")
        errs += non_negative(replicas, "spec.replicas")
        errs += non_negative(spec.get("minReadySeconds"), "spec.minReadySeconds")
        selector = spec.get("selector") or {}
        if not selector:
            errs.append(required("spec.selector"))
        else:
            errs += validate_labels(selector, "spec.selector")
        template = spec.get("template")
        if template is None:
            errs.append(required("spec.template"))
        else:
            errs += validate_controller_template(template, {"matchLabels": selector} if selector else None, "spec.template",
                                                 owner="ReplicationController")
        return errs

    def validate_status_update(self, obj, old, ctx):
        return _validate_replica_status(obj.get("status"))


def _validate_replica_status(status, keys=("replicas", "fullyLabeledReplicas", "readyReplicas", "availableReplicas",
                                           "observedGeneration")):
    errs = []
    if not isinstance(status, dict):
        return errs
    for key in keys:
        errs += non_negative(status.get(key), f"status.{key}")
    ready, replicas = status.get("readyReplicas"), status.get("replicas")
    if _is_int(ready) and _is_int(replicas) and ready > replicas:
        errs.append(invalid("status.readyReplicas", ready, "cannot be greater than status.replicas"))
    available = status.get("availableReplicas")
    if _is_int(available) and _is_int(replicas) and available > replicas:
        errs.append(invalid("status.availableReplicas", available, "cannot be greater than status.replicas"))
    if _is_int(available) and _is_int(ready) and available > ready:
        errs.append(invalid("status.availableReplicas", available, "cannot be greater than readyReplicas"))
    return errs


SERVICE_TYPES = ("ClusterIP", "ExternalName", "LoadBalancer", "NodePort")
SESSION_AFFINITIES = ("ClientIP", "None")
TRAFFIC_POLICIES = ("Cluster", "Local")
IP_FAMILY_POLICIES = ("PreferDualStack", "RequireDualStack", "SingleStack")
IP_FAMILIES = ("IPv4", "IPv6")


def _go_service_port(protocol, port):
    return GoValue(f'core.ServicePort{{Name:"", Protocol:{_go_string(protocol)}, AppProtocol:(*string)(nil), '
                   f'Port:{port}, TargetPort:intstr.IntOrString{{Type:0, IntVal:0, StrVal:""}}, NodePort:0}}')


class ServiceStrategy(BuiltinStrategy):
    kind = "Service"
    defaulter = staticmethod(defaults.service)
    has_status = True
    tracks_generation = False
    allow_create_on_update = True
    name_rule = "dns1035"
    initial_status = {"loadBalancer": {}}

    def prepare_for_update(self, obj, old, ctx):
        super().prepare_for_update(obj, old, ctx)
        self._drop_type_dependent_fields(obj, old)

    def _drop_type_dependent_fields(self, new, old):
        """When the type changes, wipe what the old type allocated and the
        client did not touch (dropTypeDependentFields)."""
        spec, old_spec = spec_of(new), spec_of(old)
        new_type, old_type = spec.get("type"), old_spec.get("type")
        if old_type != "ExternalName" and new_type == "ExternalName":
            if spec.get("clusterIP") == old_spec.get("clusterIP") and spec.get("clusterIPs") == old_spec.get("clusterIPs"):
                spec.pop("clusterIP", None)
                spec.pop("clusterIPs", None)
            for key in ("ipFamilies", "ipFamilyPolicy"):
                if spec.get(key) == old_spec.get(key):
                    spec.pop(key, None)
            if spec.get("internalTrafficPolicy") == old_spec.get("internalTrafficPolicy"):
                spec.pop("internalTrafficPolicy", None)
        node_port_types = ("NodePort", "LoadBalancer")
        if old_type in node_port_types and new_type not in node_port_types:
            old_ports = {p.get("nodePort") for p in old_spec.get("ports") or [] if isinstance(p, dict) and p.get("nodePort")}
            new_ports = {p.get("nodePort") for p in spec.get("ports") or [] if isinstance(p, dict) and p.get("nodePort")}
            if new_ports <= old_ports:
                for p in spec.get("ports") or []:
                    if isinstance(p, dict):
                        p.pop("nodePort", None)
        if old_type == "LoadBalancer" and new_type != "LoadBalancer":
            if spec.get("healthCheckNodePort") == old_spec.get("healthCheckNodePort"):
                spec.pop("healthCheckNodePort", None)
            if spec.get("allocateLoadBalancerNodePorts") == old_spec.get("allocateLoadBalancerNodePorts"):
                spec.pop("allocateLoadBalancerNodePorts", None)
            if spec.get("loadBalancerClass") == old_spec.get("loadBalancerClass"):
                spec.pop("loadBalancerClass", None)
        if old_type in node_port_types and new_type not in node_port_types and not spec.get("externalIPs"):
            if spec.get("externalTrafficPolicy") == old_spec.get("externalTrafficPolicy"):
                spec.pop("externalTrafficPolicy", None)
        if new_type != "LoadBalancer" and isinstance(new.get("status"), dict):
            new["status"]["loadBalancer"] = {}

    def validate(self, obj, ctx):
        errs = []
        spec = spec_of(obj)
        svc_type = spec.get("type")
        cluster_ips = spec.get("clusterIPs") or []
        headless = spec.get("clusterIP") == "None" or (cluster_ips[:1] == ["None"])
        ports = spec.get("ports") or []
        if svc_type not in SERVICE_TYPES:
            errs.append(not_supported("spec.type", svc_type or "", SERVICE_TYPES))
        if svc_type != "ExternalName" and not ports and not headless:
            errs.append(required("spec.ports"))
        if svc_type == "ExternalName":
            if cluster_ips or spec.get("clusterIP"):
                errs.append(forbidden("spec.clusterIPs", "may not be set for ExternalName services"))
            if spec.get("ipFamilies"):
                errs.append(forbidden("spec.ipFamilies", "may not be set for ExternalName services"))
            if spec.get("ipFamilyPolicy"):
                errs.append(forbidden("spec.ipFamilyPolicy", "may not be set for ExternalName services"))
            cname = (spec.get("externalName") or "").removesuffix(".")
            if cname:
                errs += dns1123_subdomain(cname, "spec.externalName")
            else:
                errs.append(required("spec.externalName"))
        if svc_type in ("NodePort", "LoadBalancer") and headless:
            errs.append(invalid("spec.clusterIPs[0]", "None", f"may not be set to 'None' for {svc_type} services"))
        for i, ip in enumerate(cluster_ips):
            if ip in ("None", ""):
                continue
            try:
                ipaddress.ip_address(ip)
            except ValueError:
                errs.append(invalid(f"spec.clusterIPs[{i}]", ip, "must be empty, 'None', or a valid IP address"))
        if spec.get("clusterIP") and cluster_ips and spec["clusterIP"] != cluster_ips[0]:
            errs.append(invalid("spec.clusterIPs", cluster_ips, "first value must match `clusterIP`"))
        names, seen = set(), set()
        for i, port in enumerate(ports):
            ppath = f"spec.ports[{i}]"
            if not isinstance(port, dict):
                errs.append(invalid(ppath, port, "must be an object"))
                continue
            pname = port.get("name") or ""
            if len(ports) > 1 and not pname:
                errs.append(required(f"{ppath}.name"))
            elif pname:
                errs += dns1123_label(pname, f"{ppath}.name")
                if pname in names:
                    errs.append(duplicate(f"{ppath}.name", pname))
                names.add(pname)
            number = port.get("port", 0)
            errs += [invalid(f"{ppath}.port", number, m) for m in is_valid_port_num(number)]
            protocol = port.get("protocol")
            if not protocol:
                errs.append(required(f"{ppath}.protocol"))
            elif protocol not in PORT_PROTOCOLS:
                errs.append(not_supported(f"{ppath}.protocol", protocol, PORT_PROTOCOLS))
            errs += port_num_or_name(port.get("targetPort", 0), f"{ppath}.targetPort")
            if port.get("appProtocol"):
                errs += qualified_name(port["appProtocol"], f"{ppath}.appProtocol")
            node_port = port.get("nodePort")
            if node_port:
                if svc_type == "ClusterIP":
                    errs.append(forbidden(f"{ppath}.nodePort", "may not be used when `type` is 'ClusterIP'"))
                errs += [invalid(f"{ppath}.nodePort", node_port, m) for m in is_valid_port_num(node_port)]
            key = (protocol, number)
            if key in seen:
                errs.append(duplicate(ppath, _go_service_port(protocol, number)))
            seen.add(key)
        affinity = spec.get("sessionAffinity")
        if affinity not in SESSION_AFFINITIES:
            errs.append(not_supported("spec.sessionAffinity", affinity or "", SESSION_AFFINITIES))
        elif affinity == "ClientIP":
            timeout = ((spec.get("sessionAffinityConfig") or {}).get("clientIP") or {}).get("timeoutSeconds")
            if not _is_int(timeout) or not 0 < timeout <= 86400:
                errs.append(invalid("spec.sessionAffinityConfig.clientIP.timeoutSeconds", timeout,
                                    "must be greater than 0 and less than 86400"))
        for key in ("externalTrafficPolicy", "internalTrafficPolicy"):
            value = spec.get(key)
            if value and value not in TRAFFIC_POLICIES:
                errs.append(not_supported(f"spec.{key}", value, TRAFFIC_POLICIES))
        policy = spec.get("ipFamilyPolicy")
        if policy and policy not in IP_FAMILY_POLICIES:
            errs.append(not_supported("spec.ipFamilyPolicy", policy, IP_FAMILY_POLICIES))
        for i, family in enumerate(spec.get("ipFamilies") or []):
            if family not in IP_FAMILIES:
                errs.append(not_supported(f"spec.ipFamilies[{i}]", family, IP_FAMILIES))
        for i, ip in enumerate(spec.get("externalIPs") or []):
            try:
                ipaddress.ip_address(ip)
            except ValueError:
                errs.append(invalid(f"spec.externalIPs[{i}]", ip, "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"))
        errs += validate_labels(spec.get("selector"), "spec.selector")
        return errs

    def validate_spec_update(self, obj, old, ctx):
        """validateUpgradeDowngradeClusterIPs: the primary clusterIP never changes."""
        spec, old_spec = spec_of(obj), spec_of(old)
        if "ExternalName" in (spec.get("type"), old_spec.get("type")):
            return []
        old_ips, new_ips = old_spec.get("clusterIPs") or [], spec.get("clusterIPs") or []
        if old_ips[:1] == ["None"] and new_ips[:1] == ["None"]:
            return []
        errs = []
        if len(old_ips) == len(new_ips):
            for i, ip in enumerate(old_ips):
                if ip != new_ips[i]:
                    errs.append(invalid(f"spec.clusterIPs[{i}]", new_ips, "may not change once set"))
        elif len(old_ips) > len(new_ips):
            if not new_ips:
                errs.append(invalid("spec.clusterIPs[0]", new_ips, "primary clusterIP can not be unset"))
            elif new_ips[0] != old_ips[0]:
                errs.append(invalid("spec.clusterIPs[0]", new_ips, "may not change once set"))
        elif old_ips and new_ips[0] != old_ips[0]:
            errs.append(invalid("spec.clusterIPs[0]", new_ips, "may not change once set"))
        return errs

    def validate_status_update(self, obj, old, ctx):
        errs = []
        for i, ingress in enumerate(((obj.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []):
            if isinstance(ingress, dict) and ingress.get("ip"):
                try:
                    ipaddress.ip_address(ingress["ip"])
                except ValueError:
                    errs.append(invalid(f"status.loadBalancer.ingress[{i}].ip", ingress["ip"], "must be a valid IP address"))
        return errs


class EndpointsStrategy(BuiltinStrategy):
    kind = "Endpoints"
    defaulter = staticmethod(defaults.endpoints)
    tracks_generation = False
    allow_create_on_update = True

    def validate(self, obj, ctx):
        errs = []
        for i, subset in enumerate(obj.get("subsets") or []):
            spath = f"subsets[{i}]"
            if not isinstance(subset, dict):
                errs.append(invalid(spath, subset, "must be an object"))
                continue
            for key in ("addresses", "notReadyAddresses"):
                for j, address in enumerate(subset.get(key) or []):
                    ip = (address or {}).get("ip") if isinstance(address, dict) else None
                    try:
                        ipaddress.ip_address(ip or "")
                    except ValueError:
                        errs.append(invalid(f"{spath}.{key}[{j}].ip", ip or "", "must be a valid IP address"))
            ports = subset.get("ports") or []
            for j, port in enumerate(ports):
                ppath = f"{spath}.ports[{j}]"
                if not isinstance(port, dict):
                    continue
                if len(ports) > 1 and not port.get("name"):
                    errs.append(required(f"{ppath}.name"))
                elif port.get("name"):
                    errs += dns1123_label(port["name"], f"{ppath}.name")
                errs += [invalid(f"{ppath}.port", port.get("port", 0), m) for m in is_valid_port_num(port.get("port", 0))]
                if port.get("protocol") not in PORT_PROTOCOLS:
                    errs.append(not_supported(f"{ppath}.protocol", port.get("protocol") or "", PORT_PROTOCOLS))
        return errs


class NodeStrategy(BuiltinStrategy):
    kind = "Node"
    defaulter = staticmethod(defaults.node)
    has_status = True
    tracks_generation = False

    def prepare_for_create(self, obj, ctx):
        # The kubelet registers its node with a status: keep it.
        self.default(obj)

    def validate(self, obj, ctx):
        errs = []
        spec = spec_of(obj)
        for i, taint in enumerate(spec.get("taints") or []):
            tpath = f"spec.taints[{i}]"
            if not isinstance(taint, dict):
                continue
            errs += qualified_name(taint.get("key") or "", f"{tpath}.key")
            effect = taint.get("effect")
            if not effect:
                errs.append(required(f"{tpath}.effect"))
            elif effect not in TAINT_EFFECTS:
                errs.append(not_supported(f"{tpath}.effect", effect, TAINT_EFFECTS))
        for i, cidr in enumerate(spec.get("podCIDRs") or []):
            try:
                ipaddress.ip_network(cidr, strict=False)
            except ValueError:
                errs.append(invalid(f"spec.podCIDRs[{i}]", cidr, "must be a valid CIDR"))
        return errs

    def validate_spec_update(self, obj, old, ctx):
        errs = []
        old_cidrs, new_cidrs = spec_of(old).get("podCIDRs") or [], spec_of(obj).get("podCIDRs") or []
        if old_cidrs and new_cidrs != old_cidrs:
            errs.append(forbidden("spec.podCIDRs", "node updates may not change podCIDR except from \"\" to valid"))
        if spec_of(old).get("providerID") and spec_of(obj).get("providerID") != spec_of(old).get("providerID"):
            errs.append(forbidden("spec.providerID", "node updates may not change providerID except from \"\" to valid"))
        return errs

    def validate_status_update(self, obj, old, ctx):
        errs = []
        for key in ("capacity", "allocatable"):
            for name, quantity in ((obj.get("status") or {}).get(key) or {}).items():
                errs += validate_quantity(quantity, key_path(f"status.{key}", name))
        return errs


EVENT_TYPES = ("Normal", "Warning")


class EventStrategy(BuiltinStrategy):
    """core/v1 Event: legacyValidateEvent, as for requests in v1."""

    kind = "Event"
    defaulter = staticmethod(defaults.event)
    tracks_generation = False
    allow_create_on_update = True

    def validate(self, obj, ctx):
        errs = []
        meta = meta_of(obj)
        namespace = meta.get("namespace") or (getattr(ctx, "namespace", "") if ctx else "")
        involved = obj.get("involvedObject") if isinstance(obj.get("involvedObject"), dict) else {}
        involved_ns = involved.get("namespace") or ""
        if not obj.get("eventTime"):
            if not involved_ns:
                if namespace not in ("", "default"):
                    errs.append(invalid("involvedObject.namespace", involved_ns, "does not match event.namespace"))
            elif namespace != involved_ns:
                errs.append(invalid("involvedObject.namespace", involved_ns, "does not match event.namespace"))
        else:
            if not involved_ns and namespace not in ("default", "kube-system"):
                errs.append(invalid("involvedObject.namespace", involved_ns, "does not match event.namespace"))
            controller = obj.get("reportingComponent") or ""
            if not controller:
                errs.append(required("reportingComponent"))
            errs += qualified_name(controller, "reportingComponent")
            instance = obj.get("reportingInstance") or ""
            if not instance:
                errs.append(required("reportingInstance"))
            if len(instance) > 128:
                errs.append(invalid("reportingInstance", "", "can have at most 128 characters"))
            for key, limit in (("action", 128), ("reason", 128)):
                value = obj.get(key) or ""
                if not value:
                    errs.append(required(key))
                if len(value) > limit:
                    errs.append(invalid(key, "", f"can have at most {limit} characters"))
            if len(obj.get("message") or "") > 1024:
                errs.append(invalid("message", "", "can have at most 1024 characters"))
        if namespace:
            errs += dns1123_subdomain(namespace, "namespace")
        return errs


class LimitRangeStrategy(BuiltinStrategy):
    kind = "LimitRange"
    defaulter = staticmethod(defaults.limit_range)
    tracks_generation = False
    allow_create_on_update = True
    TYPES = ("Container", "Pod", "PersistentVolumeClaim")

    def validate(self, obj, ctx):
        errs = []
        for i, item in enumerate(spec_of(obj).get("limits") or []):
            ipath = f"spec.limits[{i}]"
            if not isinstance(item, dict) or not item.get("type"):  # null decodes as an empty item in Go
                errs.append(required(f"{ipath}.type"))
                if not isinstance(item, dict):
                    continue
            for key in ("max", "min", "default", "defaultRequest", "maxLimitRequestRatio"):
                for name, quantity in (item.get(key) or {}).items():
                    errs += validate_quantity(quantity, key_path(f"{ipath}.{key}", name))
            for name, minimum in (item.get("min") or {}).items():
                maximum = (item.get("max") or {}).get(name)
                low, high = quantity_value(minimum), quantity_value(maximum)
                if low is not None and high is not None and low > high:
                    errs.append(invalid(key_path(f"{ipath}.min", name), minimum,
                                        f"min value {minimum} is greater than max value {maximum}"))
        return errs


class ResourceQuotaStrategy(BuiltinStrategy):
    kind = "ResourceQuota"
    defaulter = staticmethod(defaults.resource_quota)
    has_status = True
    tracks_generation = False
    initial_status = {}
    SCOPES = ("BestEffort", "CrossNamespacePodAffinity", "NotBestEffort", "NotTerminating", "PriorityClass", "Terminating")

    def validate(self, obj, ctx):
        errs = []
        spec = spec_of(obj)
        for name, quantity in (spec.get("hard") or {}).items():
            qpath = key_path("spec.hard", name)
            q = quantity_value(quantity)
            if q is None:
                errs.append(invalid(qpath, quantity, defaults.QUANTITY_REGEX_MESSAGE))
            elif q < 0:
                errs.append(invalid(qpath, quantity, IS_NEGATIVE))
        for i, scope in enumerate(spec.get("scopes") or []):
            if scope not in self.SCOPES:
                errs.append(not_supported(f"spec.scopes[{i}]", scope, self.SCOPES))
        return errs

    def validate_status_update(self, obj, old, ctx):
        errs = []
        for key in ("hard", "used"):
            for name, quantity in ((obj.get("status") or {}).get(key) or {}).items():
                errs += validate_quantity(quantity, key_path(f"status.{key}", name))
        return errs


ACCESS_MODES = ("ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod")
VOLUME_MODES = ("Block", "Filesystem")
RECLAIM_POLICIES = ("Delete", "Recycle", "Retain")
PV_SOURCES = (
    "gcePersistentDisk", "awsElasticBlockStore", "hostPath", "glusterfs", "nfs", "rbd", "iscsi", "cinder", "cephfs",
    "fc", "flocker", "flexVolume", "azureFile", "vsphereVolume", "quobyte", "azureDisk", "photonPersistentDisk",
    "portworxVolume", "scaleIO", "local", "storageos", "csi",
)


def _validate_access_modes(modes, path, required_detail):
    errs = []
    if not modes:
        errs.append(required(path, required_detail))
    for mode in modes or []:
        if mode not in ACCESS_MODES:
            errs.append(not_supported(path, mode, ACCESS_MODES))
    if "ReadWriteOncePod" in (modes or []) and len(modes) > 1:
        errs.append(forbidden(path, "may not use ReadWriteOncePod with other access modes"))
    return errs


class PersistentVolumeStrategy(BuiltinStrategy):
    kind = "PersistentVolume"
    defaulter = staticmethod(defaults.persistent_volume)
    has_status = True
    tracks_generation = False

    @staticmethod
    def initial_status(obj):
        return {"phase": "Pending", "lastPhaseTransitionTime": now_rfc3339()}

    def prepare_for_status_update(self, obj, old, ctx):
        super().prepare_for_status_update(obj, old, ctx)
        status, old_status = obj.get("status") or {}, old.get("status") or {}
        if status.get("phase") != old_status.get("phase") and \
                status.get("lastPhaseTransitionTime") == old_status.get("lastPhaseTransitionTime"):
            status["lastPhaseTransitionTime"] = now_rfc3339()
        obj["status"] = status

    def validate(self, obj, ctx):
        spec = spec_of(obj)
        errs = _validate_access_modes(spec.get("accessModes"), "spec.accessModes", "")
        capacity = spec.get("capacity") or {}
        if not capacity:
            errs.append(required("spec.capacity"))
        elif "storage" not in capacity or len(capacity) > 1:
            errs.append(not_supported("spec.capacity", GoValue(go_string_map({k: str(v) for k, v in capacity.items()})),
                                      ["storage"]))
        for name, quantity in capacity.items():
            errs += validate_quantity(quantity, key_path("spec.capacity", name))
        sources = [s for s in PV_SOURCES if spec.get(s) is not None]
        if not sources:
            errs.append(required("spec", "must specify a volume type"))
        for extra in sources[1:]:
            errs.append(forbidden(f"spec.{extra}", "may not specify more than 1 volume type"))
        policy = spec.get("persistentVolumeReclaimPolicy")
        if policy and policy not in RECLAIM_POLICIES:
            errs.append(not_supported("spec.persistentVolumeReclaimPolicy", policy, RECLAIM_POLICIES))
        mode = spec.get("volumeMode")
        if mode and mode not in VOLUME_MODES:
            errs.append(not_supported("spec.volumeMode", mode, VOLUME_MODES))
        return errs

    def validate_spec_update(self, obj, old, ctx):
        spec, old_spec = spec_of(obj), spec_of(old)
        errs = []
        for source in PV_SOURCES:
            if old_spec.get(source) is not None and spec.get(source) != old_spec.get(source):
                errs.append(forbidden("spec.persistentvolumesource", "spec.persistentvolumesource is immutable after creation"))
                break
        errs += immutable("volumeMode", spec.get("volumeMode"), old_spec.get("volumeMode"))
        if old_spec.get("nodeAffinity") and spec.get("nodeAffinity") != old_spec.get("nodeAffinity"):
            errs.append(invalid("nodeAffinity", "", FIELD_IMMUTABLE))
        return errs


class PersistentVolumeClaimStrategy(BuiltinStrategy):
    kind = "PersistentVolumeClaim"
    defaulter = staticmethod(defaults.persistent_volume_claim)
    has_status = True
    tracks_generation = False
    initial_status = {"phase": "Pending"}

    def validate(self, obj, ctx):
        spec = spec_of(obj)
        errs = _validate_access_modes(spec.get("accessModes"), "spec.accessModes", "at least 1 access mode is required")
        requests = (spec.get("resources") or {}).get("requests") or {}
        storage = requests.get("storage")
        if storage is None:
            errs.append(required("spec.resources[storage]"))
        else:
            q = quantity_value(storage)
            if q is None:
                errs.append(invalid("spec.resources.requests[storage]", storage, defaults.QUANTITY_REGEX_MESSAGE))
            elif q <= 0:
                errs.append(invalid("spec.resources.requests[storage]", storage, "must be greater than zero"))
        mode = spec.get("volumeMode")
        if mode and mode not in VOLUME_MODES:
            errs.append(not_supported("spec.volumeMode", mode, VOLUME_MODES))
        errs += validate_label_selector(spec.get("selector"), "spec.selector")
        return errs

    def validate_spec_update(self, obj, old, ctx):
        spec, old_spec = copy.deepcopy(spec_of(obj)), copy.deepcopy(spec_of(old))
        for s in (spec, old_spec):
            (s.get("resources") or {}).pop("requests", None)
            if not s.get("resources"):
                s.pop("resources", None)
        if not old_spec.get("volumeName"):
            spec.pop("volumeName", None)
            old_spec.pop("volumeName", None)
        if spec != old_spec:
            return [forbidden("spec", "spec is immutable after creation except resources.requests for bound claims")]
        return []


# ============================================================= declarations
def _types():
    types = [
        ResourceType(
            group="", version="v1", kind="Namespace", plural="namespaces", namespaced=False,
            strategy=NamespaceStrategy(), short_names=("ns",), subresources=(STATUS, FINALIZE),
            verbs=("create", "delete", "get", "list", "patch", "update", "watch"),
            selectable_fields={"status.phase": _field("status", "phase")},
            **_table("Namespace"),
        ),
        ResourceType(
            group="", version="v1", kind="ConfigMap", plural="configmaps", namespaced=True,
            strategy=ConfigMapStrategy(), short_names=("cm",), **_table("ConfigMap"),
        ),
        ResourceType(
            group="", version="v1", kind="Secret", plural="secrets", namespaced=True,
            strategy=SecretStrategy(), selectable_fields={"type": _field("type")}, **_table("Secret"),
        ),
        ResourceType(
            group="", version="v1", kind="ServiceAccount", plural="serviceaccounts", namespaced=True,
            strategy=ServiceAccountStrategy(), short_names=("sa",), return_deleted_object=True,
            subresources=(TOKEN,), **_table("ServiceAccount"),
        ),
        ResourceType(
            group="", version="v1", kind="Pod", plural="pods", namespaced=True,
            strategy=PodStrategy(), short_names=("po",), categories=("all",), subresources=(STATUS, BINDING),
            return_deleted_object=True,
            selectable_fields={
                "spec.nodeName": _field("spec", "nodeName"),
                "spec.restartPolicy": _field("spec", "restartPolicy"),
                "spec.schedulerName": _field("spec", "schedulerName"),
                "spec.serviceAccountName": _field("spec", "serviceAccountName"),
                "spec.hostNetwork": _bool_field("spec", "hostNetwork"),
                "status.phase": _field("status", "phase"),
                "status.podIP": _pod_ip,
                "status.nominatedNodeName": _field("status", "nominatedNodeName"),
            },
            **_table("Pod"),
        ),
        ResourceType(
            group="", version="v1", kind="Service", plural="services", namespaced=True,
            strategy=ServiceStrategy(), short_names=("svc",), categories=("all",), subresources=(STATUS,),
            return_deleted_object=True,
            verbs=("create", "delete", "get", "list", "patch", "update", "watch"),
            selectable_fields={"spec.clusterIP": _field("spec", "clusterIP"), "spec.type": _field("spec", "type")},
            **_table("Service"),
        ),
        ResourceType(
            group="", version="v1", kind="Endpoints", plural="endpoints", namespaced=True,
            strategy=EndpointsStrategy(), short_names=("ep",), singular="endpoints", **_table("Endpoints"),
        ),
        ResourceType(
            group="", version="v1", kind="Node", plural="nodes", namespaced=False,
            strategy=NodeStrategy(), short_names=("no",), subresources=(STATUS,),
            selectable_fields={"spec.unschedulable": _bool_field("spec", "unschedulable")},
            **_table("Node"),
        ),
        ResourceType(
            group="", version="v1", kind="Event", plural="events", namespaced=True,
            strategy=EventStrategy(), short_names=("ev",),
            selectable_fields={
                "involvedObject.kind": _field("involvedObject", "kind"),
                "involvedObject.namespace": _field("involvedObject", "namespace"),
                "involvedObject.name": _field("involvedObject", "name"),
                "involvedObject.uid": _field("involvedObject", "uid"),
                "involvedObject.apiVersion": _field("involvedObject", "apiVersion"),
                "involvedObject.resourceVersion": _field("involvedObject", "resourceVersion"),
                "involvedObject.fieldPath": _field("involvedObject", "fieldPath"),
                "reason": _field("reason"),
                "reportingComponent": _field("reportingComponent"),
                "source": _field("source", "component"),
                "type": _field("type"),
            },
            **_table("Event"),
        ),
        ResourceType(
            group="", version="v1", kind="ResourceQuota", plural="resourcequotas", namespaced=True,
            strategy=ResourceQuotaStrategy(), short_names=("quota",), subresources=(STATUS,), return_deleted_object=True,
            **_table("ResourceQuota"),
        ),
        ResourceType(
            group="", version="v1", kind="LimitRange", plural="limitranges", namespaced=True,
            strategy=LimitRangeStrategy(), short_names=("limits",), **_table("LimitRange"),
        ),
        ResourceType(
            group="", version="v1", kind="PersistentVolume", plural="persistentvolumes", namespaced=False,
            strategy=PersistentVolumeStrategy(), short_names=("pv",), subresources=(STATUS,), return_deleted_object=True,
            **_table("PersistentVolume"),
        ),
        ResourceType(
            group="", version="v1", kind="PersistentVolumeClaim", plural="persistentvolumeclaims", namespaced=True,
            strategy=PersistentVolumeClaimStrategy(), short_names=("pvc",), subresources=(STATUS,),
            return_deleted_object=True,
            **_table("PersistentVolumeClaim"),
        ),
        ResourceType(
            group="", version="v1", kind="PodTemplate", plural="podtemplates", namespaced=True,
            strategy=PodTemplateStrategy(), return_deleted_object=True, **_table("PodTemplate"),
        ),
        ResourceType(
            group="", version="v1", kind="ReplicationController", plural="replicationcontrollers", namespaced=True,
            strategy=ReplicationControllerStrategy(), short_names=("rc",), categories=("all",),
            subresources=(STATUS, WORKLOAD_SCALE),
            selectable_fields={"status.replicas": _int_field("status", "replicas")},
            **_table("ReplicationController"),
        ),
    ]
    return types


def _pod_ip(obj):
    ips = (obj.get("status") or {}).get("podIPs") or []
    if ips and isinstance(ips[0], dict):
        return ips[0].get("ip") or ""
    return (obj.get("status") or {}).get("podIP") or ""


TYPES = tuple(_types())
