"""Write the database and the uploaded media into one archive; the keys never go in it."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tocsin.core.backup import KEYS_NOTE, BackupRefused, make_backup


class Command(BaseCommand):
    help = (
        "Back up the database and the uploaded media into one archive in --out. Keys are "
        "never in it; --keys FILE writes them to a file of their own, to keep elsewhere."
    )
    # A copy is taken even when the configured keys do not open the data (a lost key being
    # looked for): it needs none, and the data is worth keeping meanwhile.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--out", required=True, type=Path, help="Folder to write the archive into."
        )
        parser.add_argument(
            "--keys",
            type=Path,
            default=None,
            help="Also write the keys to this new file, outside --out and the data directory.",
        )

    def handle(self, *args, out: Path, keys: Path | None, **options):
        try:
            backup = make_backup(out, keys)
        except BackupRefused as refused:
            raise CommandError(str(refused)) from None
        self.stdout.write(
            f"Wrote {backup.archive} ({backup.archive.stat().st_size} bytes): the "
            f"{backup.database} database and {backup.media_files} media file(s)."
        )
        for name in backup.left_out:
            self.stderr.write(
                self.style.WARNING(f"Left out {name}: it holds a key. Move it out of the media.")
            )
        self.stdout.write(KEYS_NOTE)
        if backup.keys_file is not None:
            self.stderr.write(
                self.style.WARNING(
                    f"Wrote the keys to {backup.keys_file} (readable by you only). Store it "
                    "somewhere other than the backups, such as a password manager or an "
                    "encrypted drive kept elsewhere: whoever holds both reads everything."
                )
            )
