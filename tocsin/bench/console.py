"""`tocsin bench console`: how soon after a report's 201 each of 20 open consoles shows it,
with the change signal (decision 0020) and with the one-second poll it replaced, measured in
the same run.

The measuring happens in a child (`tocsin bench console-run`, tocsin/bench/console_run.py)
whose environment names a fresh database and a temporary VAR_DIR (tocsin/bench/stores.py),
with the report rate limit set far above the benchmark's own reports (every report comes
from 127.0.0.1).
"""

from .stores import fresh_stores, measuring_command, peak_rss_mb, run_child

UNLIMITED_REPORTS = str(10**9)
# The child stops sending and reports what it has this long before the run's timeout.
CHILD_MARGIN_SECONDS = 30


def run_console(
    reports: int,
    rate: float,
    consoles: int = 20,
    sites: int = 10,
    processes: int = 1,
    database_url: str | None = None,
    timeout: float = 600,
) -> dict:
    """Run the benchmark and return its JSON fields."""
    with fresh_stores(database_url) as stores:
        environment = stores.child_environment(
            TOCSIN_REPORT_BURST=UNLIMITED_REPORTS, TOCSIN_REPORTS_PER_HOUR=UNLIMITED_REPORTS
        )
        command = measuring_command(
            "console-run",
            timeout,
            CHILD_MARGIN_SECONDS,
            reports=reports,
            rate=rate,
            consoles=consoles,
            sites=sites,
            processes=processes,
        )
        result = run_child(command, environment, timeout)
    return {**result, "peak_rss_mb": peak_rss_mb(), "database": stores.vendor}
