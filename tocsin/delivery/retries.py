"""When a send job whose channel fails tries again, and when it gives up.

A chunk is retried when its channel failed a request as a whole without saying that
retrying cannot help (the gateway down, an HTTP 5xx, a 429, a timeout) or left some
messages unsent for a reason of the moment. The pause before the n-th retry is

    delay(n) = TOCSIN_DELIVERY_RETRY_FIRST_SECONDS * 1.6 ** (n - 1),
               at most TOCSIN_DELIVERY_RETRY_MAX_SECONDS

that is 2, 3.2, 5.1, 8.2, 13.1, 21, 33.6, 53.7, then 60 s for every retry after, with the
defaults. A server that says when to come back (Retry-After) is taken at its word, up to
the same ceiling: an alert does not wait an hour because a gateway asked it to.

A chunk's rows give up TOCSIN_DELIVERY_GIVE_UP_SECONDS (15 minutes) after the chunk first
tried the oldest of them; rows sent in the meantime leave the reckoning, so a channel that
recovers and fails again starts a fresh clock. The last retry is timed to land on that
moment. Rows given up are failed with the reason "gave up after 15 minutes: <the last
reason>", which hands each person over to their next channel (fanout.mark_failed).

Huey's own retry count cannot do this: a job that raises RetryTask keeps its count (huey
3.5's consumer adds one, the requeue takes it off again), so it would retry for ever, and
its back-off grows without a cap. The time a row was first tried is kept in the database
instead (Delivery.first_tried_at), so the reckoning survives a worker restart or a lost
queue. See docs/decisions/0004-delivery.md, "Retries and giving up".
"""

import re
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext, ngettext

BACKOFF = 1.6

GAVE_UP = re.compile(
    r"gave up after (?P<count>\d+) (?P<unit>minute|second)s?: (?P<reason>.*)", re.DOTALL
)


def delay(attempt: int, retry_after: float | None = None, remaining: float | None = None) -> float:
    """Return the seconds to wait before retrying a chunk tried `attempt` times so far.

    `retry_after` is the server's own word, honoured up to the ceiling; `remaining` is the
    time left until the chunk gives up, which no pause goes beyond.
    """
    ceiling = float(settings.TOCSIN_DELIVERY_RETRY_MAX_SECONDS)
    if retry_after is not None:
        pause = min(max(retry_after, 0.0), ceiling)
    else:
        first = float(settings.TOCSIN_DELIVERY_RETRY_FIRST_SECONDS)
        # Past the ceiling the power no longer matters; the cap on it keeps it finite.
        pause = min(first * BACKOFF ** min(max(attempt - 1, 0), 64), ceiling)
    if remaining is not None:
        pause = min(pause, max(remaining, 0.0))
    return pause


def give_up_at(first_tried_at: datetime) -> datetime:
    """Return the moment a chunk first tried at `first_tried_at` gives up."""
    return first_tried_at + timedelta(seconds=settings.TOCSIN_DELIVERY_GIVE_UP_SECONDS)


def should_give_up(first_tried_at: datetime, now: datetime) -> bool:
    """Say whether rows first tried at `first_tried_at` have been tried long enough."""
    return now >= give_up_at(first_tried_at)


def gave_up_reason(reason: str) -> str:
    """Return what a given-up delivery records: "gave up after 15 minutes: <reason>".

    Stored in English, as every delivery reason is; describe() shows it in the reader's
    language.
    """
    seconds = settings.TOCSIN_DELIVERY_GIVE_UP_SECONDS
    if seconds >= 60:
        count, unit = round(seconds / 60), "minute"
    else:
        count, unit = seconds, "second"
    with translation.override("en"):
        return gave_up_text(count, unit, reason or "unknown")


def gave_up_text(count: int, unit: str, reason: str) -> str:
    if unit == "minute":
        text = ngettext(
            "gave up after %(count)d minute: %(reason)s",
            "gave up after %(count)d minutes: %(reason)s",
            count,
        )
    else:
        text = ngettext(
            "gave up after %(count)d second: %(reason)s",
            "gave up after %(count)d seconds: %(reason)s",
            count,
        )
    return text % {"count": count, "reason": reason}


def describe(reason: str) -> str:
    """Return a stored delivery reason in the active language, where a translation exists.

    Reasons are stored in English (the worker's language); a reason that is one of the
    catalog's messages ("invalid phone number") is translated as it stands, and the
    give-up prefix is translated around the reason it carries.
    """
    found = GAVE_UP.fullmatch(reason)
    if found is None:
        return gettext(reason) if reason else ""
    inner = found["reason"]
    return gave_up_text(int(found["count"]), found["unit"], gettext(inner) if inner else "")
