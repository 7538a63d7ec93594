"""Benchmark the delivery engine: `tocsin bench fanout --recipients N` (docs/benchmarks.md)."""

import json

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Benchmark the delivery engine on a fresh database and queue; print one JSON line."

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="benchmark", required=True)
        for name, text in (
            ("fanout", "Send one alert to N followers of one site; print one JSON line."),
            ("run", "The measured part of fanout (run by fanout, in a fresh environment)."),
        ):
            command = commands.add_parser(name, help=text)
            command.add_argument("--recipients", type=int, required=True)
            command.add_argument("--workers", type=int, default=2, help="Worker processes.")
            command.add_argument("--threads", type=int, default=2, help="Threads per worker.")
            command.add_argument(
                "--naive-sample", type=int, default=0, help="Recipients to send to via Apprise."
            )
            command.add_argument(
                "--push-pool", type=int, default=1000, help="Real push subscriptions to reuse."
            )
            command.add_argument(
                "--max-send-seconds",
                type=float,
                default=600,
                help="Stop waiting for the sends after this long (the JSON says complete=false).",
            )
            if name == "fanout":
                command.add_argument("--database-url", help="postgres://… (default: SQLite).")
                command.add_argument("--queue-url", help="redis://… (default: SQLite).")
                command.add_argument(
                    "--timeout", type=float, default=900, help="Stop the whole run after this."
                )

    def handle(self, *args, benchmark, **options):
        if options["recipients"] < 1 or options["workers"] < 1 or options["threads"] < 1:
            raise CommandError("--recipients, --workers and --threads must be at least 1.")
        if benchmark == "run":
            from tocsin.bench.run import measure

            result = measure(options)
        else:
            from tocsin.bench.fanout import BenchError, run_fanout

            try:
                result = run_fanout(
                    options["recipients"],
                    database_url=options["database_url"],
                    queue_url=options["queue_url"],
                    workers=options["workers"],
                    threads=options["threads"],
                    naive_sample=options["naive_sample"],
                    push_pool=options["push_pool"],
                    timeout=options["timeout"],
                    max_send_seconds=options["max_send_seconds"],
                )
            except BenchError as error:
                raise CommandError(str(error)) from None
        self.stdout.write(json.dumps(result))
