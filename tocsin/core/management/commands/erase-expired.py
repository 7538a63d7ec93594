"""Erase what every app's retention rules say is past its organization's retention periods,
now: reporter details of reports, the sensitive details of hotline cases (core/retention.py).

The worker does this every hour (each app's own job in its tasks.py); run `tocsin
erase-expired` to do it at once, after lowering an organization's retention or before taking
a backup.
"""

from django.core.management.base import BaseCommand

from tocsin.core.retention import erasers


class Command(BaseCommand):
    help = "Erase now what every app's retention rules say is past its retention period."

    def handle(self, *args, **options):
        for eraser in erasers():
            self.stdout.write(self.style.SUCCESS(eraser.said(eraser.erase())))
