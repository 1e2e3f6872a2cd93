"""History queries keep their plan whatever the statistics (issue 9, finding 10).

Autovacuum may be off (it is on the test server) and a bulk load leaves the
statistics of a smaller table: here 1,000 rows of one key were analyzed, then
119,000 rows of 20,000 keys were loaded. With those statistics PostgreSQL
served the old queries from the (tenant, revision) primary key: compaction's
"is there a newer row of this key" probe and a watch event's previous-state
lookup each walked the tenant's revisions to the key's next (previous) one,
per row — a compaction batch over 2 minutes, a replay page 10-25 s. Each
history statement must use the one index that serves it (checked on its
EXPLAIN, which fails the old queries in milliseconds) and give the right rows.
"""
import json

import pytest
from django.db import connections

from resources.store.sql import SQLStorage

pytestmark = pytest.mark.django_db(databases=["default"], transaction=True)

ROWS, KEYS, ANALYZED = 120_000, 20_000, 1_000


@pytest.fixture
def storage():
    connection = connections["default"]
    if connection.vendor != "postgresql":
        pytest.skip("statistics and plans are PostgreSQL's")
    storage = SQLStorage("default")
    storage.ensure_tenant("bulk")
    load = ("INSERT INTO kube_history (tenant, revision, api_group, resource, namespace, name, event_type, data,"
            " labels, fields) SELECT 'bulk', g, '', 'configmaps', 'ns', 'cm-' || (g %% %s),"
            " CASE WHEN g <= %s THEN 'ADDED' ELSE 'MODIFIED' END, '{\"r\":' || g || '}', '{}', '{}'"
            " FROM generate_series(%s, %s) g")
    with connection.cursor() as cur:
        cur.execute("ALTER TABLE kube_history SET (autovacuum_enabled = false)")
        cur.execute(load, [1, KEYS, 1, ANALYZED])  # one key's history, analyzed...
        cur.execute("ANALYZE kube_history")
        cur.execute(load, [KEYS, KEYS, ANALYZED + 1, ROWS])  # ...then a bulk load of many keys, not
        cur.execute("UPDATE kube_tenant SET revision = %s WHERE name = 'bulk'", [ROWS])
        cur.execute("SELECT reltuples FROM pg_class WHERE relname = 'kube_history'")
        assert cur.fetchone()[0] <= ANALYZED
    yield storage
    with connection.cursor() as cur:
        cur.execute("ALTER TABLE kube_history RESET (autovacuum_enabled)")


@pytest.fixture
def plans():
    """The EXPLAIN of every history SELECT the storage runs, by the call
    it ran in (the statement itself runs too)."""
    captured = []

    def explain(execute, sql, params, many, context):
        if sql.lstrip().startswith("SELECT") and "kube_history" in sql:
            raw = context["cursor"].cursor
            raw.execute("EXPLAIN (FORMAT JSON) " + sql, params)
            captured.append(_plan(raw.fetchone()[0]))
        return execute(sql, params, many, context)

    with connections["default"].execute_wrapper(explain):
        yield captured


def _plan(explained):
    return (json.loads(explained) if isinstance(explained, str) else explained)[0]["Plan"]


def history_scans(plan):
    """(alias, index or node type) of every scan of kube_history in ``plan``."""
    found = []
    if plan.get("Relation Name") == "kube_history":
        found.append((plan["Alias"].rstrip("_0123456789"), plan.get("Index Name", plan["Node Type"])))
    for child in plan.get("Plans", ()):
        found += history_scans(child)
    return found


def test_compaction_reads_the_history_once(storage):
    def one_pass(execute, sql, params, many, context):
        # Checked before the statement runs: the old query took minutes a batch.
        if sql.lstrip().startswith("SELECT") and "kube_history" in sql:
            raw = context["cursor"].cursor
            raw.execute("EXPLAIN (FORMAT JSON) " + sql, params)
            plan = _plan(raw.fetchone()[0])
            # A window over each key's revisions, not a "newer row" probe per row.
            assert len(history_scans(plan)) == 1, plan
        return execute(sql, params, many, context)

    with connections["default"].cursor() as cur:
        cur.execute("SET statement_timeout = '30s'")
    with connections["default"].execute_wrapper(one_pass):
        assert storage.compact("bulk", ROWS) == ROWS - KEYS  # each key keeps its newest row
    with connections["default"].cursor() as cur:
        cur.execute("RESET statement_timeout")
        cur.execute("SELECT count(*), count(DISTINCT name), min(revision) FROM kube_history WHERE tenant = 'bulk'")
        assert cur.fetchone() == (KEYS, KEYS, ROWS - KEYS + 1)


@pytest.mark.parametrize("group, page_index", [("", "kube_history_resource"), (None, "kube_history_pkey")])
def test_a_replay_page_and_its_previous_states_use_their_indexes(storage, plans, group, page_index):
    after = 50_000
    scope = ("", "configmaps") if group is not None else ()
    current, compacted, rows = storage.watch_events("bulk", after, 1000, *scope)
    assert (current, compacted) == (ROWS, 0)
    assert [r[0] for r in rows] == list(range(after + 1, after + 1001))
    for revision, *_, data, _labels, _fields, _prev_labels, _prev_fields, prev_data in rows:
        assert json.loads(data) == {"r": revision}
        assert json.loads(prev_data) == {"r": revision - KEYS}  # the key's previous revision
    assert len(plans) == 1
    scans = set(history_scans(plans[0]))
    assert scans == {("h", page_index), ("p", "kube_history_key")}, plans


def test_a_list_at_a_revision_asks_the_resource_index_for_changes(storage, plans):
    storage.list("bulk", "", "secrets", revision=ROWS)  # no secret changed since: the current state
    assert set(history_scans(plans[0])) == {("kube_history", "kube_history_resource")}, plans
