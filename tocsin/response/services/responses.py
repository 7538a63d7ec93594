"""Answers to alerts, from the link in each person's message: a verifier's finding, a
responder's movements, the legal van's ETA, check-ins from the scene.

A responder who says they are on scene owes a check-in every TOCSIN_CHECKIN_MINUTES; when
one is missed, the console raises an alarm and the timeline says so, once.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tocsin.accounts.models import Person
from tocsin.accounts.roles import Role
from tocsin.core.transactions import locking
from tocsin.delivery.models import Alert, Delivery

from ..models import Incident, Photo, Response
from ..photos import clean_photo
from .timeline import log

MOVERS = Role.RESPONDER | Role.LEGAL_OBSERVER | Role.LEGAL_VAN
MAX_ETA_MINUTES = 600
MAX_NOTE = 1000


def answers_for(alert: Alert, person: Person) -> tuple[str, ...]:
    """Return the answers this person may give to this alert (none for most members)."""
    if alert.incident_id is None:
        return ()
    if alert.kind == Alert.Kind.VERIFY_REQUEST:
        return tuple(Response.VERIFICATION)
    if alert.kind in (Alert.Kind.VERIFIED, Alert.Kind.DISPATCH):
        membership = person.memberships.filter(organization_id=alert.organization_id, active=True)
        if any(Role(m.roles) & MOVERS for m in membership):
            return tuple(Response.MOVEMENT)
    return ()


def was_sent(alert: Alert, person: Person) -> bool:
    return Delivery.objects.filter(alert=alert, person=person).exists()


def check_answer(
    alert: Alert, person: Person, status: str, eta_minutes, note: str
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    allowed = answers_for(alert, person)
    if status not in allowed:
        errors["status"] = [
            _("Answer one of: %(choices)s.") % {"choices": ", ".join(allowed)}
            if allowed
            else _("This alert takes no answer from you.")
        ]
    if eta_minutes is not None:
        if alert.kind != Alert.Kind.DISPATCH:
            errors["eta_minutes"] = [_("Only the legal van's dispatch takes an ETA.")]
        elif not isinstance(eta_minutes, int) or not 0 <= eta_minutes <= MAX_ETA_MINUTES:
            errors["eta_minutes"] = [
                _("Give the minutes until you arrive, 0 to %(max)d.") % {"max": MAX_ETA_MINUTES}
            ]
    if len(note or "") > MAX_NOTE:
        errors["note"] = [_("Write at most %(limit)d characters here.") % {"limit": MAX_NOTE}]
    return errors


def record_response(
    person: Person,
    alert: Alert,
    status: str,
    eta_minutes: int | None = None,
    note: str = "",
    photo: bytes | None = None,
) -> Response:
    """Record a person's answer to an alert they were sent, on the incident's timeline."""
    if not was_sent(alert, person):
        raise ValidationError(_("This alert was not sent to you."))
    errors = check_answer(alert, person, status, eta_minutes, note)
    if errors:
        raise ValidationError(errors)
    cleaned = clean_photo(photo) if photo else None
    if alert.incident_id is None:
        raise ValidationError(_("This alert takes no answer from you."))
    with transaction.atomic():
        incident = locking(Incident.objects).get(pk=alert.incident_id)
        if not incident.is_open:
            raise ValidationError(_("This incident is over; no answer is needed any more."))
        if status == Response.Status.CHECKED_IN and not at_scene(incident, person):
            raise ValidationError({"status": _("Check in once you are on scene.")})
        response = Response.objects.create(
            alert=alert,
            incident=incident,
            person=person,
            status=status,
            eta_minutes=eta_minutes,
            note=(note or "").strip(),
        )
        if cleaned is not None:
            Photo.objects.create(
                organization=incident.organization,
                incident=incident,
                response=response,
                image=cleaned.data,
                width=cleaned.width,
                height=cleaned.height,
            )
        action = (
            "response.verify.answered"
            if status in Response.VERIFICATION
            else "response.responder.answered"
        )
        detail: dict[str, object] = {"status": status, "response": str(response.public_id)}
        if eta_minutes is not None:
            detail["eta_minutes"] = eta_minutes
        if response.note:
            detail["note"] = response.note
        if cleaned is not None:
            detail["photo"] = True
        log(incident, person, action, **detail)
    return response


def latest_movements(incident: Incident) -> dict[int, Response]:
    """Return each responder's latest movement answer on the incident, by person id."""
    latest: dict[int, Response] = {}
    movements = incident.responses.filter(status__in=Response.MOVEMENT).select_related("person")
    for response in movements.order_by("at", "pk"):
        latest[response.person_id] = response
    return latest


def at_scene(incident: Incident, person: Person) -> bool:
    latest = latest_movements(incident).get(person.pk)
    return latest is not None and latest.status in Response.AT_SCENE


def overdue_check_ins(incident: Incident, now=None) -> list[Response]:
    """Return the on-scene answers of an open incident not followed by a check-in in time."""
    if not incident.is_open:
        return []
    cutoff = (now or timezone.now()) - timedelta(minutes=settings.TOCSIN_CHECKIN_MINUTES)
    return [
        response
        for response in latest_movements(incident).values()
        if response.status in Response.AT_SCENE and response.at <= cutoff
    ]


def overdue_check_ins_of(incidents: list[Incident], now=None) -> dict[int, list[Response]]:
    """Return overdue_check_ins() of many incidents with one query, by incident id (the
    console's queue shows each open incident's count)."""
    cutoff = (now or timezone.now()) - timedelta(minutes=settings.TOCSIN_CHECKIN_MINUTES)
    latest: dict[tuple[int, int], Response] = {}
    movements = Response.objects.filter(
        incident_id__in=[incident.pk for incident in incidents if incident.is_open],
        status__in=Response.MOVEMENT,
    )
    for response in movements.order_by("at", "pk"):
        latest[(response.incident_id, response.person_id)] = response
    overdue: dict[int, list[Response]] = {}
    for (incident_id, _person_id), response in latest.items():
        if response.status in Response.AT_SCENE and response.at <= cutoff:
            overdue.setdefault(incident_id, []).append(response)
    return overdue


def raise_missed_check_ins(now=None) -> int:
    """Write a timeline line, once, for each responder who missed a check-in; return how many."""
    raised = 0
    open_with_people = Incident.objects.filter(
        state__in=Incident.OPEN_STATES, responses__status__in=Response.AT_SCENE
    ).distinct()
    for incident in open_with_people:
        for response in overdue_check_ins(incident, now):
            if response.alarm_raised_at is not None:
                continue
            with transaction.atomic():
                taken = Response.objects.filter(
                    pk=response.pk, alarm_raised_at__isnull=True
                ).update(alarm_raised_at=timezone.now())
                if taken:
                    log(
                        incident,
                        None,
                        "response.responder.check_in_missed",
                        person=response.person.display_name,
                        since=response.at.isoformat(),
                    )
                    raised += taken
    return raised
