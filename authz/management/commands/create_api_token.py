"""``manage.py create_api_token <username>``: a bearer token for a Django
user (printed once). The user authenticates as its username, in its Django
groups; superusers are in system:masters."""
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from authz import tokens_api


class Command(BaseCommand):
    help = "Create an API bearer token for a Django user."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--description", default="")
        parser.add_argument("--expires-in", default="", help="e.g. 720h; default: never")
        parser.add_argument("--create-user", action="store_true", help="create the user when it does not exist")
        parser.add_argument("--group", action="append", default=[], help="add the user to this Django group")

    def handle(self, *args, **opts):
        from django.contrib.auth.models import Group

        from kubeapi.conf import seconds

        User = get_user_model()
        user = User.objects.filter(username=opts["username"]).first()
        if user is None:
            if not opts["create_user"]:
                raise CommandError(f"no user {opts['username']!r} (use --create-user)")
            user = User.objects.create_user(opts["username"])
        for name in opts["group"]:
            user.groups.add(Group.objects.get_or_create(name=name)[0])
        expires = None
        if opts["expires_in"]:
            try:
                expires = timezone.now() + timedelta(seconds=seconds(opts["expires_in"]))
            except ValueError as exc:
                raise CommandError(str(exc)) from None
        token, _ = tokens_api.create(user, opts["description"], expires)
        self.stdout.write(token)
