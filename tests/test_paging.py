"""limit/continue through the API view: consistent snapshots, and 410 with a
fresh continue token once the snapshot is compacted."""
import json

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from kubeapi import bootstrap
from resources.registry import tenants

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def api():
    token = bootstrap.ensure_admin_token(settings.VAR_DIR)
    tenants._ready.clear()
    tenants.ensure("default", create=True)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    for i in range(5):
        body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"cm{i}"}, "data": {"i": str(i)}}
        resp = client.post("/api/v1/namespaces/default/configmaps", json.dumps(body), content_type="application/json")
        assert resp.status_code == 201, resp.content
    return client


def page(client, **params):
    # Every namespace also holds the kube-root-ca.crt ConfigMap (authz's
    # ServiceAccounts controller); these tests page through their own.
    params.setdefault("fieldSelector", "metadata.name!=kube-root-ca.crt")
    resp = client.get("/api/v1/namespaces/default/configmaps", params)
    return resp.status_code, json.loads(resp.content)


def test_continue_reads_the_first_pages_snapshot(api):
    code, first = page(api, limit=2)
    assert code == 200 and [i["metadata"]["name"] for i in first["items"]] == ["cm0", "cm1"]
    api.delete("/api/v1/namespaces/default/configmaps/cm3")
    code, second = page(api, limit=2, **{"continue": first["metadata"]["continue"]})
    assert [i["metadata"]["name"] for i in second["items"]] == ["cm2", "cm3"]  # cm3 still in the snapshot
    assert second["metadata"]["resourceVersion"] == first["metadata"]["resourceVersion"]
    code, third = page(api, limit=2, **{"continue": second["metadata"]["continue"]})
    assert [i["metadata"]["name"] for i in third["items"]] == ["cm4"] and "continue" not in third["metadata"]


def test_compacted_continue_is_410_with_fresh_token(api):
    code, first = page(api, limit=2)
    api.delete("/api/v1/namespaces/default/configmaps/cm4")
    with connection.cursor() as cur:
        cur.execute("UPDATE kube_tenant SET compacted_revision = revision WHERE name = 'default'")
    code, status = page(api, limit=2, **{"continue": first["metadata"]["continue"]})
    assert code == 410 and status["reason"] == "Expired" and "too old" in status["message"]
    code, rest = page(api, limit=10, **{"continue": status["metadata"]["continue"]})
    assert code == 200 and [i["metadata"]["name"] for i in rest["items"]] == ["cm2", "cm3"]


@pytest.mark.parametrize("params,reason", [
    ({"continue": "not-a-token"}, "BadRequest"),
    ({"continue": "eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6MSwic3RhcnQiOlsiYSIsImIiXX0", "resourceVersion": "5"},
     "BadRequest"),
    ({"resourceVersionMatch": "Exact"}, "BadRequest"),
    ({"resourceVersion": "0", "resourceVersionMatch": "Exact"}, "BadRequest"),
    ({"resourceVersion": "999999", "resourceVersionMatch": "NotOlderThan"}, "Timeout"),
    ({"limit": "x"}, "BadRequest"),
])
def test_bad_list_parameters(api, params, reason):
    code, status = page(api, **params)
    assert status["kind"] == "Status" and status["reason"] == reason, status
