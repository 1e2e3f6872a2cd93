"""The operator surface: a secret key of the server's own, clickjacking
protection, and a login form a browser can post through the TLS front."""
import http.cookiejar
import re
import ssl
import urllib.error
import urllib.parse
import urllib.request

import pytest

pytestmark = pytest.mark.e2e


def test_the_secret_key_is_generated_once_under_var(server):
    key = (server.var_dir / "secret-key").read_text().strip()
    assert len(key) >= 50 and key != "kubeapi-development-only-secret"
    assert (server.var_dir / "secret-key").stat().st_mode & 0o077 == 0


def test_admin_pages_refuse_to_be_framed(server):
    code, headers, _ = server.request("GET", "/admin/login/", token=False)
    assert code == 200
    assert {k.lower(): v for k, v in headers.items()}.get("x-frame-options") == "DENY"


def test_a_browser_can_post_the_login_form_through_the_front(server):
    """The front terminates TLS: Django must see the request as https, or
    its CSRF check refuses the browser's https Origin with 403."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar),
                                         urllib.request.HTTPSHandler(context=ssl.create_default_context(
                                             cafile=str(server.ca))))
    page = opener.open(server.url + "/admin/login/", timeout=30).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": "nobody", "password": "wrong",
                                   "next": "/admin/"}).encode()
    req = urllib.request.Request(server.url + "/admin/login/", data=form, method="POST",
                                 headers={"Origin": server.url, "Referer": server.url + "/admin/login/"})
    try:
        resp = opener.open(req, timeout=30)
        code, body = resp.status, resp.read().decode()
    except urllib.error.HTTPError as err:
        code, body = err.code, err.read().decode()
    assert code == 200, (code, body[:500])  # the form again, with the login error: not "CSRF verification failed"
    assert "CSRF" not in body


# ------------------------------------------------- who may do what in the admin
SECRET = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s", "namespace": "default", "uid": "0d6f1a52-1c1e-4a8e-9a51-2b0c8f0e6a11", "annotations": {
    "kubectl.kubernetes.io/last-applied-configuration": '{"data":{"password":"aHVudGVyMg=="}}'}},
    "data": {"password": "aHVudGVyMg=="}, "type": "Opaque"}


@pytest.fixture
def staff(db, django_user_model):
    from django.contrib.auth.models import Permission

    def make(name, *codenames):
        user = django_user_model.objects.create_user(name, password="pw-" + name, is_staff=True)
        user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
        return user
    return make


@pytest.fixture
def secret_row(db):
    from resources.store.interface import Key
    from resources.store import storage

    storage.ensure_tenant("admin-secrets")
    return storage.create(Key("admin-secrets", "", "secrets", "default", "s"), SECRET, {})


@pytest.mark.django_db(transaction=True)
def test_staff_see_secret_keys_but_not_values(client, admin_client, staff, secret_row):
    from django.urls import reverse

    from resources.models import StoredObject

    row = StoredObject.objects.get(tenant="admin-secrets", resource="secrets", name="s")
    url = reverse("admin:resources_storedobject_change", args=[row.pk])
    client.force_login(staff("viewer", "view_storedobject"))
    page = client.get(url).content.decode()
    assert "password" in page and "(redacted)" in page
    assert "aHVudGVyMg" not in page
    assert "aHVudGVyMg" in admin_client.get(url).content.decode()  # superusers see the values


@pytest.mark.django_db(transaction=True)
def test_only_superusers_mint_tokens_or_grant_rights(client, staff, django_user_model):
    from django.urls import reverse

    from authz.models import APIToken

    boss = django_user_model.objects.create_superuser("boss", password="x")
    plain = django_user_model.objects.create_user("plain", password="x")
    client.force_login(staff("helpdesk", "view_user", "change_user"))
    changelist = reverse("admin:auth_user_changelist")
    # No token for anyone, least of all a superuser.
    for target in (boss, plain):
        client.post(changelist, {"action": "create_api_token", "_selected_action": [target.pk]})
    assert not APIToken.objects.exists()
    # A superuser's (or staff's) page cannot be changed, nor their password reset.
    assert client.get(reverse("admin:auth_user_change", args=[boss.pk])).status_code in (302, 403) or \
        b"Change user" not in client.get(reverse("admin:auth_user_change", args=[boss.pk])).content
    assert client.get(reverse("admin:auth_user_password_change", args=[boss.pk])).status_code == 403
    # On a plain user the fields that grant rights are read-only.
    page = client.get(reverse("admin:auth_user_change", args=[plain.pk])).content.decode()
    assert 'name="is_superuser"' not in page and 'name="groups"' not in page
    client.post(reverse("admin:auth_user_change", args=[plain.pk]),
                {"username": "plain", "is_superuser": "on", "is_staff": "on", "first_name": "P"})
    plain.refresh_from_db()
    assert not plain.is_superuser and not plain.is_staff
