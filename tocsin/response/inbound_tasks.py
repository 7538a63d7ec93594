"""The worker's reading of inbound Signal messages, every TOCSIN_SIGNAL_POLL_SECONDS, when
signal-cli-rest-api runs in normal or native mode (in json-rpc mode each read finds so in
GET /v1/about and stands aside: signal_listener.py holds the websockets there).

Huey runs periodic jobs once a minute at most, so each minute `schedule_signal_reads`
enqueues that minute's reads, one every TOCSIN_SIGNAL_POLL_SECONDS. Each read is a short
job, so no worker thread is held between reads (a raid alert never waits behind the
reading). Two guards keep reads from piling up: one read at a time in a process, and,
through the rate limiter's shared store, none within half an interval of another on any
machine (several workers each enqueue the minute's reads). Both guards expire on their
own: a killed worker leaves nothing locked. See docs/decisions/0006-inbound-reports.md.
"""

import threading

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from tocsin.delivery.ratelimit import limiter

from .inbound import poll_all_signal

READ_GUARD = "inbound:signal-read"


def read_guard_key() -> str:
    """The shared guard's bucket, within this installation's queue (test workers, or two
    Tocsins on one Redis, keep apart)."""
    return f"{READ_GUARD}:{settings.TOCSIN_QUEUE_NAME}"


_reading = threading.Lock()


def poll_interval() -> int:
    return max(1, settings.TOCSIN_SIGNAL_POLL_SECONDS)


@db_periodic_task(crontab(minute="*"))
def schedule_signal_reads() -> int:
    """Enqueue this minute's reads of inbound Signal messages; return how many."""
    interval = poll_interval()
    offsets = range(0, 60, interval)
    for offset in offsets:
        read_signal_messages.schedule(delay=offset)
    return len(offsets)


@db_task()
def read_signal_messages() -> int:
    """Read every reporting number's new Signal messages once; return the reports made.

    Skipped when another read is running in this process, or ran anywhere less than half
    an interval ago.
    """
    if not _reading.acquire(blocking=False):
        return 0
    try:
        wait = limiter().try_acquire(read_guard_key(), rate=2 / poll_interval(), burst=1)
        if wait > 0:
            return 0
        return poll_all_signal()
    finally:
        _reading.release()
