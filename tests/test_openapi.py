"""OpenAPI v2/v3 documents (resources.endpoints.openapi): structure, and what kubectl reads."""
import hashlib
import json
import re

import pytest

from tests.kinds import EVICTION, EXEC, LOG, PROXY
from resources.endpoints import openapi
from resources.kinds.core import BINDING, FINALIZE
from resources.registry import Registry, ResourceType
from resources.subresources.scale import WORKLOAD_SCALE
from resources.subresources.status import STATUS

CRONTAB_SCHEMA = {
    "type": "object",
    "properties": {
        "spec": {
            "type": "object",
            "properties": {
                "cronSpec": {"type": "string"},
                "replicas": {"type": "integer", "nullable": True},
                "port": {"x-kubernetes-int-or-string": True,
                         "anyOf": [{"type": "integer"}, {"type": "string"}]},
            },
        },
        "status": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
    },
}
ACTIONS = {"get", "list", "post", "put", "patch", "delete", "deletecollection", "watch", "watchlist", "connect"}


def sample_registry(crd=True):
    r = Registry()
    r.register(ResourceType(group="", version="v1", kind="ConfigMap", plural="configmaps", namespaced=True))
    r.register(ResourceType(group="", version="v1", kind="Namespace", plural="namespaces", namespaced=False,
                            subresources=(STATUS, FINALIZE)))
    r.register(ResourceType(group="", version="v1", kind="Pod", plural="pods", namespaced=True,
                            subresources=(STATUS, BINDING, EVICTION, LOG, EXEC, PROXY)))
    r.register(ResourceType(group="", version="v1", kind="Service", plural="services", namespaced=True,
                            subresources=(STATUS,)))
    r.register(ResourceType(group="apps", version="v1", kind="Deployment", plural="deployments", namespaced=True,
                            subresources=(STATUS, WORKLOAD_SCALE)))
    r.register(ResourceType(group="autoscaling", version="v1", kind="HorizontalPodAutoscaler",
                            plural="horizontalpodautoscalers", namespaced=True, subresources=(STATUS,)))
    r.register(ResourceType(group="autoscaling", version="v2", kind="HorizontalPodAutoscaler",
                            plural="horizontalpodautoscalers", namespaced=True, subresources=(STATUS,)))
    r.register(ResourceType(group="authorization.k8s.io", version="v1", kind="SelfSubjectAccessReview",
                            plural="selfsubjectaccessreviews", namespaced=False, verbs=("create",)))
    # JSONSchemaProps has fields named like extensions (x-kubernetes-validations).
    r.register(ResourceType(group="apiextensions.k8s.io", version="v1", kind="CustomResourceDefinition",
                            plural="customresourcedefinitions", namespaced=False, subresources=(STATUS,)))
    if crd:
        crontab = ResourceType(group="stable.example.com", version="v1", kind="CronTab", plural="crontabs",
                               namespaced=True, subresources=(STATUS, WORKLOAD_SCALE))
        crontab.openapi_schema = CRONTAB_SCHEMA
        r.register(crontab)
    return r


@pytest.fixture(scope="module")
def registry():
    return sample_registry()


@pytest.fixture(scope="module")
def v2(registry):
    return openapi.v2(registry)


def walk(node, path=()):
    """Yield (path, dict) for every dict in a JSON document."""
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from walk(value, path + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from walk(value, path + (i,))


def schema_nodes(definitions):
    """Every schema object inside definitions (not extension values, not property maps)."""
    def visit(schema, path):
        if not isinstance(schema, dict):
            return
        yield path, schema
        for key, value in schema.items():
            if key.startswith("x-"):
                continue
            if key in ("properties", "patternProperties"):
                for name, sub in value.items():
                    yield from visit(sub, path + (key, name))
            elif key in ("items", "additionalProperties", "not"):
                if isinstance(value, dict):
                    yield from visit(value, path + (key,))
            elif key in ("allOf", "anyOf", "oneOf"):
                for i, sub in enumerate(value):
                    yield from visit(sub, path + (key, i))
    for name, schema in definitions.items():
        yield from visit(schema, (name,))


def refs(document):
    return [(p, node["$ref"]) for p, node in walk(document) if isinstance(node.get("$ref"), str)]


def operations(paths):
    for path, item in paths.items():
        for method, op in item.items():
            if method != "parameters":
                yield path, method, op


def gvk_definition(schemas, group, version, kind):
    """Find a kind's schema the way kubectl explain does: by x-kubernetes-group-version-kind."""
    for name, schema in schemas.items():
        for gvk in schema.get("x-kubernetes-group-version-kind", []):
            if (gvk["group"], gvk["version"], gvk["kind"]) == (group, version, kind):
                return name, schema
    return None, None


# -------------------------------------------------------------------- v2


def test_v2_refs_resolve(v2):
    assert v2["swagger"] == "2.0"
    assert v2["info"]["title"] == "Kubernetes" and v2["info"]["version"].startswith("v1.")
    found = refs(v2)
    assert found
    for path, ref in found:
        assert ref.startswith("#/definitions/"), (path, ref)
        assert ref[len("#/definitions/"):] in v2["definitions"], (path, ref)


def test_v2_schemas_are_swagger(v2):
    for path, schema in schema_nodes(v2["definitions"]):
        assert not isinstance(schema.get("type"), list), path
        for key in ("oneOf", "anyOf", "not", "nullable", "$defs", "$schema"):
            assert key not in schema, (path, key)
    defs = v2["definitions"]
    assert defs["io.k8s.apimachinery.pkg.util.intstr.IntOrString"]["type"] == "string"
    assert defs["io.k8s.apimachinery.pkg.util.intstr.IntOrString"]["format"] == "int-or-string"
    assert defs["io.k8s.apimachinery.pkg.api.resource.Quantity"]["type"] == "string"
    assert defs["io.k8s.api.core.v1.Pod"]["type"] == "object"
    # kube-apiserver does not pin apiVersion/kind with enums.
    assert "enum" not in defs["io.k8s.api.core.v1.Pod"]["properties"]["kind"]


def test_v2_keeps_kubernetes_extensions(v2):
    defs = v2["definitions"]
    assert defs["io.k8s.api.core.v1.Pod"]["x-kubernetes-group-version-kind"] == [
        {"group": "", "kind": "Pod", "version": "v1"}]
    containers = defs["io.k8s.api.core.v1.PodSpec"]["properties"]["containers"]
    assert containers["x-kubernetes-patch-merge-key"] == "name"
    assert containers["x-kubernetes-patch-strategy"] == "merge"
    assert containers["x-kubernetes-list-type"] == "map"
    assert containers["x-kubernetes-list-map-keys"] == ["name"]
    # Shared kinds list only the group-versions this server serves.
    gvks = {(g["group"], g["version"]) for g in defs[openapi.DELETE_OPTIONS]["x-kubernetes-group-version-kind"]}
    assert gvks == {("", "v1"), ("apps", "v1"), ("autoscaling", "v1"), ("autoscaling", "v2"),
                    ("authorization.k8s.io", "v1"), ("apiextensions.k8s.io", "v1"), ("stable.example.com", "v1")}
    validations = defs["io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps"]["properties"][
        "x-kubernetes-validations"]
    assert validations["items"]["$ref"].endswith("apiextensions.v1.ValidationRule")


def test_v2_definitions_cover_served_kinds(v2):
    defs = v2["definitions"]
    for name in ("io.k8s.api.core.v1.ConfigMap", "io.k8s.api.core.v1.ConfigMapList", "io.k8s.api.apps.v1.Deployment",
                 "io.k8s.api.autoscaling.v1.Scale", "io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler",
                 "io.k8s.api.autoscaling.v1.HorizontalPodAutoscaler", "io.k8s.api.core.v1.Binding",
                 "io.k8s.api.policy.v1.Eviction", openapi.STATUS, openapi.WATCH_EVENT, openapi.PATCH,
                 "com.example.stable.v1.CronTab", "com.example.stable.v1.CronTabList"):
        assert name in defs, name
    assert "io.k8s.api.batch.v1.Job" not in defs  # nothing unreferenced
    crontab = defs["com.example.stable.v1.CronTab"]
    assert crontab["x-kubernetes-group-version-kind"] == [
        {"group": "stable.example.com", "kind": "CronTab", "version": "v1"}]
    assert crontab["properties"]["metadata"]["$ref"] == "#/definitions/" + openapi.OBJECT_META
    assert crontab["properties"]["spec"]["properties"]["port"] == {
        "x-kubernetes-int-or-string": True, "type": "string", "format": "int-or-string"}
    assert crontab["properties"]["status"]["x-kubernetes-preserve-unknown-fields"] is True


def test_v2_paths(v2):
    paths = v2["paths"]
    for path in (
        "/api/", "/api/v1/", "/apis/", "/apis/apps/", "/apis/apps/v1/",
        "/api/v1/namespaces/{namespace}/configmaps",
        "/api/v1/namespaces/{namespace}/configmaps/{name}",
        "/api/v1/configmaps",
        "/api/v1/watch/namespaces/{namespace}/configmaps",
        "/api/v1/watch/namespaces/{namespace}/configmaps/{name}",
        "/api/v1/watch/configmaps",
        "/api/v1/namespaces", "/api/v1/namespaces/{name}", "/api/v1/namespaces/{name}/status",
        "/api/v1/namespaces/{name}/finalize",
        "/api/v1/namespaces/{namespace}/pods/{name}/binding",
        "/api/v1/namespaces/{namespace}/pods/{name}/eviction",
        "/api/v1/namespaces/{namespace}/pods/{name}/log",
        "/api/v1/namespaces/{namespace}/pods/{name}/exec",
        "/api/v1/namespaces/{namespace}/pods/{name}/proxy/{path}",
        "/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale",
        "/apis/autoscaling/v2/namespaces/{namespace}/horizontalpodautoscalers/{name}/status",
        "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
        "/apis/stable.example.com/v1/namespaces/{namespace}/crontabs/{name}/scale",
    ):
        assert path in paths, path
    assert "/api/v1/namespaces/{name}/finalize" in paths
    assert list(paths["/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"]) == ["post", "parameters"]
    assert "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews/{name}" not in paths

    item = paths["/api/v1/namespaces/{namespace}/configmaps/{name}"]
    assert set(item) == {"get", "put", "patch", "delete", "parameters"}
    assert {p["name"] for p in item["parameters"]} == {"name", "namespace", "pretty"}
    patch = item["patch"]
    assert patch["operationId"] == "patchCoreV1NamespacedConfigMap"
    assert patch["x-kubernetes-action"] == "patch"
    assert patch["x-kubernetes-group-version-kind"] == {"group": "", "kind": "ConfigMap", "version": "v1"}
    assert "application/apply-patch+yaml" in patch["consumes"]
    assert {p["name"] for p in patch["parameters"]} >= {"body", "dryRun", "fieldManager", "fieldValidation", "force"}

    scale = paths["/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale"]
    assert scale["get"]["operationId"] == "readAppsV1NamespacedDeploymentScale"
    assert scale["put"]["x-kubernetes-group-version-kind"] == {"group": "autoscaling", "kind": "Scale", "version": "v1"}
    assert scale["get"]["responses"]["200"]["schema"] == {"$ref": "#/definitions/io.k8s.api.autoscaling.v1.Scale"}

    binding = paths["/api/v1/namespaces/{namespace}/pods/{name}/binding"]
    assert list(binding) == ["post", "parameters"]
    assert binding["post"]["operationId"] == "createCoreV1NamespacedPodBinding"

    lst = paths["/api/v1/configmaps"]["get"]
    assert lst["operationId"] == "listCoreV1ConfigMapForAllNamespaces" and lst["x-kubernetes-action"] == "list"
    watch = paths["/api/v1/watch/namespaces/{namespace}/configmaps"]["get"]
    assert watch["x-kubernetes-action"] == "watchlist"
    assert watch["responses"]["200"]["schema"]["$ref"] == "#/definitions/" + openapi.WATCH_EVENT


def test_v2_operations(v2):
    ids = [op["operationId"] for _, _, op in operations(v2["paths"])]
    assert len(ids) == len(set(ids)), "operation ids must be unique"
    for path, method, op in operations(v2["paths"]):
        assert op["responses"], (path, method)
        if "x-kubernetes-action" in op:
            assert op["x-kubernetes-action"] in ACTIONS
            assert set(op["x-kubernetes-group-version-kind"]) == {"group", "version", "kind"}
        for param in op.get("parameters", []):
            assert param["in"] in ("query", "path", "body")
            assert ("schema" in param) == (param["in"] == "body")


def test_v2_json_and_cache(registry):
    body, etag = openapi.v2_json(registry)
    assert json.loads(body) == openapi.v2(registry)
    assert etag == hashlib.sha512(body).hexdigest().upper()
    assert openapi.v2(registry) is openapi.v2(registry)
    # Same contents, different registry object: same document.
    assert openapi.v2_json(sample_registry())[1] == etag
    assert openapi.v2_json(sample_registry(crd=False))[1] != etag


# ---------------------------------------------------------- v2 protobuf


def read_varint(data, pos):
    shift = result = 0
    while True:
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7


def decode(data):
    """Wire-format decode: [(field number, wire type, value)]; fails on malformed input."""
    fields, pos = [], 0
    while pos < len(data):
        key, pos = read_varint(data, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = read_varint(data, pos)
        elif wire == 1:
            value, pos = data[pos:pos + 8], pos + 8
        elif wire == 2:
            length, pos = read_varint(data, pos)
            value, pos = data[pos:pos + length], pos + length
        else:
            raise AssertionError(f"unexpected wire type {wire}")
        assert pos <= len(data)
        fields.append((number, wire, value))
    return fields


def field(fields, number):
    return [v for n, _, v in fields if n == number]


def test_v2_protobuf(registry, v2):
    body, etag = openapi.v2_protobuf(registry)
    assert etag == openapi.v2_json(registry)[1]
    doc = decode(body)
    assert field(doc, 1) == [b"2.0"]
    info = decode(field(doc, 2)[0])
    assert field(info, 1) == [b"Kubernetes"]
    # Paths{path = 2: NamedPathItem}
    named_paths = field(decode(field(doc, 8)[0]), 2)
    assert [field(decode(p), 1)[0].decode() for p in named_paths] == list(v2["paths"])
    # Definitions{additional_properties = 1: NamedSchema{name, value: Schema}}
    named = {}
    for entry in field(decode(field(doc, 9)[0]), 1):
        entry = decode(entry)
        named[field(entry, 1)[0].decode()] = decode(field(entry, 2)[0])
    assert list(named) == list(v2["definitions"])
    pod = named["io.k8s.api.core.v1.Pod"]
    assert field(decode(field(pod, 22)[0]), 1) == [b"object"]  # type
    extensions = {}
    for ext in field(pod, 31):  # vendor_extension: NamedAny{name, value: Any{yaml = 2}}
        ext = decode(ext)
        extensions[field(ext, 1)[0].decode()] = json.loads(field(decode(field(ext, 2)[0]), 2)[0])
    assert extensions == {"x-kubernetes-group-version-kind": [{"group": "", "kind": "Pod", "version": "v1"}]}
    props = {}
    for entry in field(decode(field(pod, 25)[0]), 1):
        entry = decode(entry)
        props[field(entry, 1)[0].decode()] = decode(field(entry, 2)[0])
    assert field(props["metadata"], 1) == [b"#/definitions/" + openapi.OBJECT_META.encode()]


# -------------------------------------------------------------------- v3


def expected_index_paths():
    return {"api", "apis", "api/v1", "apis/apps", "apis/apps/v1", "apis/autoscaling", "apis/autoscaling/v1",
            "apis/apiextensions.k8s.io", "apis/apiextensions.k8s.io/v1",
            "apis/autoscaling/v2", "apis/authorization.k8s.io", "apis/authorization.k8s.io/v1",
            "apis/stable.example.com", "apis/stable.example.com/v1"}


def test_v3_index(registry):
    index = openapi.v3_index(registry)
    assert set(index) == {"paths"}
    assert set(index["paths"]) == expected_index_paths()
    for path, entry in index["paths"].items():
        url = entry["serverRelativeURL"]
        match = re.fullmatch(r"/openapi/v3/(.+)\?hash=([0-9A-F]{128})", url)
        assert match and match.group(1) == path, url
        body, etag = openapi.v3_json(registry, path)
        assert match.group(2) == etag == hashlib.sha512(body).hexdigest().upper()


def test_v3_hash_changes_only_for_changed_group_version():
    before = openapi.v3_index(sample_registry())["paths"]
    changed = sample_registry()
    changed.register(ResourceType(group="apps", version="v1", kind="ReplicaSet", plural="replicasets",
                                  namespaced=True, subresources=(STATUS, WORKLOAD_SCALE)))
    after = openapi.v3_index(changed)["paths"]
    assert after["apis/apps/v1"] != before["apis/apps/v1"]
    assert after["api/v1"] == before["api/v1"]
    assert after["apis/autoscaling/v2"] == before["apis/autoscaling/v2"]


@pytest.mark.parametrize("path", sorted(expected_index_paths()))
def test_v3_documents_are_valid(registry, path):
    body, _ = openapi.v3_json(registry, path)
    doc = json.loads(body)
    assert doc == openapi.v3_document(registry, path)
    assert doc["openapi"].startswith("3.0")
    assert set(doc) >= {"openapi", "info", "paths", "components"}
    schemas = doc["components"]["schemas"]
    for where, ref in refs(doc):
        assert ref.startswith("#/components/schemas/"), (where, ref)
        assert ref[len("#/components/schemas/"):] in schemas, (where, ref)
    for where, schema in schema_nodes(schemas):
        assert not isinstance(schema.get("type"), list), where
        if "$ref" in schema:
            assert set(schema) == {"$ref"}, where  # 3.0 ignores $ref siblings: wrapped in allOf
    for where, node in walk(doc["paths"]):
        if "$ref" in node:
            assert set(node) == {"$ref"}, where
    for route, method, op in operations(doc["paths"]):
        assert "consumes" not in op and "produces" not in op
        for param in op.get("parameters", []):
            assert param["in"] in ("query", "path") and "schema" in param and "type" not in param
        for response in op["responses"].values():
            for media in response.get("content", {}).values():
                assert "schema" in media
        if "requestBody" in op:
            assert op["requestBody"]["content"]
    for item in doc["paths"].values():
        for param in item.get("parameters", []):
            assert "schema" in param


def test_v3_group_version_document(registry):
    doc = openapi.v3(registry, "apps", "v1")
    assert doc == openapi.v3_document(registry, "apis/apps/v1")
    assert set(doc["paths"]) == {
        "/apis/apps/v1/",
        "/apis/apps/v1/deployments",
        "/apis/apps/v1/namespaces/{namespace}/deployments",
        "/apis/apps/v1/namespaces/{namespace}/deployments/{name}",
        "/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale",
        "/apis/apps/v1/namespaces/{namespace}/deployments/{name}/status",
        "/apis/apps/v1/watch/deployments",
        "/apis/apps/v1/watch/namespaces/{namespace}/deployments",
        "/apis/apps/v1/watch/namespaces/{namespace}/deployments/{name}",
    }
    schemas = doc["components"]["schemas"]
    assert "io.k8s.api.core.v1.ConfigMap" not in schemas  # only what this group-version needs
    name, deployment = gvk_definition(schemas, "apps", "v1", "Deployment")
    assert name == "io.k8s.api.apps.v1.Deployment"
    assert deployment["properties"]["metadata"] == {
        "allOf": [{"$ref": "#/components/schemas/" + openapi.OBJECT_META}],
        "description": deployment["properties"]["metadata"]["description"],
    }
    assert gvk_definition(schemas, "autoscaling", "v1", "Scale")[0] == "io.k8s.api.autoscaling.v1.Scale"
    int_or_string = schemas["io.k8s.apimachinery.pkg.util.intstr.IntOrString"]
    assert int_or_string["format"] == "int-or-string"
    assert int_or_string["oneOf"] == [{"type": "integer"}, {"type": "string"}]
    assert schemas["io.k8s.apimachinery.pkg.api.resource.Quantity"]["oneOf"] == [
        {"type": "string"}, {"type": "number"}]
    strategy = schemas["io.k8s.api.apps.v1.DeploymentSpec"]["properties"]["strategy"]
    assert strategy["x-kubernetes-patch-strategy"] == "retainKeys"

    create = doc["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments"]["post"]
    assert create["requestBody"]["required"] is True
    assert create["requestBody"]["content"]["*/*"]["schema"] == {
        "$ref": "#/components/schemas/io.k8s.api.apps.v1.Deployment"}
    assert create["responses"]["201"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/io.k8s.api.apps.v1.Deployment"}
    patch = doc["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]["patch"]
    assert set(patch["requestBody"]["content"]) == {
        "application/json-patch+json", "application/merge-patch+json",
        "application/strategic-merge-patch+json", "application/apply-patch+yaml"}


def supports_query_param(doc, gvk, name):
    """kubectl's check (cli-runtime supportsQueryParamV3): the first PATCH
    operation of the GVK decides whether the server takes ?fieldValidation."""
    for item in doc["paths"].values():
        op = item.get("patch")
        if not op or op.get("x-kubernetes-group-version-kind") != gvk:
            continue
        return any(p["name"] == name and p["in"] == "query" for p in op.get("parameters", []))
    return None


@pytest.mark.parametrize("group, version, kind", [
    ("", "v1", "ConfigMap"), ("", "v1", "Pod"), ("", "v1", "Namespace"), ("apps", "v1", "Deployment"),
    ("autoscaling", "v1", "HorizontalPodAutoscaler"), ("autoscaling", "v2", "HorizontalPodAutoscaler"),
    ("stable.example.com", "v1", "CronTab"),
])
def test_v3_server_side_field_validation_is_advertised(registry, group, version, kind):
    doc = openapi.v3(registry, group, version)
    gvk = {"group": group, "kind": kind, "version": version}
    assert supports_query_param(doc, gvk, "fieldValidation") is True
    for item in doc["paths"].values():  # every PATCH of the kind, subresources included
        if item.get("patch", {}).get("x-kubernetes-group-version-kind") == gvk:
            assert "fieldValidation" in {p["name"] for p in item["patch"]["parameters"]}


def test_v3_custom_resource(registry):
    doc = openapi.v3(registry, "stable.example.com", "v1")
    schemas = doc["components"]["schemas"]
    name, crontab = gvk_definition(schemas, "stable.example.com", "v1", "CronTab")
    assert name == "com.example.stable.v1.CronTab"
    spec = crontab["properties"]["spec"]
    assert spec["properties"]["replicas"] == {"type": "integer", "nullable": True}
    assert spec["properties"]["port"] == {"x-kubernetes-int-or-string": True,
                                          "anyOf": [{"type": "integer"}, {"type": "string"}]}
    assert gvk_definition(schemas, "stable.example.com", "v1", "CronTabList")[0] == "com.example.stable.v1.CronTabList"
    scale = doc["paths"]["/apis/stable.example.com/v1/namespaces/{namespace}/crontabs/{name}/scale"]["get"]
    assert scale["x-kubernetes-group-version-kind"] == {"group": "autoscaling", "kind": "Scale", "version": "v1"}


def test_custom_resource_without_schema():
    r = Registry()
    r.register(ResourceType(group="example.com", version="v1alpha1", kind="Widget", plural="widgets",
                            namespaced=False))
    doc = openapi.v3(r, "example.com", "v1alpha1")
    name, widget = gvk_definition(doc["components"]["schemas"], "example.com", "v1alpha1", "Widget")
    assert name == "com.example.v1alpha1.Widget"
    assert widget["x-kubernetes-preserve-unknown-fields"] is True
    assert "/apis/example.com/v1alpha1/widgets/{name}" in doc["paths"]


def test_v3_discovery_documents(registry):
    assert "/api/" in openapi.v3_document(registry, "api")["paths"]
    assert "/apis/" in openapi.v3_document(registry, "apis")["paths"]
    group = openapi.v3_document(registry, "apis/autoscaling")
    assert list(group["paths"]) == ["/apis/autoscaling/"]
    assert "io.k8s.apimachinery.pkg.apis.meta.v1.APIGroup" in group["components"]["schemas"]


@pytest.mark.parametrize("path", ["api/v2", "apis/apps/v2", "apis/nope", "apis/nope/v1", "version", "", "apis/apps/v1/x"])
def test_v3_unknown_paths(registry, path):
    assert openapi.v3_document(registry, path) is None
    assert openapi.v3_json(registry, path) is None


def test_builtin_registry_documents():
    """Every built-in kind the server registers has its real schema."""
    from resources.registry import builtin

    types = builtin.types()
    if not types:
        pytest.skip("no built-in types registered yet")
    doc = openapi.v2(builtin)
    for path, ref in refs(doc):
        assert ref[len("#/definitions/"):] in doc["definitions"], (path, ref)
    for rtype in types:
        if rtype.openapi_schema is None:
            assert openapi._builtin_name(rtype.group, rtype.version, rtype.kind), rtype.kind
    for path in openapi.v3_index(builtin)["paths"]:
        assert openapi.v3_document(builtin, path) is not None


def test_every_kubernetes_kind_resolves():
    """A registry of every kind in the v1.32 schemas: all references resolve
    (catches references hidden in fields named like extensions)."""
    r = Registry()
    for name, schema in openapi._source_definitions().items():
        gvks = schema.get("x-kubernetes-group-version-kind") or []
        metadata = (schema.get("properties") or {}).get("metadata", {}).get("$ref", "")
        if len(gvks) != 1 or name.endswith("List") or not metadata.endswith("ObjectMeta"):
            continue
        gvk = gvks[0]
        r.register(ResourceType(group=gvk["group"], version=gvk["version"], kind=gvk["kind"],
                                plural=gvk["kind"].lower() + "s", namespaced=True, subresources=(STATUS,)))
    assert len(r.types()) > 50
    doc = openapi.v2(r)
    for path, ref in refs(doc):
        assert ref[len("#/definitions/"):] in doc["definitions"], (path, ref)
    decode(openapi.v2_protobuf(r)[0])
    for path in openapi.v3_index(r)["paths"]:
        v3 = openapi.v3_document(r, path)
        for where, ref in refs(v3):
            assert ref[len("#/components/schemas/"):] in v3["components"]["schemas"], (path, where, ref)
