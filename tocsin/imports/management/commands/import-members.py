"""`tocsin import-members FILE --org SLUG [--dry-run]`: import the union's list of members.

Every row is checked first; with any bad row nothing is written, the rows are listed on
standard error and the command exits with status 1.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tocsin.accounts.models import Organization
from tocsin.imports.services import CsvFileError, import_members, too_large_message


class Command(BaseCommand):
    help = (
        "Import members from a CSV file with the columns "
        "name, email, phone, signal, language, site, unit, roles."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the CSV file (UTF-8), header row first")
        parser.add_argument("--org", required=True, help="the organization's short name (slug)")
        parser.add_argument(
            "--dry-run", action="store_true", help="check the file and count, write nothing"
        )

    def handle(self, *args, file: str, org: str, dry_run: bool, **options):
        organization = Organization.objects.filter(slug=org).first()
        if organization is None:
            raise CommandError(f"No organization has the short name {org!r}.")
        path = Path(file)
        try:
            if path.stat().st_size > settings.TOCSIN_MAX_CSV_BYTES:
                raise CommandError(too_large_message())
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from None
        try:
            report = import_members(organization, data, actor=None, dry_run=dry_run)
        except CsvFileError as error:
            raise CommandError(" ".join(error.messages)) from None
        if report.errors:
            for row_error in report.errors:
                self.stderr.write(f"row {row_error.row}, {row_error.column}: {row_error.reason}")
            bad_rows = len({row_error.row for row_error in report.errors})
            raise CommandError(
                f"{bad_rows} bad row(s) in {len(report.rows)}; nothing was imported."
            )
        for note in report.kept:
            self.stdout.write(f"row {note.row}, {note.column}: {note.reason}")
        if dry_run:
            self.stdout.write(f"Dry run, nothing written: {report.summary()}.")
        else:
            self.stdout.write(self.style.SUCCESS(f"Imported: {report.summary()}."))
