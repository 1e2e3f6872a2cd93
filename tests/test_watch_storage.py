"""What watch streams read from storage, on both backends: history after a
revision with each change's previous state (selectors), publish after
commit only, and etcd-style compaction that keeps list-at-revision working
after the compaction point. Plus selector transitions of events."""
import json

import pytest
from django.db import transaction

from resources.machinery import errors
from resources.machinery import selectors
from resources.store.interface import Deletion, Key
from resources.store.sql import SQLStorage
from watch import bus
from watch.events import LEFT, Event, Filter
from watch.tasks import compact_tenant

BACKENDS = ["default", "sqlite"]
pytestmark = pytest.mark.django_db(databases=BACKENDS, transaction=True)


@pytest.fixture(params=BACKENDS)
def store(request):
    s = SQLStorage(request.param)
    s.ensure_tenant("w1")
    return s


def cm(name, labels=None, **data):
    meta = {"name": name, "namespace": "ns", "uid": f"uid-{name}"}
    if labels:
        meta["labels"] = labels
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": data}


def key(name):
    return Key("w1", "", "configmaps", "ns", name)


def put(store, name, labels=None, **data):
    current = store.get(key(name))
    if current is None:
        return store.create(key(name), cm(name, labels, **data), {}).revision
    return store.update(key(name), current.revision, cm(name, labels, **data), {}).revision


def remove(store, name):
    current = store.get(key(name))
    return store.delete(key(name), current.revision, json.loads(current.data), {}).revision


def test_watch_events_carry_the_previous_state_of_modified_objects(store):
    start = store.current_revision("w1")
    r1 = put(store, "a", {"color": "red"}, v="1")
    r2 = put(store, "a", {"color": "blue"}, v="2")
    r3 = remove(store, "a")
    current, compacted, rows = store.watch_events("w1", start, 100, "", "configmaps", "ns")
    assert current == r3 and compacted == 0
    events = [Event(row) for row in rows]
    assert [(e.revision, e.type) for e in events] == [(r1, "ADDED"), (r2, "MODIFIED"), (r3, "DELETED")]
    assert events[1].labels() == {"color": "blue"} and events[1].prev_labels() == {"color": "red"}
    assert json.loads(events[1].prev_data)["data"] == {"v": "1"}
    assert events[0].prev_data is None and events[2].prev_data is None
    # One snapshot: the counter, and only rows after ``after``, in order, limited.
    current, _, rows = store.watch_events("w1", r1, 1)
    assert current == r3 and [r[0] for r in rows] == [r2]
    with pytest.raises(errors.APIError):
        store.watch_events("nope", 0)


def test_selectors_turn_changes_into_added_and_deleted(store):
    start = store.current_revision("w1")
    put(store, "x", {"color": "red"})
    put(store, "x", {"color": "blue"})
    put(store, "x", {"color": "blue"}, k="v")
    put(store, "x", {"color": "green"})
    remove(store, "x")
    _, _, rows = store.watch_events("w1", start, 100)
    flt = Filter(selectors.parse_label_selector("color=blue"), [])
    kinds = [flt.kind(Event(row)) for row in rows]
    assert kinds == [None, "ADDED", "MODIFIED", LEFT, None]
    left = Event(rows[3])
    line = json.loads(left.line(LEFT, type("T", (), {"from_storage": None, "group_version": "v1", "kind": "ConfigMap"})()))
    assert line["type"] == "DELETED"
    assert line["object"]["metadata"]["labels"] == {"color": "blue"}
    assert line["object"]["metadata"]["resourceVersion"] == str(rows[3][0])
    by_name = Filter([], selectors.parse_field_selector("metadata.name=x"))
    assert [by_name.kind(Event(row)) for row in rows] == ["ADDED", "MODIFIED", "MODIFIED", "MODIFIED", "DELETED"]


def test_publish_happens_after_commit_and_never_for_a_rollback(store):
    heard = []
    bus.add_listener(lambda tenant, revision: heard.append((tenant, revision)))
    try:
        with transaction.atomic(using=store.alias):
            revision = put(store, "p")
            assert heard == []  # not visible yet
        if store.alias == "default":
            assert heard == [("w1", revision)]
        else:
            assert heard == []  # hubs follow the default database only
        heard.clear()
        before = store.current_revision("w1")
        with pytest.raises(RuntimeError), transaction.atomic(using=store.alias):
            put(store, "q")
            raise RuntimeError("rolled back")
        assert heard == [] and store.current_revision("w1") == before
        # A lost compare-and-swap gives its revision back and publishes nothing.
        assert store.update(key("p"), 1, cm("p"), {}) is None
        assert heard == []
    finally:
        bus._listeners.clear()


def test_compaction_keeps_the_newest_row_of_each_key_unless_deleted(store):
    put(store, "keep", v="1")
    put(store, "keep", v="2")
    put(store, "gone", v="1")
    remove(store, "gone")
    put(store, "later", v="1")
    point = store.current_revision("w1")
    put(store, "keep", v="3")
    after = put(store, "later", v="2")
    deleted = store.compact("w1", point, batch=1)
    assert store.compacted_revision("w1") == point
    _, _, rows = store.watch_events("w1", 0, 100)
    left = [(r[4], r[5], json.loads(r[6]).get("data")) for r in rows]
    assert left == [
        ("keep", "MODIFIED", {"v": "2"}),  # newest at or below the point
        ("later", "ADDED", {"v": "1"}),
        ("keep", "MODIFIED", {"v": "3"}),  # after the point: untouched
        ("later", "MODIFIED", {"v": "2"}),
    ]
    assert deleted == 3
    # list-at-revision works after the point, and is 410 at or before it.
    listed = store.list("w1", "", "configmaps", "ns", revision=point + 1)
    assert sorted(json.loads(i)["metadata"]["name"] for i in listed.items) == ["keep", "later"]
    assert json.loads(listed.items[0])["data"] == {"v": "3"}
    with pytest.raises(errors.APIError) as exc:
        store.list("w1", "", "configmaps", "ns", revision=point)
    assert exc.value.code == 410
    # Compacting again to the same point removes nothing more.
    assert store.compact("w1", point) == 0
    assert store.list("w1", "", "configmaps", "ns", revision=after).revision == after


def test_compaction_respects_retention_and_the_newest_revisions(store, settings):
    from datetime import timedelta

    from django.utils import timezone

    if store.alias != "default":
        pytest.skip("the compaction task runs on the default database")
    for i in range(5):
        put(store, "r", v=str(i))
    now = timezone.now()
    # First pass: nothing is older than the window yet.
    assert compact_tenant("w1", 60, 0, now=now) == (None, 0)
    current = store.current_revision("w1")
    for i in range(3):
        put(store, "r", v=f"b{i}")
    # A minute later the first mark is old enough; the newest 2 revisions stay.
    point, deleted = compact_tenant("w1", 60, 2, now=now + timedelta(seconds=61))
    assert point == min(current, store.current_revision("w1") - 2)
    assert store.compacted_revision("w1") == point and deleted > 0


def test_only_one_worker_compacts_at_a_time(store):
    if store.connection.vendor != "postgresql":
        pytest.skip("advisory locks are PostgreSQL's")
    import psycopg
    from django.db import connections

    params = connections["default"].get_connection_params()
    other = psycopg.connect(**{k: v for k, v in params.items() if k not in ("cursor_factory", "context")})
    try:
        other.execute("SELECT pg_advisory_lock(hashtext('kubeapi:compact-history'))")
        assert store.try_advisory_lock("kubeapi:compact-history") is False
        other.execute("SELECT pg_advisory_unlock(hashtext('kubeapi:compact-history'))")
        assert store.try_advisory_lock("kubeapi:compact-history") is True
        store.advisory_unlock("kubeapi:compact-history")
    finally:
        other.close()


def test_deletion_by_guaranteed_update_is_a_deleted_event(store):
    start = store.current_revision("w1")
    put(store, "f", v="1")
    store.guaranteed_update(key("f"), lambda cur: Deletion(cur), lambda o: {})
    _, _, rows = store.watch_events("w1", start, 10)
    assert [r[5] for r in rows] == ["ADDED", "DELETED"]
