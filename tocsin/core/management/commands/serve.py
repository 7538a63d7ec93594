"""Run the web app on uvicorn, after checking the database and the static files are ready."""

import os
import time
from pathlib import Path

import uvicorn
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

from tocsin.core.logs import uvicorn_log_config
from tocsin.core.processes import serve_guards

STATIC_STAMP = ".tocsin-collected"


class Command(BaseCommand):
    help = "Serve the web app (ASGI, uvicorn) on --host and --port."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on.")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=1, help="Server processes.")
        parser.add_argument(
            "--migrate", action="store_true", help="Apply pending migrations before serving."
        )
        parser.add_argument(
            "--log-level",
            default="info",
            # Not "trace": uvicorn then dumps each request's headers (cookies, bearer tokens).
            choices=["critical", "error", "warning", "info", "debug"],
            help="uvicorn's log level.",
        )

    def handle(self, *args, host, port, workers, migrate, log_level, **options):
        if workers < 1:
            raise CommandError("--workers must be at least 1.")
        ensure_migrated(migrate, self.stdout)
        for guard in serve_guards():  # the apps' reasons not to serve here (core/processes.py)
            guard(host)
        ensure_static_collected()
        # The checks' connection goes, and with it its pool (decision 0024): with --workers
        # this process only watches the workers, each of which opens a pool of its own.
        close_database_pools()
        uvicorn.run(
            "tocsin.asgi:application",
            host=host,
            port=port,
            workers=workers,
            lifespan="off",  # Django's ASGI handler does not speak the lifespan protocol.
            proxy_headers=True,  # Trusts X-Forwarded-* from FORWARDED_ALLOW_IPS (127.0.0.1).
            server_header=False,
            log_level=log_level,
            log_config=uvicorn_log_config(),  # Blanks tokens, links and query strings.
        )


def ensure_migrated(migrate: bool, stdout) -> None:
    """Apply pending migrations when asked to; otherwise refuse to serve an old schema."""
    connection = connections[DEFAULT_DB_ALIAS]
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if not plan:
        return
    if not migrate:
        raise CommandError(
            f"The database has {len(plan)} unapplied migration(s). Run `tocsin migrate`, "
            "or start with `tocsin serve --migrate`."
        )
    call_command("migrate", interactive=False, verbosity=1, stdout=stdout)


def close_database_pools() -> None:
    for connection in connections.all(initialized_only=True):
        connection.close()
        if hasattr(connection, "close_pool"):
            connection.close_pool()


def ensure_static_collected() -> None:
    """Collect static files into STATIC_ROOT when missing or older than their sources."""
    stamp = Path(settings.STATIC_ROOT) / STATIC_STAMP
    collected_at = stamp.stat().st_mtime if stamp.exists() else 0.0
    if collected_at and newest_static_source() <= collected_at:
        return
    started = time.time()
    call_command("collectstatic", interactive=False, verbosity=0)
    stamp.touch()
    os.utime(stamp, (started, started))


def newest_static_source() -> float:
    newest = 0.0
    for finder in finders.get_finders():
        for path, storage in finder.list(["CVS", ".*", "*~"]):
            newest = max(newest, os.path.getmtime(storage.path(path)))
    return newest
