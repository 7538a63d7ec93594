"""Hotline cases, for the organization's hotline and each case's legal partner: open a case,
read it (audited, with the emergency plan it set off while it is open), log calls, visits
and hearings, move its state. And the audit log, for the organization's admins.

Anyone else, admins and dispatchers of the organization included, gets 404 for a case.
"""

from contextlib import suppress

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status

from tocsin.accounts.access import get_membership_for
from tocsin.accounts.models import Organization, Person
from tocsin.accounts.roles import Role
from tocsin.api.access import ANY_PERSON, CASE_READER
from tocsin.api.routers.common import READ, WRITE, annotate
from tocsin.audit.models import AuditEntry
from tocsin.audit.services import record
from tocsin.core.ids import as_uuid
from tocsin.hotline.models import Case, EmergencyPlan, Facility
from tocsin.hotline.services import cases, plans
from tocsin.response.models import Incident

from .schemas import AuditOut, CaseDetailOut, CaseEventIn, CaseEventOut, CaseIn, CaseOut, StateIn

router = Router(tags=["hotline"], auth=ANY_PERSON)


def detail(person: Person, case: Case) -> Case:
    """Return the case, with the plan it set off if the caller may read it (audited)."""
    annotate(case, plan_shown=plans.read_plan(person, case))
    return case


def member_of(organization: Organization, public_id: str | None) -> Person | None:
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
def create_case(request: HttpRequest, payload: CaseIn) -> Status:
    """Open a case; the plan's people and the organization's hotline are told at once.

    The hotline opens cases; a dispatcher may open one from an incident."""
    person = ANY_PERSON.of(request)
    membership = get_membership_for(person, payload.organization)
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
        person,
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
    record(person, "hotline.case.read", case)
    return Status(201, detail(person, case))


@router.get(
    "/cases/{case}",
    response={200: CaseDetailOut, **READ},
    auth=CASE_READER,
)
def get_case(request: HttpRequest, case: str) -> Case:
    """Show a case, its timeline, tasks and messages, and while it is open the emergency
    plan it set off. Each read is audited."""
    access = CASE_READER.of(request)
    record(access.person, "hotline.case.read", access.case)
    return detail(access.person, access.case)


@router.post(
    "/cases/{case}/events",
    response={201: CaseEventOut, **WRITE},
    auth=CASE_READER,
)
def add_case_event(request: HttpRequest, case: str, payload: CaseEventIn) -> Status:
    """Write a call, a visit, a hearing or a note on the case's timeline."""
    access = CASE_READER.of(request)
    event = cases.log_event(access.person, access.case, payload.kind, payload.note, payload.at)
    return Status(201, event)


@router.post(
    "/cases/{case}/state",
    response={200: CaseOut, **WRITE},
    auth=CASE_READER,
)
def change_case_state(request: HttpRequest, case: str, payload: StateIn):
    """Move the case on, or record a turn (released, transferred, removed) after which the
    case stays open; "closed" closes it, keeping its state and erasing its locator details
    (the rest is erased once the retention period has run from the close)."""
    access = CASE_READER.of(request)
    return cases.change_state(access.person, access.case, payload.state)


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
    membership = get_membership_for(ANY_PERSON.of(request), organization, Role.ADMIN)
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
