"""Large server-side applies: the YAML body is decoded at a bounded cost per
key, a deeply nested body is a 400 (not a crash of the process), and an apply
that outlives its ``?timeout=`` answers 504 without writing."""
import json
import sys
import uuid

from resources.machinery import codecs

APPLY = "application/apply-patch+yaml"
CMS = "/api/v1/namespaces/default/configmaps"


def big_configmap(name, keys, value="v"):
    return json.dumps({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name},
                       "data": {f"key-{i}": value for i in range(keys)}}).encode()


def python_calls(fn, *args):
    """Python function calls made by fn(*args): work counted, not timed."""
    calls = [0]

    def profile(frame, event, arg):
        if event == "call":
            calls[0] += 1

    sys.setprofile(profile)
    try:
        fn(*args)
    finally:
        sys.setprofile(None)
    return calls[0]


def test_yaml_bodies_are_decoded_at_a_bounded_cost_per_key():
    # PyYAML's Python scanner and parser made ~240 calls a key (a 60,000-key
    # apply spent ~10 s decoding its body, twice); libyaml's parser under the
    # Python composer makes ~28.
    keys = 5000
    as_json = big_configmap("c", keys)
    as_yaml = b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n" + b"".join(
        b"  key-%d: v\n" % i for i in range(keys))
    for body in (as_json, as_yaml):
        assert python_calls(codecs.load_yaml, body) / keys < 80
    # The repeated-key check rides along in the same pass.
    duplicates = []
    assert codecs.load_yaml(b"a: 1\nb: {x: 1, x: 2}\na: 3\n", duplicates) == {"a": 3, "b": {"x": 2}}
    assert sorted(duplicates) == [(2, "x"), (3, "a")]


def test_a_deeply_nested_yaml_body_is_a_400(server):
    # libyaml's own composer recurses in C and would crash the process here.
    deep = b"[" * 100_000 + b"]" * 100_000
    status, _, data = server.request("PATCH", f"{CMS}/deep?fieldManager=t", deep, {"Content-Type": APPLY})
    assert status == 400 and "exceeded max depth" in json.loads(data)["message"], data
    status, _, data = server.request("POST", CMS, b"data: " + deep, {"Content-Type": "application/yaml"})
    assert status == 400 and "exceeded max depth" in json.loads(data)["message"], data
    assert server.request("GET", "/readyz")[0] == 200


def test_an_apply_past_its_timeout_answers_504_and_writes_nothing(server):
    name = "big-" + uuid.uuid4().hex[:8]
    body = big_configmap(name, 60_000)
    status, _, data = server.request("PATCH", f"{CMS}/{name}?fieldManager=t&timeout=200ms", body,
                                     {"Content-Type": APPLY})
    status_obj = json.loads(data)
    assert (status, status_obj["reason"], status_obj["message"]) == (
        504, "Timeout", "request did not complete within requested timeout - context deadline exceeded")
    assert server.request("GET", f"{CMS}/{name}")[0] == 404
    # Within its time the same apply goes through.
    status, _, data = server.request("PATCH", f"{CMS}/{name}?fieldManager=t", body, {"Content-Type": APPLY})
    assert status == 201, data[:300]
    assert server.request("DELETE", f"{CMS}/{name}")[0] == 200
