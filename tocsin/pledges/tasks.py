"""Background jobs of pledges: turn a pledge on when its threshold is met, and settle every
open pledge each minute (on when met, ended at its deadline without it)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from .services import outcome


@db_task(retries=3, retry_delay=10)
def activate_pledge(pledge_id: int) -> bool:
    return outcome.activate_if_met(pledge_id)


@db_periodic_task(crontab(minute="*"))
def settle_pledges_every_minute() -> int:
    return outcome.settle_pledges()
