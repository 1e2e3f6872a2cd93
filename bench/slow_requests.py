#!/usr/bin/env python3
"""Slow-request benchmark: what one large request costs, and what it costs the
others. Cases: YAML, Table and JSON LIST of 4,000 ConfigMaps (ms per request,
one client), server-side apply of ConfigMaps with 1,000, 10,000 and 60,000
keys (ms: create, re-apply with every value changed, a second manager), and the
p50/p99 of a GET by name while 8 clients run YAML LISTs of 4,000. The
ceilings N (and P when apply runs) of bench/ceilings.py are measured before and
after, in the same run; each time is also given as a multiple of N's time per empty
request (1/N; of P's per bare write for apply).

It starts its own server on a fresh PostgreSQL database, as bench/load.py
does (whose helpers it reuses).

    .venv/bin/python bench/slow_requests.py
    .venv/bin/python bench/slow_requests.py --only yaml,table --repeat 5
"""
import argparse
import json
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import load  # noqa: E402  (bench/load.py)
from ceilings import Ceilings  # noqa: E402

NAMESPACE = "bench-4k"
LIST_SIZE = 4000
APPLY_KEYS = (1000, 10000, 60000)
LISTERS = 8
ACCEPT = {
    "yaml": "application/yaml",
    "table": "application/json;as=Table;v=v1;g=meta.k8s.io",
    "json": "application/json",
}
CASES = ("yaml", "table", "json", "apply", "get-under-yaml")


def request(conn, target, method, path, body=None, headers=()):
    h = {"Authorization": f"Bearer {target.token}", **dict(headers)}
    conn.request(method, target.prefix + path, body=body, headers=h)
    resp = conn.getresponse()
    data = resp.read()
    if resp.status >= 300:
        raise RuntimeError(f"{method} {path}: {resp.status} {data[:300]!r}")
    return data


def timed_list(target, form, repeat):
    """Milliseconds per LIST of the 4,000 (one client, one connection), and the body size."""
    conn, times = target.connection(), []
    for _ in range(repeat):
        started = time.perf_counter()
        body = request(conn, target, "GET", f"/api/v1/namespaces/{NAMESPACE}/configmaps",
                       headers={"Accept": ACCEPT[form]})
        times.append(1000 * (time.perf_counter() - started))
    conn.close()
    return {"ms_best": min(times), "ms_median": statistics.median(times), "bytes": len(body)}


def timed_apply(target):
    """Milliseconds for server-side apply of ConfigMaps of APPLY_KEYS sizes: the
    create, a re-apply that changes every value, and a second manager applying
    half the keys (each works out managedFields over all keys)."""
    load.ensure_namespace(target, "bench-apply")
    conn = target.connection()
    conn.timeout = 600
    out = {}
    for keys in APPLY_KEYS:
        name = f"big-{keys}"
        steps = (("first", "bench", "v", keys), ("reapply", "bench", "w", keys), ("second", "other", "x", keys // 2))
        for step, manager, value, count in steps:
            body = json.dumps({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name},
                               "data": {f"key-{i}": value for i in range(count)}})
            started = time.perf_counter()
            request(conn, target, "PATCH", f"/api/v1/namespaces/bench-apply/configmaps/{name}"
                    f"?fieldManager={manager}&force=true", body,
                    {"Content-Type": "application/apply-patch+yaml", "Accept": "application/json"})
            out[f"{keys // 1000}k_{step}_ms"] = 1000 * (time.perf_counter() - started)
    conn.close()
    return out


def get_under_yaml(target, seconds):
    """GET-by-name latencies while LISTERS clients loop on YAML LISTs of the 4,000."""
    stop = threading.Event()
    lists = []

    def lister():
        conn = target.connection()
        conn.timeout = 600
        while not stop.is_set():
            started = time.perf_counter()
            request(conn, target, "GET", f"/api/v1/namespaces/{NAMESPACE}/configmaps",
                    headers={"Accept": ACCEPT["yaml"]})
            lists.append(time.perf_counter() - started)
        conn.close()

    pool = [threading.Thread(target=lister) for _ in range(LISTERS)]
    for t in pool:
        t.start()
    time.sleep(1)  # let the listers occupy the request threads
    conn, latencies, i = target.connection(), [], 0
    conn.timeout = 600
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        started = time.perf_counter()
        request(conn, target, "GET", f"/api/v1/namespaces/{NAMESPACE}/configmaps/cm-{i % LIST_SIZE}",
                headers={"Accept": "application/json"})
        latencies.append(1000 * (time.perf_counter() - started))
        i += 7
    conn.close()
    stop.set()
    for t in pool:
        t.join()
    latencies.sort()
    return {"gets": len(latencies), "p50_ms": latencies[len(latencies) // 2],
            "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
            "yaml_lists": len(lists), "yaml_list_median_s": statistics.median(lists) if lists else None}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default=",".join(CASES), help="comma-separated cases: " + ", ".join(CASES))
    parser.add_argument("--repeat", type=int, default=5, help="LISTs per form (default 5)")
    parser.add_argument("--seconds", type=int, default=20, help="length of the GET-under-load case (default 20)")
    parser.add_argument("--threads", type=int, default=8, help="request threads of the server (default 8)")
    parser.add_argument("--json", help="also write the results here")
    opts = parser.parse_args(argv)
    cases = [c.strip() for c in opts.only.split(",") if c.strip()]
    if set(cases) - set(CASES):
        parser.error(f"unknown case(s): {', '.join(sorted(set(cases) - set(CASES)))}")

    info = load.machine()
    print(f"# {info['nproc']} CPUs ({info['cpu']}), {info['memory_gib']} GiB, Python {info['python']}; "
          f"1 worker, {opts.threads} threads; load average {load.load_average()}", flush=True)
    ceilings = Ceilings(1, opts.threads, writes="apply" in cases)
    target, _ = load.start_target(1, opts.threads)
    results = {}
    try:
        if {"yaml", "table", "json", "get-under-yaml"} & set(cases):
            took = load.seed(target, NAMESPACE, LIST_SIZE)
            print(f"# seeded {NAMESPACE} with {LIST_SIZE} ConfigMaps in {took:.1f}s", flush=True)
        for case in cases:
            if case in ACCEPT:
                results[case] = timed_list(target, case, opts.repeat)
            elif case == "apply":
                results[case] = timed_apply(target)
            else:
                results[case] = get_under_yaml(target, opts.seconds)
            print(f"{case:<15} " + "  ".join(f"{k}={v:.1f}" if isinstance(v, float) else f"{k}={v}"
                                             for k, v in results[case].items()), flush=True)
    finally:
        target.stop()
    print(ceilings.measure().line())
    for case, values in results.items():  # each time beside the ceilings' mean
        print(f"{case:<15} " + "  ".join(f"{k}={ceilings.time(v, write=case == 'apply')}"
                                         for k, v in values.items() if "ms" in k.split("_")), flush=True)
    if opts.json:
        Path(opts.json).write_text(json.dumps({"machine": info, "threads": opts.threads, "N": ceilings.n, "P": ceilings.p,
                                               "results": results},
                                               indent=2) + "\n")


if __name__ == "__main__":
    main()
