"""Strict decoding: duplicate fields, reported as kube-apiserver's strict
decoders report them.

JSON bodies are decoded by sigs.k8s.io/json with DisallowDuplicateFields
and DisallowUnknownFields: one list of errors in document order, each
``duplicate field "spec.replicas"`` or ``unknown field "spec.foo"``. YAML
bodies are first run through go-yaml's strict mode, whose single error
lists every repeated key by line (``yaml: unmarshal errors:\\n  line 7: key
"replicas" already set in map``); unknown fields follow it.

Plain decoding (``resources.machinery.codecs``) keeps the last of repeated keys, as
Go does; these helpers only find what strict mode would complain about.
"""
import json

import yaml

from resources.machinery import codecs
from resources.machinery.validation import go_quote
from resources.schema import builtin as schemas

MAX_ERRORS = 100


class _Pairs(list):
    """A JSON object as the list of its (key, value) pairs, repeats kept."""


def _pairs_hook(pairs):
    return _Pairs(pairs)


def has_duplicates_json(body):
    """Whether a JSON document repeats a key in some object (cheap check)."""
    found = []

    def hook(pairs):
        d = dict(pairs)
        if len(d) != len(pairs):
            found.append(True)
        return d

    try:
        json.loads(body, object_pairs_hook=hook)
    except (ValueError, TypeError, RecursionError):
        return False
    return bool(found)


def json_strict_errors(body, defname):
    """Strict errors of a JSON body decoded into the definition's Go type:
    duplicates and unknown fields, in document order (at most 100)."""
    tree = json.loads(body, object_pairs_hook=_pairs_hook)
    out = []
    if isinstance(tree, _Pairs):
        node = schemas._root(defname) if defname else None
        _walk(tree, node, "", out, True)
    return out


def json_duplicate_errors(body):
    """Duplicates only (a patch body decoded into a map)."""
    tree = json.loads(body, object_pairs_hook=_pairs_hook)
    out = []
    _walk(tree, None, "", out, False)
    return out


def _join(prefix, key):
    return prefix + "." + key if prefix else key


def _add(out, message):
    if len(out) < MAX_ERRORS and message not in out:
        out.append(message)


def _walk(v, node, prefix, out, root):
    kind = node.kind if node is not None else None
    if isinstance(v, _Pairs):
        seen = set()
        for key, val in v:
            path = _join(prefix, key)
            duplicate = key in seen
            seen.add(key)
            if kind == schemas._STRUCT:
                field = node.fields.get(key)
                if field is None:
                    if root and key in ("apiVersion", "kind"):
                        if duplicate:
                            _add(out, "duplicate field " + go_quote(path))
                        continue
                    _add(out, "unknown field " + go_quote(path))
                    continue
                if duplicate:
                    _add(out, "duplicate field " + go_quote(path))
                _walk(val, field, path, out, False)
            elif kind == schemas._MAP:
                if duplicate:
                    _add(out, "duplicate field " + go_quote(path))
                _walk(val, node.elem, path, out, False)
            elif node is None:
                if duplicate:
                    _add(out, "duplicate field " + go_quote(path))
                _walk(val, None, path, out, False)
            else:
                # interface{} and the like: decoded into a map, still strict.
                if duplicate:
                    _add(out, "duplicate field " + go_quote(path))
                _walk(val, None, path, out, False)
    elif isinstance(v, list):
        elem = node.elem if kind == schemas._LIST else None
        for i, item in enumerate(v):
            _walk(item, elem, f"{prefix}[{i}]", out, False)


# --- YAML ------------------------------------------------------------------

def yaml_duplicates_error(body):
    """go-yaml's strict error text for repeated keys, or None."""
    duplicates = []
    try:
        codecs.load_yaml(body, duplicates)
    except (yaml.YAMLError, ValueError, TypeError, RecursionError):
        return None
    return duplicates_error(duplicates)


def duplicates_error(duplicates):
    """The error text for the (line, key) repeats ``codecs.load_yaml`` found, or None."""
    if not duplicates:
        return None
    lines = []
    for line, key in sorted(duplicates, key=lambda d: d[0]):
        shown = go_quote(key) if isinstance(key, str) else str(key).lower() if isinstance(key, bool) else str(key)
        lines.append(f"line {line}: key {shown} already set in map")
    return "yaml: unmarshal errors:\n  " + "\n  ".join(lines)
