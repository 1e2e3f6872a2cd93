"""Generic object validation with kube-apiserver's messages.

Mirrors k8s.io/apimachinery/pkg/util/validation (the ``Is*`` string
checks), pkg/api/validation (object meta) and util/validation/field (how a
field error renders). A field error here is a tuple
``(field, cause_type, message)``: ``cause_type`` is the StatusCause reason
(``FieldValueInvalid`` ...) and ``message`` is upstream's ``ErrorBody()``,
i.e. the text without the ``field: `` prefix, as it appears in
``details.causes[].message``.

Lengths are counted in UTF-8 bytes, as Go's ``len`` does; regexes are
matched against the whole string (Go's ``^...$`` has no trailing-newline
quirk, so ``re.fullmatch``).
"""
import random
import re
from datetime import datetime, timezone

# --- Go value formatting --------------------------------------------------


def go_quote(s):
    """Go's strconv.Quote (the ``%q`` verb) for a Python string."""
    out = ['"']
    for ch in s:
        o = ord(ch)
        if ch == '"' or ch == "\\":
            out.append("\\" + ch)
        elif 0x20 <= o < 0x7F:
            out.append(ch)
        elif o < 0x20 or o == 0x7F:
            out.append(_GO_CTRL.get(ch) or "\\x%02x" % o)
        elif 0xD800 <= o <= 0xDFFF:
            # A lone surrogate is invalid UTF-8: Go sees U+FFFD.
            out.append("\ufffd")
        elif ch.isprintable():
            out.append(ch)
        elif o < 0x10000:
            out.append("\\u%04x" % o)
        else:
            out.append("\\U%08x" % o)
    out.append('"')
    return "".join(out)


_GO_CTRL = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v"}


def _blen(s):
    """len() as Go counts it: UTF-8 bytes."""
    return len(s) if s.isascii() else len(s.encode("utf-8", "surrogatepass"))


def go_value(value):
    """How field.Error.ErrorBody prints a bad value (``%v``/``%q``/``%#v``)."""
    if value is None:
        return '"null"'  # nil → the string "null", printed with %q
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return _go_number(value)
    if isinstance(value, str):
        return go_quote(value)
    if isinstance(value, GoLiteral):
        return value.text
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return "[]string{" + ", ".join(go_quote(v) for v in value) + "}"
    return go_quote(str(value))


def _go_number(v):
    return _go_float(v) if isinstance(v, float) else str(v)


def _go_float(v):
    """Go's %v for a float64 (%g, shortest digits): exponent form when the
    decimal exponent is below -4 or at least 6, so 1e6 prints "1e+06"."""
    if v != v:
        return "NaN"
    if v in (float("inf"), float("-inf")):
        return "+Inf" if v > 0 else "-Inf"
    if v == 0:
        return "-0" if str(v).startswith("-") else "0"
    sign = "-" if v < 0 else ""
    mantissa, _, exp = repr(abs(v)).partition("e")
    whole, _, frac = mantissa.partition(".")
    digits = (whole + frac).lstrip("0")
    point = len(whole) + int(exp or 0) - (len(whole + frac) - len((whole + frac).lstrip("0")))
    digits = digits.rstrip("0") or "0"
    exp10 = point - 1
    if exp10 < -4 or exp10 >= 6:
        tail = "." + digits[1:] if len(digits) > 1 else ""
        return f"{sign}{digits[0]}{tail}e{'-' if exp10 < 0 else '+'}{abs(exp10):02d}"
    if point <= 0:
        return f"{sign}0.{'0' * -point}{digits}"
    if point >= len(digits):
        return sign + digits + "0" * (point - len(digits))
    return f"{sign}{digits[:point]}.{digits[point:]}"


class GoLiteral:
    """A bad value already rendered the way Go would print it."""

    __slots__ = ("text",)

    def __init__(self, text):
        self.text = text


# --- field errors ---------------------------------------------------------

REQUIRED = "FieldValueRequired"
INVALID = "FieldValueInvalid"
FORBIDDEN = "FieldValueForbidden"
TOO_LONG = "FieldValueTooLong"
TOO_MANY = "FieldValueTooMany"
NOT_SUPPORTED = "FieldValueNotSupported"
DUPLICATE = "FieldValueDuplicate"
NOT_FOUND = "FieldValueNotFound"
INTERNAL = "InternalError"
TYPE_INVALID = "FieldValueTypeInvalid"

_TYPE_TEXT = {
    NOT_FOUND: "Not found",
    REQUIRED: "Required value",
    DUPLICATE: "Duplicate value",
    INVALID: "Invalid value",
    NOT_SUPPORTED: "Unsupported value",
    FORBIDDEN: "Forbidden",
    TOO_LONG: "Too long",
    TOO_MANY: "Too many",
    INTERNAL: "Internal error",
    TYPE_INVALID: "Invalid value",
}
# Types whose body never shows the value.
_NO_VALUE = {REQUIRED, FORBIDDEN, TOO_LONG, INTERNAL}


def error_body(cause_type, value=None, detail=""):
    """field.Error.ErrorBody(): ``Invalid value: "x": detail``."""
    s = _TYPE_TEXT[cause_type]
    if cause_type not in _NO_VALUE:
        s += ": " + go_value(value)
    if detail:
        s += ": " + detail
    return s


def required(field, detail=""):
    return (field, REQUIRED, error_body(REQUIRED, detail=detail))


def invalid(field, value, detail):
    return (field, INVALID, error_body(INVALID, value, detail))


def forbidden(field, detail):
    return (field, FORBIDDEN, error_body(FORBIDDEN, detail=detail))


def too_long(field, max_length):
    detail = f"may not be more than {max_length} bytes" if max_length >= 0 else "value is too long"
    return (field, TOO_LONG, error_body(TOO_LONG, detail=detail))


def not_supported(field, value, valid_values):
    detail = ""
    if valid_values:
        detail = "supported values: " + ", ".join(go_quote(str(v)) for v in valid_values)
    return (field, NOT_SUPPORTED, error_body(NOT_SUPPORTED, value, detail))


def duplicate(field, value):
    return (field, DUPLICATE, error_body(DUPLICATE, value))


def error_string(err):
    """field.Error.Error(): ``field: body`` (what aggregates print)."""
    field, _, body = err
    return f"{field}: {body}"


# --- apimachinery/pkg/util/validation -------------------------------------

def max_len_error(length):
    return f"must be no more than {length} characters"


def regex_error(msg, fmt, *examples):
    if not examples:
        return msg + " (regex used for validation is '" + fmt + "')"
    # Upstream joins "'a', " pieces with " or ", hence the double space.
    msg += " (e.g. " + " or ".join(f"'{e}', " for e in examples)
    return msg + "regex used for validation is '" + fmt + "')"


def empty_error():
    return "must be non-empty"


_QNAME_CHAR = "[A-Za-z0-9]"
_QNAME_EXT_CHAR = "[-A-Za-z0-9_.]"
_QNAME_FMT = "(" + _QNAME_CHAR + _QNAME_EXT_CHAR + "*)?" + _QNAME_CHAR
_QNAME_ERR = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
_QNAME_MAX = 63
_QNAME_RE = re.compile(_QNAME_FMT)

_LABEL_VALUE_FMT = "(" + _QNAME_FMT + ")?"
_LABEL_VALUE_ERR = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
LABEL_VALUE_MAX_LENGTH = 63
_LABEL_VALUE_RE = re.compile(_LABEL_VALUE_FMT)

_DNS1123_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_DNS1123_LABEL_ERR = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character"
DNS1123_LABEL_MAX_LENGTH = 63
_DNS1123_LABEL_RE = re.compile(_DNS1123_LABEL_FMT)

_DNS1123_SUBDOMAIN_FMT = _DNS1123_LABEL_FMT + "(\\." + _DNS1123_LABEL_FMT + ")*"
_DNS1123_SUBDOMAIN_ERR = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"
DNS1123_SUBDOMAIN_MAX_LENGTH = 253
_DNS1123_SUBDOMAIN_RE = re.compile(_DNS1123_SUBDOMAIN_FMT)

_DNS1035_LABEL_FMT = "[a-z]([-a-z0-9]*[a-z0-9])?"
_DNS1035_LABEL_ERR = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character"
DNS1035_LABEL_MAX_LENGTH = 63
_DNS1035_LABEL_RE = re.compile(_DNS1035_LABEL_FMT)

_CONFIG_MAP_KEY_FMT = "[-._a-zA-Z0-9]+"
_CONFIG_MAP_KEY_ERR = "a valid config key must consist of alphanumeric characters, '-', '_' or '.'"
_CONFIG_MAP_KEY_RE = re.compile(_CONFIG_MAP_KEY_FMT)


def is_qualified_name(value):
    errs = []
    parts = value.split("/")
    if len(parts) == 1:
        name = parts[0]
    elif len(parts) == 2:
        prefix, name = parts
        if not prefix:
            errs.append("prefix part " + empty_error())
        else:
            errs.extend("prefix part " + m for m in is_dns1123_subdomain(prefix))
    else:
        return errs + [
            "a qualified name "
            + regex_error(_QNAME_ERR, _QNAME_FMT, "MyName", "my.name", "123-abc")
            + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
        ]
    if not name:
        errs.append("name part " + empty_error())
    elif _blen(name) > _QNAME_MAX:
        errs.append("name part " + max_len_error(_QNAME_MAX))
    if not _QNAME_RE.fullmatch(name):
        errs.append("name part " + regex_error(_QNAME_ERR, _QNAME_FMT, "MyName", "my.name", "123-abc"))
    return errs


def is_valid_label_value(value):
    errs = []
    if _blen(value) > LABEL_VALUE_MAX_LENGTH:
        errs.append(max_len_error(LABEL_VALUE_MAX_LENGTH))
    if not _LABEL_VALUE_RE.fullmatch(value):
        errs.append(regex_error(_LABEL_VALUE_ERR, _LABEL_VALUE_FMT, "MyValue", "my_value", "12345"))
    return errs


def is_dns1123_label(value):
    errs = []
    if _blen(value) > DNS1123_LABEL_MAX_LENGTH:
        errs.append(max_len_error(DNS1123_LABEL_MAX_LENGTH))
    if not _DNS1123_LABEL_RE.fullmatch(value):
        if _DNS1123_SUBDOMAIN_RE.fullmatch(value):
            # A valid subdomain but not a label: length is fine, so it is the dots.
            errs.append("must not contain dots")
        else:
            errs.append(regex_error(_DNS1123_LABEL_ERR, _DNS1123_LABEL_FMT, "my-name", "123-abc"))
    return errs


def is_dns1123_subdomain(value):
    errs = []
    if _blen(value) > DNS1123_SUBDOMAIN_MAX_LENGTH:
        errs.append(max_len_error(DNS1123_SUBDOMAIN_MAX_LENGTH))
    if not _DNS1123_SUBDOMAIN_RE.fullmatch(value):
        errs.append(regex_error(_DNS1123_SUBDOMAIN_ERR, _DNS1123_SUBDOMAIN_FMT, "example.com"))
    return errs


def is_dns1035_label(value):
    errs = []
    if _blen(value) > DNS1035_LABEL_MAX_LENGTH:
        errs.append(max_len_error(DNS1035_LABEL_MAX_LENGTH))
    if not _DNS1035_LABEL_RE.fullmatch(value):
        errs.append(regex_error(_DNS1035_LABEL_ERR, _DNS1035_LABEL_FMT, "my-name", "abc-123"))
    return errs


def _has_chdir_prefix(value):
    if value == ".":
        return ["must not be '.'"]
    if value == "..":
        return ["must not be '..'"]
    if value.startswith(".."):
        return ["must not start with '..'"]
    return []


def is_config_map_key(value):
    errs = []
    if _blen(value) > DNS1123_SUBDOMAIN_MAX_LENGTH:
        errs.append(max_len_error(DNS1123_SUBDOMAIN_MAX_LENGTH))
    if not _CONFIG_MAP_KEY_RE.fullmatch(value):
        errs.append(regex_error(_CONFIG_MAP_KEY_ERR, _CONFIG_MAP_KEY_FMT, "key.name", "KEY_NAME", "key-name"))
    return errs + _has_chdir_prefix(value)


def is_valid_path_segment_name(name):
    for illegal in (".", ".."):
        if name == illegal:
            return [f"may not be '{illegal}'"]
    return is_valid_path_segment_prefix(name)


def is_valid_path_segment_prefix(name):
    return [f"may not contain '{c}'" for c in ("/", "%") if c in name]


# --- name functions (pkg/api/validation/generic.go) -----------------------

def _mask_trailing_dash(name):
    # Upstream replaces the last *two* characters with "a" (sic): a
    # generateName "ab-" is checked as "aa".
    if len(name) > 1 and name.endswith("-"):
        return name[:-2] + "a"
    return name


def name_is_dns_subdomain(name, prefix):
    return is_dns1123_subdomain(_mask_trailing_dash(name) if prefix else name)


def name_is_dns_label(name, prefix):
    return is_dns1123_label(_mask_trailing_dash(name) if prefix else name)


def name_is_dns1035_label(name, prefix):
    return is_dns1035_label(_mask_trailing_dash(name) if prefix else name)


def validate_path_segment_name(name, prefix):
    return is_valid_path_segment_prefix(name) if prefix else is_valid_path_segment_name(name)


# names.SimpleNameGenerator: generateName + 5 random characters.
_NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
MAX_GENERATED_NAME_LENGTH = 63 - 5
_random = random.SystemRandom()


def generate_name(base):
    """Upstream's SimpleNameGenerator.GenerateName. The store calls it before
    validation (as BeforeCreate does), so ``validate_object_meta`` sees a name."""
    if _blen(base) > MAX_GENERATED_NAME_LENGTH:
        base = base.encode("utf-8", "surrogatepass")[:MAX_GENERATED_NAME_LENGTH].decode("utf-8", "ignore")
    return base + "".join(_random.choice(_NAME_ALPHABET) for _ in range(5))


NAME_RULES = {
    "subdomain": name_is_dns_subdomain,
    "label": name_is_dns_label,
    "dns1035": name_is_dns1035_label,
    "path_segment": validate_path_segment_name,
}

# --- object meta (pkg/api/validation/objectmeta.go) -----------------------

FIELD_IMMUTABLE = "field is immutable"
IS_NEGATIVE = "must be greater than or equal to 0"
TOTAL_ANNOTATION_SIZE_LIMIT = 256 * (1 << 10)
FIELD_MANAGER_MAX_LENGTH = 128
MAX_SUBRESOURCE_NAME_LENGTH = 256
_BANNED_OWNERS = {("", "v1", "Event")}


def _map(v):
    return v if isinstance(v, dict) else {}


def _list(v):
    return v if isinstance(v, list) else []


def _str(v):
    return v if isinstance(v, str) else ""


def validate_labels(labels, field):
    errs = []
    for k, v in _map(labels).items():
        errs.extend(invalid(field, k, m) for m in is_qualified_name(k))
        errs.extend(invalid(field, v, m) for m in is_valid_label_value(_str(v)))
    return errs


def validate_annotations(annotations, field):
    annotations = _map(annotations)
    errs = []
    for k in annotations:
        errs.extend(invalid(field, k, m) for m in is_qualified_name(k.lower()))
    total = sum(_blen(k) + _blen(_str(v)) for k, v in annotations.items())
    if total > TOTAL_ANNOTATION_SIZE_LIMIT:
        errs.append(too_long(field, TOTAL_ANNOTATION_SIZE_LIMIT))
    return errs


def _parse_group_version(gv):
    """schema.ParseGroupVersion; None when malformed."""
    if not gv or gv == "/":
        return "", ""
    n = gv.count("/")
    if n == 0:
        return "", gv
    if n == 1:
        return tuple(gv.split("/"))
    return None


def _go_ptr(v, typ):
    if v is None:
        return f"({typ})(nil)"
    # Go prints the pointer's address, which we cannot reproduce.
    return f"({typ})(0xc000000000)"


def _owner_ref_literal(ref):
    return (
        "v1.OwnerReference{"
        f"APIVersion:{go_quote(_str(ref.get('apiVersion')))}, "
        f"Kind:{go_quote(_str(ref.get('kind')))}, "
        f"Name:{go_quote(_str(ref.get('name')))}, "
        f"UID:{go_quote(_str(ref.get('uid')))}, "
        f"Controller:{_go_ptr(ref.get('controller'), '*bool')}, "
        f"BlockOwnerDeletion:{_go_ptr(ref.get('blockOwnerDeletion'), '*bool')}"
        "}"
    )


def validate_owner_references(refs, field):
    refs = _list(refs)
    errs = []
    first_controller = ""
    for ref in refs:
        ref = _map(ref)
        api_version, kind = _str(ref.get("apiVersion")), _str(ref.get("kind"))
        gv = _parse_group_version(api_version)
        group, version = gv if gv is not None else ("", "")
        if not version:
            errs.append(invalid(field + ".apiVersion", api_version, "version must not be empty"))
        if not kind:
            errs.append(invalid(field + ".kind", kind, "kind must not be empty"))
        if not _str(ref.get("name")):
            errs.append(invalid(field + ".name", _str(ref.get("name")), "name must not be empty"))
        if not _str(ref.get("uid")):
            errs.append(invalid(field + ".uid", _str(ref.get("uid")), "uid must not be empty"))
        if (group, version, kind) in _BANNED_OWNERS:
            errs.append(
                invalid(field, GoLiteral(_owner_ref_literal(ref)), f"{group}/{version}, Kind={kind} is disallowed from being an owner")
            )
        if ref.get("controller") is True:
            current = kind + "/" + _str(ref.get("name"))
            if first_controller:
                literal = "[]v1.OwnerReference{" + ", ".join(_owner_ref_literal(_map(r)) for r in refs) + "}"
                errs.append(
                    invalid(
                        field,
                        GoLiteral(literal),
                        'Only one reference can have Controller set to true. Found "true" in references for '
                        f"{first_controller} and {current}",
                    )
                )
            else:
                first_controller = current
    return errs


def validate_finalizers(finalizers, field):
    finalizers = [_str(f) for f in _list(finalizers)]
    errs = []
    for f in finalizers:
        errs.extend(invalid(field, f, m) for m in is_qualified_name(f))
    if "orphan" in finalizers and "foregroundDeletion" in finalizers:
        errs.append(invalid(field, finalizers, "finalizer orphan and foregroundDeletion cannot be both set"))
    return errs


def validate_field_manager(manager, field):
    errs = []
    if _blen(manager) > FIELD_MANAGER_MAX_LENGTH:
        errs.append(too_long(field, FIELD_MANAGER_MAX_LENGTH))
    pos = 0
    for ch in manager:
        if not (ch == " " or ch.isprintable()):
            errs.append(invalid(field, manager, "invalid character U+%04X (at position %d)" % (ord(ch), pos)))
        pos += _blen(ch)
    return errs


def validate_managed_fields(entries, field):
    errs = []
    for i, entry in enumerate(_list(entries)):
        entry = _map(entry)
        path = f"{field}[{i}]"
        op = _str(entry.get("operation"))
        if op not in ("Apply", "Update"):
            errs.append(invalid(path + ".operation", op, "must be `Apply` or `Update`"))
        fields_type = _str(entry.get("fieldsType"))
        if fields_type and fields_type != "FieldsV1":
            errs.append(invalid(path + ".fieldsType", fields_type, "must be `FieldsV1`"))
        errs.extend(validate_field_manager(_str(entry.get("manager")), path + ".manager"))
        if _blen(_str(entry.get("subresource"))) > MAX_SUBRESOURCE_NAME_LENGTH:
            errs.append(too_long(path + ".subresource", MAX_SUBRESOURCE_NAME_LENGTH))
    return errs


def _int(v):
    return v if isinstance(v, int) and not isinstance(v, bool) else 0


def validate_object_meta(meta, namespaced, name_rule="subdomain", field="metadata"):
    """ValidateObjectMetaAccessor. ``name_rule`` is one of NAME_RULES or a
    function ``(name, prefix) -> [str]``."""
    meta = _map(meta)
    name_fn = NAME_RULES[name_rule] if isinstance(name_rule, str) else name_rule
    errs = []
    generate_name = _str(meta.get("generateName"))
    if generate_name:
        errs.extend(invalid(field + ".generateName", generate_name, m) for m in name_fn(generate_name, True))
    name = _str(meta.get("name"))
    if not name:
        errs.append(required(field + ".name", "name or generateName is required"))
    else:
        errs.extend(invalid(field + ".name", name, m) for m in name_fn(name, False))
    namespace = _str(meta.get("namespace"))
    if namespaced:
        if not namespace:
            errs.append(required(field + ".namespace"))
        else:
            errs.extend(invalid(field + ".namespace", namespace, m) for m in name_is_dns_label(namespace, False))
    elif namespace:
        errs.append(forbidden(field + ".namespace", "not allowed on this type"))
    generation = _int(meta.get("generation"))
    if generation < 0:
        errs.append(invalid(field + ".generation", generation, IS_NEGATIVE))
    errs.extend(validate_labels(meta.get("labels"), field + ".labels"))
    errs.extend(validate_annotations(meta.get("annotations"), field + ".annotations"))
    errs.extend(validate_owner_references(meta.get("ownerReferences"), field + ".ownerReferences"))
    errs.extend(validate_finalizers(meta.get("finalizers"), field + ".finalizers"))
    errs.extend(validate_managed_fields(meta.get("managedFields"), field + ".managedFields"))
    return errs


def _go_time(value):
    """metav1.Time as its String() prints it (Go time.Time.String, UTC)."""
    t = _instant(value)
    if t is None:
        return GoLiteral("0001-01-01 00:00:00 +0000 UTC")
    if isinstance(t, str):
        return t
    frac = f".{t.microsecond:06d}".rstrip("0") if t.microsecond else ""
    return GoLiteral(t.strftime("%Y-%m-%d %H:%M:%S") + frac + " +0000 UTC")


def _instant(value):
    """metav1.Time compares by instant (Semantic.DeepEqual uses UTC())."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(timezone.utc)
    except ValueError:
        return value


def _immutable(errs, field, new, old, render=None, key=None):
    if (key(new) != key(old)) if key else (new != old):
        errs.append(invalid(field, render(new) if render else new, FIELD_IMMUTABLE))


def validate_object_meta_update(new_meta, old_meta, field="metadata"):
    """ValidateObjectMetaAccessorUpdate: immutable fields plus the label,
    annotation, ownerReference and managedFields checks on the new meta.
    Call it after the store has filled in resourceVersion for
    unconditional updates, as kube-apiserver does."""
    new, old = _map(new_meta), _map(old_meta)
    errs = []
    if old.get("deletionTimestamp"):
        added = sorted(set(_str(f) for f in _list(new.get("finalizers"))) - set(_str(f) for f in _list(old.get("finalizers"))))
        if added:
            errs.append(
                forbidden(
                    field + ".finalizers",
                    "no new finalizers can be added if the object is being deleted, found new finalizers " + go_value(added),
                )
            )
    if not _str(new.get("resourceVersion")):
        errs.append(invalid(field + ".resourceVersion", _str(new.get("resourceVersion")), "must be specified for an update"))
    if _int(new.get("generation")) < _int(old.get("generation")):
        errs.append(invalid(field + ".generation", _int(new.get("generation")), "must not be decremented"))
    _immutable(errs, field + ".name", _str(new.get("name")), _str(old.get("name")))
    _immutable(errs, field + ".namespace", _str(new.get("namespace")), _str(old.get("namespace")))
    _immutable(errs, field + ".uid", _str(new.get("uid")), _str(old.get("uid")))
    _immutable(
        errs, field + ".creationTimestamp", new.get("creationTimestamp"), old.get("creationTimestamp"), _go_time, _instant
    )
    _immutable(
        errs,
        field + ".deletionTimestamp",
        new.get("deletionTimestamp"),
        old.get("deletionTimestamp"),
        lambda v: None if not v else _go_time(v),
        _instant,
    )
    _immutable(errs, field + ".deletionGracePeriodSeconds", new.get("deletionGracePeriodSeconds"), old.get("deletionGracePeriodSeconds"))
    errs.extend(validate_labels(new.get("labels"), field + ".labels"))
    errs.extend(validate_annotations(new.get("annotations"), field + ".annotations"))
    errs.extend(validate_owner_references(new.get("ownerReferences"), field + ".ownerReferences"))
    errs.extend(validate_managed_fields(new.get("managedFields"), field + ".managedFields"))
    return errs


def validate_immutable_field(new, old, field):
    """ValidateImmutableField for kind strategies."""
    return [invalid(field, new, FIELD_IMMUTABLE)] if new != old else []


def validate_nonnegative_field(value, field):
    return [invalid(field, value, IS_NEGATIVE)] if value < 0 else []
