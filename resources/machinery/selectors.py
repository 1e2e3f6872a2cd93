"""Label and field selectors, as k8s.io/apimachinery/pkg/labels and
pkg/fields parse, print and match them.

A selector is a list of ``Requirement(key, op, values)``; ``values`` is a
tuple of strings. Label ops: ``=`` (``==`` is folded into it), ``!=``,
``in``, ``notin``, ``exists``, ``!exists``, ``gt``, ``lt`` (upstream's
``>``/``<``). Field ops: ``=`` and ``!=``. Parse errors raise
``resources.machinery.errors.bad_request`` with upstream's message.
"""
from collections import namedtuple

from resources.machinery.errors import APIError, bad_request
from resources.machinery.validation import GoLiteral, error_string, go_quote, invalid, is_qualified_name, is_valid_label_value, not_supported

Requirement = namedtuple("Requirement", "key op values")

# --- label selector lexer ---------------------------------------------------

_ERROR, _END, _CLOSE, _COMMA, _NOT, _DEQ, _EQ, _GT, _IDENT, _IN, _LT, _NEQ, _NOTIN, _OPEN = range(14)
_KEYWORDS = {
    ")": _CLOSE, ",": _COMMA, "!": _NOT, "==": _DEQ, "=": _EQ, ">": _GT,
    "in": _IN, "<": _LT, "!=": _NEQ, "notin": _NOTIN, "(": _OPEN,
}
_SPECIAL = frozenset("=!(),><")
_SPACE = frozenset(" \t\r\n")
# What parse errors list as acceptable operators (upstream's binaryOperators).
_BINARY_OPERATORS = "in, notin, =, ==, !=, gt, lt"
# NotSupported lists every operator, unary ones last.
_ALL_OPERATORS = ("in", "notin", "=", "==", "!=", "gt", "lt", "exists", "!")


def _lex(s):
    """The token list labels.Lexer produces, ending with the end token."""
    items = []
    i, n = 0, len(s)
    while True:
        while i < n and s[i] in _SPACE:
            i += 1
        if i >= n:
            items.append((_END, ""))
            return items
        if s[i] in _SPECIAL:
            # Longest run of special symbols that still forms a token.
            buf, last = "", None
            while i < n and s[i] in _SPECIAL:
                tok = _KEYWORDS.get(buf + s[i])
                if tok is not None:
                    buf += s[i]
                    last = (tok, buf)
                    i += 1
                elif last is not None:
                    break
                else:
                    buf += s[i]
                    i += 1
            items.append(last or (_ERROR, f"error expected: keyword found '{buf}'"))
        else:
            j = i
            while j < n and s[j] not in _SPECIAL and s[j] not in _SPACE:
                j += 1
            word = s[i:j]
            items.append((_KEYWORDS.get(word, _IDENT), word))
            i = j


class _ParseError(Exception):
    pass


class _Parser:
    def __init__(self, s):
        self.items = _lex(s)
        self.pos = 0

    def lookahead(self, values=True):
        tok, lit = self.items[self.pos]
        if values and tok in (_IN, _NOTIN):
            tok = _IDENT
        return tok, lit

    def consume(self, values=True):
        tok, lit = self.lookahead(values)
        self.pos += 1
        return tok, lit

    def parse(self):
        reqs = []
        while True:
            tok, lit = self.lookahead()
            if tok in (_IDENT, _NOT):
                try:
                    reqs.append(self.requirement())
                except _ParseError as e:
                    raise _ParseError(f"unable to parse requirement: {e}") from None
                t, l = self.consume()
                if t == _END:
                    return reqs
                if t == _COMMA:
                    t2, l2 = self.lookahead()
                    if t2 not in (_IDENT, _NOT):
                        raise _ParseError(f"found '{l2}', expected: identifier after ','")
                else:
                    raise _ParseError(f"found '{l}', expected: ',' or 'end of string'")
            elif tok == _END:
                return reqs
            else:
                raise _ParseError(f"found '{lit}', expected: !, identifier, or 'end of string'")

    def requirement(self):
        op = None
        tok, key = self.consume()
        if tok == _NOT:
            op = "!exists"
            tok, key = self.consume()
        if tok != _IDENT:
            raise _ParseError(f"found '{key}', expected: identifier")
        errs = is_qualified_name(key)
        if errs:
            # Upstream validates with a nil field path, printed as "<nil>".
            raise _ParseError(error_string(invalid("<nil>", key, "; ".join(errs))))
        if self.lookahead()[0] in (_END, _COMMA):
            return _new_requirement(key, op or "exists", ())
        if op == "!exists":
            return _new_requirement(key, op, ())
        tok, lit = self.consume(values=False)
        op = {_IN: "in", _NOTIN: "notin", _EQ: "=", _DEQ: "=", _NEQ: "!=", _GT: "gt", _LT: "lt"}.get(tok)
        if op is None:
            raise _ParseError(f"found '{lit}', expected: {_BINARY_OPERATORS}")
        values = self.values() if op in ("in", "notin") else self.exact_value()
        return _new_requirement(key, op, tuple(sorted(values)))

    def values(self):
        tok, lit = self.consume()
        if tok != _OPEN:
            raise _ParseError(f"found '{lit}' expected: '('")
        tok, lit = self.lookahead()
        if tok in (_IDENT, _COMMA):
            s = self.identifiers()
            if self.consume()[0] != _CLOSE:
                raise _ParseError(f"found '{lit}', expected: ')'")
            return s
        if tok == _CLOSE:
            self.consume()
            return {""}
        raise _ParseError(f"found '{lit}', expected: ',', ')' or identifier")

    def identifiers(self):
        s = set()
        while True:
            tok, lit = self.consume()
            if tok == _IDENT:
                s.add(lit)
                tok2, lit2 = self.lookahead()
                if tok2 == _COMMA:
                    continue
                if tok2 == _CLOSE:
                    return s
                raise _ParseError(f"found '{lit2}', expected: ',' or ')'")
            if tok == _COMMA:
                if not s:
                    s.add("")  # "(,"
                tok2 = self.lookahead()[0]
                if tok2 == _CLOSE:
                    s.add("")  # ",)"
                    return s
                if tok2 == _COMMA:
                    self.consume()
                    s.add("")  # ",,"
            else:
                raise _ParseError(f"found '{lit}', expected: ',', or identifier")

    def exact_value(self):
        tok = self.lookahead()[0]
        if tok in (_END, _COMMA):
            return {""}
        tok, lit = self.consume()
        if tok == _IDENT:
            return {lit}
        raise _ParseError(f"found '{lit}', expected: identifier")


def _new_requirement(key, op, values, path=""):
    """labels.NewRequirement: validates and raises with its aggregate."""
    errs = []
    key_errs = is_qualified_name(key)
    if key_errs:
        errs.append(invalid(_child(path, "key"), key, "; ".join(key_errs)))
    vpath = _child(path, "values")
    # An empty list can only come from a LabelSelector, where it is a nil slice.
    shown = list(values) if values else GoLiteral("[]string(nil)")
    if op in ("in", "notin"):
        if not values:
            errs.append(invalid(vpath, shown, "for 'in', 'notin' operators, values set can't be empty"))
    elif op in ("=", "!="):
        if len(values) != 1:
            errs.append(invalid(vpath, shown, "exact-match compatibility requires one single value"))
    elif op in ("exists", "!exists"):
        if values:
            errs.append(invalid(vpath, shown, "values set must be empty for exists and does not exist"))
    elif op in ("gt", "lt"):
        if len(values) != 1:
            errs.append(invalid(vpath, shown, "for 'Gt', 'Lt' operators, exactly one value is required"))
        for i, v in enumerate(values):
            if _parse_int64(v) is None:
                errs.append(invalid(f"{vpath}[{i}]", v, "for 'Gt', 'Lt' operators, the value must be an integer"))
    else:
        errs.append(not_supported(_child(path, "operator"), op, _ALL_OPERATORS))
    for i, v in enumerate(values):
        value_errs = is_valid_label_value(v)
        if value_errs:
            errs.append(invalid(f"{vpath}[{i}][{key}]", v, "; ".join(value_errs)))
    if errs:
        raise _ParseError(_aggregate([error_string(e) for e in errs]))
    return Requirement(key, op, tuple(values))


def _child(path, name):
    return f"{path}.{name}" if path else name


def _aggregate(msgs):
    """utilerrors.Aggregate.Error(): one message, or "[a, b]" deduplicated."""
    seen = []
    for m in msgs:
        if m not in seen:
            seen.append(m)
    return seen[0] if len(seen) == 1 else "[" + ", ".join(seen) + "]"


def _parse_int64(s):
    """strconv.ParseInt(s, 10, 64), None on error."""
    body = s[1:] if s[:1] in ("+", "-") else s
    if not body or not body.isascii() or not body.isdigit():
        return None
    v = int(s)
    return v if -(1 << 63) <= v < (1 << 63) else None


def parse_label_selector(s):
    """labels.Parse: requirements sorted by key; ``""`` selects everything."""
    if not s:
        return []
    try:
        reqs = _Parser(s).parse()
    except _ParseError as e:
        raise bad_request(str(e)) from None
    reqs.sort(key=lambda r: r.key)
    return reqs


def label_selector_from_dict(selector):
    """metav1.LabelSelectorAsSelector. ``None`` (no selector) selects
    nothing and is returned as ``None``; ``{}`` selects everything."""
    if selector is None:
        return None
    match_labels = selector.get("matchLabels") or {}
    match_expressions = selector.get("matchExpressions") or []
    ops = {"In": "in", "NotIn": "notin", "Exists": "exists", "DoesNotExist": "!exists"}
    reqs = []
    try:
        for key, value in match_labels.items():
            reqs.append(_new_requirement(key, "=", (value,)))
        for expr in match_expressions:
            op = ops.get(expr.get("operator"))
            if op is None:
                raise _ParseError(f"{go_quote(str(expr.get('operator') or ''))} is not a valid label selector operator")
            reqs.append(_new_requirement(expr.get("key") or "", op, tuple(expr.get("values") or ())))
    except _ParseError as e:
        raise bad_request(str(e)) from None
    reqs.sort(key=lambda r: r.key)
    return reqs


def label_selector_matches(selector, labels):
    """metav1.LabelSelectorAsSelector(selector).Matches(labels): a nil
    (non-map) selector matches nothing, an empty one everything. None when
    the selector is invalid: upstream's callers act on the conversion error
    (validation reports nothing more, aggregation selects nothing)."""
    if not isinstance(selector, dict):
        return False
    try:
        requirements = label_selector_from_dict(selector)
    except (APIError, AttributeError, TypeError):  # invalid, or not even shaped as one
        return None
    return matches(requirements, labels if isinstance(labels, dict) else {})


_OP_TEXT = {"=": "=", "!=": "!=", "in": " in ", "notin": " notin ", "gt": ">", "lt": "<"}


def requirement_to_string(r):
    if r.op == "exists":
        return r.key
    if r.op == "!exists":
        return "!" + r.key
    values = r.values[0] if len(r.values) == 1 else ",".join(sorted(r.values))
    if r.op in ("in", "notin"):
        values = "(" + values + ")"
    return r.key + _OP_TEXT[r.op] + values


def selector_to_string(requirements):
    """Selector.String(): the canonical form (Scale.status.selector)."""
    return ",".join(requirement_to_string(r) for r in requirements or ())


def matches(requirements, labels):
    """Selector.Matches. ``None`` (the Nothing selector) matches nothing."""
    if requirements is None:
        return False
    labels = labels or {}
    for key, op, values in requirements:
        if op == "=" or op == "in":
            if key not in labels or labels[key] not in values:
                return False
        elif op == "!=" or op == "notin":
            if key in labels and labels[key] in values:
                return False
        elif op == "exists":
            if key not in labels:
                return False
        elif op == "!exists":
            if key in labels:
                return False
        elif op == "gt" or op == "lt":
            have = _parse_int64(labels[key]) if key in labels else None
            want = _parse_int64(values[0]) if len(values) == 1 else None
            if have is None or want is None or not (have > want if op == "gt" else have < want):
                return False
        else:
            return False
    return True


# --- field selectors --------------------------------------------------------

def _split_terms(s):
    """Split on unescaped commas."""
    terms, start, escaped = [], 0, False
    for i, c in enumerate(s):
        if escaped:
            escaped = False
        elif c == "\\":
            escaped = True
        elif c == ",":
            terms.append(s[start:i])
            start = i + 1
    terms.append(s[start:])
    return terms


def _split_term(term):
    for i in range(len(term)):
        for op in ("!=", "==", "="):
            if term.startswith(op, i):
                return term[:i], op, term[i + len(op):]
    return None


def _unescape(value):
    if "\\" not in value and "," not in value and "=" not in value:
        return value
    out, escaped = [], False
    for c in value:
        if escaped:
            if c not in "\\,=":
                raise bad_request(f"invalid field selector: invalid escape sequence: \\{c}")
            out.append(c)
            escaped = False
        elif c == "\\":
            escaped = True
        elif c in ",=":
            # Upstream prints the rune with %v: its code point.
            raise bad_request(f"invalid field selector: unescaped character in value: {ord(c)}")
        else:
            out.append(c)
    if escaped:
        raise bad_request("invalid field selector: invalid escape sequence: \\")
    return "".join(out)


def parse_field_selector(s):
    """fields.ParseSelector: terms in sorted order; ``""`` selects everything."""
    if not s:
        return []
    reqs = []
    for part in sorted(_split_terms(s)):
        if not part:
            continue
        split = _split_term(part)
        if split is None:
            raise bad_request(f"invalid selector: '{s}'; can't understand '{part}'")
        field, op, value = split
        value = _unescape(value)
        if not field and not value:
            continue  # upstream's Transform drops an empty "=" term
        reqs.append(Requirement(field, "!=" if op == "!=" else "=", (value,)))
    return reqs


def escape_field_value(value):
    """fields.EscapeValue."""
    return value.replace("\\", "\\\\").replace(",", "\\,").replace("=", "\\=")


def field_selector_to_string(requirements):
    return ",".join(f"{r.key}{r.op}{escape_field_value(r.values[0])}" for r in requirements)


def fields_match(requirements, fields):
    """fields.Selector.Matches over a flat {field: value} map; a missing
    field reads as ""."""
    for key, op, values in requirements:
        if (fields.get(key, "") == values[0]) != (op == "="):
            return False
    return True
