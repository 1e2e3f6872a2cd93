"""Tenants (logical clusters). ``default`` is created when the server
starts; every other tenant only by an operator (``manage.py create_tenant``),
never by a request: a request for a tenant that does not exist answers 404
whoever sends it. Creating one writes the counter row, then the namespaces
kube-apiserver's bootstrap controller keeps (default, kube-system,
kube-public, kube-node-lease) and the rest of the ``BOOTSTRAP`` steps.
"""
import ipaddress
import threading

from django.utils.module_loading import import_string

from kubeapi.conf import conf
from resources.machinery import errors
from resources.registry import customresources
from resources.registry.strategy import Context
from resources.store import storage
from resources.store.generic import Store
from resources.store.interface import Key

SYSTEM_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")

_ready = set()  # tenants known to exist in this process
_lock = threading.Lock()
# What a tenant gets before its first request, in order: functions(tenant),
# by dotted path (authz imports this module).
BOOTSTRAP = (
    "resources.registry.tenants.bootstrap_namespaces",
    "resources.registry.tenants.bootstrap_kubernetes_service",
    "authz.policy.ensure_defaults",  # the default RBAC policy
    "authz.controllers.sync",  # compiled into grants before anyone is authorized
)


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
        for step in BOOTSTRAP:
            import_string(step)(tenant)
        _ready.add(tenant)


def bootstrap_namespaces(tenant):
    registry = customresources.for_tenant(tenant)
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


def bootstrap_kubernetes_service(tenant):
    """The ``kubernetes`` Service in ``default`` on the first address of the
    service range, as kube-apiserver's bootstrap controller keeps it."""

    if storage.get(Key(tenant, "", "services", "default", "kubernetes")) is not None:
        return
    registry = customresources.for_tenant(tenant)
    network = ipaddress.ip_network(conf.service_cluster_ip_range, strict=False)
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
