"""Upstream defaulting (``pkg/apis/*/v1/defaults.go`` and the generated
``zz_generated.defaults.go``), as pure functions over JSON-shaped dicts.

Every function mutates its argument in place and returns it. They are
idempotent: kube-apiserver defaults an object each time it is decoded (from
a request and again from storage), so applying them twice must change
nothing.

Some of what ``kubectl get -o yaml`` shows is not defaulting but Go
serialisation of non-pointer structs (``resources: {}``, a pod template's
``creationTimestamp: null``, ``status: {replicas: 0}``); those are
reproduced here too, because clients see them (the official Python client
even refuses a ReplicaSetStatus without ``replicas``).
"""
import math
import re
from fractions import Fraction

__all__ = [
    "parse_quantity", "canonical_quantity", "resource_list",
    "image_pull_policy", "container", "probe", "volume", "pod_spec", "pod_template_spec", "pod",
    "pod_status", "pod_qos_class",
    "replication_controller", "service", "secret", "config_map", "endpoints", "namespace", "node",
    "persistent_volume", "persistent_volume_claim", "persistent_volume_claim_spec", "limit_range",
    "resource_quota", "event", "pod_template",
    "deployment", "replica_set", "stateful_set", "daemon_set", "job", "job_spec_template", "cron_job",
    "lease", "events_event", "pod_disruption_budget", "ingress", "ingress_class", "network_policy",
    "priority_class", "storage_class", "horizontal_pod_autoscaler",
]


# ---------------------------------------------------------------- helpers
def _dict(parent, key):
    """parent[key] as a dict, created when missing or null."""
    value = parent.get(key)
    if not isinstance(value, dict):
        value = parent[key] = {}
    return value


def _dicts(value):
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _default(obj, key, value):
    if obj.get(key) in (None, ""):
        obj[key] = value


def _template_metadata(template):
    # metav1.Time is a struct, so an embedded ObjectMeta always prints it.
    meta = _dict(template, "metadata")
    meta.setdefault("creationTimestamp", None)
    return meta


# --------------------------------------------------------------- quantities
_QUANTITY = re.compile(r"^([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?[0-9]+)?$")
_BINARY = {"Ki": 1, "Mi": 2, "Gi": 3, "Ti": 4, "Pi": 5, "Ei": 6}
_DECIMAL = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_DECIMAL_SUFFIX = {v: k for k, v in _DECIMAL.items()}
QUANTITY_REGEX_MESSAGE = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"


def parse_quantity(value):
    """resource.Quantity: (exact value as a Fraction, format) or None when
    the text is not a quantity. Format is BinarySI, DecimalSI or
    DecimalExponent, as upstream keeps it to print the value back."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Fraction(value), "DecimalSI"
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return None
        return Fraction(repr(value)), "DecimalSI"
    if not isinstance(value, str):
        return None
    m = _QUANTITY.match(value)
    if not m:
        return None
    number, suffix = Fraction(m.group(1)), m.group(2) or ""
    if suffix in _BINARY:
        return number * (1024 ** _BINARY[suffix]), "BinarySI"
    if suffix in _DECIMAL:
        return number * Fraction(10) ** _DECIMAL[suffix], "DecimalSI"
    return number * Fraction(10) ** int(suffix[1:]), "DecimalExponent"


def _round_up(value, exponent):
    """Round away from zero to a multiple of 10**exponent (inf.Dec RoundUp)."""
    scaled = value / Fraction(10) ** exponent
    whole = math.ceil(scaled) if scaled >= 0 else math.floor(scaled)
    return Fraction(whole) * Fraction(10) ** exponent


def format_quantity(value, fmt):
    """Quantity.String(): the canonical text of a parsed quantity."""
    if value == 0:
        return "0"
    if fmt == "BinarySI" and not (-1024 < value < 1024) and value.denominator == 1:
        number, power = value.numerator, 0
        while power < 6 and number % 1024 == 0:
            number //= 1024
            power += 1
        return f"{number}{['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'][power]}"
    if fmt not in ("DecimalSI", "DecimalExponent"):
        fmt = "DecimalSI"
    # Nano is the smallest scale a quantity keeps.
    mantissa = _round_up(value, -9) * 10 ** 9
    mantissa, exponent = int(mantissa), -9
    while mantissa % 10 == 0:
        mantissa //= 10
        exponent += 1
    shift = exponent % 3
    mantissa, exponent = mantissa * 10 ** shift, exponent - shift
    if fmt == "DecimalSI" and exponent > 18:
        mantissa, exponent = mantissa * 10 ** (exponent - 18), 18  # E is the largest suffix
    if fmt == "DecimalSI" and exponent in _DECIMAL_SUFFIX:
        return f"{mantissa}{_DECIMAL_SUFFIX[exponent]}"
    return f"{mantissa}e{exponent}" if exponent else str(mantissa)


def canonical_quantity(value, milli=False):
    """The text upstream stores for a quantity, or the input unchanged when
    it does not parse (validation reports it). ``milli`` rounds up to
    thousandths, as SetDefaults_ResourceList does for pods' resources."""
    parsed = parse_quantity(value)
    if parsed is None:
        return value
    number, fmt = parsed
    if milli:
        number = _round_up(number, -3)
    return format_quantity(number, fmt)


def resource_list(resources, milli=True):
    """SetDefaults_ResourceList: every quantity rounded up to milli units
    and printed in canonical form."""
    if isinstance(resources, dict):
        for name, quantity in list(resources.items()):
            resources[name] = canonical_quantity(quantity, milli=milli)
    return resources


# --------------------------------------------------------------- containers
_DOMAIN_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN = re.compile(rf"^(?:{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*|\[[0-9a-fA-F:.]+\])(?::[0-9]+)?$")
_PATH_COMPONENT = re.compile(r"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$")
_TAG = re.compile(r"^[\w][\w.-]{0,127}$")
_DIGEST = re.compile(r"^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9A-Fa-f]{32,}$")


def image_tag(image):
    """(tag, digest) of an image reference as ``parsers.ParseImageName``
    reads it: no tag and no digest means "latest"; an unparseable reference
    has neither."""
    if not isinstance(image, str) or not image:
        return "", ""
    name, _, digest = image.partition("@")
    if digest and not _DIGEST.match(digest):
        return "", ""
    tag = ""
    slash, colon = name.rfind("/"), name.rfind(":")
    if colon > slash:
        name, tag = name[:colon], name[colon + 1:]
        if not _TAG.match(tag):
            return "", ""
    parts = name.split("/")
    first = parts[0]
    if len(parts) > 1 and ("." in first or ":" in first or first == "localhost" or first != first.lower()):
        if not _DOMAIN.match(first):
            return "", ""
        parts = parts[1:]
    if not parts or not all(_PATH_COMPONENT.match(p) for p in parts) or len(name) > 255:
        return "", ""
    if not tag and not digest:
        tag = "latest"
    return tag, digest


def image_pull_policy(image):
    return "Always" if image_tag(image)[0] == "latest" else "IfNotPresent"


def http_get(action):
    if isinstance(action, dict):
        _default(action, "path", "/")
        _default(action, "scheme", "HTTP")
    return action


def _handler(handler):
    if isinstance(handler, dict):
        if isinstance(handler.get("httpGet"), dict):
            http_get(handler["httpGet"])
        if isinstance(handler.get("grpc"), dict):
            handler["grpc"].setdefault("service", "")
    return handler


def probe(p):
    if not isinstance(p, dict):
        return p
    for key, value in (("timeoutSeconds", 1), ("periodSeconds", 10), ("successThreshold", 1), ("failureThreshold", 3)):
        if not p.get(key):
            p[key] = value
    return _handler(p)


def _field_ref(ref):
    if isinstance(ref, dict):
        _default(ref, "apiVersion", "v1")


def container(c):
    """SetDefaults_Container plus the generated defaults of its members."""
    if not isinstance(c, dict):
        return c
    if not c.get("imagePullPolicy"):
        c["imagePullPolicy"] = image_pull_policy(c.get("image", ""))
    _default(c, "terminationMessagePath", "/dev/termination-log")
    _default(c, "terminationMessagePolicy", "File")
    resources = _dict(c, "resources")
    for key in ("limits", "requests"):
        resource_list(resources.get(key))
    for port in _dicts(c.get("ports")):
        _default(port, "protocol", "TCP")
    for env in _dicts(c.get("env")):
        value_from = env.get("valueFrom")
        if isinstance(value_from, dict):
            _field_ref(value_from.get("fieldRef"))
    for key in ("livenessProbe", "readinessProbe", "startupProbe"):
        probe(c.get(key))
    lifecycle = c.get("lifecycle")
    if isinstance(lifecycle, dict):
        _handler(lifecycle.get("postStart"))
        _handler(lifecycle.get("preStop"))
    return c


# ------------------------------------------------------------------ volumes
VOLUME_SOURCES = (
    "hostPath", "emptyDir", "gcePersistentDisk", "awsElasticBlockStore", "gitRepo", "secret", "nfs", "iscsi",
    "glusterfs", "persistentVolumeClaim", "rbd", "flexVolume", "cinder", "cephfs", "flocker", "downwardAPI", "fc",
    "azureFile", "configMap", "vsphereVolume", "quobyte", "azureDisk", "photonPersistentDisk", "projected",
    "portworxVolume", "scaleIO", "storageos", "csi", "ephemeral", "image",
)


def _downward_api_items(items):
    for item in _dicts(items):
        _field_ref(item.get("fieldRef"))


def volume(v):
    """SetDefaults_Volume and the defaults of each volume source."""
    if not isinstance(v, dict):
        return v
    if not any(v.get(source) is not None for source in VOLUME_SOURCES):
        v["emptyDir"] = {}
    source = v.get("hostPath")
    if isinstance(source, dict):
        source.setdefault("type", "")
    for key in ("secret", "configMap", "downwardAPI", "projected"):
        source = v.get(key)
        if isinstance(source, dict) and source.get("defaultMode") is None:
            source["defaultMode"] = 420
    if isinstance(v.get("downwardAPI"), dict):
        _downward_api_items(v["downwardAPI"].get("items"))
    if isinstance(v.get("projected"), dict):
        for projection in _dicts(v["projected"].get("sources")):
            if isinstance(projection.get("downwardAPI"), dict):
                _downward_api_items(projection["downwardAPI"].get("items"))
            token = projection.get("serviceAccountToken")
            if isinstance(token, dict) and token.get("expirationSeconds") is None:
                token["expirationSeconds"] = 3600
    source = v.get("iscsi")
    if isinstance(source, dict):
        _default(source, "iscsiInterface", "default")
    source = v.get("rbd")
    if isinstance(source, dict):
        _default(source, "pool", "rbd")
        _default(source, "user", "admin")
        _default(source, "keyring", "/etc/ceph/keyring")
    source = v.get("azureDisk")
    if isinstance(source, dict):
        _default(source, "cachingMode", "ReadWrite")
        _default(source, "fsType", "ext4")
        source.setdefault("readOnly", False)
        _default(source, "kind", "Shared")
    source = v.get("scaleIO")
    if isinstance(source, dict):
        _default(source, "storageMode", "ThinProvisioned")
        _default(source, "fsType", "xfs")
    source = v.get("emptyDir")
    if isinstance(source, dict) and source.get("sizeLimit") is not None:
        source["sizeLimit"] = canonical_quantity(source["sizeLimit"])
    source = v.get("ephemeral")
    if isinstance(source, dict) and isinstance(source.get("volumeClaimTemplate"), dict):
        claim = source["volumeClaimTemplate"]
        persistent_volume_claim_spec(_dict(claim, "spec"))
    return v


# ------------------------------------------------------------------ pod spec
def pod_spec(spec):
    """SetDefaults_PodSpec and the generated defaults below it (applies to
    pods and to every pod template)."""
    if not isinstance(spec, dict):
        return spec
    _default(spec, "dnsPolicy", "ClusterFirst")
    _default(spec, "restartPolicy", "Always")
    if spec.get("securityContext") is None:
        spec["securityContext"] = {}
    if spec.get("terminationGracePeriodSeconds") is None:
        spec["terminationGracePeriodSeconds"] = 30
    _default(spec, "schedulerName", "default-scheduler")
    # serviceAccount is the deprecated spelling; conversion keeps both in step.
    if not spec.get("serviceAccountName") and spec.get("serviceAccount"):
        spec["serviceAccountName"] = spec["serviceAccount"]
    if spec.get("serviceAccountName"):
        spec["serviceAccount"] = spec["serviceAccountName"]
    for key in ("initContainers", "containers", "ephemeralContainers"):
        for c in _dicts(spec.get(key)):
            container(c)
    for v in _dicts(spec.get("volumes")):
        volume(v)
    if isinstance(spec.get("overhead"), dict):
        resource_list(spec["overhead"])
    if isinstance(spec.get("resources"), dict):
        for key in ("limits", "requests"):
            resource_list(spec["resources"].get(key))
    return spec


def pod_template_spec(template):
    if not isinstance(template, dict):
        return template
    _template_metadata(template)
    pod_spec(_dict(template, "spec"))
    return template


def pod(obj):
    """SetObjectDefaults_Pod: the pod spec defaults plus what only
    materialises on Pods (requests from limits, enableServiceLinks, host
    ports under hostNetwork)."""
    spec = _dict(obj, "spec")
    pod_spec(spec)
    for key in ("initContainers", "containers"):
        for c in _dicts(spec.get(key)):
            resources = _dict(c, "resources")
            limits = resources.get("limits")
            if isinstance(limits, dict) and limits:
                requests = resources.get("requests")
                if not isinstance(requests, dict):
                    requests = resources["requests"] = {}
                for name, quantity in limits.items():
                    requests.setdefault(name, quantity)
    if spec.get("enableServiceLinks") is None:
        spec["enableServiceLinks"] = True
    if spec.get("hostNetwork"):
        for key in ("initContainers", "containers"):
            for c in _dicts(spec.get(key)):
                for port in _dicts(c.get("ports")):
                    if not port.get("hostPort"):
                        port["hostPort"] = port.get("containerPort")
    if isinstance(obj.get("status"), dict):
        pod_status(obj["status"])
    return obj


def pod_status(status):
    """Conversion keeps podIP/podIPs and hostIP/hostIPs in step."""
    for single, plural in (("podIP", "podIPs"), ("hostIP", "hostIPs")):
        ips = _dicts(status.get(plural))
        if not ips and status.get(single):
            status[plural] = [{"ip": status[single]}]
        elif ips and ips[0].get("ip"):
            status[single] = ips[0]["ip"]
    return status


def pod_qos_class(obj):
    """qos.GetPodQOS: Guaranteed, Burstable or BestEffort."""
    spec = obj.get("spec") or {}
    requests, limits, guaranteed = {}, {}, True
    for key in ("initContainers", "containers"):
        for c in _dicts(spec.get(key)):
            resources = c.get("resources") or {}
            for name, quantity in (resources.get("requests") or {}).items():
                parsed = parse_quantity(quantity)
                if name in ("cpu", "memory") and parsed and parsed[0] > 0:
                    requests[name] = requests.get(name, 0) + parsed[0]
            found = set()
            for name, quantity in (resources.get("limits") or {}).items():
                parsed = parse_quantity(quantity)
                if name in ("cpu", "memory") and parsed and parsed[0] > 0:
                    found.add(name)
                    limits[name] = limits.get(name, 0) + parsed[0]
            if found != {"cpu", "memory"}:
                guaranteed = False
    if not requests and not limits:
        return "BestEffort"
    if guaranteed and all(limits.get(name) == value for name, value in requests.items()) and len(requests) == len(limits):
        return "Guaranteed"
    return "Burstable"


# ------------------------------------------------------------------- core/v1
def pod_template(obj):
    pod_template_spec(_dict(obj, "template"))
    return obj


def replication_controller(obj):
    spec = _dict(obj, "spec")
    template = spec.get("template")
    labels = ((template or {}).get("metadata") or {}).get("labels") if isinstance(template, dict) else None
    if labels:
        if not spec.get("selector"):
            spec["selector"] = dict(labels)
        meta = _dict(obj, "metadata")
        if not meta.get("labels"):
            meta["labels"] = dict(labels)
    if spec.get("replicas") is None:
        spec["replicas"] = 1
    if isinstance(template, dict):
        pod_template_spec(template)
    if isinstance(obj.get("status"), dict):
        obj["status"].setdefault("replicas", 0)
    return obj


def _externally_accessible(spec):
    return spec.get("type") in ("LoadBalancer", "NodePort") or (
        spec.get("type") == "ClusterIP" and bool(spec.get("externalIPs")))


def service(obj):
    """SetDefaults_Service, plus the IP family fields the service REST
    storage fills (clusterIP allocation itself is the store's)."""
    spec = _dict(obj, "spec")
    _default(spec, "sessionAffinity", "None")
    if spec["sessionAffinity"] == "None":
        spec.pop("sessionAffinityConfig", None)
    elif spec["sessionAffinity"] == "ClientIP":
        config = spec.get("sessionAffinityConfig") or {}
        client_ip = config.get("clientIP") or {}
        if client_ip.get("timeoutSeconds") is None:
            spec["sessionAffinityConfig"] = {"clientIP": {"timeoutSeconds": 10800}}
    _default(spec, "type", "ClusterIP")
    for port in _dicts(spec.get("ports")):
        _default(port, "protocol", "TCP")
        if port.get("targetPort") in (None, 0, ""):
            port["targetPort"] = port.get("port")
    if _externally_accessible(spec) and not spec.get("externalTrafficPolicy"):
        spec["externalTrafficPolicy"] = "Cluster"
    if spec.get("internalTrafficPolicy") is None and spec["type"] in ("NodePort", "LoadBalancer", "ClusterIP"):
        spec["internalTrafficPolicy"] = "Cluster"
    if spec["type"] == "LoadBalancer" and spec.get("allocateLoadBalancerNodePorts") is None:
        spec["allocateLoadBalancerNodePorts"] = True
    # clusterIP and clusterIPs say the same thing twice.
    if spec.get("clusterIP") and not spec.get("clusterIPs"):
        spec["clusterIPs"] = [spec["clusterIP"]]
    elif spec.get("clusterIPs") and not spec.get("clusterIP") and isinstance(spec["clusterIPs"], list):
        spec["clusterIP"] = spec["clusterIPs"][0]
    if spec["type"] != "ExternalName":
        headless = spec.get("clusterIP") == "None"
        if not spec.get("ipFamilyPolicy"):
            spec["ipFamilyPolicy"] = "RequireDualStack" if headless and not spec.get("selector") else "SingleStack"
        if not spec.get("ipFamilies"):
            families = []
            for ip in spec.get("clusterIPs") or []:
                if isinstance(ip, str) and ip != "None":
                    families.append("IPv6" if ":" in ip else "IPv4")
            spec["ipFamilies"] = families or ["IPv4"]
    status = obj.get("status")
    if isinstance(status, dict):
        load_balancer = _dict(status, "loadBalancer")
        if spec["type"] == "LoadBalancer":
            for ingress in _dicts(load_balancer.get("ingress")):
                if ingress.get("ip") and not ingress.get("ipMode"):
                    ingress["ipMode"] = "VIP"
    return obj


def secret(obj):
    _default(obj, "type", "Opaque")
    return obj


def config_map(obj):
    return obj


def endpoints(obj):
    for subset in _dicts(obj.get("subsets")):
        for port in _dicts(subset.get("ports")):
            _default(port, "protocol", "TCP")
    return obj


def namespace(obj):
    """SetDefaults_Namespace: the immutable kubernetes.io/metadata.name label
    (the strategy's canonicalize covers generateName) and phase Active."""
    meta = _dict(obj, "metadata")
    if meta.get("name"):
        labels = meta.get("labels")
        if not isinstance(labels, dict):
            labels = meta["labels"] = {}
        labels["kubernetes.io/metadata.name"] = meta["name"]
    if isinstance(obj.get("status"), dict):
        _default(obj["status"], "phase", "Active")
    return obj


def node(obj):
    spec = obj.get("spec")
    if isinstance(spec, dict):
        if spec.get("podCIDR") and not spec.get("podCIDRs"):
            spec["podCIDRs"] = [spec["podCIDR"]]
        elif spec.get("podCIDRs") and isinstance(spec["podCIDRs"], list) and not spec.get("podCIDR"):
            spec["podCIDR"] = spec["podCIDRs"][0]
    status = obj.get("status")
    if isinstance(status, dict):
        for key in ("capacity", "allocatable"):
            resource_list(status.get(key))
        if status.get("allocatable") is None and isinstance(status.get("capacity"), dict):
            status["allocatable"] = dict(status["capacity"])
    return obj


def persistent_volume(obj):
    spec = _dict(obj, "spec")
    _default(spec, "persistentVolumeReclaimPolicy", "Retain")
    _default(spec, "volumeMode", "Filesystem")
    resource_list(spec.get("capacity"))
    if isinstance(obj.get("status"), dict):
        _default(obj["status"], "phase", "Pending")
    return obj


def persistent_volume_claim_spec(spec):
    _default(spec, "volumeMode", "Filesystem")
    resources = spec.get("resources")
    if isinstance(resources, dict):
        for key in ("limits", "requests"):
            resource_list(resources.get(key))
    return spec


def persistent_volume_claim(obj):
    persistent_volume_claim_spec(_dict(obj, "spec"))
    status = obj.get("status")
    if isinstance(status, dict):
        _default(status, "phase", "Pending")
        resource_list(status.get("capacity"))
    return obj


def limit_range(obj):
    spec = _dict(obj, "spec")
    for item in _dicts(spec.get("limits")):
        for key in ("max", "min", "default", "defaultRequest", "maxLimitRequestRatio"):
            resource_list(item.get(key))
        if item.get("type") != "Container":
            continue
        default = item.get("default") if isinstance(item.get("default"), dict) else {}
        default_request = item.get("defaultRequest") if isinstance(item.get("defaultRequest"), dict) else {}
        for name, quantity in (item.get("max") or {}).items():
            default.setdefault(name, quantity)
        for name, quantity in default.items():
            default_request.setdefault(name, quantity)
        for name, quantity in (item.get("min") or {}).items():
            default_request.setdefault(name, quantity)
        item["default"], item["defaultRequest"] = default, default_request
    return obj


def resource_quota(obj):
    spec = obj.get("spec")
    if isinstance(spec, dict):
        resource_list(spec.get("hard"))
    status = obj.get("status")
    if isinstance(status, dict):
        resource_list(status.get("hard"))
        resource_list(status.get("used"))
    return obj


def event(obj):
    """core/v1 Event: the fields Go always prints."""
    for key in ("eventTime", "firstTimestamp", "lastTimestamp"):
        obj.setdefault(key, None)
    obj.setdefault("reportingComponent", "")
    obj.setdefault("reportingInstance", "")
    if not isinstance(obj.get("involvedObject"), dict):
        obj["involvedObject"] = {}
    if not isinstance(obj.get("source"), dict):
        obj["source"] = {}
    return obj


# ------------------------------------------------------------------- apps/v1
def deployment(obj):
    spec = _dict(obj, "spec")
    if spec.get("replicas") is None:
        spec["replicas"] = 1
    strategy = _dict(spec, "strategy")
    _default(strategy, "type", "RollingUpdate")
    if strategy["type"] == "RollingUpdate":
        rolling = _dict(strategy, "rollingUpdate")
        if rolling.get("maxUnavailable") is None:
            rolling["maxUnavailable"] = "25%"
        if rolling.get("maxSurge") is None:
            rolling["maxSurge"] = "25%"
    if spec.get("revisionHistoryLimit") is None:
        spec["revisionHistoryLimit"] = 10
    if spec.get("progressDeadlineSeconds") is None:
        spec["progressDeadlineSeconds"] = 600
    pod_template_spec(_dict(spec, "template"))
    return obj


def replica_set(obj):
    spec = _dict(obj, "spec")
    if spec.get("replicas") is None:
        spec["replicas"] = 1
    pod_template_spec(_dict(spec, "template"))
    if isinstance(obj.get("status"), dict):
        obj["status"].setdefault("replicas", 0)
    return obj


def stateful_set(obj):
    spec = _dict(obj, "spec")
    _default(spec, "podManagementPolicy", "OrderedReady")
    update = _dict(spec, "updateStrategy")
    if not update.get("type"):
        update["type"] = "RollingUpdate"
        if update.get("rollingUpdate") is None:
            update["rollingUpdate"] = {}
    if update["type"] == "RollingUpdate" and isinstance(update.get("rollingUpdate"), dict):
        if update["rollingUpdate"].get("partition") is None:
            update["rollingUpdate"]["partition"] = 0
    retention = _dict(spec, "persistentVolumeClaimRetentionPolicy")
    _default(retention, "whenDeleted", "Retain")
    _default(retention, "whenScaled", "Retain")
    if spec.get("replicas") is None:
        spec["replicas"] = 1
    if spec.get("revisionHistoryLimit") is None:
        spec["revisionHistoryLimit"] = 10
    pod_template_spec(_dict(spec, "template"))
    for claim in _dicts(spec.get("volumeClaimTemplates")):
        # Each template is a whole PersistentVolumeClaim, printed as one.
        claim.setdefault("apiVersion", "v1")
        claim.setdefault("kind", "PersistentVolumeClaim")
        _template_metadata(claim)
        persistent_volume_claim_spec(_dict(claim, "spec"))
        _default(_dict(claim, "status"), "phase", "Pending")
    status = obj.get("status")
    if isinstance(status, dict):
        status.setdefault("replicas", 0)
        status.setdefault("availableReplicas", 0)
    return obj


def daemon_set(obj):
    spec = _dict(obj, "spec")
    update = _dict(spec, "updateStrategy")
    _default(update, "type", "RollingUpdate")
    if update["type"] == "RollingUpdate":
        rolling = _dict(update, "rollingUpdate")
        if rolling.get("maxUnavailable") is None:
            rolling["maxUnavailable"] = 1
        if rolling.get("maxSurge") is None:
            rolling["maxSurge"] = 0
    if spec.get("revisionHistoryLimit") is None:
        spec["revisionHistoryLimit"] = 10
    pod_template_spec(_dict(spec, "template"))
    status = obj.get("status")
    if isinstance(status, dict):
        for key in ("currentNumberScheduled", "numberMisscheduled", "desiredNumberScheduled", "numberReady"):
            status.setdefault(key, 0)
    return obj


# ------------------------------------------------------------------ batch/v1
def job_spec_template(spec):
    """What a JobSpec gets wherever it sits (a Job or a CronJob's template)."""
    pod_template_spec(_dict(spec, "template"))
    return spec


def job(obj):
    """SetDefaults_Job (v1.32, JobPodReplacementPolicy on)."""
    spec = _dict(obj, "spec")
    if spec.get("completions") is None and spec.get("parallelism") is None:
        spec["completions"] = 1
        spec["parallelism"] = 1
    if spec.get("parallelism") is None:
        spec["parallelism"] = 1
    if spec.get("backoffLimit") is None:
        spec["backoffLimit"] = 2147483647 if spec.get("backoffLimitPerIndex") is not None else 6
    template = spec.get("template") if isinstance(spec.get("template"), dict) else {}
    labels = (template.get("metadata") or {}).get("labels") if isinstance(template.get("metadata"), dict) else None
    meta = _dict(obj, "metadata")
    if labels and not meta.get("labels"):
        meta["labels"] = dict(labels)
    _default(spec, "completionMode", "NonIndexed")
    if spec.get("suspend") is None:
        spec["suspend"] = False
    failure_policy = spec.get("podFailurePolicy")
    if isinstance(failure_policy, dict):
        for rule in _dicts(failure_policy.get("rules")):
            for pattern in _dicts(rule.get("onPodConditions")):
                _default(pattern, "status", "True")
    if not spec.get("podReplacementPolicy"):
        spec["podReplacementPolicy"] = "Failed" if isinstance(failure_policy, dict) else "TerminatingOrFailed"
    if spec.get("manualSelector") is None:
        spec["manualSelector"] = False
    job_spec_template(spec)
    return obj


def cron_job(obj):
    spec = _dict(obj, "spec")
    _default(spec, "concurrencyPolicy", "Allow")
    if spec.get("suspend") is None:
        spec["suspend"] = False
    if spec.get("successfulJobsHistoryLimit") is None:
        spec["successfulJobsHistoryLimit"] = 3
    if spec.get("failedJobsHistoryLimit") is None:
        spec["failedJobsHistoryLimit"] = 1
    job_template = _dict(spec, "jobTemplate")
    _template_metadata(job_template)
    job_spec_template(_dict(job_template, "spec"))
    return obj


# ------------------------------------------------------------- other groups
def lease(obj):
    _dict(obj, "spec")
    return obj


def events_event(obj):
    """events.k8s.io/v1 Event: the fields Go always prints."""
    obj.setdefault("eventTime", None)
    for key in ("deprecatedFirstTimestamp", "deprecatedLastTimestamp"):
        obj.setdefault(key, None)
    if not isinstance(obj.get("regarding"), dict):
        obj["regarding"] = {}
    if not isinstance(obj.get("deprecatedSource"), dict):
        obj["deprecatedSource"] = {}
    return obj


def pod_disruption_budget(obj):
    status = obj.get("status")
    if isinstance(status, dict):
        for key in ("disruptionsAllowed", "currentHealthy", "desiredHealthy", "expectedPods"):
            status.setdefault(key, 0)
    return obj


def ingress(obj):
    status = obj.get("status")
    if isinstance(status, dict):
        _dict(status, "loadBalancer")
    return obj


def ingress_class(obj):
    parameters = (obj.get("spec") or {}).get("parameters")
    if isinstance(parameters, dict) and parameters.get("scope") is None:
        parameters["scope"] = "Cluster"
    return obj


def network_policy(obj):
    spec = _dict(obj, "spec")
    if not spec.get("policyTypes"):
        spec["policyTypes"] = ["Ingress"] + (["Egress"] if spec.get("egress") else [])
    for direction, peers in (("ingress", "ports"), ("egress", "ports")):
        for rule in _dicts(spec.get(direction)):
            for port in _dicts(rule.get(peers)):
                _default(port, "protocol", "TCP")
    return obj


def priority_class(obj):
    _default(obj, "preemptionPolicy", "PreemptLowerPriority")
    obj.setdefault("value", 0)
    return obj


def storage_class(obj):
    _default(obj, "reclaimPolicy", "Delete")
    _default(obj, "volumeBindingMode", "Immediate")
    obj.setdefault("provisioner", "")
    return obj


HPA_SCALE_UP = {
    "stabilizationWindowSeconds": 0,
    "selectPolicy": "Max",
    "policies": [{"type": "Pods", "value": 4, "periodSeconds": 15},
                 {"type": "Percent", "value": 100, "periodSeconds": 15}],
}
HPA_SCALE_DOWN = {
    "selectPolicy": "Max",
    "policies": [{"type": "Percent", "value": 100, "periodSeconds": 15}],
}


def _scaling_rules(rules, defaults):
    merged = {k: (list(map(dict, v)) if isinstance(v, list) else v) for k, v in defaults.items()}
    if isinstance(rules, dict):
        for key in ("stabilizationWindowSeconds", "selectPolicy", "policies", "tolerance"):
            if rules.get(key) is not None:
                merged[key] = rules[key]
    return merged


def horizontal_pod_autoscaler(obj):
    """autoscaling/v2 SetDefaults_HorizontalPodAutoscaler (the storage version)."""
    spec = _dict(obj, "spec")
    if spec.get("minReplicas") is None:
        spec["minReplicas"] = 1
    if not spec.get("metrics"):
        spec["metrics"] = [{"type": "Resource", "resource": {
            "name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}}}]
    behavior = spec.get("behavior")
    if isinstance(behavior, dict):
        behavior["scaleUp"] = _scaling_rules(behavior.get("scaleUp"), HPA_SCALE_UP)
        behavior["scaleDown"] = _scaling_rules(behavior.get("scaleDown"), HPA_SCALE_DOWN)
    spec.setdefault("maxReplicas", 0)
    status = obj.get("status")
    if isinstance(status, dict):
        status.setdefault("desiredReplicas", 0)
    return obj
