"""Storage when PostgreSQL closes the server's connections (issue 9, finding 9).

``pg_terminate_backend`` ends every backend of the server's database: request
threads, watch threads and the watch hub each hold one. A statement that could
not have run (the connection was dead before it was sent) goes to a fresh
connection; a read that fails because the connection died under it runs once
more; a write is never repeated (its COMMIT may have reached the server) and
answers a Status; a watch whose replay cannot read ends with an ERROR event.
"""
import asyncio
import time
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest

from tests.conftest import start_server, wait_for
from tests.watch_support import AsyncWatch, Client, configmap

pytestmark = pytest.mark.e2e

BATCH = 999  # the replay's page size, so its statement can be told from the hub's (LIMIT 1000)
CM = "/api/v1/namespaces/default/configmaps"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv, stop = start_server(tmp_path_factory.mktemp("storage"), ["--threads", "4"],
                             env={"KUBEAPI_WATCH_REPLAY_BATCH": str(BATCH)})
    if not srv.database_url.startswith("postgres"):
        stop()
        pytest.skip("needs PostgreSQL (KUBEAPI_DATABASE_URL)")
    yield srv
    stop()


@pytest.fixture
def admin(server):
    with psycopg.connect(server.database_url, autocommit=True) as conn:
        yield conn


def backends(admin, where="true"):
    return [r[0] for r in admin.execute(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        f" AND {where}").fetchall()]


def terminate(admin, where="true"):
    """End the server's backends (``where``: which) and wait until they are gone."""
    pids = backends(admin, where)
    for pid in pids:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
    assert wait_for(lambda: not set(pids) & set(backends(admin)), 10), "backends did not exit"
    return len(pids)


def replay(server, revision, timeout=3):
    """The events of a watch from ``revision`` until it ends (its timeout)."""
    async def run():
        watch = await AsyncWatch(server, CM, {"watch": "1", "resourceVersion": str(revision),
                                              "timeoutSeconds": str(timeout)}).open()
        try:
            assert watch.status == 200, await watch.body()
            return [event async for event in watch.events(timeout + 10)]
        finally:
            watch.close()
    return asyncio.run(run())


def names(events):
    return [(e["type"], e["object"]["metadata"]["name"]) for e in events if e["type"] != "BOOKMARK"]


def test_requests_and_replays_survive_terminated_backends(server, admin):
    client = Client(server)
    status, listed = client.request("GET", CM)
    assert status == 200, listed
    start = int(listed["metadata"]["resourceVersion"])
    for i in range(100):
        assert client.request("POST", CM, configmap(f"cm-{i}", "default"))[0] == 201
    expected = [("ADDED", f"cm-{i}") for i in range(100)]
    # Every request thread and every watch thread holds a connection now.
    with ThreadPoolExecutor(8) as pool:
        assert set(pool.map(lambda _: server.request("GET", f"{CM}/cm-0")[0], range(40))) == {200}
        assert [names(e) for e in pool.map(lambda _: replay(server, start, 1), range(8))] == [expected] * 8

    assert terminate(admin) >= 4

    with ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(lambda _: server.request("GET", f"{CM}/cm-0")[0], range(40)))
        assert codes == [200] * 40
        replays = [names(e) for e in pool.map(lambda _: replay(server, start, 1), range(8))]
    assert replays == [expected] * 8  # the first watches afterwards delivered none of them, and no ERROR
    status, created = client.request("POST", CM, configmap("after", "default"))
    assert status == 201, created
    status, listed = client.request("GET", CM)
    assert status == 200, listed
    listed = sorted(i["metadata"]["name"] for i in listed["items"] if i["metadata"]["name"] != "kube-root-ca.crt")
    assert listed == sorted([f"cm-{i}" for i in range(100)] + ["after"])
    assert names(replay(server, start, 1)) == expected + [("ADDED", "after")]  # created exactly once
    client.close()


def test_a_replay_that_cannot_read_ends_with_an_error_event(server, admin):
    """The replay's statement waits on a lock and its backend is terminated,
    again on the retry: the stream ends with an ERROR event carrying a
    Status, never silently (the client would take it for "no changes")."""
    client = Client(server)
    status, listed = client.request("GET", CM)
    start = int(listed["metadata"]["resourceVersion"])
    assert client.request("POST", CM, configmap("locked-out", "default"))[0] == 201

    async def run():
        watch = await AsyncWatch(server, CM, {"watch": "1", "resourceVersion": str(start),
                                              "timeoutSeconds": "30"}).open()
        try:
            assert watch.status == 200, await watch.body()
            return [event async for event in watch.events(40)]
        finally:
            watch.close()

    waiting = f"wait_event_type = 'Lock' AND query LIKE '%LIMIT {BATCH})%'"
    with psycopg.connect(server.database_url) as locker:
        locker.execute("LOCK TABLE kube_history IN ACCESS EXCLUSIVE MODE")
        with ThreadPoolExecutor(1) as pool:
            stream = pool.submit(asyncio.run, run())
            terminated = 0
            deadline = time.monotonic() + 30
            while not stream.done() and time.monotonic() < deadline:
                if backends(admin, waiting):
                    terminated += terminate(admin, waiting)
                time.sleep(0.05)
            locker.rollback()
            got = stream.result(30)
    assert 1 <= terminated <= 2, terminated  # one retry on a fresh connection, then the error
    assert [e["type"] for e in got] == ["ERROR"], got
    status = got[0]["object"]
    assert (status["kind"], status["status"], status["code"], status["reason"]) == ("Status", "Failure", 500,
                                                                                    "InternalError")
    assert status["message"].startswith("Internal error occurred: "), status
    assert names(replay(server, start, 1)) == [("ADDED", "locked-out")]  # and it works again
    client.close()


def test_a_write_whose_connection_dies_is_not_repeated(server, admin):
    """A create sent to a backend that is then terminated may have committed
    or not: the answer is a Status and the create is not replayed behind the
    client's back; the client's own retry creates it once."""
    client = Client(server)
    waiting = "wait_event_type = 'Lock' AND query LIKE 'WITH c AS (UPDATE kube_tenant%'"
    with psycopg.connect(server.database_url) as locker:
        locker.execute("SELECT 1 FROM kube_tenant FOR UPDATE")
        with ThreadPoolExecutor(1) as pool:
            create = pool.submit(client.request, "POST", CM, configmap("once", "default"))
            assert wait_for(lambda: backends(admin, waiting), 20), "the create did not wait on the lock"
            assert terminate(admin, waiting) == 1
            status, body = create.result(30)
        locker.rollback()
    assert status == 500, body
    assert (body["kind"], body["reason"]) == ("Status", "InternalError"), body
    assert "connection was lost" in body["message"], body
    assert client.request("GET", f"{CM}/once")[0] == 404  # terminated before its COMMIT: not applied
    status, created = client.request("POST", CM, configmap("once", "default"))
    assert status == 201, created
    status, listed = client.request("GET", CM, headers={"Accept": "application/json"})
    assert [i["metadata"]["name"] for i in listed["items"]].count("once") == 1
    client.close()

