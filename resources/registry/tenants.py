"""Tenants (logical clusters). ``default`` is created when the server
starts; every other tenant only by an operator (``manage.py create_tenant``),
never by a request: a request for a tenant that does not exist answers 404
whoever sends it. Creating one writes the counter row, then the namespaces
kube-apiserver's bootstrap controller keeps (default, kube-system,
kube-public, kube-node-lease) and the steps of ``BOOTSTRAP_HOOKS``.
"""
import ipaddress
import threading

from django.conf import settings

from resources.machinery import errors
from resources.registry import builtin
from resources.store.interface import Key
from resources.store import storage
from resources.registry.strategy import Context

SYSTEM_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")

_ready = set()  # tenants known to exist in this process
_lock = threading.Lock()
# Functions(tenant) run after the built-in bootstrap, e.g. authz's default
# RBAC policy and controllers; registered by the apps that own them.
BOOTSTRAP_HOOKS = []


def exists(tenant):
    if tenant in _ready:
        return True
    try:
        storage.current_revision(tenant)
    except errors.APIError:
        return False
    return True


def ensure(tenant, create=False):
    """Make sure ``tenant`` exists (raises 404 when it does not) and is
    bootstrapped in this process; ``create`` makes it first."""
    if tenant in _ready:
        return
    with _lock:
        if tenant in _ready:
            return
        try:
            storage.current_revision(tenant)
        except errors.APIError:
            if not create:
                raise
            storage.ensure_tenant(tenant)
        _bootstrap_namespaces(tenant)
        _bootstrap_kubernetes_service(tenant)
        for hook in BOOTSTRAP_HOOKS:
            hook(tenant)
        _ready.add(tenant)


def _bootstrap_namespaces(tenant):
    from resources.store.generic import Store  # the store imports admission, which imports storage users

    registry = builtin.for_tenant(tenant)
    namespaces = registry.get("", "v1", "namespaces")
    store = Store(registry)
    for name in SYSTEM_NAMESPACES:
        if storage.get(Key(tenant, "", "namespaces", "", name)) is not None:
            continue
        try:
            store.create(namespaces, Context(tenant=tenant), {
                "apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
        except errors.APIError as exc:
            if exc.reason != "AlreadyExists":  # another process made it first
                raise


def _bootstrap_kubernetes_service(tenant):
    """The ``kubernetes`` Service in ``default`` on the first address of the
    service range, as kube-apiserver's bootstrap controller keeps it."""
    from resources.store.generic import Store

    if storage.get(Key(tenant, "", "services", "default", "kubernetes")) is not None:
        return
    registry = builtin.for_tenant(tenant)
    network = ipaddress.ip_network(settings.KUBEAPI_SERVICE_CLUSTER_IP_RANGE, strict=False)
    try:
        Store(registry).create(registry.get("", "v1", "services"), Context(tenant=tenant), {
            "apiVersion": "v1", "kind": "Service",
            "metadata": {"name": "kubernetes", "namespace": "default",
                         "labels": {"component": "apiserver", "provider": "kubernetes"}},
            "spec": {"clusterIP": str(network[1]), "type": "ClusterIP", "sessionAffinity": "None",
                     "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 6443}]},
        })
    except errors.APIError as exc:
        if exc.reason != "AlreadyExists":
            raise
