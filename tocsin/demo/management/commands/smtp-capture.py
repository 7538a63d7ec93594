"""Run the local SMTP server that catches the demo's email, until Ctrl-C.

The same as `tocsin channel-server email`: it listens where TOCSIN_SMTP_URL points
(smtp://127.0.0.1:8025 by default) and appends every message to var/outbox/email.jsonl, so
the demo's confirmation codes can be read there.
"""

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Catch outgoing email on a local SMTP server (for the demo), writing it to var/outbox."

    def handle(self, *args, **options):
        call_command("channel-server", "email", stdout=self.stdout, stderr=self.stderr)
