"""Erase reporter details past their organization's retention period, now.

The worker does this every hour (tocsin/response/tasks.py); run `tocsin erase-expired` to
do it at once, after lowering an organization's retention or before taking a backup.
"""

from django.core.management.base import BaseCommand

from tocsin.response.services.retention import erase_expired_senders


class Command(BaseCommand):
    help = "Erase reporter contacts and raw messages of reports past their retention period."

    def handle(self, *args, **options):
        erased = erase_expired_senders()
        noun = "report" if erased == 1 else "reports"
        self.stdout.write(self.style.SUCCESS(f"Sender details erased from {erased} {noun}."))
