"""Kubernetes protobuf request bodies (``application/vnd.kubernetes.protobuf``).

kubectl >= 1.32 sends typed creates (``kubectl create namespace|deployment|...``,
``autoscale``, ``debug``, ``auth can-i``, ``auth whoami``) as protobuf; ``decode``
turns such a body into the same JSON-shaped dict the equivalent JSON body would
give, so everything downstream only ever sees JSON objects.

Wire format: the 4 magic bytes ``k8s\\x00``, then a ``runtime.Unknown``
message {1: TypeMeta{1: apiVersion, 2: kind}, 2: raw typed message,
3: contentEncoding, 4: contentType}.

No package on PyPI/npm/Debian ships the v1.32 ``generated.proto`` files or
descriptors, so the field numbers live in ``_FIELDS`` below: our own compact
table, one line per protobuf message, ``jsonName=fieldNumber``. Everything
else (scalar vs message vs list vs map, int32 vs int64, bytes, which fields
are required) comes from the kubernetes-validate v1.32 JSON schemas, keyed by
definition name (``io.k8s.api.core.v1.PodSpec``).

JSON shape follows Go's encoding/json on the decoded struct: a message that is
on the wire is emitted (``spec: {}``), a scalar is emitted when it is non-zero,
required (no ``omitempty``), or a pointer (marked ``?`` in the table, where an
explicit zero/false/"" is meaningful; also used for the odd field without
``omitempty`` that the schema does not list as required); an empty
``metav1.Time`` is ``null``.
"""
import base64
import datetime
import json
import re
import struct
from functools import lru_cache

from resources.machinery.errors import bad_request
from resources.schema import builtin as schemas
from resources.schema import gofacts

MAGIC = b"k8s\x00"
CONTENT_TYPE = "application/vnd.kubernetes.protobuf"

# --------------------------------------------------------------------------
# Field numbers. Format:
#   [definition prefix]
#   Message   jsonName=N  ptrScalar=N?  ^InlineMessage=N  (continuation lines indented)
#   Message   =OtherMessage             (same fields as OtherMessage)
# ``?``  a pointer scalar in Go (*int32, *bool, *string), or a scalar without
#        omitempty that the schema does not require: emitted even when zero.
# ``^X`` a Go struct embedded with `json:",inline"`; its fields land in this object.
# Types come from the JSON schema of the message (for an inline message: of the
# message that embeds it). Unlisted field numbers are skipped, as Go does.
# --------------------------------------------------------------------------
_FIELDS = gofacts.read("protobuf_fields.txt")

# Types with their own wire shape, keyed by JSON schema definition name.
_META = "io.k8s.apimachinery.pkg.apis.meta.v1."
_TIME = _META + "Time"
_MICROTIME = _META + "MicroTime"
_FIELDSV1 = _META + "FieldsV1"
_QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity"
_INTORSTRING = "io.k8s.apimachinery.pkg.util.intstr.IntOrString"
_RAWEXTENSION = "io.k8s.apimachinery.pkg.runtime.RawExtension"
_SPECIAL = {_TIME, _MICROTIME, _FIELDSV1, _QUANTITY, _INTORSTRING, _RAWEXTENSION}

_MAX_DEPTH = 64
# 0001-01-01T00:00:00Z, Go's zero time.Time, as Unix seconds.
_GO_ZERO_SECONDS = -62135596800
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)

_WIRE_VARINT, _WIRE_FIXED64, _WIRE_BYTES, _WIRE_START, _WIRE_END, _WIRE_FIXED32 = 0, 1, 2, 3, 4, 5


class ProtobufError(ValueError):
    """Malformed protobuf; ``decode`` turns it into a 400 BadRequest."""


def is_protobuf(content_type: str) -> bool:
    if not content_type:
        return False
    return content_type.split(";", 1)[0].strip().lower() == CONTENT_TYPE


def decode(body: bytes, api_version: str = "", kind: str = "") -> dict:
    """Decode a ``k8s\\x00``-prefixed protobuf body into a JSON-shaped dict.

    ``api_version``/``kind`` are defaults (from the URL) for an envelope
    without TypeMeta, like kube-apiserver's defaulting of the decoded GVK.
    Any malformed input raises ``bad_request``.
    """
    try:
        return _decode(bytes(body), api_version, kind)
    except ProtobufError as exc:
        raise bad_request(str(exc)) from None
    except (RecursionError, ValueError, TypeError, IndexError, KeyError, OverflowError) as exc:
        raise bad_request(f"unable to decode protobuf body: {exc}") from None


def _decode(body, default_api_version, default_kind):
    if not body:
        raise ProtobufError("empty data")
    if not body.startswith(MAGIC):
        raise ProtobufError(
            "provided data does not appear to be a protobuf message, expected prefix "
            + "[" + " ".join(str(b) for b in MAGIC) + "]"
        )
    if len(body) == len(MAGIC):
        raise ProtobufError("empty body")
    api_version, kind, raw = _read_unknown(body, len(MAGIC), len(body))
    api_version = api_version or default_api_version
    kind = kind or default_kind
    if not kind:
        raise ProtobufError("Object 'Kind' is missing in protobuf body")
    if not api_version:
        raise ProtobufError("Object 'apiVersion' is missing in protobuf body")
    defname = _schema().kinds.get((api_version, kind))
    if defname is None:
        raise ProtobufError(f'no kind "{kind}" is registered for version "{api_version}" in protobuf')
    obj = {"apiVersion": api_version, "kind": kind}
    if raw is not None:
        _read_message(raw, 0, len(raw), _message(defname, defname), obj, 0)
    return obj


def _read_unknown(buf, pos, end):
    """runtime.Unknown -> (apiVersion, kind, raw or None)."""
    api_version = kind = ""
    raw = None
    while pos < end:
        num, wire, pos = _read_key(buf, pos, end)
        if num == 1:
            _expect(wire, _WIRE_BYTES, "TypeMeta")
            start, pos = _read_len(buf, pos, end)
            p = start
            while p < pos:
                n, w, p = _read_key(buf, p, pos)
                if n in (1, 2):
                    _expect(w, _WIRE_BYTES, "APIVersion" if n == 1 else "Kind")
                    s, p = _read_len(buf, p, pos)
                    value = _utf8(buf[s:p])
                    if n == 1:
                        api_version = value
                    else:
                        kind = value
                else:
                    p = _skip(buf, p, pos, w, n)
        elif num == 2:
            _expect(wire, _WIRE_BYTES, "Raw")
            start, pos = _read_len(buf, pos, end)
            raw = buf[start:pos]
        elif num in (3, 4):
            _expect(wire, _WIRE_BYTES, "ContentEncoding" if num == 3 else "ContentType")
            _, pos = _read_len(buf, pos, end)
        else:
            pos = _skip(buf, pos, end, wire, num)
    return api_version, kind, raw


# ---------------------------------------------------------------- schema --


class _Schema:
    def __init__(self, defs, table):
        self.defs = defs
        self.table = table
        self.kinds = {}
        for name, definition in defs.items():
            if name not in table:
                continue
            for gvk in definition.get("x-kubernetes-group-version-kind", ()):
                group, version = gvk.get("group", ""), gvk.get("version", "")
                api_version = f"{group}/{version}" if group else version
                self.kinds.setdefault((api_version, gvk["kind"]), name)


@lru_cache(maxsize=1)
def _schema():
    return _Schema(schemas.definitions(), _parse_table(_FIELDS))


def _parse_table(text):
    """_FIELDS -> {definition name: {number: (jsonName, pointer, inline definition or None)}}."""
    table, aliases = {}, {}
    prefix = current = None
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        header = re.fullmatch(r"\[([\w.]+)\]", line.strip())
        if header:
            prefix = header.group(1)
            continue
        tokens = line.split()
        if not line[0].isspace():
            current = f"{prefix}.{tokens[0]}"
            table[current] = {}
            tokens = tokens[1:]
        for token in tokens:
            if token.startswith("="):
                aliases[current] = f"{prefix}.{token[1:]}"
                continue
            match = re.fullmatch(r"(\^?)(\w+)=(\d+)(\??)", token)
            if not match:
                raise ValueError(f"bad protobuf field entry {token!r} in {current}")
            inline, name, number, pointer = match.groups()
            number = int(number)
            if number in table[current]:
                raise ValueError(f"duplicate field {number} in {current}")
            table[current][number] = (name, bool(pointer), f"{prefix}.{name}" if inline else None)
    for name, target in aliases.items():
        table[name] = table[target]
    return table


class _Field:
    __slots__ = ("name", "number", "pointer", "required", "kind", "elem", "inline")

    def __init__(self, name, number, pointer, required, kind, elem=None, inline=None):
        self.name, self.number, self.pointer, self.required = name, number, pointer, required
        # kind: "str" "bytes" "int32" "int64" "bool" "double" "msg" "special" "list" "map" "inline"
        self.kind, self.elem, self.inline = kind, elem, inline


class _Message:
    __slots__ = ("name", "fields")

    def __init__(self, name):
        self.name = name
        self.fields = {}


_messages = {}


def _message(defname, schema_defname):
    """The compiled message ``defname`` whose JSON properties are those of
    ``schema_defname`` (differs only for inline-embedded messages)."""
    key = (defname, schema_defname)
    msg = _messages.get(key)
    if msg is not None:
        return msg
    schema = _schema()
    if defname not in schema.table:
        raise ProtobufError(f"no protobuf field table for {defname}")
    definition = schema.defs.get(schema_defname, {})
    properties = definition.get("properties", {})
    required = set(definition.get("required", ()))
    msg = _Message(defname)
    for number, (name, pointer, inline) in schema.table[defname].items():
        if inline:
            msg.fields[number] = _Field(name, number, False, False, "inline", inline=(inline, schema_defname))
            continue
        prop = properties.get(name)
        if prop is None:
            raise ProtobufError(f"protobuf field {name} of {defname} is not in the schema of {schema_defname}")
        kind, elem = _kind(prop, f"{defname}.{name}")
        msg.fields[number] = _Field(name, number, pointer, name in required, kind, elem)
    _messages[key] = msg  # only once complete: other threads may be decoding
    return msg


def _ref(prop):
    ref = prop.get("$ref")
    if ref is None:
        for sub in prop.get("allOf", ()):
            if "$ref" in sub:
                ref = sub["$ref"]
                break
    return ref.rsplit("/", 1)[-1] if ref else None


def _kind(prop, where):
    """JSON schema property -> (kind, elem). elem is a definition name for
    "msg"/"special", and a nested (kind, elem) for "list"/"map"."""
    ref = _ref(prop)
    if ref:
        return ("special", ref) if ref in _SPECIAL else ("msg", ref)
    if "additionalProperties" in prop:
        return "map", _kind(prop["additionalProperties"], where)
    types = prop.get("type")
    if isinstance(types, list):
        types = next((t for t in types if t != "null"), None)
    if types == "array":
        return "list", _kind(prop.get("items", {}), where)
    if types == "string":
        return ("bytes" if prop.get("format") == "byte" else "str"), None
    if types == "integer":
        return ("int32" if prop.get("format") == "int32" else "int64"), None
    if types == "boolean":
        return "bool", None
    if types == "number":
        return "double", None
    raise ProtobufError(f"cannot map schema of {where} to protobuf")


# ------------------------------------------------------------------ wire --


def encode_varint(n):
    n &= (1 << 64) - 1
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def encode_key(number, wire_type):
    return encode_varint(number << 3 | wire_type)


def encode_bytes(number, payload):
    """A length-delimited field (wire type 2)."""
    return encode_key(number, 2) + encode_varint(len(payload)) + payload


def _read_varint(buf, pos, end):
    result = shift = 0
    while True:
        if pos >= end:
            raise ProtobufError("unexpected EOF")
        byte = buf[pos]
        pos += 1
        if shift >= 64:
            raise ProtobufError("proto: integer overflow")
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            return result & 0xFFFFFFFFFFFFFFFF, pos
        shift += 7


def _read_key(buf, pos, end):
    key, pos = _read_varint(buf, pos, end)
    number, wire = key >> 3, key & 7
    if wire == _WIRE_END:
        raise ProtobufError("proto: wiretype end group for non-group")
    if number <= 0 or number >= 1 << 29:
        raise ProtobufError(f"proto: illegal tag {number} (wire type {wire})")
    return number, wire, pos


def _read_len(buf, pos, end):
    length, pos = _read_varint(buf, pos, end)
    if length > end - pos:
        raise ProtobufError("unexpected EOF")
    return pos, pos + length


def _skip(buf, pos, end, wire, number, depth=0):
    if wire == _WIRE_VARINT:
        return _read_varint(buf, pos, end)[1]
    if wire == _WIRE_FIXED64:
        if end - pos < 8:
            raise ProtobufError("unexpected EOF")
        return pos + 8
    if wire == _WIRE_FIXED32:
        if end - pos < 4:
            raise ProtobufError("unexpected EOF")
        return pos + 4
    if wire == _WIRE_BYTES:
        return _read_len(buf, pos, end)[1]
    if wire == _WIRE_START:
        if depth > _MAX_DEPTH:
            raise ProtobufError("proto: exceeded maximum nesting depth")
        while True:
            key, pos = _read_varint(buf, pos, end)
            n, w = key >> 3, key & 7
            if w == _WIRE_END:
                if n != number:
                    raise ProtobufError("proto: mismatched end group")
                return pos
            pos = _skip(buf, pos, end, w, n, depth + 1)
    raise ProtobufError(f"proto: illegal wireType {wire}")


def _expect(wire, want, name):
    if wire != want:
        raise ProtobufError(f"proto: wrong wireType = {wire} for field {name}")


def _utf8(data):
    # Go keeps invalid UTF-8 in a string; encoding/json then writes U+FFFD.
    return bytes(data).decode("utf-8", errors="replace")


def _signed(value, bits):
    value &= (1 << bits) - 1
    return value - (1 << bits) if value >> (bits - 1) else value


_SCALAR_WIRE = {"str": _WIRE_BYTES, "bytes": _WIRE_BYTES, "int32": _WIRE_VARINT, "int64": _WIRE_VARINT,
                "bool": _WIRE_VARINT, "double": _WIRE_FIXED64}


def _read_scalar(kind, buf, pos, end):
    if kind == "str":
        start, pos = _read_len(buf, pos, end)
        return _utf8(buf[start:pos]), pos
    if kind == "bytes":
        start, pos = _read_len(buf, pos, end)
        return base64.b64encode(buf[start:pos]).decode("ascii"), pos
    if kind == "double":
        if end - pos < 8:
            raise ProtobufError("unexpected EOF")
        return struct.unpack_from("<d", buf, pos)[0], pos + 8
    value, pos = _read_varint(buf, pos, end)
    if kind == "bool":
        return value != 0, pos
    return _signed(value, 32 if kind == "int32" else 64), pos


def _zero(kind, elem):
    """Go's zero value as encoding/json writes it (for a map entry without value)."""
    if kind in ("str", "bytes"):
        return ""
    if kind in ("int32", "int64"):
        return 0
    if kind == "double":
        return 0.0
    if kind == "bool":
        return False
    if kind == "msg":
        return {}
    if kind == "special":
        return {_QUANTITY: "0", _INTORSTRING: 0}.get(elem)
    return None  # nil slice / map


def _read_value(kind, elem, buf, pos, end, wire, depth, where):
    """One non-repeated value of (kind, elem) -> (json value, new pos)."""
    if kind in _SCALAR_WIRE:
        _expect(wire, _SCALAR_WIRE[kind], where)
        return _read_scalar(kind, buf, pos, end)
    _expect(wire, _WIRE_BYTES, where)
    start, pos = _read_len(buf, pos, end)
    if kind == "msg":
        out = {}
        _read_message(buf, start, pos, _message(elem, elem), out, depth + 1)
        return out, pos
    if kind == "special":
        return _read_special(elem, buf, start, pos, depth), pos
    if kind == "list":  # a list inside a map: a wrapper message {1: repeated items}
        items = []
        p = start
        while p < pos:
            n, w, p = _read_key(buf, p, pos)
            if n == 1:
                p = _read_repeated(elem[0], elem[1], buf, p, pos, w, items, depth + 1, where)
            else:
                p = _skip(buf, p, pos, w, n)
        return items, pos
    raise ProtobufError(f"cannot decode {where}")


def _read_repeated(kind, elem, buf, pos, end, wire, items, depth, where):
    if wire == _WIRE_BYTES and kind in ("int32", "int64", "bool", "double"):  # packed
        start, pos = _read_len(buf, pos, end)
        p = start
        while p < pos:
            value, p = _read_scalar(kind, buf, p, pos)
            items.append(value)
        return pos
    value, pos = _read_value(kind, elem, buf, pos, end, wire, depth, where)
    items.append(value)
    return pos


def _read_map_entry(kind, elem, buf, pos, end, wire, out, depth, where):
    _expect(wire, _WIRE_BYTES, where)
    start, pos = _read_len(buf, pos, end)
    key, value, seen = "", None, False
    p = start
    while p < pos:
        n, w, p = _read_key(buf, p, pos)
        if n == 1:
            _expect(w, _WIRE_BYTES, where)
            s, p = _read_len(buf, p, pos)
            key = _utf8(buf[s:p])
        elif n == 2:
            value, p = _read_value(kind, elem, buf, p, pos, w, depth + 1, where)
            seen = True
        else:
            p = _skip(buf, p, pos, w, n)
    out[key] = value if seen else _zero(kind, elem)
    return pos


def _read_message(buf, pos, end, msg, out, depth):
    if depth > _MAX_DEPTH:
        raise ProtobufError("proto: exceeded maximum nesting depth")
    while pos < end:
        number, wire, pos = _read_key(buf, pos, end)
        field = msg.fields.get(number)
        if field is None:
            pos = _skip(buf, pos, end, wire, number)
            continue
        name, kind = field.name, field.kind
        if kind == "inline":
            _expect(wire, _WIRE_BYTES, name)
            start, pos = _read_len(buf, pos, end)
            _read_message(buf, start, pos, _message(*field.inline), out, depth + 1)
        elif kind == "list":
            items = out.get(name)
            if not isinstance(items, list):
                items = out[name] = []
            pos = _read_repeated(field.elem[0], field.elem[1], buf, pos, end, wire, items, depth, name)
        elif kind == "map":
            entries = out.get(name)
            if not isinstance(entries, dict):
                entries = out[name] = {}
            pos = _read_map_entry(field.elem[0], field.elem[1], buf, pos, end, wire, entries, depth, name)
        elif kind == "msg":
            _expect(wire, _WIRE_BYTES, name)
            start, pos = _read_len(buf, pos, end)
            sub = out.get(name)
            if not isinstance(sub, dict):  # a repeated occurrence merges, as in Go
                sub = out[name] = {}
            _read_message(buf, start, pos, _message(field.elem, field.elem), sub, depth + 1)
        elif kind == "special":
            out[name], pos = _read_value(kind, field.elem, buf, pos, end, wire, depth, name)
        else:
            value, pos = _read_value(kind, None, buf, pos, end, wire, depth, name)
            if value or field.pointer or field.required:
                out[name] = value
            else:  # zero value of a non-pointer omitempty field
                out.pop(name, None)


# --------------------------------------------------------- special types --


def _fields(buf, start, end, want):
    """Flat scalar fields of a small well-known message: {number: value}."""
    values = {}
    pos = start
    while pos < end:
        number, wire, pos = _read_key(buf, pos, end)
        kind = want.get(number)
        if kind is None:
            pos = _skip(buf, pos, end, wire, number)
            continue
        if kind == "raw":
            _expect(wire, _WIRE_BYTES, str(number))
            s, pos = _read_len(buf, pos, end)
            values[number] = bytes(buf[s:pos])
        else:
            _expect(wire, _SCALAR_WIRE[kind], str(number))
            values[number], pos = _read_scalar(kind, buf, pos, end)
    return values


def _read_special(defname, buf, start, end, depth):
    if defname in (_TIME, _MICROTIME):
        if start == end:
            return None
        values = _fields(buf, start, end, {1: "int64", 2: "int32"})
        return _format_time(values.get(1, 0), values.get(2, 0), defname == _MICROTIME)
    if defname == _QUANTITY:
        return _fields(buf, start, end, {1: "str"}).get(1, "0")
    if defname == _INTORSTRING:
        values = _fields(buf, start, end, {1: "int64", 2: "int32", 3: "str"})
        kind = values.get(1, 0)
        if kind == 0:
            return values.get(2, 0)
        if kind == 1:
            return values.get(3, "")
        raise ProtobufError("impossible IntOrString.Type")
    if defname in (_FIELDSV1, _RAWEXTENSION):
        raw = _fields(buf, start, end, {1: "raw"}).get(1)
        if not raw:
            return None if defname == _RAWEXTENSION else {}
        if raw.startswith(MAGIC):
            if depth > _MAX_DEPTH:
                raise ProtobufError("proto: exceeded maximum nesting depth")
            return _decode(raw, "", "")
        try:
            return json.loads(raw)
        except ValueError as exc:
            raise ProtobufError(f"invalid JSON in {defname.rsplit('.', 1)[-1]}: {exc}") from None
    raise ProtobufError(f"cannot decode {defname}")


def _format_time(seconds, nanos, micro):
    seconds += nanos // 1_000_000_000
    nanos %= 1_000_000_000
    if seconds == _GO_ZERO_SECONDS and nanos == 0:
        return None  # Go's zero time marshals as null
    try:
        moment = _EPOCH + datetime.timedelta(seconds=seconds)
    except OverflowError:
        raise ProtobufError(f"time out of range: {seconds}s") from None
    text = (
        f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}"
        f"T{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}"
    )
    if micro:
        text += f".{nanos // 1000:06d}"
    return text + "Z"
