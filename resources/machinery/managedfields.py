"""metadata.managedFields and server-side apply.

A Python rendering of what kube-apiserver does with sigs.k8s.io/structured-
merge-diff (SMD) and apimachinery's ``managedfields``:

- field sets (``FieldSet``) with the FieldsV1 wire form
  (``{"f:spec": {"f:replicas": {}}}``, ``k:{"name":"c"}``, ``v:"x"``, ``i:0``);
- a type model read from the built-in schemas: structs, granular or atomic
  maps (``x-kubernetes-map-type``), and lists that are atomic, sets or maps
  keyed by ``x-kubernetes-list-map-keys`` (``x-kubernetes-list-type``);
- the typed walks SMD builds on: to-field-set, compare (added, modified,
  removed), merge (apply: the applied value wins) and remove-items;
- the managers: ``update`` (every write but apply: whatever a write changed
  becomes its manager's, and leaves the other managers) and ``apply``
  (the applied configuration is the applier's set; fields other managers
  own and the apply would change are conflicts unless forced; fields the
  applier stops applying and nobody else owns are removed).

Objects here are plain JSON-shaped dicts in the request's version. The
walks over an object's keys and items check the request deadline
(``kubeapi.deadline``): an apply of a large object past ``?timeout=`` ends in
a 504 rather than running on.
"""
import copy
import functools
import json

from kubeapi import deadline
from resources.machinery import errors
from resources.machinery.clock import now_rfc3339
from resources.machinery.validation import FIELD_MANAGER_MAX_LENGTH
from resources.registry import builtin, from_storage, to_storage
from resources.schema import builtin as schemas
from resources.schema import gofacts

APPLY, UPDATE = "Apply", "Update"
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
MAX_UPDATE_MANAGERS = 10
ANCIENT_MANAGER = "ancient-changes"
BEFORE_FIRST_APPLY = "before-first-apply"

_ABSENT = object()


# ======================================================================
# Path elements and field sets
# ======================================================================
# A path element is a tuple: ("f", name) | ("k", ((key, value), ...)) |
# ("v", value) | ("i", index). Values in keys and sets are JSON scalars;
# anything else is carried as its canonical JSON text in a ("json", text).

def _hashable(v):
    if isinstance(v, (dict, list)):
        return ("json", json.dumps(v, sort_keys=True, separators=(",", ":")))
    return v


def _unhash(v):
    if isinstance(v, tuple) and len(v) == 2 and v[0] == "json":
        return json.loads(v[1])
    return v


def _value_order(v):
    """value.Compare's order: numbers < strings < bools < lists < maps < null."""
    v = _unhash(v)
    if isinstance(v, bool):
        return (2, v)
    if isinstance(v, (int, float)):
        return (0, v)
    if isinstance(v, str):
        return (1, v)
    if isinstance(v, list):
        return (3, json.dumps(v, sort_keys=True))
    if isinstance(v, dict):
        return (4, json.dumps(v, sort_keys=True))
    return (5,)


def _pe_order(pe):
    kind = pe[0]
    if kind == "f":
        return (0, pe[1])
    if kind == "k":
        return (1, tuple((name, _value_order(value)) for name, value in pe[1]))
    if kind == "v":
        return (2, _value_order(pe[1]))
    return (3, pe[1])


def go_json(v):
    """encoding/json's output for a JSON value (HTML-safe escapes included)."""
    text = json.dumps(v, ensure_ascii=False, separators=(",", ":"))
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def pe_to_key(pe):
    """FieldsV1 key of a path element."""
    kind = pe[0]
    if kind == "f":
        return "f:" + pe[1]
    if kind == "k":
        return "k:{" + ",".join(go_json(name) + ":" + go_json(_unhash(value)) for name, value in pe[1]) + "}"
    if kind == "v":
        return "v:" + go_json(_unhash(pe[1]))
    return "i:" + str(pe[1])


def pe_from_key(key):
    if key.startswith("f:"):
        return ("f", key[2:])
    if key.startswith("k:"):
        fields = json.loads(key[2:])
        if not isinstance(fields, dict):
            raise ValueError(f"invalid key {key!r}")
        return ("k", tuple(sorted((k, _hashable(v)) for k, v in fields.items())))
    if key.startswith("v:"):
        return ("v", _hashable(json.loads(key[2:])))
    if key.startswith("i:"):
        return ("i", int(key[2:]))
    raise ValueError(f"unknown path element type {key!r}")


def pe_string(pe):
    """SMD's PathElement.String(), as conflict messages print paths."""
    kind = pe[0]
    if kind == "f":
        return "." + pe[1]
    if kind == "k":
        return "[" + ",".join(f"{name}={_value_string(_unhash(value))}" for name, value in pe[1]) + "]"
    if kind == "v":
        return f"[={_value_string(_unhash(pe[1]))}]"
    return f"[{pe[1]}]"


def _value_string(v):
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, float):
        return repr(v) if v != int(v) else str(int(v))
    if isinstance(v, list):
        return "[" + ",".join(_value_string(x) for x in v) + "]"
    if isinstance(v, dict):
        return "".join(f"{k}={_value_string(x)}" for k, x in v.items())
    return str(v)


def path_string(path):
    return "".join(pe_string(pe) for pe in path)


class FieldSet:
    """fieldpath.Set: ``members`` are paths ending here, ``children`` the
    sets below each path element."""

    __slots__ = ("members", "children")

    def __init__(self):
        self.members = set()
        self.children = {}

    # ---------------------------------------------------------- building
    def insert(self, path):
        node = self
        for pe in path[:-1]:
            child = node.children.get(pe)
            if child is None:
                child = node.children[pe] = FieldSet()
            node = child
        if path:
            node.members.add(path[-1])

    def has(self, path):
        node = self
        for pe in path[:-1]:
            node = node.children.get(pe)
            if node is None:
                return False
        return bool(path) and path[-1] in node.members

    def empty(self):
        return not self.members and all(c.empty() for c in self.children.values())

    def copy(self):
        out = FieldSet()
        out.members = set(self.members)
        out.children = {pe: c.copy() for pe, c in self.children.items()}
        return out

    def with_prefix(self, pe):
        child = self.children.get(pe)
        return child if child is not None else FieldSet()

    # -------------------------------------------------------- set algebra
    # Set operations build new nodes only where the result differs and share
    # the rest: sets are not changed once built.
    def union(self, other):
        if other.empty():
            return self
        if self.empty():
            return other
        out = FieldSet()
        out.members = self.members | other.members
        for pe in set(self.children) | set(other.children):
            a, b = self.children.get(pe), other.children.get(pe)
            out.children[pe] = a.union(b) if a is not None and b is not None else (a or b)
        return out

    def intersection(self, other):
        out = FieldSet()
        out.members = self.members & other.members
        for pe in set(self.children) & set(other.children):
            sub = self.children[pe].intersection(other.children[pe])
            if not sub.empty():
                out.children[pe] = sub
        return out

    def difference(self, other):
        if not other.members and not other.children:
            return self
        out = FieldSet()
        out.members = self.members - other.members
        for pe, child in self.children.items():
            o = other.children.get(pe)
            sub = child.difference(o) if o is not None else child
            if not sub.empty():
                out.children[pe] = sub
        return out

    def recursive_difference(self, other):
        """Difference that also drops everything below a member of ``other``."""
        out = FieldSet()
        out.members = self.members - other.members
        for pe, child in self.children.items():
            if pe in other.members:
                continue
            o = other.children.get(pe)
            sub = child.recursive_difference(o) if o is not None else child
            if not sub.empty():
                out.children[pe] = sub
        return out

    def __eq__(self, other):
        return isinstance(other, FieldSet) and self.to_fields() == other.to_fields()

    # ---------------------------------------------------------- iteration
    def paths(self, prefix=()):
        """Preorder as SMD's Iterate: this level's members, then children."""
        for pe in sorted(self.members, key=_pe_order):
            yield prefix + (pe,)
        for pe in sorted(self.children, key=_pe_order):
            yield from self.children[pe].paths(prefix + (pe,))

    # ---------------------------------------------------------- FieldsV1
    def to_fields(self):
        return self._emit(False)

    def _emit(self, include_self):
        out = {}
        if include_self and (self.members or self.children):
            out["."] = {}
        for pe in deadline.checked(sorted(set(self.members) | set(self.children), key=_pe_order)):
            child = self.children.get(pe)
            if child is None or child.empty():
                out[pe_to_key(pe)] = {}
            else:
                out[pe_to_key(pe)] = child._emit(pe in self.members)
        return out

    @classmethod
    def from_fields(cls, fields):
        out = cls()
        if fields is None:
            return out
        if not isinstance(fields, dict):
            raise ValueError("FieldsV1 must be an object")
        for key, sub in deadline.checked(fields.items()):
            if key == ".":
                continue
            pe = pe_from_key(key)
            if not isinstance(sub, dict):
                raise ValueError("FieldsV1 values must be objects")
            if not sub or "." in sub:
                out.members.add(pe)
            child = cls.from_fields(sub)
            if not child.empty():
                out.children[pe] = child
        return out


def make_set(*paths):
    s = FieldSet()
    for p in paths:
        s.insert(tuple(("f", x) if isinstance(x, str) else x for x in p))
    return s


# ======================================================================
# The type model (from the schemas)
# ======================================================================

STRUCT, MAP, LIST, SCALAR, UNTYPED = "struct", "map", "list", "scalar", "untyped"
_SCALAR_DEFS = {
    "io.k8s.apimachinery.pkg.util.intstr.IntOrString",
    "io.k8s.apimachinery.pkg.api.resource.Quantity",
    "io.k8s.apimachinery.pkg.apis.meta.v1.Time",
    "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime",
}
_UNTYPED_DEFS = {
    "io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1",
    "io.k8s.apimachinery.pkg.runtime.RawExtension",
    "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSON",
}
# List-map keys with a default in the OpenAPI (SMD fills them in when absent).
_KEY_DEFAULTS = {
    ("io.k8s.api.core.v1.ContainerPort", "protocol"): "TCP",
    ("io.k8s.api.core.v1.ServicePort", "protocol"): "TCP",
}


class Type:
    __slots__ = ("kind", "atomic", "defname", "props", "elem_schema", "keys", "_fields", "_elem")

    def __init__(self, kind, atomic=False, defname=None, props=None, elem_schema=None, keys=()):
        self.kind = kind
        self.atomic = atomic
        self.defname = defname
        self.props = props or {}
        self.elem_schema = elem_schema
        self.keys = tuple(keys)
        self._fields = {}
        self._elem = None

    def field(self, name):
        """Type of a struct field (None: not declared) or a map's elements."""
        if self.kind == STRUCT:
            if name not in self.props:
                return None
            t = self._fields.get(name)
            if t is None:
                t = self._fields[name] = type_of(self.props[name])
            return t
        if self.kind == MAP:
            return self.elem()
        return UNTYPED_TYPE

    def has_field(self, name):
        return self.kind == STRUCT and name in self.props

    def elem(self):
        if self._elem is None:
            self._elem = type_of(self.elem_schema) if self.elem_schema is not None else UNTYPED_TYPE
        return self._elem

    def key_default(self, key):
        elem = self.elem()
        return _KEY_DEFAULTS.get((elem.defname, key))


UNTYPED_TYPE = Type(UNTYPED)
_def_types = {}


def type_for_definition(defname):
    if not defname:
        return UNTYPED_TYPE
    return type_of({"$ref": "#/$defs/" + defname})


def type_for(rtype):
    """A resource type's SMD type: its built-in definition's, or the one a
    custom resource brings (``managed_type``, from its CRD's schema)."""
    custom = rtype.managed_type
    return custom if custom is not None else type_for_definition(rtype.schema_name)


def type_of(schema):
    """The Type of a property schema (its own x-kubernetes-* extensions
    plus those of the definition it refers to)."""
    ref = schema.get("$ref") if isinstance(schema, dict) else None
    if ref is None and isinstance(schema, dict) and isinstance(schema.get("allOf"), list) and len(schema["allOf"]) == 1:
        inner = schema["allOf"][0]
        merged = dict(inner)
        merged.update({k: v for k, v in schema.items() if k.startswith("x-kubernetes")})
        return type_of(merged)
    list_type = schema.get("x-kubernetes-list-type") if isinstance(schema, dict) else None
    map_type = schema.get("x-kubernetes-map-type") if isinstance(schema, dict) else None
    if ref:
        name = ref.rsplit("/", 1)[1]
        if map_type is None and list_type is None:
            t = _def_types.get(name)
            if t is None:
                t = _def_types[name] = _type_of_definition(name)
            return t
        base = _type_of_definition(name)
        if map_type and base.kind in (STRUCT, MAP):
            base.atomic = map_type == "atomic"
        return base
    return _type_of_schema(schema, None)


def _type_of_definition(name):
    if name in _SCALAR_DEFS:
        return Type(SCALAR, defname=name)
    if name in _UNTYPED_DEFS:
        return Type(UNTYPED, defname=name)
    schema = schemas.definitions().get(name)
    if schema is None:
        return Type(UNTYPED, defname=name)
    return _type_of_schema(schema, name)


def _type_of_schema(schema, defname):
    if not isinstance(schema, dict):
        return UNTYPED_TYPE
    if "oneOf" in schema or "anyOf" in schema or schema.get("x-kubernetes-int-or-string"):
        return Type(SCALAR, defname=defname)
    if schema.get("x-kubernetes-preserve-unknown-fields") and "properties" not in schema:
        return Type(UNTYPED, defname=defname)
    t = schema.get("type")
    if isinstance(t, list):
        t = next((x for x in t if x != "null"), None)
    if "properties" in schema:
        return Type(STRUCT, atomic=schema.get("x-kubernetes-map-type") == "atomic", defname=defname,
                    props=schema["properties"])
    if t == "object" or "additionalProperties" in schema:
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            return Type(MAP, atomic=schema.get("x-kubernetes-map-type") == "atomic", defname=defname,
                        elem_schema=extra)
        return Type(UNTYPED, defname=defname)
    if t == "array":
        list_type = schema.get("x-kubernetes-list-type") or "atomic"
        keys = schema.get("x-kubernetes-list-map-keys") or ()
        if list_type == "map" and not keys:
            list_type = "atomic"
        return Type(LIST, atomic=list_type == "atomic", defname=defname, elem_schema=schema.get("items") or {},
                    keys=keys if list_type == "map" else ())
    if t in ("string", "integer", "number", "boolean"):
        return Type(SCALAR, defname=defname)
    return Type(UNTYPED, defname=defname)


def _deduce(t, v):
    """The effective kind of a value of type t (untyped: from the value)."""
    if t.kind != UNTYPED:
        return t
    if isinstance(v, dict):
        return _DEDUCED_MAP
    if isinstance(v, list):
        return _DEDUCED_LIST
    return _DEDUCED_SCALAR


_DEDUCED_MAP = Type(MAP)
_DEDUCED_MAP._elem = UNTYPED_TYPE
_DEDUCED_LIST = Type(LIST, atomic=True)
_DEDUCED_SCALAR = Type(SCALAR)


class TypeError_(Exception):
    """A value does not fit the schema (SMD's validation errors)."""


def item_pe(t, item):
    """listItemToPathElement for an item of the (non-atomic) list type t."""
    if t.keys:
        if item is None:
            raise TypeError_("associative list with keys may not have a null element")
        if not isinstance(item, dict):
            raise TypeError_("associative list with keys may not have non-map elements")
        fields = []
        for key in t.keys:
            if key in item:
                fields.append((key, _hashable(item[key])))
            else:
                default = t.key_default(key)
                if default is not None:
                    fields.append((key, default))
        if not fields:
            raise TypeError_(f"associative list with keys has an element that omits all key fields "
                             f"{_go_quoted_list(t.keys)} (and doesn't have default values for any key fields)")
        return ("k", tuple(sorted(fields)))
    if isinstance(item, dict):
        raise TypeError_("associative list without keys has an element that's a map type")
    if isinstance(item, list):
        raise TypeError_("not supported: associative list with lists as elements")
    if item is None:
        raise TypeError_("associative list without keys has an element that's an explicit null")
    return ("v", item)


def _go_quoted_list(keys):
    return "[" + " ".join(json.dumps(k) for k in keys) + "]"


# ======================================================================
# Typed walks
# ======================================================================

def validate(v, t, path=()):
    """SMD's validation of an applied object: declared fields only, list
    items with their keys, no duplicates. Raises TypeError_ with SMD's text."""
    t = _deduce(t, v)
    if v is None:
        return
    if t.kind == SCALAR:
        if isinstance(v, (dict, list)):
            raise TypeError_(f"{path_string(path)}: expected scalar, got {_json_kind(v)}")
        return
    if t.kind == LIST:
        if not isinstance(v, list):
            raise TypeError_(f"{path_string(path)}: expected list, got {_json_kind(v)}")
        if t.atomic:
            return
        seen = set()
        for i, item in enumerate(deadline.checked(v)):
            try:
                pe = item_pe(t, item)
            except TypeError_ as exc:
                raise TypeError_(f"{path_string(path)}: element {i}: {exc}") from None
            if pe in seen:
                raise TypeError_(f"{path_string(path)}: duplicate entries for key {pe_string(pe)}")
            seen.add(pe)
            validate(item, t.elem(), path + (pe,))
        return
    if t.kind in (STRUCT, MAP):
        if not isinstance(v, dict):
            raise TypeError_(f"{path_string(path)}: expected map, got {_json_kind(v)}")
        if t.atomic and t.kind == MAP:
            return
        for key, item in deadline.checked(v.items()):
            ft = t.field(key)
            if ft is None:
                raise TypeError_(f"{path_string(path + (('f', key),))}: field not declared in schema")
            validate(item, ft, path + (("f", key),))


def _json_kind(v):
    if isinstance(v, dict):
        return "map"
    if isinstance(v, list):
        return "list"
    return "scalar"


def to_field_set(v, t):
    out = FieldSet()
    _tofs(v, t, (), out)
    return out


def _tofs(v, t, path, out):
    t = _deduce(t, v)
    if t.kind == SCALAR:
        out.insert(path)
        return
    if t.kind == LIST:
        if t.atomic:
            out.insert(path)
            return
        if not isinstance(v, list):
            return
        seen, dups = set(), set()
        pes = []
        for item in deadline.checked(v):
            pe = item_pe(t, item)
            pes.append(pe)
            if pe in seen:
                if pe not in dups:
                    out.insert(path + (pe,))
                    dups.add(pe)
            else:
                seen.add(pe)
        for item, pe in zip(v, pes):
            if pe in dups:
                continue
            _tofs(item, t.elem(), path + (pe,), out)
            out.insert(path + (pe,))
        return
    if t.kind in (STRUCT, MAP):
        if t.atomic:
            out.insert(path)
            return
        if not isinstance(v, dict):
            return
        for key, val in deadline.checked(v.items()):
            ft = t.field(key)
            if ft is None:
                ft = UNTYPED_TYPE
            child = path + (("f", key),)
            _tofs(val, ft, child, out)
            if val is None or (isinstance(val, dict) and not val):
                out.insert(child)
            elif not t.has_field(key):
                out.insert(child)


class Comparison:
    __slots__ = ("added", "modified", "removed")

    def __init__(self):
        self.added, self.modified, self.removed = FieldSet(), FieldSet(), FieldSet()

    def same(self):
        return self.added.empty() and self.modified.empty() and self.removed.empty()

    def exclude(self, fields):
        self.added = self.added.recursive_difference(fields)
        self.modified = self.modified.recursive_difference(fields)
        self.removed = self.removed.recursive_difference(fields)
        return self


def compare(lhs, rhs, t):
    cmp = Comparison()
    _compare(lhs, rhs, t, (), cmp)
    return cmp


def _compare(lhs, rhs, t, path, cmp):
    tl = _deduce(t, lhs if lhs is not _ABSENT else rhs)
    tr = _deduce(t, rhs if rhs is not _ABSENT else lhs)
    in_leaf = False
    if tl.kind != tr.kind:
        # Different shapes (untyped values): a leaf change.
        in_leaf = _leaf(lhs, rhs, path, cmp)
    else:
        in_leaf = _compare_atom(lhs, rhs, tr, path, cmp)
    if not in_leaf and path:
        if lhs is _ABSENT:
            cmp.added.insert(path)
        elif rhs is _ABSENT:
            cmp.removed.insert(path)


def _leaf(lhs, rhs, path, cmp):
    if lhs is _ABSENT:
        cmp.added.insert(path)
    elif rhs is _ABSENT:
        cmp.removed.insert(path)
    elif not _equal(lhs, rhs):
        cmp.modified.insert(path)
    return True


def _equal(a, b):
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


def _compare_atom(lhs, rhs, t, path, cmp):
    """Returns whether this node was handled as a leaf."""
    if t.kind == SCALAR:
        return _leaf(lhs, rhs, path, cmp)
    if t.kind == LIST:
        ll = lhs if isinstance(lhs, list) else None
        rl = rhs if isinstance(rhs, list) else None
        if t.atomic or (not ll and not rl):
            return _leaf(lhs, rhs, path, cmp)
        _compare_list_items(t, ll or [], rl or [], path, cmp)
        return False
    lm = lhs if isinstance(lhs, dict) else None
    rm = rhs if isinstance(rhs, dict) else None
    if t.atomic or (not lm and not rm):
        return _leaf(lhs, rhs, path, cmp)
    lm, rm = lm or {}, rm or {}
    for key in deadline.checked(list(lm) + [k for k in rm if k not in lm]):
        ft = t.field(key) or UNTYPED_TYPE
        _compare(lm.get(key, _ABSENT), rm.get(key, _ABSENT), ft, path + (("f", key),), cmp)
    return False


def _compare_list_items(t, lhs, rhs, path, cmp):
    lvalues, rvalues, order = {}, {}, []
    for item in lhs:
        pe = item_pe(t, item)
        if pe not in lvalues:
            order.append(pe)
        lvalues.setdefault(pe, []).append(item)
    for item in rhs:
        pe = item_pe(t, item)
        if pe not in rvalues and pe not in lvalues:
            order.append(pe)
        rvalues.setdefault(pe, []).append(item)
    for pe in deadline.checked(order):
        ll, rl = lvalues.get(pe, []), rvalues.get(pe, [])
        child = path + (pe,)
        if len(ll) <= 1 and len(rl) <= 1:
            _compare(ll[0] if ll else _ABSENT, rl[0] if rl else _ABSENT, t.elem(), child, cmp)
        elif len(ll) >= 2 and len(rl) >= 2:
            if not _equal(ll, rl):
                cmp.modified.insert(child)
        elif len(ll) >= 2:
            if rl:
                _compare(_ABSENT, rl[0], t.elem(), child, cmp)
            cmp.removed.insert(child)
        else:
            if ll:
                _compare(ll[0], _ABSENT, t.elem(), child, cmp)
            cmp.added.insert(child)


def merge(lhs, rhs, t):
    """typed Merge with the applied value winning at the leaves."""
    out = _merge(lhs, rhs, t)
    return {} if out is _ABSENT else out


def _merge(lhs, rhs, t):
    tl = _deduce(t, lhs if lhs is not _ABSENT else rhs)
    tr = _deduce(t, rhs if rhs is not _ABSENT else lhs)
    if tl.kind != tr.kind or tr.kind == SCALAR:
        return _keep_rhs(lhs, rhs)
    if tr.kind == LIST:
        ll = lhs if isinstance(lhs, list) else None
        rl = rhs if isinstance(rhs, list) else None
        if tr.atomic or (not ll and not rl):
            return _keep_rhs(lhs, rhs)
        return _merge_list(tr, ll or [], rl or [])
    lm = lhs if isinstance(lhs, dict) else None
    rm = rhs if isinstance(rhs, dict) else None
    if tr.atomic or (not lm and not rm):
        return _keep_rhs(lhs, rhs)
    lm, rm = lm or {}, rm or {}
    out = {}
    for key in deadline.checked(list(lm) + [k for k in rm if k not in lm]):
        ft = tr.field(key) or UNTYPED_TYPE
        value = _merge(lm.get(key, _ABSENT), rm.get(key, _ABSENT), ft)
        if value is not _ABSENT:
            out[key] = value
    return out if out else _ABSENT


def _keep_rhs(lhs, rhs):
    if rhs is not _ABSENT:
        return copy.deepcopy(rhs)
    if lhs is not _ABSENT:
        return copy.deepcopy(lhs)
    return _ABSENT


def _merge_list(t, lhs, rhs):
    """SMD's associative-list merge: the applied order wins for the items
    it names; live-only items keep their place relative to them."""
    rpes, robserved = [], {}
    for item in deadline.checked(rhs):
        pe = item_pe(t, item)
        if pe in robserved:
            raise TypeError_(f"duplicate entries for key {pe_string(pe)}")
        robserved[pe] = item
        rpes.append(pe)
    lpes, lobserved = [], {}
    for item in deadline.checked(lhs):
        pe = item_pe(t, item)
        lobserved[pe] = None if pe in lobserved else item  # duplicates: null
        lpes.append(pe)
    # Reversed, so that taking the next one is pop() (pop(0) made merging long lists quadratic).
    shared = [pe for pe in reversed(rpes) if pe in lobserved]
    next_shared = shared.pop() if shared else None
    merged_rhs = set()
    out = []

    def merge_item(pe, lchild, rchild):
        value = _merge(lchild, rchild, t.elem())
        if value is not _ABSENT:
            out.append(value)

    li = ri = 0
    while li < len(lpes) or ri < len(rpes):
        if li < len(lpes) and ri < len(rpes):
            pe = lpes[li]
            if pe == rpes[ri]:
                merged_rhs.add(pe)
                lchild = lobserved.get(pe)
                merge_item(pe, _ABSENT if lchild is None else lchild, robserved[pe])
                li += 1
                ri += 1
                next_shared = shared.pop() if shared else None
                continue
            if pe in robserved and next_shared is not None and next_shared != lpes[li]:
                li += 1
                continue
        if li < len(lpes):
            pe = lpes[li]
            if pe not in robserved:
                lchild = lhs[li]
                merge_item(pe, lchild, _ABSENT)
                li += 1
                continue
            elif pe in merged_rhs:
                li += 1
        if ri < len(rpes):
            pe = rpes[ri]
            merged_rhs.add(pe)
            lchild = lobserved.get(pe, _ABSENT)
            merge_item(pe, _ABSENT if lchild is None else lchild, robserved[pe])
            ri += 1
            if next_shared is not None and next_shared == pe:
                next_shared = shared.pop() if shared else None
    return out if out else _ABSENT


def remove_items(v, fields, t):
    """typed RemoveItems: drop every path of ``fields`` (a member path goes
    with everything below it). Containers left empty disappear."""
    out = _remove(v, fields, t)
    return {} if out is None else out


def _remove(v, fields, t):
    t = _deduce(t, v)
    if t.kind == LIST:
        if not isinstance(v, list) or not v or t.atomic:
            return None
        items = []
        for item in deadline.checked(v):
            pe = item_pe(t, item)
            if pe in fields.members:
                continue
            sub = fields.children.get(pe)
            if sub is not None and not sub.empty():
                item = _remove(item, sub, t.elem())
            items.append(item)
        return items or None
    if t.kind in (STRUCT, MAP):
        if not isinstance(v, dict) or not v or t.atomic:
            return None
        out = {}
        for key, val in deadline.checked(v.items()):
            pe = ("f", key)
            if pe in fields.members:
                continue
            sub = fields.children.get(pe)
            if sub is not None and not sub.empty():
                val = _remove(val, sub, t.field(key) or UNTYPED_TYPE)
                if val is None:
                    continue
            out[key] = val
        return out or None
    return v


def ensure_named_fields_are_members(fields, t):
    """Struct fields with something below them become members themselves."""
    out = FieldSet()
    out.members = set(fields.members)
    for pe, child in fields.children.items():
        if pe[0] == "f" and t.kind == STRUCT and t.has_field(pe[1]):
            out.members.add(pe)
        if pe[0] == "f":
            ct = t.field(pe[1]) if t.kind in (STRUCT, MAP) else None
        elif t.kind == LIST:
            ct = t.elem()
        else:
            ct = None
        out.children[pe] = ensure_named_fields_are_members(child, ct or UNTYPED_TYPE)
    return out


# ======================================================================
# The Go zero value: fields present in a freshly created object
# ======================================================================
# Which JSON fields of a struct appear in the encoding of its Go zero
# value: ``:s`` a non-pointer struct (encoded even with omitempty, as an
# object), ``:n`` a pointer, slice or map without omitempty (encoded as
# null). Extracted from the Go types of k8s.io/api and apimachinery's
# meta/v1. Upstream compares a new object against this zero value on
# create, which decides where FieldsV1 carries a "." (the field itself
# was added) and where only the fields below it were.
_GO_ZERO = gofacts.read("zero_fields.txt")
_zero_fields = None


def _zero_table():
    global _zero_fields
    if _zero_fields is None:
        table = {}
        for line in _GO_ZERO.strip().split("\n"):
            name, *items = line.split()
            full = ("io.k8s.apimachinery.pkg.apis.meta." + name[5:]) if name.startswith("meta.") else "io.k8s.api." + name
            table[full] = [tuple(item.split(":")) for item in items]
        _zero_fields = table
    return _zero_fields


def go_normalized(obj, t):
    """obj with the fields Go always encodes filled in where absent (``{}``
    for non-pointer structs, null otherwise), so that comparing two objects
    sees what comparing their Go forms would. Shares what it does not change."""
    if not isinstance(obj, dict):
        return obj
    return _filled(obj, t)


def _filled(v, t):
    if t.kind == STRUCT and isinstance(v, dict):
        out = None
        for name, mark in _zero_table().get(t.defname, ()):
            if name not in v:
                if out is None:
                    out = dict(v)
                ft = t.field(name)
                out[name] = _fill({}, ft) if mark == "s" and ft is not None and ft.kind == STRUCT else None
        for name, item in v.items():
            if isinstance(item, (dict, list)):
                ft = t.field(name)
                if ft is not None and ft.kind in (STRUCT, LIST, MAP):
                    new = _filled(item, ft)
                    if new is not item:
                        if out is None:
                            out = dict(v)
                        out[name] = new
        return v if out is None else out
    if t.kind == LIST and isinstance(v, list):
        et = t.elem()
        if et.kind == STRUCT:
            items = [_filled(item, et) for item in v]
            if any(a is not b for a, b in zip(items, v)):
                return items
        return v
    if t.kind == MAP and isinstance(v, dict):
        et = t.elem()
        if et.kind in (STRUCT, LIST):
            out = {k: _filled(item, et) for k, item in v.items()}
            if any(out[k] is not v[k] for k in v):
                return out
        return v
    return v


def drop_omitted(obj, t):
    """What decoding into the Go types and encoding again loses: empty maps
    and lists, and nulls, in fields tagged omitempty (all but those the zero
    table marks ``:n``). Changes obj in place; structs (even empty) stay."""
    _drop(obj, t)
    return obj


def _drop(v, t):
    if t.kind == STRUCT and isinstance(v, dict):
        keep = {name for name, mark in _zero_table().get(t.defname, ()) if mark == "n"}
        for name in list(v):
            item = v[name]
            ft = t.field(name)
            if ft is None:
                continue
            if name not in keep and (item is None or (item == {} and ft.kind == MAP) or
                                     (item == [] and ft.kind == LIST)):
                del v[name]
            elif isinstance(item, (dict, list)):
                _drop(item, ft)
    elif t.kind == LIST and isinstance(v, list):
        et = t.elem()
        if et.kind in (STRUCT, LIST, MAP):
            for item in v:
                _drop(item, et)
    elif t.kind == MAP and isinstance(v, dict):
        et = t.elem()
        if et.kind in (STRUCT, LIST):
            for item in v.values():
                _drop(item, et)


def zero_object(t):
    return _fill({}, t)


def _fill(v, t):
    if t.kind == STRUCT and isinstance(v, dict):
        for name, mark in _zero_table().get(t.defname, ()):
            if name in v:
                continue
            if mark == "s":
                ft = t.field(name)
                if ft is not None and ft.kind == STRUCT:
                    v[name] = _fill({}, ft)
                elif ft is not None:
                    v[name] = None
            else:
                v[name] = None
        for name, item in v.items():
            if isinstance(item, (dict, list)):
                ft = t.field(name)
                if ft is not None:
                    _fill(item, ft)
    elif t.kind == LIST and isinstance(v, list):
        et = t.elem()
        if et.kind == STRUCT:
            for item in v:
                _fill(item, et)
    elif t.kind == MAP and isinstance(v, dict):
        et = t.elem()
        if et.kind in (STRUCT, LIST):
            for item in v.values():
                _fill(item, et)
    return v


# ======================================================================
# Managers
# ======================================================================

# Paths no manager ever owns (stripMetaManager).
STRIPPED = make_set(("apiVersion",), ("kind",), ("metadata",), ("metadata", "name"), ("metadata", "namespace"),
                    ("metadata", "creationTimestamp"), ("metadata", "selfLink"), ("metadata", "uid"),
                    ("metadata", "clusterName"), ("metadata", "generation"), ("metadata", "managedFields"),
                    ("metadata", "resourceVersion"))


def manager_id(manager, operation, api_version, subresource="", default="unknown"):
    """BuildManagerIdentifier: Apply entries do not carry the apiVersion.
    A write without a manager name is recorded as "unknown"."""
    entry = {"manager": manager or default} if (manager or default) else {}
    entry["operation"] = operation
    if operation != APPLY and api_version:
        entry["apiVersion"] = api_version
    if subresource:
        entry["subresource"] = subresource
    return json.dumps(entry, separators=(",", ":"))


class Managed:
    """Decoded managedFields: identifier → [FieldSet, apiVersion, applied]; times."""

    def __init__(self):
        self.fields = {}
        self.times = {}

    def copy(self):
        out = Managed()
        out.fields = {k: [v[0], v[1], v[2]] for k, v in self.fields.items()}  # sets are never changed in place
        out.times = dict(self.times)
        return out


class ManagedFieldsError(ValueError):
    pass


def decode(entries):
    """DecodeManagedFields; raises ManagedFieldsError on a malformed list."""
    managed = Managed()
    if not entries:
        return managed
    if not isinstance(entries, list):
        raise ManagedFieldsError("managedFields must be a list")
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise ManagedFieldsError("managedFields entries must be objects")
        operation = entry.get("operation")
        if operation not in (APPLY, UPDATE):
            raise ManagedFieldsError("operation must be `Apply` or `Update`")
        if not entry.get("apiVersion"):
            raise ManagedFieldsError("apiVersion must not be empty")
        fields_type = entry.get("fieldsType")
        if fields_type != "FieldsV1":
            if not fields_type:
                raise ManagedFieldsError(f"missing fieldsType in managed fields entry {i}")
            raise ManagedFieldsError(f"invalid fieldsType {fields_type!r} in managed fields entry {i}")
        ident = manager_id(entry.get("manager", ""), operation, entry["apiVersion"], entry.get("subresource", ""),
                           default="")
        try:
            fs = FieldSet.from_fields(entry.get("fieldsV1") or {})
        except (ValueError, TypeError) as exc:
            raise ManagedFieldsError(f"error decoding set: {exc}") from None
        managed.fields[ident] = [fs, entry["apiVersion"], operation == APPLY]
        managed.times[ident] = entry.get("time")
    return managed


def encode(managed):
    """encodeManagedFields, sorted as upstream (operation, time, manager,
    apiVersion, subresource). None when nobody manages anything."""
    if not managed.fields:
        return None
    out = []
    for ident, (fs, api_version, applied) in managed.fields.items():
        info = json.loads(ident)
        entry = {}
        if info.get("manager"):
            entry["manager"] = info["manager"]
        entry["operation"] = APPLY if applied else info.get("operation", UPDATE)
        entry["apiVersion"] = api_version
        time = managed.times.get(ident)
        if time:
            entry["time"] = time
        entry["fieldsType"] = "FieldsV1"
        entry["fieldsV1"] = fs.to_fields()
        if info.get("subresource"):
            entry["subresource"] = info["subresource"]
        out.append(entry)
    out.sort(key=lambda e: (e["operation"], e.get("time") or "", e.get("manager", ""), e["apiVersion"],
                            e.get("subresource", "")))
    return out


def _strip(managed, ident):
    entry = managed.fields.get(ident)
    if entry is None:
        return
    fs = entry[0].difference(STRIPPED)
    if fs.empty():
        del managed.fields[ident]
    else:
        entry[0] = fs


def _update_sets(managed, live, new, t, api_version, workflow, force, ignore=None, versions=None):
    """Updater.update: conflicts of ``workflow`` with the other managers,
    and fields removed from the object taken from everyone. A manager whose
    fields are in another version of the kind is compared in that version
    (``versions``: see ``versions_of``)."""
    cmp = compare(live, new, t)
    if ignore is not None:
        cmp.exclude(ignore)
    by_version = {api_version: cmp}

    def comparison(version):
        if version not in by_version:
            by_version[version] = (versions and versions(version, live, new)) or cmp
        return by_version[version]

    conflicts = {}
    for ident, (fs, version, applied) in list(managed.fields.items()):
        if ident == workflow:
            continue
        theirs = comparison(version)
        conflict = fs.intersection(theirs.modified.union(theirs.added))
        if not conflict.empty():
            conflicts[ident] = conflict
    if conflicts and not force:
        raise ConflictError(conflicts)
    for ident, conflict in conflicts.items():
        managed.fields[ident][0] = managed.fields[ident][0].difference(conflict)
    for ident, entry in managed.fields.items():
        if ident != workflow:
            removed = comparison(entry[1]).removed
            if not removed.empty():
                entry[0] = entry[0].difference(removed)
    for ident in [i for i, e in managed.fields.items() if e[0].empty()]:
        del managed.fields[ident]
    return cmp


class ConflictError(Exception):
    def __init__(self, conflicts):
        super().__init__("conflicts")
        self.conflicts = conflicts  # identifier → FieldSet

    def items(self):
        """[(identifier, path)] in a stable order."""
        out = []
        for ident in sorted(self.conflicts):
            for path in self.conflicts[ident].paths():
                out.append((ident, path))
        return out

    def status(self):
        items = self.items()
        causes = [{"reason": "FieldManagerConflict", "message": f"conflict with {print_manager(ident)}",
                   "field": path_string(path)} for ident, path in items]
        if len(items) == 1:
            ident, path = items[0]
            message = f"Apply failed with 1 conflict: conflict with {print_manager(ident)}: {path_string(path)}"
        else:
            lines = []
            for ident in sorted(self.conflicts):
                lines.append(f"conflicts with {print_manager(ident)}:")
                lines.extend(f"- {path_string(p)}" for i, p in items if i == ident)
            message = f"Apply failed with {len(items)} conflicts: " + "\n".join(lines)
        return errors.APIError(409, "Conflict", message, {"causes": causes})


def print_manager(ident):
    try:
        info = json.loads(ident)
    except ValueError:
        return json.dumps(ident)
    text = json.dumps(info.get("manager", ""), ensure_ascii=False)
    if info.get("subresource"):
        text += f" with subresource {json.dumps(info['subresource'], ensure_ascii=False)}"
    if info.get("operation") == UPDATE:
        text += f" using {info.get('apiVersion', '')}"
    return text


def _cap_update_managers(managed, api_version):
    updaters = [i for i, e in managed.fields.items() if not e[2]]
    if len(updaters) <= MAX_UPDATE_MANAGERS:
        return
    updaters.sort(key=lambda i: (managed.times.get(i) or "", i))
    first_for_version = {}
    length = len(updaters)
    for ident in updaters:
        if length <= MAX_UPDATE_MANAGERS:
            break
        fs, version, applied = managed.fields[ident]
        bucket = manager_id(ANCIENT_MANAGER, UPDATE, version)
        if version in first_for_version:
            if bucket not in managed.fields:
                first = first_for_version[version]
                managed.fields[bucket] = managed.fields.pop(first)
                managed.times[bucket] = managed.times.pop(first, None)
            managed.fields[bucket] = [fs.union(managed.fields[bucket][0]), version, applied]
            del managed.fields[ident]
            managed.times[bucket] = managed.times.pop(ident, None)
            length -= 1
        else:
            first_for_version[version] = ident


def update(managed, live, new, t, manager, api_version, subresource="", ignore=None, versions=None):
    """The fields a non-apply write changed become ``manager``'s (operation
    Update); they leave the other managers. ``managed`` is changed in place."""
    if not managed.fields and (live or {}).get("metadata", {}).get("uid"):
        return managed  # skipNonAppliedManager: untracked objects stay untracked
    ident = manager_id(manager, UPDATE, api_version, subresource)
    current = "current-operation"
    live_n, new_n = go_normalized(live, t), go_normalized(new, t)
    cmp = _update_sets(managed, live_n, new_n, t, api_version, current, True, ignore, versions)
    fs = cmp.modified.union(cmp.added)
    if ignore is not None:
        fs = fs.recursive_difference(ignore)
    fs = fs.difference(STRIPPED)
    if not fs.empty():
        previous = managed.fields.get(ident)
        if previous is not None:
            fs = fs.union(previous[0])
        managed.fields[ident] = [fs, api_version, False]
        managed.times[ident] = now_rfc3339()
    if ident in managed.fields:
        managed.fields[ident][0] = managed.fields[ident][0].difference(cmp.removed)
        _strip(managed, ident)
    _cap_update_managers(managed, api_version)
    return managed


def apply(managed, live, config, t, manager, api_version, force, subresource="", ignore=None, versions=None):
    """Server-side apply of ``config`` onto ``live`` (None: the object does
    not exist yet). Returns (new object, managed), or raises ConflictError.
    ``managed`` is not changed."""
    managed = managed.copy()
    ident = manager_id(manager, APPLY, api_version, subresource)
    live_obj = live if live is not None else {}
    if not managed.fields and live is not None:
        # skipNonAppliedManager: what exists already belongs to someone.
        update(managed, zero_object(t), live, t, BEFORE_FIRST_APPLY, api_version, ignore=ignore)
        managed.fields = {k: v for k, v in managed.fields.items()}
    try:
        new, managed = _apply(managed, live_obj, config, t, ident, api_version, force, ignore, versions)
    except ConflictError as exc:
        if manager != "kubectl" or force:
            raise
        allowed = _allowed_from_last_applied(live_obj, t, api_version)
        if allowed is None:
            raise
        remaining = {i: fs.difference(allowed) for i, fs in exc.conflicts.items()}
        remaining = {i: fs for i, fs in remaining.items() if not fs.empty()}
        if remaining:
            raise ConflictError(remaining) from None
        new, managed = _apply(managed, live_obj, config, t, ident, api_version, True, ignore, versions)
    if manager == "kubectl" and _has_last_applied(new):
        # lastAppliedUpdater: keep the client-side apply annotation in step.
        applied = copy.deepcopy(config)
        annotations = (applied.get("metadata") or {}).get("annotations")
        if isinstance(annotations, dict):
            annotations.pop(LAST_APPLIED, None)
        new.setdefault("metadata", {}).setdefault("annotations", {})[LAST_APPLIED] = last_applied_value(applied)
    return new, managed


def last_applied_value(obj):
    """What kubectl (and the server, for kubectl's server-side apply) keeps
    in the last-applied annotation: the object as compact JSON, keys sorted."""
    return go_json_sorted(obj) + "\n"


def go_json_sorted(v):
    text = json.dumps(v, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _apply(managed, live, config, t, ident, api_version, force, ignore, versions=None):
    managed = managed.copy()
    merged = merge(live, config, t)
    last = managed.fields.get(ident)
    fs = to_field_set(config, t)
    if ignore is not None:
        fs = fs.recursive_difference(ignore)
    managed.fields[ident] = [fs, api_version, True]
    if last is not None and not last[0].empty():
        merged = _prune(merged, managed, ident, last[0], t)
    _update_sets(managed, go_normalized(live, t), go_normalized(merged, t), t, api_version, ident, force, ignore,
                 versions)
    _strip(managed, ident)
    if not _equal(live, merged):
        managed.times[ident] = now_rfc3339()
    return merged, managed


def _prune(merged, managed, ident, last, t):
    last_e = ensure_named_fields_are_members(last, t)
    pruned = remove_items(merged, last_e, t)
    owned = FieldSet()
    for fs, _, _ in managed.fields.values():
        owned = owned.union(fs)
    merged_set = ensure_named_fields_are_members(to_field_set(merged, t), t)
    pruned_set = ensure_named_fields_are_members(to_field_set(pruned, t), t)
    owned_e = ensure_named_fields_are_members(owned, t)
    pruned = remove_items(merged, merged_set.difference(pruned_set.union(owned_e)), t)
    pruned_set = ensure_named_fields_are_members(to_field_set(pruned, t), t)
    return remove_items(merged, merged_set.difference(pruned_set).intersection(last_e), t)


def _has_last_applied(obj):
    annotations = (obj.get("metadata") or {}).get("annotations") or {}
    return bool(annotations.get(LAST_APPLIED)) if isinstance(annotations, dict) else False


def _allowed_from_last_applied(live, t, api_version):
    """lastAppliedManager: fields kubectl's client-side apply last applied
    and that still hold their applied values may be taken over without a
    conflict (the upgrade from client-side to server-side apply)."""
    annotations = (live.get("metadata") or {}).get("annotations") or {}
    raw = annotations.get(LAST_APPLIED) if isinstance(annotations, dict) else None
    if not raw:
        return None
    try:
        last_applied = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(last_applied, dict) or last_applied.get("apiVersion") != api_version:
        return None
    try:
        validate(last_applied, t)
        fs = to_field_set(last_applied, t)
        cmp = compare(go_normalized(last_applied, t), go_normalized(live, t), t)
    except TypeError_:
        return None
    return fs.difference(cmp.modified).difference(cmp.added).difference(cmp.removed)


# ======================================================================
# Glue for the store: manager names, reset fields
# ======================================================================

def manager_from_user_agent(user_agent):
    """prefixFromUserAgent: the part before the first '/', printable only."""
    head = (user_agent or "").split("/")[0]
    out = []
    size = 0
    for ch in head:
        if not ch.isprintable():
            continue
        n = len(ch.encode("utf-8"))
        if size + n > FIELD_MANAGER_MAX_LENGTH:
            break
        out.append(ch)
        size += n
    return "".join(out)


def reset_fields(strategy, subresource):
    """The fields a write to (sub)resource cannot change (GetResetFields):
    status on the main resource of kinds with a status, everything but
    status on /status."""
    if subresource == "status":
        return _STATUS_RESETS
    if not subresource and strategy.has_status:
        return make_set(("status",))
    return None


_STATUS_RESETS = make_set(("spec",), ("metadata", "labels"), ("metadata", "annotations"),
                          ("metadata", "finalizers"), ("metadata", "ownerReferences"))


def _decode_or_empty(entries):
    try:
        return decode(entries)
    except ManagedFieldsError:
        return Managed()


def _without_managed_fields(obj):
    if not isinstance(obj, dict):
        return obj
    out = dict(obj)
    meta = out.get("metadata")
    if isinstance(meta, dict) and "managedFields" in meta:
        out["metadata"] = {k: v for k, v in meta.items() if k != "managedFields"}
    return out


def _is_reset(entries):
    return isinstance(entries, list) and (not entries or (len(entries) == 1 and entries[0] == {}))


def _set_managed_fields(meta, managed):
    encoded = encode(managed)
    if encoded:
        meta["managedFields"] = encoded
    else:
        meta.pop("managedFields", None)


def versions_of(rtype):
    """For a kind served in several versions: a function (apiVersion, live,
    new) → the Comparison of the two objects (given in ``rtype``'s version)
    converted to that version, or None. Upstream's Updater compares each
    manager's fields in the version that manager wrote in; fields of one
    version mean nothing against objects of another (HPA v1's
    targetCPUUtilizationPercentage is v2's metrics)."""

    others = _other_versions(rtype.group, rtype.version, rtype.plural)
    if not others:
        return None

    def comparison(api_version, live, new):
        target = others.get(api_version)
        if target is None:
            return None
        t = type_for(target)
        live_t, new_t = (from_storage(target, to_storage(rtype, copy.deepcopy(o))) for o in (live, new))
        return compare(go_normalized(live_t, t), go_normalized(new_t, t), t)

    return comparison


@functools.lru_cache(maxsize=None)
def _other_versions(group, version, plural):
    """apiVersion → the built-in type of the same resource in another version."""

    return {t.group_version: t for t in builtin.types()
            if t.group == group and t.plural == plural and t.version != version}


def track_write(stype, ctx, new, old, served=None):
    """metadata.managedFields of a create (``old`` None) or update (every
    write but server-side apply, which tracks its own): the fields this
    write changed become ``ctx.field_manager``'s, operation Update, in the
    version of the request (``served``; ``new`` and ``old`` are in the
    storage version, ``stype``'s)."""
    meta = new.get("metadata")
    if not isinstance(meta, dict):
        return
    if "applied_managed_fields" in ctx.extra:
        # Server-side apply worked them out already (before the strategy's
        # prepare, which on a subresource copies the old ones back).
        applied = ctx.extra["applied_managed_fields"]
        if applied:
            meta["managedFields"] = copy.deepcopy(applied)
        else:
            meta.pop("managedFields", None)
        return
    requested = meta.get("managedFields")
    old_entries = ((old or {}).get("metadata") or {}).get("managedFields")
    if ctx.subresource:
        managed = _decode_or_empty(old_entries)  # subresources never set managedFields directly
    elif _is_reset(requested):
        managed = Managed()
    else:
        try:
            managed = decode(requested)
        except ManagedFieldsError:
            managed = Managed()
        if not managed.fields:
            managed = _decode_or_empty(old_entries)

    rtype = served if served is not None and served.from_storage is not None else stype
    t = type_for(rtype)
    live = from_storage(rtype, _without_managed_fields(old)) if old is not None else {}
    written = from_storage(rtype, _without_managed_fields(new))
    manager = ctx.field_manager
    if not manager and ctx.user is None:
        # The server's own writes (no request): bootstrap objects are the
        # API server's, the in-process controllers' writes the controller
        # manager's, as upstream records them.
        manager = "kube-apiserver" if old is None else "kube-controller-manager"
    try:
        update(managed, live, written, t, manager, rtype.group_version, ctx.subresource,
               versions=versions_of(rtype))
    except TypeError_:
        # UpdateNoErrors: never fail a write over bookkeeping; keep what was there.
        managed = _decode_or_empty(old_entries)
    _set_managed_fields(meta, managed)


def apply_config(rtype, ctx, live, config, force):
    """Server-side apply for a PATCH: ``live`` is the current object in the
    served version (None: it does not exist). Returns the new object, its
    managedFields set; the store then leaves them alone."""
    t = type_for(rtype)
    problem = None
    try:
        validate(config, t)
    except TypeError_ as exc:
        problem = str(exc)
    if problem is None and rtype.schema_name:
        problem = schemas.decode_error(config, rtype.schema_name)  # values of the wrong type
    if problem:
        meta = config.get("metadata") if isinstance(config.get("metadata"), dict) else {}
        gvk = f"{rtype.group}/{rtype.version}, Kind={rtype.kind}"
        raise errors.bad_request(
            f"failed to create typed patch object ({meta.get('namespace', '')}/{meta.get('name', '')}; {gvk}): "
            f"{problem}")
    if live is not None:
        try:
            managed = decode(((live.get("metadata") or {}).get("managedFields")))
        except ManagedFieldsError as exc:
            raise errors.internal(f"failed to decode managed fields: {exc}") from None
    else:
        managed = Managed()
    ignore = reset_fields(rtype.strategy, ctx.subresource)
    try:
        new, managed = apply(managed, _without_managed_fields(live) if live is not None else None, config, t,
                             ctx.field_manager, rtype.group_version, force, ctx.subresource, ignore,
                             versions_of(rtype))
    except ConflictError as exc:
        raise exc.status() from None
    except TypeError_ as exc:
        raise errors.bad_request(str(exc)) from None
    new = drop_omitted(_without_managed_fields(new), t)
    new["metadata"] = dict(new.get("metadata") or {})
    _set_managed_fields(new["metadata"], managed)
    ctx.extra["applied_managed_fields"] = new["metadata"].get("managedFields")
    return new
