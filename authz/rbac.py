"""RBAC semantics, as kube-apiserver's RBAC authorizer defines them.

Pure functions over JSON-shaped RBAC objects: how a rule matches a
request (``rule_allows``), whom a binding applies to (``applies_to``), the
rules a user holds (``RuleResolver``), and whether one set of rules covers
another (``covers``, for escalation prevention).

Requests are authorized from django-guardian grants (``authz.authorizer``);
this module is the reference those grants are compiled from and checked
against (the RBAC matrix test), and it answers the questions that need
rules rather than yes/no: SelfSubjectRulesReview and escalation checks.
"""
import json
from dataclasses import dataclass, field

from resources.kinds.rbac import GROUP
from resources.machinery.selectors import label_selector_matches
from resources.machinery.validation import go_quote
from resources.store import storage
from resources.store.interface import Key

VERB_ALL = "*"
GROUP_ALL = "*"
RESOURCE_ALL = "*"
NON_RESOURCE_ALL = "*"

MASTERS = "system:masters"
AUTHENTICATED = "system:authenticated"
UNAUTHENTICATED = "system:unauthenticated"
ANONYMOUS = "system:anonymous"
SA_PREFIX = "system:serviceaccount:"
SA_GROUP = "system:serviceaccounts"


@dataclass
class Attributes:
    """authorizer.Attributes: who wants to do what."""

    user: object  # authz.user.UserInfo
    verb: str
    resource_request: bool = True
    namespace: str = ""
    api_group: str = ""
    api_version: str = "*"
    resource: str = ""
    subresource: str = ""
    name: str = ""
    path: str = ""
    extra: dict = field(default_factory=dict)


def attributes_for(user, info):
    """Attributes of a request from its RequestInfo."""
    if info.is_resource_request:
        return Attributes(user, info.verb, True, info.namespace, info.api_group, info.api_version or "*",
                          info.resource, info.subresource, info.name, info.path)
    return Attributes(user, info.verb, False, path=info.path)


# ------------------------------------------------------------------ matching
def _strings(rule, key):
    value = rule.get(key) if isinstance(rule, dict) else None
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def verb_matches(rule, verb):
    verbs = _strings(rule, "verbs")
    return VERB_ALL in verbs or verb in verbs


def api_group_matches(rule, group):
    groups = _strings(rule, "apiGroups")
    return GROUP_ALL in groups or group in groups


def resource_matches(rule, combined, subresource):
    for resource in _strings(rule, "resources"):
        if resource == RESOURCE_ALL or resource == combined:
            return True
        # "*/scale" matches the scale subresource of every resource.
        if subresource and resource == "*/" + subresource:
            return True
    return False


def resource_name_matches(rule, name):
    names = _strings(rule, "resourceNames")
    return not names or name in names


def non_resource_url_matches(rule, path):
    for url in _strings(rule, "nonResourceURLs"):
        if url == NON_RESOURCE_ALL or url == path:
            return True
        if url.endswith("*") and path.startswith(url.rstrip("*")):
            return True
    return False


def rule_allows(attrs, rule):
    if attrs.resource_request:
        combined = f"{attrs.resource}/{attrs.subresource}" if attrs.subresource else attrs.resource
        return (verb_matches(rule, attrs.verb) and api_group_matches(rule, attrs.api_group)
                and resource_matches(rule, combined, attrs.subresource)
                and resource_name_matches(rule, attrs.name))
    return verb_matches(rule, attrs.verb) and non_resource_url_matches(rule, attrs.path)


# ------------------------------------------------------------------ subjects
def service_account_username(namespace, name):
    return f"{SA_PREFIX}{namespace}:{name}"


def service_account_groups(namespace):
    return [SA_GROUP, f"{SA_GROUP}:{namespace}"]


def subject_identity(subject, binding_namespace):
    """("User" | "Group", name) a binding subject stands for, or None.
    ServiceAccounts are users named system:serviceaccount:<ns>:<name>; a
    RoleBinding's ServiceAccount without a namespace is in the binding's."""
    if not isinstance(subject, dict):
        return None
    kind, name = subject.get("kind"), subject.get("name") or ""
    if not name:
        return None
    if kind == "User":
        return ("User", name)
    if kind == "Group":
        return ("Group", name)
    if kind == "ServiceAccount":
        namespace = subject.get("namespace") or binding_namespace
        return ("User", service_account_username(namespace, name)) if namespace else None
    return None


def applies_to_user(user, subject, namespace):
    identity = subject_identity(subject, namespace)
    if identity is None:
        return False
    kind, name = identity
    return user.name == name if kind == "User" else name in user.groups


def applies_to(user, subjects, namespace):
    """Index of the first subject that applies to ``user``, or None."""
    for i, subject in enumerate(subjects if isinstance(subjects, list) else []):
        if applies_to_user(user, subject, namespace):
            return i
    return None


def describe_subject(subject, binding_namespace):
    if subject.get("kind") == "ServiceAccount":
        return f'ServiceAccount "{subject.get("name")}/{subject.get("namespace") or binding_namespace}"'
    return f'{subject.get("kind")} "{subject.get("name")}"'


def describe_binding(binding, subject):
    meta = binding.get("metadata") or {}
    ref = binding.get("roleRef") or {}
    if binding.get("kind") == "ClusterRoleBinding" or not meta.get("namespace"):
        return (f'ClusterRoleBinding "{meta.get("name")}" of {ref.get("kind")} "{ref.get("name")}" to '
                f'{describe_subject(subject, "")}')
    return (f'RoleBinding "{meta.get("name")}/{meta.get("namespace")}" of {ref.get("kind")} "{ref.get("name")}" '
            f'to {describe_subject(subject, meta.get("namespace"))}')


# ------------------------------------------------------------ rule resolver
class PolicySource:
    """Where a RuleResolver reads RBAC objects. ``StoredPolicy`` reads a
    tenant's storage; ``StaticPolicy`` holds lists (tests)."""

    def role(self, namespace, name): ...

    def cluster_role(self, name): ...

    def role_bindings(self, namespace): ...

    def cluster_role_bindings(self): ...


class StaticPolicy(PolicySource):
    def __init__(self, roles=(), role_bindings=(), cluster_roles=(), cluster_role_bindings=()):
        self.roles = {(r["metadata"]["namespace"], r["metadata"]["name"]): r for r in roles}
        self.cluster_roles = {r["metadata"]["name"]: r for r in cluster_roles}
        self.bindings = list(role_bindings)
        self.cluster_bindings = list(cluster_role_bindings)

    def role(self, namespace, name):
        return self.roles.get((namespace, name))

    def cluster_role(self, name):
        return self.cluster_roles.get(name)

    def role_bindings(self, namespace):
        return [b for b in self.bindings if b["metadata"]["namespace"] == namespace]

    def cluster_role_bindings(self):
        return self.cluster_bindings


class StoredPolicy(PolicySource):
    """A tenant's RBAC objects, read from storage (cached for the life of
    this object, i.e. one request)."""

    def __init__(self, tenant):
        self.tenant = tenant
        self._cache = {}

    def _get(self, resource, namespace, name):
        key = (resource, namespace, name)
        if key not in self._cache:
            stored = storage.get(Key(self.tenant, GROUP, resource, namespace, name))
            self._cache[key] = json.loads(stored.data) if stored else None
        return self._cache[key]

    def _list(self, resource, namespace):
        key = (resource, namespace, None)
        if key not in self._cache:
            self._cache[key] = [json.loads(d) for d in storage.list(self.tenant, GROUP, resource, namespace).items]
        return self._cache[key]

    def role(self, namespace, name):
        return self._get("roles", namespace, name)

    def cluster_role(self, name):
        return self._get("clusterroles", "", name)

    def role_bindings(self, namespace):
        return self._list("rolebindings", namespace)

    def cluster_role_bindings(self):
        return self._list("clusterrolebindings", None)


class RoleRefError(Exception):
    pass


class RuleResolver:
    def __init__(self, source):
        self.source = source

    def role_ref_rules(self, ref, binding_namespace):
        """GetRoleReferenceRules: the rules a roleRef names (NotFound → RoleRefError)."""
        ref = ref if isinstance(ref, dict) else {}
        kind, name = ref.get("kind"), ref.get("name") or ""
        if kind == "Role":
            role = self.source.role(binding_namespace, name)
            if role is None:
                raise RoleRefError(f'role.rbac.authorization.k8s.io "{name}" not found')
        elif kind == "ClusterRole":
            role = self.source.cluster_role(name)
            if role is None:
                raise RoleRefError(f'clusterrole.rbac.authorization.k8s.io "{name}" not found')
        else:
            raise RoleRefError(f'unsupported role reference kind: "{kind}"')
        rules = role.get("rules")
        return [r for r in rules if isinstance(r, dict)] if isinstance(rules, list) else []

    def visit_rules_for(self, user, namespace, visitor):
        """Call ``visitor(source, rule, error)`` for every rule ``user`` holds
        in ``namespace`` ("" = cluster-wide only); stop when it returns False."""
        for binding in self.source.cluster_role_bindings():
            index = applies_to(user, binding.get("subjects"), "")
            if index is None:
                continue
            try:
                rules = self.role_ref_rules(binding.get("roleRef"), "")
            except RoleRefError as exc:
                if not visitor(None, None, exc):
                    return
                continue
            source = describe_binding(binding, binding["subjects"][index])
            for rule in rules:
                if not visitor(source, rule, None):
                    return
        if not namespace:
            return
        for binding in self.source.role_bindings(namespace):
            index = applies_to(user, binding.get("subjects"), namespace)
            if index is None:
                continue
            try:
                rules = self.role_ref_rules(binding.get("roleRef"), namespace)
            except RoleRefError as exc:
                if not visitor(None, None, exc):
                    return
                continue
            source = describe_binding(binding, binding["subjects"][index])
            for rule in rules:
                if not visitor(source, rule, None):
                    return

    def rules_for(self, user, namespace):
        """(rules, errors)."""
        rules, errors = [], []

        def visit(source, rule, error):
            if rule is not None:
                rules.append(rule)
            if error is not None:
                errors.append(str(error))
            return True

        self.visit_rules_for(user, namespace, visit)
        return rules, errors


def authorize(resolver, attrs):
    """The RBAC authorizer, evaluated rule by rule: (allowed, reason)."""
    outcome = {"allowed": False, "reason": "", "errors": []}

    def visit(source, rule, error):
        if rule is not None and rule_allows(attrs, rule):
            outcome["allowed"] = True
            outcome["reason"] = f"RBAC: allowed by {source}"
            return False
        if error is not None:
            outcome["errors"].append(str(error))
        return True

    resolver.visit_rules_for(attrs.user, attrs.namespace, visit)
    if outcome["allowed"]:
        return True, outcome["reason"]
    if outcome["errors"]:
        errors = outcome["errors"]
        return False, "RBAC: " + (errors[0] if len(errors) == 1 else "[" + ", ".join(errors) + "]")
    return False, ""


# ----------------------------------------------------------------- coverage
def breakdown_rule(rule):
    """One rule per (group, resource, verb[, name]) and per (url, verb)."""
    out = []
    names = _strings(rule, "resourceNames")
    for group in _strings(rule, "apiGroups"):
        for resource in _strings(rule, "resources"):
            for verb in _strings(rule, "verbs"):
                if names:
                    out += [{"apiGroups": [group], "resources": [resource], "verbs": [verb], "resourceNames": [n]}
                            for n in names]
                else:
                    out.append({"apiGroups": [group], "resources": [resource], "verbs": [verb]})
    for url in _strings(rule, "nonResourceURLs"):
        for verb in _strings(rule, "verbs"):
            out.append({"nonResourceURLs": [url], "verbs": [verb]})
    return out


def _has_all(owned, wanted):
    owned = set(owned)
    return all(w in owned for w in wanted)


def _resource_covers_all(owned, wanted):
    if RESOURCE_ALL in owned or _has_all(owned, wanted):
        return True
    for path in wanted:
        if path in owned:
            continue
        if "/" not in path:
            return False
        if "*/" + path.split("/", 1)[1] not in owned:
            return False
    return True


def _url_covers(owner, path):
    return owner == path or (owner.endswith("*") and path.startswith(owner.rstrip("*")))


def rule_covers(owner, sub):
    verbs, groups = _strings(owner, "verbs"), _strings(owner, "apiGroups")
    owner_names, sub_names = _strings(owner, "resourceNames"), _strings(sub, "resourceNames")
    owner_urls = _strings(owner, "nonResourceURLs")
    return ((VERB_ALL in verbs or _has_all(verbs, _strings(sub, "verbs")))
            and (GROUP_ALL in groups or _has_all(groups, _strings(sub, "apiGroups")))
            and _resource_covers_all(_strings(owner, "resources"), _strings(sub, "resources"))
            and all(any(_url_covers(o, p) for o in owner_urls) for p in _strings(sub, "nonResourceURLs"))
            and (not owner_names if not sub_names else (not owner_names or _has_all(owner_names, sub_names))))


def covers(owner_rules, servant_rules):
    """(covered, uncovered sub-rules)."""
    uncovered = []
    for servant in servant_rules:
        for sub in breakdown_rule(servant):
            if not any(rule_covers(owner, sub) for owner in owner_rules):
                uncovered.append(sub)
    return not uncovered, uncovered


def compact_rules(rules):
    """Merge rules that differ only by verb and name one group and one resource."""
    out, simple = [], {}
    for rule in rules:
        keys = set(k for k, v in rule.items() if v)
        if keys <= {"apiGroups", "resources", "verbs"} and len(rule.get("apiGroups") or []) == 1 \
                and len(rule.get("resources") or []) == 1:
            key = (rule["apiGroups"][0], rule["resources"][0])
            if key in simple:
                simple[key]["verbs"] = list(simple[key].get("verbs") or []) + list(rule.get("verbs") or [])
            else:
                simple[key] = {k: list(v) for k, v in rule.items()}
                out.append(simple[key])
        else:
            out.append(rule)
    return out


def _go_strings(values):
    return "[" + " ".join(go_quote(v) for v in values) + "]"


def compact_string(rule):
    """rbacv1helpers.CompactString: {APIGroups:["apps"], Resources:["deployments"], Verbs:["get"]}."""
    parts = []
    for key, label in (("apiGroups", "APIGroups"), ("resources", "Resources"), ("nonResourceURLs", "NonResourceURLs"),
                       ("resourceNames", "ResourceNames"), ("verbs", "Verbs")):
        if rule.get(key):
            parts.append(f"{label}:{_go_strings(rule[key])}")
    return "{" + ", ".join(parts) + "}"


def escalation_message(user, missing):
    lines = sorted(set(compact_string(r) for r in compact_rules(missing)))
    return (f"user {_quote(user.name)} (groups={_go_strings(list(user.groups))}) is attempting to grant RBAC "
            "permissions not currently held:\n" + "\n".join(lines))


def _quote(s):
    return go_quote(s)


def normalize_rule(rule):
    """A rule with empty fields dropped, for semantic comparison."""
    return {k: v for k, v in rule.items() if v not in (None, [], "")} if isinstance(rule, dict) else rule


def aggregated_rules(role, cluster_roles):
    """The rules an aggregated ClusterRole should hold: each selected
    ClusterRole's rules (in name order per selector), duplicates dropped."""
    name = role["metadata"]["name"]
    rules, seen = [], []
    selectors = ((role.get("aggregationRule") or {}).get("clusterRoleSelectors")) or []
    ordered = sorted(cluster_roles, key=lambda r: r["metadata"]["name"])
    for selector in selectors:
        for other in ordered:
            if other["metadata"]["name"] == name:
                continue
            if not label_selector_matches(selector, other["metadata"].get("labels")):
                continue
            for rule in other.get("rules") or []:
                norm = normalize_rule(rule)
                if norm not in seen:
                    seen.append(norm)
                    rules.append(rule)
    return rules
