"""Re-encrypt every encrypted field under the newest key of TOCSIN_ENCRYPTION_KEYS.

Rotation: put a new key first in TOCSIN_ENCRYPTION_KEYS (keeping the old ones after it),
restart every `tocsin serve` and `tocsin worker`, run `tocsin rotate-keys`, then remove the
old keys. It runs while Tocsin serves: it works in small transactions and never writes over
a change made meanwhile (tocsin/core/keys.py).
"""

from django.core.management.base import BaseCommand, CommandError

from tocsin.core.keys import Rotated, RotationStopped, rotate_stored_data


class Command(BaseCommand):
    help = "Re-encrypt all data at rest under the newest encryption key, while Tocsin runs."

    def handle(self, *args, **options):
        self.total = 0
        try:
            rotate_stored_data(self.report)
        except RotationStopped as stopped:
            raise CommandError(str(stopped)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"{self.total} rows re-encrypted; every stored value is now under the newest "
                "key. The old keys can leave TOCSIN_ENCRYPTION_KEYS: keep them with the "
                "backups made before today."
            )
        )

    def report(self, number: int, rotated: Rotated) -> None:
        self.total += rotated.rows
        if number > 1 and not (rotated.rows or rotated.left):
            return
        line = f"{rotated.label}: {rotated.rows} rows re-encrypted"
        if number > 1:
            line += " (written under an old key while the rotation ran)"
        if rotated.reread:
            line += f"; {rotated.reread} changed meanwhile and were read again"
        if rotated.left:
            line += f"; {rotated.left} kept changing, left for the next pass"
        self.stdout.write(line)
