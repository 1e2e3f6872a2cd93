"""OpenAPI documents for the served resource types, as kube-apiserver serves them.

    /openapi/v2                  v2(registry)             swagger 2.0, JSON
                                 v2_protobuf(registry)    gnostic openapi_v2 protobuf
    /openapi/v3                  v3_index(registry)       {"paths": {"apis/apps/v1": ...}}
    /openapi/v3/<path>?hash=...  v3_document(registry, path), v3(registry, group, version)

kubectl reads them: ``explain`` renders the v3 schema of a GVK; ``create``
and ``apply`` (``--validate``, on by default) fetch the v2 document as
protobuf, and look in the v3 PATCH operation of the GVK for a
``fieldValidation`` query parameter: when it is there the server validates
(``?fieldValidation=Strict``), otherwise kubectl validates against v2.

Schemas of built-in kinds come from kubernetes-validate's JSON schemas (JSON
Schema flavoured: ``["string", "null"]`` types, ``#/$defs/`` refs); they are
converted here, keeping every ``x-kubernetes-*`` extension. A custom type may
carry its structural schema as ``openapi_schema`` (a CRD's openAPIV3Schema).

Documents are big, so each one is built once per registry content and kept
with its serialized bytes and hash (``*_json`` helpers).
"""
import copy
import hashlib
import json
import re
import struct
import threading
from collections import OrderedDict

from kubeapi.conf import VERSION
from resources.machinery.protobuf import encode_bytes, encode_key, encode_varint
from resources.schema import builtin as schemas

CONTENT_TYPE_JSON = "application/json"
# What kubectl sends for /openapi/v2, and what kube-apiserver answers with.
ACCEPT_V2_PROTOBUF = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf"
CONTENT_TYPE_V2_PROTOBUF = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"

META = "io.k8s.apimachinery.pkg.apis.meta.v1."
OBJECT_META = META + "ObjectMeta"
LIST_META = META + "ListMeta"
STATUS = META + "Status"
DELETE_OPTIONS = META + "DeleteOptions"
WATCH_EVENT = META + "WatchEvent"
PATCH = META + "Patch"

_SOURCE_REF = "#/$defs/"
V2_REF = "#/definitions/"
V3_REF = "#/components/schemas/"

_SECURITY_SCHEME = {
    "BearerToken": {
        "type": "apiKey",
        "name": "authorization",
        "in": "header",
        "description": "Bearer Token authentication",
    }
}


# --------------------------------------------------------------------------
# Schema source


def _source_definitions():
    """name → JSON schema of every built-in definition (read-only!)."""
    return schemas.definitions()


_gvk_index_for = (None, {})  # (definitions, (group, version, kind) → name)


def _gvk_index(defs):
    global _gvk_index_for
    cached_defs, index = _gvk_index_for
    if cached_defs is not defs:
        index = {}
        for name, schema in defs.items():
            gvks = schema.get("x-kubernetes-group-version-kind") or []
            if len(gvks) == 1:  # shared kinds (DeleteOptions, WatchEvent) are no resource's schema
                g = gvks[0]
                index[(g.get("group", ""), g.get("version", ""), g.get("kind", ""))] = name
        _gvk_index_for = (defs, index)
    return index


def _builtin_name(group, version, kind):
    """Definition name of a built-in kind, or None."""
    name = schemas.definition_name(group, version, kind)
    if name:
        return name
    return _gvk_index(_source_definitions()).get((group, version, kind))


def _custom_name(group, version, kind):
    # kube-apiserver names CRD definitions by the reversed group: com.example.stable.v1.CronTab
    prefix = ".".join(reversed(group.split("."))) if group else "io.k8s.api.core"
    return f"{prefix}.{version}.{kind}"


# --------------------------------------------------------------------------
# JSON Schema → OpenAPI


def _convert(node, v3):
    """Convert one schema from the source flavour to OpenAPI v2 or v3."""
    if isinstance(node, list):
        return [_convert(n, v3) for n in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key == "type":
            if isinstance(value, list):
                types = [t for t in value if t != "null"]
                if not types:
                    continue
                value = types[0]
            out[key] = value
        elif key == "$ref":
            out[key] = (V3_REF if v3 else V2_REF) + value.rsplit("/", 1)[-1]
        elif key in ("properties", "patternProperties", "definitions"):
            out[key] = {name: _convert(sub, v3) for name, sub in value.items()}
        elif key in ("enum", "default", "example", "required") or key.startswith("x-"):
            out[key] = copy.deepcopy(value)  # literal values, not schemas
        elif key in ("$schema", "$id", "$defs"):
            continue
        else:
            out[key] = _convert(value, v3)

    # A choice between bare types: IntOrString, Quantity.
    alternatives = out.get("oneOf") or out.get("anyOf")
    if alternatives and all(isinstance(a, dict) and set(a) == {"type"} for a in alternatives):
        int_or_string = {a["type"] for a in alternatives} == {"integer", "string"}
        if v3:
            if int_or_string and "oneOf" in out:
                # The built-in IntOrString, spelled as kube-apiserver spells it.
                out["format"] = "int-or-string"
                out["oneOf"] = [{"type": "integer"}, {"type": "string"}]
        else:
            if int_or_string:
                out["format"] = "int-or-string"
            out.pop("oneOf", None)
            out.pop("anyOf", None)
            out["type"] = "string"

    if not v3:
        # Swagger 2.0 has none of these; kube-apiserver drops them too.
        for key in ("oneOf", "anyOf", "not", "nullable"):
            out.pop(key, None)
    elif "$ref" in out and len(out) > 1:
        # OpenAPI 3.0 ignores siblings of $ref; wrap it as kube-openapi does.
        ref = out.pop("$ref")
        out = {"allOf": [{"$ref": ref}], **out}
    return out


def _refs(node, found, names=False):
    """Collect definition names referenced anywhere under ``node``.

    ``names``: node maps property names to schemas, so keys such as
    "x-kubernetes-validations" (a JSONSchemaProps field) are not extensions.
    """
    if isinstance(node, dict):
        for key, value in node.items():
            if names:
                _refs(value, found)
            elif key == "$ref" and isinstance(value, str):
                found.add(value.rsplit("/", 1)[-1])
            elif not key.startswith("x-"):
                _refs(value, found, names=key in ("properties", "patternProperties", "definitions"))
    elif isinstance(node, list):
        for item in node:
            _refs(item, found)
    return found


# --------------------------------------------------------------------------
# The model: which definitions a set of resource types needs


class _Model:
    """Source-flavour definitions for the served types, by name.

    Built-in schemas come from the source definitions; custom types bring
    their own and get a synthesized List kind.
    """

    def __init__(self, rtypes, served_gvs):
        self.source = _source_definitions()
        self.extra = {}  # synthesized definitions (custom kinds, lists)
        self.served_gvs = served_gvs
        self.names = {}  # id(rtype) → (kind definition, list definition)
        for rtype in rtypes:
            self.names[id(rtype)] = self._names_for(rtype)

    def _names_for(self, rtype):
        custom = rtype.openapi_schema
        name = None if custom is not None else _builtin_name(rtype.group, rtype.version, rtype.kind)
        if name is None:
            name = _custom_name(rtype.group, rtype.version, rtype.kind)
            self.extra[name] = _custom_kind_schema(rtype, custom)
        list_name = _builtin_name(rtype.group, rtype.version, rtype.kind + "List")
        if list_name is None or custom is not None:
            list_name = name + "List"
            self.extra[list_name] = _list_schema(rtype, name)
        return name, list_name

    def kind_names(self, rtype):
        return self.names[id(rtype)]

    def lookup(self, group, version, kind):
        return _builtin_name(group, version, kind)

    def get(self, name):
        if name in self.extra:
            return self.extra[name]
        return self.source.get(name)

    def definition(self, name, v3):
        schema = self.get(name)
        if schema is None:
            # Keep the document resolvable even if a reference is unknown.
            return {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
        out = _convert(schema, v3)
        props = out.get("properties") or {}
        for field in ("apiVersion", "kind"):
            # kubernetes-validate pins these with an enum; kube-apiserver does not.
            if isinstance(props.get(field), dict):
                props[field].pop("enum", None)
        gvks = out.get("x-kubernetes-group-version-kind")
        kinds = {g.get("kind") for g in gvks or ()}
        if gvks and len(gvks) > 1 and len(kinds) == 1:
            # Kinds every group-version serves (DeleteOptions, WatchEvent):
            # list the group-versions of this server, custom ones included.
            kind = kinds.pop()
            out["x-kubernetes-group-version-kind"] = [
                {"group": g, "kind": kind, "version": v} for g, v in sorted(self.served_gvs)
            ]
        return out

    def closure(self, roots):
        """Every definition reachable from ``roots`` (names), sorted."""
        seen, todo = set(), list(roots)
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            schema = self.get(name)
            if schema is not None:
                todo.extend(_refs(schema, set()) - seen)
        return sorted(seen)


def _custom_kind_schema(rtype, schema):
    schema = copy.deepcopy(schema) if schema else {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
    schema.setdefault("type", "object")
    props = schema.setdefault("properties", {})
    props["apiVersion"] = {
        "description": "APIVersion defines the versioned schema of this representation of an object.",
        "type": "string",
    }
    props["kind"] = {
        "description": "Kind is a string value representing the REST resource this object represents.",
        "type": "string",
    }
    props["metadata"] = {"$ref": _SOURCE_REF + OBJECT_META, "description": "Standard object's metadata."}
    schema["x-kubernetes-group-version-kind"] = [{"group": rtype.group, "kind": rtype.kind, "version": rtype.version}]
    return schema


def _list_schema(rtype, item_name):
    return {
        "description": f"{rtype.kind}List is a list of {rtype.kind}",
        "type": "object",
        "required": ["items"],
        "properties": {
            "apiVersion": {"description": "APIVersion of this list.", "type": "string"},
            "items": {
                "description": f"List of {rtype.plural}.",
                "type": "array",
                "items": {"$ref": _SOURCE_REF + item_name},
            },
            "kind": {"description": "Kind of this list.", "type": "string"},
            "metadata": {"$ref": _SOURCE_REF + LIST_META, "description": "Standard list metadata."},
        },
        "x-kubernetes-group-version-kind": [
            {"group": rtype.group, "kind": rtype.kind + "List", "version": rtype.version}
        ],
    }


# --------------------------------------------------------------------------
# Paths. Built once in swagger 2.0 form (refs as "#/definitions/"), then
# converted for v3.


def _group_token(group):
    """Operation-id infix of a group: "" → Core, rbac.authorization.k8s.io → RbacAuthorization."""
    if not group:
        return "Core"
    name = group[: -len(".k8s.io")] if group.endswith(".k8s.io") else group
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[.\-]", name) if part)


def _gv_token(group, version):
    return _group_token(group) + version[:1].upper() + version[1:]


def _tag(group, version):
    token = _group_token(group)
    return f"{token[:1].lower()}{token[1:]}_{version}"


def _query(name, type_, description):
    return {"uniqueItems": True, "type": type_, "name": name, "in": "query", "description": description}


def _path_param(name, description):
    return {"uniqueItems": True, "type": "string", "name": name, "in": "path", "required": True, "description": description}


_PRETTY = _query("pretty", "string", "If 'true', then the output is pretty printed.")
_NAMESPACE = _path_param("namespace", "object name and auth scope, such as for teams and projects")
_DRY_RUN = _query("dryRun", "string", "When present, indicates that modifications should not be persisted. "
                  "Valid values are: All (process all dry run stages).")
_FIELD_MANAGER = _query("fieldManager", "string", "Name of the actor making these changes, for managed fields.")
_FIELD_VALIDATION = _query(
    "fieldValidation", "string",
    "How the server handles unknown or duplicate fields in the request body: "
    "Ignore, Warn (the default) or Strict (reject the request).",
)
_FORCE = _query("force", "boolean", "Force apply requests to take conflicting fields. Only for apply patches.")
_LIST_PARAMS = [
    _query("allowWatchBookmarks", "boolean", "Request watch events of type BOOKMARK."),
    _query("continue", "string", "The continue token from a previous chunked list."),
    _query("fieldSelector", "string", "Restrict the returned objects by their fields."),
    _query("labelSelector", "string", "Restrict the returned objects by their labels."),
    _query("limit", "integer", "Maximum number of objects to return in one chunk."),
    _query("resourceVersion", "string", "Constraint on the resource version the request may be served from."),
    _query("resourceVersionMatch", "string", "How resourceVersion is applied to list calls."),
    _query("sendInitialEvents", "boolean", "Start a watch with synthetic events for the current state."),
    _query("timeoutSeconds", "integer", "Timeout for the list/watch call."),
    _query("watch", "boolean", "Watch for changes to the described resources."),
]
_DELETE_PARAMS = [
    _DRY_RUN,
    _query("gracePeriodSeconds", "integer", "Seconds before the object should be deleted."),
    _query("ignoreStoreReadErrorWithClusterBreakingPotential", "boolean",
           "Delete an object whose stored form cannot be read (unsafe)."),
    _query("orphanDependents", "boolean", "Deprecated: use propagationPolicy."),
    _query("propagationPolicy", "string", "Garbage collection policy: Orphan, Background or Foreground."),
]
_WRITE_PARAMS = [_DRY_RUN, _FIELD_MANAGER, _FIELD_VALIDATION]

_PRODUCES = ["application/json", "application/yaml"]
_PRODUCES_WATCH = ["application/json", "application/yaml", "application/json;stream=watch"]
_PATCH_TYPES = [
    "application/json-patch+json",
    "application/merge-patch+json",
    "application/strategic-merge-patch+json",
    "application/apply-patch+yaml",
]


def _patch_types(rtype):
    # Custom resources have no Go type: no strategic merge patch (upstream lists none).
    if rtype.openapi_schema is not None:
        return [t for t in _PATCH_TYPES if "strategic" not in t]
    return _PATCH_TYPES


def _ref(name):
    return {"$ref": V2_REF + name}


def _responses(schema, *codes):
    text = {"200": "OK", "201": "Created", "202": "Accepted"}
    out = {code: {"description": text[code], "schema": copy.deepcopy(schema)} for code in codes}
    out["401"] = {"description": "Unauthorized"}
    return out


def _operation(op_id, action, gvk, description, params=(), body=None, body_required=True,
               consumes=("*/*",), produces=_PRODUCES, responses=None, tag=""):
    params = [dict(p) for p in params]
    if body is not None:
        body_param = {"name": "body", "in": "body", "schema": body}
        if body_required:
            body_param["required"] = True
        params.insert(0, body_param)
    op = {
        "description": description,
        "consumes": list(consumes),
        "produces": list(produces),
        "schemes": ["https"],
        "tags": [tag],
        "operationId": op_id,
        "responses": responses,
    }
    if params:
        op["parameters"] = params
    if action:
        op["x-kubernetes-action"] = action
    if gvk:
        op["x-kubernetes-group-version-kind"] = dict(gvk)
    return op


def _resource_paths(paths, root, rtype, model):
    kind_def, list_def = model.kind_names(rtype)
    kind = rtype.kind
    gvk = {"group": rtype.group, "kind": kind, "version": rtype.version}
    gvt = _gv_token(rtype.group, rtype.version)
    tag = _tag(rtype.group, rtype.version)
    verbs = set(rtype.verbs)
    ns = rtype.namespaced
    scope = "/namespaces/{namespace}" if ns else ""
    nsd = "Namespaced" if ns else ""
    scope_params = [_NAMESPACE] if ns else []
    name_param = _path_param("name", f"name of the {kind}")
    obj, lst, status = _ref(kind_def), _ref(list_def), _ref(STATUS)

    def op(op_id, action, description, **kw):
        return _operation(op_id, action, gvk, description, tag=tag, **kw)

    collection = {}
    if "list" in verbs:
        collection["get"] = op(f"list{gvt}{nsd}{kind}", "list", f"list or watch objects of kind {kind}",
                               params=_LIST_PARAMS, produces=_PRODUCES_WATCH, responses=_responses(lst, "200"))
    if "create" in verbs:
        collection["post"] = op(f"create{gvt}{nsd}{kind}", "post", f"create a {kind}", params=_WRITE_PARAMS,
                                body=obj, responses=_responses(obj, "200", "201", "202"))
    if "deletecollection" in verbs:
        collection["delete"] = op(f"deletecollection{gvt}{nsd}{kind}", "deletecollection",
                                  f"delete collection of {kind}", params=_DELETE_PARAMS + _LIST_PARAMS,
                                  body=_ref(DELETE_OPTIONS), body_required=False, responses=_responses(status, "200"))
    if collection:
        collection["parameters"] = scope_params + [_PRETTY]
        paths[f"{root}{scope}/{rtype.plural}"] = collection

    item = {}
    if "get" in verbs:
        item["get"] = op(f"read{gvt}{nsd}{kind}", "get", f"read the specified {kind}", responses=_responses(obj, "200"))
    if "update" in verbs:
        item["put"] = op(f"replace{gvt}{nsd}{kind}", "put", f"replace the specified {kind}", params=_WRITE_PARAMS,
                         body=obj, responses=_responses(obj, "200", "201"))
    if "patch" in verbs:
        item["patch"] = op(f"patch{gvt}{nsd}{kind}", "patch", f"partially update the specified {kind}",
                           params=_WRITE_PARAMS + [_FORCE], body=_ref(PATCH), consumes=_patch_types(rtype),
                           responses=_responses(obj, "200", "201"))
    if "delete" in verbs:
        item["delete"] = op(f"delete{gvt}{nsd}{kind}", "delete", f"delete a {kind}", params=_DELETE_PARAMS,
                            body=_ref(DELETE_OPTIONS), body_required=False,
                            responses=_responses(status, "200", "202"))
    item_params = [name_param] + scope_params + [_PRETTY]
    if item:
        item["parameters"] = item_params
        paths[f"{root}{scope}/{rtype.plural}/{{name}}"] = item

    if "watch" in verbs:
        event = _responses(_ref(WATCH_EVENT), "200")
        watch_produces = _PRODUCES_WATCH
        paths[f"{root}/watch{scope}/{rtype.plural}"] = {
            "get": op(f"watch{gvt}{nsd}{kind}List", "watchlist",
                      f"watch individual changes to a list of {kind}. deprecated: use the 'watch' "
                      "parameter with a list operation instead.",
                      produces=watch_produces, responses=event),
            "parameters": scope_params + _LIST_PARAMS + [_PRETTY],
        }
        paths[f"{root}/watch{scope}/{rtype.plural}/{{name}}"] = {
            "get": op(f"watch{gvt}{nsd}{kind}", "watch",
                      f"watch changes to an object of kind {kind}. deprecated: use the 'watch' parameter "
                      "with a list operation instead, filtered to a single item with the 'fieldSelector' parameter.",
                      produces=watch_produces, responses=event),
            "parameters": [name_param] + scope_params + _LIST_PARAMS + [_PRETTY],
        }
    if ns and "list" in verbs:
        paths[f"{root}/{rtype.plural}"] = {
            "get": op(f"list{gvt}{kind}ForAllNamespaces", "list", f"list or watch objects of kind {kind}",
                      produces=_PRODUCES_WATCH, responses=_responses(lst, "200")),
            "parameters": _LIST_PARAMS + [_PRETTY],
        }
    if ns and "watch" in verbs:
        paths[f"{root}/watch/{rtype.plural}"] = {
            "get": op(f"watch{gvt}{kind}ListForAllNamespaces", "watchlist",
                      f"watch individual changes to a list of {kind}. deprecated: use the 'watch' "
                      "parameter with a list operation instead.",
                      produces=_PRODUCES_WATCH, responses=_responses(_ref(WATCH_EVENT), "200")),
            "parameters": _LIST_PARAMS + [_PRETTY],
        }

    for sub in rtype.subresources:
        _subresource_paths(paths, f"{root}{scope}/{rtype.plural}/{{name}}/{sub.name}", rtype, sub,
                           model, item_params, tag, gvt, nsd)


_CONNECT_METHODS = {"get": "get", "create": "post", "update": "put", "delete": "delete", "patch": "patch"}


def _subresource_paths(paths, path, rtype, sub, model, item_params, tag, gvt, nsd):
    sub_name = sub.name
    kind = sub.kind_for(rtype)
    group, version = sub.group_version_for(rtype)
    gvk = {"group": group, "kind": kind, "version": version}
    title = sub_name[:1].upper() + sub_name[1:]
    base = f"{gvt}{nsd}{rtype.kind}{title}"
    item_params = [dict(p, description=f"name of the {kind}") if p["name"] == "name" else p for p in item_params]

    def op(op_id, action, description, **kw):
        return _operation(op_id, action, gvk, description, tag=tag, **kw)

    entry = {}
    if sub.connect:
        text = {"type": "string"}
        for verb in sorted(sub.verbs):
            method = _CONNECT_METHODS[verb]
            if sub_name == "log":
                entry[method] = op(f"read{base}", "get", f"read log of the specified {rtype.kind}",
                                   produces=["text/plain", "application/json", "application/yaml"],
                                   responses=_responses(text, "200"))
            else:
                # connectCoreV1GetNamespacedPodExec: the HTTP method follows the group-version.
                entry[method] = op(f"connect{gvt}{method.capitalize()}{nsd}{rtype.kind}{title}", "connect",
                                   f"connect {method.upper()} requests to {sub_name} of {rtype.kind}",
                                   produces=["*/*"], responses=_responses(text, "200"))
        entry["parameters"] = item_params
        paths[path] = entry
        if sub_name == "proxy":
            paths[path + "/{path}"] = {
                **{m: dict(o, operationId=o["operationId"] + "WithPath") for m, o in entry.items() if m != "parameters"},
                "parameters": item_params + [_path_param("path", "path to the resource")],
            }
        return

    if kind == rtype.kind and (group, version) == (rtype.group, rtype.version):
        sub_def = model.kind_names(rtype)[0]
    else:
        sub_def = model.lookup(group, version, kind) or model.kind_names(rtype)[0]
    obj = _ref(sub_def)
    if "get" in sub.verbs:
        entry["get"] = op(f"read{base}", "get", f"read {sub_name} of the specified {rtype.kind}",
                          responses=_responses(obj, "200"))
    if "update" in sub.verbs:
        entry["put"] = op(f"replace{base}", "put", f"replace {sub_name} of the specified {rtype.kind}",
                          params=_WRITE_PARAMS, body=obj, responses=_responses(obj, "200", "201"))
    if "patch" in sub.verbs:
        entry["patch"] = op(f"patch{base}", "patch", f"partially update {sub_name} of the specified {rtype.kind}",
                            params=_WRITE_PARAMS + [_FORCE], body=_ref(PATCH), consumes=_patch_types(rtype),
                            responses=_responses(obj, "200", "201"))
    if "create" in sub.verbs:
        entry["post"] = op(f"create{base}", "post", f"create {sub_name} of a {rtype.kind}",
                           params=_WRITE_PARAMS, body=obj, responses=_responses(obj, "200", "201", "202"))
    entry["parameters"] = item_params
    paths[path] = entry


def _discovery_path(op_id, description, definition, tag):
    return {
        "get": {
            "description": description,
            "consumes": ["application/json", "application/yaml"],
            "produces": ["application/json", "application/yaml"],
            "schemes": ["https"],
            "tags": [tag],
            "operationId": op_id,
            "responses": _responses(_ref(definition), "200"),
        }
    }


def _group_root(group, version):
    return f"/apis/{group}/{version}" if group else f"/api/{version}"


def _gv_paths(registry, model, group, version):
    paths = {}
    root = _group_root(group, version)
    paths[root + "/"] = _discovery_path(f"get{_gv_token(group, version)}APIResources",
                                        "get available resources", META + "APIResourceList", _tag(group, version))
    for rtype in sorted(_types_in(registry, group, version), key=lambda t: t.plural):
        _resource_paths(paths, root, rtype, model)
    return paths


def _types_in(registry, group, version):
    return [t for t in registry.types() if t.group == group and t.version == version]


def _discovery_paths(kind, group=""):
    if kind == "api":
        return {"/api/": _discovery_path("getCoreAPIVersions", "get available API versions",
                                         META + "APIVersions", "core")}
    if kind == "apis":
        return {"/apis/": _discovery_path("getAPIVersions", "get available API versions",
                                          META + "APIGroupList", "apis")}
    token = _group_token(group)
    return {f"/apis/{group}/": _discovery_path(f"get{token}APIGroup", "get information of a group",
                                               META + "APIGroup", token[:1].lower() + token[1:])}


# --------------------------------------------------------------------------
# Documents


def _served_gvs(registry):
    return {(g, v) for g, vs in registry.group_versions().items() for v in vs}


def _definitions_for(model, paths, v3):
    roots = _refs(paths, set())
    return {name: model.definition(name, v3) for name in model.closure(roots)}


def _build_v2(registry):
    types = registry.types()
    model = _Model(types, _served_gvs(registry))
    paths = {}
    paths.update(_discovery_paths("api"))
    paths.update(_discovery_paths("apis"))
    for group, versions in registry.group_versions().items():
        if group:
            paths.update(_discovery_paths("group", group))
        for version in versions:
            paths.update(_gv_paths(registry, model, group, version))
    paths = dict(sorted(paths.items()))
    return {
        "swagger": "2.0",
        "info": {"title": "Kubernetes", "version": VERSION},
        "paths": paths,
        "definitions": _definitions_for(model, paths, v3=False),
        "securityDefinitions": copy.deepcopy(_SECURITY_SCHEME),
        "security": [{"BearerToken": []}],
    }


def _v3_parameter(param):
    out = {"name": param["name"], "in": param["in"], "description": param.get("description", "")}
    if param.get("required"):
        out["required"] = True
    out["schema"] = {"type": param["type"], "uniqueItems": True}
    return out


def _v3_operation(op):
    op = copy.deepcopy(op)
    consumes = op.pop("consumes", ["*/*"])
    produces = op.pop("produces", ["application/json"])
    op.pop("schemes", None)
    params = []
    for param in op.pop("parameters", []):
        if param["in"] == "body":
            body = {"content": {ct: {"schema": _to_v3_refs(param["schema"])} for ct in consumes}}
            if param.get("required"):
                body["required"] = True
            op["requestBody"] = body
        else:
            params.append(_v3_parameter(param))
    if params:
        op["parameters"] = params
    responses = {}
    for code, response in op.pop("responses", {}).items():
        out = {"description": response["description"]}
        if "schema" in response:
            out["content"] = {ct: {"schema": _to_v3_refs(response["schema"])} for ct in produces}
        responses[code] = out
    op["responses"] = responses
    return op


def _to_v3_refs(schema):
    if "$ref" in schema:
        return {"$ref": V3_REF + schema["$ref"].rsplit("/", 1)[-1]}
    return copy.deepcopy(schema)


def _v3_paths(paths):
    out = {}
    for path, item in paths.items():
        entry = {}
        for method, op in item.items():
            if method == "parameters":
                entry["parameters"] = [_v3_parameter(p) for p in op]
            else:
                entry[method] = _v3_operation(op)
        out[path] = entry
    return out


def _build_v3(registry, path):
    """The v3 document served at /openapi/v3/<path>, or None."""
    parts = path.strip("/").split("/")
    group_versions = registry.group_versions()
    gv = None
    if parts == ["api"]:
        paths = _discovery_paths("api")
    elif parts == ["apis"]:
        paths = _discovery_paths("apis")
    elif len(parts) == 2 and parts[0] == "api" and parts[1] in group_versions.get("", []):
        gv = ("", parts[1])
    elif len(parts) == 2 and parts[0] == "apis" and parts[1] and parts[1] in group_versions:
        paths = _discovery_paths("group", parts[1])
    elif len(parts) == 3 and parts[0] == "apis" and parts[1] and parts[2] in group_versions.get(parts[1], []):
        gv = (parts[1], parts[2])
    else:
        return None
    model_types = _types_in(registry, *gv) if gv else []
    model = _Model(model_types, _served_gvs(registry))
    if gv:
        paths = _gv_paths(registry, model, *gv)
    paths = dict(sorted(paths.items()))
    return {
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": VERSION},
        "paths": _v3_paths(paths),
        "components": {
            "schemas": _definitions_for(model, paths, v3=True),
            "securitySchemes": copy.deepcopy(_SECURITY_SCHEME),
        },
        "security": [{"BearerToken": []}],
    }


def _v3_paths_of(registry):
    """Every document path the v3 index lists, in order."""
    out = ["api", "apis"]
    for group, versions in registry.group_versions().items():
        if group:
            out.append(f"apis/{group}")
        for version in versions:
            out.append(f"apis/{group}/{version}" if group else f"api/{version}")
    return out


# --------------------------------------------------------------------------
# Caching: documents are keyed by what they are built from.


class _Built:
    __slots__ = ("document", "body", "etag")

    def __init__(self, document):
        self.document = document
        self.body = json.dumps(document, separators=(",", ":")).encode()
        self.etag = hashlib.sha512(self.body).hexdigest().upper()


_cache = OrderedDict()
_cache_lock = threading.Lock()
_CACHE_SIZE = 64


def _cached(key, build):
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    value = build()
    with _cache_lock:
        _cache[key] = value
        _cache.move_to_end(key)
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return value


def clear_cache():
    with _cache_lock:
        _cache.clear()


def _type_key(rtype):
    schema = rtype.openapi_schema
    schema_key = None
    if schema is not None:
        schema_key = hashlib.sha256(json.dumps(schema, sort_keys=True).encode()).hexdigest()
    return (rtype.group, rtype.version, rtype.kind, rtype.plural, rtype.namespaced,
            tuple(sorted(rtype.verbs)), tuple(sub.name for sub in rtype.subresources), schema_key)


def _fingerprint(types):
    return hashlib.sha256(repr(sorted(_type_key(t) for t in types)).encode()).hexdigest()


def _registry_key(registry):
    # Shared definitions list only served group-versions, so every document
    # depends on the set of group-versions too.
    return _fingerprint(registry.types()), tuple(sorted(_served_gvs(registry)))


def _v2_built(registry):
    return _cached(("v2",) + _registry_key(registry), lambda: _Built(_build_v2(registry)))


def _v3_built(registry, path):
    path = path.strip("/")
    parts = path.split("/")
    if len(parts) >= 2 and parts[0] in ("api", "apis"):
        group, version = ("", parts[1]) if parts[0] == "api" else (parts[1], parts[2] if len(parts) > 2 else None)
        types = [t for t in registry.types() if t.group == group and (version is None or t.version == version)]
    else:
        types = []
    key = ("v3", path, _fingerprint(types), tuple(sorted(_served_gvs(registry))))

    def build():
        doc = _build_v3(registry, path)
        return None if doc is None else _Built(doc)

    return _cached(key, build)


# --------------------------------------------------------------------------
# Public API


def v2(registry):
    """The swagger 2.0 document of everything served (do not mutate: cached)."""
    return _v2_built(registry).document


def v2_json(registry):
    """``(body bytes, etag)`` for /openapi/v2 as JSON."""
    built = _v2_built(registry)
    return built.body, built.etag


def v2_protobuf(registry):
    """``(body bytes, etag)`` for /openapi/v2 as gnostic openapi_v2.Document protobuf.

    kubectl asks for ``ACCEPT_V2_PROTOBUF`` only; answer with
    ``CONTENT_TYPE_V2_PROTOBUF``. The etag is the JSON document's, as upstream.
    """
    built = _v2_built(registry)

    def build():
        return encode_v2_protobuf(built.document)

    body = _cached(("v2pb", built.etag), build)
    return body, built.etag


def v3_document(registry, path):
    """The OpenAPI 3.0 document at /openapi/v3/<path> ("api/v1", "apis/apps/v1",
    "apis/apps", "api", "apis"), or None when nothing is served there."""
    built = _v3_built(registry, path)
    return None if built is None else built.document


def v3_json(registry, path):
    """``(body bytes, etag)`` of ``v3_document``, or None. Serve the bytes as
    ``application/json``; the etag is the ``hash`` query value of the index."""
    built = _v3_built(registry, path)
    return None if built is None else (built.body, built.etag)


def v3(registry, group, version):
    """The OpenAPI 3.0 document of one group-version, or None."""
    return v3_document(registry, f"apis/{group}/{version}" if group else f"api/{version}")


def v3_hash(registry, path):
    built = _v3_built(registry, path)
    return None if built is None else built.etag


def v3_index(registry):
    """/openapi/v3: document path → serverRelativeURL carrying the content hash."""
    out = {}
    for path in _v3_paths_of(registry):
        built = _v3_built(registry, path)
        if built is not None:
            out[path] = {"serverRelativeURL": f"/openapi/v3/{path}?hash={built.etag}"}
    return {"paths": out}


# --------------------------------------------------------------------------
# Protobuf encoding of a swagger 2.0 document as gnostic's openapi_v2
# messages (github.com/google/gnostic-models/openapiv2/OpenAPIv2.proto).
# Only what kube-apiserver's documents use; extension, default and enum
# values are carried as YAML text (JSON is YAML), like gnostic does.


def _pb_str(number, value):
    return encode_bytes(number, value.encode()) if value else b""


def _pb_strs(number, values):
    return b"".join(encode_bytes(number, v.encode()) for v in values)


def _pb_bool(number, value, always=False):
    return encode_key(number, 0) + (b"\x01" if value else b"\x00") if (value or always) else b""


def _pb_int(number, value):
    return encode_key(number, 0) + encode_varint(int(value)) if value else b""


def _pb_double(number, value):
    return encode_key(number, 1) + struct.pack("<d", float(value)) if value else b""


def _pb_any(number, value):
    # openapi_v2.Any{yaml = 2}
    return encode_bytes(number, _pb_str(2, json.dumps(value)))


def _pb_extensions(number, mapping):
    # repeated NamedAny{name = 1, value = 2}
    return b"".join(
        encode_bytes(number, _pb_str(1, key) + _pb_any(2, value))
        for key, value in mapping.items()
        if key.startswith("x-")
    )


# Schema fields: name → (number, encoder)
_SCHEMA_SCALARS = {
    "$ref": (1, _pb_str), "format": (2, _pb_str), "title": (3, _pb_str), "description": (4, _pb_str),
    "multipleOf": (6, _pb_double), "maximum": (7, _pb_double), "exclusiveMaximum": (8, _pb_bool),
    "minimum": (9, _pb_double), "exclusiveMinimum": (10, _pb_bool), "maxLength": (11, _pb_int),
    "minLength": (12, _pb_int), "pattern": (13, _pb_str), "maxItems": (14, _pb_int), "minItems": (15, _pb_int),
    "uniqueItems": (16, _pb_bool), "maxProperties": (17, _pb_int), "minProperties": (18, _pb_int),
    "discriminator": (26, _pb_str), "readOnly": (27, _pb_bool),
}


def _pb_schema(schema):
    out = bytearray()
    for key, (number, encode) in _SCHEMA_SCALARS.items():
        if key in schema:
            out += encode(number, schema[key])
    if "default" in schema:
        out += _pb_any(5, schema["default"])
    out += _pb_strs(19, schema.get("required", ()))
    for value in schema.get("enum", ()):
        out += _pb_any(20, value)
    extra = schema.get("additionalProperties")
    if isinstance(extra, bool):
        out += encode_bytes(21, _pb_bool(2, extra, always=True))
    elif isinstance(extra, dict):
        out += encode_bytes(21, encode_bytes(1, _pb_schema(extra)))
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        out += encode_bytes(22, _pb_strs(1, types))
    items = schema.get("items")
    if items is not None:
        items = items if isinstance(items, list) else [items]
        out += encode_bytes(23, b"".join(encode_bytes(1, _pb_schema(i)) for i in items))
    for sub in schema.get("allOf", ()):
        out += encode_bytes(24, _pb_schema(sub))
    if "properties" in schema:
        named = b"".join(
            encode_bytes(1, _pb_str(1, name) + encode_bytes(2, _pb_schema(sub)))
            for name, sub in schema["properties"].items()
        )
        out += encode_bytes(25, named)
    if "example" in schema:
        out += _pb_any(30, schema["example"])
    out += _pb_extensions(31, schema)
    return bytes(out)


def _pb_parameter(param):
    # ParametersItem{parameter = 1: Parameter{body_parameter = 1 | non_body_parameter = 2}}
    if param["in"] == "body":
        body = (_pb_str(1, param.get("description", "")) + _pb_str(2, param["name"]) + _pb_str(3, "body")
                + _pb_bool(4, param.get("required")) + encode_bytes(5, _pb_schema(param["schema"]))
                + _pb_extensions(6, param))
        return encode_bytes(1, encode_bytes(1, body))
    common = (_pb_bool(1, param.get("required")) + _pb_str(2, param["in"])
              + _pb_str(3, param.get("description", "")) + _pb_str(4, param["name"]))
    if param["in"] == "path":
        # PathParameterSubSchema: type 5, format 6, unique_items 19, vendor_extension 22
        sub = (common + _pb_str(5, param.get("type", "")) + _pb_str(6, param.get("format", ""))
               + _pb_bool(19, param.get("uniqueItems")) + _pb_extensions(22, param))
        which = 4
    elif param["in"] == "query":
        # QueryParameterSubSchema: type 6, format 7, unique_items 20, vendor_extension 23
        sub = (common + _pb_str(6, param.get("type", "")) + _pb_str(7, param.get("format", ""))
               + _pb_bool(20, param.get("uniqueItems")) + _pb_extensions(23, param))
        which = 3
    else:  # header: type 5, format 6, unique_items 19, vendor_extension 22
        sub = (common + _pb_str(5, param.get("type", "")) + _pb_str(6, param.get("format", ""))
               + _pb_bool(19, param.get("uniqueItems")) + _pb_extensions(22, param))
        which = 1
    return encode_bytes(1, encode_bytes(2, encode_bytes(which, sub)))


def _pb_operation(op):
    out = bytearray()
    out += _pb_strs(1, op.get("tags", ()))
    out += _pb_str(2, op.get("summary", ""))
    out += _pb_str(3, op.get("description", ""))
    out += _pb_str(5, op.get("operationId", ""))
    out += _pb_strs(6, op.get("produces", ()))
    out += _pb_strs(7, op.get("consumes", ()))
    for param in op.get("parameters", ()):
        out += encode_bytes(8, _pb_parameter(param))
    codes = bytearray()
    for code, response in op.get("responses", {}).items():
        resp = _pb_str(1, response.get("description", ""))
        if "schema" in response:
            resp += encode_bytes(2, encode_bytes(1, _pb_schema(response["schema"])))  # SchemaItem{schema = 1}
        # NamedResponseValue{name = 1, value = 2: ResponseValue{response = 1}}
        codes += encode_bytes(1, _pb_str(1, code) + encode_bytes(2, encode_bytes(1, resp)))
    out += encode_bytes(9, bytes(codes))
    out += _pb_strs(10, op.get("schemes", ()))
    out += _pb_bool(11, op.get("deprecated"))
    out += _pb_extensions(13, op)
    return bytes(out)


_PATH_METHODS = {"get": 2, "put": 3, "post": 4, "delete": 5, "options": 6, "head": 7, "patch": 8}


def _pb_path_item(item):
    out = bytearray()
    for method, number in _PATH_METHODS.items():
        if method in item:
            out += encode_bytes(number, _pb_operation(item[method]))
    for param in item.get("parameters", ()):
        out += encode_bytes(9, _pb_parameter(param))
    out += _pb_extensions(10, item)
    return bytes(out)


def encode_v2_protobuf(document):
    """Serialize a swagger 2.0 dict (as ``v2`` builds) to openapi_v2.Document bytes."""
    out = bytearray()
    out += _pb_str(1, document.get("swagger", "2.0"))
    info = document.get("info", {})
    out += encode_bytes(2, _pb_str(1, info.get("title", "")) + _pb_str(2, info.get("version", ""))
                     + _pb_str(3, info.get("description", "")))
    paths = b"".join(
        encode_bytes(2, _pb_str(1, path) + encode_bytes(2, _pb_path_item(item)))
        for path, item in document.get("paths", {}).items()
    )
    out += encode_bytes(8, paths)
    definitions = b"".join(
        encode_bytes(1, _pb_str(1, name) + encode_bytes(2, _pb_schema(schema)))
        for name, schema in document.get("definitions", {}).items()
    )
    out += encode_bytes(9, definitions)
    for requirement in document.get("security", ()):
        # SecurityRequirement{additional_properties = 1: NamedStringArray{name, value: StringArray}}
        named = b"".join(
            encode_bytes(1, _pb_str(1, name) + encode_bytes(2, _pb_strs(1, scopes)))
            for name, scopes in requirement.items()
        )
        out += encode_bytes(12, named)
    schemes = document.get("securityDefinitions", {})
    if schemes:
        named = bytearray()
        for name, scheme in schemes.items():
            # SecurityDefinitionsItem{api_key_security = 2: ApiKeySecurity{type, name, in, description}}
            api_key = (_pb_str(1, scheme.get("type", "")) + _pb_str(2, scheme.get("name", ""))
                       + _pb_str(3, scheme.get("in", "")) + _pb_str(4, scheme.get("description", "")))
            named += encode_bytes(1, _pb_str(1, name) + encode_bytes(2, encode_bytes(2, api_key)))
        out += encode_bytes(13, bytes(named))
    out += _pb_extensions(16, document)
    return bytes(out)
