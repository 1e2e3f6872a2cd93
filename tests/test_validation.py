"""Generic validation against apimachinery's messages (util/validation,
api/validation/objectmeta.go, util/validation/field)."""
import pytest

from resources.machinery.validation import (
    go_quote,
    is_config_map_key,
    is_dns1035_label,
    is_dns1123_label,
    is_dns1123_subdomain,
    is_qualified_name,
    is_valid_label_value,
    validate_object_meta,
    validate_object_meta_update,
)

SUBDOMAIN = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must "
    "start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)
LABEL = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and "
    "end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
)
DNS1035 = (
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic "
    "character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for "
    "validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"
)
QNAME = (
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric "
    "character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
    "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
)
LABEL_VALUE = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must "
    "start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used "
    "for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
)
CONFIG_KEY = (
    "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or "
    "'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"
)


def test_dns1123_subdomain():
    assert is_dns1123_subdomain("example.com") == []
    assert is_dns1123_subdomain("a" * 253) == []
    assert is_dns1123_subdomain("Foo_bar") == [SUBDOMAIN]
    assert is_dns1123_subdomain("a" * 254) == ["must be no more than 253 characters"]
    assert is_dns1123_subdomain("-" * 254) == ["must be no more than 253 characters", SUBDOMAIN]
    assert is_dns1123_subdomain("a.") == [SUBDOMAIN]
    # Go's $ does not match before a trailing newline
    assert is_dns1123_subdomain("abc\n") == [SUBDOMAIN]


def test_dns1123_label():
    assert is_dns1123_label("my-name") == []
    assert is_dns1123_label("a.b") == ["must not contain dots"]
    assert is_dns1123_label("A") == [LABEL]
    assert is_dns1123_label("a" * 64) == ["must be no more than 63 characters"]
    assert is_dns1035_label("1abc") == [DNS1035]
    assert is_dns1035_label("abc") == []


def test_qualified_name():
    assert is_qualified_name("MyName") == []
    assert is_qualified_name("example.com/MyName") == []
    assert is_qualified_name("a_") == ["name part " + QNAME]
    assert is_qualified_name("/a") == ["prefix part must be non-empty"]
    assert is_qualified_name("a/") == ["name part must be non-empty", "name part " + QNAME]
    assert is_qualified_name("Example.com/a") == ["prefix part " + SUBDOMAIN]
    assert is_qualified_name("a" * 64) == ["name part must be no more than 63 characters"]
    assert is_qualified_name("a/b/c") == [
        "a qualified name " + QNAME + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
    ]


def test_label_value_and_config_map_key():
    assert is_valid_label_value("") == []
    assert is_valid_label_value("my_value") == []
    assert is_valid_label_value("-x") == [LABEL_VALUE]
    # Go counts bytes: 32 two-byte runes are 64 bytes
    assert is_valid_label_value("é" * 32) == ["must be no more than 63 characters", LABEL_VALUE]
    assert is_config_map_key("key.name") == []
    assert is_config_map_key("a b") == [CONFIG_KEY]
    assert is_config_map_key("..a") == ["must not start with '..'"]
    assert is_config_map_key(".") == ["must not be '.'"]
    assert is_config_map_key("..") == ["must not be '..'"]


def test_go_quote():
    assert go_quote('a"b\\c') == '"a\\"b\\\\c"'
    assert go_quote("a\nb\x00\x7f") == '"a\\nb\\x00\\x7f"'
    assert go_quote("héllo") == '"héllo"'
    assert go_quote("\u200b") == '"\\u200b"'


def meta_errors(meta, namespaced=True, rule="subdomain"):
    return validate_object_meta(meta, namespaced, rule)


def test_object_meta_valid():
    assert meta_errors({"name": "a", "namespace": "default", "labels": {"app": "x"}, "annotations": {"A/b": "x"}}) == []
    # the store fills name from generateName before validation runs
    assert meta_errors({"generateName": "web-", "name": "web-x1", "namespace": "ns"}) == []
    assert meta_errors({"name": "node-1"}, namespaced=False) == []


def test_object_meta_name():
    assert meta_errors({"name": "Foo_bar", "namespace": "ns"}) == [
        ("metadata.name", "FieldValueInvalid", 'Invalid value: "Foo_bar": ' + SUBDOMAIN)
    ]
    assert meta_errors({"namespace": "ns"}) == [
        ("metadata.name", "FieldValueRequired", "Required value: name or generateName is required")
    ]
    assert meta_errors({"name": "a.b", "namespace": "ns"}, rule="label") == [
        ("metadata.name", "FieldValueInvalid", 'Invalid value: "a.b": must not contain dots')
    ]
    assert meta_errors({"name": "a/b%"}, namespaced=False, rule="path_segment") == [
        ("metadata.name", "FieldValueInvalid", "Invalid value: \"a/b%\": may not contain '/'"),
        ("metadata.name", "FieldValueInvalid", "Invalid value: \"a/b%\": may not contain '%'"),
    ]
    assert meta_errors({"name": ".."}, namespaced=False, rule="path_segment") == [
        ("metadata.name", "FieldValueInvalid", "Invalid value: \"..\": may not be '..'")
    ]
    assert meta_errors({"name": "system:admin"}, namespaced=False, rule="path_segment") == []


def test_object_meta_generate_name():
    # The trailing dash is masked before checking ...
    assert meta_errors({"generateName": "web-", "name": "web-abc", "namespace": "ns"}) == []
    # ... by replacing the last two characters with "a", as upstream does:
    # so "W-" is checked as "a" and passes, "Ab-" as "Aa" and fails.
    assert meta_errors({"generateName": "W-", "name": "w-1", "namespace": "ns"}) == []
    assert meta_errors({"generateName": "Ab-", "namespace": "ns"}) == [
        ("metadata.generateName", "FieldValueInvalid", 'Invalid value: "Ab-": ' + SUBDOMAIN),
        ("metadata.name", "FieldValueRequired", "Required value: name or generateName is required"),
    ]


def test_object_meta_namespace():
    assert meta_errors({"name": "a"}) == [("metadata.namespace", "FieldValueRequired", "Required value")]
    assert meta_errors({"name": "a", "namespace": "a.b"}) == [
        ("metadata.namespace", "FieldValueInvalid", 'Invalid value: "a.b": must not contain dots')
    ]
    assert meta_errors({"name": "a", "namespace": "x"}, namespaced=False) == [
        ("metadata.namespace", "FieldValueForbidden", "Forbidden: not allowed on this type")
    ]


def test_object_meta_labels_and_annotations():
    errs = meta_errors({"name": "a", "namespace": "n", "labels": {"a b": "-x"}})
    assert errs == [
        ("metadata.labels", "FieldValueInvalid", 'Invalid value: "a b": name part ' + QNAME),
        ("metadata.labels", "FieldValueInvalid", 'Invalid value: "-x": ' + LABEL_VALUE),
    ]
    errs = meta_errors({"name": "a", "namespace": "n", "annotations": {"a b": "x", "Upper/Case": "ok"}})
    assert errs == [("metadata.annotations", "FieldValueInvalid", 'Invalid value: "a b": name part ' + QNAME)]
    big = {"a": "x" * (256 * 1024)}
    assert meta_errors({"name": "a", "namespace": "n", "annotations": big}) == [
        ("metadata.annotations", "FieldValueTooLong", "Too long: may not be more than 262144 bytes")
    ]
    assert meta_errors({"name": "a", "namespace": "n", "annotations": {"a": "x" * (256 * 1024 - 1)}}) == []


def test_object_meta_finalizers_generation_owner_refs():
    errs = meta_errors({"name": "a", "namespace": "n", "finalizers": ["a b", "orphan", "foregroundDeletion"]})
    assert errs == [
        ("metadata.finalizers", "FieldValueInvalid", 'Invalid value: "a b": name part ' + QNAME),
        (
            "metadata.finalizers",
            "FieldValueInvalid",
            'Invalid value: []string{"a b", "orphan", "foregroundDeletion"}: '
            "finalizer orphan and foregroundDeletion cannot be both set",
        ),
    ]
    assert meta_errors({"name": "a", "namespace": "n", "generation": -1}) == [
        ("metadata.generation", "FieldValueInvalid", "Invalid value: -1: must be greater than or equal to 0")
    ]
    errs = meta_errors({"name": "a", "namespace": "n", "ownerReferences": [{"apiVersion": "", "kind": "", "name": "", "uid": ""}]})
    assert errs == [
        ("metadata.ownerReferences.apiVersion", "FieldValueInvalid", 'Invalid value: "": version must not be empty'),
        ("metadata.ownerReferences.kind", "FieldValueInvalid", 'Invalid value: "": kind must not be empty'),
        ("metadata.ownerReferences.name", "FieldValueInvalid", 'Invalid value: "": name must not be empty'),
        ("metadata.ownerReferences.uid", "FieldValueInvalid", 'Invalid value: "": uid must not be empty'),
    ]
    ok = {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "rs", "uid": "u1", "controller": True}
    assert meta_errors({"name": "a", "namespace": "n", "ownerReferences": [ok]}) == []
    errs = meta_errors({"name": "a", "namespace": "n", "ownerReferences": [ok, dict(ok, name="rs2")]})
    assert [(f, t) for f, t, _ in errs] == [("metadata.ownerReferences", "FieldValueInvalid")]
    assert errs[0][2].endswith(
        'Only one reference can have Controller set to true. Found "true" in references for ReplicaSet/rs and ReplicaSet/rs2'
    )
    errs = meta_errors({"name": "a", "namespace": "n", "ownerReferences": [{"apiVersion": "v1", "kind": "Event", "name": "e", "uid": "u"}]})
    assert errs[0][0] == "metadata.ownerReferences"
    assert errs[0][2].endswith("/v1, Kind=Event is disallowed from being an owner")
    assert errs[0][2].startswith('Invalid value: v1.OwnerReference{APIVersion:"v1", Kind:"Event", Name:"e", UID:"u"')


def test_object_meta_managed_fields():
    errs = meta_errors(
        {
            "name": "a",
            "namespace": "n",
            "managedFields": [{"manager": "m\x07", "operation": "Patch", "fieldsType": "FieldsV2"}],
        }
    )
    assert errs == [
        ("metadata.managedFields[0].operation", "FieldValueInvalid", 'Invalid value: "Patch": must be `Apply` or `Update`'),
        ("metadata.managedFields[0].fieldsType", "FieldValueInvalid", 'Invalid value: "FieldsV2": must be `FieldsV1`'),
        ("metadata.managedFields[0].manager", "FieldValueInvalid", 'Invalid value: "m\\a": invalid character U+0007 (at position 1)'),
    ]


OLD = {
    "name": "a",
    "namespace": "n",
    "uid": "u1",
    "resourceVersion": "5",
    "generation": 3,
    "creationTimestamp": "2024-01-02T03:04:05Z",
}


def test_object_meta_update_immutable():
    assert validate_object_meta_update(dict(OLD), OLD) == []
    # the same instant written differently is the same Time
    assert validate_object_meta_update(dict(OLD, creationTimestamp="2024-01-02T04:04:05+01:00"), OLD) == []
    new = dict(OLD, name="b", namespace="m", uid="u2", creationTimestamp="2024-01-03T00:00:00Z")
    assert validate_object_meta_update(new, OLD) == [
        ("metadata.name", "FieldValueInvalid", 'Invalid value: "b": field is immutable'),
        ("metadata.namespace", "FieldValueInvalid", 'Invalid value: "m": field is immutable'),
        ("metadata.uid", "FieldValueInvalid", 'Invalid value: "u2": field is immutable'),
        ("metadata.creationTimestamp", "FieldValueInvalid", "Invalid value: 2024-01-03 00:00:00 +0000 UTC: field is immutable"),
    ]
    new = {k: v for k, v in OLD.items() if k != "creationTimestamp"}
    assert validate_object_meta_update(new, OLD) == [
        ("metadata.creationTimestamp", "FieldValueInvalid", "Invalid value: 0001-01-01 00:00:00 +0000 UTC: field is immutable"),
    ]


def test_object_meta_update_other_rules():
    new = dict(OLD, resourceVersion="", generation=2, deletionGracePeriodSeconds=30)
    assert validate_object_meta_update(new, OLD) == [
        ("metadata.resourceVersion", "FieldValueInvalid", 'Invalid value: "": must be specified for an update'),
        ("metadata.generation", "FieldValueInvalid", "Invalid value: 2: must not be decremented"),
        ("metadata.deletionGracePeriodSeconds", "FieldValueInvalid", "Invalid value: 30: field is immutable"),
    ]
    deleting = dict(OLD, deletionTimestamp="2024-05-01T00:00:00Z", finalizers=["a"])
    new = dict(deleting, finalizers=["a", "c", "b"])
    assert validate_object_meta_update(new, deleting) == [
        (
            "metadata.finalizers",
            "FieldValueForbidden",
            'Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"b", "c"}',
        )
    ]
    assert validate_object_meta_update(dict(OLD), dict(OLD, deletionTimestamp="2024-05-01T00:00:00Z")) == [
        ("metadata.deletionTimestamp", "FieldValueInvalid", 'Invalid value: "null": field is immutable')
    ]
    assert validate_object_meta_update(dict(OLD, labels={"a": "-"}), OLD) == [
        ("metadata.labels", "FieldValueInvalid", 'Invalid value: "-": ' + LABEL_VALUE)
    ]


@pytest.mark.parametrize("bad", ["", "-a", "a-", "a..b", "a_b", "A"])
def test_subdomain_rejects(bad):
    assert is_dns1123_subdomain(bad) == [SUBDOMAIN]


def test_go_value_formatting():
    from resources.machinery.validation import go_value

    assert go_value(None) == '"null"'
    assert go_value(True) == "true"
    assert go_value(-3) == "-3"
    assert go_value(2.0) == "2"
    assert go_value(1e6) == "1e+06"
    assert go_value(0.25) == "0.25"
    assert go_value(["a", "b"]) == '[]string{"a", "b"}'
    assert go_value("x\ty") == '"x\\ty"'


def test_generate_name():
    from resources.machinery.validation import generate_name

    name = generate_name("web-")
    assert len(name) == 9 and name.startswith("web-")
    assert set(name[4:]) <= set("bcdfghjklmnpqrstvwxz2456789")
    assert generate_name("a" * 100)[:58] == "a" * 58 and len(generate_name("a" * 100)) == 63
    assert is_dns1123_subdomain(generate_name("web-")) == []
