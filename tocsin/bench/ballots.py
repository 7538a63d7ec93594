"""`tocsin bench ballots`: how long casting a secret ballot takes as the roll grows.

Each cast deletes a pending ballot, rewrites the vote's one tally row and adds a receipt,
then has the database forget what it replaced: a WAL checkpoint that truncates the log on
SQLite, a VACUUM of the tally and the pending ballots on PostgreSQL (decision 0011). The
measuring happens
in a child (`tocsin bench ballots-run`, tocsin/bench/ballots_run.py) whose environment
names a fresh database and a temporary VAR_DIR (tocsin/bench/stores.py). The ballot alert
that sending the ballots makes is queued in that directory's queue and never sent: no
worker runs.
"""

from .stores import fresh_stores, measuring_command, peak_rss_mb, run_child

# The child stops casting and reports what it has this long before the run's timeout (at
# most half of it), time enough to count the tally and print.
CHILD_MARGIN_SECONDS = 10


def run_ballots(
    roll: int, casts: int, database_url: str | None = None, timeout: float = 600
) -> dict:
    """Run the benchmark and return its JSON fields."""
    with fresh_stores(database_url) as stores:
        environment = stores.child_environment()
        command = measuring_command(
            "ballots-run", timeout, CHILD_MARGIN_SECONDS, roll=roll, casts=casts
        )
        result = run_child(command, environment, timeout)
    return {**result, "peak_rss_mb": peak_rss_mb(), "database": stores.vendor}
