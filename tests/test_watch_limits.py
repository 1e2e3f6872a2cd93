"""Concurrent watches per user per process are bounded (a token held
3,000 streams before): past the limit a watch answers 429 TooManyRequests
with Retry-After, and a closed watch frees its slot."""
import http.client
import json
import ssl

import pytest

from tests.conftest import start_server, wait_for

pytestmark = pytest.mark.e2e
LIMIT = 3


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    server, stop = start_server(tmp_path_factory.mktemp("watch-limits"),
                                env={"KUBEAPI_MAX_WATCHES_PER_USER": str(LIMIT)})
    yield server
    stop()


def _open_watch(server):
    host, port = server.url.split("//")[1].split(":")
    conn = http.client.HTTPSConnection(host, int(port), context=ssl.create_default_context(cafile=str(server.ca)),
                                       timeout=30)
    conn.request("GET", "/api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=60",
                 headers={"Authorization": f"Bearer {server.token}"})
    return conn, conn.getresponse()


def test_watches_past_the_per_user_limit_answer_429(srv):
    held = [_open_watch(srv) for _ in range(LIMIT)]
    assert [resp.status for _, resp in held] == [200] * LIMIT
    conn, resp = _open_watch(srv)
    body = json.loads(resp.read())
    assert resp.status == 429 and resp.getheader("Retry-After") == "1", body
    assert body["kind"] == "Status" and body["reason"] == "TooManyRequests", body
    conn.close()
    # Ordinary requests of the same user are not limited.
    assert srv.request("GET", "/api/v1/namespaces/default/configmaps")[0] == 200
    # A closed watch gives its slot back.
    held.pop()[0].close()

    def reopened():
        c, r = _open_watch(srv)
        if r.status == 200:
            return c
        r.read()
        c.close()
        return None
    again = wait_for(reopened, timeout=15, interval=0.3)  # each attempt opens a watch
    assert again is not None, "the slot of a closed watch was not given back"
    again.close()
    for c, _ in held:
        c.close()
