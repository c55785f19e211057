from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from kiemdiem.core.models import ApiToken


class Command(BaseCommand):
    help = "Issue an API bearer token for a user (the key is shown once; only its hash is stored)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="a label for the token")

    def handle(self, *args, username, name, **options):
        try:
            user = get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"Không có người dùng “{username}”.")
        _token, key = ApiToken.issue(user, name=name)
        self.stdout.write(key)
