"""The Django admin operators use: every registered page renders, and the
stored objects and RBAC bookkeeping are read-only there (writes go through
the API, where strategies, revisions and grants apply)."""
import pytest
from django.urls import reverse

from resources.store import storage

pytestmark = pytest.mark.django_db(transaction=True)

READ_ONLY = ["resources_tenant", "resources_storedobject", "authz_scope", "authz_compiledbinding",
             "authz_rbacstate"]


@pytest.fixture
def stored():
    storage.ensure_tenant("admin-test")
    return "admin-test"


@pytest.mark.parametrize("model", READ_ONLY + ["authz_apitoken", "auth_user", "auth_group"])
def test_each_changelist_renders(admin_client, stored, model):
    response = admin_client.get(reverse(f"admin:{model}_changelist"))
    assert response.status_code == 200, response.content[:500]


@pytest.mark.parametrize("model", READ_ONLY)
def test_stored_state_cannot_be_added_in_the_admin(admin_client, stored, model):
    assert admin_client.get(reverse(f"admin:{model}_add")).status_code == 403


def test_the_admin_needs_a_login(client):
    response = client.get(reverse("admin:resources_storedobject_changelist"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
