"""The tests' one client of the API over ``Server.request`` (conftest):
JSON in and out, the Status or object parsed, the headers at hand."""
import itertools
import json
import uuid

JSON = "application/json"
JSON_PATCH = "application/json-patch+json"
MERGE = "application/merge-patch+json"
SMP = "application/strategic-merge-patch+json"
APPLY = "application/apply-patch+yaml"

_counter = itertools.count()


def unique(prefix="o"):
    return f"{prefix}-{next(_counter)}-{uuid.uuid4().hex[:5]}"


class Reply(tuple):
    """(code, body) — the body parsed when the server answered JSON, else its
    bytes (None when empty) — with the response headers, lower-cased, as
    ``headers``."""

    def __new__(cls, code, body, headers):
        reply = super().__new__(cls, (code, body))
        reply.headers = headers
        return reply


class API:
    def __init__(self, server, prefix=""):
        self.server = server
        self.prefix = prefix  # "/clusters/<tenant>" or ""

    def call(self, method, path, obj=None, ctype=JSON, *, body=None, accept=JSON, query="", headers=None,
             token=True):
        """``obj``: a JSON-shaped value, or the body's bytes as they are."""
        hdrs = {"Accept": accept, **(headers or {})}
        if obj is not None:
            body = obj if isinstance(obj, bytes) else json.dumps(obj).encode()
        if body is not None:
            hdrs.setdefault("Content-Type", ctype)
        code, resp_headers, data = self.server.request(method, self.prefix + path + query, body, hdrs, token=token)
        resp_headers = {k.lower(): v for k, v in resp_headers.items()}
        if not data:
            return Reply(code, None, resp_headers)
        if resp_headers.get("content-type", "").startswith(JSON):
            return Reply(code, json.loads(data), resp_headers)
        return Reply(code, data, resp_headers)

    def get(self, path, **kw):
        return self.call("GET", path, **kw)

    def post(self, path, obj=None, **kw):
        return self.call("POST", path, obj, **kw)

    def put(self, path, obj=None, **kw):
        return self.call("PUT", path, obj, **kw)

    def patch(self, path, obj, ctype, **kw):
        return self.call("PATCH", path, obj, ctype, **kw)

    def delete(self, path, obj=None, **kw):
        return self.call("DELETE", path, obj, **kw)

    def create_namespace(self, name=None):
        name = name or unique("ns")
        code, body = self.post("/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace",
                                                     "metadata": {"name": name}})
        assert code == 201, body
        return name
