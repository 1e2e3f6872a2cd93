"""The storage engine on both backends: revisions, compare-and-swap,
snapshots, list-at-revision, paging and selectors."""
import json
import threading

import pytest
from django.db import connections

from resources.machinery import errors
from resources.store.interface import Deletion, Key
from resources.store.sql import SQLStorage

BACKENDS = ["default", "sqlite"]
pytestmark = pytest.mark.django_db(databases=BACKENDS, transaction=True)


@pytest.fixture(params=BACKENDS)
def store(request):
    s = SQLStorage(request.param)
    s.ensure_tenant("t1")
    s.ensure_tenant("t2")
    return s


def cm(name, ns="ns", labels=None, **data):
    meta = {"name": name, "namespace": ns, "uid": f"uid-{name}"}
    if labels:
        meta["labels"] = labels
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": data}


def key(name, ns="ns", tenant="t1"):
    return Key(tenant, "", "configmaps", ns, name)


def test_create_assigns_increasing_revision_inside_body(store):
    start = store.current_revision("t1")
    a = store.create(key("a"), cm("a"), {})
    b = store.create(key("b"), cm("b"), {})
    assert (a.revision, b.revision) == (start + 1, start + 2)
    assert json.loads(a.data)["metadata"]["resourceVersion"] == str(a.revision)
    assert json.loads(store.get(key("b")).data)["metadata"]["resourceVersion"] == str(b.revision)
    assert store.current_revision("t1") == start + 2


def test_revision_counters_are_per_tenant(store):
    before = store.current_revision("t2")
    store.create(key("a", tenant="t1"), cm("a"), {})
    assert store.current_revision("t2") == before
    assert store.get(key("a", tenant="t2")) is None


def test_create_existing_is_already_exists_and_gives_revision_back(store):
    store.create(key("a"), cm("a"), {})
    rev = store.current_revision("t1")
    with pytest.raises(errors.APIError) as exc:
        store.create(key("a"), cm("a", x="1"), {})
    assert exc.value.reason == "AlreadyExists" and exc.value.code == 409
    assert store.current_revision("t1") == rev  # rolled back: no gap
    assert json.loads(store.get(key("a")).data)["data"] == {}


def test_compare_and_swap(store):
    a = store.create(key("a"), cm("a"), {})
    assert store.update(key("a"), a.revision - 1, cm("a", x="stale"), {}) is None
    rev = store.current_revision("t1")
    b = store.update(key("a"), a.revision, cm("a", x="1"), {})
    assert b.revision == rev + 1
    assert json.loads(store.get(key("a")).data)["data"] == {"x": "1"}


def test_guaranteed_update_retries_and_noop_and_delete(store):
    store.create(key("a"), cm("a", n="0"), {})
    calls = []

    def bump(obj):
        calls.append(1)
        obj["data"]["n"] = str(int(obj["data"]["n"]) + 1)
        return obj

    store.guaranteed_update(key("a"), bump, lambda o: {})
    rev = store.current_revision("t1")
    same = store.guaranteed_update(key("a"), lambda o: None, lambda o: {})
    assert same.revision == rev and store.current_revision("t1") == rev
    gone = store.guaranteed_update(key("a"), lambda o: Deletion(o), lambda o: {})
    assert gone.revision == rev + 1 and store.get(key("a")) is None
    with pytest.raises(errors.APIError) as exc:
        store.guaranteed_update(key("a"), bump, lambda o: {})
    assert exc.value.code == 404


def test_history_records_every_write_in_order(store):
    start = store.current_revision("t1")
    a = store.create(key("a"), cm("a"), {})
    store.update(key("a"), a.revision, cm("a", x="1"), {})
    store.delete(key("a"), a.revision + 1, cm("a", x="1"), {})
    events = store.history_since("t1", start)
    assert [(e.revision, e.event_type) for e in events] == [
        (start + 1, "ADDED"), (start + 2, "MODIFIED"), (start + 3, "DELETED")]
    assert json.loads(events[2].data)["metadata"]["resourceVersion"] == str(start + 3)


def test_delete_with_stale_revision_keeps_object(store):
    a = store.create(key("a"), cm("a"), {})
    assert store.delete(key("a"), a.revision + 5, cm("a"), {}) is None
    assert store.get(key("a")) is not None


def test_list_revision_is_snapshot_counter_not_max_item(store):
    store.create(key("a"), cm("a"), {})
    store.create(Key("t1", "", "secrets", "ns", "s"), cm("s"), {})  # another resource moves the counter
    result = store.list("t1", "", "configmaps", "ns")
    assert result.revision == store.current_revision("t1")
    assert len(result.items) == 1


def test_paging_is_exact_and_ordered(store):
    for i in range(7):
        store.create(key(f"cm{i}", ns="b" if i % 2 else "a"), cm(f"cm{i}", ns="b" if i % 2 else "a"), {})
    names, after, rev = [], None, 0
    while True:
        page = store.list("t1", "", "configmaps", None, limit=3, after=after, revision=rev)
        assert len(page.items) <= 3
        names += [(json.loads(d)["metadata"]["namespace"], json.loads(d)["metadata"]["name"]) for d in page.items]
        rev = page.revision
        if page.continue_from is None:
            break
        after = page.continue_from
    assert names == sorted(names) and len(names) == 7


def test_list_at_revision_sees_the_past(store):
    a = store.create(key("a"), cm("a", v="1"), {})
    store.create(key("b"), cm("b"), {})
    snapshot = store.current_revision("t1")
    store.update(key("a"), a.revision, cm("a", v="2"), {})
    b = store.get(key("b"))
    store.delete(key("b"), b.revision, cm("b"), {})
    store.create(key("c"), cm("c"), {})
    past = store.list("t1", "", "configmaps", "ns", revision=snapshot)
    got = {json.loads(d)["metadata"]["name"]: json.loads(d)["data"] for d in past.items}
    assert got == {"a": {"v": "1"}, "b": {}}
    assert past.revision == snapshot
    now = store.list("t1", "", "configmaps", "ns")
    assert sorted(json.loads(d)["metadata"]["name"] for d in now.items) == ["a", "c"]


def test_list_at_future_revision_is_too_large(store):
    with pytest.raises(errors.APIError) as exc:
        store.list("t1", "", "configmaps", "ns", revision=store.current_revision("t1") + 100)
    assert exc.value.code == 504


def test_list_at_compacted_revision_is_expired(store):
    a = store.create(key("a"), cm("a"), {})
    store.update(key("a"), a.revision, cm("a", v="2"), {})
    with connections[store.alias].cursor() as cur:
        cur.execute("UPDATE kube_tenant SET compacted_revision = %s WHERE name = 't1'", [a.revision])
    with pytest.raises(errors.APIError) as exc:
        store.list("t1", "", "configmaps", "ns", revision=a.revision)
    assert exc.value.code == 410 and exc.value.reason == "Expired"


@pytest.mark.parametrize("reqs,expected", [
    ([("app", "=", ("web",))], ["w1", "w2"]),
    ([("app", "!=", ("web",))], ["d1", "none"]),
    ([("app", "in", ("web", "db"))], ["d1", "w1", "w2"]),
    ([("app", "notin", ("web",))], ["d1", "none"]),
    ([("app", "exists", ())], ["d1", "w1", "w2"]),
    ([("app", "!exists", ())], ["none"]),
    ([("app", "=", ("web",)), ("tier", "=", ("front",))], ["w1"]),
    ([("app.kubernetes.io/name", "=", ("x",))], ["d1"]),
    ([("rank", "gt", ("5",))], ["w2"]),
    ([("rank", "lt", ("5",))], ["w1"]),
])
def test_label_selectors_run_in_sql(store, reqs, expected):
    objs = {"w1": {"app": "web", "tier": "front", "rank": "3"}, "w2": {"app": "web", "rank": "10"},
            "d1": {"app": "db", "app.kubernetes.io/name": "x", "rank": "x1"}, "none": {}}
    for name, labels in objs.items():
        store.create(key(name), cm(name, labels=labels), {})
    result = store.list("t1", "", "configmaps", "ns", labels=reqs)
    assert [json.loads(d)["metadata"]["name"] for d in result.items] == expected


def test_field_selectors(store):
    store.create(key("a"), cm("a"), {"status.phase": "Running"})
    store.create(key("b", ns="other"), cm("b", ns="other"), {"status.phase": ""})
    names = lambda reqs: [json.loads(d)["metadata"]["name"]
                          for d in store.list("t1", "", "configmaps", None, fields=reqs).items]
    assert names([("status.phase", "=", ("Running",))]) == ["a"]
    assert names([("status.phase", "!=", ("Running",))]) == ["b"]
    assert names([("metadata.name", "=", ("b",))]) == ["b"]
    assert names([("metadata.namespace", "!=", ("other",))]) == ["a"]


def test_concurrent_writers_commit_gap_free(store):
    """8 threads race on creates and CAS updates: revisions are unique, gap
    free, and history order equals revision order."""
    start = store.current_revision("t1")
    store.create(key("shared"), cm("shared", n="0"), {})
    failures = []

    def worker(i):
        try:
            for j in range(10):
                store.create(key(f"w{i}-{j}"), cm(f"w{i}-{j}"), {})

                def inc(o):
                    o["data"]["n"] = str(int(o["data"]["n"]) + 1)
                    return o

                store.guaranteed_update(key("shared"), inc, lambda o: {})
        except Exception as exc:  # surfaced below
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures
    events = store.history_since("t1", start)
    revisions = [e.revision for e in events]
    assert revisions == list(range(start + 1, start + 1 + 161))
    assert json.loads(store.get(key("shared")).data)["data"]["n"] == "80"
