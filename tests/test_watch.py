"""Watch streams end to end against a real server: start points (current
state, a revision, watch-list), selectors (objects entering and leaving),
bookmarks, timeouts, 410 after compaction, Table output, Status errors
before the stream, and real clients — kubectl (get -w, delete, wait,
rollout status) and the official Python client's watch and an informer."""
import asyncio
import json
import os
import subprocess
import sys
import threading
import time
import uuid

import pytest

from tests.conftest import start_server, wait_for
from tests.kubectl import BOTH_KUBECTLS, require_kubectl
from tests.watch_support import AsyncWatch, Client, configmap, ensure_namespace, watchers_registered

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def wserver(tmp_path_factory):
    server, stop = start_server(tmp_path_factory.mktemp("watch"), env={"KUBEAPI_WATCH_BOOKMARK_SECONDS": "0.5"})
    yield server
    stop()


@pytest.fixture(scope="module")
def api(wserver):
    client = Client(wserver)
    yield client
    client.close()


@pytest.fixture
def ns(api):
    name = f"w-{uuid.uuid4().hex[:8]}"
    ensure_namespace(api, name)
    return name


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, 60))


def create(api, ns, name, labels=None, **data):
    status, body = api.request("POST", f"/api/v1/namespaces/{ns}/configmaps", configmap(name, ns, labels, **data))
    assert status == 201, body
    return body


def update(api, ns, name, labels=None, **data):
    status, body = api.request("PUT", f"/api/v1/namespaces/{ns}/configmaps/{name}",
                               configmap(name, ns, labels, **data))
    assert status == 200, body
    return body


def delete(api, ns, name):
    status, body = api.request("DELETE", f"/api/v1/namespaces/{ns}/configmaps/{name}")
    assert status == 200, body
    return body


def rv(obj):
    return int(obj["metadata"]["resourceVersion"])


async def take(watch, count, timeout=10):
    out = []
    while len(out) < count:
        event = await watch.next_event(timeout)
        if event["type"] != "BOOKMARK":
            out.append(event)
    return out


def summary(events):
    return [(e["type"], e["object"]["metadata"]["name"]) for e in events]


# ------------------------------------------------------------ start points
def test_from_a_revision_replays_the_changes_after_it_then_goes_live(wserver, api, ns):
    a = create(api, ns, "a", x="1")
    a2 = update(api, ns, "a", x="2")
    b = create(api, ns, "b")

    async def scenario():
        w = await AsyncWatch(wserver, f"/api/v1/namespaces/{ns}/configmaps",
                             {"watch": "true", "resourceVersion": str(rv(a))}).open()
        assert w.status == 200 and w.response_headers["content-type"] == "application/json"
        replayed = await take(w, 2)
        await asyncio.to_thread(update, api, ns, "b", y="1")
        await asyncio.to_thread(delete, api, ns, "a")
        live = await take(w, 2)
        w.close()
        return replayed, live

    replayed, live = run(scenario())
    assert summary(replayed) == [("MODIFIED", "a"), ("ADDED", "b")]
    assert [rv(e["object"]) for e in replayed] == [rv(a2), rv(b)]
    assert replayed[0]["object"]["data"] == {"x": "2"}
    assert summary(live) == [("MODIFIED", "b"), ("DELETED", "a")]
    revisions = [rv(e["object"]) for e in replayed + live]
    assert revisions == sorted(set(revisions))


@pytest.mark.parametrize("start", [None, "0"])
def test_without_a_revision_current_objects_come_first_as_added(wserver, api, ns, start):
    create(api, ns, "one")
    create(api, ns, "two")
    params = {"watch": "1"}
    if start is not None:
        params["resourceVersion"] = start

    async def scenario():
        w = await AsyncWatch(wserver, f"/api/v1/namespaces/{ns}/configmaps", params).open()
        initial = await take(w, 3)  # and kube-root-ca.crt, when a controller made it
        names = {e["object"]["metadata"]["name"] for e in initial}
        if "kube-root-ca.crt" not in names:
            initial = initial[:2]
        await asyncio.to_thread(create, api, ns, "three")
        live = await take(w, 1)
        w.close()
        return initial, live

    initial, live = run(scenario())
    assert {e["type"] for e in initial} == {"ADDED"}
    assert {"one", "two"} <= {e["object"]["metadata"]["name"] for e in initial}
    assert summary(live) == [("ADDED", "three")]


def test_watch_list_sends_initial_events_then_an_annotated_bookmark(wserver, api, ns):
    create(api, ns, "a")
    create(api, ns, "b")
    _, listed = api.request("GET", f"/api/v1/namespaces/{ns}/configmaps")

    async def scenario():
        w = await AsyncWatch(wserver, f"/api/v1/namespaces/{ns}/configmaps",
                             {"watch": "true", "sendInitialEvents": "true", "allowWatchBookmarks": "true",
                              "resourceVersionMatch": "NotOlderThan", "resourceVersion": ""}).open()
        out = []
        while True:
            event = await w.next_event(10)
            out.append(event)
            if event["type"] == "BOOKMARK":
                break
        w.close()
        return out

    events = run(scenario())
    bookmark = events[-1]
    assert {e["type"] for e in events[:-1]} == {"ADDED"}
    assert {e["object"]["metadata"]["name"] for e in events[:-1]} == {
        i["metadata"]["name"] for i in listed["items"]}
    assert bookmark["object"]["metadata"]["annotations"] == {"k8s.io/initial-events-end": "true"}
    assert bookmark["object"]["kind"] == "ConfigMap" and bookmark["object"]["apiVersion"] == "v1"
    assert int(bookmark["object"]["metadata"]["resourceVersion"]) >= int(listed["metadata"]["resourceVersion"])


# --------------------------------------------------------------- selectors
def test_label_selector_turns_entering_and_leaving_into_added_and_deleted(wserver, api, ns):
    create(api, ns, "x", labels={"color": "red"})
    _, listed = api.request("GET", f"/api/v1/namespaces/{ns}/configmaps")
    start = listed["metadata"]["resourceVersion"]

    async def scenario():
        w = await AsyncWatch(wserver, f"/api/v1/namespaces/{ns}/configmaps",
                             {"watch": "true", "resourceVersion": start, "labelSelector": "color=blue"}).open()
        blue = await asyncio.to_thread(update, api, ns, "x", labels={"color": "blue"})
        blue2 = await asyncio.to_thread(update, api, ns, "x", labels={"color": "blue"}, k="v")
        green = await asyncio.to_thread(update, api, ns, "x", labels={"color": "green"})
        await asyncio.to_thread(delete, api, ns, "x")
        await asyncio.to_thread(create, api, ns, "y", labels={"color": "blue"})
        events = await take(w, 4)
        w.close()
        return events, (blue, blue2, green)

    events, (blue, blue2, green) = run(scenario())
    assert summary(events) == [("ADDED", "x"), ("MODIFIED", "x"), ("DELETED", "x"), ("ADDED", "y")]
    assert [rv(e["object"]) for e in events[:3]] == [rv(blue), rv(blue2), rv(green)]
    # Leaving the selector: the previous content, at the event's revision.
    assert events[2]["object"]["metadata"]["labels"] == {"color": "blue"}
    assert events[2]["object"]["data"] == {"k": "v"}


def test_field_selector_and_named_watch_see_one_object(wserver, api, ns):
    create(api, ns, "other")
    _, listed = api.request("GET", f"/api/v1/namespaces/{ns}/configmaps")
    start = listed["metadata"]["resourceVersion"]

    async def scenario():
        by_field = await AsyncWatch(wserver, f"/api/v1/namespaces/{ns}/configmaps",
                                    {"watch": "true", "resourceVersion": start,
                                     "fieldSelector": "metadata.name=mine"}).open()
        by_path = await AsyncWatch(wserver, f"/api/v1/namespaces/{ns}/configmaps/mine",
                                   {"watch": "true", "resourceVersion": start}).open()
        deprecated = await AsyncWatch(wserver, f"/api/v1/watch/namespaces/{ns}/configmaps/mine",
                                      {"resourceVersion": start}).open()
        await asyncio.to_thread(update, api, ns, "other", a="1")
        await asyncio.to_thread(create, api, ns, "mine")
        await asyncio.to_thread(delete, api, ns, "mine")
        out = [await take(w, 2) for w in (by_field, by_path, deprecated)]
        for w in (by_field, by_path, deprecated):
            w.close()
        return out

    for events in run(scenario()):
        assert summary(events) == [("ADDED", "mine"), ("DELETED", "mine")]


def test_cluster_wide_watch_and_cluster_scoped_kinds(wserver, api):
    names = [f"cw-{uuid.uuid4().hex[:6]}" for _ in range(2)]
    _, listed = api.request("GET", "/api/v1/namespaces")
    start = listed["metadata"]["resourceVersion"]

    async def scenario():
        cms = await AsyncWatch(wserver, "/api/v1/configmaps",
                               {"watch": "true", "resourceVersion": start,
                                "fieldSelector": "metadata.name=probe"}).open()
        namespaces = await AsyncWatch(wserver, "/api/v1/namespaces",
                                      {"watch": "true", "resourceVersion": start,
                                       "labelSelector": "probe=yes"}).open()
        for name in names:
            await asyncio.to_thread(api.request, "POST", "/api/v1/namespaces",
                                    {"metadata": {"name": name, "labels": {"probe": "yes"}}})
            await asyncio.to_thread(create, api, name, "probe")
        got_cms = await take(cms, 2)
        got_ns = await take(namespaces, 2)
        cms.close()
        namespaces.close()
        return got_cms, got_ns

    got_cms, got_ns = run(scenario())
    assert [(e["type"], e["object"]["metadata"]["namespace"]) for e in got_cms] == [("ADDED", n) for n in names]
    assert summary(got_ns) == [("ADDED", n) for n in names]


# ------------------------------------------------- bookmarks and timeouts
def test_bookmarks_carry_the_current_revision(wserver, api, ns):
    _, listed = api.request("GET", f"/api/v1/namespaces/{ns}/configmaps")
    start = listed["metadata"]["resourceVersion"]

    async def scenario():
        w = await AsyncWatch(wserver, f"/api/v1/namespaces/{ns}/configmaps",
                             {"watch": "true", "resourceVersion": start, "allowWatchBookmarks": "true"}).open()
        other = f"{ns}-o"
        await asyncio.to_thread(ensure_namespace, api, other)
        written = await asyncio.to_thread(create, api, other, "elsewhere")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            event = await w.next_event(5)
            assert event["type"] == "BOOKMARK"
            assert set(event["object"]["metadata"]) <= {"resourceVersion", "creationTimestamp", "annotations"}
            if int(event["object"]["metadata"]["resourceVersion"]) >= rv(written):
                w.close()
                return True
        return False

    assert run(scenario())


def test_timeout_seconds_ends_the_stream(wserver, ns):
    async def scenario():
        started = time.monotonic()
        w = await AsyncWatch(wserver, f"/api/v1/namespaces/{ns}/configmaps",
                             {"watch": "true", "timeoutSeconds": "1"}).open()
        async for _ in w.events(timeout=10):
            pass
        return time.monotonic() - started

    assert 0.9 < run(scenario()) < 5


# ------------------------------------------------------------ compaction
def compact(server, retention="0", retain="0"):
    env = dict(os.environ, KUBEAPI_DATABASE_URL=server.database_url, KUBEAPI_VAR_DIR=str(server.var_dir))
    out = subprocess.run([sys.executable, "manage.py", "compact", "--retention-seconds", retention,
                          "--retain-revisions", retain], cwd=os.path.dirname(os.path.dirname(__file__)),
                         env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_a_revision_older_than_compacted_history_is_an_expired_error_event(wserver, api, ns):
    first = create(api, ns, "a")
    update(api, ns, "a", v="2")
    update(api, ns, "a", v="3")
    compact(wserver)

    async def scenario():
        w = await AsyncWatch(wserver, f"/api/v1/namespaces/{ns}/configmaps",
                             {"watch": "true", "resourceVersion": str(rv(first))}).open()
        events = [e async for e in w.events(timeout=10)]
        return w.status, events

    status, events = run(scenario())
    assert status == 200
    assert len(events) == 1 and events[0]["type"] == "ERROR"
    assert events[0]["object"]["code"] == 410 and events[0]["object"]["reason"] == "Expired"
    assert events[0]["object"]["message"].startswith(f"too old resource version: {rv(first)} (")
    # Compaction kept what list-at-revision needs after the compaction point.
    _, now = api.request("GET", f"/api/v1/namespaces/{ns}/configmaps")
    assert [i["data"] for i in now["items"] if i["metadata"]["name"] == "a"] == [{"v": "3"}]


# ---------------------------------------------------------------- errors
@pytest.mark.parametrize("path,params,headers,code,reason", [
    ("/api/v1/namespaces/default/configmaps", {"labelSelector": "a in (b"}, {}, 400, "BadRequest"),
    ("/api/v1/namespaces/default/configmaps", {"fieldSelector": "spec.nope=1"}, {}, 400, "BadRequest"),
    ("/api/v1/namespaces/default/configmaps", {"resourceVersion": "abc"}, {}, 400, "BadRequest"),
    ("/api/v1/namespaces/default/nothings", {}, {}, 404, "NotFound"),
    ("/api/v1/namespaces/default/configmaps", {"resourceVersionMatch": "NotOlderThan", "resourceVersion": "1"}, {},
     422, "Invalid"),
    ("/api/v1/namespaces/default/configmaps", {"sendInitialEvents": "true"}, {}, 422, "Invalid"),
    ("/api/v1/namespaces/default/configmaps", {}, {"Accept": "application/yaml"}, 406, "NotAcceptable"),
])
def test_errors_before_the_stream_are_status_responses(wserver, path, params, headers, code, reason):
    async def scenario():
        w = await AsyncWatch(wserver, path, {"watch": "true", **params}, headers).open()
        body = json.loads(await w.body())
        w.close()
        return w.status, body

    status, body = run(scenario())
    assert status == code
    assert body["kind"] == "Status" and body["code"] == code and body["reason"] == reason


def test_invalid_watch_options_name_the_field(wserver):
    async def scenario():
        w = await AsyncWatch(wserver, "/api/v1/configmaps",
                             {"watch": "true", "sendInitialEvents": "true", "resourceVersionMatch": "Exact"}).open()
        return json.loads(await w.body())

    body = run(scenario())
    assert body["message"] == (
        'ListOptions.meta.k8s.io "" is invalid: [resourceVersionMatch: Forbidden: sendInitialEvents requires '
        'setting resourceVersionMatch to NotOlderThan, resourceVersionMatch: Unsupported value: "Exact": '
        'supported values: "NotOlderThan"]')


def test_unauthenticated_watch_is_401(wserver):
    async def scenario():
        w = await AsyncWatch(wserver, "/api/v1/configmaps", {"watch": "true"}, token=False).open()
        return w.status, json.loads(await w.body())

    status, body = run(scenario())
    assert status in (401, 403) and body["kind"] == "Status"


# ----------------------------------------------------------------- tables
def test_table_watch_sends_column_definitions_once(wserver, api, ns):
    create(api, ns, "t1", a="1")

    async def scenario():
        w = await AsyncWatch(wserver, f"/api/v1/namespaces/{ns}/configmaps", {"watch": "true"},
                             {"Accept": "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"}).open()
        first = await take(w, 1)
        await asyncio.to_thread(create, api, ns, "t2")
        events = await take(w, 2)
        w.close()
        return first + events

    events = run(scenario())
    tables = [e["object"] for e in events]
    assert all(t["kind"] == "Table" and t["apiVersion"] == "meta.k8s.io/v1" for t in tables)
    assert [c["name"] for c in tables[0]["columnDefinitions"]][:3] == ["Name", "Data", "Age"]
    assert all(t["columnDefinitions"] is None for t in tables[1:])
    rows = {t["rows"][0]["cells"][0]: t["rows"][0] for t in tables}
    assert {"t1", "t2"} <= set(rows)
    assert rows["t2"]["object"]["kind"] == "PartialObjectMetadata"


# ---------------------------------------------------------------- kubectl
@pytest.fixture(scope="module", **BOTH_KUBECTLS)
def kubectl(request, wserver):
    """The kubectl under test (KUBECTL) and an older one that speaks JSON (KUBECTL_OLD)."""
    path = require_kubectl(request.param)

    def run_kubectl(*args, timeout=60, check=True):
        env = dict(os.environ, KUBECONFIG=str(wserver.kubeconfig))
        proc = subprocess.run([path, *args], capture_output=True, text=True, env=env, timeout=timeout)
        if check:
            assert proc.returncode == 0, proc.stderr
        return proc

    def start(*args):
        env = dict(os.environ, KUBECONFIG=str(wserver.kubeconfig))
        return subprocess.Popen([path, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)

    run_kubectl.start = start
    return run_kubectl


def _started(server, proc, before, timeout=30):
    """Wait until the server holds one more watch than ``before``: ``proc``
    (still running) is following its watch."""
    def watching():
        assert proc.poll() is None, proc.communicate()
        return watchers_registered(server) > before

    assert wait_for(watching, timeout), "kubectl never started its watch"


def _collect(proc, done, timeout=20):
    """kubectl's output once ``done(output)`` holds (or the timeout passes)."""
    lines = []
    reader = threading.Thread(target=lambda: lines.extend(iter(proc.stdout.readline, "")), daemon=True)
    reader.start()
    wait_for(lambda: done("".join(lines)), timeout)  # the caller's assertions say what was missing
    proc.terminate()
    _, err = proc.communicate()
    reader.join(5)
    return "".join(lines), err


def test_kubectl_get_watch_prints_the_table_and_changes(kubectl, wserver, api, ns):
    create(api, ns, "first", a="1")
    before = watchers_registered(wserver)
    watching = kubectl.start("-n", ns, "get", "configmaps", "-w")
    _started(wserver, watching, before)
    create(api, ns, "second", a="1", b="2")
    update(api, ns, "first", a="1", b="2", c="3")
    delete(api, ns, "second")
    out, err = _collect(watching, lambda out: out.count("second") >= 2)  # added, then deleted
    lines = [line.split() for line in out.splitlines()]
    assert lines[0][:3] == ["NAME", "DATA", "AGE"], out + err
    assert sum(1 for line in lines if line[0] == "NAME") == 1  # headers once
    assert ["first", "1"] in [line[:2] for line in lines]
    assert ["second", "2"] in [line[:2] for line in lines]
    assert ["first", "3"] in [line[:2] for line in lines]


def test_kubectl_get_watch_one_object_as_yaml(kubectl, wserver, api, ns):
    create(api, ns, "solo", v="1")
    before = watchers_registered(wserver)
    watching = kubectl.start("-n", ns, "get", "configmap", "solo", "-w", "-o", "yaml")
    _started(wserver, watching, before)
    update(api, ns, "solo", v="2")
    create(api, ns, "noise")
    out, err = _collect(watching, lambda out: 'v: "2"' in out)
    docs = [d for d in out.split("---\n") if d.strip()] if "---" in out else out.split("apiVersion: v1\n")[1:]
    assert len(docs) == 2, out + err
    assert 'v: "2"' in out and "noise" not in out


def test_kubectl_delete_waits_for_the_deletion_through_a_watch(kubectl, wserver, api, ns):
    status, body = api.request("POST", f"/api/v1/namespaces/{ns}/configmaps",
                               {**configmap("held", ns), "metadata": {"name": "held", "namespace": ns,
                                                                      "finalizers": ["example.com/hold"]}})
    assert status == 201, body
    before = watchers_registered(wserver)
    deleting = kubectl.start("-n", ns, "delete", "configmap", "held", "--timeout=30s")
    _started(wserver, deleting, before)  # waiting on its watch for the finalizer to go
    _, current = api.request("GET", f"/api/v1/namespaces/{ns}/configmaps/held")
    current["metadata"]["finalizers"] = []
    status, body = api.request("PUT", f"/api/v1/namespaces/{ns}/configmaps/held", current)
    assert status == 200, body
    out, err = deleting.communicate(timeout=20)
    assert deleting.returncode == 0, err
    assert 'configmap "held" deleted' in out


def test_kubectl_wait_for_condition_sees_a_status_write(kubectl, wserver, api, ns):
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": ns},
           "spec": {"containers": [{"name": "c", "image": "busybox"}]}}
    status, body = api.request("POST", f"/api/v1/namespaces/{ns}/pods", pod)
    assert status == 201, body
    before = watchers_registered(wserver)
    waiting = kubectl.start("-n", ns, "wait", "--for=condition=Ready", "pod/p", "--timeout=30s")
    _started(wserver, waiting, before)
    _, current = api.request("GET", f"/api/v1/namespaces/{ns}/pods/p")
    current["status"] = {"phase": "Running", "conditions": [
        {"type": "Ready", "status": "True", "lastTransitionTime": "2026-01-01T00:00:00Z"}]}
    status, body = api.request("PUT", f"/api/v1/namespaces/{ns}/pods/p/status", current)
    assert status == 200, body
    out, err = waiting.communicate(timeout=20)
    assert waiting.returncode == 0, err
    assert "condition met" in out


def test_kubectl_rollout_status_follows_the_deployment(kubectl, wserver, api, ns):
    labels = {"app": "web"}
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": ns},
                  "spec": {"replicas": 2, "selector": {"matchLabels": labels},
                           "template": {"metadata": {"labels": labels},
                                        "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}}
    status, body = api.request("POST", f"/apis/apps/v1/namespaces/{ns}/deployments", deployment)
    assert status == 201, body
    before = watchers_registered(wserver)
    following = kubectl.start("-n", ns, "rollout", "status", "deployment/web", "--timeout=30s")
    _started(wserver, following, before)
    _, current = api.request("GET", f"/apis/apps/v1/namespaces/{ns}/deployments/web")
    current["status"] = {"observedGeneration": current["metadata"]["generation"], "replicas": 2,
                         "updatedReplicas": 2, "readyReplicas": 2, "availableReplicas": 2,
                         "conditions": [{"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable",
                                         "lastUpdateTime": "2026-01-01T00:00:00Z",
                                         "lastTransitionTime": "2026-01-01T00:00:00Z"}]}
    status, body = api.request("PUT", f"/apis/apps/v1/namespaces/{ns}/deployments/web/status", current)
    assert status == 200, body
    out, err = following.communicate(timeout=20)
    assert following.returncode == 0, err
    assert 'deployment "web" successfully rolled out' in out


# ---------------------------------------------------- the Python client
@pytest.fixture(scope="module")
def core(wserver):
    kubernetes = pytest.importorskip("kubernetes")
    from kubernetes import client, config

    configuration = client.Configuration()
    config.load_kube_config(config_file=str(wserver.kubeconfig), client_configuration=configuration)
    with client.ApiClient(configuration) as api_client:
        yield client.CoreV1Api(api_client)


def test_python_client_watch_stream(core, wserver, api, ns):
    from kubernetes import watch

    listed = core.list_namespaced_config_map(ns)
    seen = []

    def follow():
        w = watch.Watch()
        for event in w.stream(core.list_namespaced_config_map, ns, resource_version=listed.metadata.resource_version,
                              timeout_seconds=5):
            seen.append((event["type"], event["object"].metadata.name, event["object"].data))
            if len(seen) == 3:
                w.stop()

    before = watchers_registered(wserver)
    thread = threading.Thread(target=follow)
    thread.start()
    assert wait_for(lambda: watchers_registered(wserver) > before), "the client never started its watch"
    create(api, ns, "py", a="1")
    update(api, ns, "py", a="2")
    delete(api, ns, "py")
    thread.join(15)
    assert seen == [("ADDED", "py", {"a": "1"}), ("MODIFIED", "py", {"a": "2"}), ("DELETED", "py", {"a": "2"})]


class Informer:
    """client-go's reflector in miniature: list, watch from the list's
    revision, resume from the last revision seen, re-list on 410."""

    def __init__(self, core, namespace):
        self.core, self.namespace = core, namespace
        self.cache = {}
        self.lists = 0
        self.expired = 0
        self.revision = None

    def relist(self):
        listed = self.core.list_namespaced_config_map(self.namespace)
        self.cache = {o.metadata.name: o for o in listed.items}
        self.revision = listed.metadata.resource_version
        self.lists += 1

    def run_once(self, seconds):
        from kubernetes import watch
        from kubernetes.client.rest import ApiException

        if self.revision is None:
            self.relist()
        w = watch.Watch()
        try:
            for event in w.stream(self.core.list_namespaced_config_map, self.namespace,
                                  resource_version=self.revision, timeout_seconds=seconds,
                                  allow_watch_bookmarks=True):
                if event["type"] == "ERROR":
                    raise ApiException(status=event["raw_object"]["code"])
                obj = event["object"]
                if event["type"] == "BOOKMARK":
                    self.revision = event["raw_object"]["metadata"]["resourceVersion"]
                    continue
                if event["type"] == "DELETED":
                    self.cache.pop(obj.metadata.name, None)
                else:
                    self.cache[obj.metadata.name] = obj
                self.revision = obj.metadata.resource_version
        except ApiException as exc:
            if exc.status != 410:
                raise
            self.expired += 1
            self.relist()


def test_informer_lists_watches_and_relists_after_410(core, api, wserver, ns):
    informer = Informer(core, ns)
    create(api, ns, "i1", a="1")
    informer.relist()
    create(api, ns, "i2")
    update(api, ns, "i1", a="2")
    informer.run_once(1)
    assert informer.cache["i1"].data == {"a": "2"} and "i2" in informer.cache
    # The informer falls behind past compaction: its next watch is 410, it re-lists.
    stale = informer.revision
    for i in range(3):
        update(api, ns, "i2", n=str(i))
    delete(api, ns, "i1")
    compact(wserver)
    informer.revision = stale
    informer.run_once(1)
    assert informer.expired == 1 and informer.lists == 2
    informer.run_once(1)
    names = {i["metadata"]["name"]: i for i in api.request("GET", f"/api/v1/namespaces/{ns}/configmaps")[1]["items"]}
    assert set(informer.cache) == set(names)
    assert informer.cache["i2"].data == {"n": "2"}
