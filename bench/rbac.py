#!/usr/bin/env python3
"""What RBAC costs: GET a ConfigMap by name (16 clients, random names among
1,000) as a user authorized through two RoleBindings, versus as a member of
system:masters (which bypasses RBAC). Both send a bearer token over the
same connection stack; runs alternate so drift hits both alike.

Starts its own server on a fresh PostgreSQL database (like bench/load.py)
twice: once with the per-process decision cache (the default) and once
with ``KUBEAPI_RBAC_DECISION_CACHE=0``, where every request asks guardian.
Reports median throughput and the CPU each request costs (server, TLS front
and PostgreSQL backends): on a shared machine throughput swings with the
neighbours' load, CPU per request much less.

    .venv/bin/python bench/rbac.py
    .venv/bin/python bench/rbac.py --duration 10 --repeat 5 --server-args="--client-ca-file="
"""
import argparse
import dataclasses
import os
import statistics
import sys
import tempfile
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import load  # noqa: E402  (bench/load.py: server, seeding, wrk)

NAMESPACE = "bench-rbac"
COUNT = 1000
G = "rbac.authorization.k8s.io"


def grant(target, user):
    """Two RoleBindings in the namespace: view for the user's group, and a
    Role that reads ConfigMaps for the user itself."""
    conn = target.connection()
    objects = [
        (f"/apis/{G}/v1/namespaces/{NAMESPACE}/roles", {
            "apiVersion": f"{G}/v1", "kind": "Role", "metadata": {"name": "cm-reader"},
            "rules": [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "list"]}]}),
        (f"/apis/{G}/v1/namespaces/{NAMESPACE}/rolebindings", {
            "apiVersion": f"{G}/v1", "kind": "RoleBinding", "metadata": {"name": "readers-view"},
            "roleRef": {"apiGroup": G, "kind": "ClusterRole", "name": "view"},
            "subjects": [{"kind": "Group", "apiGroup": G, "name": "bench-readers"}]}),
        (f"/apis/{G}/v1/namespaces/{NAMESPACE}/rolebindings", {
            "apiVersion": f"{G}/v1", "kind": "RoleBinding", "metadata": {"name": "user-cm-reader"},
            "roleRef": {"apiGroup": G, "kind": "Role", "name": "cm-reader"},
            "subjects": [{"kind": "User", "apiGroup": G, "name": user}]}),
    ]
    for path, body in objects:
        status, raw = load.api(conn, target, "POST", path, body)
        if status not in (201, 409):
            raise SystemExit(f"creating {path}: {status} {raw[:300]!r}")
    conn.close()


def measure(cache, opts):
    tmp = Path(tempfile.mkdtemp(prefix="kubeapi-bench-rbac-"))
    token = "bench-" + uuid.uuid4().hex
    tokens = tmp / "tokens.csv"
    tokens.write_text(f'{token},bench-user,bench-uid,"bench-readers"\n')
    os.environ["KUBEAPI_RBAC_DECISION_CACHE"] = "1" if cache else "0"
    args = ["--token-auth-file", str(tokens), *opts.server_args.split()]
    admin, _ = load.start_target(opts.workers, opts.threads, args)
    try:
        load.seed(admin, NAMESPACE, COUNT)
        grant(admin, "bench-user")
        user = dataclasses.replace(admin, token=token)  # same server: its CPU is measured too
        collection = f"{admin.prefix}/api/v1/namespaces/{NAMESPACE}/configmaps"
        script_args = (collection, "cm-", str(COUNT))
        for target in (admin, user):  # warm up both (and check the user is allowed)
            run = load.wrk(target, "get", 16, opts.warmup, "/", script_args)
            if run.errors:
                raise SystemExit(f"warm-up saw {run.errors} errors; is the user authorized?")
        runs = {"masters": [], "rbac": []}
        for _ in range(opts.repeat):
            for label, target in (("masters", admin), ("rbac", user)):
                runs[label].append(load.wrk(target, "get", 16, opts.duration, "/", script_args))
        return runs
    finally:
        admin.stop()
        os.environ.pop("KUBEAPI_RBAC_DECISION_CACHE", None)


def report(label, runs):
    """Throughput (median req/s) and CPU per request (server processes,
    TLS front included, plus their PostgreSQL backends; the minimum of the
    runs, the least disturbed by the machine's other work)."""
    def rps(side):
        return statistics.median(r.rps for r in runs[side])

    def cpu(side):
        values = [r.cpu_us + r.db_cpu_us for r in runs[side] if r.cpu_us is not None]
        return min(values) if values else None

    throughput_cost = 100 * (1 - rps("rbac") / rps("masters"))
    m_cpu, r_cpu = cpu("masters"), cpu("rbac")
    cpu_text = "-"
    if m_cpu and r_cpu:
        cpu_text = f"{m_cpu:>5.0f} {r_cpu:>5.0f} µs {100 * (1 - m_cpu / r_cpu):+6.1f}%"
    other = statistics.median(r.other_cpu or 0 for r in runs["masters"] + runs["rbac"])
    print(f"{label:<27} {rps('masters'):>8.0f} {rps('rbac'):>8.0f} {throughput_cost:>+7.1f}%   {cpu_text}"
          f"   other {other:.0f}%  errors {sum(r.errors for r in runs['masters'] + runs['rbac'])}", flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--server-args", default="", help="extra `manage.py serve` flags")
    parser.add_argument("--no-uncached", action="store_true", help="skip the run without the decision cache")
    opts = parser.parse_args(argv)
    load.wrk_binary()
    info = load.machine()
    print(f"# {info['nproc']} CPUs ({info['cpu']}), Python {info['python']}; GET by name, 16 clients, "
          f"{opts.repeat}×{opts.duration}s per side, medians")
    print(f"{'':<27} {'req/s masters':>13} {'rbac':>5} {'cost':>8}   {'CPU/request masters rbac  cost':>29}")
    report("decision cache (default)", measure(True, opts))
    if not opts.no_uncached:
        report("guardian on every request", measure(False, opts))


if __name__ == "__main__":
    main()
