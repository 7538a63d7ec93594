"""What the benchmark commands share: fresh stores, and a child process that measures.

Django's settings are made once per process, so each benchmark measures in a child whose
environment names a fresh database (a new SQLite file in a temporary directory, or
`tocsin_bench_<random>` on the PostgreSQL server given) and that directory as its
TOCSIN_VAR_DIR. This process makes the stores, bounds the child with a timeout (killing
its whole process group), and removes the stores at the end.
"""

import contextlib
import json
import os
import resource
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit


class BenchError(Exception):
    pass


def scheme(url: str) -> str:
    return urlsplit(url).scheme


def fresh_postgres(url: str, name: str) -> str:
    """Create database `name` on the server of `url`; return its URL."""
    import psycopg

    with psycopg.connect(url.replace("postgres://", "postgresql://", 1), autocommit=True) as db:
        db.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def drop_postgres(url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(url.replace("postgres://", "postgresql://", 1), autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def flush_redis(url: str, name: str) -> None:
    """Delete whatever the benchmark's queue left under its own name."""
    import redis

    client = redis.Redis.from_url(url)
    for key in client.scan_iter(match=f"*{name}*"):
        client.delete(key)
    client.close()


def peak_rss_mb() -> float:
    """Return the largest resident set of this process and of every finished descendant
    (one process's, not their sum: see MemorySampler for the sum)."""
    peak_kb = max(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    )
    return round(peak_kb / 1024, 1)


def mb(kb: int) -> float:
    return round(kb / 1024, 1)


def status_kb(pid: int, field: str) -> int:
    """Return a /proc/<pid>/status figure in kB (VmRSS, VmHWM), 0 for a process gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        return 0
    return 0


def process_tree(root: int) -> list[int]:
    """Return `root` and every living descendant of it, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rpartition(")")[2].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    tree, pending = [], [root]
    while pending:
        pid = pending.pop()
        tree.append(pid)
        pending.extend(children.get(pid, []))
    return tree


def role_of(pid: int) -> str:
    """Name what a benchmark process is, from its command line."""
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return "gone"
    words = [word.decode(errors="replace") for word in argv]
    if "tocsin.bench.servers" in words:
        return "servers"
    if "worker" in words:
        return "workers"
    if "bench" in words and pid != os.getpid():
        return "measuring"
    return "command" if pid == os.getpid() else "other"


class MemorySampler:
    """Sample the resident sets (VmRSS) of this process and all its descendants every
    `interval` seconds while it runs, to report the peak of their SUM: the figure a 1 GiB
    budget for the whole benchmark is about. Also keep the largest single process seen
    (its own high-water mark, VmHWM, which the kernel keeps between two samples) and how
    the sum split by role (command, measuring, workers, servers) when it peaked.

    PostgreSQL's and Redis's own processes are not descendants and are not counted.
    """

    def __init__(self, interval: float = 0.5, root: int | None = None) -> None:
        self.interval = interval
        self.root = root or os.getpid()
        self.sum_peak_kb = 0
        self.largest_kb = 0
        self.at_peak: dict[str, int] = {}
        self.processes_at_peak = 0
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._roles: dict[int, str] = {}

    def sample(self) -> None:
        by_role: dict[str, int] = {}
        total = counted = 0
        for pid in process_tree(self.root):
            rss = status_kb(pid, "VmRSS")
            if not rss:
                continue
            counted += 1
            role = self._roles.get(pid) or self._roles.setdefault(pid, role_of(pid))
            by_role[role] = by_role.get(role, 0) + rss
            total += rss
            self.largest_kb = max(self.largest_kb, rss, status_kb(pid, "VmHWM"))
        self.samples += 1
        if total > self.sum_peak_kb:
            self.sum_peak_kb, self.at_peak, self.processes_at_peak = total, by_role, counted

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def __enter__(self) -> "MemorySampler":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def fields(self) -> dict:
        """The JSON fields: the summed peak, the largest process, the split at the peak."""
        return {
            "rss_mb_sum_peak": mb(self.sum_peak_kb),
            "rss_mb_largest_process": max(mb(self.largest_kb), peak_rss_mb()),
            "rss_mb_at_sum_peak": {role: mb(kb) for role, kb in sorted(self.at_peak.items())},
            "rss_processes_at_sum_peak": self.processes_at_peak,
            "rss_samples": self.samples,
        }


@dataclass(frozen=True)
class FreshStores:
    """A run's temporary directory, its name (`tocsin_bench_<random>`) and database URL."""

    work: Path
    name: str
    database: str
    postgres: bool

    @property
    def vendor(self) -> str:
        return "postgresql" if self.postgres else "sqlite"

    def child_environment(self, queue_url: str | None = None, **more: str) -> dict[str, str]:
        """The measuring child's environment: these stores, the bench settings, a queue (by
        default a SQLite file in the directory) that no worker runs unless one is started,
        and any `more` settings."""
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tocsin.bench.settings",
            "TOCSIN_ENV": "development",
            "TOCSIN_VAR_DIR": str(self.work),
            "DATABASE_URL": self.database,
            "TOCSIN_QUEUE_URL": queue_url or f"sqlite:///{self.work}/queue.sqlite3",
            "TOCSIN_QUEUE_IMMEDIATE": "0",
            "TOCSIN_BENCH_QUEUE_NAME": self.name,
            **more,
        }


@contextlib.contextmanager
def fresh_stores(database_url: str | None = None) -> Iterator[FreshStores]:
    """Make a temporary directory and a fresh database; remove both on the way out."""
    postgres_url = (
        database_url
        if database_url is not None and scheme(database_url) in {"postgres", "postgresql"}
        else None
    )
    if database_url is not None and postgres_url is None and scheme(database_url) != "sqlite":
        raise BenchError("--database-url must be postgres://… (SQLite is made in a temp dir).")
    name = f"tocsin_bench_{secrets.token_hex(4)}"
    work = Path(tempfile.mkdtemp(prefix="tocsin-bench-"))
    try:
        database = (
            fresh_postgres(postgres_url, name)
            if postgres_url is not None
            else f"sqlite:///{work}/bench.sqlite3"
        )
        yield FreshStores(
            work=work, name=name, database=database, postgres=postgres_url is not None
        )
    finally:
        if postgres_url is not None:
            drop_postgres(postgres_url, name)
        shutil.rmtree(work, ignore_errors=True)


def measuring_command(benchmark: str, timeout: float, margin: float, **arguments) -> list[str]:
    """The command line of a measuring child, `tocsin bench <benchmark> --name=value …`,
    whose own --timeout is the run's less `margin` (at most half of it), so that it stops
    and prints what it has before the run's timeout kills it."""
    budget = timeout - min(margin, timeout / 2)
    options = [f"--{name}={value}" for name, value in arguments.items()]
    return [sys.executable, "-m", "tocsin", "bench", benchmark, *options, f"--timeout={budget:g}"]


def run_child(command: list[str], environment: dict[str, str], timeout: float) -> dict:
    """Run the measuring command in a process group of its own; return its last JSON line.

    Past `timeout` seconds the whole group (the child and whatever it started) is killed,
    and it is killed again at the end in case the child left anything behind.
    """
    child = subprocess.Popen(  # noqa: S603 (our own command line)
        command, env=environment, stdout=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        out, _err = child.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(child.pid, signal.SIGKILL)
        child.wait()
        raise BenchError(f"the benchmark ran past {timeout:g} s and was stopped") from None
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGKILL)  # anything it left behind
    lines = [line for line in out.splitlines() if line.startswith("{")]
    if child.returncode != 0 or not lines:
        raise BenchError(f"the benchmark failed (exit status {child.returncode})")
    return json.loads(lines[-1])
