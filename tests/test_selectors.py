"""Label and field selectors against apimachinery's parser, printer and matcher."""
import pytest

from resources.machinery.errors import APIError
from resources.machinery.selectors import (
    Requirement,
    field_selector_to_string,
    fields_match,
    label_selector_from_dict,
    matches,
    parse_field_selector,
    parse_label_selector,
    selector_to_string,
)

QNAME_NAME_PART = (
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
    "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
)
LABEL_VALUE = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must "
    "start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used "
    "for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
)
BINARY_OPS = "in, notin, =, ==, !=, gt, lt"


def bad(fn, arg):
    with pytest.raises(APIError) as exc:
        fn(arg)
    assert exc.value.code == 400 and exc.value.reason == "BadRequest"
    return exc.value.message


@pytest.mark.parametrize(
    "text, expected",
    [
        ("", []),
        ("a=b", [Requirement("a", "=", ("b",))]),
        ("a==b", [Requirement("a", "=", ("b",))]),
        ("a!=b", [Requirement("a", "!=", ("b",))]),
        ("a", [Requirement("a", "exists", ())]),
        ("!a", [Requirement("a", "!exists", ())]),
        ("a=", [Requirement("a", "=", ("",))]),
        ("a>1,b<2", [Requirement("a", "gt", ("1",)), Requirement("b", "lt", ("2",))]),
        # values of a set are sorted and deduplicated; requirements sorted by key
        ("z in (c,b,b), x notin (y)", [Requirement("x", "notin", ("y",)), Requirement("z", "in", ("b", "c"))]),
        ("a in ()", [Requirement("a", "in", ("",))]),
        ("a in (,x)", [Requirement("a", "in", ("", "x"))]),
        # keywords are identifiers in value position
        ("in=in", [Requirement("in", "=", ("in",))]),
        (" env = prod ,  tier ", [Requirement("env", "=", ("prod",)), Requirement("tier", "exists", ())]),
        ("example.com/app=web", [Requirement("example.com/app", "=", ("web",))]),
    ],
)
def test_parse_label_selector(text, expected):
    assert parse_label_selector(text) == expected


@pytest.mark.parametrize(
    "text, message",
    [
        ("a b", f"unable to parse requirement: found 'b', expected: {BINARY_OPS}"),
        ("a=b c", "found 'c', expected: ',' or 'end of string'"),
        ("a=b,", "found '', expected: identifier after ','"),
        (",a", "found ',', expected: !, identifier, or 'end of string'"),
        ("a in (a b)", "unable to parse requirement: found 'b', expected: ',' or ')'"),
        ("a in b", "unable to parse requirement: found 'b' expected: '('"),
        ("a=(", "unable to parse requirement: found '(', expected: identifier"),
        ("!!a", "unable to parse requirement: found '!', expected: identifier"),
        ("!=a", "found '!=', expected: !, identifier, or 'end of string'"),
        ("!a=b", "found '=', expected: ',' or 'end of string'"),
        ("a b c", f"unable to parse requirement: found 'b', expected: {BINARY_OPS}"),
        # the key is validated with a nil field path, which prints as <nil>
        ("/a=b", 'unable to parse requirement: <nil>: Invalid value: "/a": prefix part must be non-empty'),
        ("a_=b", f'unable to parse requirement: <nil>: Invalid value: "a_": {QNAME_NAME_PART}'),
        ("app=B_", f'unable to parse requirement: values[0][app]: Invalid value: "B_": {LABEL_VALUE}'),
        ("a<x", "unable to parse requirement: values[0]: Invalid value: \"x\": for 'Gt', 'Lt' operators, the value must be an integer"),
    ],
)
def test_parse_label_selector_errors(text, message):
    assert bad(parse_label_selector, text) == message


def test_label_selector_from_dict():
    sel = label_selector_from_dict(
        {
            "matchLabels": {"tier": "web", "app": "x"},
            "matchExpressions": [
                {"key": "env", "operator": "In", "values": ["prod", "dev"]},
                {"key": "canary", "operator": "DoesNotExist"},
                {"key": "zone", "operator": "Exists"},
                {"key": "os", "operator": "NotIn", "values": ["windows"]},
            ],
        }
    )
    assert [r.key for r in sel] == ["app", "canary", "env", "os", "tier", "zone"]
    assert selector_to_string(sel) == "app=x,!canary,env in (dev,prod),os notin (windows),tier=web,zone"
    assert label_selector_from_dict({}) == []  # everything
    assert label_selector_from_dict(None) is None  # nothing
    assert matches(label_selector_from_dict({}), {"a": "b"})
    assert not matches(None, {"a": "b"})


@pytest.mark.parametrize(
    "selector, message",
    [
        ({"matchExpressions": [{"key": "a", "operator": "Foo"}]}, '"Foo" is not a valid label selector operator'),
        (
            {"matchExpressions": [{"key": "a", "operator": "In"}]},
            "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty",
        ),
        (
            {"matchExpressions": [{"key": "a", "operator": "Exists", "values": ["x"]}]},
            'values: Invalid value: []string{"x"}: values set must be empty for exists and does not exist',
        ),
        (
            {"matchLabels": {"a b": "c d"}},
            f'[key: Invalid value: "a b": {QNAME_NAME_PART}, values[0][a b]: Invalid value: "c d": {LABEL_VALUE}]',
        ),
    ],
)
def test_label_selector_from_dict_errors(selector, message):
    assert bad(label_selector_from_dict, selector) == message


def test_selector_to_string_round_trip():
    text = "a in (y,x),b!=c,!d,e,f=g,h notin (i),j>5"
    assert selector_to_string(parse_label_selector(text)) == "a in (x,y),b!=c,!d,e,f=g,h notin (i),j>5"
    assert selector_to_string([]) == ""


@pytest.mark.parametrize(
    "selector, labels, expected",
    [
        ("a=b", {"a": "b"}, True),
        ("a=b", {"a": "c"}, False),
        ("a=b", {}, False),
        ("a!=b", {}, True),
        ("a!=b", {"a": "b"}, False),
        ("a in (x,y)", {"a": "y"}, True),
        ("a in (x,y)", {"a": "z"}, False),
        ("a notin (x,y)", {}, True),
        ("a notin (x,y)", {"a": "x"}, False),
        ("a", {"a": ""}, True),
        ("a", {}, False),
        ("!a", {}, True),
        ("!a", {"a": "1"}, False),
        ("a>5", {"a": "6"}, True),
        ("a>5", {"a": "5"}, False),
        ("a>5", {"a": "x"}, False),
        ("a<5", {"a": "-1"}, True),
        ("a<5", {}, False),
        ("a=b,c", {"a": "b", "c": "d"}, True),
        ("a=b,c", {"a": "b"}, False),
        ("", {}, True),
    ],
)
def test_matches(selector, labels, expected):
    assert matches(parse_label_selector(selector), labels) is expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("", []),
        ("metadata.name=x", [Requirement("metadata.name", "=", ("x",))]),
        ("a==x", [Requirement("a", "=", ("x",))]),
        # terms are parsed in sorted order
        ("status.phase!=Running,metadata.name=x", [Requirement("metadata.name", "=", ("x",)), Requirement("status.phase", "!=", ("Running",))]),
        (r"a=x\,y\=z\\", [Requirement("a", "=", ("x,y=z\\",))]),
        ("a=", [Requirement("a", "=", ("",))]),
        # an empty "=" term is dropped by upstream's Transform
        ("=", []),
        ("a=b,,", [Requirement("a", "=", ("b",))]),
    ],
)
def test_parse_field_selector(text, expected):
    assert parse_field_selector(text) == expected


@pytest.mark.parametrize(
    "text, message",
    [
        ("a", "invalid selector: 'a'; can't understand 'a'"),
        ("x=1,b", "invalid selector: 'x=1,b'; can't understand 'b'"),
        # the rune is printed with %v, i.e. as its code point
        ("a=b=c", "invalid field selector: unescaped character in value: 61"),
        (r"a=\x", r"invalid field selector: invalid escape sequence: \x"),
        ("a=b\\", "invalid field selector: invalid escape sequence: \\"),
    ],
)
def test_parse_field_selector_errors(text, message):
    assert bad(parse_field_selector, text) == message


def test_fields_match_and_string():
    reqs = parse_field_selector("metadata.name=a,status.phase!=Failed")
    assert fields_match(reqs, {"metadata.name": "a", "status.phase": "Running"})
    assert not fields_match(reqs, {"metadata.name": "a", "status.phase": "Failed"})
    assert not fields_match(reqs, {"metadata.name": "b"})
    assert fields_match(parse_field_selector("spec.nodeName="), {})
    assert field_selector_to_string(parse_field_selector(r"a=x\,y")) == r"a=x\,y"
