"""Background jobs of rapid response: retention, missed check-ins, reading inbound Signal,
and the one page of a burst of new incidents.

Reading Signal's jobs live beside the reader (inbound_tasks.py); this is the module the
worker imports, so it names them.
"""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from .inbound_tasks import read_signal_messages, schedule_signal_reads
from .services.paging import page_burst, page_overdue_bursts
from .services.responses import raise_missed_check_ins
from .services.retention import erase_expired_senders

__all__ = [
    "erase_expired_senders_hourly",
    "page_burst_later",
    "page_overdue_bursts_every_minute",
    "raise_missed_check_ins_every_minute",
    "read_signal_messages",
    "schedule_signal_reads",
]


@db_periodic_task(crontab(minute="17"))
def erase_expired_senders_hourly() -> int:
    """Erase reporter details past their organization's retention period, every hour.

    No lock: the erasure is idempotent, and a lock left by a killed worker on SQLite would
    stop it for good (decision 0004)."""
    return erase_expired_senders()


@db_task()
def page_burst_later(burst_id: int) -> int:
    """Page the dispatchers once about a burst of new incidents, when its hold ends.

    Idempotent: a burst already paged is left alone, so a retry never pages twice."""
    return page_burst(burst_id)


@db_periodic_task(crontab(minute="*"))
def page_overdue_bursts_every_minute() -> int:
    """Page the bursts whose own job the queue lost (down when the report was filed)."""
    return page_overdue_bursts()


@db_periodic_task(crontab(minute="*"))
def raise_missed_check_ins_every_minute() -> int:
    """Raise the alarm for responders on scene who missed their check-in."""
    return raise_missed_check_ins()
