"""Shifts and RSVPs: add a shift to an event, answer (to the event or a shift, a full shift
putting the person on its waitlist), cancel an answer, and fill a freed place from the
waitlist, telling those moved off it.
"""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tocsin.accounts.models import Person
from tocsin.audit.services import record

from ..models import Event, Rsvp, Shift
from .events import locked
from .limits import MAX_CAPACITY, MAX_LABEL, check_text
from .messages import tell


def shift_by_code(event: Event, code: str | None) -> Shift | None:
    if not code:
        return None
    shift = Shift.objects.filter(event=event, code=str(code)).first()
    if shift is None:
        raise ValidationError({"shift": _("Choose one of this event's shifts.")})
    return shift


@transaction.atomic
def add_shift(
    actor: Person,
    event: Event,
    label: str,
    starts_at: datetime | None,
    ends_at: datetime | None,
    capacity: int | None,
) -> Shift:
    event = locked(event)
    errors: dict[str, str] = {}
    label = check_text(label, "label", MAX_LABEL, errors)
    if starts_at is None:
        errors["starts_at"] = _("Give the time the shift starts.")
    if ends_at is None:
        errors["ends_at"] = _("Give the time the shift ends.")
    if starts_at and ends_at:
        if ends_at <= starts_at:
            errors["ends_at"] = _("It must end after it starts.")
        elif starts_at < event.starts_at or ends_at > event.ends_at:
            errors["starts_at"] = _("A shift falls within the event's own times.")
    if capacity is None or not 1 <= capacity <= MAX_CAPACITY:
        errors["capacity"] = _("Give how many people the shift needs (1 to %(max)d).") % {
            "max": MAX_CAPACITY
        }
    if event.state in (Event.State.CANCELLED, Event.State.DECLINED):
        errors["label"] = _("This event is %(state)s.") % {"state": event.get_state_display()}
    if errors or starts_at is None or ends_at is None or capacity is None:
        raise ValidationError(errors)
    shift = Shift.objects.create(
        event=event, label=label, starts_at=starts_at, ends_at=ends_at, capacity=capacity
    )
    record(actor, "campaigns.shift.added", event, shift=shift.code, capacity=capacity)
    return shift


def places_taken(shift: Shift, besides: Person | None = None) -> int:
    going = shift.rsvps.filter(status=Rsvp.Status.GOING)
    if besides is not None:
        going = going.exclude(person=besides)
    return going.count()


@transaction.atomic
def answer(person: Person, event: Event, shift: Shift | None = None) -> Rsvp:
    """RSVP to the event, or to one of its shifts (a full shift: the waitlist). Answering
    again with another shift moves the person, freeing their place in the first."""
    event = locked(event)
    if not event.is_open:
        raise ValidationError({"event": _("This event is not taking RSVPs.")})
    if shift is not None:
        shift = (
            Shift.objects.select_for_update(of=("self",)).filter(pk=shift.pk, event=event).first()
        )
        if shift is None:
            raise ValidationError({"shift": _("Choose one of this event's shifts.")})
    rsvp = Rsvp.objects.select_for_update(of=("self",)).filter(event=event, person=person).first()
    freed = rsvp.shift if rsvp and rsvp.status == Rsvp.Status.GOING else None
    status = Rsvp.Status.GOING
    if shift is not None and places_taken(shift, besides=person) >= shift.capacity:
        status = Rsvp.Status.WAITLISTED
    # The same answer again changes nothing, and a waitlisted place is kept, not lost.
    if (
        rsvp is not None
        and rsvp.shift_id == getattr(shift, "pk", None)
        and rsvp.status in (status, Rsvp.Status.WAITLISTED)
    ):
        return rsvp
    if rsvp is None:
        rsvp = Rsvp.objects.create(event=event, person=person, shift=shift, status=status)
    else:
        rsvp.shift, rsvp.status, rsvp.answered_at = shift, status, timezone.now()
        rsvp.save(update_fields=["shift", "status", "answered_at"])
    record(
        person,
        "campaigns.rsvp.answered",
        event,
        organization=event.organization,
        status=status,
        shift=shift.code if shift else "",
    )
    if freed is not None and freed != shift:
        fill_from_waitlist(freed)
    return rsvp


@transaction.atomic
def cancel_answer(person: Person, event: Event) -> Rsvp | None:
    """Cancel the person's RSVP; the first on the shift's waitlist takes the place."""
    event = locked(event)
    rsvp = Rsvp.objects.select_for_update(of=("self",)).filter(event=event, person=person).first()
    if rsvp is None or rsvp.status == Rsvp.Status.CANCELLED:
        return rsvp
    freed = rsvp.shift if rsvp.status == Rsvp.Status.GOING else None
    rsvp.status = Rsvp.Status.CANCELLED
    rsvp.save(update_fields=["status"])
    record(person, "campaigns.rsvp.cancelled", event, organization=event.organization)
    if freed is not None and event.is_open:
        fill_from_waitlist(freed)
    return rsvp


def fill_from_waitlist(shift: Shift) -> list[Rsvp]:
    """Move the first waitlisted people into the shift's free places, and tell them."""
    free = shift.capacity - places_taken(shift)
    if free <= 0:
        return []
    moved = list(
        shift.rsvps.select_for_update(of=("self",))
        .filter(status=Rsvp.Status.WAITLISTED)
        .order_by("answered_at", "id")[:free]
    )
    for rsvp in moved:
        rsvp.status = Rsvp.Status.GOING
        rsvp.save(update_fields=["status"])
        record(None, "campaigns.rsvp.off_waitlist", shift.event, shift=shift.code)
    if moved:
        tell(shift.event, "off_waitlist", [r.person_id for r in moved], shift=shift)
    return moved
