"""Print new secrets for a Tocsin environment: a Django secret, a Fernet key, a blind-index key."""

import secrets

from cryptography.fernet import Fernet
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Print a new TOCSIN_SECRET_KEY, encryption key and blind-index key."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--encryption-key",
            action="store_true",
            help="Print only a new encryption key (to rotate: put it first in the list).",
        )

    def handle(self, *args, encryption_key, **options):
        fernet_key = Fernet.generate_key().decode()
        if encryption_key:
            self.stdout.write(fernet_key)
            return
        self.stdout.write(
            "# New secrets for Tocsin. Keep them out of version control and back them up:\n"
            "# data encrypted under a lost key, or indexed under a lost blind-index key,\n"
            "# cannot be read or found again.\n"
            f"TOCSIN_SECRET_KEY={secrets.token_urlsafe(50)}\n"
            "# A list, newest first. To rotate, put a new key (`tocsin generate-key\n"
            "# --encryption-key`) before the old ones, restart, run `tocsin rotate-keys`.\n"
            f"TOCSIN_ENCRYPTION_KEYS={fernet_key}\n"
            "# Never changes once people are stored: their look-ups depend on it.\n"
            f"TOCSIN_BLIND_INDEX_KEY={secrets.token_urlsafe(32)}"
        )
