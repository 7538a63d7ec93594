"""Re-encrypt every encrypted field under the newest key of TOCSIN_ENCRYPTION_KEYS.

Rotation: put a new key first in TOCSIN_ENCRYPTION_KEYS (keeping the old ones after it),
restart, run `tocsin rotate-keys`, then remove the old keys.
"""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from tocsin.core.crypto import EncryptedTextField


class Command(BaseCommand):
    help = "Re-encrypt all data at rest under the newest encryption key."

    def handle(self, *args, **options):
        total = 0
        for model in apps.get_models():
            names = [
                f.attname for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)
            ]
            if not names:
                continue
            count = 0
            with transaction.atomic():
                # Reading decrypts with whichever key matches; writing encrypts with the newest.
                for row in model._base_manager.only("pk", *names).iterator(chunk_size=500):
                    model._base_manager.filter(pk=row.pk).update(
                        **{name: getattr(row, name) for name in names}
                    )
                    count += 1
            total += count
            self.stdout.write(f"{model._meta.label}: {count} rows re-encrypted")
        self.stdout.write(self.style.SUCCESS(f"{total} rows now under the newest key."))
