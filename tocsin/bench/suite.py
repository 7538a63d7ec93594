"""`tocsin bench suite` (`make bench`): every benchmark scenario, on SQLite and on PostgreSQL
with Redis, each in its own bounded process; the block of docs/benchmarks.md between
`<!-- bench:begin -->` and `<!-- bench:end -->` rewritten with what they printed.

The scenarios are a table (SCENARIOS): a name, the `tocsin bench …` command line (full size
and --quick size), a time bound, and the figures to show, each beside its ceiling or the
alternative measured in the same run (or in another scenario of the same suite, named
"scenario:key"), and the target. A scenario whose command does not exist yet, fails or
runs past its bound is written as "not run: <reason>"; the others still run. Figures are
looked up by dotted keys ("cast_ms_last_tenth.p95"); a figure may name several keys, the
first the JSON has is shown, so that a benchmark rebuilt with new names needs only its row
here changed.

Every outcome is also kept in a JSON file beside the document (`benchmarks.suite.json`).
With `--keep`, a run of some scenarios (`--only`, `--stores`) writes the block with those
and, for the others, the outcomes kept from earlier runs of the same mode, each section
saying when it ran: a scenario changed by a fix can be run again alone.
"""

import contextlib
import json
import os
import platform
import re
import shlex
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .stores import BenchError, process_tree

BEGIN = "<!-- bench:begin -->"
END = "<!-- bench:end -->"
DATABASE_URL = "postgres://postgres@127.0.0.1:5432/test"
QUEUE_URL = "redis://127.0.0.1:6379/12"
MIB_IN_GIB = 1024


@dataclass(frozen=True)
class Figure:
    """One row of a scenario's table: a figure, what it is set beside, and the target.

    `keys` and `beside` are dotted JSON keys (alternatives separated by "|"); `beside` may
    name another scenario of the same store ("fanout-100k:deliveries_per_s") or be a
    number (a ceiling fixed by the issue)."""

    label: str
    keys: str
    beside_label: str = ""
    beside: str | float | None = None
    target: str = ""


@dataclass(frozen=True)
class Scenario:
    name: str
    argv: tuple[str, ...]
    quick_argv: tuple[str, ...]
    timeout: float
    figures: tuple[Figure, ...] = ()
    # Which options name the stores on PostgreSQL+Redis: database only, or the queue too.
    queue: bool = False
    quick_timeout: float = 600


def fanout_figures(size: str) -> tuple[Figure, ...]:
    """The fanout rows: the rate beside Apprise paused and unpaused (10k and 100k, which
    time Apprise), at 1M beside 100k, and the summed memory beside 1 GiB."""
    rows = [
        Figure(
            "summed RSS of every process (MB)",
            "rss_mb_sum_peak",
            "1 GiB",
            float(MIB_IN_GIB),
            "< 1 GiB",
        ),
        Figure("largest one process (MB)", "rss_mb_largest_process"),
        Figure("recorded (s)", "recorded_s"),
        Figure("sent all (s)", "sent_s", "complete", "complete"),
    ]
    if size == "1m":
        return (
            Figure(
                "sent per second at 1M",
                "deliveries_per_s",
                "at 100k, same store",
                "fanout-100k:deliveries_per_s",
                "within 20 %",
            ),
            *rows,
        )
    return (
        Figure(
            "sent per second", "deliveries_per_s", "Apprise, paused (its default)", "naive_per_s"
        ),
        Figure("engine / Apprise paused (x)", "naive_ratio"),
        Figure("sent per second", "deliveries_per_s", "Apprise, pause off", "naive_unpaused_per_s"),
        Figure("engine / Apprise unpaused (x)", "naive_unpaused_ratio"),
        *rows,
    )


FANOUT_NAIVE = ("--naive-sample", "10", "--naive-unpaused-sample", "1000")
SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "fanout-10k",
        ("fanout", "--recipients", "10000", *FANOUT_NAIVE, "--timeout", "1200"),
        ("fanout", "--recipients", "100", "--naive-sample", "4", "--timeout", "500"),
        timeout=1300,
        figures=fanout_figures("10k"),
        queue=True,
    ),
    Scenario(
        "fanout-100k",
        ("fanout", "--recipients", "100000", *FANOUT_NAIVE, "--timeout", "1800"),
        ("fanout", "--recipients", "200", "--naive-sample", "4", "--timeout", "500"),
        timeout=1900,
        figures=fanout_figures("100k"),
        queue=True,
    ),
    Scenario(
        "fanout-1m",
        ("fanout", "--recipients", "1000000", "--max-send-seconds", "2400", "--timeout", "3600"),
        ("fanout", "--recipients", "400", "--timeout", "500"),
        timeout=3700,
        figures=fanout_figures("1m"),
        queue=True,
    ),
    Scenario(
        "reports",
        ("reports", "--rate", "500", "--reports", "5000", "--processes", "2"),
        ("reports", "--rate", "20", "--reports", "40", "--processes", "1"),
        timeout=1200,
        figures=(
            Figure(
                "accepted per second",
                "accepted_per_s",
                "offered",
                "offered_per_s",
                "500/s",
            ),
            Figure("p99 (ms)", "post_ms.p99", "ceiling", 250.0, "< 250 ms"),
            Figure("lost", "lost", "", None, "0"),
            Figure("accepted per second per process", "accepted_per_s_per_process"),
            Figure("server CPU ms per report", "server_cpu_ms_per_report"),
        ),
    ),
    Scenario(
        "audience",
        ("audience", "--subscribers", "1000000"),
        ("audience", "--subscribers", "2000"),
        timeout=2400,
        figures=(
            Figure(
                "audience p99 (ms)",
                "resolve_ms.p99",
                "raw indexed lookup p99 (ms)",
                "raw_ms.p99",
            ),
            Figure("audience p99 (ms)", "resolve_ms.p99", "ceiling", 50.0, "< 50 ms"),
            Figure("recording p99 (ms)", "record_ms.p99", "preview p99 (ms)", "planned_ms.p99"),
        ),
    ),
    Scenario(
        "console",
        ("console", "--consoles", "20", "--reports", "100", "--processes", "2"),
        ("console", "--consoles", "2", "--reports", "5"),
        timeout=1200,
        figures=(
            Figure(
                "report to queue shown, p99 (ms)",
                "signal.shown_ms.p99",
                "the 1-second poll, same run",
                "poll.shown_ms.p99",
            ),
            Figure(
                "report to queue shown, p99 (ms)",
                "signal.shown_ms.p99",
                "ceiling",
                300.0,
                "< 300 ms",
            ),
            Figure(
                "report to `changed` heard, p99 (ms)",
                "signal.heard_ms.p99",
                "the 1-second poll, same run",
                "poll.heard_ms.p99",
            ),
        ),
    ),
    Scenario(
        "ballots",
        ("ballots", "--roll", "10000", "--casts", "200"),
        ("ballots", "--roll", "50", "--casts", "20"),
        timeout=900,
        figures=(
            Figure("cast p50 (ms)", "cast_ms.p50", "p95", "cast_ms.p95"),
            Figure(
                "last tenth p95 (ms)",
                "cast_ms_last_tenth.p95",
                "first tenth p95",
                "cast_ms_first_tenth.p95",
                "casts do not slow as the vote goes on",
            ),
            Figure("CPU ms per cast (measuring)", "cpu_ms_per_cast.measuring"),
            Figure("WAL kB per cast", "wal_kb_per_cast"),
        ),
    ),
)
STORES = ("sqlite", "postgres")


@dataclass
class Outcome:
    """What one scenario on one store gave."""

    scenario: Scenario
    store: str
    command: list[str]
    load_before: tuple[float, ...]
    load_after: tuple[float, ...] = ()
    seconds: float = 0.0
    result: dict | None = None
    reason: str = ""
    started_at: datetime | None = None

    def kept(self) -> dict:
        return {
            "scenario": self.scenario.name,
            "store": self.store,
            "command": self.command,
            "load_before": list(self.load_before),
            "load_after": list(self.load_after),
            "seconds": self.seconds,
            "result": self.result,
            "reason": self.reason,
            "started_at": self.started_at.isoformat() if self.started_at else None,
        }


def kept_file(document: Path) -> Path:
    return document.with_name(f"{document.stem}.suite.json")


def read_kept(document: Path, quick: bool) -> list[Outcome]:
    """The outcomes kept beside `document` from earlier runs of the same mode."""
    path = kept_file(document)
    if not path.is_file():
        return []
    try:
        kept = json.loads(path.read_text())
        if kept.get("quick") != quick:
            return []
        by_name = {scenario.name: scenario for scenario in SCENARIOS}
        return [
            Outcome(
                by_name[row["scenario"]],
                row["store"],
                row["command"],
                tuple(row["load_before"]),
                tuple(row["load_after"]),
                row["seconds"],
                row["result"],
                row["reason"],
                datetime.fromisoformat(row["started_at"]) if row["started_at"] else None,
            )
            for row in kept.get("outcomes", [])
            if row.get("scenario") in by_name
        ]
    except (AttributeError, KeyError, TypeError, ValueError) as error:
        raise BenchError(
            f"{path} is not what `--keep` wrote ({type(error).__name__}: {error}); "
            "remove it, or run without --keep"
        ) from None


def write_kept(document: Path, quick: bool, outcomes: list[Outcome]) -> None:
    kept = {"quick": quick, "outcomes": [outcome.kept() for outcome in outcomes]}
    kept_file(document).write_text(json.dumps(kept, indent=1) + "\n")


def merged(ran: list[Outcome], kept: list[Outcome]) -> list[Outcome]:
    """This run's outcomes and, for each scenario and store it did not run, the kept one;
    in the suite's order (store, then scenario)."""
    by_key = {(outcome.store, outcome.scenario.name): outcome for outcome in kept}
    by_key.update({(outcome.store, outcome.scenario.name): outcome for outcome in ran})
    return [
        by_key[(store, scenario.name)]
        for store in STORES
        for scenario in SCENARIOS
        if (store, scenario.name) in by_key
    ]


def command_of(
    scenario: Scenario, store: str, quick: bool, database_url: str, queue_url: str
) -> list[str]:
    argv = list(scenario.quick_argv if quick else scenario.argv)
    if store == "postgres":
        argv += ["--database-url", database_url]
        if scenario.queue:
            argv += ["--queue-url", queue_url]
    return [sys.executable, "-m", "tocsin", "bench", *argv]


def why_it_failed(returncode: int, stderr: str, argv: list[str]) -> str:
    """Say in one line why a scenario's command printed no result."""
    if "invalid choice" in stderr:
        return f"`tocsin bench {argv[4]}` does not exist yet"
    if "unrecognized arguments" in stderr:
        unknown = stderr.rpartition("unrecognized arguments:")[2].strip().splitlines()[0]
        return f"`tocsin bench {argv[4]}` does not take {unknown} yet"
    last = [line for line in stderr.strip().splitlines() if line.strip()]
    tail = last[-1].strip() if last else "no output"
    return f"exit status {returncode}: {tail[:200]}"


def run_scenario(outcome: Outcome, timeout: float) -> Outcome:
    """Run one scenario's command in a process group of its own, bounded by `timeout`."""
    started = time.monotonic()
    environment = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    child = subprocess.Popen(  # noqa: S603 (our own command line)
        outcome.command,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        out, err = child.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        # The benchmark's own measuring child runs in a session of its own: kill the tree.
        for pid in reversed(process_tree(child.pid)):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        child.communicate()
        outcome.reason = f"ran past {timeout:g} s and was stopped"
    else:
        lines = [line for line in out.splitlines() if line.startswith("{")]
        if child.returncode == 0 and lines:
            outcome.result = json.loads(lines[-1])
        else:
            outcome.reason = why_it_failed(child.returncode, err, outcome.command)
    outcome.seconds = round(time.monotonic() - started, 1)
    outcome.load_after = os.getloadavg()
    return outcome


def lookup(result: dict | None, keys: str):
    """Return the first of the `|`-separated dotted keys present in `result`, else None."""
    for key in keys.split("|"):
        value: object = result
        for part in key.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if value is not None:
            return value
    return None


def shown(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.3f}".rstrip("0").rstrip(".") if abs(value) < 100 else f"{value:,.1f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def beside_value(figure: Figure, outcome: Outcome, outcomes: list[Outcome]):
    if figure.beside is None:
        return None
    if isinstance(figure.beside, float):
        return figure.beside
    if ":" in figure.beside:
        name, _, keys = figure.beside.partition(":")
        for other in outcomes:
            if other.scenario.name == name and other.store == outcome.store:
                return lookup(other.result, keys)
        return None
    return lookup(outcome.result, figure.beside)


def machine() -> list[tuple[str, str]]:
    """Describe the machine and the versions of what the benchmarks ran on."""
    model = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.partition(":")[2].strip()
            break
    memory_kb = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            memory_kb = int(line.split()[1])
    import django
    import huey

    return [
        ("CPUs", f"{os.cpu_count()} (`nproc`), {model}"),
        ("Memory", f"{memory_kb / 1024 / 1024:.1f} GiB"),
        ("Python", platform.python_version()),
        ("SQLite", sqlite3.sqlite_version),
        ("PostgreSQL", postgres_version()),
        ("Redis", redis_version()),
        ("Django / Huey", f"{django.get_version()} / {huey.__version__}"),
    ]


def postgres_setting(db, setting: str) -> str:
    """Return a PostgreSQL setting's value, as SHOW gives it (always one row)."""
    row = db.execute(f"SHOW {setting}").fetchone()
    if row is None:
        raise LookupError(f"SHOW {setting} gave no row")
    return row[0]


def postgres_version() -> str:
    url = os.environ.get("TOCSIN_BENCH_DATABASE_URL", DATABASE_URL)
    try:
        import psycopg

        with psycopg.connect(
            url.replace("postgres://", "postgresql://", 1), connect_timeout=5
        ) as db:
            version = postgres_setting(db, "server_version")
            # Off, dead rows pile up through a long send (each row is written three times).
            autovacuum = postgres_setting(db, "autovacuum")
            return f"{version}, autovacuum {autovacuum}"
    except Exception as error:  # any failure is written, not raised
        return f"unreachable ({type(error).__name__})"


def redis_version() -> str:
    url = os.environ.get("TOCSIN_BENCH_QUEUE_URL", QUEUE_URL)
    try:
        import redis

        client = redis.Redis.from_url(url, socket_connect_timeout=5)
        version = client.info("server")["redis_version"]
        client.close()
        return str(version)
    except Exception as error:  # any failure is written, not raised
        return f"unreachable ({type(error).__name__})"


def load(values: tuple[float, ...]) -> str:
    return " ".join(f"{value:.2f}" for value in values) if values else "-"


def render(outcomes: list[Outcome], quick: bool, started: datetime, finished: datetime) -> str:
    """Return the Markdown of the generated block (without its markers)."""
    out = [
        "",
        f"Generated by `make bench` (`tocsin bench suite{' --quick' if quick else ''}`), "
        f"last written by a run from {started:%Y-%m-%d %H:%M} to {finished:%H:%M} UTC; "
        "each scenario says when it ran."
        + (" **Quick mode: tiny sizes, a smoke test, not figures of record.**" if quick else ""),
        "Load average is `/proc/loadavg`'s 1, 5 and 15 minutes, before and after each "
        "scenario; the machine may be shared.",
        "",
        "| machine | |",
        "| --- | --- |",
        *(f"| {name} | {value} |" for name, value in machine()),
        "",
    ]
    for outcome in outcomes:
        store = "SQLite" if outcome.store == "sqlite" else "PostgreSQL + Redis"
        command = shlex.join(["tocsin", *outcome.command[3:]])
        out += [f"### {outcome.scenario.name} ({store})", ""]
        when = f"run {outcome.started_at:%Y-%m-%d %H:%M} UTC; " if outcome.started_at else ""
        out += [
            f"`{command}`  ",
            f"{when}load {load(outcome.load_before)} before, {load(outcome.load_after)} after; "
            f"{outcome.seconds:g} s",
            "",
        ]
        if outcome.result is None:
            out += [f"not run: {outcome.reason}", ""]
            continue
        out += ["```", json.dumps(outcome.result), "```", ""]
        if outcome.scenario.figures:
            out += [
                "| figure | measured | beside it | measured | target |",
                "| --- | ---: | --- | ---: | --- |",
            ]
            for figure in outcome.scenario.figures:
                value = lookup(outcome.result, figure.keys)
                beside = beside_value(figure, outcome, outcomes)
                out.append(
                    f"| {figure.label or figure.keys} | {shown(value)} | "
                    f"{figure.beside_label} | {shown(beside) if figure.beside_label else ''} | "
                    f"{figure.target} |"
                )
            out.append("")
    return "\n".join(out)


def rewrite(document: Path, block: str) -> None:
    """Replace what lies between the markers of `document` with `block`; nothing else."""
    text = document.read_text()
    pattern = re.compile(re.escape(BEGIN) + r".*?" + re.escape(END), re.DOTALL)
    if not pattern.search(text):
        raise SystemExit(f"{document} has no {BEGIN} … {END} block")
    document.write_text(pattern.sub(lambda _match: f"{BEGIN}\n{block}\n{END}", text, count=1))


def run_suite(
    quick: bool = False,
    stores: tuple[str, ...] = STORES,
    only: tuple[str, ...] = (),
    document: Path = Path("docs/benchmarks.md"),
    say: Callable[[str], None] = print,
    keep: bool = False,
) -> list[Outcome]:
    """Run the scenarios (those in `only`, if given) on each store; rewrite `document` with
    them and, with `keep`, with the kept outcomes of the others."""
    database_url = os.environ.get("TOCSIN_BENCH_DATABASE_URL", DATABASE_URL)
    queue_url = os.environ.get("TOCSIN_BENCH_QUEUE_URL", QUEUE_URL)
    # Read what is kept first: a file that cannot be read stops the run before its hours.
    kept = read_kept(document, quick) if keep else []
    started = datetime.now(UTC)
    outcomes: list[Outcome] = []
    for store in stores:
        for scenario in SCENARIOS:
            if only and scenario.name not in only:
                continue
            command = command_of(scenario, store, quick, database_url, queue_url)
            outcome = Outcome(
                scenario,
                store,
                command,
                load_before=os.getloadavg(),
                started_at=datetime.now(UTC),
            )
            say(f"{scenario.name} ({store}): {shlex.join(command[3:])}")
            run_scenario(outcome, scenario.quick_timeout if quick else scenario.timeout)
            say(json.dumps(outcome.result) if outcome.result else f"  not run: {outcome.reason}")
            outcomes.append(outcome)
    shown_outcomes = merged(outcomes, kept) if keep else outcomes
    write_kept(document, quick, shown_outcomes)
    rewrite(document, render(shown_outcomes, quick, started, datetime.now(UTC)))
    return outcomes
