"""API discovery documents, as kube-apiserver serves them.

Pure functions from a ``Registry`` to JSON-shaped dicts; the URL layer picks
the function and the content type (``negotiate``):

    /api                 core_versions()            APIVersions
    /apis                group_list(registry)       APIGroupList
    /apis/<g>            group(registry, g)         APIGroup
    /api/v1, /apis/<g>/<v>  resource_list(...)       APIResourceList
    /api, /apis with an aggregated Accept header
                         aggregated(registry, "api"|"apis", "v2"|"v2beta1")

Aggregated discovery (apidiscovery.k8s.io) returns every group, version and
resource in one response; kubectl >= 1.26 asks for it on /api and /apis and
falls back to the legacy documents when the server answers plain JSON.
"""
import base64
import hashlib
import json

CONTENT_TYPE_JSON = "application/json"
DISCOVERY_GROUP = "apidiscovery.k8s.io"
AGGREGATED_KIND = "APIGroupDiscoveryList"
AGGREGATED_VERSIONS = ("v2", "v2beta1")


def aggregated_content_type(version):
    """The Content-Type kube-apiserver answers aggregated discovery with."""
    return f"{CONTENT_TYPE_JSON};g={DISCOVERY_GROUP};v={version};as={AGGREGATED_KIND}"


CONTENT_TYPE_AGGREGATED_V2 = aggregated_content_type("v2")
CONTENT_TYPE_AGGREGATED_V2BETA1 = aggregated_content_type("v2beta1")


# --------------------------------------------------------------------------
# Hashes


def storage_version_hash(group, version, kind):
    """kube-apiserver's storageVersionHash: base64 of sha256("g/v/k")[:8].

    Clients (the storage version migrator, kubectl's cache) only compare it
    for equality; it changes when the storage version of a resource does.
    """
    digest = hashlib.sha256(f"{group}/{version}/{kind}".encode()).digest()
    return base64.b64encode(digest[:8]).decode()


def etag(document):
    """Upper-case hex sha512 of the compact JSON, as the aggregated handler does."""
    body = json.dumps(document, separators=(",", ":"), sort_keys=True).encode()
    return hashlib.sha512(body).hexdigest().upper()


# --------------------------------------------------------------------------
# Legacy (unaggregated) discovery


def core_versions(server_address=None):
    """``/api``: APIVersions. ``server_address`` is ``host:port`` clients should use."""
    cidrs = []
    if server_address:
        cidrs.append({"clientCIDR": "0.0.0.0/0", "serverAddress": server_address})
    return {"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": cidrs}


def _group_entry(group_name, versions):
    entries = [{"groupVersion": f"{group_name}/{v}", "version": v} for v in versions]
    return {"name": group_name, "versions": entries, "preferredVersion": dict(entries[0])}


def group_list(registry):
    """``/apis``: APIGroupList of every named group, preferred version first."""
    groups = [_group_entry(g, vs) for g, vs in registry.group_versions().items() if g]
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}


def group(registry, group_name):
    """``/apis/<group>``: APIGroup, or None when the group is not served."""
    versions = registry.group_versions().get(group_name) if group_name else None
    if not versions:
        return None
    return {"kind": "APIGroup", "apiVersion": "v1", **_group_entry(group_name, versions)}


def _types_in(registry, group_name, version):
    return sorted(
        (t for t in registry.types() if t.group == group_name and t.version == version),
        key=lambda t: t.plural,
    )


def _has_storage(rtype):
    # Virtual, create-only resources (reviews, bindings) have no stored form.
    return bool({"get", "list", "watch"} & set(rtype.verbs))


def _api_resource(rtype):
    entry = {
        "name": rtype.plural,
        "singularName": rtype.singular,
        "namespaced": rtype.namespaced,
        "kind": rtype.kind,
        "verbs": sorted(rtype.verbs),
    }
    if rtype.short_names:
        entry["shortNames"] = list(rtype.short_names)
    if rtype.categories:
        entry["categories"] = list(rtype.categories)
    if _has_storage(rtype):
        entry["storageVersionHash"] = storage_version_hash(rtype.group, rtype.storage_version, rtype.kind)
    return entry


def _api_subresource(rtype, sub):
    entry = {
        "name": f"{rtype.plural}/{sub.name}",
        "singularName": "",
        "namespaced": rtype.namespaced,
        "kind": sub.kind_for(rtype),
        "verbs": sorted(sub.verbs),
    }
    group_name, version = sub.group_version_for(rtype)
    if (group_name, version) != (rtype.group, rtype.version):
        entry["group"] = group_name
        entry["version"] = version
    return entry


def resource_list(registry, group_name, version):
    """``/api/v1`` or ``/apis/<g>/<v>``: APIResourceList, or None when not served."""
    types = _types_in(registry, group_name, version)
    if not types:
        return None
    resources = []
    for rtype in types:
        resources.append(_api_resource(rtype))
        resources.extend(_api_subresource(rtype, sub) for sub in rtype.subresources)
    resources.sort(key=lambda r: r["name"])
    if not group_name:
        # The legacy handler writes the core list without apiVersion.
        return {"kind": "APIResourceList", "groupVersion": version, "resources": resources}
    return {
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": f"{group_name}/{version}",
        "resources": resources,
    }


# --------------------------------------------------------------------------
# Aggregated discovery (apidiscovery.k8s.io/v2 and v2beta1; same shape)


def _response_kind(parent, group_name, version, kind):
    # Empty group/version mean "the group-version this resource is served in".
    if (group_name, version) == (parent.group, parent.version):
        group_name = version = ""
    return {"group": group_name, "version": version, "kind": kind}


def _resource_discovery(rtype):
    entry = {
        "resource": rtype.plural,
        "responseKind": _response_kind(rtype, rtype.group, rtype.version, rtype.kind),
        "scope": "Namespaced" if rtype.namespaced else "Cluster",
        "singularResource": rtype.singular,
        "verbs": sorted(rtype.verbs),
    }
    if rtype.short_names:
        entry["shortNames"] = list(rtype.short_names)
    if rtype.categories:
        entry["categories"] = list(rtype.categories)
    subs = []
    for sub in sorted(rtype.subresources, key=lambda sub: sub.name):
        group_name, version = sub.group_version_for(rtype)
        subs.append({
            "subresource": sub.name,
            "responseKind": _response_kind(rtype, group_name, version, sub.kind_for(rtype)),
            "verbs": sorted(sub.verbs),
        })
    if subs:
        entry["subresources"] = subs
    return entry


def _group_discovery(registry, group_name, versions):
    return {
        "metadata": {"name": group_name, "creationTimestamp": None},
        "versions": [
            {
                "version": version,
                "resources": [_resource_discovery(t) for t in _types_in(registry, group_name, version)],
                "freshness": "Current",
            }
            for version in versions
        ],
    }


def aggregated(registry, scope, version="v2"):
    """APIGroupDiscoveryList for ``/api`` (scope "api") or ``/apis`` (scope "apis")."""
    if scope not in ("api", "apis"):
        raise ValueError(f"unknown discovery scope {scope!r}")
    if version not in AGGREGATED_VERSIONS:
        raise ValueError(f"unknown aggregated discovery version {version!r}")
    items = [
        _group_discovery(registry, g, vs)
        for g, vs in registry.group_versions().items()
        if (g == "") == (scope == "api")
    ]
    return {
        "kind": AGGREGATED_KIND,
        "apiVersion": f"{DISCOVERY_GROUP}/{version}",
        "metadata": {},
        "items": items,
    }


# --------------------------------------------------------------------------
# Content negotiation for /api and /apis


def _parse_accept(header):
    """[(type, subtype, params, q)] in the client's order of preference."""
    clauses = []
    for index, raw in enumerate((header or "").split(",")):
        parts = [p.strip() for p in raw.split(";")]
        media = parts[0].lower()
        if not media:
            continue
        mtype, _, subtype = media.partition("/")
        params, q = {}, 1.0
        for part in parts[1:]:
            key, _, value = part.partition("=")
            key, value = key.strip().lower(), value.strip().strip('"')
            if key == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
            elif key:
                params[key] = value
        clauses.append((-q, index, mtype, subtype or "*", params))
    clauses.sort()
    return [(mtype, subtype, params, -negq) for negq, _, mtype, subtype, params in clauses]


def negotiate(accept_header):
    """Which discovery document an Accept header asks for.

    Returns ``(kind, content_type)``: kind is "v2" or "v2beta1" (serve
    ``aggregated(..., version=kind)``), "legacy" (serve APIVersions /
    APIGroupList), or None with content_type None when nothing acceptable can
    be produced (answer 406 NotAcceptable). As in kube-apiserver, the first
    acceptable clause wins; a clause naming another g/v/as is skipped.
    """
    if not (accept_header or "").strip():
        return "legacy", CONTENT_TYPE_JSON
    for mtype, subtype, params, q in _parse_accept(accept_header):
        if q <= 0:
            continue
        if mtype not in ("application", "*") or subtype not in ("json", "*"):
            continue
        target = (params.get("g"), params.get("v"), params.get("as"))
        if target == (None, None, None):
            return "legacy", CONTENT_TYPE_JSON
        group_name, version, kind = target
        if group_name == DISCOVERY_GROUP and kind == AGGREGATED_KIND and version in AGGREGATED_VERSIONS:
            return version, aggregated_content_type(version)
    return None, None


def discovery(registry, scope, accept_header, server_address=None):
    """Convenience for ``/api`` and ``/apis``: ``(document, content_type)``.

    ``(None, None)`` means 406. The caller adds ``Vary: Accept`` and, for
    aggregated answers, ``ETag`` (``etag(document)``).
    """
    kind, content_type = negotiate(accept_header)
    if kind is None:
        return None, None
    if kind == "legacy":
        doc = core_versions(server_address) if scope == "api" else group_list(registry)
        return doc, content_type
    return aggregated(registry, scope, kind), content_type
