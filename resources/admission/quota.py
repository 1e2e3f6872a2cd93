"""The two quota admission plugins kube-apiserver enables by default,
LimitRanger and ResourceQuota, and the loop that keeps ResourceQuota
status current (kube-controller-manager's resourcequota controller).

ResourceQuota follows upstream's design: admission charges an object's
usage into the quota's ``status.used`` with a compare-and-swap write (two
racing creates cannot both take the last slot), and the loop recomputes
``status.used`` from the stored objects, releasing what deletes and failed
writes left charged.
"""
import json
import logging
import math
import time
from fractions import Fraction

from kubeapi.conf import conf
from resources.kinds.defaults import format_quantity, parse_quantity, pod_qos_class
from resources.machinery import errors
from resources.models import Tenant
from resources.registry import builtin
from resources.store import storage
from resources.store.generic import fields_of
from resources.store.interface import Key

log = logging.getLogger(__name__)


# --------------------------------------------------------------- quantities
# A quantity is (value: Fraction, format), as defaults.parse_quantity gives
# it; a sum keeps the format of its first non-zero term, as Quantity.Add.
ZERO = (Fraction(0), "DecimalSI")


def _q(text):
    return parse_quantity(text) or ZERO


def _add(a, b):
    return a[0] + b[0], (a[1] if a[0] else b[1])


def _text(quantity):
    return format_quantity(*quantity)


def _resource_list(mapping):
    return {name: _q(text) for name, text in (mapping or {}).items()}


def _add_lists(a, b):
    out = dict(a)
    for name, quantity in b.items():
        out[name] = _add(out[name], quantity) if name in out else quantity
    return out


def _pretty(resources):
    """prettyPrint: ``name=quantity`` pairs in name order."""
    return ",".join(f"{name}={_text(resources[name])}" for name in sorted(resources))


def _forbidden(rtype, obj, message):
    meta = obj.get("metadata") or {}
    name = meta.get("name") or meta.get("generateName") or ""
    what = errors.qualified(rtype.group, rtype.plural)
    prefix = f'{what} "{name}" is forbidden: ' if name else f"{what} is forbidden: "
    details = {"name": name, "group": rtype.group, "kind": rtype.plural}
    return errors.APIError(403, "Forbidden", prefix + message,
                           {k: v for k, v in details.items() if v})  # omitempty, as metav1.StatusDetails


def _aggregate(messages):
    """utilerrors.NewAggregate(...).Error(): one message bare, several
    (deduplicated) in brackets."""
    unique = list(dict.fromkeys(messages))
    return unique[0] if len(unique) == 1 else "[" + ", ".join(unique) + "]"


def _list(tenant, group, resource, namespace):
    return [json.loads(data) for data in storage.list(tenant, group, resource, namespace).items]


# Which namespaces of a tenant hold ResourceQuotas / LimitRanges, per
# process: read at most once a second, not on every create (upstream's
# admission reads an informer cache too). A namespace that holds one is read
# live, so charging stays exact. A create through this process marks its
# namespace at once (for longer than a read could miss the uncommitted
# object); one made through another process binds within a second.
MARK_SECONDS = 5.0
_holders = {}  # (tenant, resource) → (set of namespaces, monotonic time read)
_marked = {}  # (tenant, resource) → {namespace: monotonic time of a create here}


def _in_namespace(tenant, resource, namespace):
    """The namespace's ResourceQuotas or LimitRanges (``resource``)."""
    now = time.monotonic()
    entry = _holders.get((tenant, resource))
    if entry is None or now - entry[1] > conf.quota_holders_refresh_seconds:
        held = {json.loads(data)["metadata"].get("namespace")
                for data in storage.list(tenant, "", resource, None).items}
        entry = _holders[(tenant, resource)] = (held, now)
    marked = _marked.get((tenant, resource), {}).get(namespace)
    if namespace in entry[0] or (marked is not None and now - marked < MARK_SECONDS):
        return _list(tenant, "", resource, namespace)
    return []


def mark_holder(rtype, ctx, obj, old):
    if old is None and not ctx.dry_run:
        now = time.monotonic()
        marks = _marked.setdefault((ctx.tenant, rtype.plural), {})
        for namespace in [n for n, at in marks.items() if now - at > MARK_SECONDS]:
            marks.pop(namespace, None)
        marks[(obj.get("metadata") or {}).get("namespace")] = now


def _items(limit_range):
    """A LimitRange's items (entries that are not objects were refused on
    write; older stored ones are skipped, never a crash)."""
    return [i for i in (limit_range.get("spec") or {}).get("limits") or [] if isinstance(i, dict)]


def _containers(pod, keys=("containers", "initContainers")):
    spec = pod.get("spec") or {}
    return [c for key in keys for c in spec.get(key) or [] if isinstance(c, dict)]


# ============================================================== LimitRanger
def limit_ranger_defaults(rtype, ctx, obj, old):
    """Container defaults (``default``/``defaultRequest``) fill what each
    container leaves out; the pod is annotated with what was set."""
    if old is not None or ctx.subresource:
        return  # upstream: pod updates cannot change containers' resources
    ranges = _in_namespace(ctx.tenant, "limitranges", (obj.get("metadata") or {}).get("namespace"))
    changed = False
    for limit_range in ranges:
        limits, requests = {}, {}
        for item in _items(limit_range):
            if item.get("type") == "Container":
                requests.update(item.get("defaultRequest") or {})
                limits.update(item.get("default") or {})
        notes = []
        for key, label in (("containers", "container"), ("initContainers", "init container")):
            for c in _containers(obj, (key,)):
                resources = c.get("resources") if isinstance(c.get("resources"), dict) else {}
                set_requests = sorted(n for n in requests if n not in (resources.get("requests") or {}))
                set_limits = sorted(n for n in limits if n not in (resources.get("limits") or {}))
                for field, names, source in (("requests", set_requests, requests), ("limits", set_limits, limits)):
                    if names:
                        target = resources.get(field) if isinstance(resources.get(field), dict) else {}
                        target.update({n: source[n] for n in names})
                        resources[field] = target
                        c["resources"] = resources
                if set_requests:
                    notes.append(f"{', '.join(set_requests)} request for {label} {c.get('name', '')}")
                if set_limits:
                    notes.append(f"{', '.join(set_limits)} limit for {label} {c.get('name', '')}")
        if notes:
            meta = obj.setdefault("metadata", {})
            meta.setdefault("annotations", {})["kubernetes.io/limit-ranger"] = \
                "LimitRanger plugin set: " + "; ".join(notes)
            changed = True
    if changed and isinstance(obj.get("status"), dict) and "qosClass" in obj["status"]:
        # Upstream defaults before the strategy computes the QoS class.
        obj["status"]["qosClass"] = pod_qos_class(obj)


def _milli(quantity):
    return math.ceil(quantity[0] * 1000)


def _min(kind, name, enforced, requests, limits):
    want = f"minimum {name} usage per {kind} is {_text(enforced)}"
    if name not in requests:
        return f"{want}.  No request is specified"
    if _milli(requests[name]) < _milli(enforced):
        return f"{want}, but request is {_text(requests[name])}"
    if name in limits and _milli(limits[name]) < _milli(enforced):
        return f"{want}, but limit is {_text(limits[name])}"
    return None


def _max(kind, name, enforced, requests, limits):
    want = f"maximum {name} usage per {kind} is {_text(enforced)}"
    if name not in limits:
        return f"{want}.  No limit is specified"
    if _milli(limits[name]) > _milli(enforced):
        return f"{want}, but limit is {_text(limits[name])}"
    if name in requests and _milli(requests[name]) > _milli(enforced):
        return f"{want}, but request is {_text(requests[name])}"
    return None


def _max_request(kind, name, enforced, requests):
    want = f"maximum {name} usage per {kind} is {_text(enforced)}"
    if name not in requests:
        return f"{want}.  No request is specified"
    if _milli(requests[name]) > _milli(enforced):
        return f"{want}, but request is {_text(requests[name])}"
    return None


def _ratio(kind, name, enforced, requests, limits):
    want = f"{name} max limit to request ratio per {kind} is {_text(enforced)}"
    request = _milli(requests[name]) if name in requests else 0
    limit = _milli(limits[name]) if name in limits else 0
    if not request:
        return f"{want}, but no request is specified or request is 0"
    if not limit:
        return f"{want}, but no limit is specified or limit is 0"
    if Fraction(limit, request) > enforced[0]:
        return f"{want}, but provided ratio is {limit / request:f}"
    return None


def _check_item(kind, item, requests, limits):
    found = []
    for key, check in (("min", _min), ("max", _max), ("maxLimitRequestRatio", _ratio)):
        for name in sorted(item.get(key) or {}):
            found.append(check(kind, name, _q(item[key][name]), requests, limits))
    return [m for m in found if m]


def _pod_totals(pod, field):
    """Pod-level requests or limits: the containers' sum, or the largest
    init container's when that is more (resourcehelper.PodRequests)."""
    total = {}
    for c in _containers(pod, ("containers",)):
        total = _add_lists(total, _resource_list((c.get("resources") or {}).get(field)))
    for c in _containers(pod, ("initContainers",)):
        for name, quantity in _resource_list((c.get("resources") or {}).get(field)).items():
            if name not in total or quantity[0] > total[name][0]:
                total[name] = quantity
    return _add_lists(total, _resource_list((pod.get("spec") or {}).get("overhead")))


def _limit_pod(obj, limit_range):
    found = []
    for item in _items(limit_range):
        kind = item.get("type")
        if kind == "Container":
            for c in _containers(obj):
                resources = c.get("resources") or {}
                found += _check_item(kind, item, _resource_list(resources.get("requests")),
                                     _resource_list(resources.get("limits")))
        elif kind == "Pod":
            found += _check_item(kind, item, _pod_totals(obj, "requests"), _pod_totals(obj, "limits"))
    return found


def _limit_claim(obj, limit_range):
    requests = _resource_list(((obj.get("spec") or {}).get("resources") or {}).get("requests"))
    found = []
    for item in _items(limit_range):
        if item.get("type") != "PersistentVolumeClaim":
            continue
        for name in sorted(item.get("min") or {}):
            found.append(_min("PersistentVolumeClaim", name, _q(item["min"][name]), requests, {}))
        for name in sorted(item.get("max") or {}):
            found.append(_max_request("PersistentVolumeClaim", name, _q(item["max"][name]), requests))
    return [m for m in found if m]


def limit_ranger_validate(rtype, ctx, obj, old):
    if ctx.subresource or (old is not None and rtype.plural == "pods"):
        return
    if old is not None and (old.get("metadata") or {}).get("deletionTimestamp"):
        return
    check = _limit_pod if rtype.plural == "pods" else _limit_claim
    for limit_range in _in_namespace(ctx.tenant, "limitranges", (obj.get("metadata") or {}).get("namespace")):
        found = check(obj, limit_range)
        if found:
            raise _forbidden(rtype, obj, _aggregate(found))


# ============================================================ ResourceQuota
COMPUTE_VALIDATED = {"cpu", "memory", "requests.cpu", "requests.memory", "limits.cpu", "limits.memory"}
POD_RESOURCES = {"pods", "count/pods", "cpu", "memory", "ephemeral-storage", "requests.cpu", "requests.memory",
                 "requests.ephemeral-storage", "limits.cpu", "limits.memory", "limits.ephemeral-storage"}
LEGACY_COUNTS = {"configmaps", "secrets", "replicationcontrollers", "resourcequotas"}
STORAGE_CLASS_SUFFIX = ".storageclass.storage.k8s.io/"


def _count_name(group, resource):
    return f"count/{resource}.{group}" if group else f"count/{resource}"


def _extended(name):
    return "/" in name and not name.split("/")[0].endswith("kubernetes.io")


def _matches_pod_resource(name):
    if name in POD_RESOURCES or name.startswith(("hugepages-", "requests.hugepages-")):
        return True
    return name.startswith("requests.") and _extended(name[len("requests."):])


def matching(group, resource, names):
    """The quota resources (of ``names``) that objects of (group, resource) use."""
    count = _count_name(group, resource)
    if (group, resource) == ("", "pods"):
        return {n for n in names if _matches_pod_resource(n)}
    if (group, resource) == ("", "services"):
        return {n for n in names if n in ("services", count, "services.loadbalancers", "services.nodeports")}
    if (group, resource) == ("", "persistentvolumeclaims"):
        return {n for n in names if n in ("persistentvolumeclaims", count, "requests.storage")
                or (STORAGE_CLASS_SUFFIX in n and n.endswith(("/requests.storage", "/persistentvolumeclaims")))}
    legacy = resource if group == "" and resource in LEGACY_COUNTS else None
    return {n for n in names if n in (count, legacy)}


def _terminal(pod):
    return (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed")


def _container_usage(requests, limits):
    """podComputeUsageHelper: quota resource names → quantity."""
    out = {}
    for base in ("cpu", "memory", "ephemeral-storage"):
        if base in requests:
            out[base] = out[f"requests.{base}"] = requests[base]
        if base in limits:
            out[f"limits.{base}"] = limits[base]
    for name, quantity in requests.items():
        if name.startswith("hugepages-"):
            out[name] = out[f"requests.{name}"] = quantity
        elif _extended(name):
            out[f"requests.{name}"] = quantity
    return out


def usage(group, resource, obj):
    """What one object counts against quota: {resource name: quantity}."""
    one = (Fraction(1), "DecimalSI")
    out = {_count_name(group, resource): one}
    spec = obj.get("spec") or {}
    if (group, resource) == ("", "pods"):
        if _terminal(obj):
            return out  # count/pods tracks every stored pod, the rest only live ones
        out["pods"] = one
        out.update(_container_usage(_pod_totals(obj, "requests"), _pod_totals(obj, "limits")))
    elif (group, resource) == ("", "services"):
        out["services"] = one
        ports = [p for p in spec.get("ports") or [] if isinstance(p, dict)]
        if spec.get("type") == "NodePort":
            out["services.nodeports"] = (Fraction(len(ports)), "DecimalSI")
        elif spec.get("type") == "LoadBalancer":
            out["services.loadbalancers"] = one
            counted = ports if spec.get("allocateLoadBalancerNodePorts") is not False else \
                [p for p in ports if p.get("nodePort")]
            out["services.nodeports"] = (Fraction(len(counted)), "DecimalSI")
    elif (group, resource) == ("", "persistentvolumeclaims"):
        out["persistentvolumeclaims"] = one
        storage_request = ((spec.get("resources") or {}).get("requests") or {}).get("storage")
        klass = spec.get("storageClassName") or \
            ((obj.get("metadata") or {}).get("annotations") or {}).get("volume.beta.kubernetes.io/storage-class") or ""
        if klass:
            out[f"{klass}{STORAGE_CLASS_SUFFIX}persistentvolumeclaims"] = one
        if storage_request is not None:
            out["requests.storage"] = _q(storage_request)
            if klass:
                out[f"{klass}{STORAGE_CLASS_SUFFIX}requests.storage"] = _q(storage_request)
    elif group == "" and resource in LEGACY_COUNTS:
        out[resource] = one
    return out


def _selectors(quota):
    spec = quota.get("spec") or {}
    found = [{"scopeName": s, "operator": "Exists"} for s in spec.get("scopes") or []]
    return found + list((spec.get("scopeSelector") or {}).get("matchExpressions") or [])


def _cross_namespace(pod):
    affinity = (pod.get("spec") or {}).get("affinity") or {}
    for kind in ("podAffinity", "podAntiAffinity"):
        rules = affinity.get(kind) or {}
        terms = list(rules.get("requiredDuringSchedulingIgnoredDuringExecution") or [])
        terms += [w.get("podAffinityTerm") or {} for w in rules.get("preferredDuringSchedulingIgnoredDuringExecution") or []]
        if any(t.get("namespaces") or t.get("namespaceSelector") is not None for t in terms):
            return True
    return False


def _scope_matches(selector, pod):
    scope, op = selector.get("scopeName"), selector.get("operator")
    spec = pod.get("spec") or {}
    if scope == "PriorityClass":
        value = spec.get("priorityClassName") or ""
        if op == "Exists":
            return bool(value)
        # A label selector over {"PriorityClass": value}: the key is always there.
        return {"In": value in (selector.get("values") or []),
                "NotIn": value not in (selector.get("values") or []),
                "DoesNotExist": False}.get(op, False)
    matched = {
        "Terminating": spec.get("activeDeadlineSeconds") is not None,
        "NotTerminating": spec.get("activeDeadlineSeconds") is None,
        "BestEffort": pod_qos_class(pod) == "BestEffort",
        "NotBestEffort": pod_qos_class(pod) != "BestEffort",
        "CrossNamespacePodAffinity": _cross_namespace(pod),
    }.get(scope, False)
    return not matched if op == "DoesNotExist" else matched


def _quota_matches(quota, group, resource, obj):
    selectors = _selectors(quota)
    if not selectors:
        return True
    return (group, resource) == ("", "pods") and all(_scope_matches(s, obj) for s in selectors)


def _constraints(tracked, pod):
    """A quota on cpu or memory requires every container to say how much
    (upstream's backward-compatible rule): ``must specify ...``."""
    required = tracked & COMPUTE_VALIDATED
    missing = {}
    for c in _containers(pod):
        resources = c.get("resources") or {}
        have = _container_usage(_resource_list(resources.get("requests")), _resource_list(resources.get("limits")))
        for name in required - set(have):
            missing.setdefault(name, set()).add(c.get("name", ""))
    if not missing:
        return None
    return "must specify " + "; ".join(f"{name} for: {','.join(sorted(missing[name]))}" for name in sorted(missing))


def _exceeded(quota, delta):
    """(requested, used, hard, exceeded names) of charging ``delta`` to ``quota``."""
    status = quota.get("status") or {}
    hard, used = _resource_list(status.get("hard")), _resource_list(status.get("used"))
    requested = {n: q for n, q in delta.items() if n in hard}
    new_used = _add_lists(used, requested)
    exceeded = sorted(n for n in requested if new_used[n][0] > hard[n][0])
    return requested, used, hard, new_used, exceeded


def _exceeded_error(rtype, obj, quota, requested, used, hard, exceeded):
    pick = lambda rl: {n: rl.get(n, ZERO) for n in exceeded}  # noqa: E731
    return _forbidden(rtype, obj, f"exceeded quota: {quota['metadata']['name']}, requested: {_pretty(pick(requested))}, "
                                  f"used: {_pretty(pick(used))}, limited: {_pretty(pick(hard))}")


def _subtract_nonnegative(a, b):
    out = {}
    for name, quantity in a.items():
        value = quantity[0] - (b[name][0] if name in b else 0)
        out[name] = (max(value, Fraction(0)), quantity[1])
    return out


def resource_quota(rtype, ctx, obj, old):
    """Refuse what would exceed a quota of the namespace, else charge it."""
    if not rtype.namespaced or ctx.subresource:
        return
    group, resource = rtype.group, rtype.plural
    if old is not None and (group, resource) not in (("", "pods"), ("", "services"), ("", "persistentvolumeclaims")):
        return  # object counts change on create only
    namespace = (obj.get("metadata") or {}).get("namespace")
    quotas = _in_namespace(ctx.tenant, "resourcequotas", namespace)
    if not quotas:
        return
    delta = usage(group, resource, obj)
    if old is not None:
        delta = _subtract_nonnegative(delta, usage(group, resource, old))
    delta = {n: q for n, q in delta.items() if q[0] != 0}
    charges = []
    for quota in quotas:
        hard = ((quota.get("status") or {}).get("hard") or {})
        tracked = matching(group, resource, set(hard))
        if not tracked or not _quota_matches(quota, group, resource, obj):
            continue
        name = quota["metadata"]["name"]
        if (group, resource) == ("", "pods") and old is None:
            missing = _constraints(tracked, obj)
            if missing:
                raise _forbidden(rtype, obj, f"failed quota: {name}: {missing}")
        used = (quota.get("status") or {}).get("used") or {}
        unknown = sorted(n for n in tracked if n not in used)
        if unknown:
            raise _forbidden(rtype, obj, f"status unknown for quota: {name}, resources: {','.join(unknown)}")
        charges.append(quota)
    if not delta:
        return
    for quota in charges:
        requested, used, hard, _new, exceeded = _exceeded(quota, delta)
        if exceeded:
            raise _exceeded_error(rtype, obj, quota, requested, used, hard, exceeded)
    if ctx.dry_run:
        return
    for quota in charges:
        _charge(ctx.tenant, quota, delta, rtype, obj)


def _quota_type():
    return builtin.get("", "v1", "resourcequotas")


def _charge(tenant, quota, delta, rtype, obj):
    """Compare-and-swap ``status.used`` += delta, checked again against the
    quota as stored: of two racing creates, the second sees the first's charge."""
    meta = quota["metadata"]
    key = Key(tenant, "", "resourcequotas", meta["namespace"], meta["name"])
    qtype = _quota_type()

    def apply(current):
        requested, used, hard, new_used, exceeded = _exceeded(current, delta)
        if exceeded:
            raise _exceeded_error(rtype, obj, current, requested, used, hard, exceeded)
        if not requested:
            return None
        status = current.setdefault("status", {})
        status["used"] = {**(status.get("used") or {}), **{n: _text(new_used[n]) for n in requested}}
        return current

    try:
        storage.guaranteed_update(key, apply, lambda o: fields_of(qtype, o))
    except errors.APIError as exc:
        if exc.code != 404:  # a quota deleted meanwhile limits nothing
            raise


# ------------------------------------------------------------ status loop
def _usage_of(tenant, namespace, quota, names, cache):
    """Recompute status.used for ``names`` from the stored objects."""
    out = {}
    for name in names:
        if name.startswith("count/"):
            rest = name[len("count/"):]
            resource, _, group = rest.partition(".")
            sources = [(group, resource)]
        elif _matches_pod_resource(name):
            sources = [("", "pods")]
        elif matching("", "services", {name}):
            sources = [("", "services")]
        elif matching("", "persistentvolumeclaims", {name}):
            sources = [("", "persistentvolumeclaims")]
        elif name in LEGACY_COUNTS:
            sources = [("", name)]
        else:
            continue  # no evaluator: upstream leaves it without usage
        total = ZERO
        for group, resource in sources:
            if (group, resource) not in cache:
                cache[(group, resource)] = _list(tenant, group, resource, namespace)
            for item in cache[(group, resource)]:
                if _quota_matches(quota, group, resource, item):
                    quantity = usage(group, resource, item).get(name)
                    if quantity is not None:
                        total = _add(total, quantity)
        out[name] = total
    return out


def initial_quota_status(rtype, ctx, obj, old):
    """A new quota gets its status at creation, as the controller would
    write it a moment later: it limits from its first moment, and no
    background write follows the create (upstream: status arrives shortly after)."""
    if old is not None or ctx.subresource:
        return
    namespace = (obj.get("metadata") or {}).get("namespace")
    hard = dict((obj.get("spec") or {}).get("hard") or {})
    # The quota counts itself among the namespace's quotas.
    cache = {("", "resourcequotas"): _list(ctx.tenant, "", "resourcequotas", namespace) + [obj]}
    used = _usage_of(ctx.tenant, namespace, obj, set(hard), cache)
    obj["status"] = {"hard": hard, **({"used": {n: _text(q) for n, q in used.items()}} if used else {})}


_seen = {}  # tenant → {quota uid → resourceVersion this process last saw}
_pending = set()  # quota keys whose usage may still drop
_checked = {}  # tenant → (revision, time of the last full resync)
FULL_RESYNC_SECONDS = 60


def sync_quota(tenant, quota, cache=None):
    """status.hard = spec.hard; status.used recomputed. A value may only go
    down once the quota has not been charged for a whole pass: a charge is
    written before its object, and lowering in between would hand out the
    slot twice."""
    meta = quota["metadata"]
    key = Key(tenant, "", "resourcequotas", meta["namespace"], meta["name"])
    seen = _seen.setdefault(tenant, {})
    settled_rv = seen.get(meta["uid"])
    hard = dict((quota.get("spec") or {}).get("hard") or {})
    computed = _usage_of(tenant, meta["namespace"], quota, set(hard), {} if cache is None else cache)
    qtype = _quota_type()
    outcome = {"lower_later": False}

    def apply(current):
        settled = current["metadata"].get("resourceVersion") == settled_rv
        used_now = _resource_list((current.get("status") or {}).get("used"))
        used = {}
        for name, quantity in computed.items():
            if not settled and name in used_now and used_now[name][0] > quantity[0]:
                used[name] = _text(used_now[name])
                outcome["lower_later"] = True
            else:
                used[name] = _text(quantity)
        status = {"hard": hard}
        if used:
            status["used"] = used
        if current.get("status") == status:
            return None
        current["status"] = status
        return current

    try:
        stored = storage.guaranteed_update(key, apply, lambda o: fields_of(qtype, o))
    except errors.APIError as exc:
        if exc.code == 404:
            return
        raise
    seen[meta["uid"]] = json.loads(stored.data)["metadata"]["resourceVersion"]
    if outcome["lower_later"]:
        _pending.add(key)
    else:
        _pending.discard(key)


def sync_tenant(tenant):
    """One pass: quotas whose spec changed, or whose namespace saw writes
    since the last pass (or all, once a minute)."""
    revision = storage.current_revision(tenant)
    last, last_full = _checked.get(tenant, (None, 0.0))
    full = last is None or time.monotonic() - last_full > FULL_RESYNC_SECONDS
    quotas = _list(tenant, "", "resourcequotas", None)
    if not quotas:
        _checked[tenant] = (revision, time.monotonic() if full else last_full)
        return
    touched = set()
    if not full and last != revision:
        events = storage.history_since(tenant, last, limit=20000)
        if len(events) >= 20000:
            full = True
        # Charges count too: one whose object write failed is given back.
        touched = {e.namespace for e in events}
    if full:  # forget deleted quotas
        uids = {q["metadata"]["uid"] for q in quotas}
        _seen[tenant] = {uid: rv for uid, rv in _seen.get(tenant, {}).items() if uid in uids}
        _pending.intersection_update(
            {Key(tenant, "", "resourcequotas", q["metadata"]["namespace"], q["metadata"]["name"]) for q in quotas}
            | {k for k in _pending if k.tenant != tenant})
    caches = {}
    for quota in quotas:
        meta = quota["metadata"]
        key = Key(tenant, "", "resourcequotas", meta["namespace"], meta["name"])
        status = quota.get("status") or {}
        stale = status.get("hard") != (quota.get("spec") or {}).get("hard") or \
            set(status.get("used") or {}) - set(status.get("hard") or {})
        if full or stale or key in _pending or meta["namespace"] in touched:
            try:
                sync_quota(tenant, quota, caches.setdefault(meta["namespace"], {}))
            except errors.APIError as exc:
                log.warning("resource quota %s/%s: %s", meta["namespace"], meta["name"], exc.message)
    _checked[tenant] = (revision, time.monotonic() if full else last_full)


def sync_all():
    for tenant in Tenant.objects.values_list("name", flat=True):
        sync_tenant(tenant)
