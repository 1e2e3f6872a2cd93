"""The server outlives its database connections: PostgreSQL closing them
(a restart, pg_terminate_backend, an idle timeout) costs no request.
Between requests every thread's connection is checked
(kubeapi/postgresql/base.py polls its socket; kubeapi/wsgi.py runs the
check) and a closed one is replaced before the next query."""
import json
from urllib.parse import urlparse

import pytest

from tests.conftest import start_server


def _terminate_backends(database_url):
    import psycopg

    name = urlparse(database_url).path.lstrip("/")
    admin = urlparse(database_url)._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        return conn.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                            " WHERE datname = %s AND pid <> pg_backend_pid()", (name,)).fetchone()[0]


def _post(server, body):
    return server.request("POST", "/api/v1/namespaces/default/configmaps", json.dumps(body).encode(),
                          {"Content-Type": "application/json"})


def test_requests_survive_the_database_closing_every_connection(tmp_path):
    server, stop = start_server(tmp_path, extra_args=["--threads", "4"])
    try:
        if not server.database_url.startswith("postgres"):
            pytest.skip("needs PostgreSQL (KUBEAPI_DATABASE_URL)")
        body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "before"}, "data": {"a": "b"}}
        assert _post(server, body)[0] == 201
        for _ in range(40):  # every request thread holds a connection now
            assert server.request("GET", "/api/v1/namespaces/default/configmaps/before")[0] == 200
        assert _terminate_backends(server.database_url) >= 1
        codes = [server.request("GET", "/api/v1/namespaces/default/configmaps/before")[0] for _ in range(40)]
        assert codes == [200] * 40
        body["metadata"]["name"] = "after"
        code, _, created = _post(server, body)
        assert code == 201, created
        code, _, listed = server.request("GET", "/api/v1/namespaces/default/configmaps")
        assert code == 200
        listed = json.loads(listed)
        assert {"before", "after"} <= {item["metadata"]["name"] for item in listed["items"]}
    finally:
        stop()
