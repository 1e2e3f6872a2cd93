"""Request bodies (JSON, YAML, protobuf) in; JSON, YAML or Table out."""
import json

import yaml

from resources import errors

JSON = "application/json"
YAML = "application/yaml"
PROTOBUF = "application/vnd.kubernetes.protobuf"


def media_type(content_type):
    return (content_type or "").split(";")[0].strip().lower()


def decode(body: bytes, content_type: str):
    """Decode a request body into a JSON-shaped dict, or raise a 400/415 Status."""
    kind = media_type(content_type)
    if kind == PROTOBUF:
        from resources import protobuf

        return protobuf.decode(body)
    if kind in ("", JSON, "*/*"):
        try:
            obj = json.loads(body)
        except UnicodeDecodeError:
            raise errors.bad_request("the body of the request was not valid UTF-8") from None
        except json.JSONDecodeError as exc:
            raise errors.bad_request(f"couldn't get version/kind; json parse error: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    elif kind in (YAML, "application/x-yaml", "text/yaml"):
        try:
            obj = yaml.load(body, Loader=_Loader)
        except yaml.YAMLError as exc:
            raise errors.bad_request(f"error converting YAML to JSON: {str(exc).splitlines()[0]}") from None
        try:
            json.dumps(obj)
        except (TypeError, ValueError):
            raise errors.bad_request("error converting YAML to JSON: unsupported value types") from None
    else:
        raise errors.unsupported_media_type(content_type)
    if not isinstance(obj, dict):
        raise errors.bad_request(f"couldn't get version/kind; json parse error: expected an object, got {type(obj).__name__}")
    return obj


class _Loader(yaml.SafeLoader):
    """YAML 1.2-ish like sigs.k8s.io/yaml: timestamps stay strings."""


# sigs.k8s.io/yaml converts through JSON: dates are plain strings, not datetimes.
_Loader.yaml_implicit_resolvers = {
    k: [(tag, regexp) for tag, regexp in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


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
        return yaml.safe_dump(obj, sort_keys=False).encode(), YAML
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode(), JSON
