"""Facts about the Go types of k8s.io/api and apimachinery (v0.32.0) that
the JSON schemas do not carry, as data files with one loader:

- ``go_types.txt``: fields whose Go type differs from what the schema
  implies (decode errors name it) — read by ``schema.builtin``;
- ``zero_fields.txt``: which fields a struct's Go zero value encodes
  (where FieldsV1 carries a ".") — read by ``machinery.managedfields``;
- ``protobuf_fields.txt``: protobuf field numbers of the kinds kubectl
  sends as protobuf — read by ``machinery.protobuf``.

Each file's format is described where it is parsed."""
from pathlib import Path

_HERE = Path(__file__).resolve().parent


def read(name):
    return (_HERE / name).read_text(encoding="utf-8")
