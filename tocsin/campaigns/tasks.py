"""Background jobs of campaigns: the reminders 24 hours and 2 hours before an event."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .services.messages import remind_due


@db_periodic_task(crontab(minute="*/5"))
def remind_rsvps_every_five_minutes() -> int:
    """Send the reminders that fell due; a second run sends nothing more."""
    return remind_due()
