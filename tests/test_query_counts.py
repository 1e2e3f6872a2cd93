"""The SQL statements one request runs, per endpoint, pinned in
tests/query_counts.json (as NetBox pins its query counts): a change that
adds queries to a GET, LIST or write shows up here and in review.

The server counts them itself when started with KUBEAPI_COUNT_QUERIES=1
(kubeapi.querycount: the X-Kubeapi-Queries response header). Each request
runs once to warm the caches (tokens, registry, prepared policy), then
again to be counted. The counting server never writes a CRD and probes
for other processes' CRD changes once an hour, so no time-driven cache
refresh lands in a counted request (nor a re-read of which namespaces hold
quotas): the CRDs are installed by a first server on the same database.
Counts are pinned per database (PostgreSQL, SQLite). To accept a change in the counts, run this file with
KUBEAPI_UPDATE_QUERY_COUNTS=1: it rewrites the JSON file, which the
review then shows.
"""
import json
import os
from pathlib import Path

import pytest

from tests.conftest import _fresh_database, start_server
from tests.kinds import BY_ID, install_custom_resource_definitions
from tests.harness.client import API, MERGE, unique

PINNED = Path(__file__).with_name("query_counts.json")
KINDS = ["configmaps.v1", "pods.v1", "widgets.harness.example.com.v1"]


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    database_url, drop = _fresh_database()
    database_url = database_url or f"sqlite:///{tmp_path_factory.mktemp('db') / 'kubeapi.sqlite3'}"
    setup, stop = start_server(tmp_path_factory.mktemp("crds"), database_url=database_url)
    install_custom_resource_definitions(API(setup))
    stop(drop_database=False)
    server, stop = start_server(tmp_path_factory.mktemp("querycount"), database_url=database_url,
                                env={"KUBEAPI_COUNT_QUERIES": "1", "KUBEAPI_CRD_REFRESH_SECONDS": "3600",
                                     "KUBEAPI_QUOTA_HOLDERS_REFRESH_SECONDS": "3600"})
    yield API(server)
    stop()
    drop()


def counted(api, method, path, obj=None, **kw):
    code, headers, body = api.server.request(
        method, path, json.dumps(obj).encode() if obj is not None else None,
        {"Content-Type": kw.get("ctype", "application/json")})
    assert code in (200, 201), body
    return int({k.lower(): v for k, v in headers.items()}["x-kubeapi-queries"]), json.loads(body)


def measure(api, kind, space):
    """Queries per endpoint for one object of ``kind``'s life."""
    name = unique("q")
    path = f"{kind.base(space)}/{name}"
    counts = {}
    counts["create"], obj = counted(api, "POST", kind.base(space), kind.valid(name, space, labels={"q": name}))
    counts["get"], _ = counted(api, "GET", path)
    counts["list"], _ = counted(api, "GET", kind.base(space))
    counts["list_selector"], _ = counted(api, "GET", f"{kind.base(space)}?labelSelector=q%3D{name}")
    kind.update(obj)
    counts["update"], obj = counted(api, "PUT", path, obj)
    counts["patch"], _ = counted(api, "PATCH", path, {"metadata": {"annotations": {"patched": "yes"}}}, ctype=MERGE)
    counts["delete"], _ = counted(api, "DELETE", path)
    return counts


def test_query_counts_are_pinned(api):
    measured = {}
    for kind_id in KINDS:
        kind = BY_ID[kind_id]
        space = api.create_namespace()
        measure(api, kind, space)  # warm-up
        measured[kind_id] = measure(api, kind, space)
    # SQLite adds its BEGIN and savepoint statements: each database has its counts.
    vendor = "postgresql" if api.server.database_url.startswith("postgres") else "sqlite"
    pinned = json.loads(PINNED.read_text())
    if os.environ.get("KUBEAPI_UPDATE_QUERY_COUNTS") == "1":
        pinned[vendor] = measured
        PINNED.write_text(json.dumps(pinned, indent=2, sort_keys=True) + "\n")
    assert measured == pinned[vendor], (
        f"SQL queries per request changed: measured {json.dumps(measured, sort_keys=True)}. If the change is "
        f"intended, rerun with KUBEAPI_UPDATE_QUERY_COUNTS=1 to update {PINNED.name} and commit it.")
