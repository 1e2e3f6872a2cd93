"""Never a 500 on bad input: every field of every kind's valid object set to
null, a list holding null, and a value of the wrong type, sent as a create
and as a strategic merge patch. Each must be answered with a Status below
500 (stored or refused: either is upstream's call, a crash never is), and
what was stored must not make later creates in the namespace crash."""
import copy

import pytest

from tests.kinds import KINDS, install_custom_resource_definitions
from tests.harness.client import API, unique

WRONG = (None, [None], "s", 7)


@pytest.fixture(scope="module")
def api(server):
    return API(server)


@pytest.fixture(scope="module", autouse=True)
def custom_resources(api):
    """The CRDs whose custom resources are in KINDS."""
    install_custom_resource_definitions(api)


@pytest.fixture(scope="module")
def ns(api):
    return api.create_namespace(unique("bad"))


def paths(value, prefix=()):
    if isinstance(value, dict):
        for key, item in value.items():
            yield prefix + (key,)
            yield from paths(item, prefix + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield prefix + (index,)
            yield from paths(item, prefix + (index,))


def replaced(obj, path, value):
    out = copy.deepcopy(obj)
    target = out
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return out


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.id)
def test_no_field_value_makes_a_500(api, ns, kind):
    seed = kind.valid(kind.name(unique("seed")), ns)
    code, body = api.post(kind.base(ns), seed)
    assert code == 201, body
    crashes = []
    for path in paths(seed):
        if path in (("apiVersion",), ("kind",), ("metadata",), ("metadata", "name"), ("metadata", "namespace")):
            continue
        for value in WRONG:
            obj = replaced(seed, path, value)
            obj["metadata"]["name"] = kind.name(unique("bad"))
            code, body = api.post(kind.base(ns), obj)
            if code >= 500:
                crashes.append(("create", path, value, body))
            obj["metadata"]["name"] = seed["metadata"]["name"]
            code, body = api.call("PATCH", f"{kind.base(ns)}/{seed['metadata']['name']}", obj,
                                  ctype="application/strategic-merge-patch+json")
            if code >= 500:
                crashes.append(("strategic merge patch", path, value, body))
    # What was stored must not break later writes in the namespace either
    # (admission reads LimitRanges and ResourceQuotas stored here).
    for canary in (k for k in KINDS if k.plural in ("pods", "persistentvolumeclaims", "configmaps")):
        code, body = api.post(canary.base(ns), canary.valid(unique("canary"), ns))
        if code >= 500:
            crashes.append(("a later create", canary.plural, None, body))
    assert not crashes, crashes[:5]
