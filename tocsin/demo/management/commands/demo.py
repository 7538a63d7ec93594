"""Run the demo: migrate, load the demo world into an empty database, serve it with a worker."""

import os
import sys
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from tocsin.accounts.models import Organization
from tocsin.demo.accounts import account_lines, accounts_with_demo_passwords, is_loopback
from tocsin.demo.processes import Child, run_together


class Command(BaseCommand):
    help = "Load the demo world if the database is empty and run the web app and worker."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args, host, port, **options):
        call_command("migrate", interactive=False, verbosity=0)
        if Organization.objects.exists():
            self.stdout.write(
                "The database already has organizations; not loading the demo world "
                "(`tocsin load-demo` completes it)."
            )
            lines = account_lines(accounts_with_demo_passwords())
        else:
            call_command("load-demo", verbosity=0, stdout=self.stdout)
            lines = account_lines()
        if len(lines) > 1:  # More than the heading: some demo passwords still work.
            self.stdout.write("\n".join(lines))
        # Links in posters and messages must point at this server, wherever it listens.
        os.environ.setdefault("TOCSIN_BASE_URL", f"http://{host}:{port}")
        self.stdout.write(f"Tocsin demo at http://{host}:{port}/ — press Ctrl-C to stop.")
        self.stdout.flush()
        code = run_together(children(host, port), write=self.stdout.write)
        if code:
            raise CommandError(f"The demo stopped because a process failed (exit code {code}).")


def children(host: str, port: int) -> list[Child]:
    """Return the processes of the demo: web server, worker and any local channel servers."""
    tocsin = [sys.executable, "-m", "tocsin"]
    processes = [
        Child("web server", [*tocsin, "serve", "--host", host, "--port", str(port)]),
        Child("worker", [*tocsin, "worker"]),
    ]
    # The local SMTP server that catches every email the demo sends (`tocsin smtp-capture`).
    smtp_host = urlsplit(settings.TOCSIN_SMTP_URL).hostname or ""
    if is_loopback(smtp_host):
        processes.append(Child("SMTP capture server", [*tocsin, "smtp-capture"]))
    return processes
