"""Background jobs of rapid response: retention, missed check-ins, reading inbound Signal."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from .services.responses import raise_missed_check_ins
from .services.retention import erase_expired_senders


@db_periodic_task(crontab(minute="17"))
@lock_task("response-retention")
def erase_expired_senders_hourly() -> int:
    """Erase reporter details past their organization's retention period, every hour."""
    return erase_expired_senders()


@db_periodic_task(crontab(minute="*"))
def raise_missed_check_ins_every_minute() -> int:
    """Raise the alarm for responders on scene who missed their check-in."""
    return raise_missed_check_ins()
