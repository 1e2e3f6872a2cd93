"""The operator surface: a secret key of the server's own, clickjacking
protection, and a login form a browser can post through the TLS front."""
import http.cookiejar
import re
from html.parser import HTMLParser
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
    submit(client, reverse("admin:auth_user_change", args=[plain.pk]),
           {"username": "plain", "is_superuser": "on", "is_staff": "on", "first_name": "P"})
    plain.refresh_from_db()
    assert plain.first_name == "P"  # the form was valid: the other fields were ignored, not the post refused
    assert not plain.is_superuser and not plain.is_staff


@pytest.mark.django_db(transaction=True)
def test_staff_delete_only_plain_users(client, staff, django_user_model):
    from django.urls import reverse

    boss = django_user_model.objects.create_superuser("boss", password="x")
    peer = staff("peer")
    plain = django_user_model.objects.create_user("plain", password="x")
    client.force_login(staff("remover", "view_user", "delete_user"))
    changelist = reverse("admin:auth_user_changelist")
    client.post(changelist, {"action": "delete_selected", "_selected_action": [boss.pk, peer.pk], "post": "yes"})
    assert client.post(reverse("admin:auth_user_delete", args=[boss.pk]), {"post": "yes"}).status_code == 403
    assert django_user_model.objects.filter(pk__in=[boss.pk, peer.pk]).count() == 2
    client.post(changelist, {"action": "delete_selected", "_selected_action": [plain.pk], "post": "yes"})
    assert not django_user_model.objects.filter(pk=plain.pk).exists()


class _Form(HTMLParser):
    """What a browser posts for the admin's change form, as it stands."""

    def __init__(self):
        super().__init__()
        self.data, self._select, self._textarea = {}, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "file") and \
                (a.get("type") not in ("checkbox", "radio") or "checked" in a):
            self.data.setdefault(name, []).append(a.get("value", "on" if a.get("type") == "checkbox" else ""))
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in a:
            self.data[self._select].append(a.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = [""]

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][0] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def submit(client, url, changes):
    """GET the change page, then POST it back with ``changes``."""
    form = _Form()
    form.feed(client.get(url).content.decode())
    data = {k: v for k, v in form.data.items() if k != "csrfmiddlewaretoken"}
    data.update({k: v if isinstance(v, list) else [v] for k, v in changes.items()})
    return client.post(url, data)


@pytest.mark.django_db(transaction=True)
def test_only_superusers_activate_users(client, staff, django_user_model):
    """A token of an inactive user is refused: activating revives it."""
    from django.urls import reverse

    locked = django_user_model.objects.create_user("locked", password="x", is_active=False)
    client.force_login(staff("helpdesk", "view_user", "change_user"))
    submit(client, reverse("admin:auth_user_change", args=[locked.pk]), {"is_active": "on", "last_name": "L"})
    locked.refresh_from_db()
    assert locked.last_name == "L" and not locked.is_active


@pytest.mark.django_db(transaction=True)
def test_only_superusers_change_groups(client, admin_client, staff):
    """Django groups are Kubernetes groups: renamed system:masters, a group
    makes its members cluster admins; its permissions are its members'."""
    from django.contrib.auth.models import Group, Permission
    from django.urls import reverse

    from authz import tokens_api
    from authz.authentication import api_token_user
    from authz.rbac import MASTERS

    dev = Group.objects.create(name="dev")
    helper = staff("groupie", "view_group", "add_group", "change_group", "delete_group")
    helper.groups.add(dev)
    token, _ = tokens_api.create(helper, "test")
    change_user = Permission.objects.get(codename="change_user")
    client.force_login(helper)
    change = reverse("admin:auth_group_change", args=[dev.pk])
    assert client.get(change).status_code == 200  # staff may look
    assert submit(client, change, {"name": MASTERS, "permissions": [str(change_user.pk)]}).status_code == 403
    assert client.post(reverse("admin:auth_group_add"), {"name": MASTERS}).status_code == 403
    assert client.post(reverse("admin:auth_group_delete", args=[dev.pk]), {"post": "yes"}).status_code == 403
    client.post(reverse("admin:auth_group_changelist"),
                {"action": "delete_selected", "_selected_action": [dev.pk], "post": "yes"})
    dev.refresh_from_db()
    assert dev.name == "dev" and not dev.permissions.exists()
    assert not Group.objects.filter(name=MASTERS).exists()
    assert MASTERS not in api_token_user(token).groups
    # A superuser still may (and the group's members are then what it names).
    submit(admin_client, change, {"name": "ops", "permissions": [str(change_user.pk)]})
    dev.refresh_from_db()
    assert dev.name == "ops" and list(dev.permissions.all()) == [change_user]
    assert "ops" in api_token_user(token).groups


@pytest.mark.django_db(transaction=True)
def test_only_superusers_change_tokens_and_staff_revoke_only_plain_users_tokens(client, admin_client, staff,
                                                                                django_user_model):
    import datetime

    from django.urls import reverse
    from django.utils import timezone

    from authz import tokens_api
    from authz.models import APIToken

    boss = django_user_model.objects.create_superuser("boss", password="x")
    plain = django_user_model.objects.create_user("plain", password="x")
    _, boss_token = tokens_api.create(boss, "boss")
    _, plain_token = tokens_api.create(plain, "plain")
    expired = timezone.now() - datetime.timedelta(days=1)
    APIToken.objects.update(expires=expired)
    client.force_login(staff("helpdesk", "view_apitoken", "change_apitoken", "delete_apitoken"))
    # No reviving an expired token (nor moving it: user is read-only for all).
    for row in (boss_token, plain_token):
        url = reverse("admin:authz_apitoken_change", args=[row.pk])
        assert submit(client, url, {"expires_0": "", "expires_1": ""}).status_code == 403
    assert set(APIToken.objects.values_list("expires", flat=True)) == {expired}
    # A superuser's token stays, alone or in a bulk delete.
    assert client.post(reverse("admin:authz_apitoken_delete", args=[boss_token.pk]),
                       {"post": "yes"}).status_code == 403
    client.post(reverse("admin:authz_apitoken_changelist"),
                {"action": "delete_selected", "_selected_action": [boss_token.pk, plain_token.pk], "post": "yes"})
    assert APIToken.objects.count() == 2
    # A plain user's token staff may revoke; a superuser may change any.
    client.post(reverse("admin:authz_apitoken_delete", args=[plain_token.pk]), {"post": "yes"})
    assert list(APIToken.objects.all()) == [boss_token]
    submit(admin_client, reverse("admin:authz_apitoken_change", args=[boss_token.pk]),
           {"expires_0": "", "expires_1": "", "description": "renewed"})
    boss_token.refresh_from_db()
    assert boss_token.expires is None and boss_token.description == "renewed"


@pytest.mark.django_db(transaction=True)
def test_staff_with_every_permission_write_only_plain_users_and_their_tokens(client, staff, django_user_model):
    """Every registered admin page but the user's and the token's: no add,
    change or delete, one by one or in bulk, even with every model
    permission there is. Stored objects (a ClusterRoleBinding granting
    cluster-admin here) change through the API and its escalation checks;
    compiled grants follow from them."""
    from django.contrib import admin
    from django.contrib.auth.models import Group, Permission
    from django.urls import reverse

    from authz.models import APIToken, CompiledBinding, RBACState, Scope
    from resources.store import storage
    from resources.store.interface import Key

    storage.ensure_tenant("admin-rbac")
    crb = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
           "metadata": {"name": "ops", "uid": "6a3e8f0e-5d7b-4c2a-9a1e-0b6c1d2e3f40"},
           "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
           "subjects": [{"kind": "Group", "name": "ops", "apiGroup": "rbac.authorization.k8s.io"}]}
    storage.create(Key("admin-rbac", "rbac.authorization.k8s.io", "clusterrolebindings", "", "ops"), crb, {})
    Group.objects.create(name="ops")
    Scope.objects.get_or_create(key="admin-rbac", tenant="admin-rbac")
    CompiledBinding.objects.get_or_create(tenant="admin-rbac", kind="ClusterRoleBinding", name="ops",
                                          role_kind="ClusterRole", role_name="cluster-admin")
    RBACState.objects.get_or_create(tenant="admin-rbac")
    everything = staff("everything")
    everything.user_permissions.set(Permission.objects.all())
    client.force_login(everything)
    audited = [m for m in admin.site._registry if m not in (django_user_model, APIToken)]  # tested above
    assert {m._meta.label for m in audited} >= {"auth.Group", "resources.StoredObject", "resources.Tenant",
                                               "authz.Scope", "authz.CompiledBinding", "authz.RBACState"}
    for model in audited:
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        rows = list(model.objects.order_by("pk"))
        assert rows, model  # something to try on
        before = [snapshot(r) for r in rows]
        change, delete = reverse(name + "_change", args=[rows[0].pk]), reverse(name + "_delete", args=[rows[0].pk])
        assert client.get(reverse(name + "_add")).status_code == 403, model
        assert client.get(change).status_code == 200, model  # staff may look
        assert submit(client, change, {}).status_code == 403, model
        assert client.post(delete, {"post": "yes"}).status_code == 403, model
        client.post(reverse(name + "_changelist"),
                    {"action": "delete_selected", "_selected_action": [r.pk for r in rows], "post": "yes"})
        assert [snapshot(r) for r in model.objects.order_by("pk")] == before, model


def snapshot(row):
    return [getattr(row, f.attname) for f in row._meta.concrete_fields]
