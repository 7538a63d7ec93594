"""Print new secrets for a Tocsin environment: a Django secret, a Fernet key, a blind-index key.

`tocsin generate-key` is answered in tocsin/__main__.py before settings load, so that it
works where production settings are not there yet; this command serves call_command.
"""

from django.core.management.base import BaseCommand

from tocsin.core.keys import new_encryption_key, new_secrets_text, new_vapid_text


class Command(BaseCommand):
    help = "Print a new TOCSIN_SECRET_KEY, encryption key and blind-index key."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--encryption-key",
            action="store_true",
            help="Print only a new encryption key (to rotate: put it first in the list).",
        )
        parser.add_argument(
            "--vapid", action="store_true", help="Print only a new Web Push (VAPID) key pair."
        )

    def handle(self, *args, encryption_key, vapid, **options):
        if vapid:
            self.stdout.write(new_vapid_text())
        else:
            self.stdout.write(new_encryption_key() if encryption_key else new_secrets_text())
