#!/usr/bin/env python3
"""Compare serving stacks and their process/thread counts on the same
scenarios as bench/load.py (default: GET /livez, GET by name, create with
16 clients).

A variant is ``stack:wN:tM`` (N processes, M request threads each):

  serve        ``manage.py serve``: granian ASGI + kubeapi.wsgibridge (the default)
  a2wsgi       granian ASGI + a2wsgi's WSGIMiddleware (the previous default)
  wsgi         granian WSGI, M blocking threads (no async watch possible)

Every variant gets its own server on a fresh PostgreSQL database; the
non-``serve`` stacks are granian processes started beside it on the same
database, certificates and tokens. (Django's own ASGI handler is left out:
it opens a database connection per request and never closes it, which
exhausted PostgreSQL's max_connections under this load.)

    .venv/bin/python bench/stack.py
    .venv/bin/python bench/stack.py --variants serve:w1:t4,serve:w1:t8,serve:w2:t8 --only get,create-16
"""
import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import load  # noqa: E402
sys.path.insert(0, str(load.ROOT))
from tests.conftest import _free_port  # noqa: E402

STACKS = {
    "serve": None,
    "a2wsgi": ("asgi", "bench.stacks:a2wsgi_application"),
    "wsgi": ("wsgi", "kubeapi.wsgi:application"),
    # The default stack started by granian's CLI with other event loops / task implementations.
    "asgi-asyncio": ("asgi", "kubeapi.asgi:application", "--loop", "asyncio"),
    "asgi-uvloop": ("asgi", "kubeapi.asgi:application", "--loop", "uvloop"),
    "asgi-rusttask": ("asgi", "kubeapi.asgi:application", "--loop", "asyncio", "--task-impl", "rust"),
}
DEFAULT_VARIANTS = "serve:w1:t8,a2wsgi:w1:t8,wsgi:w1:t8"


def parse_variant(text):
    stack, workers, threads = text.split(":")
    if stack not in STACKS or not workers.startswith("w") or not threads.startswith("t"):
        raise SystemExit(f"bad variant {text!r}: want stack:wN:tM with stack in {', '.join(STACKS)}")
    return stack, int(workers[1:]), int(threads[1:])


def start_granian(server, interface, app, *extra, workers, threads):
    """A granian process on ``server``'s database and certificates."""
    port = _free_port()
    env = dict(os.environ, KUBEAPI_VAR_DIR=str(server.var_dir), KUBEAPI_DATABASE_URL=server.database_url,
               KUBEAPI_THREADS=str(threads), KUBEAPI_EMBEDDED_LOOPS="0")
    cmd = [str(Path(sys.executable).parent / "granian"), "--interface", interface, "--workers", str(workers),
           "--host", "127.0.0.1", "--port", str(port), "--no-access-log", "--log-level", "warning",
           "--ssl-certificate", str(server.var_dir / "apiserver.crt"),
           "--ssl-keyfile", str(server.var_dir / "apiserver.key"), *extra, app]
    if interface == "wsgi":
        cmd[1:1] = ["--blocking-threads", str(threads)]
    target = load.Target(f"https://127.0.0.1:{port}", server.token, str(server.ca), database_url=server.database_url)
    target.log = server.var_dir / f"granian-{port}.log"
    return load.start_granian(target, cmd, load.ROOT, env, target.log)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--variants", default=DEFAULT_VARIANTS, help=f"comma-separated (default {DEFAULT_VARIANTS})")
    parser.add_argument("--only", default="livez,get,create-16", help="scenarios of bench/load.py")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--server-args", default="", help="extra `manage.py serve` flags, space-separated")
    opts = parser.parse_args(argv)
    variants = [parse_variant(v.strip()) for v in opts.variants.split(",") if v.strip()]
    scenarios = [s.strip() for s in opts.only.split(",") if s.strip()]
    load.wrk_binary()
    info = load.machine()
    print(f"# {info['nproc']} CPUs ({info['cpu']}), {info['memory_gib']} GiB, Python {info['python']}; "
          f"{opts.repeat}×{opts.duration}s per scenario", flush=True)
    print(f"{'variant':<20} " + load.HEADER)
    for stack, workers, threads in variants:
        name = f"{stack}:w{workers}:t{threads}"
        if STACKS[stack] is None:
            base, _ = load.start_target(workers, threads, opts.server_args.split())
            target = base
        else:
            base, server = load.start_target(1, None, opts.server_args.split())
            target = start_granian(server, *STACKS[stack], workers=workers, threads=threads)
        try:
            load.prepare(target, scenarios, quiet=True)
            for scenario in scenarios:
                result = load.run_scenario(target, scenario, opts.duration, opts.repeat, opts.warmup)
                print(f"{name:<20} " + result.row(), flush=True)
        except SystemExit as exc:
            print(f"{name:<20} failed: {exc}", flush=True)
            if target is not base:
                print(target.log.read_text()[-3000:])
        finally:
            if target is not base:
                target.stop()
            base.stop()


if __name__ == "__main__":
    main()
