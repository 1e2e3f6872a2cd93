"""Audit logging: an ``audit.k8s.io/v1`` Policy (``--audit-policy-file``)
decides per request the level (None, Metadata, Request, RequestResponse)
and the stages to omit; events go to ``--audit-log-path`` as JSON lines,
rotated by size and pruned by age and count like kube-apiserver's log
backend (``--audit-log-maxsize``, ``-maxage``, ``-maxbackup``).

Secrets and tokens never reach the log below RequestResponse: requests
on Secrets, TokenReviews and ServiceAccount tokens are logged without
their object (a JSON patch or kubectl's last-applied annotation carries
the data too), and a Secret's last-applied annotation is never logged.
An audit failure is reported on stderr, never raised into the response.
"""
import fcntl
import json
import os
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone

import yaml
from django.http import HttpResponse

from authz.rbac import attributes_for
from kubeapi.conf import conf
from resources.machinery import codecs
from resources.machinery.managedfields import LAST_APPLIED

LEVELS = ("None", "Metadata", "Request", "RequestResponse")
STAGES = ("RequestReceived", "ResponseStarted", "ResponseComplete", "Panic")


def _rank(level):
    return LEVELS.index(level) if level in LEVELS else 0


# ------------------------------------------------------------------ policy
class PolicyError(ValueError):
    pass


@dataclass
class Rule:
    level: str
    users: list = field(default_factory=list)
    user_groups: list = field(default_factory=list)
    verbs: list = field(default_factory=list)
    resources: list = field(default_factory=list)  # [{"group", "resources", "resourceNames"}]
    namespaces: list = field(default_factory=list)
    non_resource_urls: list = field(default_factory=list)
    omit_stages: list = field(default_factory=list)
    omit_managed_fields: object = None


@dataclass
class Policy:
    rules: list
    omit_stages: list = field(default_factory=list)
    omit_managed_fields: bool = False

    @classmethod
    def load(cls, path):
        with open(path) as fh:
            doc = yaml.safe_load(fh)
        return cls.parse(doc)

    @classmethod
    def parse(cls, doc):
        if not isinstance(doc, dict) or doc.get("kind") != "Policy" or \
                doc.get("apiVersion") not in ("audit.k8s.io/v1", "audit.k8s.io/v1beta1", "audit.k8s.io/v1alpha1"):
            raise PolicyError("audit policy must be an audit.k8s.io/v1 Policy")
        rules = []
        for i, raw in enumerate(doc.get("rules") or []):
            level = raw.get("level")
            if level not in LEVELS:
                raise PolicyError(f"rules[{i}].level: Unsupported value: {level!r}")
            for stage in raw.get("omitStages") or []:
                if stage not in STAGES:
                    raise PolicyError(f"rules[{i}].omitStages: Unsupported value: {stage!r}")
            if raw.get("nonResourceURLs") and (raw.get("resources") or raw.get("namespaces")):
                raise PolicyError(f"rules[{i}]: rules cannot apply to both regular resources and non-resource URLs")
            rules.append(Rule(level, raw.get("users") or [], raw.get("userGroups") or [], raw.get("verbs") or [],
                              raw.get("resources") or [], raw.get("namespaces") or [],
                              raw.get("nonResourceURLs") or [], raw.get("omitStages") or [],
                              raw.get("omitManagedFields")))
        if not rules:
            raise PolicyError("audit policy must have at least one rule")
        return cls(rules, doc.get("omitStages") or [], bool(doc.get("omitManagedFields")))

    def evaluate(self, attrs):
        """(level, omitted stages, omit managed fields) for a request."""
        for rule in self.rules:
            if _rule_matches(rule, attrs):
                omit_mf = self.omit_managed_fields if rule.omit_managed_fields is None else rule.omit_managed_fields
                return rule.level, set(self.omit_stages) | set(rule.omit_stages), bool(omit_mf)
        return "None", set(self.omit_stages), self.omit_managed_fields


def _path_matches(path, spec):
    return spec == "*" or spec == path or (spec.endswith("*") and path.startswith(spec.rstrip("*")))


def _rule_matches(rule, attrs):
    user = attrs.user
    if rule.users and (user is None or user.name not in rule.users):
        return False
    if rule.user_groups and (user is None or not set(user.groups) & set(rule.user_groups)):
        return False
    if rule.verbs and attrs.verb not in rule.verbs:
        return False
    if rule.namespaces or rule.resources:
        return _rule_matches_resource(rule, attrs)
    if rule.non_resource_urls:
        return not attrs.resource_request and any(_path_matches(attrs.path, s) for s in rule.non_resource_urls)
    return True


def _rule_matches_resource(rule, attrs):
    if not attrs.resource_request:
        return False
    if rule.namespaces and attrs.namespace not in rule.namespaces:
        return False
    if not rule.resources:
        return True
    sub = attrs.subresource
    combined = f"{attrs.resource}/{sub}" if sub else attrs.resource
    for gr in rule.resources:
        if (gr.get("group") or "") != attrs.api_group:
            continue
        resources = gr.get("resources") or []
        if not resources:
            return True
        names = gr.get("resourceNames") or []
        if names and attrs.name not in names:
            continue
        for res in resources:
            if res in (combined, "*"):
                return True
            if sub and res.startswith("*/") and res[2:] == sub:
                return True
            if res.endswith("/*") and res[:-2] == attrs.resource:
                return True
    return False


# ------------------------------------------------------------------ backend
class LogBackend:
    """JSON lines with size rotation, safe across the server's processes
    (an flock around rotate-and-write; a process whose file was rotated
    away by another reopens)."""

    def __init__(self, path, max_age_days=0, max_backups=0, max_size_mb=0):
        self.path = path
        self.max_age = max_age_days
        self.max_backups = max_backups
        self.max_size = max_size_mb * 1024 * 1024
        self._lock = threading.Lock()
        self._fh = None
        self._ino = None
        if path != "-":
            directory = os.path.dirname(os.path.abspath(path))
            os.makedirs(directory, exist_ok=True)
            self._lockfile = open(os.path.join(directory, "." + os.path.basename(path) + ".lock"), "a")

    def write(self, events):
        """Never raises: the request may already have committed."""
        try:
            self._write(events)
        except Exception as exc:  # noqa: BLE001 - an audit failure must not become the response
            print(f"audit: could not write event: {exc!r}", file=sys.stderr, flush=True)

    def _write(self, events):
        data = "".join(json.dumps(e, separators=(",", ":"), ensure_ascii=False) + "\n" for e in events).encode()
        if self.path == "-":
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
            return
        with self._lock:
            fcntl.flock(self._lockfile, fcntl.LOCK_EX)
            try:
                self._open()
                if self.max_size and self._fh.tell() + len(data) > self.max_size and self._fh.tell() > 0:
                    self._rotate()
                self._fh.write(data)
                self._fh.flush()
            finally:
                fcntl.flock(self._lockfile, fcntl.LOCK_UN)

    def _open(self):
        try:
            ino = os.stat(self.path).st_ino
        except FileNotFoundError:
            ino = None
        if self._fh is None or ino != self._ino:
            if self._fh is not None:
                self._fh.close()
            self._fh = open(self.path, "ab")
            self._ino = os.fstat(self._fh.fileno()).st_ino

    def _rotate(self):
        self._fh.close()
        stem, ext = os.path.splitext(self.path)
        stamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H-%M-%S.%f")[:-3]
        os.replace(self.path, f"{stem}-{stamp}{ext}")
        self._fh = open(self.path, "ab")
        self._ino = os.fstat(self._fh.fileno()).st_ino
        self._prune(stem, ext)

    def backups(self):
        stem, ext = os.path.splitext(self.path)
        directory, base = os.path.split(stem)
        out = []
        for name in os.listdir(directory or "."):
            if name.startswith(base + "-") and name.endswith(ext) and name != os.path.basename(self.path):
                out.append(os.path.join(directory, name))
        return sorted(out)  # the timestamp sorts oldest first

    def _prune(self, stem, ext):
        backups = self.backups()
        doomed = set()
        if self.max_backups:
            doomed.update(backups[:-self.max_backups])
        if self.max_age:
            cutoff = time.time() - self.max_age * 86400
            doomed.update(b for b in backups if os.path.getmtime(b) < cutoff)
        for path in doomed:
            try:
                os.remove(path)
            except FileNotFoundError:
                pass


_configured = None


def configured():
    """(Policy, LogBackend) when auditing is on, else None."""
    global _configured
    if _configured is None:
        policy_file, log_path = conf.audit_policy_file, conf.audit_log_path
        if policy_file and log_path:
            max_age, max_backups, max_size = (conf.audit_log_maxage, conf.audit_log_maxbackup, conf.audit_log_maxsize)
            _configured = (Policy.load(policy_file), LogBackend(log_path, max_age, max_backups, max_size))
        else:
            _configured = False
    return _configured or None


# ------------------------------------------------------------------ events
def micro_time(ts=None):
    return datetime.fromtimestamp(ts if ts is not None else time.time(), timezone.utc) \
        .strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _user(user):
    if user is None:
        return {}
    out = {"username": user.name}
    if user.uid:
        out["uid"] = user.uid
    if user.groups:
        out["groups"] = list(user.groups)
    if user.extra:
        out["extra"] = {k: list(v) for k, v in user.extra.items()}
    return out


# Kinds whose objects carry secrets: no request object below RequestResponse.
SECRET_RESOURCES = {("", "secrets", ""), ("authentication.k8s.io", "tokenreviews", ""),
                    ("", "serviceaccounts", "token")}


def _without_last_applied(obj):
    """A Secret (or a list of them) without kubectl's last-applied
    annotation, which holds the Secret's data in clear."""
    if not isinstance(obj, dict):
        return obj
    if isinstance(obj.get("items"), list):
        obj = dict(obj, items=[_without_last_applied(i) for i in obj["items"]])
    meta = obj.get("metadata")
    if isinstance(meta, dict) and isinstance(meta.get("annotations"), dict) and LAST_APPLIED in meta["annotations"]:
        annotations = {k: v for k, v in meta["annotations"].items() if k != LAST_APPLIED}
        obj = dict(obj, metadata=dict(meta, annotations=annotations))
    return obj


def _strip(obj, omit_managed_fields):
    if not isinstance(obj, dict) or not omit_managed_fields:
        return obj
    if isinstance(obj.get("metadata"), dict) and "managedFields" in obj["metadata"]:
        obj = dict(obj, metadata={k: v for k, v in obj["metadata"].items() if k != "managedFields"})
    if isinstance(obj.get("items"), list):
        obj = dict(obj, items=[_strip(i, True) for i in obj["items"]])
    return obj


class AuditContext:
    """One request's audit trail."""

    def __init__(self, policy, backend, request, info, received):
        self.policy, self.backend = policy, backend
        self.request, self.info = request, info
        self.received = received
        self.audit_id = request.META.get("HTTP_AUDIT_ID") or str(uuid.uuid4())
        self.user = None
        self.impersonated = None
        self.level = None
        self.omit = set()
        self.omit_managed_fields = False
        self.annotations = {}
        self.source_ips = []

    def decide(self, attrs):
        """Evaluate the policy once the user is known; log RequestReceived."""
        self.level, self.omit, self.omit_managed_fields = self.policy.evaluate(attrs)
        if self.level != "None" and "RequestReceived" not in self.omit:
            self.backend.write([self._event("RequestReceived")])

    def started(self, code=200):
        """ResponseStarted, for long-running requests (watch) once their
        headers are out; ResponseComplete follows when they end."""
        if self.level in (None, "None") or "ResponseStarted" in self.omit:
            return

        self.backend.write([self._event("ResponseStarted", HttpResponse(status=code), {"metadata": {}, "code": code})])

    def complete(self, response, status=None):
        if self.level is None:
            # Failed before the user was known (401): audit as the policy
            # would for an unknown user.

            self.level, self.omit, self.omit_managed_fields = self.policy.evaluate(attributes_for(None, self.info))
        if self.level == "None" or "ResponseComplete" in self.omit:
            return
        self.backend.write([self._event("ResponseComplete", response, status)])

    def _object_ref(self):
        info = self.info
        if not info.is_resource_request:
            return None
        ref = {"resource": info.resource}
        if info.namespace:
            ref["namespace"] = info.namespace
        if info.name:
            ref["name"] = info.name
        ref["apiGroup"] = info.api_group
        ref["apiVersion"] = info.api_version
        if info.subresource:
            ref["subresource"] = info.subresource
        return ref

    def _event(self, stage, response=None, status=None):
        request = self.request
        query = request.META.get("QUERY_STRING", "")
        event = {
            "kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": self.level, "auditID": self.audit_id,
            "stage": stage, "requestURI": request.path + ("?" + query if query else ""),
            "verb": self.info.verb, "user": _user(self.user),
        }
        if self.impersonated is not None:
            event["impersonatedUser"] = _user(self.impersonated)
        event["sourceIPs"] = self.source_ips
        agent = request.META.get("HTTP_USER_AGENT")
        if agent:
            event["userAgent"] = agent
        ref = self._object_ref()
        if ref is not None:
            event["objectRef"] = ref
        if response is not None:
            event["responseStatus"] = status or {"metadata": {}, "code": response.status_code}
            info = self.info
            secret = info.is_resource_request and \
                (info.api_group, info.resource, info.subresource or "") in SECRET_RESOURCES
            is_secrets = info.is_resource_request and info.api_group == "" and info.resource == "secrets"
            if self.level == "RequestResponse" or (self.level == "Request" and not secret):
                obj = request_object(request, response)
                if obj is not None:
                    obj = _strip(obj, self.omit_managed_fields)
                    event["requestObject"] = _without_last_applied(obj) if is_secrets else obj
            if self.level == "RequestResponse":
                obj = response_object(response)
                if obj is not None:
                    if ref is not None and isinstance(obj, dict) and obj.get("metadata", {}).get("uid") and \
                            self.info.name:
                        ref["uid"] = obj["metadata"]["uid"]
                        if obj["metadata"].get("resourceVersion"):
                            ref["resourceVersion"] = obj["metadata"]["resourceVersion"]
                    obj = _strip(obj, self.omit_managed_fields)
                    event["responseObject"] = _without_last_applied(obj) if is_secrets else obj
        event["requestReceivedTimestamp"] = micro_time(self.received)
        event["stageTimestamp"] = micro_time()
        if self.annotations:
            event["annotations"] = dict(self.annotations)
        return event


# Refused before or while the handler decoded the body (unauthenticated,
# forbidden, malformed, too large, unsupported): upstream logs the object the
# handler decoded, so none; decoding here would redo a hostile body's work.
REFUSED = {400, 401, 403, 413, 415, 429}


def request_object(request, response):
    if request.method not in ("POST", "PUT", "PATCH", "DELETE") or response.status_code in REFUSED:
        return None
    body = request.body
    if not body.strip():
        return None
    try:
        if "patch" in (request.content_type or ""):
            return codecs.loads_json(body) if body.lstrip()[:1] in (b"{", b"[") else codecs.load_yaml(body)
        return codecs.decode(body, request.content_type)
    except Exception:  # an undecodable body is logged without its object
        return None


def response_object(response):
    if getattr(response, "streaming", False):
        return None
    content_type = response.get("Content-Type", "")
    if "json" not in content_type:
        return None
    try:
        return json.loads(response.content)
    except ValueError:
        return None


def status_of(response):
    """responseStatus of an event: the Status of a failure, the code otherwise."""
    if response.status_code < 400:
        return {"metadata": {}, "code": response.status_code}
    obj = response_object(response)
    if isinstance(obj, dict) and obj.get("kind") == "Status":
        out = {"metadata": {}, "status": obj.get("status", "Failure")}
        for key in ("message", "reason"):
            if obj.get(key):
                out[key] = obj[key]
        if obj.get("details"):
            out["details"] = obj["details"]
        out["code"] = response.status_code
        return out
    return {"metadata": {}, "code": response.status_code}


def begin(request, info):
    """An AuditContext for the request, or None when auditing is off."""
    setup = configured()
    if setup is None:
        return None
    return AuditContext(setup[0], setup[1], request, info, time.time())
