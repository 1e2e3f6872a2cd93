"""Request bodies (JSON, YAML, protobuf) in; JSON, YAML or Table out."""
import io
import json
import re

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.events import (
    DocumentEndEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
    StreamStartEvent,
)
from yaml.nodes import MappingNode, ScalarNode
from yaml.representer import SafeRepresenter
from yaml.resolver import Resolver

from resources.machinery import errors, protobuf

JSON = "application/json"
YAML = "application/yaml"
PROTOBUF = "application/vnd.kubernetes.protobuf"


def media_type(content_type):
    return (content_type or "").split(";")[0].strip().lower()


def decode(body: bytes, content_type: str):
    """Decode a request body into a JSON-shaped dict, or raise a 400/415 Status."""
    kind = media_type(content_type)
    if kind == PROTOBUF:
        return protobuf.decode(body)
    if kind in ("", JSON, "*/*"):
        try:
            obj = loads_json(body)
        except RecursionError:
            raise errors.bad_request(f"couldn't get version/kind; json parse error: {TOO_DEEP}") from None
        except UnicodeDecodeError:
            raise errors.bad_request("the body of the request was not valid UTF-8") from None
        except json.JSONDecodeError as exc:
            raise errors.bad_request(f"couldn't get version/kind; json parse error: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    elif kind in (YAML, "application/x-yaml", "text/yaml"):
        try:
            obj = load_yaml(body)
        except yaml.YAMLError as exc:
            raise errors.bad_request(f"error converting YAML to JSON: {str(exc).splitlines()[0]}") from None
        except RecursionError:
            raise errors.bad_request(f"error converting YAML to JSON: {TOO_DEEP}") from None
        except (TypeError, ValueError):
            raise errors.bad_request("error converting YAML to JSON: unsupported value types") from None
    else:
        raise errors.unsupported_media_type(content_type)
    if not isinstance(obj, dict):
        raise errors.bad_request(f"couldn't get version/kind; json parse error: expected an object, got {type(obj).__name__}")
    if _depth_exceeds(obj, MAX_DEPTH):
        raise errors.bad_request(f"couldn't get version/kind; json parse error: {TOO_DEEP}")
    return obj


# Everything below the decoder walks objects recursively; a bound on nesting
# keeps a hostile body from exhausting the stack (upstream's decoder has one too).
MAX_DEPTH = 200
TOO_DEEP = f"exceeded max depth of {MAX_DEPTH}"
_ESCAPED_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def loads_json(body):
    """json.loads as every body decoder (create, patch, apply, audit) does it:
    unpaired surrogate escapes become U+FFFD, as Go decodes them."""
    obj = json.loads(body)
    if _ESCAPED_SURROGATE.search(body if isinstance(body, bytes) else body.encode("utf-8", "surrogatepass")):
        obj = _replace_lone_surrogates(obj)
    return obj


class ExcessiveAliasing(yaml.YAMLError):
    def __str__(self):
        return "yaml: document contains excessive aliasing"


def load_yaml(body, duplicates=None):
    """One YAML document as JSON-shaped data, the way every body decoder
    reads YAML (``duplicates``: see ``_Loader``). Aliases are counted on the
    node graph before anything is materialised: go-yaml (under sigs.k8s.io/yaml) refuses a document whose
    decoding visits more than 1000 nodes of which more than 100 come through
    aliases, in a share above its allowed alias ratio (99 % up to 400,000
    nodes, falling to 10 % at 4,000,000); a 550-byte "billion laughs"
    would otherwise expand to gigabytes."""
    if _FastLoader is not None:
        try:
            return _load(_FastLoader, body, duplicates)
        except ExcessiveAliasing:
            raise
        except yaml.YAMLError:
            if duplicates is not None:
                duplicates.clear()
    return _load(_Loader, body, duplicates)


def _load(loader_class, body, duplicates):
    loader = loader_class(body, duplicates)
    try:
        node = loader.get_single_node()
        if node is not None:
            _check_aliasing(node)
        obj = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    # Through JSON, as sigs.k8s.io/yaml does: map keys become strings (1 → "1").
    return _replace_lone_surrogates(json.loads(json.dumps(obj)))


def _allowed_alias_ratio(decoded):
    if decoded <= 400_000:
        return 0.99
    if decoded >= 4_000_000:
        return 0.10
    return 0.99 - 0.89 * (decoded - 400_000) / 3_600_000


def _check_aliasing(root):
    """Expanded node count (a node reached again through an alias counts
    again) against distinct nodes, memoised so the count itself is cheap."""
    sizes, active = {}, set()

    def size(node):
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in active:  # an anchor containing itself expands forever
            raise ExcessiveAliasing()
        active.add(key)
        total = 1
        if isinstance(node, yaml.SequenceNode):
            total += sum(size(child) for child in node.value)
        elif isinstance(node, yaml.MappingNode):
            total += sum(size(k) + size(v) for k, v in node.value)
        active.discard(key)
        sizes[key] = total
        return total

    decoded = size(root)
    aliased = decoded - len(sizes)
    if aliased > 100 and decoded > 1000 and aliased / decoded > _allowed_alias_ratio(decoded):
        raise ExcessiveAliasing()


def _depth_exceeds(obj, limit):
    stack = [(obj, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values() if isinstance(v, (dict, list)))
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value if isinstance(v, (dict, list)))
    return False


def _replace_lone_surrogates(value):
    """Go's decoder turns an unpaired surrogate escape into U+FFFD; Python keeps
    it, and it could not be encoded as UTF-8 later."""
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {_replace_lone_surrogates(k): _replace_lone_surrogates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_replace_lone_surrogates(v) for v in value]
    return value


class _Loader(yaml.SafeLoader):
    """YAML 1.2-ish like sigs.k8s.io/yaml: timestamps stay strings. With a
    ``duplicates`` list, repeated mapping keys are recorded in it as (line,
    key), go-yaml strict mode's complaint, in the same pass."""

    def __init__(self, stream, duplicates=None):
        super().__init__(stream)
        self.duplicates = duplicates

    def construct_mapping(self, node, deep=False):
        if self.duplicates is not None and isinstance(node, MappingNode):
            seen = set()
            for key_node, _ in node.value:
                try:
                    key = self.construct_object(key_node, deep=True)
                    hash(key)
                except Exception:
                    continue
                if key in seen:
                    self.duplicates.append((key_node.start_mark.line + 1, key))
                seen.add(key)
        return super().construct_mapping(node, deep=deep)


# sigs.k8s.io/yaml converts through JSON: dates are plain strings, not datetimes.
_Loader.yaml_implicit_resolvers = {
    k: [(tag, regexp) for tag, regexp in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

# libyaml's scanner and parser (when PyYAML was built with it) are ~6x faster
# than PyYAML's Python ones (a 10,000-key ConfigMap: 0.1 s against 0.6 s).
# Only its events are used: its composer recurses in C, and a deeply nested
# body would crash the process where the Python composer's recursion ends in
# a RecursionError (a 400). A body libyaml refuses is read again by the
# Python parser, whose verdict and messages stand (it also takes what libyaml
# does not, such as escaped lone surrogates).
if yaml.__with_libyaml__:
    from yaml.cyaml import CParser

    class _FastLoader(CParser, _Loader):
        # Python's Composer (from _Loader), not CParser's own.
        get_single_node = Composer.get_single_node

        def __init__(self, stream, duplicates=None):
            CParser.__init__(self, stream)
            Composer.__init__(self)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)
            self.duplicates = duplicates
else:
    _FastLoader = None


def accepts(accept_header):
    """Parse an Accept header into [(media type, params dict)] in order."""
    out = []
    for part in (accept_header or "").split(","):
        fields = [f.strip() for f in part.split(";")]
        if not fields[0]:
            continue
        params = {}
        for f in fields[1:]:
            k, _, v = f.partition("=")
            params[k.strip().lower()] = v.strip()
        out.append((fields[0].lower(), params))
    return out or [("*/*", {})]


def negotiate(accept_header, allow_table=True):
    """Choose the response form: ("table", version) | ("json", None) | ("yaml", None).
    Raises 406 when nothing acceptable is offered."""
    for kind, params in accepts(accept_header):
        if params.get("as") == "Table":
            if allow_table and params.get("g") == "meta.k8s.io" and params.get("v") in ("v1", "v1beta1"):
                return "table", params["v"]
            continue
        if params.get("as"):
            continue  # PartialObjectMetadata and friends are not served yet
        if kind in (JSON, "application/*", "*/*", PROTOBUF):
            # Protobuf responses are not produced; JSON is offered in its place
            # only when the client also accepts it (see below).
            if kind == PROTOBUF:
                continue
            return "json", None
        if kind in (YAML,):
            return "yaml", None
    if any(k == PROTOBUF for k, _ in accepts(accept_header)):
        # client-go asks for "application/vnd.kubernetes.protobuf, application/json"
        # when it accepts both; protobuf alone is answered with JSON as well,
        # which client-go decodes by the response Content-Type.
        return "json", None
    raise errors.APIError(406, "NotAcceptable", f"only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf")


def encode(obj, form):
    if form == "yaml":
        return dump_yaml(obj).encode(), YAML
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode(), JSON


# YAML out. yaml.safe_dump spends most of its time in the generic Python
# representer (a 4,000-object LIST: ~2.7 s). JSON-shaped values map onto YAML
# events directly, fed to the emitter as they are made: a node tree of the
# whole document (0.85 s) kept hundreds of thousands of objects alive for the
# garbage collector to walk again and again. libyaml's emitter (when PyYAML
# was built with it) writes the same bytes as the Python one for them: same
# styles, quoting, wrapping at 80 -- except for double-quoted scalars (it wraps
# them differently) and odd keys (empty, multi-line, 123-127 characters long).
# A document with any of those goes through the Python emitter, as before.
_CDumper = getattr(yaml, "CSafeDumper", None)
_STR, _INT, _BOOL, _NULL = ("tag:yaml.org,2002:" + t for t in ("str", "int", "bool", "null"))
_MAP, _SEQ = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"
_float = SafeRepresenter().represent_float
# What makes the emitter double-quote a scalar: a character outside printable
# ASCII (allow_unicode is off), a space before a line break or after one.
_DOUBLE_QUOTED = re.compile(r"[^\n\x20-\x7e]| \n|\n ")


class _NotJSON(Exception):
    """A value the fast path does not represent (or a shared container, which
    safe_dump writes as an anchor and aliases): safe_dump it instead."""


class _NotCSafe(Exception):
    """libyaml would write this document differently from the Python emitter."""


class _Events:
    """JSON value → the YAML events yaml.serialize would emit for its node
    tree. With ``c_safe`` it raises _NotCSafe at anything libyaml would write
    differently. ``column`` is where a value's block content starts (as the
    Python emitter lays it out: nested mappings indent by 2, sequences in
    mappings do not)."""

    def __init__(self, resolver, c_safe):
        self.seen = set()
        self.resolver = resolver
        self.c_safe = c_safe

    def document(self, obj):
        yield StreamStartEvent()
        yield DocumentStartEvent()
        yield from self.events(obj, 0)
        yield DocumentEndEvent()
        yield StreamEndEvent()

    def scalar(self, tag, value):
        # The implicit flags as the serializer works them out from the resolver.
        detected = self.resolver.resolve(ScalarNode, value, (True, False))
        return ScalarEvent(None, tag, (tag == detected, tag == _STR), value)

    def events(self, value, column):
        if isinstance(value, str):
            if self.c_safe and _DOUBLE_QUOTED.search(value) and column + _quoted_length(value) > 78:
                raise _NotCSafe  # a double-quoted scalar that may be wrapped
            yield self.scalar(_STR, value)
        elif isinstance(value, dict):
            self._once(value)
            yield MappingStartEvent(None, _MAP, True, flow_style=False)
            for k, v in value.items():
                yield self.key(k)
                if isinstance(v, dict):
                    at = column + 2
                elif isinstance(v, list):
                    at = column
                else:
                    at = column + len(k) + 4  # a quoted key, ": "
                yield from self.events(v, at)
            yield MappingEndEvent()
        elif isinstance(value, list):
            self._once(value)
            yield SequenceStartEvent(None, _SEQ, True, flow_style=False)
            for v in value:
                yield from self.events(v, column + 2)
            yield SequenceEndEvent()
        elif value is None:
            yield self.scalar(_NULL, "null")
        elif value is True or value is False:
            yield self.scalar(_BOOL, "true" if value else "false")
        elif type(value) is int:
            yield self.scalar(_INT, str(value))
        elif type(value) is float:
            node = _float(value)
            yield self.scalar(node.tag, node.value)
        else:
            raise _NotJSON

    def key(self, key):
        if type(key) is not str:
            raise _NotJSON
        if self.c_safe and (not key or len(key) > 120 or "\n" in key or _DOUBLE_QUOTED.search(key)):
            raise _NotCSafe
        return self.scalar(_STR, key)

    def _once(self, container):
        if id(container) in self.seen:
            raise _NotJSON
        self.seen.add(id(container))


def _quoted_length(value):
    """At least the length of the double-quoted form ("\\xE9", "\\n", "\\"", ...)."""
    return len(value.encode("unicode_escape")) + value.count('"') + 3


class _Resolving:
    """Resolving a scalar's implicit tag is a handful of regular expressions;
    the same strings (keys above all) recur in every item of a list."""

    _resolved = {}

    def resolve(self, kind, value, implicit):
        if kind is not ScalarNode:
            return super().resolve(kind, value, implicit)
        if not implicit[0]:
            return _STR  # a quoted scalar: only path resolvers could say otherwise, and there are none
        tag = self._resolved.get(value)
        if tag is None:
            tag = super().resolve(kind, value, implicit)
            if len(self._resolved) < 100_000 and len(value) < 256:
                self._resolved[value] = tag
        return tag


class _PyDumper(_Resolving, yaml.SafeDumper):
    pass


_FastDumper = type("_FastDumper", (_Resolving, _CDumper), {}) if _CDumper else _PyDumper


def dump_yaml(obj) -> str:
    """yaml.safe_dump(obj, sort_keys=False), byte for byte, faster."""
    if not isinstance(obj, dict):
        return yaml.safe_dump(obj, sort_keys=False)  # a scalar document ends with "...": leave it to safe_dump
    try:
        if _CDumper is not None:
            try:
                return _emit(obj, _FastDumper, True)
            except _NotCSafe:
                pass
        return _emit(obj, _PyDumper, False)
    except _NotJSON:
        return yaml.safe_dump(obj, sort_keys=False)


def _emit(obj, dumper_class, c_safe):
    out = io.StringIO()
    dumper = dumper_class(out)
    try:
        for event in _Events(dumper, c_safe).document(obj):
            dumper.emit(event)
    finally:
        dumper.dispose()
    return out.getvalue()
