"""Check-in at an event with its QR code: when check-in is open, whether a code matches,
checking a person in (a walk-in without an RSVP), and renewing the code.
"""

import secrets
import zoneinfo
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from tocsin.accounts.models import Person
from tocsin.audit.services import record

from ..models import Event, Rsvp, check_in_secret
from .events import locked

# A check-in code keeps working this long after the event ends (people linger).
CHECK_IN_AFTER = timedelta(hours=6)


def check_code(event: Event, secret: str) -> None:
    if not check_in_matches(event, secret):
        raise ValidationError({"secret": _("This check-in code does not work.")})


@transaction.atomic
def renew_secret(actor: Person, event: Event) -> Event:
    """Give the event a new check-in code: the old QR stops working."""
    event = locked(event)
    event.check_in_secret = check_in_secret()
    event.save(update_fields=["check_in_secret"])
    record(actor, "campaigns.event.check_in_renewed", event)
    return event


def check_in_matches(event: Event, secret: str) -> bool:
    return secrets.compare_digest(str(secret or "").encode(), event.check_in_secret.encode())


def check_in_opens(event: Event) -> datetime:
    """Return when check-in opens: TOCSIN_CHECK_IN_OPENS_HOURS before the event starts."""
    return event.starts_at - timedelta(hours=settings.TOCSIN_CHECK_IN_OPENS_HOURS)


def check_in_is_open(event: Event, now: datetime | None = None) -> bool:
    """Whether a person can check in now: from check_in_opens until CHECK_IN_AFTER after
    the event ends, and only at an approved event."""
    now = now or timezone.now()
    return (
        event.state == Event.State.APPROVED
        and check_in_opens(event) <= now <= event.ends_at + CHECK_IN_AFTER
    )


def check_in_not_yet(event: Event) -> str:
    opens = timezone.localtime(check_in_opens(event), zoneinfo.ZoneInfo(event.time_zone))
    return _("Check-in opens %(when)s, shortly before the event starts.") % {
        "when": formats.date_format(opens, "DATETIME_FORMAT")
    }


@transaction.atomic
def check_in(person: Person, event: Event) -> Rsvp:
    """Check the person in at the event (the caller checked the QR's secret). Someone who
    did not RSVP is checked in as a walk-in."""
    event = locked(event)
    if event.state != Event.State.APPROVED:
        raise ValidationError(
            {"event": _("This event is %(state)s.") % {"state": event.get_state_display()}}
        )
    if timezone.now() > event.ends_at + CHECK_IN_AFTER:
        raise ValidationError({"event": _("This event is over; check-in has closed.")})
    if timezone.now() < check_in_opens(event):
        raise ValidationError({"event": check_in_not_yet(event)})
    rsvp = Rsvp.objects.select_for_update(of=("self",)).filter(event=event, person=person).first()
    if rsvp is not None and rsvp.checked_in_at is not None:
        return rsvp
    now = timezone.now()
    if rsvp is None:
        rsvp = Rsvp.objects.create(
            event=event, person=person, status=Rsvp.Status.GOING, walk_in=True, checked_in_at=now
        )
    else:
        rsvp.walk_in = rsvp.status != Rsvp.Status.GOING
        rsvp.status = Rsvp.Status.GOING
        rsvp.checked_in_at = now
        rsvp.save(update_fields=["walk_in", "status", "checked_in_at"])
    record(
        person,
        "campaigns.rsvp.checked_in",
        event,
        organization=event.organization,
        walk_in=rsvp.walk_in,
    )
    return rsvp
