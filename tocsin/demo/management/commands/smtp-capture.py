"""Run the local SMTP server that catches the demo's email, until Ctrl-C.

It listens where TOCSIN_SMTP_URL points (smtp://127.0.0.1:8025 by default) and appends every
message to var/outbox/email.jsonl, so the demo's confirmation codes can be read there.
"""

import logging
import signal
import threading
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tocsin.demo.accounts import is_loopback


class Command(BaseCommand):
    help = "Catch outgoing email on a local SMTP server (for the demo), writing it to var/outbox."

    def handle(self, *args, **options):
        from tocsin.delivery.local_servers.smtp import CapturingSMTPServer

        url = urlsplit(settings.TOCSIN_SMTP_URL)
        host, port = url.hostname or "127.0.0.1", url.port or 25
        if not is_loopback(host):
            raise CommandError(
                f"TOCSIN_SMTP_URL points at {host}, not this machine: refusing to stand in for it."
            )
        logging.getLogger("mail.log").setLevel(logging.WARNING)  # One line per connection.
        outbox = settings.VAR_DIR / "outbox" / "email.jsonl"
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        server = CapturingSMTPServer(host=host, port=port, jsonl_path=outbox).start()
        self.stdout.write(f"Catching email on {host}:{port}; messages go to {outbox}.")
        self.stdout.flush()
        try:
            stop.wait()
        finally:
            server.stop()
