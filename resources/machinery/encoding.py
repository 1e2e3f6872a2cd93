"""JSON encoding used for stored bodies and responses: compact, UTF-8."""
import json

_encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def dump_json(obj) -> bytes:
    return _encoder.encode(obj).encode()


def dump_str(obj) -> str:
    return _encoder.encode(obj)
