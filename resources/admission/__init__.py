"""Admission: ONE ordered list of plugins, in kube-apiserver's order
(``AllOrderedPlugins``), run by ``mutate``, ``validate`` and
``validate_delete`` — the functions the generic store calls.

A plugin is a list of hooks; each hook names the phase, the resources it
sees (``ANY``: every resource, custom ones included) and its function by
dotted path (plugins live in this package and in authz, which imports it):

    mutate / validate   function(rtype, ctx, obj, old)  (old None on create)
    delete              function(rtype, ctx, name)

Mutating hooks of every plugin run first, in list order, then the
validating ones. ``--enable-admission-plugins`` / ``--disable-admission-plugins``
(upstream's flags and default set) choose among the plugins that have an
upstream name; the ``internal`` ones are what upstream does in the REST
storage of one kind and always run.
"""
from dataclasses import dataclass
from functools import lru_cache

from django.utils.module_loading import import_string

from kubeapi.conf import conf

ANY = ("*", "*")
PODS, PVCS = ("", "pods"), ("", "persistentvolumeclaims")


@dataclass(frozen=True)
class Hook:
    phase: str  # "mutate", "validate" or "delete"
    resources: tuple  # ((group, resource), ...) or (ANY,)
    function: str


@dataclass(frozen=True)
class Plugin:
    name: str
    hooks: tuple
    internal: bool = False


PLUGINS = (
    Plugin("NamespaceLifecycle", (
        Hook("validate", (ANY,), "resources.admission.lifecycle.require_namespace"),
        Hook("delete", (("", "namespaces"),), "resources.admission.lifecycle.keep_immortal_namespaces"),
    )),
    Plugin("LimitRanger", (
        Hook("mutate", (PODS,), "resources.admission.quota.limit_ranger_defaults"),
        Hook("validate", (PODS, PVCS), "resources.admission.quota.limit_ranger_validate"),
        Hook("validate", (("", "limitranges"),), "resources.admission.quota.mark_holder"),
    )),
    Plugin("ServiceAccount", (Hook("mutate", (PODS,), "resources.admission.pods.service_account"),)),
    Plugin("Priority", (Hook("mutate", (PODS,), "resources.admission.pods.priority"),)),
    Plugin("DefaultTolerationSeconds", (Hook("mutate", (PODS,), "resources.admission.pods.default_toleration_seconds"),)),
    # The service REST storage's cluster IP allocator.
    Plugin("ServiceClusterIPAllocation", (
        Hook("mutate", (("", "services"),), "resources.admission.serviceips.allocate_cluster_ip"),
    ), internal=True),
    # The RBAC REST storage's escalation check.
    Plugin("RBACEscalation", (
        Hook("validate", (("rbac.authorization.k8s.io", "roles"), ("rbac.authorization.k8s.io", "clusterroles")),
             "authz.escalation.check_role"),
        Hook("validate", (("rbac.authorization.k8s.io", "rolebindings"),
                          ("rbac.authorization.k8s.io", "clusterrolebindings")), "authz.escalation.check_binding"),
    ), internal=True),
    Plugin("ResourceQuota", (
        Hook("mutate", (("", "resourcequotas"),), "resources.admission.quota.initial_quota_status"),
        Hook("validate", (("", "resourcequotas"),), "resources.admission.quota.mark_holder"),
        Hook("validate", (ANY,), "resources.admission.quota.resource_quota"),
    )),
)

# kube-apiserver's plugins that are on unless disabled (v1.32); those not
# built here are accepted by the flags and do nothing.
UPSTREAM_DEFAULT_ON = (
    "NamespaceLifecycle", "LimitRanger", "ServiceAccount", "TaintNodesByCondition", "PodSecurity", "Priority",
    "DefaultTolerationSeconds", "DefaultStorageClass", "StorageObjectInUseProtection",
    "PersistentVolumeClaimResize", "RuntimeClass", "CertificateApproval", "CertificateSigning",
    "ClusterTrustBundleAttest", "CertificateSubjectRestriction", "DefaultIngressClass",
    "MutatingAdmissionWebhook", "ValidatingAdmissionPolicy", "ValidatingAdmissionWebhook", "ResourceQuota",
)
UPSTREAM_DEFAULT_OFF = (
    "AlwaysAdmit", "NamespaceAutoProvision", "NamespaceExists", "LimitPodHardAntiAffinityTopology",
    "NodeRestriction", "AlwaysPullImages", "ImagePolicyWebhook", "PodNodeSelector", "PodTolerationRestriction",
    "EventRateLimit", "ExtendedResourceToleration", "OwnerReferencesPermissionEnforcement",
    "DenyServiceExternalIPs", "MutatingAdmissionPolicy", "AlwaysDeny",
)
KNOWN = frozenset(UPSTREAM_DEFAULT_ON + UPSTREAM_DEFAULT_OFF)


def _names(value):
    return [name.strip() for name in (value or "").split(",") if name.strip()]


def check_flags(enable, disable):
    """kube-apiserver's refusals of the two flags, as error messages."""
    problems = []
    for flag, names in (("enable-admission-plugins", _names(enable)), ("disable-admission-plugins", _names(disable))):
        problems += [f'{flag} plugin "{name}" is unknown' for name in names if name not in KNOWN]
    both = sorted(set(_names(enable)) & set(_names(disable)))
    if both:
        problems.append(f"{both} in enable-admission-plugins and disable-admission-plugins overlapped")
    return problems


@lru_cache(maxsize=None)
def enabled_plugins(enable, disable):
    on = (set(UPSTREAM_DEFAULT_ON) | set(_names(enable))) - set(_names(disable))
    return tuple(plugin for plugin in PLUGINS if plugin.internal or plugin.name in on)


@lru_cache(maxsize=4096)  # bounded: every custom resource of every tenant is a key
def _hooks(phase, group, resource, enable, disable):
    return tuple(import_string(hook.function) for plugin in enabled_plugins(enable, disable)
                 for hook in plugin.hooks
                 if hook.phase == phase and (ANY in hook.resources or (group, resource) in hook.resources))


def hooks(phase, rtype):
    return _hooks(phase, rtype.group, rtype.plural, conf.enable_admission_plugins,
                  conf.disable_admission_plugins)


def mutate(rtype, ctx, obj, old):
    for hook in hooks("mutate", rtype):
        hook(rtype, ctx, obj, old)


def validate(rtype, ctx, obj, old):
    for hook in hooks("validate", rtype):
        hook(rtype, ctx, obj, old)


def validate_delete(rtype, ctx, name):
    for hook in hooks("delete", rtype):
        hook(rtype, ctx, name)
