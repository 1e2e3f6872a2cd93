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
