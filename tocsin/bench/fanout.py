"""`tocsin bench fanout`: a fresh database and queue, a child process that measures, one
JSON line.

Django's settings are made once per process, so the measuring happens in a child
(`tocsin bench run`) whose environment names the fresh database, the fresh queue, a
temporary VAR_DIR and local channel servers, with channel rates high enough that the
benchmark measures the engine rather than a provider's limit. This process makes and
removes the database (a new SQLite file, or `tocsin_bench_<random>` on the PostgreSQL
server given), and adds the peak memory of every process the benchmark started.
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
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from tocsin.delivery.local_servers.smtp import free_port

# Far above anything the local servers can take: the engine's own speed is measured.
UNLIMITED_RATE = "100000"


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
    """Return the largest resident set of this process and of every finished descendant."""
    peak_kb = max(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    )
    return round(peak_kb / 1024, 1)


def run_fanout(
    recipients: int,
    database_url: str | None = None,
    queue_url: str | None = None,
    workers: int = 2,
    threads: int = 2,
    naive_sample: int = 0,
    push_pool: int = 1000,
    timeout: float = 900,
    max_send_seconds: float = 600,
) -> dict:
    """Run the benchmark and return its JSON fields."""
    token = secrets.token_hex(4)
    work = Path(tempfile.mkdtemp(prefix="tocsin-bench-"))
    name = f"tocsin_bench_{token}"
    postgres = database_url is not None and scheme(database_url) in {"postgres", "postgresql"}
    if database_url is not None and not postgres and scheme(database_url) != "sqlite":
        raise BenchError("--database-url must be postgres://… (SQLite is made in a temp dir).")
    database = fresh_postgres(database_url, name) if postgres else f"sqlite:///{work}/bench.sqlite3"
    queue = queue_url or f"sqlite:///{work}/queue.sqlite3"
    ports = {kind: free_port() for kind in ("smtp", "signal", "sms", "push")}
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tocsin.bench.settings",
        "TOCSIN_ENV": "development",
        "TOCSIN_VAR_DIR": str(work),
        "DATABASE_URL": database,
        "TOCSIN_QUEUE_URL": queue,
        "TOCSIN_QUEUE_IMMEDIATE": "0",
        "TOCSIN_BENCH_QUEUE_NAME": name,
        "TOCSIN_SMTP_URL": f"smtp://127.0.0.1:{ports['smtp']}",
        "TOCSIN_SIGNAL_URL": f"http://127.0.0.1:{ports['signal']}",
        "TOCSIN_SMS_URL": f"http://127.0.0.1:{ports['sms']}",
        "TOCSIN_BENCH_PUSH_PORT": str(ports["push"]),
        **{
            f"TOCSIN_{channel}_RATE": UNLIMITED_RATE
            for channel in ("EMAIL", "SIGNAL", "SMS", "PUSH")
        },
    }
    command = [
        sys.executable,
        "-m",
        "tocsin",
        "bench",
        "run",
        f"--recipients={recipients}",
        f"--workers={workers}",
        f"--threads={threads}",
        f"--naive-sample={naive_sample}",
        f"--push-pool={push_pool}",
        f"--max-send-seconds={max_send_seconds}",
    ]
    child = subprocess.Popen(  # noqa: S603 (our own command line)
        command, env=environment, stdout=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        out, _err = child.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        # The child leads its own process group: its workers and servers go with it.
        os.killpg(child.pid, signal.SIGKILL)
        child.wait()
        raise BenchError(f"the benchmark ran past {timeout:g} s and was stopped") from None
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGKILL)  # anything it left behind
        if postgres:
            drop_postgres(database_url, name)
        if scheme(queue) in {"redis", "rediss"}:
            flush_redis(queue, name)
        shutil.rmtree(work, ignore_errors=True)
    lines = [line for line in out.splitlines() if line.startswith("{")]
    if child.returncode != 0 or not lines:
        raise BenchError(f"the benchmark failed (exit status {child.returncode})")
    result = json.loads(lines[-1])
    return {
        **result,
        "peak_rss_mb": peak_rss_mb(),
        "database": "postgresql" if postgres else "sqlite",
        "queue": scheme(queue),
        "workers": workers,
        "threads": threads,
    }
