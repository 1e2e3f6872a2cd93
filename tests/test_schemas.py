"""Built-in schemas and the decoder behaviour derived from them, checked
against the messages kube-apiserver (sigs.k8s.io/json + the Go types)
produces."""
import copy
import time

import pytest

from resources.schema import builtin as schemas
from resources.schema.builtin import (
    base64_error,
    decode_error,
    definition_name,
    definitions,
    go_time_parse_error,
    prune_unknown,
    quantity_error,
    strict_decoding_message,
    type_errors,
    unknown_field_message,
    unknown_fields,
)

POD = "io.k8s.api.core.v1.Pod"
CM = "io.k8s.api.core.v1.ConfigMap"
SECRET = "io.k8s.api.core.v1.Secret"
SVC = "io.k8s.api.core.v1.Service"
DEPLOY = "io.k8s.api.apps.v1.Deployment"
CRD = "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition"
QTY_FORMAT = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
RFC3339 = '"2006-01-02T15:04:05Z07:00"'


def test_definitions_load_once():
    defs = definitions()
    assert defs is definitions()
    assert len(defs) == 638
    assert defs[CM]["properties"]["data"]["additionalProperties"]["type"] == ["string", "null"]


@pytest.mark.parametrize(
    "gvk, name",
    [
        (("", "v1", "ConfigMap"), CM),
        (("", "v1", "Pod"), POD),
        (("apps", "v1", "Deployment"), DEPLOY),
        (("apiextensions.k8s.io", "v1", "CustomResourceDefinition"), CRD),
        (("apiregistration.k8s.io", "v1", "APIService"), "io.k8s.kube-aggregator.pkg.apis.apiregistration.v1.APIService"),
        (("rbac.authorization.k8s.io", "v1", "ClusterRole"), "io.k8s.api.rbac.v1.ClusterRole"),
        (("apps", "v1", "ConfigMap"), None),
        (("", "v1", "Deployment"), None),
        (("", "v2", "Pod"), None),
    ],
)
def test_definition_name(gvk, name):
    assert definition_name(*gvk) == name


def pod(**spec):
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p", "labels": {"any": "thing"}, "annotations": {"x/y": "z"}},
        "spec": {"containers": [{"name": "c", "image": "nginx"}], **spec},
    }


def test_unknown_fields_paths():
    obj = pod()
    obj["metadata"]["foo"] = 1
    obj["spec"]["bar"] = {"nested": True}
    obj["spec"]["containers"].append({"name": "d", "image": "x", "baz": 1, "ports": [{"containerPort": 80, "qux": 2}]})
    obj["status"] = {"phase": "Running", "zzz": 1}
    obj["top"] = 1
    # document order, as the decoder meets them
    assert unknown_fields(obj, POD) == [
        "metadata.foo",
        "spec.containers[1].baz",
        "spec.containers[1].ports[0].qux",
        "spec.bar",
        "status.zzz",
        "top",
    ]
    assert unknown_fields(pod(), POD) == []


def test_unknown_fields_maps_and_free_form():
    # labels/annotations and RawExtension/FieldsV1 are free-form
    obj = {
        "metadata": {"name": "a", "managedFields": [{"manager": "m", "fieldsV1": {"f:data": {"f:x": {}}}}]},
        "data": {"anything": "goes"},
    }
    assert unknown_fields(obj, CM) == []
    # fieldValidation works case-sensitively, like the Go decoder
    assert unknown_fields({"Data": {}, "metadata": {"Name": "a"}}, CM) == ["Data", "metadata.Name"]
    # a map whose values are structs: the key is part of the path
    crd = {
        "spec": {
            "versions": [{"name": "v1", "schema": {"openAPIV3Schema": {"properties": {"spec": {"type": "object", "bogus": 1}}}}}]
        }
    }
    assert unknown_fields(crd, CRD) == ["spec.versions[0].schema.openAPIV3Schema.properties.spec.bogus"]
    # values of the wrong type are not entered (Go reports a type error instead)
    assert unknown_fields({"spec": "x", "metadata": ["y"]}, POD) == []


def test_unknown_fields_capped_at_100():
    obj = {"metadata": {"name": "a"}, **{f"f{i}": i for i in range(150)}}
    assert unknown_fields(obj, CM) == [f"f{i}" for i in range(100)]


def test_unknown_field_messages():
    assert unknown_field_message("spec.foo") == 'unknown field "spec.foo"'
    assert strict_decoding_message(["a", 'b"c']) == 'strict decoding error: unknown field "a", unknown field "b\\"c"'


def test_prune_unknown():
    obj = pod()
    obj["spec"]["bar"] = 1
    obj["spec"]["containers"][0]["baz"] = 2
    obj["metadata"]["labels"]["keep"] = "me"
    pruned = prune_unknown(obj, POD)
    assert pruned is obj
    assert obj == {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p", "labels": {"any": "thing", "keep": "me"}, "annotations": {"x/y": "z"}},
        "spec": {"containers": [{"name": "c", "image": "nginx"}]},
    }


def test_prune_unknown_schema_props_unions_are_case_insensitive():
    # items/additionalProperties are decoded by plain encoding/json: no
    # strict errors, case-insensitive keys, unknown keys dropped.
    crd = {"spec": {"versions": [{"schema": {"openAPIV3Schema": {"additionalProperties": {"Type": "string", "zzz": 1}}}}]}}
    assert unknown_fields(crd, CRD) == []
    prune_unknown(crd, CRD)
    assert crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["additionalProperties"] == {"type": "string"}


@pytest.mark.parametrize(
    "obj, defname, errors",
    [
        (
            pod(containers=[{"name": "c", "ports": [{"containerPort": "80"}]}]),
            POD,
            ["json: cannot unmarshal string into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32"],
        ),
        (
            pod(containers=[{"name": "c", "ports": [{"containerPort": 80.5}, {"containerPort": 4294967296}]}]),
            POD,
            [
                "json: cannot unmarshal number 80.5 into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32",
                "json: cannot unmarshal number 4294967296 into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32",
            ],
        ),
        # named Go types are named in the message
        (pod(restartPolicy=1), POD, ["json: cannot unmarshal number into Go struct field PodSpec.spec.restartPolicy of type v1.RestartPolicy"]),
        (
            pod(containers=[{"name": "c", "resources": {"limits": "1"}}]),
            POD,
            ["json: cannot unmarshal string into Go struct field ResourceRequirements.spec.containers.resources.limits of type v1.ResourceList"],
        ),
        (pod(containers={"name": "c"}), POD, ["json: cannot unmarshal object into Go struct field PodSpec.spec.containers of type []v1.Container"]),
        (pod(containers=["c"]), POD, ["json: cannot unmarshal string into Go struct field PodSpec.spec.containers of type v1.Container"]),
        ({"spec": 5}, POD, ["json: cannot unmarshal number into Go struct field Pod.spec of type v1.PodSpec"]),
        ({"spec": {"hostNetwork": "true"}}, POD, ["json: cannot unmarshal string into Go struct field PodSpec.spec.hostNetwork of type bool"]),
        ({"metadata": {"name": 5}}, CM, ["json: cannot unmarshal number into Go struct field ObjectMeta.metadata.name of type string"]),
        ({"metadata": {"labels": []}}, CM, ["json: cannot unmarshal array into Go struct field ObjectMeta.metadata.labels of type map[string]string"]),
        ({"metadata": {"labels": {"a": 1}}}, CM, ["json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string"]),
        ({"data": {"a": True}}, CM, ["json: cannot unmarshal bool into Go struct field ConfigMap.data of type string"]),
        ({"immutable": "yes"}, CM, ["json: cannot unmarshal string into Go struct field ConfigMap.immutable of type bool"]),
        ({"spec": {"replicas": "3"}}, DEPLOY, ["json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32"]),
        (
            {"spec": {"strategy": {"rollingUpdate": {"maxSurge": True}}}},
            DEPLOY,
            ["json: cannot unmarshal bool into Go struct field RollingUpdateDeployment.spec.strategy.rollingUpdate.maxSurge of type int32"],
        ),
        # IntOrString takes any string or an int32
        ({"spec": {"ports": [{"port": 80, "targetPort": "http"}, {"port": 81, "targetPort": 8080}]}}, SVC, []),
        (
            {"spec": {"ports": [{"port": 80, "targetPort": 1.5}]}},
            SVC,
            ["json: cannot unmarshal number 1.5 into Go struct field ServicePort.spec.ports.targetPort of type int32"],
        ),
        # Quantity: strings and numbers go through ParseQuantity, no context
        (pod(containers=[{"name": "c", "resources": {"limits": {"cpu": "1x"}}}]), POD, [QTY_FORMAT]),
        (pod(containers=[{"name": "c", "resources": {"requests": {"cpu": 0.5, "memory": "1Gi"}}}]), POD, []),
        (pod(containers=[{"name": "c", "resources": {"requests": {"memory": "1Kii"}}}]), POD, ["unable to parse quantity's suffix"]),
        # Time: a string goes through time.Parse(RFC3339)
        (
            {"metadata": {"creationTimestamp": "yesterday"}},
            CM,
            [f'parsing time "yesterday" as {RFC3339}: cannot parse "yesterday" as "2006"'],
        ),
        (
            {"metadata": {"creationTimestamp": 5}},
            CM,
            ["json: cannot unmarshal number into Go struct field ObjectMeta.metadata.creationTimestamp of type string"],
        ),
        ({"metadata": {"creationTimestamp": "2024-01-01T00:00:00Z"}}, CM, []),
        # []byte: base64, decoded by Go with StdEncoding
        ({"data": {"a": "aGVsbG8=", "b": "aGVsbG8"}}, SECRET, ["illegal base64 data at input byte 4"]),
        ({"data": {"a": 5}}, SECRET, ["json: cannot unmarshal number into Go struct field Secret.data of type []uint8"]),
        ({"binaryData": {"a": [104, 105]}}, CM, []),
        ({"binaryData": {"a": [256]}}, CM, ["json: cannot unmarshal number 256 into Go struct field ConfigMap.binaryData of type uint8"]),
        # null decodes to the zero value anywhere
        (
            {"metadata": {"name": None, "labels": None, "creationTimestamp": None}, "spec": {"replicas": None, "template": None}},
            DEPLOY,
            [],
        ),
        # apiVersion and kind are the caller's
        ({"apiVersion": 1, "kind": ["x"]}, CM, []),
    ],
)
def test_type_errors(obj, defname, errors):
    assert type_errors(obj, defname) == errors


def test_decode_error_precedence():
    # a plain mismatch is remembered and decoding goes on ...
    obj = pod(containers=[{"name": "c", "ports": [{"containerPort": "80"}]}], hostNetwork=1)
    assert decode_error(obj, POD) == (
        "json: cannot unmarshal string into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32"
    )
    # ... but an error from a custom decoder ends decoding and wins
    obj["spec"]["containers"][0]["resources"] = {"limits": {"cpu": "bad"}}
    assert decode_error(obj, POD) == QTY_FORMAT
    assert decode_error(pod(), POD) is None


def test_schema_props_unions():
    def crd(schema):
        return {"spec": {"versions": [{"name": "v1", "schema": {"openAPIV3Schema": schema}}]}}

    assert type_errors(crd({"type": "object", "additionalProperties": True, "items": [{"type": "string"}]}), CRD) == []
    assert type_errors(crd({"additionalProperties": "yes"}), CRD) == ["boolean or JSON schema expected"]
    # the inner error gets the outer decoder's context: the union field
    assert type_errors(crd({"additionalProperties": {"type": 5}}), CRD) == [
        "json: cannot unmarshal number into Go struct field JSONSchemaProps.spec.versions.schema.openAPIV3Schema.additionalProperties of type string"
    ]
    assert type_errors(crd({"properties": {"a": {"type": 5}}}), CRD) == [
        "json: cannot unmarshal number into Go struct field JSONSchemaProps.spec.versions.schema.openAPIV3Schema.properties.type of type string"
    ]
    # other shapes of items are ignored by its UnmarshalJSON
    assert type_errors(crd({"items": 5}), CRD) == []


DEPLOYMENT = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "web", "namespace": "default", "labels": {"app": "web"}},
    "spec": {
        "replicas": 3,
        "selector": {"matchLabels": {"app": "web"}},
        "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 1}},
        "template": {
            "metadata": {"labels": {"app": "web"}},
            "spec": {
                "containers": [
                    {
                        "name": "web",
                        "image": "nginx:1.27",
                        "ports": [{"containerPort": 80, "protocol": "TCP"}],
                        "env": [{"name": "A", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}],
                        "resources": {"limits": {"cpu": "500m", "memory": "128Mi"}, "requests": {"cpu": 0.25}},
                        "livenessProbe": {"httpGet": {"path": "/", "port": "http"}, "periodSeconds": 10},
                        "volumeMounts": [{"name": "data", "mountPath": "/data"}],
                    }
                ],
                "volumes": [{"name": "data", "emptyDir": {"sizeLimit": "1Gi"}}],
                "tolerations": [{"key": "k", "operator": "Exists", "effect": "NoSchedule"}],
            },
        },
    },
    "status": {"conditions": [{"type": "Available", "status": "True", "lastUpdateTime": "2024-01-01T00:00:00Z"}]},
}


def test_valid_deployment():
    assert unknown_fields(DEPLOYMENT, DEPLOY) == []
    assert type_errors(DEPLOYMENT, DEPLOY) == []
    assert decode_error(DEPLOYMENT, DEPLOY) is None
    assert prune_unknown(copy.deepcopy(DEPLOYMENT), DEPLOY) == DEPLOYMENT


@pytest.mark.parametrize(
    "value, error",
    [
        ("2024-01-01T00:00:00Z", None),
        ("2024-01-01T00:00:00.5+05:30", None),
        ("2024-02-29T00:00:00Z", None),
        ("2023-02-29T00:00:00Z", 'parsing time "2023-02-29T00:00:00Z": day out of range'),
        ("2024-13-01T00:00:00Z", 'parsing time "2024-13-01T00:00:00Z": month out of range'),
        ("2024-01-01T24:00:00Z", 'parsing time "2024-01-01T24:00:00Z": hour out of range'),
        ("2024-01-01", f'parsing time "2024-01-01" as {RFC3339}: cannot parse "" as "T"'),
        ("2024-01-01T00:00:00", f'parsing time "2024-01-01T00:00:00" as {RFC3339}: cannot parse "" as "Z07:00"'),
        ("2024-01-01 00:00:00Z", f'parsing time "2024-01-01 00:00:00Z" as {RFC3339}: cannot parse " 00:00:00Z" as "T"'),
        ("2024-1-01T00:00:00Z", f'parsing time "2024-1-01T00:00:00Z" as {RFC3339}: cannot parse "1-01T00:00:00Z" as "01"'),
        ("2024-01-01T00:00:00+0100", f'parsing time "2024-01-01T00:00:00+0100" as {RFC3339}: cannot parse "+0100" as "Z07:00"'),
        ("2024-01-01T00:00:00Zx", 'parsing time "2024-01-01T00:00:00Zx": extra text: "x"'),
    ],
)
def test_go_time_parse_error(value, error):
    assert go_time_parse_error(value) == error


def test_micro_time():
    layout = "2006-01-02T15:04:05.000000Z07:00"
    assert go_time_parse_error("2024-01-01T00:00:00.123456Z", layout) is None
    assert go_time_parse_error("2024-01-01T00:00:00Z", layout) == (
        f'parsing time "2024-01-01T00:00:00Z" as "{layout}": cannot parse "Z" as ".000000"'
    )
    lease = "io.k8s.api.coordination.v1.Lease"
    assert type_errors({"spec": {"renewTime": "2024-01-01T00:00:00.000001Z"}}, lease) == []


@pytest.mark.parametrize(
    "value, error",
    [
        ("1", None), ("100m", None), ("1.5Gi", None), ("1e3", None), ("1E", None), ("-1", None), ("+.5", None),
        ("abc", QTY_FORMAT), ("", QTY_FORMAT), ("1 Gi", QTY_FORMAT), ("1..2", QTY_FORMAT),
        ("1e", "unable to parse quantity's suffix"), ("5ki", "unable to parse quantity's suffix"),
        (".e-10", "unable to parse numeric part of quantity"),
    ],
)
def test_quantity_error(value, error):
    assert quantity_error(value) == error


@pytest.mark.parametrize(
    "value, error",
    [
        ("", None), ("aGVsbG8=", None), ("aGVsbA==", None), ("aGVs\nbG8=", None),
        ("aGVsbG8", "illegal base64 data at input byte 4"),
        ("aGVsbA=", "illegal base64 data at input byte 7"),
        ("aGVsbG8=x", "illegal base64 data at input byte 8"),
        ("a===", "illegal base64 data at input byte 1"),
        ("aGVs*G8=", "illegal base64 data at input byte 4"),
    ],
)
def test_base64_error(value, error):
    assert base64_error(value) == error


def test_configmap_check_is_fast():
    obj = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "a", "namespace": "b", "labels": {"x": "y"}},
        "data": {"k": "v", "k2": "v2"},
    }
    unknown_fields(obj, CM)  # compile
    n = 2000
    start = time.perf_counter()
    for _ in range(n):
        unknown_fields(obj, CM)
        type_errors(obj, CM)
    per_call = (time.perf_counter() - start) / n
    assert per_call < 100e-6, per_call


def test_every_definition_compiles():
    for name in definitions():
        assert schemas._def_node(name) is not None


def test_go_type_table_matches_the_schemas():
    defs = definitions()
    overrides = schemas._go_type_overrides()
    assert len(overrides) > 150
    for name, fields in overrides.items():
        assert name in defs, name
        assert set(fields) <= set(defs[name]["properties"]), name
