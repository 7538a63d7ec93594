"""Settings for a benchmark's processes: Tocsin's own, with the queue under its own name.

The benchmark's worker processes and its measuring process load this module, so that a
Redis database shared with anything else holds the benchmark's jobs under a name of their
own (TOCSIN_BENCH_QUEUE_NAME), which the benchmark flushes at the end.
"""

from tocsin.settings import *  # noqa: F403
from tocsin.settings import TOCSIN_QUEUE_URL, build_huey, env_str

HUEY = build_huey(TOCSIN_QUEUE_URL, name=env_str("TOCSIN_BENCH_QUEUE_NAME", "tocsin"))
