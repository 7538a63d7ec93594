"""What people are told about events: a change (proposed, approved, declined, cancelled,
off the waitlist) and the reminders 24 hours and 2 hours before. Each is an `event` alert
of the delivery engine, sent on commit and rendered in its recipient's language.
"""

import zoneinfo
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models.functions import Coalesce
from django.utils import formats, timezone, translation

from tocsin.accounts.models import Person
from tocsin.audit.services import record
from tocsin.core import languages
from tocsin.delivery.models import Alert
from tocsin.delivery.services import create_alert, send_alert

from ..access import still_reached
from ..models import Event, Rsvp, Shift

REMINDERS = (("2h", timedelta(hours=2)), ("24h", timedelta(hours=24)))


def when_text(moment: datetime, zone: str, language: str) -> str:
    local = moment.astimezone(zoneinfo.ZoneInfo(zone))
    with translation.override(language):
        return f"{formats.date_format(local, 'DATETIME_FORMAT')} ({local.tzname()})"


def tell(
    event: Event,
    what: str,
    person_ids: list[int],
    actor: Person | None = None,
    shift: Shift | None = None,
    hours: int = 0,
) -> Alert | None:
    """Send an `event` alert about the event to the people named whom it still reaches;
    nothing when nobody. A partner's members who answered while the host shared its events
    with them are told nothing once the agreement has ended (decision 0033)."""
    person_ids = still_reached(event, person_ids)
    if not person_ids:
        return None
    moment = shift.starts_at if shift is not None else event.starts_at
    context = {
        "event": what,
        "code": event.code,
        "title": event.title,
        "place": event.place,
        "shift": shift.label if shift is not None else "",
        "hours": hours,
        # Told ahead in every language: the message is rendered later, once per recipient.
        "when": {code: when_text(moment, event.time_zone, code) for code in languages.codes()},
    }
    alert = create_alert(
        event.organization,
        Alert.Kind.EVENT,
        context,
        {"person_ids": sorted(set(person_ids))},
        actor=actor if getattr(actor, "pk", None) else None,
    )
    send_alert(alert, actor=actor if getattr(actor, "pk", None) else None)
    return alert


def remind_due(now: datetime | None = None) -> int:
    """Remind each person going 24 hours and 2 hours before their event (or shift) starts,
    once each, in their language; return how many reminders went. A reminder goes only to
    RSVPs made before its time (someone answering an hour before gets neither)."""
    now = now or timezone.now()
    sent = 0
    for name, lead in REMINDERS:
        field = f"reminded_{name}_at"
        due = (
            Rsvp.objects.filter(
                status=Rsvp.Status.GOING,
                event__state=Event.State.APPROVED,
                checked_in_at__isnull=True,
                **{f"{field}__isnull": True},
            )
            .annotate(moment=Coalesce("shift__starts_at", "event__starts_at"))
            .filter(moment__gt=now, moment__lte=now + lead)
            .select_related("event__organization", "event__site", "shift")
            .order_by("event_id", "shift_id", "id")
        )
        groups: dict[tuple[int, int | None], list[Rsvp]] = {}
        for rsvp in due:
            if rsvp.answered_at > rsvp.moment - lead:
                continue
            groups.setdefault((rsvp.event_id, rsvp.shift_id), []).append(rsvp)
        for rsvps in groups.values():
            with transaction.atomic():
                updates: dict[str, datetime | Coalesce] = {field: now}
                if name == "2h":
                    # The 24-hour reminder is no use any more.
                    updates["reminded_24h_at"] = Coalesce("reminded_24h_at", now)
                claimed = [
                    r
                    for r in rsvps
                    if Rsvp.objects.filter(pk=r.pk, **{f"{field}__isnull": True}).update(**updates)
                ]
                if not claimed:
                    continue
                first = claimed[0]
                tell(
                    first.event,
                    "reminder",
                    [r.person_id for r in claimed],
                    shift=first.shift,
                    hours=int(lead.total_seconds() // 3600),
                )
                record(
                    None, "campaigns.event.reminded", first.event, hours=name, people=len(claimed)
                )
                sent += len(claimed)
    return sent
