"""Background jobs of votes: send the ballots of each vote when it opens."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .services import send_due_ballots


@db_periodic_task(crontab(minute="*"))
def send_due_ballots_every_minute() -> int:
    """Take the roll and send the ballots of every vote that opened without them."""
    return send_due_ballots()
