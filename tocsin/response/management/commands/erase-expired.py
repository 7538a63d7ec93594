"""Erase reporter details and hotline cases past their organization's retention periods, now.

The worker does this every hour (tocsin/response/tasks.py, tocsin/hotline/tasks.py); run `tocsin erase-expired` to
do it at once, after lowering an organization's retention or before taking a backup.
"""

from django.core.management.base import BaseCommand

from tocsin.hotline.services.retention import erase_expired_cases
from tocsin.response.services.retention import erase_expired_senders


class Command(BaseCommand):
    help = (
        "Erase reporter contacts and raw messages of reports, and the sensitive details of"
        " hotline cases, past their retention periods."
    )

    def handle(self, *args, **options):
        erased = erase_expired_senders()
        noun = "report" if erased == 1 else "reports"
        self.stdout.write(self.style.SUCCESS(f"Sender details erased from {erased} {noun}."))
        cases = erase_expired_cases()
        noun = "case" if cases == 1 else "cases"
        self.stdout.write(self.style.SUCCESS(f"Sensitive details erased from {cases} {noun}."))
