"""Controllers that kube-controller-manager runs upstream and that API
users rely on, driven by the tenant's history:

* ClusterRole aggregation: aggregated ClusterRoles (admin, edit, view,
  ...) hold the rules of the ClusterRoles their selectors pick;
* RBAC compilation into guardian grants (``authz.compiler``);
* ServiceAccounts: every namespace has a ``default`` ServiceAccount and
  the ``kube-root-ca.crt`` ConfigMap;
* legacy ServiceAccount token Secrets get their token, CA and namespace,
  and go away with their ServiceAccount.

``sync(tenant)`` runs them all: after a write that concerns them (so the
writer sees the effect on its next request), on a timer, and at start-up.
Each keeps a cursor (the last tenant revision it handled); a cursor that
fell behind compaction resyncs from the current state.
"""
import base64
import json
import logging
import threading

from django.db import transaction

from authz import compiler, serviceaccounts
from authz.models import ControllerCursor
from authz.rbac import GROUP, aggregated_rules, normalize_rule
from kubeapi.conf import conf
from resources.machinery import errors
from resources.machinery.selectors import parse_field_selector
from resources.models import Tenant
from resources.registry import builtin
from resources.registry.strategy import Context
from resources.store import storage
from resources.store.generic import Store
from resources.store.interface import Key

log = logging.getLogger(__name__)

ROOT_CA_CONFIGMAP = "kube-root-ca.crt"
SA_TOKEN_TYPE = "kubernetes.io/service-account-token"
SA_NAME_ANNOTATION = "kubernetes.io/service-account.name"
SA_UID_ANNOTATION = "kubernetes.io/service-account.uid"

# (group, resource) whose writes make sync() worth running right away
# (anything else waits for the timer: ConfigMap writes are too common to
# pay for a pass each, unless they touch the root CA bundle).
WATCHED = {(GROUP, "roles"), (GROUP, "clusterroles"), (GROUP, "rolebindings"), (GROUP, "clusterrolebindings"),
           ("", "namespaces"), ("", "serviceaccounts"), ("", "secrets")}

_locks = {}
_locks_guard = threading.Lock()


def _store():
    return Store(builtin)


def _ctx(tenant):
    return Context(tenant=tenant)


def _rtype(group, resource):
    return builtin.get(group, "v1", resource)


def _ignore_races(fn, *args):
    try:
        return fn(*args)
    except errors.APIError as exc:
        if exc.reason not in ("AlreadyExists", "Conflict", "NotFound"):
            raise
        # NotFound: the namespace went away meanwhile; Forbidden would be a
        # terminating namespace, which is also fine to skip.
    return None


class Controller:
    name = ""
    resources = ()  # (group, resource) pairs it reacts to

    def cursor(self, tenant):
        row, _ = ControllerCursor.objects.get_or_create(tenant=tenant, controller=self.name)
        return row

    def run(self, tenant, current):
        row = self.cursor(tenant)
        if row.revision >= current:
            return
        if row.revision == 0 or row.revision < storage.compacted_revision(tenant):
            self.resync(tenant)
        else:
            events = [e for e in storage.history_since(tenant, row.revision, resources=list(self.resources))
                      if e.revision <= current]
            if events:
                self.handle(tenant, events)
        ControllerCursor.objects.filter(pk=row.pk, revision__lt=current).update(revision=current)

    def resync(self, tenant):
        ...

    def handle(self, tenant, events):
        self.resync(tenant)


class AggregationController(Controller):
    name = "clusterrole-aggregation"
    resources = ((GROUP, "clusterroles"),)

    def resync(self, tenant):
        rtype = _rtype(GROUP, "clusterroles")
        for _ in range(8):  # aggregated roles may aggregate aggregated roles (admin ← edit ← view)
            roles = [json.loads(d) for d in storage.list(tenant, GROUP, "clusterroles", None).items]
            changed = False
            for role in roles:
                if not role.get("aggregationRule"):
                    continue
                rules = aggregated_rules(role, roles)
                if [normalize_rule(r) for r in rules] == [normalize_rule(r) for r in role.get("rules") or []]:
                    continue
                role["rules"] = rules
                if _ignore_races(_store().update, rtype, _ctx(tenant), "", role["metadata"]["name"], role):
                    changed = True
            if not changed:
                return


class ServiceAccountsController(Controller):
    """The serviceaccounts and root-ca-cert-publisher controllers."""

    name = "serviceaccounts"
    resources = (("", "namespaces"), ("", "serviceaccounts"), ("", "configmaps"))

    def resync(self, tenant):
        for data in storage.list(tenant, "", "namespaces", None).items:
            self.ensure(tenant, json.loads(data))

    def handle(self, tenant, events):
        namespaces = set()
        for e in events:
            if e.resource == "namespaces":
                namespaces.add(e.name)
            elif e.resource == "serviceaccounts" and e.name == "default" and e.event_type == "DELETED":
                namespaces.add(e.namespace)
            elif e.resource == "configmaps" and e.name == ROOT_CA_CONFIGMAP and e.event_type != "ADDED":
                namespaces.add(e.namespace)
        for name in namespaces:
            stored = storage.get(Key(tenant, "", "namespaces", "", name))
            if stored is not None:
                self.ensure(tenant, json.loads(stored.data))

    def ensure(self, tenant, namespace):
        meta = namespace["metadata"]
        if meta.get("deletionTimestamp"):
            return
        ns = meta["name"]
        if storage.get(Key(tenant, "", "serviceaccounts", ns, "default")) is None:
            _ignore_races(_store().create, _rtype("", "serviceaccounts"), _ctx(tenant), {
                "apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default", "namespace": ns}})
        ca = root_ca()
        stored = storage.get(Key(tenant, "", "configmaps", ns, ROOT_CA_CONFIGMAP))
        if stored is None:
            _ignore_races(_store().create, _rtype("", "configmaps"), _ctx(tenant), {
                "apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": ROOT_CA_CONFIGMAP, "namespace": ns,
                             "annotations": {"kubernetes.io/description": (
                                 "Contains a CA bundle that can be used to verify the kube-apiserver when using "
                                 "internal endpoints such as the internal service IP or kubernetes.default.svc. "
                                 "No other usage is guaranteed across distributions of Kubernetes clusters.")}},
                "data": {"ca.crt": ca}})
        else:
            current = json.loads(stored.data)
            if (current.get("data") or {}) != {"ca.crt": ca} and not current["metadata"].get("deletionTimestamp"):
                current["data"] = {"ca.crt": ca}
                current.pop("binaryData", None)
                _ignore_races(_store().update, _rtype("", "configmaps"), _ctx(tenant), ns, ROOT_CA_CONFIGMAP, current)


def _token_secrets():
    return parse_field_selector("type=" + SA_TOKEN_TYPE)


class TokensController(Controller):
    """Legacy token Secrets: fill them; delete them with their ServiceAccount."""

    name = "serviceaccount-tokens"
    resources = (("", "secrets"), ("", "serviceaccounts"))

    def resync(self, tenant):
        for data in storage.list(tenant, "", "secrets", None, fields=_token_secrets()).items:
            self.fill(tenant, json.loads(data))

    def handle(self, tenant, events):
        for e in events:
            if e.resource == "secrets" and e.event_type != "DELETED":
                stored = storage.get(Key(tenant, "", "secrets", e.namespace, e.name))
                if stored is not None:
                    self.fill(tenant, json.loads(stored.data))
            elif e.resource == "serviceaccounts" and e.event_type == "DELETED":
                gone = json.loads(e.data)["metadata"]
                for data in storage.list(tenant, "", "secrets", e.namespace,
                                         fields=_token_secrets()).items:
                    secret = json.loads(data)
                    annotations = secret["metadata"].get("annotations") or {}
                    if annotations.get(SA_NAME_ANNOTATION) == gone["name"] and \
                            annotations.get(SA_UID_ANNOTATION) in (None, "", gone.get("uid")):
                        _ignore_races(_store().delete, _rtype("", "secrets"), _ctx(tenant), e.namespace,
                                      secret["metadata"]["name"], {})

    def fill(self, tenant, secret):
        if secret.get("type") != SA_TOKEN_TYPE or secret["metadata"].get("deletionTimestamp"):
            return
        meta = secret["metadata"]
        annotations = meta.get("annotations") or {}
        sa_name = annotations.get(SA_NAME_ANNOTATION)
        stored = storage.get(Key(tenant, "", "serviceaccounts", meta["namespace"], sa_name or ""))
        if stored is None:
            return  # upstream deletes it once the ServiceAccount is known to be gone
        sa = json.loads(stored.data)
        if annotations.get(SA_UID_ANNOTATION) and annotations[SA_UID_ANNOTATION] != sa["metadata"]["uid"]:
            return
        data = secret.get("data") or {}
        if data.get("token") and data.get("ca.crt") is not None and data.get("namespace"):
            return
        token = serviceaccounts.issue_legacy(tenant, sa, meta["name"])
        secret["data"] = dict(data, **{
            "token": base64.b64encode(token.encode()).decode(),
            "ca.crt": base64.b64encode(root_ca().encode()).decode(),
            "namespace": base64.b64encode(meta["namespace"].encode()).decode(),
        })
        meta.setdefault("annotations", {})[SA_UID_ANNOTATION] = sa["metadata"]["uid"]
        _ignore_races(_store().update, _rtype("", "secrets"), _ctx(tenant), meta["namespace"], meta["name"], secret)


class CompileController:
    name = "rbac-compile"

    def run(self, tenant, current):
        compiler.sync(tenant)


CONTROLLERS = [AggregationController(), ServiceAccountsController(), TokensController(), CompileController()]


def root_ca():
    try:
        with open(conf.var_dir / "ca.crt") as fh:
            return fh.read()
    except OSError:
        return ""


def sync(tenant):
    """Run every controller for ``tenant`` (one pass at a time per process)."""

    with _locks_guard:
        lock = _locks.setdefault(tenant, threading.Lock())
    with lock:
        for controller in CONTROLLERS:
            try:
                current = storage.current_revision(tenant)
                controller.run(tenant, current)
            except Exception:  # one failing controller must not stop the others
                log.exception("controller %s failed for tenant %s", controller.name, tenant)
                if transaction.get_connection().in_atomic_block:
                    raise


def sync_all():
    for tenant in Tenant.objects.values_list("name", flat=True):
        sync(tenant)


def after_write(info, status_code):
    """Called once a write request has been answered: run the controllers
    right away when the write concerns them."""
    if status_code >= 300 or info.verb not in ("create", "update", "patch", "delete", "deletecollection"):
        return
    if (info.api_group, info.resource) in WATCHED or (
            info.resource == "configmaps" and not info.api_group and info.name in ("", ROOT_CA_CONFIGMAP)
            and info.verb != "create"):
        sync(info.tenant)
