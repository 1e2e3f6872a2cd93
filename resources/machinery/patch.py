"""PATCH bodies: JSON patch (RFC 6902), JSON merge patch (RFC 7386) and
strategic merge patch, applied to JSON-shaped objects.

The strategic merge patch follows apimachinery's ``strategicpatch``
(server side: parallel lists merged, unmatched nulls ignored): merge keys
and strategies come from the built-in schemas' ``x-kubernetes-patch-*``
extensions, and the directives ``$patch`` (replace, merge, delete),
``$setElementOrder/<list>``, ``$retainKeys`` and
``$deleteFromPrimitiveList/<list>`` are honoured.

Every function returns a new object and leaves its inputs alone. Errors are
``PatchError`` carrying the upstream wording and HTTP status (400 for a
badly formed patch, 422 for one that cannot be applied).

The second half is kube-apiserver's patch handler: decoding a PATCH body
with the fieldValidation rules, building the function the store applies to
the current object inside its guaranteed update (so a lost race patches
again), the name and namespace checks, and /scale.
"""
import copy
import json

from resources.kinds.core import invalid
from resources.machinery import codecs, errors, managedfields, strictdecode
from resources.schema import builtin as schemas

JSON_PATCH = "application/json-patch+json"
MERGE_PATCH = "application/merge-patch+json"
STRATEGIC_MERGE_PATCH = "application/strategic-merge-patch+json"
APPLY_PATCH_YAML = "application/apply-patch+yaml"
APPLY_PATCH_CBOR = "application/apply-patch+cbor"
PATCH_TYPES = (JSON_PATCH, MERGE_PATCH, STRATEGIC_MERGE_PATCH, APPLY_PATCH_YAML)

MAX_JSON_PATCH_OPERATIONS = 10000


class PatchError(Exception):
    """A patch that cannot be applied. ``code`` 400: malformed; 422: the
    patch does not apply to this object (upstream hides the reason behind a
    generic message then); 500: what upstream lets through as an internal
    error (a list item without its merge key, ...), answered as a 400."""

    def __init__(self, message, code=400):
        super().__init__(message)
        self.message = message
        self.code = code


# ======================================================================
# Go value semantics
# ======================================================================

def _same(a, b):
    """Go's ``==`` on decoded JSON values: equal dynamic type and value."""
    if type(a) is not type(b):
        return False
    if isinstance(a, (dict, list)):
        return a == b  # Go would panic; treat as plain equality
    return a == b


def _go_type(v):
    """reflect.TypeOf for a decoded JSON value (ints are preserved as int64)."""
    if v is None:
        return None
    return type(v)


def go_format(v):
    """fmt's %v of a decoded JSON value (used in upstream error texts)."""
    if v is None:
        return "<nil>"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, dict):
        return "map[" + " ".join(f"{k}:{go_format(v[k])}" for k in sorted(v)) + "]"
    if isinstance(v, list):
        return "[" + " ".join(go_format(x) for x in v) + "]"
    if isinstance(v, float):
        return repr(v) if v != int(v) else str(int(v))
    return str(v)


def _go_type_name(v):
    """reflect.TypeOf(v).String() as mergepatch.ErrBadArgType prints it."""
    if v is None:
        return "<nil>"
    return {dict: "map[string]interface {}", list: "[]interface {}", str: "string", bool: "bool",
            int: "int64", float: "float64"}.get(type(v), "interface {}")


# ======================================================================
# JSON patch (RFC 6902)
# ======================================================================

def decode_json_patch(ops):
    """Validate the shape of a decoded JSON patch: a list of operations."""
    if not isinstance(ops, list):
        raise PatchError(f"json: cannot unmarshal {_json_kind(ops)} into Go value of type jsonpatch.Patch")
    for op in ops:
        if not isinstance(op, dict):
            raise PatchError(f"json: cannot unmarshal {_json_kind(op)} into Go value of type jsonpatch.Operation")
    if len(ops) > MAX_JSON_PATCH_OPERATIONS:
        raise PatchError(f"The allowed maximum operations in a JSON patch is {MAX_JSON_PATCH_OPERATIONS}, got {len(ops)}",
                         413)
    return ops


def _json_kind(v):
    if isinstance(v, dict):
        return "object"
    if isinstance(v, list):
        return "array"
    if isinstance(v, str):
        return "string"
    if isinstance(v, bool):
        return "bool"
    if v is None:
        return "null"
    return "number"


def _pointer(path):
    if not isinstance(path, str):
        raise PatchError("operation missing path", 422)
    if path == "":
        return []
    if not path.startswith("/"):
        raise PatchError(f"invalid JSON pointer: {path!r}", 422)
    return [part.replace("~1", "/").replace("~0", "~") for part in path[1:].split("/")]


def _container(doc, parts, path, op):
    """The parent container of the last part of ``parts``."""
    node = doc
    for part in parts[:-1]:
        if isinstance(node, dict):
            if part not in node:
                raise PatchError(f"{op} operation does not apply: doc is missing path: {path!r}", 422)
            node = node[part]
        elif isinstance(node, list):
            idx = _index(part, len(node), path)
            node = node[idx]
        else:
            raise PatchError(f"{op} operation does not apply: doc is missing path: {path!r}", 422)
    if not isinstance(node, (dict, list)):
        raise PatchError(f"{op} operation does not apply: doc is missing path: {path!r}", 422)
    return node


def _index(part, length, path, allow_end=False):
    if part == "-" and allow_end:
        return length
    if not part.lstrip("-").isdigit() or (part.startswith("0") and part != "0"):
        raise PatchError(f"Unable to access invalid index: {part}: invalid index referenced", 422)
    idx = int(part)
    limit = length if allow_end else length - 1
    if idx < 0 or idx > limit:
        raise PatchError(f"Unable to access invalid index: {idx}: invalid index referenced", 422)
    return idx


def _get(doc, parts, path, op):
    if not parts:
        return doc
    parent = _container(doc, parts, path, op)
    key = parts[-1]
    if isinstance(parent, dict):
        if key not in parent:
            raise PatchError(f"{op} operation does not apply: doc is missing key: {path}: missing value", 422)
        return parent[key]
    return parent[_index(key, len(parent), path)]


def _add(doc, parts, value, path, op="add"):
    if not parts:
        return value
    parent = _container(doc, parts, path, op)
    key = parts[-1]
    if isinstance(parent, dict):
        parent[key] = value
    else:
        parent.insert(_index(key, len(parent), path, allow_end=True), value)
    return doc


def _remove(doc, parts, path, op="remove"):
    if not parts:
        raise PatchError(f"{op} operation does not apply: doc is missing path: {path!r}", 422)
    parent = _container(doc, parts, path, op)
    key = parts[-1]
    if isinstance(parent, dict):
        if key not in parent:
            raise PatchError(f"Unable to remove nonexistent key: {key}: missing value", 422)
        return parent.pop(key)
    return parent.pop(_index(key, len(parent), path))


def _json_equal(a, b):
    """Equality of two JSON values as json-patch's test sees it (numbers by value)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_json_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_json_equal(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


def apply_json_patch(doc, ops):
    """RFC 6902 on a copy of ``doc``."""
    doc = copy.deepcopy(doc)
    for op in decode_json_patch(ops):
        kind = op.get("op")
        path = op.get("path")
        if kind == "add":
            if "value" not in op:
                raise PatchError("add operation does not apply: missing value", 422)
            doc = _add(doc, _pointer(path), copy.deepcopy(op["value"]), path)
        elif kind == "remove":
            _remove(doc, _pointer(path), path)
        elif kind == "replace":
            parts = _pointer(path)
            if "value" not in op:
                raise PatchError("replace operation does not apply: missing value", 422)
            if not parts:
                doc = copy.deepcopy(op["value"])
                continue
            parent = _container(doc, parts, path, "replace")
            key = parts[-1]
            if isinstance(parent, dict):
                if key not in parent:
                    raise PatchError(f"replace operation does not apply: doc is missing key: {path}: missing value", 422)
                parent[key] = copy.deepcopy(op["value"])
            else:
                parent[_index(key, len(parent), path)] = copy.deepcopy(op["value"])
        elif kind in ("move", "copy"):
            src = op.get("from")
            if not isinstance(src, str):
                raise PatchError(f"{kind} operation missing from", 422)
            if kind == "move":
                if path != src and path.startswith(src + "/"):
                    raise PatchError(f"Unable to move: {src} is a prefix of {path}", 422)
                value = _remove(doc, _pointer(src), src, "move")
            else:
                value = copy.deepcopy(_get(doc, _pointer(src), src, "copy"))
            doc = _add(doc, _pointer(path), value, path, kind)
        elif kind == "test":
            parts = _pointer(path)
            try:
                current = _get(doc, parts, path, "test")
                found = True
            except PatchError:
                current, found = None, False
            expected = op.get("value")
            if not found or current is None:
                if expected is None:
                    continue  # json-patch: null (or no value) matches a missing or null value
                raise PatchError(f"testing value {path} failed: test failed", 422)
            if not _json_equal(current, expected):
                raise PatchError(f"testing value {path} failed: test failed", 422)
        else:
            raise PatchError(f"Unexpected kind: {kind}", 422)
    return doc


# ======================================================================
# JSON merge patch (RFC 7386)
# ======================================================================

def apply_merge_patch(doc, patch):
    """RFC 7386 on a copy of ``doc``."""
    if patch is None:
        raise PatchError("Invalid JSON Patch")
    if not isinstance(patch, dict):
        return _prune_nulls(copy.deepcopy(patch))
    if not isinstance(doc, dict):
        return _prune_nulls(copy.deepcopy(patch))
    out = copy.deepcopy(doc)
    _merge_into(out, patch)
    return out


def _merge_into(target, patch):
    for key, value in patch.items():
        if value is None:
            target.pop(key, None)
        elif isinstance(value, dict):
            current = target.get(key)
            if not isinstance(current, dict):
                current = {}
            _merge_into(current, value)
            target[key] = current
        else:
            target[key] = _prune_nulls(copy.deepcopy(value))


def _prune_nulls(value):
    if isinstance(value, dict):
        return {k: _prune_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_prune_nulls(v) for v in value]
    return value


# ======================================================================
# Patch metadata from the schemas
# ======================================================================

class PatchMeta:
    """Where a value sits in the schema: answers, for a key of a map/struct,
    the sub-schema and the field's patch strategies and merge key (the
    ``LookupPatchMeta`` of strategicpatch). ``schema`` None means unknown:
    no strategies anywhere below."""

    __slots__ = ("schema",)

    def __init__(self, schema):
        self.schema = _resolve(schema)

    @classmethod
    def for_definition(cls, defname):
        if not defname:
            return cls(None)
        return cls({"$ref": "#/$defs/" + defname})

    def _field_schema(self, key):
        s = self.schema
        if s is None:
            return None
        props = s.get("properties")
        if props is not None and key in props:
            return props[key]
        extra = s.get("additionalProperties")
        if isinstance(extra, dict):
            return extra
        return None

    def lookup_struct(self, key):
        """(sub PatchMeta, strategies list, merge key) for a map-valued field."""
        field = self._field_schema(key)
        if field is None:
            return PatchMeta(None), [], ""
        return PatchMeta(field), _strategies(field), field.get("x-kubernetes-patch-merge-key", "")

    def lookup_slice(self, key):
        """(element PatchMeta, strategies, merge key) for a list-valued field."""
        field = self._field_schema(key)
        if field is None:
            return PatchMeta(None), [], ""
        resolved = _resolve(field)
        items = resolved.get("items") if resolved else None
        if items is None and resolved is not None and "properties" in resolved:
            items = resolved  # a pointer to a struct holding a list: its element is the struct
        return PatchMeta(items), _strategies(field), field.get("x-kubernetes-patch-merge-key", "")

    def name(self):
        return "struct" if self.schema is not None else "map"


def _strategies(field):
    raw = field.get("x-kubernetes-patch-strategy", "")
    return [s for s in raw.split(",") if s] if raw else []


def _resolve(schema):
    """Follow $ref (and a single-element allOf) to the schema proper."""
    seen = 0
    while isinstance(schema, dict) and seen < 16:
        seen += 1
        ref = schema.get("$ref")
        if ref:
            schema = schemas.definitions().get(ref.rsplit("/", 1)[1])
            continue
        all_of = schema.get("allOf")
        if isinstance(all_of, list) and len(all_of) == 1:
            schema = all_of[0]
            continue
        break
    return schema if isinstance(schema, dict) else None


# ======================================================================
# Strategic merge patch
# ======================================================================

DIRECTIVE = "$patch"
DELETE, REPLACE, MERGE = "delete", "replace", "merge"
RETAIN_KEYS_STRATEGY = "retainKeys"
RETAIN_KEYS = "$retainKeys"
DELETE_FROM_PRIMITIVE_LIST = "$deleteFromPrimitiveList"
SET_ELEMENT_ORDER = "$setElementOrder"

ERR_BAD_JSON_DOC = "invalid JSON document"
ERR_NO_LIST_OF_LISTS = "lists of lists are not supported"
ERR_BAD_PRIMITIVE_LIST = "invalid patch format of primitive list"
ERR_BAD_RETAIN_KEYS = "invalid patch format of retainKeys"
ERR_BAD_SET_ELEMENT_ORDER = "invalid patch format of setElementOrder list"
ERR_UNSUPPORTED_SMP = "strategic merge patch format is not supported"


def apply_strategic_merge_patch(doc, patch, meta):
    """StrategicMergeMapPatch: ``patch`` applied to a copy of ``doc``;
    ``meta`` is the PatchMeta of the object's kind."""
    if not isinstance(patch, dict):
        raise PatchError(f"json: cannot unmarshal {_json_kind(patch)} into Go value of type map[string]interface {{}}")
    original = copy.deepcopy(doc) if isinstance(doc, dict) else {}
    return _merge_map(original, copy.deepcopy(patch), meta)


def _bad_arg_type(expected, actual):
    return PatchError(f"expected a {expected}, but received a {_go_type_name(actual)}", 500)


def _no_merge_key(m, key):
    return PatchError(f"map: {go_format(m)} does not contain declared merge key: {key}", 500)


def _bad_patch_type(t, m):
    return PatchError(f"unknown patch type: {go_format(t)} in map: {go_format(m)}", 500)


def _merge_map(original, patch, meta):
    if DIRECTIVE in patch:
        directive = patch[DIRECTIVE]
        if directive == REPLACE:
            del patch[DIRECTIVE]
            return patch
        if directive == DELETE:
            return {}
        raise _bad_patch_type(directive, patch)
    if original is None:
        original = {}
    _apply_retain_keys(original, patch)
    _merge_set_element_order(original, patch, meta)

    for key in list(patch):
        if key not in patch:
            continue
        patch_v = patch[key]
        is_delete_list = False
        if key.startswith(DELETE_FROM_PRIMITIVE_LIST):
            key = _extract_key(key, DELETE_FROM_PRIMITIVE_LIST)
            is_delete_list = True
        if patch_v is None:
            original.pop(key, None)
            continue  # IgnoreUnmatchedNulls
        if key not in original:
            if not is_delete_list:
                _discard_nulls(patch_v)
                value, keep = _remove_directives(patch_v)
                if keep:
                    original[key] = value
                else:
                    original.pop(key, None)
            continue
        if _go_type(original[key]) is not _go_type(patch_v):
            if not is_delete_list:
                _discard_nulls(patch_v)
                value, keep = _remove_directives(patch_v)
                if keep:
                    original[key] = value
                else:
                    original.pop(key, None)
            continue
        if isinstance(original[key], dict):
            sub, strategies, _ = meta.lookup_struct(key)
            strategy = _patch_strategy(strategies)
            if strategy != REPLACE:
                original[key] = _merge_map(original[key], patch_v, sub)
            else:
                original[key] = patch_v
        elif isinstance(original[key], list):
            sub, strategies, merge_key = meta.lookup_slice(key)
            strategy = _patch_strategy(strategies)
            if strategy == MERGE or is_delete_list:
                original[key] = _merge_slice(original[key], patch_v, sub, merge_key, is_delete_list)
            else:
                original[key] = patch_v
        else:
            value, keep = _remove_directives(patch_v)
            if keep:
                original[key] = value
            else:
                original.pop(key, None)
    return original


def _patch_strategy(strategies):
    """extractRetainKeysPatchStrategy: the strategy besides retainKeys."""
    if len(strategies) == 0:
        return ""
    if len(strategies) == 1:
        return "" if strategies[0] == RETAIN_KEYS_STRATEGY else strategies[0]
    if len(strategies) == 2:
        if strategies[0] == RETAIN_KEYS_STRATEGY:
            return strategies[1]
        if strategies[1] == RETAIN_KEYS_STRATEGY:
            return strategies[0]
    raise PatchError(f"unexpected patch strategy: {strategies}", 500)


def _extract_key(key, prefix):
    parts = key.split("/", 1)
    if len(parts) <= 1 or parts[0] != prefix:
        if prefix == DELETE_FROM_PRIMITIVE_LIST:
            raise PatchError(ERR_BAD_PRIMITIVE_LIST)
        raise PatchError(ERR_BAD_SET_ELEMENT_ORDER)
    return parts[1]


def _discard_nulls(value):
    if isinstance(value, dict):
        for k in [k for k, v in value.items() if v is None]:
            del value[k]
        for v in value.values():
            _discard_nulls(v)
    elif isinstance(value, list):
        for v in value:
            _discard_nulls(v)


def _remove_directives(obj):
    """(value, keep): drop maps carrying $patch, recursively."""
    if isinstance(obj, dict):
        if DIRECTIVE in obj:
            return None, False
        for k in list(obj):
            value, keep = _remove_directives(obj[k])
            if keep:
                obj[k] = value
            else:
                del obj[k]
        return obj, True
    if isinstance(obj, list):
        out = []
        for v in obj:
            value, keep = _remove_directives(v)
            if keep:
                out.append(value)
        return out, True
    return obj, True


def _apply_retain_keys(original, patch):
    if RETAIN_KEYS not in patch:
        return
    retain = patch.pop(RETAIN_KEYS)
    if not isinstance(retain, list):
        raise PatchError(ERR_BAD_RETAIN_KEYS)
    allowed = [v for v in retain]
    for k, v in patch.items():
        if v is None or k.startswith(DELETE_FROM_PRIMITIVE_LIST) or k.startswith(SET_ELEMENT_ORDER):
            continue
        if not any(_same(k, a) for a in allowed):
            raise PatchError(ERR_BAD_RETAIN_KEYS)
    for k in list(original):
        if not any(_same(k, a) for a in allowed):
            del original[k]


def _merge_set_element_order(original, patch, meta):
    """mergePatchIntoOriginal: $setElementOrder lists and their patch lists."""
    for key in list(patch):
        if not key.startswith(SET_ELEMENT_ORDER):
            continue
        order = patch.pop(key)
        if not isinstance(order, list):
            raise _bad_arg_type("[]interface {}", order)
        list_key = _extract_key(key, SET_ELEMENT_ORDER)
        found_original = list_key in original
        found_patch = list_key in patch
        original_list = original.get(list_key)
        patch_list = patch.get(list_key)
        if found_original and not isinstance(original_list, list):
            raise _bad_arg_type("[]interface {}", original_list)
        if found_patch and not isinstance(patch_list, list):
            raise _bad_arg_type("[]interface {}", patch_list)
        sub, strategies, merge_key = meta.lookup_slice(list_key)
        strategy = _patch_strategy(strategies)
        _validate_set_order(patch_list or [], order, merge_key)
        if found_original and not found_patch:
            merged = original_list
        elif not found_original and found_patch:
            merged, _ = _remove_directives(patch_list)
        elif found_original and found_patch:
            if strategy == MERGE:
                merged = _merge_slice(original_list, patch_list, sub, merge_key, False)
            else:
                merged = patch_list
        else:
            continue
        if not merge_key:
            patch_items, server_only = _partition_primitives(merged, order)
        else:
            patch_items, server_only = _partition_maps(merged, order, merge_key)
        kind = _element_kind((original_list or []) + (patch_list or []))
        server_order = original_list or []
        if found_original and found_patch and strategy == MERGE and kind == "map":
            server_order = _aliased_view(original_list, patch_list, merge_key)
        original[list_key] = _normalize_element_order(patch_items, server_only, order, server_order,
                                                      merge_key, kind)
        patch.pop(list_key, None)


def _aliased_view(original, patch, merge_key):
    """The live list as upstream sees it after merging into it: Go's merge
    deletes entries in place (shifting the backing array) and appends into
    the room that leaves, and the order of the result is then read off that
    same backing array. Only the merge keys matter here."""
    arr = list(original)
    length = cap = len(arr)

    def key_of(item):
        return item.get(merge_key, _MISSING) if isinstance(item, dict) else _MISSING

    for v in patch:
        if isinstance(v, dict) and v.get(DIRECTIVE) == DELETE and merge_key in v:
            while True:
                idx = next((i for i in range(length) if _same(key_of(arr[i]), v[merge_key])), -1)
                if idx < 0:
                    break
                arr[idx:length - 1] = arr[idx + 1:length]
                length -= 1
    if any(isinstance(v, dict) and v.get(DIRECTIVE) == REPLACE for v in patch):
        return arr
    for v in patch:
        if not isinstance(v, dict) or DIRECTIVE in v:
            continue
        idx = next((i for i in range(length) if _same(key_of(arr[i]), v.get(merge_key, _MISSING))), -1)
        if idx >= 0:
            arr[idx] = v
        elif length < cap:
            arr[length] = v
            length += 1
        else:
            break  # the slice grew into a new array: no more writes show here
    return arr


def _validate_set_order(patch_list, order, merge_key):
    if not order or not patch_list:
        return
    items = patch_list
    if merge_key:
        items, _ = _extract_to_delete(patch_list)
    pi = oi = 0
    while pi < len(items) and oi < len(order):
        if isinstance(items[pi], dict) and DIRECTIVE in items[pi]:
            pi += 1
            continue
        if _merge_key_equal(items[pi], order[oi], merge_key):
            pi += 1
        oi += 1
    if pi < len(items) and oi >= len(order):
        raise PatchError(f"The order in patch list:\n{go_format(patch_list)}\n doesn't match "
                         f"{SET_ELEMENT_ORDER} list:\n{go_format(order)}\n", 500)


def _merge_key_equal(left, right, merge_key):
    if not merge_key:
        return _same(left, right)
    if not isinstance(left, dict):
        raise _bad_arg_type("map[string]interface {}", left)
    if not isinstance(right, dict):
        raise _bad_arg_type("map[string]interface {}", right)
    if merge_key not in left:
        raise _no_merge_key(left, merge_key)
    if merge_key not in right:
        raise _no_merge_key(right, merge_key)
    return _same(left[merge_key], right[merge_key])


def _element_kind(items):
    """sliceElementType: 'map' or 'scalar'; errors as upstream."""
    prev = None
    first = True
    for v in items:
        t = _go_type(v)
        if first:
            first = False
            prev = t
            if t is list:
                raise PatchError(ERR_NO_LIST_OF_LISTS, 422)
        elif t is not prev:
            raise PatchError(f"list element types are not identical: {go_format(items)}", 500)
    if first:
        raise PatchError("no elements in any of the given slices", 500)
    return "map" if prev is dict else "scalar"


def _merge_slice(original, patch, meta, merge_key, is_delete_list):
    if not original and not patch:
        return original
    kind = _element_kind(list(original) + list(patch))
    if kind != "map":
        if is_delete_list:
            return [v for v in original if not any(_same(v, d) for d in patch)]
        merged = _dedupe_scalars(list(original) + list(patch))
    else:
        if not merge_key:
            raise PatchError(f"cannot merge lists without merge key for {meta.name()}", 500)
        original, patch = _merge_special_elements(original, patch, merge_key)
        merged = _merge_without_special(original, patch, merge_key, meta)
    if not merge_key:
        patch_items, server_only = _partition_primitives(merged, patch)
    else:
        patch_items, server_only = _partition_maps(merged, patch, merge_key)
    return _normalize_element_order(patch_items, server_only, patch, original, merge_key, kind)


def _dedupe_scalars(s):
    """deduplicateScalars, including its habit of moving the tail forward."""
    length = len(s) - 1
    i = 0
    while i < length:
        j = i + 1
        while j <= length:
            if _same(s[i], s[j]):
                s[j] = s[length]
                s = s[:length]
                length -= 1
                j -= 1
            j += 1
        i += 1
    return s


def _merge_special_elements(original, patch, merge_key):
    without = []
    replace = False
    for v in patch:
        if not isinstance(v, dict):
            raise _bad_arg_type("map[string]interface {}", v)
        if DIRECTIVE not in v:
            without.append(v)
            continue
        directive = v[DIRECTIVE]
        if directive == DELETE:
            if merge_key not in v:
                raise _no_merge_key(v, merge_key)
            value = v[merge_key]
            original = [o for o in original if not (isinstance(o, dict) and _same(o.get(merge_key, _MISSING), value))]
        elif directive == REPLACE:
            replace = True
        elif directive == MERGE:
            raise PatchError("merging lists cannot yet be specified in the patch", 500)
        else:
            raise _bad_patch_type(directive, v)
    if replace:
        return without, []
    return original, without


_MISSING = object()


def _find_by_key(items, key, value):
    for i, v in enumerate(items):
        if not isinstance(v, dict):
            raise PatchError(f"value for key {i} is not a map", 500)
        if key in v and _same(v[key], value):
            return v, i
    return None, -1


def _merge_without_special(original, patch, merge_key, meta):
    original = list(original)
    for v in patch:
        if merge_key not in v:
            raise _no_merge_key(v, merge_key)
        found, idx = _find_by_key(original, merge_key, v[merge_key])
        if found is not None:
            original[idx] = _merge_map(found, v, meta)
        else:
            original.append(v)
    return original


def _partition_primitives(items, by):
    patch, server_only = [], []
    for v in items:
        (patch if any(_same(v, b) for b in by) else server_only).append(v)
    return patch, server_only


def _partition_maps(items, by, merge_key):
    patch, server_only = [], []
    for v in items:
        if not isinstance(v, dict):
            raise _bad_arg_type("map[string]interface {}", v)
        if merge_key not in v:
            raise _no_merge_key(v, merge_key)
        found, _ = _find_by_key(by, merge_key, v[merge_key])
        (patch if found is not None else server_only).append(v)
    return patch, server_only


def _extract_to_delete(items):
    keep, delete = [], []
    for v in items:
        if not isinstance(v, dict):
            raise _bad_arg_type("map[string]interface {}", v)
        (delete if v.get(DIRECTIVE) == DELETE else keep).append(v)
    return keep, delete


def _index_of(items, value, merge_key, kind):
    if kind == "map":
        def get(item):
            return item.get(merge_key) if isinstance(item, dict) else None
    else:
        def get(item):
            return item
    target = get(value)
    for i, v in enumerate(items):
        if _same(get(v), target):
            return i
    return -1


def _normalize_slice_order(to_sort, order, merge_key, kind):
    to_delete = []
    if kind == "map":
        for lst in (to_sort, order):
            for item in lst:
                if not isinstance(item, dict):
                    raise _bad_arg_type("map[string]interface {}", item)
                if merge_key not in item:
                    raise _no_merge_key(item, merge_key)
        to_sort, to_delete = _extract_to_delete(to_sort)
    to_sort = list(to_sort)

    def less(a, b):
        ia = _index_of(order, a, merge_key, kind)
        if ia >= 0:
            ib = _index_of(order, b, merge_key, kind)
            if ib >= 0:
                return ia < ib
        return True

    # Go's sort.SliceStable: insertion sort (exactly Go's for up to 20 items).
    for i in range(1, len(to_sort)):
        j = i
        while j > 0 and less(to_sort[j], to_sort[j - 1]):
            to_sort[j], to_sort[j - 1] = to_sort[j - 1], to_sort[j]
            j -= 1
    return to_sort + to_delete


def _normalize_element_order(patch, server_only, patch_order, server_order, merge_key, kind):
    patch = _normalize_slice_order(patch, patch_order, merge_key, kind)
    server_only = _normalize_slice_order(server_only, server_order, merge_key, kind)
    return _merge_sorted(server_only, patch, server_order, merge_key, kind)


def _merge_sorted(left, right, server_order, merge_key, kind):
    out = []
    i = j = 0
    while i < len(left) or j < len(right):
        if i >= len(left):
            out.append(right[j])
            j += 1
        elif j >= len(right):
            out.append(left[i])
            i += 1
        else:
            li = _index_of(server_order, left[i], merge_key, kind)
            ri = _index_of(server_order, right[j], merge_key, kind)
            if li >= 0 and ri >= 0 and li < ri:
                out.append(left[i])
                i += 1
            else:
                out.append(right[j])
                j += 1
    return out


# ======================================================================
# The PATCH request (kube-apiserver's patch handler)
# ======================================================================

def patch_types(rtype):
    """The patch types a resource accepts, in upstream's order: strategic
    merge patch only for kinds with Go types (built-ins)."""
    if rtype.schema_name:
        return [JSON_PATCH, MERGE_PATCH, STRATEGIC_MERGE_PATCH, APPLY_PATCH_YAML]
    return [JSON_PATCH, MERGE_PATCH, APPLY_PATCH_YAML]


def _errors():
    return errors


def _invalid_patch(value, detail):
    """422: the patched object cannot be decoded (field.Invalid on "patch")."""

    return _errors().invalid("", "", "", [invalid("patch", value, detail)])


def _loads(body):
    """json.loads with the decoder's guards: bounded nesting, unpaired
    surrogate escapes as U+FFFD (as Go decodes them)."""

    try:
        obj = codecs.loads_json(body)
    except RecursionError:
        raise _errors().bad_request(f"json: {codecs.TOO_DEEP}") from None
    if isinstance(obj, (dict, list)) and codecs._depth_exceeds(obj, codecs.MAX_DEPTH):
        raise _errors().bad_request(f"json: {codecs.TOO_DEEP}")
    return obj


def _decode_json_body(body, prefix):
    try:
        return _loads(body)
    except UnicodeDecodeError:
        raise _errors().bad_request(prefix + "invalid character in JSON: the body is not valid UTF-8") from None
    except json.JSONDecodeError as exc:
        raise _errors().bad_request(f"{prefix}{_go_syntax_error(body, exc)}") from None


def _go_syntax_error(body, exc):
    if not body.strip():
        return "unexpected end of JSON input"
    if exc.pos >= len(body.rstrip()):
        return "unexpected end of JSON input"
    ch = body[exc.pos:exc.pos + 1] if isinstance(body, str) else body[exc.pos:exc.pos + 1].decode("latin-1")
    return f"invalid character {ch!r} looking for beginning of value"


def _decode_patch(ptype, body, mode):
    """Decoded patch and the strict-decoding complaints about it."""

    strict = mode in ("Strict", "Warn")
    strict_errors = []
    if ptype == JSON_PATCH:
        if strict:
            ops = _decode_json_body(body, "error decoding patch: ")
            if not isinstance(ops, list):
                raise _errors().bad_request(
                    f"error decoding patch: json: cannot unmarshal {_json_kind(ops)} into Go value of type "
                    "[]handlers.jsonPatchOp")
            for i, op in enumerate(ops):
                if isinstance(op, dict):
                    for key in op:
                        if key not in ("op", "path", "from", "value"):
                            strict_errors.append(f'json patch unknown field "[{i}].{key}"')
            if strictdecode.has_duplicates_json(body):
                strict_errors.extend("json patch " + e for e in strictdecode.json_duplicate_errors(body))
        try:
            ops = _loads(body)
        except ValueError as exc:
            raise _errors().bad_request(_go_syntax_error(body, exc) if isinstance(exc, json.JSONDecodeError)
                                        else str(exc)) from None
        try:
            decode_json_patch(ops)
        except PatchError as exc:
            raise _errors().APIError(exc.code, "RequestEntityTooLarge" if exc.code == 413 else "BadRequest",
                                     exc.message) from None
        return ops, strict_errors
    if ptype == MERGE_PATCH:
        if strict:
            patch = _decode_json_body(body, "error decoding patch: ")
            if not isinstance(patch, dict):
                raise _errors().bad_request(
                    f"error decoding patch: json: cannot unmarshal {_json_kind(patch)} into Go value of type "
                    "map[string]interface {}")
            if strictdecode.has_duplicates_json(body):
                strict_errors.extend(strictdecode.json_duplicate_errors(body))
            return patch, strict_errors
        try:
            patch = _loads(body)
        except ValueError:
            raise _errors().bad_request("Invalid JSON Patch") from None
        if patch is None:
            raise _errors().bad_request("Invalid JSON Patch")
        return patch, strict_errors
    # strategic merge patch
    patch = _decode_json_body(body, "")
    if not isinstance(patch, dict):
        raise _errors().bad_request(
            f"json: cannot unmarshal {_json_kind(patch)} into Go value of type map[string]interface {{}}")
    if strict and strictdecode.has_duplicates_json(body):
        strict_errors.extend(strictdecode.json_duplicate_errors(body))
    return patch, strict_errors


def _check_decodes(obj, defname, mode, strict_errors, shown, warnings):
    """Decode the patched object as the handler does: type errors and, in
    Strict mode, unknown/duplicate fields fail (422); Warn warns; unknown
    fields are dropped."""
    if not defname:
        return
    decode_error = schemas.decode_error(obj, defname)
    if decode_error:
        raise _invalid_patch(shown(), decode_error)
    errs = list(strict_errors) + [schemas.unknown_field_message(p) for p in schemas.unknown_fields(obj, defname)]
    if errs:
        if mode == "Strict":
            raise _invalid_patch(shown(), "strict decoding error: " + ", ".join(errs))
        if mode == "Warn":
            warnings.extend(errs)
    schemas.prune_unknown(obj, defname)


def _check_name(obj, info, rtype):
    meta = obj.get("metadata")
    if not isinstance(meta, dict):
        meta = obj["metadata"] = {}
    name = meta.get("name") or ""
    if name != info.name:
        raise _errors().bad_request(
            f"the name of the object ({name}) does not match the name on the URL ({info.name})")
    expected = info.namespace if rtype.namespaced else ""
    ns = meta.get("namespace") or ""
    if ns == expected:
        return
    if not ns:
        meta["namespace"] = expected
    elif not expected:
        meta.pop("namespace", None)
    else:
        raise _errors().bad_request(
            "the namespace of the provided object does not match the namespace sent on the request")


def make_mutator(rtype, info, ctx, ptype, body, query):
    """The function the store applies to the current object (served
    version) for this PATCH, and whether a missing object is created."""
    mode = ctx.extra.get("fieldValidation", "Warn")
    # A subresource (status, scale) is patched as its own view of the parent.
    sub = rtype.subresource(info.subresource) if info.subresource else None
    if ptype == APPLY_PATCH_YAML:
        return _apply_mutator(rtype, info, ctx, body, query, mode, sub), True
    patch_obj, strict_errors = _decode_patch(ptype, body, mode)
    defname = sub.schema_name_for(rtype) if sub else rtype.schema_name
    meta = PatchMeta.for_definition(defname)

    def mutate(current):
        target = sub.view(rtype, current) if sub else current
        try:
            if ptype == JSON_PATCH:
                patched = apply_json_patch(target, patch_obj)
            elif ptype == MERGE_PATCH:
                patched = apply_merge_patch(target, patch_obj)
            else:
                patched = apply_strategic_merge_patch(target, patch_obj, meta)
        except PatchError as exc:
            raise _patch_failure(exc, ptype) from None
        if ptype == STRATEGIC_MERGE_PATCH:
            def shown():
                return go_format(patch_obj)
        else:
            def shown():
                return json.dumps(patched, separators=(",", ":"), ensure_ascii=False)
        if not isinstance(patched, dict):
            raise _invalid_patch(shown(), "json: cannot unmarshal " + _json_kind(patched) +
                                 " into Go value of type map[string]interface {}")
        _check_decodes(patched, defname, mode, strict_errors, shown, ctx.warnings)
        pruned = rtype.prune_unknown(patched) if not defname else None
        if pruned is not None:
            # A custom resource: unknown means not in its CRD's schema.
            errs = list(strict_errors) + [schemas.unknown_field_message(p) for p in pruned]
            if errs and mode == "Strict":
                raise _invalid_patch(shown(), "strict decoding error: " + ", ".join(errs))
            if mode == "Warn":
                ctx.warnings.extend(errs)
        patched["apiVersion"], patched["kind"] = target.get("apiVersion"), target.get("kind")
        _check_name(patched, info, rtype)
        if sub:
            return sub.into(rtype, current, patched, info.name)
        return patched

    return mutate, False


def _patch_failure(exc, ptype):
    errors = _errors()
    if exc.code == 422:
        # NewGenericServerResponse(422, ...): the reason itself is not shown.
        return errors.APIError(422, "Invalid", "the server rejected our request due to an error in our request")
    if exc.code == 413:
        return errors.APIError(413, "RequestEntityTooLarge", exc.message)
    # Malformed patches, including those upstream lets through as a 500
    # (a list item without its merge key, ...): a 400 with upstream's words.
    return errors.bad_request(exc.message)


def _apply_mutator(rtype, info, ctx, body, query, mode, sub):
    errors = _errors()
    force = query.get("force") in ("true", "1")
    duplicates = []  # repeated keys, found while decoding (one pass over a large body, not two)
    try:
        config = codecs.load_yaml(body, duplicates)
    except RecursionError:
        raise errors.bad_request(f"error decoding YAML: {codecs.TOO_DEEP}") from None
    except (TypeError, ValueError):
        raise errors.bad_request("error decoding YAML: unsupported value types") from None
    except Exception as exc:  # yaml.YAMLError, decoding errors
        raise errors.bad_request(f"error decoding YAML: {str(exc).splitlines()[0] if str(exc) else exc}") from None
    if not isinstance(config, dict):
        raise errors.bad_request(
            "error decoding YAML: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal "
            f"{_json_kind(config)} into Go value of type map[string]interface {{}}")
    if codecs._depth_exceeds(config, codecs.MAX_DEPTH):
        raise errors.bad_request(f"error decoding YAML: {codecs.TOO_DEEP}")
    expected_version = sub.api_version_for(rtype) if sub else rtype.group_version
    expected_kind = sub.kind_for(rtype) if sub else rtype.kind
    api_version, kind = config.get("apiVersion") or "", config.get("kind") or ""
    if api_version != expected_version or kind != expected_kind:
        group, _, version = api_version.rpartition("/")
        raise errors.bad_request(f"invalid object type: {group}/{version}, Kind={kind}")
    meta = config.get("metadata")
    if meta is not None and not isinstance(meta, dict):
        raise errors.bad_request("metadata must be an object")
    if isinstance(meta, dict) and meta.get("managedFields") is not None:
        raise errors.bad_request("metadata.managedFields must be nil")
    strict_error = None
    if mode in ("Strict", "Warn"):
        dup = strictdecode.duplicates_error(duplicates)
        if dup:
            strict_error = "error converting YAML to JSON: " + dup
    if sub:
        config = sub.apply_config(rtype, config, info.name)

    def mutate(current):
        if current is None and (config.get("metadata") or {}).get("uid"):
            raise errors.conflict(rtype.group, rtype.plural, info.name,
                                  f"uid mismatch: the provided object specified uid {config['metadata']['uid']}, "
                                  "and no existing object was found")
        new = managedfields.apply_config(rtype, ctx, current, copy.deepcopy(config), force)
        if strict_error:
            if mode == "Strict":
                raise errors.bad_request("error strict decoding YAML: " + strict_error)
            ctx.warnings.append(strict_error)
        _check_name(new, info, rtype)
        if current is None:
            for field in ("uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds",
                          "generation", "selfLink"):
                new["metadata"].pop(field, None)
        return new

    return mutate


