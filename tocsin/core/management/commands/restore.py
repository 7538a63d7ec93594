"""Restore an archive `tocsin backup` wrote into the configured database and media."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tocsin.core.backup import RestoreRefused, restore_backup


class Command(BaseCommand):
    help = (
        "Restore a backup of `tocsin backup` into DATABASE_URL's database and the media, "
        "refusing a database that holds Tocsin's data (unless --force) and a backup the "
        "configured keys do not open. Stop serve and worker first."
    )
    # The database may hold anything before a restore, or data of other keys: the restore
    # runs its own key check on what it brings back.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path, help="The tocsin-backup-….tar.gz to restore.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace what the database holds (Tocsin's tables) with the backup.",
        )

    def handle(self, *args, archive: Path, force: bool, **options):
        try:
            restored = restore_backup(archive, force=force)
        except RestoreRefused as refused:
            raise CommandError(str(refused)) from None
        self.stdout.write(
            f"Restored the {restored.database} database of {archive.name} (made "
            f"{restored.created_at}) and {restored.media_files} media file(s). The configured "
            "keys open its data and find its people."
        )
        if restored.pending_migrations:
            self.stdout.write(
                self.style.WARNING(
                    f"The database needs {restored.pending_migrations} migration(s) this "
                    "version of Tocsin adds: run `tocsin migrate` before starting."
                )
            )
        self.stdout.write("Start `tocsin serve` and `tocsin worker` again.")
