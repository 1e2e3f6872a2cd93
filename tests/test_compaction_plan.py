"""Compaction on a freshly loaded history table with stale statistics stays
linear: the attack review saw the old query run over 10 minutes on 60k rows
whose statistics were stale (0.5 s after ANALYZE)."""
import time

import pytest
from django.db import connections

from resources.store.sql import SQLStorage

pytestmark = pytest.mark.django_db(databases=["default"], transaction=True)

ROWS, KEYS = 120_000, 20_000  # six revisions of each of 20k ConfigMaps


@pytest.fixture
def loaded():
    if connections["default"].vendor != "postgresql":
        pytest.skip("statistics and plans are PostgreSQL's")
    storage = SQLStorage("default")
    storage.ensure_tenant("bulk")
    with connections["default"].cursor() as cur:
        cur.execute("ALTER TABLE kube_history SET (autovacuum_enabled = false)")
        cur.execute("ANALYZE kube_history")  # statistics of an empty table, then a bulk load: stale
        cur.execute(
            "INSERT INTO kube_history (tenant, revision, api_group, resource, namespace, name, event_type, data,"
            " labels, fields) SELECT 'bulk', g, '', 'configmaps', 'ns', 'cm-' || (g %% %s),"
            " CASE WHEN g <= %s THEN 'ADDED' ELSE 'MODIFIED' END, '{}', '{}'::jsonb, '{}'::jsonb"
            " FROM generate_series(1, %s) g", [KEYS, KEYS, ROWS])
        cur.execute("UPDATE kube_tenant SET revision = %s WHERE name = 'bulk'", [ROWS])
        cur.execute("SELECT reltuples FROM pg_class WHERE relname = 'kube_history'")
        assert cur.fetchone()[0] < 1000  # the statistics still describe the empty table
    yield storage
    with connections["default"].cursor() as cur:
        cur.execute("ALTER TABLE kube_history RESET (autovacuum_enabled)")


def test_compaction_of_an_unanalyzed_table_is_linear(loaded):
    with connections["default"].cursor() as cur:
        cur.execute("SET statement_timeout = '30s'")  # the old plan ran for minutes: fail, don't hang
    started = time.monotonic()
    deleted = loaded.compact("bulk", ROWS)
    took = time.monotonic() - started
    assert deleted == ROWS - KEYS  # every key keeps its newest row
    with connections["default"].cursor() as cur:
        cur.execute("SELECT count(*), count(DISTINCT name), min(revision) FROM kube_history WHERE tenant = 'bulk'")
        assert cur.fetchone() == (KEYS, KEYS, ROWS - KEYS + 1)
        cur.execute("RESET statement_timeout")
    assert took < 30, took
