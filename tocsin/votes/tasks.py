"""Background jobs of votes: send the ballots of each vote when it opens, and erase what
casts left behind that they could not erase themselves."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .services.casting import erase_leftover_history
from .services.votes import send_due_ballots


@db_periodic_task(crontab(minute="*"))
def send_due_ballots_every_minute() -> int:
    """Take the roll and send the ballots of every vote that opened without them."""
    return send_due_ballots()


@db_periodic_task(crontab(minute="*"))
def erase_casting_history_every_minute() -> bool:
    """While a vote is open (and for an hour after it closes), have the database forget
    the tally's replaced versions: those a cast could not erase (someone was reading, a
    transaction was open) and, on PostgreSQL, the bytes VACUUM leaves in free space."""
    return erase_leftover_history()
