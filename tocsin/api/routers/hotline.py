"""Hotline cases, for the organization's hotline and each case's legal partner: open a case,
read it (audited, with the emergency plan it set off while it is open), log calls, visits
and hearings, move its state. And the audit log, for the organization's admins.

Anyone else, admins and dispatchers of the organization included, gets 404 for a case.
"""

from contextlib import suppress
from datetime import datetime
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from tocsin.accounts.access import get_membership_for
from tocsin.accounts.models import Person
from tocsin.accounts.roles import Role
from tocsin.audit.models import AuditEntry
from tocsin.audit.services import record
from tocsin.core.ids import as_uuid
from tocsin.hotline.models import Case, CaseEvent, EmergencyPlan, Facility
from tocsin.hotline.services import cases, plans

from ..access import BEARER, case_reader
from ..auth import ANY_PERSON
from ..schemas import Input, Language, Moment, text
from .common import READ, WRITE

router = Router(tags=["hotline"], auth=ANY_PERSON)

CaseState = Literal[tuple(Case.State.values)]  # type: ignore[valid-type]
Agency = Literal[tuple(Case.Agency.values)]  # type: ignore[valid-type]
EventKind = Literal[tuple(CaseEvent.LOGGED_BY_HAND)]  # type: ignore[valid-type]


class PersonIn(Input):
    name: text(120)
    relation: text(20) = "relative"
    channel: Literal["sms", "signal", "email"]
    address: text(200)
    language: Language = "en"


class CaseIn(Input):
    organization: str = Field(description="the organization's short name")
    name: text(cases.MAX_NAME) = Field("", description="the person's name or an alias")
    member: str | None = Field(None, description="a member's public id")
    for_household: bool = Field(
        False, description="the person taken is someone the member's plan covers"
    )
    taken_at: Moment | None = None
    taken_where: text(cases.MAX_TEXT) = ""
    agency: Agency = "unknown"
    facility: str | None = Field(None, description="a facility code from the organization's list")
    facility_text: text(cases.MAX_TEXT) = ""
    locator: text(cases.MAX_NAME) = Field("", description="an A-number or booking number")
    incident: str | None = Field(None, description="the incident's id")
    family: list[PersonIn] = Field(default_factory=list, max_length=cases.MAX_FAMILY)


class CaseEventIn(Input):
    kind: EventKind
    note: text(cases.MAX_NOTE)
    at: Moment | None = None


class StateIn(Input):
    state: CaseState


class CaseEventOut(Schema):
    kind: str
    at: datetime
    actor: str = Field(description="who wrote it")
    note: str
    detail: dict[str, Any]

    @staticmethod
    def resolve_actor(event: CaseEvent) -> str:
        return event.actor_label


class TaskOut(Schema):
    id: str
    title: str
    due_at: datetime
    done_at: datetime | None

    @staticmethod
    def resolve_id(task) -> str:
        return task.code


class MessageOut(Schema):
    kind: str
    relation: str
    channel: str
    status: str
    sent_at: datetime | None


class CaseOut(Schema):
    id: str
    code: str
    organization: str
    state: CaseState
    name: str
    member: str | None
    taken_at: datetime | None
    taken_where: str
    agency: Agency
    facility: str | None
    facility_text: str
    locator: str
    incident: str | None
    case_worker: str | None
    legal_partner: str | None
    opened_via: str
    opened_at: datetime
    ended_at: datetime | None

    @staticmethod
    def resolve_id(case: Case) -> str:
        return str(case.public_id)

    @staticmethod
    def resolve_organization(case: Case) -> str:
        return case.organization.slug

    @staticmethod
    def resolve_member(case: Case) -> str | None:
        return str(case.person.public_id) if case.person else None

    @staticmethod
    def resolve_facility(case: Case) -> str | None:
        return case.facility.code if case.facility else None

    @staticmethod
    def resolve_incident(case: Case) -> str | None:
        return str(case.incident.public_id) if case.incident else None

    @staticmethod
    def resolve_case_worker(case: Case) -> str | None:
        return str(case.case_worker.public_id) if case.case_worker else None

    @staticmethod
    def resolve_legal_partner(case: Case) -> str | None:
        return str(case.legal_partner.public_id) if case.legal_partner else None


class CaseDetailOut(CaseOut):
    events: list[CaseEventOut]
    tasks: list[TaskOut]
    messages: list[MessageOut]
    plan: dict[str, Any] | None = Field(
        None, description="the emergency plan the case set off, while the case is open"
    )

    @staticmethod
    def resolve_events(case: Case) -> list:
        return list(case.events.all())

    @staticmethod
    def resolve_tasks(case: Case) -> list:
        return list(case.tasks.all())

    @staticmethod
    def resolve_messages(case: Case) -> list:
        return list(case.messages.all())

    @staticmethod
    def resolve_plan(case: Case) -> dict | None:
        return getattr(case, "plan_shown", None)


def detail(request: HttpRequest, case: Case) -> Case:
    """Return the case, with the plan it set off if the caller may read it (audited)."""
    case.plan_shown = plans.read_plan(request.auth, case)
    return case


def member_of(organization, public_id: str | None) -> Person | None:
    if public_id is None:
        return None
    try:
        uuid = as_uuid(public_id)
    except Http404:
        raise ValidationError({"member": _("Give a member's id.")}) from None
    person = Person.objects.filter(
        public_id=uuid, memberships__organization=organization, memberships__active=True
    ).first()
    if person is None:
        raise ValidationError({"member": _("No member of this organization has that id.")})
    return person


@router.post("/cases", response={201: CaseDetailOut, **WRITE})
def create_case(request: HttpRequest, payload: CaseIn):
    """Open a case; the plan's people and the organization's hotline are told at once.

    The hotline opens cases; a dispatcher may open one from an incident."""
    membership = get_membership_for(request.auth, payload.organization)
    if not membership.has(Role.HOTLINE) and not (
        membership.has(Role.DISPATCHER) and payload.incident
    ):
        raise Http404
    organization = membership.organization
    member = member_of(organization, payload.member)
    facility = None
    if payload.facility is not None:
        facility = Facility.objects.filter(organization=organization, code=payload.facility).first()
        if facility is None:
            raise ValidationError(
                {"facility": _("Choose a facility from your organization's list.")}
            )
    incident = None
    if payload.incident is not None:
        from tocsin.response.models import Incident

        try:
            incident = Incident.objects.filter(
                organization=organization, public_id=as_uuid(payload.incident)
            ).first()
        except Http404:
            incident = None
        # An unverified report is for dispatchers (decision 0007): to anyone else an
        # unverified incident's id is answered as one that does not exist.
        if incident is not None and not (incident.verified or membership.has(Role.DISPATCHER)):
            incident = None
        if incident is None:
            raise ValidationError({"incident": _("No incident of this organization has that id.")})
    plan = EmergencyPlan.objects.filter(person=member).first() if member else None
    case = cases.open_case(
        request.auth,
        organization,
        cases.CaseInput(
            name=payload.name,
            taken_at=payload.taken_at,
            taken_where=payload.taken_where,
            agency=payload.agency,
            facility=facility,
            facility_text=payload.facility_text,
            locator=payload.locator,
            family=[person.dict() for person in payload.family],
        ),
        Case.OpenedVia.API,
        person=None if payload.for_household else member,
        plan=plan,
        incident=incident,
    )
    if not membership.has(Role.HOTLINE):
        return Status(
            201, {**CaseOut.from_orm(case).dict(), "events": [], "tasks": [], "messages": []}
        )
    record(request.auth, "hotline.case.read", case)
    return Status(201, detail(request, case))


@router.get(
    "/cases/{case}",
    response={200: CaseDetailOut, **READ},
    auth=case_reader,
    openapi_extra=BEARER,
)
def get_case(request: HttpRequest, case: str):
    """Show a case, its timeline, tasks and messages, and while it is open the emergency
    plan it set off. Each read is audited."""
    record(request.auth, "hotline.case.read", request.case)
    return detail(request, request.case)


@router.post(
    "/cases/{case}/events",
    response={201: CaseEventOut, **WRITE},
    auth=case_reader,
    openapi_extra=BEARER,
)
def add_case_event(request: HttpRequest, case: str, payload: CaseEventIn):
    """Write a call, a visit, a hearing or a note on the case's timeline."""
    event = cases.log_event(request.auth, request.case, payload.kind, payload.note, payload.at)
    return Status(201, event)


@router.post(
    "/cases/{case}/state",
    response={200: CaseOut, **WRITE},
    auth=case_reader,
    openapi_extra=BEARER,
)
def change_case_state(request: HttpRequest, case: str, payload: StateIn):
    """Move the case on, or record a turn (released, transferred, removed) after which the
    case stays open; "closed" closes it, keeping its state and erasing its locator details
    (the rest is erased once the retention period has run from the close)."""
    return cases.change_state(request.auth, request.case, payload.state)


class AuditOut(Schema):
    at: datetime
    actor: str = Field(description="the actor's public id, or what the log kept of them")
    action: str
    object_type: str
    object_id: str
    detail: dict[str, Any]

    @staticmethod
    def resolve_actor(entry: AuditEntry) -> str:
        return str(entry.actor.public_id) if entry.actor else entry.actor_label


@router.get("/audit", response={200: list[AuditOut], **READ})
def list_audit(
    request: HttpRequest,
    organization: str,
    object: str | None = None,
    limit: int = 100,
):
    """The organization's audit log, newest first, for its admins: who read or changed
    what, and when. `object` narrows it to one object's id (a case's code or id, say); at
    most `limit` entries (100, up to 500)."""
    membership = get_membership_for(request.auth, organization, Role.ADMIN)
    entries = AuditEntry.objects.filter(organization=membership.organization).select_related(
        "actor"
    )
    if object:
        # The log names a case by its code; its id finds the same entries.
        wanted = {object}
        with suppress(Http404):  # not a case's id
            wanted.update(
                Case.objects.filter(
                    organization=membership.organization, public_id=as_uuid(object)
                ).values_list("code", flat=True)
            )
        entries = entries.filter(Q(object_id__in=wanted) | Q(detail__case__in=wanted))
    return list(entries.order_by("-at", "-id")[: max(1, min(limit, 500))])
