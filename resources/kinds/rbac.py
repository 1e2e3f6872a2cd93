"""rbac.authorization.k8s.io/v1: Roles, ClusterRoles and their bindings
(``pkg/apis/rbac/validation``, ``pkg/apis/rbac/v1/defaults.go``).

Only declarations and validation live here. What RBAC *means* — rule
matching, escalation prevention, aggregation, compiling bindings into
guardian grants — is authz's business (``authz.rbac``, ``authz.escalation``,
``authz.controllers``).
"""
from resources.kinds.core import (
    BuiltinStrategy,
    GoValue,
    _go_string,
    _table,
    invalid,
    not_supported,
    required,
    validate_label_selector,
)
from resources.machinery import validation as _kv
from resources.registry import ResourceType

GROUP = "rbac.authorization.k8s.io"
SUBJECT_KINDS = ("ServiceAccount", "User", "Group")


def _list(value):
    return value if isinstance(value, list) else []


def _validate_rule(rule, namespaced, path):
    """validatePolicyRule."""
    rule = rule if isinstance(rule, dict) else {}
    errs = []
    if not _list(rule.get("verbs")):
        errs.append(required(f"{path}.verbs", "verbs must contain at least one value"))
    urls = _list(rule.get("nonResourceURLs"))
    if urls:
        if namespaced:
            errs.append(invalid(f"{path}.nonResourceURLs", urls, "namespaced rules cannot apply to non-resource URLs"))
        if _list(rule.get("apiGroups")) or _list(rule.get("resources")) or _list(rule.get("resourceNames")):
            errs.append(invalid(f"{path}.nonResourceURLs", urls,
                                "rules cannot apply to both regular resources and non-resource URLs"))
        return errs
    if not _list(rule.get("apiGroups")):
        errs.append(required(f"{path}.apiGroups", "resource rules must supply at least one api group"))
    if not _list(rule.get("resources")):
        errs.append(required(f"{path}.resources", "resource rules must supply at least one resource"))
    if _list(rule.get("resourceNames")) and len(_list(rule.get("resources"))) > 1:
        errs.append(required(f"{path}.resourceNames", "resource names cannot apply to multiple resources"))
    return errs


def _validate_subject(subject, namespaced, path):
    """validateRoleBindingSubject."""
    subject = subject if isinstance(subject, dict) else {}
    name, kind, api_group = subject.get("name") or "", subject.get("kind") or "", subject.get("apiGroup") or ""
    errs = []
    if not name:
        errs.append(required(f"{path}.name"))
    if kind == "ServiceAccount":
        if name:
            errs += [invalid(f"{path}.name", name, m) for m in _kv.is_dns1123_subdomain(name)]
        if api_group:
            errs.append(not_supported(f"{path}.apiGroup", api_group, [""]))
        if not namespaced and not subject.get("namespace"):
            errs.append(required(f"{path}.namespace"))
    elif kind in ("User", "Group"):
        if not name:
            errs.append(invalid(f"{path}.name", name, f"{kind.lower()} name cannot be empty"))
        if api_group != GROUP:
            errs.append(not_supported(f"{path}.apiGroup", api_group, [GROUP]))
    else:
        errs.append(not_supported(f"{path}.kind", kind, SUBJECT_KINDS))
    return errs


def _go_role_ref(ref):
    ref = ref if isinstance(ref, dict) else {}
    return GoValue("rbac.RoleRef{APIGroup:%s, Kind:%s, Name:%s}" % (
        _go_string(str(ref.get("apiGroup") or "")), _go_string(str(ref.get("kind") or "")),
        _go_string(str(ref.get("name") or ""))))


def _default_subjects(obj):
    """SetDefaults_Subject / SetDefaults_*RoleBinding."""
    for subject in _list(obj.get("subjects")):
        if isinstance(subject, dict) and not subject.get("apiGroup"):
            if subject.get("kind") in ("User", "Group"):
                subject["apiGroup"] = GROUP
    ref = obj.get("roleRef")
    if isinstance(ref, dict) and not ref.get("apiGroup"):
        ref["apiGroup"] = GROUP


class _RBACStrategy(BuiltinStrategy):
    group = GROUP
    tracks_generation = False
    name_rule = "path_segment"
    allow_create_on_update = True  # as upstream's four RBAC strategies (kubectl auth reconcile PUTs)


class RoleStrategy(_RBACStrategy):
    kind = "Role"
    namespaced = True

    def validate(self, obj, ctx):
        errs = []
        for i, rule in enumerate(_list(obj.get("rules"))):
            errs += _validate_rule(rule, self.namespaced, f"rules[{i}]")
        return errs


class ClusterRoleStrategy(RoleStrategy):
    kind = "ClusterRole"
    namespaced = False

    def validate(self, obj, ctx):
        errs = super().validate(obj, ctx)
        aggregation = obj.get("aggregationRule")
        if isinstance(aggregation, dict):
            if not _list(aggregation.get("clusterRoleSelectors")):
                errs.append(required("aggregationRule.clusterRoleSelectors",
                                     "at least one clusterRoleSelector required if aggregationRule is non-nil"))
            for i, selector in enumerate(_list(aggregation.get("clusterRoleSelectors"))):
                errs += validate_label_selector(selector, f"aggregationRule.clusterRoleSelectors[{i}]")
        return errs


class RoleBindingStrategy(_RBACStrategy):
    kind = "RoleBinding"
    namespaced = True
    role_kinds = ("Role", "ClusterRole")

    def default(self, obj):
        super().default(obj)
        _default_subjects(obj)

    def validate(self, obj, ctx):
        ref = obj.get("roleRef") if isinstance(obj.get("roleRef"), dict) else {}
        errs = []
        if (ref.get("apiGroup") or "") != GROUP:
            errs.append(not_supported("roleRef.apiGroup", ref.get("apiGroup") or "", [GROUP]))
        if ref.get("kind") not in self.role_kinds:
            errs.append(not_supported("roleRef.kind", ref.get("kind") or "", self.role_kinds))
        name = ref.get("name") or ""
        if not name:
            errs.append(required("roleRef.name"))
        else:
            errs += [invalid("roleRef.name", name, m) for m in _kv.is_valid_path_segment_name(name)]
        for i, subject in enumerate(_list(obj.get("subjects"))):
            errs += _validate_subject(subject, self.namespaced, f"subjects[{i}]")
        return errs

    def validate_spec_update(self, obj, old, ctx):
        new_ref, old_ref = obj.get("roleRef"), old.get("roleRef")
        if new_ref != old_ref:
            return [invalid("roleRef", _go_role_ref(new_ref), "cannot change roleRef")]
        return []


class ClusterRoleBindingStrategy(RoleBindingStrategy):
    kind = "ClusterRoleBinding"
    namespaced = False
    role_kinds = ("ClusterRole",)


def _types():
    types = [
        ResourceType(group=GROUP, version="v1", kind="Role", plural="roles", namespaced=True,
                     strategy=RoleStrategy(), **_table("Role")),
        ResourceType(group=GROUP, version="v1", kind="ClusterRole", plural="clusterroles", namespaced=False,
                     strategy=ClusterRoleStrategy(), **_table("ClusterRole")),
        ResourceType(group=GROUP, version="v1", kind="RoleBinding", plural="rolebindings", namespaced=True,
                     strategy=RoleBindingStrategy(), **_table("RoleBinding")),
        ResourceType(group=GROUP, version="v1", kind="ClusterRoleBinding", plural="clusterrolebindings",
                     namespaced=False, strategy=ClusterRoleBindingStrategy(), **_table("ClusterRoleBinding")),
    ]
    return types


TYPES = tuple(_types())
