"""Built-in type schemas and the schema-driven half of decoding.

The schemas are kubernetes-validate's ``v1.32.0-local`` definitions
(``_definitions.json``, key ``$defs``), loaded once on first use. On top
of them this module reproduces what kube-apiserver's JSON decoder
(sigs.k8s.io/json, a fork of encoding/json, decoding into the Go structs)
does with a request body:

- ``unknown_fields``: the fields a Go struct has no slot for, with the
  decoder's path syntax (``spec.containers[0].bar``); fieldValidation=Warn
  reports each as ``unknown field "<path>"``, Strict fails the request.
- ``prune_unknown``: drops them, as decoding into a struct does.
- ``type_errors`` / ``decode_error``: values Go cannot decode, worded as
  Go words them (``json: cannot unmarshal string into Go struct field
  ContainerPort.spec.containers.ports.containerPort of type int32``),
  including the custom decoders of IntOrString, Quantity, Time and
  MicroTime, base64 for ``[]byte`` and the JSONSchemaProps unions.

Each definition compiles once into a small tree of ``_Node``; walking an
object is then a few dict lookups per field.
"""
import importlib.util
import json
import os
import re
import threading

from resources.machinery.validation import go_quote
from resources.schema import gofacts

SCHEMA_VERSION = "v1.32.0-local"

# --- loading ----------------------------------------------------------------

_lock = threading.Lock()
_loaded = None  # (defs, {(group, version, kind): name})


def _load():
    global _loaded
    if _loaded is None:
        with _lock:
            if _loaded is None:
                with open(_definitions_path(), "rb") as f:
                    defs = json.load(f)["$defs"]
                gvks = {}
                for name, schema in defs.items():
                    for gvk in schema.get("x-kubernetes-group-version-kind", ()):
                        gvks.setdefault((gvk["group"], gvk["version"], gvk["kind"]), name)
                _loaded = (defs, gvks)
    return _loaded


def _definitions_path():
    # find_spec locates the package without importing it (its __init__
    # pulls in jsonschema, which we do not need).
    spec = importlib.util.find_spec("kubernetes_validate")
    base = list(spec.submodule_search_locations)[0]
    return os.path.join(base, "kubernetes-json-schema", SCHEMA_VERSION, "_definitions.json")


def definitions():
    """Definition name → JSON schema (do not mutate)."""
    return _load()[0]


def definition_name(group, version, kind):
    """The definition for a group/version/kind (core group is ""), or None."""
    return _load()[1].get((group, version, kind))


# --- Go types ---------------------------------------------------------------
# The schemas do not say which fields have a named Go type (RestartPolicy,
# ResourceList, ...), yet Go's decode errors name it. This table lists the
# fields whose Go type differs from what the schema implies (string →
# "string", $ref → "<pkg>.<Name>", ...), extracted from the Go types of
# k8s.io/api, apimachinery, apiextensions-apiserver and kube-aggregator at
# v0.32.0. Format: "<definition> <json field>=<Go type> ...".
_GO_TYPES = gofacts.read("go_types.txt")

_DEF_PREFIXES = {
    "meta.": "io.k8s.apimachinery.pkg.apis.meta.",
    "apiextensions.": "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.",
    "apiregistration.": "io.k8s.kube-aggregator.pkg.apis.apiregistration.",
}
# Named Go types that are maps or slices: their element types.
_NAMED_COMPOSITE = {
    "v1.ResourceList": "map[v1.ResourceName]resource.Quantity",
    "v1.ExtraValue": "[]string",
    "v1.Verbs": "[]string",
    "v1.ValidationRules": "[]v1.ValidationRule",
    "v1.JSONSchemaDefinitions": "map[string]v1.JSONSchemaProps",
    "v1.JSONSchemaDependencies": "map[string]v1.JSONSchemaPropsOrStringArray",
}
_go_types = None


def _go_type_overrides():
    global _go_types
    if _go_types is None:
        table = {}
        for line in _GO_TYPES.split("\n"):
            if not line:
                continue
            short, *items = line.split(" ")
            prefix = next((p for p in _DEF_PREFIXES if short.startswith(p)), None)
            name = _DEF_PREFIXES[prefix] + short[len(prefix):] if prefix else "io.k8s.api." + short
            table[name] = dict(item.split("=", 1) for item in items)
        _go_types = table
    return _go_types


def _elem_go(go):
    """Element type of a Go slice/map type expression, or None."""
    if go is None:
        return None
    go = _NAMED_COMPOSITE.get(go, go)
    if go.startswith("[]"):
        return go[2:].lstrip("*")
    if go.startswith("map["):
        return go[go.index("]") + 1:].lstrip("*")
    return None


# --- compiled schema nodes --------------------------------------------------

(_STRUCT, _MAP, _LIST, _STRING, _BYTES, _INT, _FLOAT, _BOOL, _ANY,
 _INTSTR, _QUANTITY, _TIME, _OR_BOOL, _OR_ARRAY, _OR_STRARRAY) = range(15)

_RFC3339 = "2006-01-02T15:04:05Z07:00"
_RFC3339_MICRO = "2006-01-02T15:04:05.000000Z07:00"
_EXT = "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1."
_META = "io.k8s.apimachinery.pkg.apis.meta.v1."
# Types with their own UnmarshalJSON.
_CUSTOM = {
    "io.k8s.apimachinery.pkg.util.intstr.IntOrString": (_INTSTR, None),
    "io.k8s.apimachinery.pkg.api.resource.Quantity": (_QUANTITY, None),
    _META + "Time": (_TIME, _RFC3339),
    _META + "MicroTime": (_TIME, _RFC3339_MICRO),
    _META + "FieldsV1": (_ANY, None),
    "io.k8s.apimachinery.pkg.runtime.RawExtension": (_ANY, None),
    _EXT + "JSON": (_ANY, None),
    _EXT + "JSONSchemaPropsOrBool": (_OR_BOOL, None),
    _EXT + "JSONSchemaPropsOrArray": (_OR_ARRAY, None),
    _EXT + "JSONSchemaPropsOrStringArray": (_OR_STRARRAY, None),
}
_SCHEMA_PROPS = _EXT + "JSONSchemaProps"


class _Node:
    __slots__ = ("kind", "go", "fields", "fields_ci", "elem", "struct", "bits", "layout", "deep")

    def __init__(self, kind, go, elem=None, bits=64, layout=None):
        self.kind = kind
        self.go = go  # the Go type as reflect prints it, e.g. "v1.PodSpec"
        self.elem = elem
        self.bits = bits
        self.layout = layout
        self.fields = None
        self.fields_ci = None
        self.struct = None  # Go struct name, for error context
        # Whether a walk for unknown fields / pruning must look inside.
        self.deep = kind in (_STRUCT, _OR_BOOL, _OR_ARRAY, _OR_STRARRAY) or (elem is not None and elem.deep)


_compiled = {}  # published, complete nodes
_building = {}  # nodes of the compilation in progress (under the lock)
_compile_lock = threading.RLock()
_leaves = {}


def _leaf(kind, go, bits=64):
    key = (kind, go, bits)
    node = _leaves.get(key)
    if node is None:
        node = _leaves[key] = _Node(kind, go, bits=bits)
    return node


def _def_node(name):
    node = _compiled.get(name)
    if node is None:
        with _compile_lock:
            node = _compiled.get(name) or _building.get(name)
            if node is None:
                outermost = not _building
                try:
                    node = _compile_def(name)
                    if outermost:
                        # Publish only complete trees: other threads read
                        # _compiled without the lock.
                        _compiled.update(_building)
                finally:
                    if outermost:
                        _building.clear()
    return node


def _compile_def(name):
    schema = _load()[0][name]
    pkg, short = name.split(".")[-2:]
    go = f"{pkg}.{short}"
    custom = _CUSTOM.get(name)
    if custom:
        node = _building[name] = _Node(custom[0], go, layout=custom[1])
        return node
    if "properties" not in schema and "additionalProperties" in schema:
        node = _building[name] = _compile(schema)
        return node
    # A struct (possibly without fields: then every key is unknown).
    node = _Node(_STRUCT, go)
    node.struct = short
    node.fields = {}
    _building[name] = node  # before the fields: definitions recurse
    overrides = _go_type_overrides().get(name, {})
    for prop, sub in schema.get("properties", {}).items():
        node.fields[prop] = _compile(sub, overrides.get(prop))
    # encoding/json (used inside the JSONSchemaProps unions) also accepts
    # keys that match a field case-insensitively.
    node.fields_ci = {k.lower(): k for k in node.fields}
    return node


def _compile(schema, go=None):
    ref = schema.get("$ref")
    if ref:
        return _def_node(ref.rsplit("/", 1)[1])
    t = schema.get("type")
    if isinstance(t, list):
        t = t[0]
    if t == "string":
        if schema.get("format") == "byte":
            return _leaf(_BYTES, go or "[]uint8")
        return _leaf(_STRING, go or "string")
    if t == "integer":
        fmt = schema.get("format") or "int64"
        return _leaf(_INT, go or fmt, 32 if fmt == "int32" else 64)
    if t == "number":
        return _leaf(_FLOAT, go or "float64")
    if t == "boolean":
        return _leaf(_BOOL, go or "bool")
    if t == "array":
        elem = _compile(schema.get("items", {}), _elem_go(go))
        return _Node(_LIST, go or "[]" + elem.go, elem)
    if t == "object" and "additionalProperties" in schema:
        elem = _compile(schema["additionalProperties"], _elem_go(go))
        return _Node(_MAP, go or "map[string]" + elem.go, elem)
    return _leaf(_ANY, go or "interface {}")


def _root(defname):
    try:
        return _def_node(defname)
    except KeyError:
        raise KeyError(f"no schema definition {defname!r}") from None


_TYPE_META = ("apiVersion", "kind")

# --- unknown fields and pruning ---------------------------------------------

MAX_STRICT_ERRORS = 100  # the decoder stops collecting there


def unknown_fields(obj, defname):
    """Paths of the fields the Go type has no slot for, in document order,
    as the strict decoder reports them (at most 100). apiVersion and kind
    are not looked at. Values of the wrong JSON type are not entered."""
    out = []
    if isinstance(obj, dict):
        _unknown(obj, _root(defname), "", out, False, True)
    return out


def prune_unknown(obj, defname):
    """Remove unknown fields in place, as decoding into the Go struct does.
    Inside the JSONSchemaProps unions (decoded by plain encoding/json) keys
    match case-insensitively and are renamed to their canonical form."""
    if isinstance(obj, dict):
        _unknown(obj, _root(defname), "", None, True, True)
    return obj


def _unknown(v, node, prefix, out, prune, root=False):
    kind = node.kind
    if kind == _STRUCT:
        if type(v) is not dict:
            return
        fields = node.fields
        for key in list(v) if prune else v:
            f = fields.get(key)
            if f is None:
                if root and key in _TYPE_META:
                    continue
                if prune:
                    del v[key]
                elif len(out) < MAX_STRICT_ERRORS:
                    out.append(prefix + "." + key if prefix else key)
            elif f.deep:
                _unknown(v[key], f, prefix + "." + key if prefix else key, out, prune)
    elif kind == _LIST:
        if type(v) is list:
            for i, item in enumerate(v):
                _unknown(item, node.elem, f"{prefix}[{i}]", out, prune)
    elif kind == _MAP:
        if type(v) is dict:
            for key, item in v.items():
                _unknown(item, node.elem, prefix + "." + key, out, prune)
    elif prune and kind in (_OR_BOOL, _OR_ARRAY, _OR_STRARRAY):
        # The JSONSchemaProps unions: decoded leniently, but still pruned.
        _prune_lax(v, node)


def _prune_lax(v, node):
    """Pruning with encoding/json's case-insensitive field matching."""
    kind = node.kind
    if kind == _STRUCT:
        if type(v) is not dict:
            return
        for key in list(v):
            f = node.fields.get(key)
            if f is None:
                canonical = node.fields_ci.get(key.lower()) if node.fields_ci else None
                item = v.pop(key)
                if canonical is None:
                    continue
                v[canonical] = item
                key, f = canonical, node.fields[canonical]
            if f.deep:
                _prune_lax(v[key], f)
    elif kind == _LIST:
        if type(v) is list:
            for item in v:
                _prune_lax(item, node.elem)
    elif kind == _MAP:
        if type(v) is dict:
            for item in v.values():
                _prune_lax(item, node.elem)
    elif kind in (_OR_BOOL, _OR_ARRAY, _OR_STRARRAY):
        props = _def_node(_SCHEMA_PROPS)
        if type(v) is dict:
            _prune_lax(v, props)
        elif type(v) is list and kind == _OR_ARRAY:
            for item in v:
                _prune_lax(item, props)


def unknown_field_message(path):
    """The strict decoder's text for one unknown field (the Warn warning)."""
    return "unknown field " + go_quote(path)


def strict_decoding_message(paths):
    """runtime.strictDecodingError text for fieldValidation=Strict; the
    handler prefixes it with '<Kind> in version "<v>" cannot be handled as
    a <Kind>: '."""
    return "strict decoding error: " + ", ".join(unknown_field_message(p) for p in paths)


# --- type errors ------------------------------------------------------------

def type_errors(obj, defname):
    """Every value Go would fail to decode, in document order, each worded
    as Go's decoder words it. apiVersion and kind are not looked at (the
    caller reads them first). Null decodes to the zero value everywhere."""
    return [msg for msg, _ in _type_errors(obj, defname)]


def decode_error(obj, defname):
    """The one error kube-apiserver reports for this body, or None.

    Go's decoder keeps going after a plain type mismatch (remembering the
    first) but stops at the first error a custom decoder returns
    (IntOrString, Quantity, Time, ...), which then wins."""
    errs = _type_errors(obj, defname)
    for msg, fatal in errs:
        if fatal:
            return msg
    return errs[0][0] if errs else None


def _type_errors(obj, defname):
    node = _root(defname)
    errs = []
    if type(obj) is dict and node.kind == _STRUCT:
        fields = node.fields
        path = []
        for key, val in obj.items():
            if key in _TYPE_META:
                continue
            f = fields.get(key)
            if f is not None and val is not None:
                path.append(key)
                _check(val, f, node.struct, path, errs, None, False)
                path.pop()
    elif obj is not None:
        _check(obj, node, None, [], errs, None, False)
    return errs


def _describe(v):
    """Go's UnmarshalTypeError.Value for a JSON value."""
    t = type(v)
    if t is str:
        return "string"
    if t is bool:
        return "bool"
    if t is int or t is float:
        return "number"
    if t is list:
        return "array"
    return "object"


def _number_literal(v):
    return repr(v) if type(v) is float else str(v)


def _type_message(value, go, struct, path, fixed):
    if fixed is not None:
        struct, field = fixed
    else:
        field = ".".join(path)
    if struct is None and not field:
        return f"json: cannot unmarshal {value} into Go value of type {go}"
    return f"json: cannot unmarshal {value} into Go struct field {struct or ''}.{field} of type {go}"


def _int_error(v, bits, go, struct, path, fixed):
    """None if v decodes into a Go int of that width."""
    t = type(v)
    if t is int:
        limit = 1 << (bits - 1)
        if -limit <= v < limit:
            return None
        return _type_message("number " + str(v), go, struct, path, fixed)
    if t is float:
        return _type_message("number " + _number_literal(v), go, struct, path, fixed)
    return _type_message(_describe(v), go, struct, path, fixed)


def _check(v, node, struct, path, errs, fixed, lax):
    """Append (message, fatal) for v decoded into node. ``struct``/``path``
    are the decoder's error context; ``fixed`` replaces it inside the
    JSONSchemaProps unions; ``lax`` is encoding/json's case-insensitive
    field matching there."""
    kind = node.kind
    t = type(v)
    if kind == _STRUCT:
        if t is not dict:
            errs.append((_type_message(_describe(v), node.go, struct, path, fixed), False))
            return
        fields = node.fields
        name = node.struct
        for key, val in v.items():
            if val is None:
                continue
            f = fields.get(key)
            if f is None:
                if not lax or node.fields_ci is None:
                    continue
                f = fields.get(node.fields_ci.get(key.lower()))
                if f is None:
                    continue
            fk = f.kind
            if fk == _STRING:
                if type(val) is not str:
                    path.append(key)
                    errs.append((_type_message(_describe(val), f.go, name, path, fixed), False))
                    path.pop()
                continue
            if fk == _ANY:
                continue
            path.append(key)
            _check(val, f, name, path, errs, fixed, lax)
            path.pop()
    elif kind == _STRING:
        if t is not str:
            errs.append((_type_message(_describe(v), node.go, struct, path, fixed), False))
    elif kind == _MAP:
        if t is not dict:
            errs.append((_type_message(_describe(v), node.go, struct, path, fixed), False))
            return
        elem = node.elem
        if elem.kind == _STRING:
            for item in v.values():
                if type(item) is not str and item is not None:
                    errs.append((_type_message(_describe(item), elem.go, struct, path, fixed), False))
        elif elem.kind != _ANY:
            for item in v.values():
                if item is not None:
                    _check(item, elem, struct, path, errs, fixed, lax)
    elif kind == _LIST:
        if t is not list:
            errs.append((_type_message(_describe(v), node.go, struct, path, fixed), False))
            return
        elem = node.elem
        if elem.kind != _ANY:
            for item in v:
                if item is not None:
                    _check(item, elem, struct, path, errs, fixed, lax)
    elif kind == _INT:
        if t is not int:
            errs.append((_int_error(v, node.bits, node.go, struct, path, fixed), False))
        elif not -(1 << (node.bits - 1)) <= v < (1 << (node.bits - 1)):
            errs.append((_int_error(v, node.bits, node.go, struct, path, fixed), False))
    elif kind == _BOOL:
        if t is not bool:
            errs.append((_type_message(_describe(v), node.go, struct, path, fixed), False))
    elif kind == _FLOAT:
        if t is not int and t is not float:
            errs.append((_type_message(_describe(v), node.go, struct, path, fixed), False))
    elif kind == _BYTES:
        if t is str:
            err = base64_error(v)
            if err:
                errs.append((err, False))
        elif t is list:
            for item in v:
                if item is None or (type(item) is int and 0 <= item < 256):
                    continue
                if type(item) is int or type(item) is float:
                    errs.append((_type_message("number " + _number_literal(item), "uint8", struct, path, fixed), False))
                else:
                    errs.append((_type_message(_describe(item), "uint8", struct, path, fixed), False))
        else:
            # A number into a slice is described without its literal.
            errs.append((_type_message(_describe(v), node.go, struct, path, fixed), False))
    elif kind == _INTSTR:
        if t is not str:
            err = _int_error(v, 32, "int32", struct, path, fixed)
            if err:
                errs.append((err, True))
    elif kind == _QUANTITY:
        if t is str:
            err = quantity_error(v.strip())
        elif t is bool:
            err = quantity_error("true" if v else "false")
        elif t is int or t is float:
            err = quantity_error(_number_literal(v))
        else:
            err = _QTY_FORMAT
        if err:
            errs.append((err, True))
    elif kind == _TIME:
        if t is str:
            err = go_time_parse_error(v, node.layout)
        else:
            err = _type_message(_describe(v), "string", struct, path, fixed)
        if err:
            errs.append((err, True))
    elif kind == _OR_BOOL:
        if t is dict:
            _check_lax(v, _def_node(_SCHEMA_PROPS), struct, path, errs, fixed)
        elif t is not bool:
            errs.append(("boolean or JSON schema expected", True))
    elif kind == _OR_ARRAY:
        if t is dict:
            _check_lax(v, _def_node(_SCHEMA_PROPS), struct, path, errs, fixed)
        elif t is list:
            _check_lax(v, _union_list("[]v1.JSONSchemaProps"), struct, path, errs, fixed)
    elif kind == _OR_STRARRAY:
        if t is dict:
            _check_lax(v, _def_node(_SCHEMA_PROPS), struct, path, errs, fixed)
        elif t is list:
            _check_lax(v, _union_list("[]string"), struct, path, errs, fixed)


def _union_list(go):
    node = _leaves.get(go)
    if node is None:
        elem = _def_node(_SCHEMA_PROPS) if go == "[]v1.JSONSchemaProps" else _leaf(_STRING, "string")
        node = _leaves[go] = _Node(_LIST, go, elem)
    return node


def _check_lax(v, node, struct, path, errs, fixed):
    """A JSONSchemaProps union: its UnmarshalJSON runs plain encoding/json,
    whose first error comes back through the outer decoder, which stamps its
    own context (the union field) over the inner one, and stops."""
    inner = []
    if fixed is None:
        fixed = (struct, ".".join(path))
    _check(v, node, None, [], inner, fixed, True)
    if inner:
        msg = next((m for m, fatal in inner if fatal), inner[0][0])
        errs.append((msg, True))


# --- base64 ([]byte fields) -------------------------------------------------

_B64_ALPHABET = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
_B64_CANONICAL = re.compile(rb"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")


def base64_error(s):
    """Go's base64.StdEncoding.Decode error for s, or None."""
    b = s.encode("utf-8", "surrogatepass")
    if _B64_CANONICAL.fullmatch(b):
        return None
    n, si = len(b), 0
    while si < n:
        j = 0
        while j < 4:
            if si == n:
                if j == 0:
                    return None
                return f"illegal base64 data at input byte {si - j}"
            c = b[si]
            si += 1
            if c in _B64_ALPHABET:
                j += 1
                continue
            if c == 10 or c == 13:
                continue
            if c != 61:  # "="
                return f"illegal base64 data at input byte {si - 1}"
            if j < 2:
                return f"illegal base64 data at input byte {si - 1}"
            if j == 2:
                while si < n and b[si] in (10, 13):
                    si += 1
                if si == n:
                    return f"illegal base64 data at input byte {n}"
                if b[si] != 61:
                    return f"illegal base64 data at input byte {si - 1}"
                si += 1
            while si < n and b[si] in (10, 13):
                si += 1
            if si < n:
                return f"illegal base64 data at input byte {si}"
            return None
    return None


# --- resource.Quantity --------------------------------------------------------

_QTY_FORMAT = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
_QTY_NUMERIC = "unable to parse numeric part of quantity"
_QTY_SUFFIX = "unable to parse quantity's suffix"
_DEC_SUFFIXES = {"": 0, "n": -9, "u": -6, "m": -3, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_BIN_SUFFIXES = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_DIGITS = frozenset("0123456789")
_SUFFIX_CHARS = frozenset("eEinumkKMGTP")


def quantity_error(s):
    """resource.ParseQuantity's error for s, or None when it parses."""
    if not s:
        return _QTY_FORMAT
    if s == "0":
        return None
    end, pos = len(s), 0
    if s[0] in "+-":
        pos = 1
    while pos < end and s[pos] == "0":
        pos += 1
    if pos >= end:
        return None
    start = pos
    while pos < end and s[pos] in _DIGITS:
        pos += 1
    if pos >= end:
        return None
    num = s[start:pos] or "0"
    denom = ""
    if s[pos] == ".":
        pos += 1
        start = pos
        while pos < end and s[pos] in _DIGITS:
            pos += 1
        denom = s[start:pos]
    value = s[:pos]
    suffix_start = pos
    while pos < end and s[pos] in _SUFFIX_CHARS:
        pos += 1
    if pos < end:
        if s[pos] in "+-":
            pos += 1
        while pos < end and s[pos] in _DIGITS:
            pos += 1
        if pos < end:
            return _QTY_FORMAT
    suffix = s[suffix_start:]

    if suffix in _DEC_SUFFIXES:
        binary, exponent = False, _DEC_SUFFIXES[suffix]
    elif suffix in _BIN_SUFFIXES:
        binary, exponent = True, _BIN_SUFFIXES[suffix]
    elif len(suffix) > 1 and suffix[0] in "eE":
        body = suffix[2:] if suffix[1] in "+-" else suffix[1:]
        if not body or not body.isdigit() or not -(1 << 63) <= int(suffix[1:]) < (1 << 63):
            return _QTY_SUFFIX
        binary, exponent = False, (int(suffix[1:]) + (1 << 31)) % (1 << 32) - (1 << 31)
    else:
        return _QTY_SUFFIX

    mantissa = 1
    if not binary:
        scale, precision = exponent, 18 - (len(num) + len(denom))
    elif exponent >= 0 and not denom:
        scale, mantissa = 0, 1 << exponent
        precision = 15 - len(num) - exponent * 3 // 10 - 1
    else:
        scale, precision = 0, -1
    if precision >= 0 and scale - len(denom) >= -9:
        if int(num + denom) * mantissa < (1 << 63):
            return None
    # The slow path parses the numeric part as an inf.Dec.
    if not any(c in _DIGITS for c in value):
        return _QTY_NUMERIC
    return None


# --- metav1.Time / MicroTime: Go's time.Parse errors --------------------------

_YEAR, _MONTH, _DAY, _HOUR, _MINUTE, _SECOND, _FRAC6, _ZONE = range(8)
_LAYOUT_CHUNKS = {
    _RFC3339: ((b"", _YEAR, "2006"), (b"-", _MONTH, "01"), (b"-", _DAY, "02"), (b"T", _HOUR, "15"),
               (b":", _MINUTE, "04"), (b":", _SECOND, "05"), (b"", _ZONE, "Z07:00")),
    _RFC3339_MICRO: ((b"", _YEAR, "2006"), (b"-", _MONTH, "01"), (b"-", _DAY, "02"), (b"T", _HOUR, "15"),
                     (b":", _MINUTE, "04"), (b":", _SECOND, "05"), (b"", _FRAC6, ".000000"),
                     (b"", _ZONE, "Z07:00")),
}
_TIME_FAST = {
    _RFC3339: re.compile(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.\d+)?(?:Z|[+-](\d\d):(\d\d))", re.ASCII),
    _RFC3339_MICRO: re.compile(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)\.\d{6}(?:Z|[+-](\d\d):(\d\d))", re.ASCII),
}


def _time_quote(b):
    """The time package's own quote(): non-ASCII and control bytes as \\xNN."""
    out = ['"']
    for c in b:
        if c >= 0x80 or c < 0x20:
            out.append("\\x%02x" % c)
        elif c == 34 or c == 92:
            out.append("\\" + chr(c))
        else:
            out.append(chr(c))
    out.append('"')
    return "".join(out)


def _isdigit(b, i):
    return i < len(b) and 48 <= b[i] <= 57


def _getnum(b, fixed):
    if not _isdigit(b, 0):
        return 0, b, True
    if not _isdigit(b, 1):
        if fixed:
            return 0, b, True
        return b[0] - 48, b[1:], False
    return (b[0] - 48) * 10 + b[1] - 48, b[2:], False


def _atoi(b):
    """time.atoi: optional sign, then digits only; None on error."""
    neg = b[:1] == b"-"
    if b[:1] in (b"-", b"+"):
        b = b[1:]
    if not b.isdigit() and b:
        return None
    v = int(b) if b else 0
    return -v if neg else v


def _days_in(month, year):
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def go_time_parse_error(value, layout=_RFC3339):
    """time.Parse(layout, value)'s error text, or None if it parses."""
    m = _TIME_FAST[layout].fullmatch(value)
    if m:
        year, month, day, hour, minute, sec, zh, zm = (int(g) if g else 0 for g in m.groups())
        if (1 <= month <= 12 and 1 <= day <= _days_in(month, year) and hour < 24 and minute < 60 and sec < 60
                and zh <= 24 and zm <= 60):
            return None
    whole = value.encode("utf-8", "surrogatepass")
    v = whole
    qv, ql = _time_quote(whole), _time_quote(layout.encode())
    year = month = day = 0
    chunks = _LAYOUT_CHUNKS[layout]
    for i, (prefix, std, stdstr) in enumerate(chunks):
        if prefix:
            if not v.startswith(prefix):
                return f"parsing time {qv} as {ql}: cannot parse {_time_quote(v)} as {_time_quote(prefix)}"
            v = v[len(prefix):]
        hold, err, rng = v, False, ""
        if std == _YEAR:
            if len(v) < 4 or not _isdigit(v, 0):
                err = True
            else:
                year = _atoi(v[:4])
                err = year is None
                v = v[4:]
        elif std == _MONTH:
            month, v, err = _getnum(v, True)
            if not err and not 1 <= month <= 12:
                rng = "month"
        elif std == _DAY:
            day, v, err = _getnum(v, True)
        elif std == _HOUR:
            hour, v, err = _getnum(v, False)
            if hour >= 24:
                rng = "hour"
        elif std == _MINUTE:
            minute, v, err = _getnum(v, True)
            if minute >= 60:
                rng = "minute"
        elif std == _SECOND:
            sec, v, err = _getnum(v, True)
            if not err:
                if sec >= 60:
                    rng = "second"
                elif len(v) >= 2 and v[0] in b".," and _isdigit(v, 1) and chunks[i + 1][1] != _FRAC6:
                    n = 2
                    while n < len(v) and _isdigit(v, n):
                        n += 1
                    v = v[n:]
        elif std == _FRAC6:
            if len(v) < 7 or v[0] not in b".,":
                err = True
            else:
                ns = _atoi(v[1:7])
                if ns is None:
                    err = True
                elif ns < 0:
                    rng = "fractional second"
                v = v[7:]
        elif std == _ZONE:
            if v[:1] == b"Z":
                v = v[1:]
            elif len(v) < 6 or v[3:4] != b":":
                err = True
            else:
                sign, hh, mm, v = v[:1], v[1:3], v[4:6], v[6:]
                hr, _, err = _getnum(hh, True)
                mi = 0
                if not err:
                    mi, _, err = _getnum(mm, True)
                if hr > 24:
                    rng = "time zone offset hour"
                if mi > 60:
                    rng = "time zone offset minute"
                if sign not in (b"+", b"-"):
                    err = True
        if rng:
            return f"parsing time {qv}: {rng} out of range"
        if err:
            return f"parsing time {qv} as {ql}: cannot parse {_time_quote(hold)} as {_time_quote(stdstr.encode())}"
    if v:
        return f"parsing time {qv}: extra text: {_time_quote(v)}"
    if not 1 <= day <= _days_in(month, year):
        return f"parsing time {qv}: day out of range"
    return None
