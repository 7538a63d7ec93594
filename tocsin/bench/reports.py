"""`tocsin bench reports`: how long a report's POST takes, and how soon the dispatcher's
console hears of it; with `--rate R --processes P`, reports arriving at a fixed rate at P
server processes (tocsin/bench/reports_rate.py).

The measuring happens in a child (`tocsin bench reports-run`, tocsin/bench/reports_run.py)
whose environment names a fresh database and a temporary VAR_DIR (tocsin/bench/stores.py),
with the report rate limit set far above the benchmark's own reports: every report comes
from 127.0.0.1, and the default limit (a burst of 5, 20 an hour per address) would refuse
all but the first five.
"""

from .stores import fresh_stores, measuring_command, peak_rss_mb, run_child

# Far above the benchmark's own reports, all of which come from one address.
UNLIMITED_REPORTS = str(10**9)
# The child stops sending and reports what it has this long before the run's timeout
# (at most half of it), time enough to wait for the console and stop the server.
CHILD_MARGIN_SECONDS = 20


def run_reports(
    reports: int,
    sites: int = 20,
    concurrency: int = 1,
    rate: float = 0,
    processes: int = 1,
    database_url: str | None = None,
    timeout: float = 300,
) -> dict:
    """Run the benchmark and return its JSON fields."""
    with fresh_stores(database_url) as stores:
        environment = stores.child_environment(
            TOCSIN_REPORT_BURST=UNLIMITED_REPORTS, TOCSIN_REPORTS_PER_HOUR=UNLIMITED_REPORTS
        )
        command = measuring_command(
            "reports-run",
            timeout,
            CHILD_MARGIN_SECONDS,
            reports=reports,
            sites=sites,
            concurrency=concurrency,
            rate=rate,
            processes=processes,
        )
        result = run_child(command, environment, timeout)
    return {**result, "peak_rss_mb": peak_rss_mb(), "database": stores.vendor}
