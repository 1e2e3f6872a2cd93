"""Authentication, authorization, impersonation and access reviews end to
end: a real server with a --token-auth-file, raw HTTPS and the real
kubectl with three kubeconfigs (admin client certificate, a namespace
editor's token, a view-only ServiceAccount token)."""
import base64
import datetime
import json
import os
import ssl
import subprocess
import time
import urllib.error
import urllib.request
import uuid

import pytest
import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from kubeapi.conf import conf
from tests.conftest import ROOT, create_tenant, start_server
from tests.kubectl import Kubectl, require_kubectl

pytestmark = pytest.mark.e2e
G = "rbac.authorization.k8s.io"
EDITOR_TOKEN = "editor-token-" + uuid.uuid4().hex
SUPPORT_TOKEN = "support-token-" + uuid.uuid4().hex
# Each request thread keeps a PostgreSQL connection: few threads, so the
# suite's servers stay well inside the database's connection limit.
FEW_THREADS = ("--threads", "4")


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("authz")
    tokens = tmp / "tokens.csv"
    tokens.write_text(f'{EDITOR_TOKEN},ed,ed-uid,"editors"\n{SUPPORT_TOKEN},sue,sue-uid\n')
    server, stop = start_server(tmp, ["--token-auth-file", str(tokens), *FEW_THREADS])
    yield server
    stop()


def call(srv, method, path, body=None, token=None, headers=None, cert=None):
    """(status, parsed body) of one HTTPS request."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(srv.url + path, data=data, method=method)
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    ctx = ssl.create_default_context(cafile=str(srv.ca))
    if cert:
        ctx.load_cert_chain(*cert)
    try:
        with urllib.request.urlopen(req, context=ctx, timeout=30) as resp:
            raw, code = resp.read(), resp.status
    except urllib.error.HTTPError as err:
        raw, code = err.read(), err.code
    try:
        return code, json.loads(raw)
    except ValueError:
        return code, raw


def admin(srv, method, path, body=None, **kw):
    return call(srv, method, path, body, token=srv.token, **kw)


def ok(result, code=200):
    assert result[0] == code, result
    return result[1]


def namespace(srv):
    name = f"az-{uuid.uuid4().hex[:8]}"
    ok(admin(srv, "POST", "/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace",
                                                  "metadata": {"name": name}}), 201)
    return name


def role_binding(srv, ns, name, role, subjects, kind="ClusterRole", token=None):
    return call(srv, "POST", f"/apis/{G}/v1/namespaces/{ns}/rolebindings", {
        "apiVersion": f"{G}/v1", "kind": "RoleBinding", "metadata": {"name": name},
        "roleRef": {"apiGroup": G, "kind": kind, "name": role}, "subjects": subjects}, token=token or srv.token)


def user(name):
    return {"kind": "User", "apiGroup": G, "name": name}


def sa_token(srv, ns, name, **spec):
    body = ok(admin(srv, "POST", f"/api/v1/namespaces/{ns}/serviceaccounts/{name}/token", {
        "apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": spec}), 201)
    return body["status"]["token"]


def make_sa(srv, ns, name):
    return ok(admin(srv, "POST", f"/api/v1/namespaces/{ns}/serviceaccounts", {
        "apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": name}}), 201)


def assert_status(result, code, reason, message=None):
    assert result[0] == code, result
    assert result[1]["kind"] == "Status" and result[1]["reason"] == reason, result
    if message is not None:
        assert result[1]["message"] == message, result[1]["message"]


# ------------------------------------------------------------ namespaces
def test_every_namespace_gets_a_default_service_account_and_root_ca(srv):
    ns = namespace(srv)
    sa = ok(admin(srv, "GET", f"/api/v1/namespaces/{ns}/serviceaccounts/default"))
    assert sa["metadata"]["name"] == "default"
    cm = ok(admin(srv, "GET", f"/api/v1/namespaces/{ns}/configmaps/kube-root-ca.crt"))
    assert cm["data"]["ca.crt"] == srv.ca.read_text()
    ok(admin(srv, "DELETE", f"/api/v1/namespaces/{ns}/serviceaccounts/default"))
    assert ok(admin(srv, "GET", f"/api/v1/namespaces/{ns}/serviceaccounts/default"))["metadata"]["uid"] != \
        sa["metadata"]["uid"]  # recreated, as kube-controller-manager does


# ------------------------------------------------------------ tokens
def test_static_token_user_is_authenticated_and_authorized_by_rbac(srv):
    ns = namespace(srv)
    assert_status(call(srv, "GET", f"/api/v1/namespaces/{ns}/configmaps", token=EDITOR_TOKEN), 403, "Forbidden",
                  f'configmaps is forbidden: User "ed" cannot list resource "configmaps" in API group "" '
                  f'in the namespace "{ns}"')
    ok(role_binding(srv, ns, "editors", "edit", [{"kind": "Group", "apiGroup": G, "name": "editors"}]), 201)
    assert ok(call(srv, "GET", f"/api/v1/namespaces/{ns}/configmaps", token=EDITOR_TOKEN))["kind"] == \
        "ConfigMapList"
    assert_status(call(srv, "GET", "/api/v1/namespaces", token=EDITOR_TOKEN), 403, "Forbidden",
                  'namespaces is forbidden: User "ed" cannot list resource "namespaces" in API group "" '
                  'at the cluster scope')
    assert_status(call(srv, "GET", f"/api/v1/namespaces/{ns}/configmaps/x", token=SUPPORT_TOKEN), 403,
                  "Forbidden", f'configmaps "x" is forbidden: User "sue" cannot get resource "configmaps" in API '
                  f'group "" in the namespace "{ns}"')


def test_an_update_or_apply_that_creates_needs_create(srv):
    """PUT to a missing name of a kind that allows create on update, and an
    apply of a missing object, are creates: upstream authorizes both as such."""
    ns = namespace(srv)
    rules = [{"apiGroups": ["coordination.k8s.io"], "resources": ["leases"], "verbs": ["get", "update", "patch"]}]
    ok(admin(srv, "POST", f"/apis/{G}/v1/namespaces/{ns}/roles", {
        "apiVersion": f"{G}/v1", "kind": "Role", "metadata": {"name": "lease-updater"}, "rules": rules}), 201)
    ok(role_binding(srv, ns, "sue-leases", "lease-updater", [user("sue")], kind="Role"), 201)
    lease = {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": {"name": "l"},
             "spec": {"holderIdentity": "sue"}}
    path = f"/apis/coordination.k8s.io/v1/namespaces/{ns}/leases/l"
    forbidden = (f'leases.coordination.k8s.io "l" is forbidden: User "sue" cannot create resource "leases" '
                 f'in API group "coordination.k8s.io" in the namespace "{ns}"')
    assert_status(call(srv, "PUT", path, lease, token=SUPPORT_TOKEN), 403, "Forbidden", forbidden)
    assert_status(call(srv, "PATCH", path + "?fieldManager=sue", lease, token=SUPPORT_TOKEN,
                       headers={"Content-Type": "application/apply-patch+yaml"}), 403, "Forbidden", forbidden)
    assert admin(srv, "GET", path)[0] == 404
    ok(admin(srv, "PUT", path, lease), 201)  # once it exists, an update is an update
    lease["spec"]["holderIdentity"] = "sue-2"
    assert ok(call(srv, "PUT", path, lease, token=SUPPORT_TOKEN))["spec"]["holderIdentity"] == "sue-2"


def test_service_account_tokens(srv):
    ns = namespace(srv)
    make_sa(srv, ns, "robot")
    token = sa_token(srv, ns, "robot")
    review = ok(call(srv, "POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews",
                     {"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"}, token=token), 201)
    info = review["status"]["userInfo"]
    assert info["username"] == f"system:serviceaccount:{ns}:robot"
    assert info["groups"] == ["system:serviceaccounts", f"system:serviceaccounts:{ns}", "system:authenticated"]
    assert info["extra"]["authentication.kubernetes.io/credential-id"][0].startswith("JTI=")
    claims = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
    assert claims["aud"] == ["https://kubernetes.default.svc.cluster.local"]
    assert claims["exp"] - claims["iat"] == 3600


@pytest.mark.parametrize("case", ["expired", "wrong-audience", "deleted-sa", "recreated-sa", "deleted-pod",
                                  "malformed", "not-a-jwt", "wrong-signature", "query-string", "basic"])
def test_bad_tokens_are_401(srv, case):
    ns = namespace(srv)
    sa = make_sa(srv, ns, "robot")
    path = f"/api/v1/namespaces/{ns}/serviceaccounts"
    headers = {}
    if case == "expired":
        token = _sign(srv, _claims(ns, sa, exp=int(time.time()) - 5))
        assert call(srv, "GET", path, token=_sign(srv, _claims(ns, sa)))[0] == 403  # valid, just not allowed
    elif case == "wrong-audience":
        token = sa_token(srv, ns, "robot", audiences=["https://vault.example.com"])
    elif case in ("deleted-sa", "recreated-sa"):
        token = sa_token(srv, ns, "robot")
        assert call(srv, "GET", path, token=token)[0] == 403
        ok(admin(srv, "DELETE", f"{path}/robot"))
        if case == "recreated-sa":
            make_sa(srv, ns, "robot")  # same name, new uid: the old token stays dead
    elif case == "deleted-pod":
        pod = ok(admin(srv, "POST", f"/api/v1/namespaces/{ns}/pods", {
            "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
            "spec": {"serviceAccountName": "robot", "containers": [{"name": "c", "image": "busybox"}]}}), 201)
        token = sa_token(srv, ns, "robot", boundObjectRef={"kind": "Pod", "apiVersion": "v1", "name": "p"})
        claims = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
        assert claims["kubernetes.io"]["pod"] == {"name": "p", "uid": pod["metadata"]["uid"]}
        assert call(srv, "GET", path, token=token)[0] == 403
        ok(admin(srv, "DELETE", f"/api/v1/namespaces/{ns}/pods/p?gracePeriodSeconds=0"))
    elif case == "malformed":
        token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOi.broken"
    elif case == "not-a-jwt":
        token = "definitely-not-a-token"
    elif case == "wrong-signature":
        other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        token = _sign(srv, _claims(ns, sa), key=other)
    elif case == "query-string":
        token = None
        path += "?access_token=" + sa_token(srv, ns, "robot")
    else:
        token = None
        headers["Authorization"] = "Basic " + base64.b64encode(b"admin:admin").decode()
    assert_status(call(srv, "GET", path, token=token, headers=headers), 401, "Unauthorized", "Unauthorized")


def _claims(ns, sa, exp=None):
    now = int(time.time())
    return {"aud": ["https://kubernetes.default.svc.cluster.local"], "exp": exp or now + 600, "iat": now - 700,
            "nbf": now - 700, "iss": "https://kubernetes.default.svc.cluster.local", "jti": str(uuid.uuid4()),
            "kubernetes.io": {"namespace": ns, "serviceaccount": {"name": "robot", "uid": sa["metadata"]["uid"]}},
            "sub": f"system:serviceaccount:{ns}:robot", "kubeapi.io/tenant": "default"}


def _sign(srv, claims, key=None):
    from authz import serviceaccounts

    old = os.environ.get("KUBEAPI_SERVICE_ACCOUNT_SIGNING_KEY_FILE")
    path = srv.var_dir / "sa.key"
    if key is not None:
        path = srv.var_dir / f"other-{uuid.uuid4().hex}.key"
        path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    os.environ["KUBEAPI_SERVICE_ACCOUNT_SIGNING_KEY_FILE"] = str(path)
    conf.reload()
    try:
        return serviceaccounts.sign(claims)
    finally:
        if old is None:
            os.environ.pop("KUBEAPI_SERVICE_ACCOUNT_SIGNING_KEY_FILE")
        else:
            os.environ["KUBEAPI_SERVICE_ACCOUNT_SIGNING_KEY_FILE"] = old
        conf.reload()


def test_token_request_validation(srv):
    ns = namespace(srv)
    make_sa(srv, ns, "robot")
    path = f"/api/v1/namespaces/{ns}/serviceaccounts/robot/token"
    body = {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": {"expirationSeconds": 60}}
    result = admin(srv, "POST", path, body)
    assert_status(result, 422, "Invalid")
    assert "may not specify a duration less than 10 minutes" in result[1]["message"]
    assert_status(admin(srv, "POST", f"/api/v1/namespaces/{ns}/serviceaccounts/nobody/token",
                        {**body, "spec": {}}), 404, "NotFound", 'serviceaccounts "nobody" not found')
    answer = ok(admin(srv, "POST", path, {**body, "spec": {"expirationSeconds": 7200, "audiences": ["a", "b"]}}), 201)
    assert answer["kind"] == "TokenRequest" and answer["spec"]["audiences"] == ["a", "b"]
    assert answer["status"]["expirationTimestamp"].endswith("Z")


def test_legacy_service_account_token_secret(srv):
    ns = namespace(srv)
    sa = make_sa(srv, ns, "legacy")
    ok(admin(srv, "POST", f"/api/v1/namespaces/{ns}/secrets", {
        "apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/service-account-token",
        "metadata": {"name": "legacy-token", "annotations": {"kubernetes.io/service-account.name": "legacy"}}}), 201)
    secret = ok(admin(srv, "GET", f"/api/v1/namespaces/{ns}/secrets/legacy-token"))
    assert secret["metadata"]["annotations"]["kubernetes.io/service-account.uid"] == sa["metadata"]["uid"]
    assert base64.b64decode(secret["data"]["namespace"]).decode() == ns
    assert base64.b64decode(secret["data"]["ca.crt"]).decode() == srv.ca.read_text()
    token = base64.b64decode(secret["data"]["token"]).decode()
    whoami = ok(call(srv, "POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews",
                     {"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"}, token=token), 201)
    assert whoami["status"]["userInfo"]["username"] == f"system:serviceaccount:{ns}:legacy"
    ok(admin(srv, "DELETE", f"/api/v1/namespaces/{ns}/secrets/legacy-token"))
    assert call(srv, "POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews",
                {"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"}, token=token)[0] == 401


def test_api_token_for_a_django_user(srv):
    env = dict(os.environ, KUBEAPI_VAR_DIR=str(srv.var_dir), KUBEAPI_DATABASE_URL=srv.database_url)
    import sys

    out = subprocess.run([sys.executable, str(ROOT / "manage.py"), "create_api_token", "operator", "--create-user",
                          "--group", "ops-team"], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    token = out.stdout.strip()
    assert token.startswith("kubeapi_")
    whoami = ok(call(srv, "POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews",
                     {"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"}, token=token), 201)
    assert whoami["status"]["userInfo"]["username"] == "operator"
    assert whoami["status"]["userInfo"]["groups"] == ["ops-team", "system:authenticated"]
    assert call(srv, "GET", "/api/v1/namespaces", token=token + "x")[0] == 401


# ------------------------------------------------------------ anonymous
def test_anonymous_defaults(srv):
    assert call(srv, "GET", "/healthz")[1] == b"ok"
    assert call(srv, "GET", "/version")[0] == 200
    assert_status(call(srv, "GET", "/api"), 401, "Unauthorized")
    assert_status(call(srv, "GET", "/api/v1/namespaces"), 401, "Unauthorized")


def test_anonymous_everywhere_when_enabled(tmp_path):
    server, stop = start_server(tmp_path, ["--anonymous-auth=true", *FEW_THREADS])
    try:
        assert_status(call(server, "GET", "/api"), 403, "Forbidden",
                      'forbidden: User "system:anonymous" cannot get path "/api"')
        assert_status(call(server, "GET", "/api/v1/namespaces/default/pods"), 403, "Forbidden",
                      'pods is forbidden: User "system:anonymous" cannot list resource "pods" in API group "" in '
                      'the namespace "default"')
        assert call(server, "GET", "/readyz")[0] == 200
        assert_status(call(server, "GET", "/api", token="bad"), 401, "Unauthorized")  # bad credentials stay 401
        ok(admin(server, "POST", f"/apis/{G}/v1/clusterrolebindings", {
            "apiVersion": f"{G}/v1", "kind": "ClusterRoleBinding", "metadata": {"name": "anon-discovery"},
            "roleRef": {"apiGroup": G, "kind": "ClusterRole", "name": "system:discovery"},
            "subjects": [{"kind": "Group", "apiGroup": G, "name": "system:unauthenticated"}]}), 201)
        assert call(server, "GET", "/api")[0] == 200
    finally:
        stop()


# ------------------------------------------------------------ impersonation
def test_impersonation_needs_the_impersonate_verb(srv):
    ns = namespace(srv)
    headers = {"Impersonate-User": "bob"}
    assert_status(call(srv, "GET", f"/api/v1/namespaces/{ns}/pods", token=EDITOR_TOKEN, headers=headers), 403,
                  "Forbidden", 'users "bob" is forbidden: User "ed" cannot impersonate resource "users" in API '
                  'group "" at the cluster scope')
    ok(admin(srv, "POST", f"/apis/{G}/v1/clusterroles", {
        "apiVersion": f"{G}/v1", "kind": "ClusterRole", "metadata": {"name": f"impersonate-bob-{ns}"},
        "rules": [{"apiGroups": [""], "resources": ["users"], "verbs": ["impersonate"], "resourceNames": ["bob"]}]}),
       201)
    ok(admin(srv, "POST", f"/apis/{G}/v1/clusterrolebindings", {
        "apiVersion": f"{G}/v1", "kind": "ClusterRoleBinding", "metadata": {"name": f"ed-as-bob-{ns}"},
        "roleRef": {"apiGroup": G, "kind": "ClusterRole", "name": f"impersonate-bob-{ns}"},
        "subjects": [user("ed")]}), 201)
    ok(role_binding(srv, ns, "bob-view", "view", [user("bob")]), 201)
    assert ok(call(srv, "GET", f"/api/v1/namespaces/{ns}/pods", token=EDITOR_TOKEN, headers=headers))["kind"] == \
        "PodList"
    me = ok(call(srv, "POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews",
                 {"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"}, token=EDITOR_TOKEN,
                 headers=headers), 201)
    assert me["status"]["userInfo"] == {"username": "bob", "groups": ["system:authenticated"]}
    # Groups need their own permission.
    assert_status(call(srv, "GET", f"/api/v1/namespaces/{ns}/pods", token=EDITOR_TOKEN,
                       headers={**headers, "Impersonate-Group": "system:masters"}), 403, "Forbidden",
                  'groups "system:masters" is forbidden: User "ed" cannot impersonate resource "groups" in API '
                  'group "" at the cluster scope')
    result = call(srv, "GET", "/api", token=EDITOR_TOKEN, headers={"Impersonate-Group": "x"})
    assert result[0] == 400 and "without impersonating a user" in result[1]["message"]


def test_admin_impersonates_service_accounts_and_groups(srv):
    ns = namespace(srv)
    headers = {"Impersonate-User": f"system:serviceaccount:{ns}:default"}
    me = ok(admin(srv, "POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews",
                  {"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"}, headers=headers), 201)
    assert me["status"]["userInfo"]["groups"] == ["system:serviceaccounts", f"system:serviceaccounts:{ns}",
                                                  "system:authenticated"]
    assert admin(srv, "GET", f"/api/v1/namespaces/{ns}/pods", headers=headers)[0] == 403
    me = ok(admin(srv, "POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews",
                  {"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"},
                  headers={"Impersonate-User": "carl", "Impersonate-Uid": "1234", "Impersonate-Group": "g1",
                           "Impersonate-Extra-Scopes": "view", "Impersonate-Extra-acme.com%2Fproject": "p1"}), 201)
    assert me["status"]["userInfo"] == {"username": "carl", "uid": "1234", "groups": ["g1", "system:authenticated"],
                                        "extra": {"scopes": ["view"], "acme.com/project": ["p1"]}}
    result = call(srv, "GET", "/api", token=EDITOR_TOKEN, headers={"Impersonate-User": "ed",
                                                                    "Impersonate-Uid": "1"})
    assert_status(result, 403, "Forbidden")  # ed may impersonate nothing here, not even itself


# ------------------------------------------------------------ escalation
def test_escalation_is_refused(srv):
    ns = namespace(srv)
    ok(role_binding(srv, ns, "ed-admin", "admin", [user("ed")]), 201)  # ed administers ns
    tok = EDITOR_TOKEN
    # Grant itself cluster-admin, in the namespace or cluster-wide.
    result = role_binding(srv, ns, "grab", "cluster-admin", [user("ed")], token=tok)
    assert_status(result, 403, "Forbidden")
    assert result[1]["message"].startswith(
        f'rolebindings.{G} "grab" is forbidden: user "ed" (groups=["editors" "system:authenticated"]) is '
        "attempting to grant RBAC permissions not currently held:\n")
    assert "{APIGroups:[\"*\"], Resources:[\"*\"], Verbs:[\"*\"]}" in result[1]["message"]
    result = call(srv, "POST", f"/apis/{G}/v1/clusterrolebindings", {
        "apiVersion": f"{G}/v1", "kind": "ClusterRoleBinding", "metadata": {"name": f"grab-{ns}"},
        "roleRef": {"apiGroup": G, "kind": "ClusterRole", "name": "cluster-admin"}, "subjects": [user("ed")]},
        token=tok)
    assert_status(result, 403, "Forbidden", 'clusterrolebindings.rbac.authorization.k8s.io is forbidden: User "ed" '
                  'cannot create resource "clusterrolebindings" in API group "rbac.authorization.k8s.io" at the '
                  'cluster scope')
    # A role with rules it does not hold; then one it does.
    role = {"apiVersion": f"{G}/v1", "kind": "Role", "metadata": {"name": "nodes-too"},
            "rules": [{"apiGroups": [""], "resources": ["secrets", "nodes"], "verbs": ["get"]},
                      {"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["escalate"]}]}
    result = call(srv, "POST", f"/apis/{G}/v1/namespaces/{ns}/roles", role, token=tok)
    assert_status(result, 403, "Forbidden")
    assert result[1]["message"].endswith(
        ':\n{APIGroups:[""], Resources:["nodes"], Verbs:["get"]}\n'
        '{APIGroups:["apps"], Resources:["deployments"], Verbs:["escalate"]}')
    role["rules"] = [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["get", "list"]}]
    ok(call(srv, "POST", f"/apis/{G}/v1/namespaces/{ns}/roles", role, token=tok), 201)
    # Bind a role it holds (edit is within admin) — and one it does not.
    ok(role_binding(srv, ns, "sue-edit", "edit", [user("sue")], token=tok), 201)
    ok(admin(srv, "POST", f"/apis/{G}/v1/clusterroles", {
        "apiVersion": f"{G}/v1", "kind": "ClusterRole", "metadata": {"name": f"node-reader-{ns}"},
        "rules": [{"apiGroups": [""], "resources": ["nodes"], "verbs": ["get", "list"]}]}), 201)
    result = role_binding(srv, ns, "sue-nodes", f"node-reader-{ns}", [user("sue")], token=tok)
    assert_status(result, 403, "Forbidden")
    assert result[1]["message"].endswith('{APIGroups:[""], Resources:["nodes"], Verbs:["get" "list"]}')
    # The bind verb on that role lets it through.
    ok(admin(srv, "POST", f"/apis/{G}/v1/namespaces/{ns}/roles", {
        "apiVersion": f"{G}/v1", "kind": "Role", "metadata": {"name": "may-bind"},
        "rules": [{"apiGroups": [G], "resources": ["clusterroles"], "verbs": ["bind"],
                   "resourceNames": [f"node-reader-{ns}"]}]}), 201)
    ok(role_binding(srv, ns, "ed-may-bind", "may-bind", [user("ed")], kind="Role"), 201)
    ok(role_binding(srv, ns, "sue-nodes", f"node-reader-{ns}", [user("sue")], token=tok), 201)
    # roleRef never changes.
    binding = ok(admin(srv, "GET", f"/apis/{G}/v1/namespaces/{ns}/rolebindings/sue-edit"))
    binding["roleRef"]["name"] = "admin"
    result = call(srv, "PUT", f"/apis/{G}/v1/namespaces/{ns}/rolebindings/sue-edit", binding, token=tok)
    assert_status(result, 422, "Invalid")
    assert 'roleRef: Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"ClusterRole", ' \
           'Name:"admin"}: cannot change roleRef' in result[1]["message"]
    # An aggregationRule needs cluster-admin, even for who may create ClusterRoles.
    ok(admin(srv, "POST", f"/apis/{G}/v1/clusterrolebindings", {
        "apiVersion": f"{G}/v1", "kind": "ClusterRoleBinding", "metadata": {"name": f"sue-roles-{ns}"},
        "roleRef": {"apiGroup": G, "kind": "ClusterRole", "name": "edit"}, "subjects": [user("sue")]}), 201)
    ok(admin(srv, "POST", f"/apis/{G}/v1/clusterroles", {
        "apiVersion": f"{G}/v1", "kind": "ClusterRole", "metadata": {"name": f"role-writer-{ns}"},
        "rules": [{"apiGroups": [G], "resources": ["clusterroles"], "verbs": ["create"]}]}), 201)
    ok(admin(srv, "POST", f"/apis/{G}/v1/clusterrolebindings", {
        "apiVersion": f"{G}/v1", "kind": "ClusterRoleBinding", "metadata": {"name": f"sue-writer-{ns}"},
        "roleRef": {"apiGroup": G, "kind": "ClusterRole", "name": f"role-writer-{ns}"},
        "subjects": [user("sue")]}), 201)
    result = call(srv, "POST", f"/apis/{G}/v1/clusterroles", {
        "apiVersion": f"{G}/v1", "kind": "ClusterRole", "metadata": {"name": f"gather-{ns}"},
        "aggregationRule": {"clusterRoleSelectors": [{"matchLabels": {"x": "y"}}]}}, token=SUPPORT_TOKEN)
    assert_status(result, 403, "Forbidden", f'clusterroles.{G} "gather-{ns}" is forbidden: must have cluster-admin '
                  "privileges to use the aggregationRule")


# ------------------------------------------------------------ reviews
def test_access_reviews(srv):
    ns = namespace(srv)
    ok(role_binding(srv, ns, "rita-view", "view", [user("rita")]), 201)
    ok(role_binding(srv, ns, "sue-view", "view", [user("sue")]), 201)

    def sar(kind, spec, token=None, path_ns=None):
        group = "authorization.k8s.io"
        path = f"/apis/{group}/v1/namespaces/{path_ns}/{kind.lower()}s" if path_ns else \
            f"/apis/{group}/v1/{kind.lower()}s"
        return call(srv, "POST", path, {"apiVersion": f"{group}/v1", "kind": kind, "spec": spec},
                    token=token or srv.token)

    allowed = ok(sar("SubjectAccessReview", {"user": "rita", "resourceAttributes": {
        "namespace": ns, "verb": "list", "resource": "pods"}}), 201)
    assert allowed["status"] == {"allowed": True, "reason": f'RBAC: allowed by RoleBinding "rita-view/{ns}" of '
                                                             f'ClusterRole "view" to User "rita"'}
    denied = ok(sar("SubjectAccessReview", {"user": "rita", "resourceAttributes": {
        "namespace": ns, "verb": "delete", "resource": "pods"}}), 201)
    assert denied["status"] == {"allowed": False}
    assert ok(sar("SubjectAccessReview", {"groups": ["system:masters"], "nonResourceAttributes": {
        "verb": "delete", "path": "/anything"}}), 201)["status"]["allowed"] is True
    assert_status(sar("SubjectAccessReview", {"resourceAttributes": {"verb": "get", "resource": "pods"}}), 422,
                  "Invalid")
    assert_status(sar("SubjectAccessReview", {"user": "x"}), 422, "Invalid")
    local = ok(sar("LocalSubjectAccessReview", {"user": "rita", "resourceAttributes": {
        "namespace": ns, "verb": "get", "resource": "configmaps"}}, path_ns=ns), 201)
    assert local["status"]["allowed"] is True and local["metadata"]["namespace"] == ns
    assert_status(sar("LocalSubjectAccessReview", {"user": "sue", "resourceAttributes": {
        "namespace": "other", "verb": "get", "resource": "configmaps"}}, path_ns=ns), 422, "Invalid")
    # sue may not ask about others (no create on subjectaccessreviews), only about herself.
    assert sar("SubjectAccessReview", {"user": "ed", "resourceAttributes": {"verb": "get", "resource": "pods"}},
               token=SUPPORT_TOKEN)[0] == 403
    mine = ok(sar("SelfSubjectAccessReview", {"resourceAttributes": {"namespace": ns, "verb": "watch",
                                                                     "resource": "deployments", "group": "apps"}},
                  token=SUPPORT_TOKEN), 201)
    assert mine["status"]["allowed"] is True
    rules = ok(call(srv, "POST", "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews", {
        "apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectRulesReview", "spec": {"namespace": ns}},
        token=SUPPORT_TOKEN), 201)
    assert rules["status"]["incomplete"] is False
    assert {"verbs": ["get", "list", "watch"], "apiGroups": [""], "resources": ["namespaces"]} in \
        rules["status"]["resourceRules"]
    assert {"verbs": ["get"], "nonResourceURLs": ["/healthz", "/livez", "/readyz", "/version", "/version/"]} in \
        rules["status"]["nonResourceRules"]
    assert admin(srv, "GET", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews")[0] == 405


# ------------------------------------------------------------ x509
def _client_cert(srv, cn, orgs, ca_dir=None, days=1):
    ca_cert = x509.load_pem_x509_certificate((ca_dir or srv.var_dir).joinpath("ca.crt").read_bytes())
    ca_key = serialization.load_pem_private_key((ca_dir or srv.var_dir).joinpath("ca.key").read_bytes(), None)
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, o) for o in orgs]
                     + [x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(ca_cert.subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=1))
            .not_valid_after(now + datetime.timedelta(days=days))
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
            .sign(ca_key, hashes.SHA256()))
    stem = srv.var_dir / f"client-{uuid.uuid4().hex[:6]}"
    stem.with_suffix(".crt").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    stem.with_suffix(".key").write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                                           serialization.PrivateFormat.PKCS8,
                                                           serialization.NoEncryption()))
    return str(stem.with_suffix(".crt")), str(stem.with_suffix(".key"))


def test_x509_client_certificates(srv, tmp_path):
    cert = _client_cert(srv, "jane", ["devs", "qa"])
    me = ok(call(srv, "POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews",
                 {"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"}, cert=cert), 201)
    assert me["status"]["userInfo"] == {"username": "jane", "groups": ["devs", "qa", "system:authenticated"]}
    assert_status(call(srv, "GET", "/api/v1/nodes", cert=cert), 403, "Forbidden",
                  'nodes is forbidden: User "jane" cannot list resource "nodes" in API group "" at the cluster scope')
    # The admin kubeconfig is a client certificate in system:masters, as kubeadm's.
    config = yaml.safe_load(srv.kubeconfig.read_text())
    assert set(config["users"][0]["user"]) == {"client-certificate-data", "client-key-data"}
    admin_cert = x509.load_pem_x509_certificate(base64.b64decode(config["users"][0]["user"]["client-certificate-data"]))
    assert admin_cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == "system:masters"
    # A certificate from another CA never gets through the TLS handshake.
    other = tmp_path / "other-ca"
    other.mkdir()
    from kubeapi import bootstrap

    bootstrap.ensure_ca(other)
    bad = _client_cert(srv, "mallory", ["system:masters"], ca_dir=other)
    with pytest.raises((ssl.SSLError, urllib.error.URLError, ConnectionError)):
        call(srv, "GET", "/api/v1/namespaces", cert=bad)


# ------------------------------------------------------------ kubectl
def _token_kubeconfig(srv, path, token):
    config = yaml.safe_load(srv.kubeconfig.read_text())
    config["users"][0]["user"] = {"token": token}
    path.write_text(yaml.safe_dump(config))
    return path


def test_kubectl_three_kubeconfigs(srv, tmp_path):
    binary = require_kubectl()
    ns = namespace(srv)
    admin_k = Kubectl(binary, srv.kubeconfig, tmp_path)
    admin_k.run("-n", ns, "create", "rolebinding", "editors", "--clusterrole=edit", "--group=editors")
    admin_k.run("-n", ns, "create", "serviceaccount", "viewer")
    admin_k.run("-n", ns, "create", "rolebinding", "viewer", "--clusterrole=view", f"--serviceaccount={ns}:viewer")
    view_token = admin_k.run("-n", ns, "create", "token", "viewer", "--duration=1h").stdout.strip()
    editor = Kubectl(binary, _token_kubeconfig(srv, tmp_path / "editor.kubeconfig", EDITOR_TOKEN), tmp_path)
    viewer = Kubectl(binary, _token_kubeconfig(srv, tmp_path / "viewer.kubeconfig", view_token), tmp_path)

    who = admin_k.run("auth", "whoami").stdout
    assert "kubernetes-admin" in who and "[system:masters system:authenticated]" in who
    assert "ed" in editor.run("auth", "whoami").stdout.split()
    assert f"system:serviceaccount:{ns}:viewer" in viewer.run("auth", "whoami").stdout

    # The admin can do anything, anywhere.
    assert admin_k.run("auth", "can-i", "*", "*").stdout.strip() == "yes"
    admin_k.run("get", "nodes")
    # The editor edits its namespace and nothing else.
    editor.run("-n", ns, "create", "configmap", "settings", "--from-literal=color=blue")
    editor.run("-n", ns, "create", "deployment", "web", "--image=nginx")
    editor.run("-n", ns, "scale", "deployment", "web", "--replicas=3")
    assert editor.run("-n", ns, "auth", "can-i", "delete", "secrets").stdout.strip() == "yes"
    assert editor.run("-n", ns, "auth", "can-i", "create", "rolebindings", check=False).stdout.strip() == "no"
    denied = editor.run("-n", ns, "create", "rolebinding", "x", "--clusterrole=admin", "--user=ed", check=False)
    assert denied.returncode != 0 and "forbidden" in denied.stderr
    denied = editor.run("get", "configmaps", "-n", "default", check=False)
    assert denied.returncode != 0
    assert 'User "ed" cannot list resource "configmaps" in API group "" in the namespace "default"' in denied.stderr
    assert editor.run("auth", "can-i", "list", "namespaces", check=False).stdout.strip() == "no"
    # The viewer reads but does not write, and never reads secrets.
    assert "settings" in viewer.run("-n", ns, "get", "configmaps").stdout
    assert "web" in viewer.run("-n", ns, "get", "deployments").stdout
    denied = viewer.run("-n", ns, "delete", "configmap", "settings", check=False)
    assert denied.returncode != 0 and "cannot delete resource" in denied.stderr
    denied = viewer.run("-n", ns, "get", "secrets", check=False)
    assert denied.returncode != 0 and "cannot list resource \"secrets\"" in denied.stderr
    assert viewer.run("-n", ns, "auth", "can-i", "get", "secrets", check=False).stdout.strip() == "no"
    listing = viewer.run("-n", ns, "auth", "can-i", "--list").stdout
    assert "deployments.apps" in listing and "selfsubjectaccessreviews.authorization.k8s.io" in listing
    # The admin asks on their behalf.
    assert admin_k.run("-n", ns, "auth", "can-i", "update", "configmaps", "--as=ed",
                       "--as-group=editors").stdout.strip() == "yes"
    assert admin_k.run("-n", ns, "auth", "can-i", "update", "configmaps", f"--as=system:serviceaccount:{ns}:viewer",
                       check=False).stdout.strip() == "no"
    # Deleting the ServiceAccount ends its tokens.
    admin_k.run("-n", ns, "delete", "serviceaccount", "viewer")
    gone = viewer.run("-n", ns, "get", "configmaps", check=False)
    assert gone.returncode != 0 and "Unauthorized" in gone.stderr


# ------------------------------------------------------------ tenants
def test_tenants_keep_their_own_rbac_and_service_account_tokens(srv):
    t2 = create_tenant(srv, f"t{uuid.uuid4().hex[:6]}")
    ns = f"az-{uuid.uuid4().hex[:6]}"
    ok(admin(srv, "POST", f"{t2}/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace",
                                                       "metadata": {"name": ns}}), 201)
    assert ok(admin(srv, "GET", f"{t2}/apis/{G}/v1/clusterroles/view"))["metadata"]["name"] == "view"
    ok(admin(srv, "POST", f"{t2}/api/v1/namespaces/{ns}/serviceaccounts", {
        "apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "robot"}}), 201)
    token = ok(admin(srv, "POST", f"{t2}/api/v1/namespaces/{ns}/serviceaccounts/robot/token", {
        "apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": {}}), 201)["status"]["token"]
    ok(admin(srv, "POST", f"{t2}/apis/{G}/v1/namespaces/{ns}/rolebindings", {
        "apiVersion": f"{G}/v1", "kind": "RoleBinding", "metadata": {"name": "ed-view"},
        "roleRef": {"apiGroup": G, "kind": "ClusterRole", "name": "view"},
        "subjects": [user("ed"), {"kind": "ServiceAccount", "name": "robot"}]}), 201)
    assert ok(call(srv, "GET", f"{t2}/api/v1/namespaces/{ns}/pods", token=token))["kind"] == "PodList"
    assert ok(call(srv, "GET", f"{t2}/api/v1/namespaces/{ns}/pods", token=EDITOR_TOKEN))["kind"] == "PodList"
    # Neither the grant nor the token means anything in the default tenant.
    make_ns = namespace(srv)
    assert call(srv, "GET", f"/api/v1/namespaces/{make_ns}/pods", token=EDITOR_TOKEN)[0] == 403
    assert_status(call(srv, "GET", "/api/v1/namespaces/default/pods", token=token), 401, "Unauthorized")
    # Requests never bring a tenant into being, whoever sends them.
    for token in (EDITOR_TOKEN, srv.token):
        assert call(srv, "GET", f"/clusters/t{uuid.uuid4().hex[:6]}/api/v1/namespaces", token=token)[0] == 404


def test_service_account_issuer_discovery(srv):
    ns = namespace(srv)
    make_sa(srv, ns, "robot")
    token = sa_token(srv, ns, "robot")
    config = ok(call(srv, "GET", "/.well-known/openid-configuration", token=token))
    assert config["issuer"] == "https://kubernetes.default.svc.cluster.local"
    assert config["jwks_uri"] == "https://kubernetes.default.svc.cluster.local/openid/v1/jwks"
    keys = ok(call(srv, "GET", "/openid/v1/jwks", token=token))["keys"]
    header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    assert [k["kid"] for k in keys] == [header["kid"]] and keys[0]["kty"] == "RSA"
    assert call(srv, "GET", "/openid/v1/jwks", token=EDITOR_TOKEN)[0] == 403  # users are not ServiceAccounts
