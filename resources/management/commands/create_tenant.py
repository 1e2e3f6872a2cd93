"""``manage.py create_tenant <name>...``: create tenants (logical clusters).

Requests never create tenants (``resources.registry.tenants``); an operator does,
with the server's ``--database-url``. Creating one that exists is a no-op,
so the command can run on every deploy."""
from django.core.management.base import BaseCommand, CommandError

from kubeapi import requestinfo
from resources.machinery import errors
from resources.registry import tenants


class Command(BaseCommand):
    help = "Create tenants (logical clusters served at /clusters/<name>/)."

    def add_arguments(self, parser):
        parser.add_argument("names", nargs="+", metavar="name", help="a DNS-1123 label")

    def handle(self, *args, **opts):
        for name in opts["names"]:
            try:
                requestinfo.split_tenant(f"/clusters/{name}/")
            except errors.APIError:
                raise CommandError(f"invalid tenant name {name!r}: a lowercase RFC 1123 label must consist of "
                                   "lower case alphanumeric characters or '-', start and end with an alphanumeric "
                                   "character, and be at most 63 characters") from None
            tenants.ensure(name, create=True)
            self.stdout.write(f"tenant/{name} ready")
