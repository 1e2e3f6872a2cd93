"""``manage.py serve``: run the API server (granian, TLS) like kube-apiserver."""
import ipaddress
import os
from pathlib import Path

from django.core.management import CommandError, call_command
from django.core.management.base import BaseCommand

from kubeapi import bootstrap, flags, tlsfront
from kubeapi.conf import conf


class Command(BaseCommand):
    help = "Serve the Kubernetes API over HTTPS."

    def add_arguments(self, parser):
        parser.add_argument("--secure-port", type=int, default=6443)
        parser.add_argument("--bind-address", default="127.0.0.1")
        parser.add_argument("--tls-cert-file", default="")
        parser.add_argument("--tls-private-key-file", default="")
        parser.add_argument("--workers", type=int, default=conf.workers,
                            help="server processes (default 1)")
        # 8: as many requests/s as 16 on the 2-CPU bench machine, 10-30% more
        # creates/s (less contention on the revision counter), and half the
        # database connections (README, Benchmarks).
        parser.add_argument("--threads", type=int, default=conf.threads,
                            help="request threads per process (default 8)")
        parser.add_argument("--kubeconfig", default="", help="where to write the admin kubeconfig "
                            "(default var/admin.kubeconfig)")
        # Enforced by the TLS front (kubeapi.tlsfront), so only with client certificates on.
        parser.add_argument("--max-connections", type=int,
                            default=conf.max_connections,
                            help=f"open connections in all (default {tlsfront.MAX_CONNECTIONS}; 0: no limit)")
        parser.add_argument("--max-connections-per-address", type=int,
                            default=conf.max_connections_per_address,
                            help="open connections per client address "
                                 f"(default {tlsfront.MAX_CONNECTIONS_PER_ADDRESS}; 0: no limit)")
        parser.add_argument("--no-migrate", action="store_true", help="do not apply database migrations at start")
        flags.add_settings_flags(parser)

    def handle(self, *args, **opts):
        from granian import Granian
        from granian.constants import Interfaces, SSLProtocols

        from resources import admission

        problems = admission.check_flags(conf.enable_admission_plugins,
                                         conf.disable_admission_plugins)
        if problems:
            raise CommandError("; ".join(problems))
        _raise_open_files_limit()  # a watch holds a connection: thousands of them
        if not opts["no_migrate"]:
            call_command("migrate", verbosity=0, interactive=False)
        from authz import serviceaccounts
        from resources.registry import tenants

        if not conf.service_account_signing_key_file:
            serviceaccounts.ensure_signing_key(conf.signing_key_file)

        tenants.ensure("default", create=True)
        var_dir = Path(conf.var_dir)
        network = ipaddress.ip_network(conf.service_cluster_ip_range, strict=False)
        if opts["tls_cert_file"] and opts["tls_private_key_file"]:
            cert, key = Path(opts["tls_cert_file"]), Path(opts["tls_private_key_file"])
            ca = var_dir / "ca.crt"
        else:
            cert, key = bootstrap.ensure_serving_cert(var_dir, str(network[1]))
            ca = var_dir / "ca.crt"
        token = bootstrap.ensure_admin_token(var_dir)
        host = opts["bind_address"]
        client_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host
        if ":" in client_host:
            client_host = f"[{client_host}]"
        kubeconfig = Path(opts["kubeconfig"] or var_dir / "admin.kubeconfig")
        # x509 client certificates: granian cannot pass them to the app, so
        # a TLS front owns the secure port (see kubeapi.tlsfront).
        client_ca = conf.client_ca
        admin_cert = admin_key = None
        if client_ca and client_ca == str(var_dir / "ca.crt"):
            bootstrap.ensure_ca(var_dir)
            admin_cert, admin_key = bootstrap.ensure_client_cert(var_dir, "admin", bootstrap.ADMIN_USER,
                                                                 ["system:masters"])
        if ca.exists():
            bootstrap.write_kubeconfig(kubeconfig, f"https://{client_host}:{opts['secure_port']}", ca, token,
                                       client_cert=admin_cert, client_key=admin_key)
            self.stdout.write(f"admin kubeconfig: {kubeconfig}")
        listen = {"address": host, "port": opts["secure_port"], "ssl_cert": cert, "ssl_key": key,
                  "ssl_protocol_min": SSLProtocols.tls12}
        front = None
        if client_ca:
            table = var_dir / "tls-front.table"
            handshake_timeout = conf.tls_handshake_timeout
            front, upstream = tlsfront.start(host, opts["secure_port"], cert, key, client_ca, table,
                                             opts["max_connections"], opts["max_connections_per_address"],
                                             handshake_timeout)
            os.environ["KUBEAPI_TLS_FRONT_TABLE"] = str(table)
            listen = {"address": "127.0.0.1", "port": upstream}
        self.stdout.write(f"serving on https://{client_host}:{opts['secure_port']}")
        self.stdout.flush()
        os.environ["KUBEAPI_THREADS"] = str(opts["threads"])
        conf.reload()
        # One malloc arena per request thread kept each big request's pages
        # mapped in its own arena (kubeapi.memory); read by the workers at start.
        os.environ.setdefault("MALLOC_ARENA_MAX", "2")
        try:
            Granian(
                "kubeapi.asgi:application",
                interface=Interfaces.ASGI,
                workers=opts["workers"],
                log_enabled=True,
                log_access=conf.access_log,
                respawn_failed_workers=True,
                # granian stops accepting connections past ``backpressure``
                # requests in flight per worker (default 1024); watches are
                # long-running requests that kube-apiserver does not count
                # against its in-flight limits, so leave room for thousands.
                backlog=4096,
                backpressure=conf.max_connections_per_worker,
                **listen,
            ).serve()
        finally:
            if front is not None:
                tlsfront.stop(front)


def _raise_open_files_limit():
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard if hard != resource.RLIM_INFINITY else 1 << 20, hard))
        except (ValueError, OSError):
            pass
