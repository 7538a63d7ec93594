"""`tocsin bench fanout`: a fresh database and queue, a child process that measures, one
JSON line.

Django's settings are made once per process, so the measuring happens in a child
(`tocsin bench run`) whose environment names the fresh database, the fresh queue, a
temporary VAR_DIR and local channel servers, with channel rates high enough that the
benchmark measures the engine rather than a provider's limit. This process makes and
removes the database (a new SQLite file, or `tocsin_bench_<random>` on the PostgreSQL
server given: tocsin/bench/stores.py), and samples the memory of every process the
benchmark starts while it runs (stores.MemorySampler): `rss_mb_sum_peak` is the peak of
their summed resident sets, `rss_mb_largest_process` the largest one alone.
"""

import sys

from tocsin.delivery.local_servers.smtp import free_port

from .stores import BenchError, MemorySampler, flush_redis, fresh_stores, run_child, scheme

__all__ = ["BenchError", "run_fanout"]

# Far above anything the local servers can take: the engine's own speed is measured.
UNLIMITED_RATE = "100000"


def run_fanout(
    recipients: int,
    database_url: str | None = None,
    queue_url: str | None = None,
    workers: int = 2,
    threads: int = 2,
    naive_sample: int = 0,
    naive_unpaused_sample: int = 0,
    population: str = "city",
    push_pool: int = 1000,
    timeout: float = 900,
    max_send_seconds: float = 600,
) -> dict:
    """Run the benchmark and return its JSON fields."""
    with fresh_stores(database_url) as stores:
        ports = {kind: free_port() for kind in ("smtp", "signal", "sms", "push")}
        environment = stores.child_environment(
            queue_url,
            TOCSIN_SMTP_URL=f"smtp://127.0.0.1:{ports['smtp']}",
            TOCSIN_SIGNAL_URL=f"http://127.0.0.1:{ports['signal']}",
            TOCSIN_SMS_URL=f"http://127.0.0.1:{ports['sms']}",
            TOCSIN_BENCH_PUSH_PORT=str(ports["push"]),
            **{
                f"TOCSIN_{channel}_RATE": UNLIMITED_RATE
                for channel in ("EMAIL", "SIGNAL", "SMS", "PUSH")
            },
        )
        queue = environment["TOCSIN_QUEUE_URL"]
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
            f"--naive-unpaused-sample={naive_unpaused_sample}",
            f"--population={population}",
            f"--push-pool={push_pool}",
            f"--max-send-seconds={max_send_seconds}",
        ]
        try:
            with MemorySampler() as memory:
                result = run_child(command, environment, timeout)
        finally:
            if scheme(queue) in {"redis", "rediss"}:
                flush_redis(queue, stores.name)
    return {
        **result,
        **memory.fields(),
        "database": stores.vendor,
        "queue": scheme(queue),
        "workers": workers,
        "threads": threads,
    }
