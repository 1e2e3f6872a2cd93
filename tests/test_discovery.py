"""Discovery documents (resources.endpoints.discovery) against upstream shapes.

Expected values are taken from kube-apiserver v1.32 responses
(kubernetes/kubernetes api/discovery/*.json).
"""
import pytest

from tests.kinds import EPHEMERAL_CONTAINERS, EVICTION, EXEC, LOG
from resources.endpoints import discovery
from resources.kinds.core import BINDING, FINALIZE, TOKEN
from resources.registry import Registry, ResourceType
from resources.subresources.scale import WORKLOAD_SCALE
from resources.subresources.status import STATUS

# The Accept headers real clients send to /api and /apis.
KUBECTL_1_30_PLUS = (
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"
    "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,"
    "application/json"
)
KUBECTL_1_26_TO_1_29 = "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json"
PYTHON_CLIENT = "application/json"
ALL_VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]


def sample_registry():
    r = Registry()
    r.register(ResourceType(group="", version="v1", kind="ConfigMap", plural="configmaps", namespaced=True,
                            short_names=("cm",)))
    r.register(ResourceType(group="", version="v1", kind="Namespace", plural="namespaces", namespaced=False,
                            short_names=("ns",), subresources=(STATUS, FINALIZE),
                            verbs=("create", "delete", "get", "list", "patch", "update", "watch")))
    r.register(ResourceType(group="", version="v1", kind="Pod", plural="pods", namespaced=True,
                            short_names=("po",), categories=("all",),
                            subresources=(STATUS, BINDING, EVICTION, LOG, EXEC, EPHEMERAL_CONTAINERS)))
    r.register(ResourceType(group="", version="v1", kind="ServiceAccount", plural="serviceaccounts",
                            namespaced=True, short_names=("sa",), subresources=(TOKEN,)))
    r.register(ResourceType(group="apps", version="v1", kind="Deployment", plural="deployments", namespaced=True,
                            short_names=("deploy",), categories=("all",), subresources=(STATUS, WORKLOAD_SCALE)))
    r.register(ResourceType(group="autoscaling", version="v1", kind="HorizontalPodAutoscaler",
                            plural="horizontalpodautoscalers", namespaced=True, short_names=("hpa",),
                            categories=("all",), subresources=(STATUS,), storage_version="v2"))
    r.register(ResourceType(group="autoscaling", version="v2", kind="HorizontalPodAutoscaler",
                            plural="horizontalpodautoscalers", namespaced=True, short_names=("hpa",),
                            categories=("all",), subresources=(STATUS,)))
    r.register(ResourceType(group="authorization.k8s.io", version="v1", kind="SelfSubjectAccessReview",
                            plural="selfsubjectaccessreviews", namespaced=False, verbs=("create",)))
    return r


@pytest.fixture
def registry():
    return sample_registry()


def by_name(resource_list):
    return {r["name"]: r for r in resource_list["resources"]}


# ----------------------------------------------------------------- legacy


def test_core_versions():
    assert discovery.core_versions("10.10.10.10:8050") == {
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "10.10.10.10:8050"}],
    }
    assert discovery.core_versions()["serverAddressByClientCIDRs"] == []


def test_group_list_prefers_ga_and_newest(registry):
    doc = discovery.group_list(registry)
    assert doc["kind"] == "APIGroupList" and doc["apiVersion"] == "v1"
    names = [g["name"] for g in doc["groups"]]
    assert names == ["apps", "autoscaling", "authorization.k8s.io"]  # registration order, no core group
    autoscaling = doc["groups"][1]
    assert [v["version"] for v in autoscaling["versions"]] == ["v2", "v1"]
    assert autoscaling["preferredVersion"] == {"groupVersion": "autoscaling/v2", "version": "v2"}


def test_group_matches_upstream(registry):
    assert discovery.group(registry, "autoscaling") == {
        "apiVersion": "v1",
        "kind": "APIGroup",
        "name": "autoscaling",
        "preferredVersion": {"groupVersion": "autoscaling/v2", "version": "v2"},
        "versions": [
            {"groupVersion": "autoscaling/v2", "version": "v2"},
            {"groupVersion": "autoscaling/v1", "version": "v1"},
        ],
    }
    assert discovery.group(registry, "nope.example.com") is None
    assert discovery.group(registry, "") is None  # the core group is /api, not /apis/


def test_core_resource_list(registry):
    doc = discovery.resource_list(registry, "", "v1")
    assert doc["kind"] == "APIResourceList" and doc["groupVersion"] == "v1"
    assert "apiVersion" not in doc  # as the legacy /api/v1 handler writes it
    names = [r["name"] for r in doc["resources"]]
    assert names == sorted(names)
    assert names == [
        "configmaps", "namespaces", "namespaces/finalize", "namespaces/status", "pods", "pods/binding",
        "pods/ephemeralcontainers", "pods/eviction", "pods/exec", "pods/log", "pods/status",
        "serviceaccounts", "serviceaccounts/token",
    ]
    resources = by_name(doc)
    assert resources["configmaps"] == {
        "kind": "ConfigMap", "name": "configmaps", "namespaced": True, "shortNames": ["cm"],
        "singularName": "configmap", "storageVersionHash": "qFsyl6wFWjQ=", "verbs": ALL_VERBS,
    }
    assert resources["pods"] == {
        "categories": ["all"], "kind": "Pod", "name": "pods", "namespaced": True, "shortNames": ["po"],
        "singularName": "pod", "storageVersionHash": "xPOwRZ+Yhw8=", "verbs": ALL_VERBS,
    }
    assert resources["pods/binding"] == {
        "kind": "Binding", "name": "pods/binding", "namespaced": True, "singularName": "", "verbs": ["create"],
    }
    assert resources["pods/eviction"] == {
        "group": "policy", "kind": "Eviction", "name": "pods/eviction", "namespaced": True,
        "singularName": "", "verbs": ["create"], "version": "v1",
    }
    assert resources["pods/status"] == {
        "kind": "Pod", "name": "pods/status", "namespaced": True, "singularName": "",
        "verbs": ["get", "patch", "update"],
    }
    assert resources["pods/log"]["verbs"] == ["get"] and resources["pods/log"]["kind"] == "Pod"
    assert resources["pods/exec"]["kind"] == "PodExecOptions"
    assert resources["pods/exec"]["verbs"] == ["create", "get"]
    assert resources["namespaces"]["namespaced"] is False
    assert resources["namespaces"]["storageVersionHash"] == "Q3oi5N2YM8M="
    assert resources["namespaces/finalize"]["verbs"] == ["update"]
    assert resources["serviceaccounts/token"] == {
        "group": "authentication.k8s.io", "kind": "TokenRequest", "name": "serviceaccounts/token",
        "namespaced": True, "singularName": "", "verbs": ["create"], "version": "v1",
    }


def test_apps_resource_list_matches_upstream(registry):
    doc = discovery.resource_list(registry, "apps", "v1")
    assert doc == {
        "apiVersion": "v1",
        "groupVersion": "apps/v1",
        "kind": "APIResourceList",
        "resources": [
            {
                "categories": ["all"], "kind": "Deployment", "name": "deployments", "namespaced": True,
                "shortNames": ["deploy"], "singularName": "deployment", "storageVersionHash": "8aSe+NMegvE=",
                "verbs": ALL_VERBS,
            },
            {
                "group": "autoscaling", "kind": "Scale", "name": "deployments/scale", "namespaced": True,
                "singularName": "", "verbs": ["get", "patch", "update"], "version": "v1",
            },
            {
                "kind": "Deployment", "name": "deployments/status", "namespaced": True, "singularName": "",
                "verbs": ["get", "patch", "update"],
            },
        ],
    }


def test_storage_version_hash(registry):
    # Every served version of a kind reports the hash of its storage version.
    v1 = by_name(discovery.resource_list(registry, "autoscaling", "v1"))["horizontalpodautoscalers"]
    v2 = by_name(discovery.resource_list(registry, "autoscaling", "v2"))["horizontalpodautoscalers"]
    assert v1["storageVersionHash"] == v2["storageVersionHash"] == discovery.storage_version_hash(
        "autoscaling", "v2", "HorizontalPodAutoscaler")
    # Virtual create-only resources are not stored.
    review = by_name(discovery.resource_list(registry, "authorization.k8s.io", "v1"))["selfsubjectaccessreviews"]
    assert "storageVersionHash" not in review and review["verbs"] == ["create"]
    assert discovery.storage_version_hash("", "v1", "Event") == "r2yiGXH7wu8="


def test_resource_list_not_served(registry):
    assert discovery.resource_list(registry, "apps", "v1beta1") is None
    assert discovery.resource_list(registry, "", "v2") is None
    assert discovery.resource_list(registry, "nope", "v1") is None


# ------------------------------------------------------------- aggregated


def test_aggregated_apis(registry):
    doc = discovery.aggregated(registry, "apis", "v2")
    assert doc["kind"] == "APIGroupDiscoveryList"
    assert doc["apiVersion"] == "apidiscovery.k8s.io/v2"
    assert doc["metadata"] == {}
    assert [g["metadata"]["name"] for g in doc["items"]] == ["apps", "autoscaling", "authorization.k8s.io"]
    apps = doc["items"][0]
    assert apps["metadata"] == {"name": "apps", "creationTimestamp": None}
    assert apps["versions"] == [{
        "version": "v1",
        "freshness": "Current",
        "resources": [{
            "categories": ["all"],
            "resource": "deployments",
            "responseKind": {"group": "", "kind": "Deployment", "version": ""},
            "scope": "Namespaced",
            "shortNames": ["deploy"],
            "singularResource": "deployment",
            "subresources": [
                {"responseKind": {"group": "autoscaling", "kind": "Scale", "version": "v1"},
                 "subresource": "scale", "verbs": ["get", "patch", "update"]},
                {"responseKind": {"group": "", "kind": "Deployment", "version": ""},
                 "subresource": "status", "verbs": ["get", "patch", "update"]},
            ],
            "verbs": ALL_VERBS,
        }],
    }]
    autoscaling = doc["items"][1]
    assert [v["version"] for v in autoscaling["versions"]] == ["v2", "v1"]  # preferred first
    review = doc["items"][2]["versions"][0]["resources"][0]
    assert review["scope"] == "Cluster" and review["verbs"] == ["create"] and "subresources" not in review


def test_aggregated_api_is_core_only(registry):
    doc = discovery.aggregated(registry, "api", "v2")
    assert len(doc["items"]) == 1
    core = doc["items"][0]
    assert core["metadata"]["name"] == ""
    assert [v["version"] for v in core["versions"]] == ["v1"]
    resources = {r["resource"]: r for r in core["versions"][0]["resources"]}
    assert sorted(resources) == ["configmaps", "namespaces", "pods", "serviceaccounts"]
    assert resources["namespaces"]["scope"] == "Cluster"
    subs = {s["subresource"]: s for s in resources["pods"]["subresources"]}
    assert subs["binding"] == {"subresource": "binding", "verbs": ["create"],
                               "responseKind": {"group": "", "version": "", "kind": "Binding"}}
    assert subs["eviction"]["responseKind"] == {"group": "policy", "version": "v1", "kind": "Eviction"}
    assert "storageVersionHash" not in resources["pods"]


def test_aggregated_v2beta1(registry):
    doc = discovery.aggregated(registry, "apis", "v2beta1")
    assert doc["apiVersion"] == "apidiscovery.k8s.io/v2beta1"
    assert doc["items"] == discovery.aggregated(registry, "apis", "v2")["items"]


def test_aggregated_rejects_unknown():
    with pytest.raises(ValueError):
        discovery.aggregated(Registry(), "apiz", "v2")
    with pytest.raises(ValueError):
        discovery.aggregated(Registry(), "apis", "v3")


# ------------------------------------------------------------ negotiation


@pytest.mark.parametrize("accept, expected", [
    (KUBECTL_1_30_PLUS, ("v2", "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList")),
    (KUBECTL_1_26_TO_1_29, ("v2beta1", "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList")),
    # kubectl 1.33+ may ask for the peer-less profile first.
    ("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList;profile=nopeer," + KUBECTL_1_30_PLUS,
     ("v2", "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList")),
    (PYTHON_CLIENT, ("legacy", "application/json")),
    ("application/json, */*", ("legacy", "application/json")),
    ("*/*", ("legacy", "application/json")),
    ("", ("legacy", "application/json")),
    (None, ("legacy", "application/json")),
    # Parameter order and spacing do not matter.
    ("application/json; as=APIGroupDiscoveryList; v=v2; g=apidiscovery.k8s.io",
     ("v2", "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList")),
    # Protobuf is not served: fall through to the next acceptable clause.
    ("application/vnd.kubernetes.protobuf;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json",
     ("legacy", "application/json")),
    # q-values reorder clauses.
    ("application/json;q=0.5,application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList",
     ("v2", "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList")),
    # Unknown aggregated versions or other media types: nothing acceptable.
    ("application/json;g=apidiscovery.k8s.io;v=v3;as=APIGroupDiscoveryList", (None, None)),
    ("text/html", (None, None)),
    ("application/vnd.kubernetes.protobuf", (None, None)),
])
def test_negotiate(accept, expected):
    assert discovery.negotiate(accept) == expected


def test_content_type_constants():
    assert discovery.CONTENT_TYPE_AGGREGATED_V2 == "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
    assert discovery.CONTENT_TYPE_AGGREGATED_V2BETA1 == (
        "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList")


def test_discovery_entry_point(registry):
    doc, ctype = discovery.discovery(registry, "apis", KUBECTL_1_30_PLUS)
    assert ctype == discovery.CONTENT_TYPE_AGGREGATED_V2 and doc["kind"] == "APIGroupDiscoveryList"
    doc, ctype = discovery.discovery(registry, "api", PYTHON_CLIENT, "127.0.0.1:6443")
    assert ctype == "application/json" and doc["kind"] == "APIVersions"
    doc, ctype = discovery.discovery(registry, "apis", PYTHON_CLIENT)
    assert doc["kind"] == "APIGroupList"
    assert discovery.discovery(registry, "apis", "text/html") == (None, None)


def test_etag_is_stable(registry):
    a = discovery.etag(discovery.aggregated(registry, "apis"))
    b = discovery.etag(discovery.aggregated(sample_registry(), "apis"))
    assert a == b and len(a) == 128 and a == a.upper()
    registry.register(ResourceType(group="apps", version="v1", kind="ReplicaSet", plural="replicasets",
                                   namespaced=True))
    assert discovery.etag(discovery.aggregated(registry, "apis")) != a
