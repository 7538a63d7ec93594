"""Benchmarks on fresh stores (docs/benchmarks.md): `tocsin bench fanout --recipients N`
(the delivery engine), `tocsin bench reports --reports N` (reports reaching the console)
`tocsin bench ballots --roll N` (casting a secret ballot as the roll grows) and
`tocsin bench audience --subscribers N` (resolving an alert's audience in a city).
"""

import json

from django.core.management.base import BaseCommand, CommandError

from tocsin.bench.audience import measure_audience, run_audience
from tocsin.bench.ballots import run_ballots
from tocsin.bench.ballots_run import measure_ballots
from tocsin.bench.console import run_console
from tocsin.bench.console_run import measure_console
from tocsin.bench.fanout import run_fanout
from tocsin.bench.reports import run_reports
from tocsin.bench.reports_run import measure_reports
from tocsin.bench.run import measure
from tocsin.bench.stores import BenchError
from tocsin.bench.suite import SCENARIOS, STORES, run_suite


class Command(BaseCommand):
    help = "Benchmark Tocsin on a fresh database and queue; print one JSON line."

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="benchmark", required=True)
        for name, text in (
            ("fanout", "Send one alert to an audience of N; print one JSON line."),
            ("run", "The measured part of fanout (run by fanout, in a fresh environment)."),
        ):
            command = commands.add_parser(name, help=text)
            command.add_argument("--recipients", type=int, required=True)
            command.add_argument("--workers", type=int, default=2, help="Worker processes.")
            command.add_argument("--threads", type=int, default=2, help="Threads per worker.")
            command.add_argument(
                "--naive-sample",
                type=int,
                default=0,
                help="Recipients to send to via Apprise with its default pause (5.5 s).",
            )
            command.add_argument(
                "--naive-unpaused-sample",
                type=int,
                default=0,
                help="Recipients to send to via Apprise with the pause off (default: as many).",
            )
            command.add_argument(
                "--population",
                choices=("city", "site"),
                default="city",
                help="city: 2,000 metro sites, areas, six organizations (default); "
                "site: N followers of one site, as in the runs before step 9.",
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
        suite = commands.add_parser(
            "suite", help="Run every scenario on SQLite and PostgreSQL+Redis (make bench)."
        )
        suite.add_argument("--quick", action="store_true", help="Tiny sizes: a smoke test.")
        suite.add_argument(
            "--stores", default="sqlite,postgres", help="Comma-separated: sqlite, postgres."
        )
        suite.add_argument("--only", default="", help="Comma-separated scenario names.")
        suite.add_argument(
            "--keep",
            action="store_true",
            help="Keep the other scenarios' earlier outcomes in the block (with --only).",
        )
        suite.add_argument(
            "--document", default="docs/benchmarks.md", help="The file whose block to rewrite."
        )
        for name, text in (
            ("reports", "Send N reports; time each POST and its arrival on the console."),
            (
                "reports-run",
                "The measured part of reports (run by reports, in a fresh environment).",
            ),
        ):
            command = commands.add_parser(name, help=text)
            command.add_argument("--reports", type=int, default=200, help="Reports to send.")
            command.add_argument("--sites", type=int, default=20, help="Sites they are at.")
            command.add_argument(
                "--concurrency", type=int, default=1, help="Reports sent at the same time."
            )
            command.add_argument(
                "--rate",
                type=float,
                default=0,
                help="Send the reports at this many a second, whatever the answers (open "
                "loop), instead of --concurrency at a time; times the POST, not the console.",
            )
            command.add_argument(
                "--processes", type=int, default=1, help="Server processes (with --rate)."
            )
            command.add_argument(
                "--timeout", type=float, default=300, help="Stop the whole run after this."
            )
            if name == "reports":
                command.add_argument("--database-url", help="postgres://… (default: SQLite).")
        for name, text in (
            ("console", "Time each report's 201 to its row on C open consoles, signal and poll."),
            (
                "console-run",
                "The measured part of console (run by console, in a fresh environment).",
            ),
        ):
            command = commands.add_parser(name, help=text)
            command.add_argument("--reports", type=int, default=60, help="Reports per mode.")
            command.add_argument("--rate", type=float, default=2.0, help="Reports per second.")
            command.add_argument("--consoles", type=int, default=20, help="Consoles open.")
            command.add_argument("--sites", type=int, default=10, help="Sites (queue lines).")
            command.add_argument(
                "--processes", type=int, default=1, help="Server processes (serve --workers)."
            )
            command.add_argument(
                "--timeout", type=float, default=600, help="Stop the whole run after this."
            )
            if name == "console":
                command.add_argument("--database-url", help="postgres://… (default: SQLite).")
        for name, text in (
            ("ballots", "Cast K ballots of a vote whose roll is N; time each cast."),
            (
                "ballots-run",
                "The measured part of ballots (run by ballots, in a fresh environment).",
            ),
        ):
            command = commands.add_parser(name, help=text)
            command.add_argument("--roll", type=int, required=True, help="Members on the roll.")
            command.add_argument("--casts", type=int, help="Ballots to cast (min(N, 200)).")
            command.add_argument(
                "--timeout", type=float, default=600, help="Stop the whole run after this."
            )
            if name == "ballots":
                command.add_argument("--database-url", help="postgres://… (default: SQLite).")

        for name, text in (
            ("audience", "Resolve N alerts of 1 km in a city of N subscribers; time each."),
            (
                "audience-run",
                "The measured part of audience (run by audience, in a fresh environment).",
            ),
        ):
            command = commands.add_parser(name, help=text)
            command.add_argument("--subscribers", type=int, required=True)
            command.add_argument("--alerts", type=int, default=200, help="Alerts to resolve.")
            command.add_argument("--sites", type=int, default=2000, help="Sites in the city.")
            command.add_argument(
                "--timeout", type=float, default=1200, help="Stop the whole run after this."
            )
            if name == "audience":
                command.add_argument("--database-url", help="postgres://… (default: SQLite).")

    def handle(self, *args, benchmark, **options):
        if benchmark == "suite":
            result = self.suite(options)
        elif benchmark in {"audience", "audience-run"}:
            result = self.audience(benchmark, options)
        elif benchmark in {"console", "console-run"}:
            result = self.console(benchmark, options)
        elif benchmark in {"ballots", "ballots-run"}:
            result = self.ballots(benchmark, options)
        elif benchmark in {"reports", "reports-run"}:
            result = self.reports(benchmark, options)
        else:
            result = self.fanout(benchmark, options)
        self.stdout.write(json.dumps(result))

    def audience(self, benchmark, options) -> dict:
        if min(options["subscribers"], options["alerts"], options["sites"]) < 1:
            raise CommandError("--subscribers, --alerts and --sites must be at least 1.")
        if benchmark == "audience-run":
            return measure_audience(options)

        try:
            return run_audience(
                options["subscribers"],
                options["alerts"],
                sites=options["sites"],
                database_url=options["database_url"],
                timeout=options["timeout"],
            )
        except BenchError as error:
            raise CommandError(str(error)) from None

    def console(self, benchmark, options) -> dict:
        if (
            min(options["reports"], options["consoles"], options["sites"], options["processes"]) < 1
            or options["rate"] <= 0
        ):
            raise CommandError(
                "--reports, --consoles, --sites, --processes and --rate must be positive."
            )
        if benchmark == "console-run":
            return measure_console(options)
        try:
            return run_console(
                options["reports"],
                options["rate"],
                consoles=options["consoles"],
                sites=options["sites"],
                processes=options["processes"],
                database_url=options["database_url"],
                timeout=options["timeout"],
            )
        except BenchError as error:
            raise CommandError(str(error)) from None

    def suite(self, options) -> dict:
        from pathlib import Path

        stores = tuple(store for store in options["stores"].split(",") if store)
        only = tuple(name for name in options["only"].split(",") if name)
        if set(stores) - set(STORES):
            raise CommandError(f"--stores must name among {', '.join(STORES)}.")
        if set(only) - {scenario.name for scenario in SCENARIOS}:
            names = ", ".join(scenario.name for scenario in SCENARIOS)
            raise CommandError(f"--only must name scenarios among {names}.")
        document = Path(options["document"])
        if not document.is_file():
            raise CommandError(f"{document} does not exist.")
        try:
            outcomes = run_suite(
                quick=options["quick"],
                stores=stores,
                only=only,
                document=document,
                say=lambda line: self.stderr.write(line),
                keep=options["keep"],
            )
        except BenchError as error:
            raise CommandError(str(error)) from None
        return {
            "document": str(document),
            "ran": [f"{o.scenario.name}/{o.store}" for o in outcomes if o.result is not None],
            "not_run": {
                f"{o.scenario.name}/{o.store}": o.reason for o in outcomes if o.result is None
            },
        }

    def ballots(self, benchmark, options) -> dict:
        if options["roll"] < 2:
            raise CommandError("--roll must be at least 2.")
        if options["casts"] is None:
            options["casts"] = min(options["roll"], 200)
        if not 1 <= options["casts"] <= options["roll"]:
            raise CommandError(f"--casts must be between 1 and --roll ({options['roll']}).")
        if benchmark == "ballots-run":
            return measure_ballots(options)
        try:
            return run_ballots(
                options["roll"],
                options["casts"],
                database_url=options["database_url"],
                timeout=options["timeout"],
            )
        except BenchError as error:
            raise CommandError(str(error)) from None

    def reports(self, benchmark, options) -> dict:
        if min(options["reports"], options["sites"], options["concurrency"]) < 1:
            raise CommandError("--reports, --sites and --concurrency must be at least 1.")
        if options["rate"] < 0 or options["processes"] < 1:
            raise CommandError("--rate must be positive and --processes at least 1.")
        if benchmark == "reports-run":
            return measure_reports(options)
        try:
            return run_reports(
                options["reports"],
                sites=options["sites"],
                concurrency=options["concurrency"],
                rate=options["rate"],
                processes=options["processes"],
                database_url=options["database_url"],
                timeout=options["timeout"],
            )
        except BenchError as error:
            raise CommandError(str(error)) from None

    def fanout(self, benchmark, options) -> dict:
        if options["recipients"] < 1 or options["workers"] < 1 or options["threads"] < 1:
            raise CommandError("--recipients, --workers and --threads must be at least 1.")
        if benchmark == "run":
            return measure(options)
        try:
            return run_fanout(
                options["recipients"],
                database_url=options["database_url"],
                queue_url=options["queue_url"],
                workers=options["workers"],
                threads=options["threads"],
                naive_sample=options["naive_sample"],
                naive_unpaused_sample=options["naive_unpaused_sample"],
                population=options["population"],
                push_pool=options["push_pool"],
                timeout=options["timeout"],
                max_send_seconds=options["max_send_seconds"],
            )
        except BenchError as error:
            raise CommandError(str(error)) from None
