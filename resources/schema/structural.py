"""Structural schemas of custom resources (a CRD version's openAPIV3Schema).

What kube-apiserver's apiextensions code does with a custom resource's
body, in its order: ``prune`` drops the fields the schema does not
specify (reporting their paths for fieldValidation), ``drop_nulls`` drops
nulls of non-nullable fields without a default, ``default`` fills schema
defaults, and ``validate`` checks the result, worded as kube-openapi's
validator and apiextensions' conversion to field errors word it
(``spec.replicas: Invalid value: "string": spec.replicas in body must be
of type integer: "string"``).

``structural_errors`` checks a schema when a CRD is written (the subset
of upstream's structural-schema rules that keeps this module's walks
well defined).
"""
import copy
import functools
import json

import re2

from resources.machinery import validation as v

PRESERVE = "x-kubernetes-preserve-unknown-fields"
INT_OR_STRING = "x-kubernetes-int-or-string"
EMBEDDED = "x-kubernetes-embedded-resource"
_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.log_errors = False  # a bad pattern is reported as a cause, not logged
_ROOT_KEPT = ("apiVersion", "kind", "metadata")


def _props(schema):
    p = schema.get("properties") if isinstance(schema, dict) else None
    return p if isinstance(p, dict) else {}


def _extra(schema):
    """additionalProperties as a schema, True (anything), or None (not set / false)."""
    ap = schema.get("additionalProperties") if isinstance(schema, dict) else None
    if isinstance(ap, dict):
        return ap
    return True if ap is True else None


def _join(path, key):
    return f"{path}.{key}" if path else key


# ----------------------------------------------------------------- pruning
def prune(obj, schema):
    """Drop what the schema does not specify; returns the dropped paths
    (``spec.foo``, ``spec.items[0].bar``). apiVersion, kind and metadata of
    the object (and of embedded resources) are always kept."""
    dropped = []
    if isinstance(obj, dict):
        _prune_object(obj, schema or {}, "", dropped, root=True)
    return dropped


def _prune_object(obj, schema, path, dropped, root=False):
    props = _props(schema)
    extra = _extra(schema)
    preserve = bool(schema.get(PRESERVE))
    keep = _ROOT_KEPT if (root or schema.get(EMBEDDED)) else ()
    for key in list(obj):
        sub = props.get(key)
        if sub is None and isinstance(extra, dict):
            sub = extra
        if sub is None:
            if key in keep or preserve or extra is True:
                continue
            dropped.append(_join(path, key))
            del obj[key]
            continue
        if key == "metadata" and keep:
            continue  # ObjectMeta: the generic validation owns it
        _prune_value(obj[key], sub, _join(path, key), dropped)


def _prune_value(value, schema, path, dropped):
    if not isinstance(schema, dict):
        return
    if isinstance(value, dict):
        if _props(schema) or _extra(schema) is not None or not schema.get(PRESERVE) or schema.get(EMBEDDED):
            _prune_object(value, schema, path, dropped)
    elif isinstance(value, list):
        items = schema.get("items")
        if isinstance(items, dict):
            for i, item in enumerate(value):
                _prune_value(item, items, f"{path}[{i}]", dropped)


# ------------------------------------------------------ nulls and defaults
def drop_nulls(obj, schema):
    """Nulls of fields that are not nullable and have no default go."""
    _walk_nulls(obj, schema or {})


def _walk_nulls(value, schema):
    if isinstance(value, dict):
        props, extra = _props(schema), _extra(schema)
        for key in list(value):
            sub = props.get(key) or (extra if isinstance(extra, dict) else None)
            if sub is None:
                continue
            if value[key] is None:
                if not sub.get("nullable") and "default" not in sub:
                    del value[key]
            else:
                _walk_nulls(value[key], sub)
    elif isinstance(value, list):
        items = schema.get("items")
        if isinstance(items, dict):
            for item in value:
                if item is not None:
                    _walk_nulls(item, items)


def default(obj, schema):
    """Fill ``default``s of missing (or null, when not nullable) fields, top down."""
    _walk_defaults(obj, schema or {})


def _walk_defaults(value, schema):
    if isinstance(value, dict):
        props, extra = _props(schema), _extra(schema)
        for key, sub in props.items():
            if "default" in sub and (key not in value or (value[key] is None and not sub.get("nullable"))):
                value[key] = copy.deepcopy(sub["default"])
        for key, item in value.items():
            sub = props.get(key) or (extra if isinstance(extra, dict) else None)
            if sub is not None and item is not None:
                _walk_defaults(item, sub)
    elif isinstance(value, list):
        items = schema.get("items")
        if isinstance(items, dict):
            for item in value:
                if item is not None:
                    _walk_defaults(item, items)


# -------------------------------------------------------------- validation
def _type_name(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "integer" if value.is_integer() else "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _type_ok(value, wanted):
    actual = _type_name(value)
    if wanted == "number":
        return actual in ("integer", "number")
    return actual == wanted


def _num(value):
    """%v of a float64 bound, as Go prints it (1, 1.5, 1e+06)."""
    return v._go_float(float(value))


def validate(obj, schema):
    """Causes (field, type, message) for ``obj`` against its version's schema."""
    errs = []
    if isinstance(schema, dict):
        body = {k: val for k, val in obj.items() if k != "metadata"}
        trimmed = dict(schema)
        trimmed["properties"] = {k: s for k, s in _props(schema).items() if k != "metadata"}
        trimmed["required"] = [r for r in schema.get("required") or () if r != "metadata"]
        _validate(body, trimmed, "", errs)
    return errs


def _shown(path):
    return path or "."


def _validate(value, schema, path, errs):
    if not isinstance(schema, dict):
        return
    if value is None:
        if schema.get("nullable") or schema.get(PRESERVE) and "type" not in schema:
            return
        wanted = schema.get("type")
        if wanted:
            errs.append((path, v.TYPE_INVALID, v.error_body(
                v.TYPE_INVALID, "null", f'{_shown(path)} in body must be of type {wanted}: "null"')))
        return
    wanted = schema.get("type")
    if schema.get(INT_OR_STRING):
        if not (isinstance(value, str) or _type_name(value) == "integer"):
            errs.append((path, v.TYPE_INVALID, v.error_body(
                v.TYPE_INVALID, _type_name(value),
                f'{_shown(path)} in body must be of type integer,string: "{_type_name(value)}"')))
            return
    elif wanted and not _type_ok(value, wanted):
        errs.append((path, v.TYPE_INVALID, v.error_body(
            v.TYPE_INVALID, _type_name(value),
            f'{_shown(path)} in body must be of type {wanted}: "{_type_name(value)}"')))
        return

    enum = schema.get("enum")
    if isinstance(enum, list) and not any(_json_equal(value, e) for e in enum):
        allowed = [e if isinstance(e, str) else json.dumps(e, separators=(",", ":")) for e in enum]
        errs.append(v.not_supported(path, value if not isinstance(value, (dict, list)) else
                                    v.GoLiteral(json.dumps(value, separators=(",", ":"))), allowed))

    if isinstance(value, dict):
        _validate_object(value, schema, path, errs)
    elif isinstance(value, list):
        _validate_array(value, schema, path, errs)
    elif isinstance(value, str):
        _validate_string(value, schema, path, errs)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        _validate_number(value, schema, path, errs)

    for i, sub in enumerate(schema.get("allOf") or ()):
        _validate(value, sub, path, errs)
    any_of = schema.get("anyOf")
    if isinstance(any_of, list) and any_of:
        if not any(not _errors_of(value, sub, path) for sub in any_of):
            errs.append(v.invalid(path, _shown_value(value), f"{_shown(path)} in body must validate at least one "
                                  "schema (anyOf)"))
    one_of = schema.get("oneOf")
    if isinstance(one_of, list) and one_of:
        matching = sum(1 for sub in one_of if not _errors_of(value, sub, path))
        if matching != 1:
            found = "Found none valid" if matching == 0 else "Found more than one valid"
            errs.append(v.invalid(path, _shown_value(value), f"{_shown(path)} in body must validate one and only one "
                                  f"schema (oneOf). {found}"))
    if isinstance(schema.get("not"), dict) and not _errors_of(value, schema["not"], path):
        errs.append(v.invalid(path, _shown_value(value), f"{_shown(path)} in body must not validate the schema (not)"))


def _errors_of(value, schema, path):
    out = []
    _validate(value, schema, path, out)
    return out


def _shown_value(value):
    if isinstance(value, (dict, list)):
        return v.GoLiteral(json.dumps(value, separators=(",", ":"), sort_keys=True))
    return value


def _json_equal(a, b):
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return a == b


def _validate_object(value, schema, path, errs):
    for name in schema.get("required") or ():
        if name not in value:
            errs.append(v.required(_join(path, name), ""))
    props, extra = _props(schema), _extra(schema)
    for key, item in value.items():
        sub = props.get(key)
        if sub is None and isinstance(extra, dict):
            sub = extra
        if sub is not None:
            if sub.get(EMBEDDED) and isinstance(item, dict):
                errs.extend(_embedded_errors(item, _join(path, key)))
            _validate(item, sub, _join(path, key), errs)
    count = len(value)
    if isinstance(schema.get("maxProperties"), int) and count > schema["maxProperties"]:
        errs.append((path, v.TOO_MANY, v.error_body(v.TOO_MANY, count,
                                                   f"must have at most {schema['maxProperties']} items")))
    if isinstance(schema.get("minProperties"), int) and count < schema["minProperties"]:
        errs.append(v.invalid(path, count, f"{_shown(path)} in body should have at least "
                                           f"{schema['minProperties']} properties"))


def _embedded_errors(item, path):
    errs = []
    if not item.get("kind"):
        errs.append(v.required(_join(path, "kind"), "must not be empty"))
    if not item.get("apiVersion"):
        errs.append(v.required(_join(path, "apiVersion"), "must not be empty"))
    return errs


def _validate_array(value, schema, path, errs):
    items = schema.get("items")
    if isinstance(items, dict):
        for i, item in enumerate(value):
            _validate(item, items, f"{path}[{i}]", errs)
    n = len(value)
    if isinstance(schema.get("maxItems"), int) and n > schema["maxItems"]:
        errs.append((path, v.TOO_MANY, v.error_body(v.TOO_MANY, n, f"must have at most {schema['maxItems']} items")))
    if isinstance(schema.get("minItems"), int) and n < schema["minItems"]:
        errs.append(v.invalid(path, v.GoLiteral(_go_list(value)),
                              f"{_shown(path)} in body should have at least {schema['minItems']} items"))
    list_type = schema.get("x-kubernetes-list-type")
    if list_type == "set":
        seen = []
        for i, item in enumerate(value):
            if any(_json_equal(item, s) for s in seen):
                errs.append(v.duplicate(f"{path}[{i}]", _shown_value(item)))
            seen.append(item)
    elif list_type == "map":
        keys = schema.get("x-kubernetes-list-map-keys") or ()
        seen = set()
        for i, item in enumerate(value):
            if not isinstance(item, dict):
                continue
            key = json.dumps([item.get(k) for k in keys], sort_keys=True)
            if key in seen:
                shown = "{" + ", ".join(f"{json.dumps(k)}:{json.dumps(item.get(k))}" for k in keys) + "}"
                errs.append(v.duplicate(f"{path}[{i}]", v.GoLiteral(f"map[string]interface {{}}{shown}")))
            seen.add(key)


def _go_list(value):
    return "[]interface {}{" + ", ".join(json.dumps(i) for i in value) + "}"


def _validate_string(value, schema, path, errs):
    length = len(value)  # kube-openapi counts runes
    if isinstance(schema.get("maxLength"), int) and length > schema["maxLength"]:
        errs.append(v.too_long(path, schema["maxLength"]))
    if isinstance(schema.get("minLength"), int) and length < schema["minLength"]:
        errs.append(v.invalid(path, value, f"{_shown(path)} in body should be at least "
                                           f"{schema['minLength']} chars long"))
    pattern = schema.get("pattern")
    if isinstance(pattern, str) and _regex(pattern) is not None and not _regex(pattern).search(value):
        errs.append(v.invalid(path, value, f"{_shown(path)} in body should match '{pattern}'"))


def _regex(pattern):
    """The compiled pattern, or None when it does not compile. RE2, as Go's
    regexp that upstream uses: the same syntax, and matching in linear time,
    so a tenant's pattern cannot tie up a request thread (Python's ``re``
    backtracks: ``^(a+)+$`` against 30 a's and a b takes minutes)."""
    try:
        return _compile(pattern)
    except re2.error:
        return None


@functools.lru_cache(maxsize=4096)
def _compile(pattern):
    return re2.compile(pattern, options=_RE2_OPTIONS)


def regex_error(pattern):
    """Why ``pattern`` does not compile, in Go's words, or None."""
    try:
        _compile(pattern)
    except re2.error as exc:
        reason = exc.args[0].decode() if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        return f"error parsing regexp: {reason}"
    return None


def _validate_number(value, schema, path, errs):
    maximum, minimum = schema.get("maximum"), schema.get("minimum")
    if isinstance(maximum, (int, float)):
        exclusive = bool(schema.get("exclusiveMaximum"))
        if value > maximum or (exclusive and value == maximum):
            word = "less than" if exclusive else "less than or equal to"
            errs.append(v.invalid(path, value, f"{_shown(path)} in body should be {word} {_num(maximum)}"))
    if isinstance(minimum, (int, float)):
        exclusive = bool(schema.get("exclusiveMinimum"))
        if value < minimum or (exclusive and value == minimum):
            word = "greater than" if exclusive else "greater than or equal to"
            errs.append(v.invalid(path, value, f"{_shown(path)} in body should be {word} {_num(minimum)}"))
    factor = schema.get("multipleOf")
    if isinstance(factor, (int, float)) and factor > 0:
        quotient = value / factor
        if quotient != int(quotient):
            errs.append(v.invalid(path, value, f"{_shown(path)} in body should be a multiple of {_num(factor)}"))


# ------------------------------------------------------- structural checks
_TYPES = ("object", "array", "string", "integer", "number", "boolean")


def structural_errors(schema, path):
    """Causes for a CRD version's openAPIV3Schema (``path`` ends in
    ``openAPIV3Schema``): the root is an object, every specified field has
    a type (unless it preserves unknown fields or is int-or-string), array
    items are specified, and no $ref."""
    errs = []
    if not isinstance(schema, dict):
        return [v.required(path, "schemas are required")]
    root_type = schema.get("type")
    if not root_type:
        errs.append(v.required(f"{path}.type", "must not be empty at the root"))
    elif root_type != "object":
        errs.append(v.invalid(f"{path}.type", root_type, "must be object at the root"))
    _structural(schema, path, errs, "root")
    return errs


def _structural(schema, path, errs, where):
    if not isinstance(schema, dict):
        return
    if "$ref" in schema:
        errs.append(v.forbidden(f"{path}.$ref", "$ref is forbidden"))
    t = schema.get("type")
    if t is not None and t not in _TYPES:
        errs.append(v.not_supported(f"{path}.type", t, list(_TYPES)))
    if where != "root" and not t and not schema.get(PRESERVE) and not schema.get(INT_OR_STRING):
        what = "specified object fields" if where == "field" else "specified array items"
        errs.append(v.required(f"{path}.type", f"must not be empty for {what}"))
    pattern = schema.get("pattern")
    if isinstance(pattern, str) and regex_error(pattern):
        errs.append(v.invalid(f"{path}.pattern", pattern,
                              f"must be a valid regular expression, but isn't: {regex_error(pattern)}"))
    if schema.get("uniqueItems") is True:
        errs.append(v.forbidden(f"{path}.uniqueItems",
                                "uniqueItems cannot be set to true since the runtime complexity becomes quadratic"))
    props = schema.get("properties")
    if isinstance(props, dict):
        if schema.get("additionalProperties") not in (None, True):
            errs.append(v.forbidden(f"{path}.additionalProperties",
                                    "additionalProperties and properties are mutual exclusive"))
        for name, sub in props.items():
            _structural(sub, f"{path}.properties[{name}]", errs, "field")
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict):
        _structural(extra, f"{path}.additionalProperties", errs, "field")
    if t == "array":
        items = schema.get("items")
        if not isinstance(items, dict):
            errs.append(v.required(f"{path}.items", "must be specified"))
        else:
            _structural(items, f"{path}.items", errs, "item")
    for key in ("allOf", "anyOf", "oneOf"):
        for i, sub in enumerate(schema.get(key) or ()):
            if isinstance(sub, dict) and "default" in sub:
                errs.append(v.forbidden(f"{path}.{key}[{i}].default", "must not be set inside logical junctors"))
    if "default" in schema and where == "root":
        errs.append(v.forbidden(f"{path}.default", "must not be set at the root"))
    return errs
