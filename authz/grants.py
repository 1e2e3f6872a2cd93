"""The shape of a compiled grant: permission codenames and scope keys.

A rule expands to one codename per (verb, API group, resource) or per
(verb, non-resource URL), wildcards kept as they are written. A request is
then allowed when a grant holds any of a small set of *candidate*
codenames on any of its candidate scopes — the same answer rule matching
gives (``authz.rbac.rule_allows``), as one indexed lookup.
"""
import hashlib
from urllib.parse import quote

from django.contrib.contenttypes.models import ContentType

from authz.models import Scope
from authz.rbac import GROUP_ALL, NON_RESOURCE_ALL, RESOURCE_ALL, VERB_ALL, _strings

_CODENAME_MAX = 100  # auth_permission.codename
_KEY_MAX = 255  # guardian object_pk
_NAME_MAX = 150  # auth_user.username, auth_group.name
_SAFE = "-._~:/*@+=,;!$&'()[]"  # everything but the separator and escapes stays readable


def _part(value):
    return quote(value, safe=_SAFE)


def _bounded(text, limit, prefix="#"):
    if len(text) <= limit:
        return text
    return prefix + hashlib.sha256(text.encode()).hexdigest()


def resource_codename(verb, group, resource):
    return _bounded(f"r|{_part(verb)}|{_part(group)}|{_part(resource)}", _CODENAME_MAX)


def url_codename(verb, url):
    return _bounded(f"n|{_part(verb)}|{_part(url)}", _CODENAME_MAX)


def url_pattern(url):
    """Rule URLs ending in any number of ``*`` match by prefix; keep one."""
    return url.rstrip("*") + "*" if url.endswith("*") else url


def codenames_for_rule(rule, with_urls):
    """The codenames a rule grants."""

    verbs = _strings(rule, "verbs")
    out = set()
    urls = _strings(rule, "nonResourceURLs")
    if urls:
        if with_urls:
            for verb in verbs:
                for url in urls:
                    out.add(url_codename(verb, url_pattern(url)))
        return out
    for verb in verbs:
        for group in _strings(rule, "apiGroups"):
            for resource in _strings(rule, "resources"):
                out.add(resource_codename(verb, group, resource))
    return out


def candidate_codenames(attrs):
    """Every codename whose grant would allow ``attrs``."""
    verbs = (attrs.verb, VERB_ALL)
    if not attrs.resource_request:
        path = attrs.path
        urls = {path, NON_RESOURCE_ALL}
        urls.update(path[:i] + "*" for i in range(len(path) + 1))
        return sorted({url_codename(v, u) for v in verbs for u in urls})
    combined = f"{attrs.resource}/{attrs.subresource}" if attrs.subresource else attrs.resource
    resources = [RESOURCE_ALL, combined]
    if attrs.subresource:
        resources.append("*/" + attrs.subresource)
    return sorted({resource_codename(v, g, r) for v in verbs for g in (attrs.api_group, GROUP_ALL)
                   for r in resources})


# ------------------------------------------------------------------- scopes
def tenant_key(tenant):
    return tenant


def namespace_key(tenant, namespace):
    return f"{tenant}/{namespace}"


def name_key(tenant, namespace, name):
    """``namespace`` "*" for names granted by a ClusterRoleBinding."""
    return _bounded(f"{tenant}/{namespace}/{name}", _KEY_MAX, f"{tenant}/{namespace}/#")


def scopes_for_binding(tenant, binding_namespace, rule):
    """Scope keys (with their parts) a rule of a binding applies to."""

    names = _strings(rule, "resourceNames")
    if not names:
        if binding_namespace:
            return [(namespace_key(tenant, binding_namespace), binding_namespace, "")]
        return [(tenant_key(tenant), "", "")]
    namespace = binding_namespace or "*"
    return [(name_key(tenant, namespace, n), namespace, n) for n in names]


def candidate_scopes(tenant, attrs):
    if not attrs.resource_request:
        return [tenant_key(tenant)]
    keys = [tenant_key(tenant)]
    if attrs.namespace:
        keys.append(namespace_key(tenant, attrs.namespace))
    if attrs.name:
        keys.append(name_key(tenant, "*", attrs.name))
        if attrs.namespace:
            keys.append(name_key(tenant, attrs.namespace, attrs.name))
    return keys


def describe_codename(codename):
    """A readable name for the Permission row."""
    if codename.startswith("n|"):
        _, verb, url = codename.split("|", 2)
        return f"{verb} {url}"[:255]
    if codename.startswith("r|"):
        _, verb, group, resource = codename.split("|", 3)
        return f"{verb} {resource}{'.' + group if group else ''}"[:255]
    return codename


def scope_content_type_id():
    # ContentType's own cache (a dict lookup; cleared when the table is).
    return ContentType.objects.get_for_model(Scope).id


def django_name(name):
    """The Django User/Group name for a Kubernetes user or group name."""
    if len(name) <= _NAME_MAX:
        return name
    return "~" + hashlib.sha256(name.encode()).hexdigest()
