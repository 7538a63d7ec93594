"""Run the demo: migrate, load the demo world into an empty database, serve it with a worker
and the local servers that receive what it sends on each channel."""

import os
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from tocsin.accounts.models import Organization
from tocsin.demo import channel_servers
from tocsin.demo.accounts import account_lines, accounts_with_demo_passwords
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
        self.stdout.write(
            f"Tocsin demo at http://{host}:{port}/ — press Ctrl-C to stop. "
            f"What the local channel servers receive: http://{host}:{port}/demo/outbox/"
        )
        self.stdout.flush()
        code = run_together(children(host, port), write=self.stdout.write)
        if code:
            raise CommandError(f"The demo stopped because a process failed (exit code {code}).")


def children(host: str, port: int) -> list[Child]:
    """Return the processes of the demo: web server, worker and the local channel servers.

    A channel gets its local server (`tocsin channel-server <channel>`) only where its
    setting points at this machine, as the defaults do; one pointed elsewhere is left alone.
    """
    tocsin = [sys.executable, "-m", "tocsin"]
    env = dict(os.environ)
    # Links in posters and messages must point at this server, wherever it listens.
    env.setdefault("TOCSIN_BASE_URL", f"http://{host}:{port}")
    env["TOCSIN_DEMO"] = "1"  # the /demo/outbox/ page; see tocsin/demo/views.py
    processes = [
        Child("web server", [*tocsin, "serve", "--host", host, "--port", str(port)], env),
        Child("worker", [*tocsin, "worker"], env),
    ]
    for channel in channel_servers.CHANNELS:
        if channel_servers.local_address(channel) is not None:
            processes.append(
                Child(f"local {channel} server", [*tocsin, "channel-server", channel], env)
            )
    return processes
