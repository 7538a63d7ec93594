"""The hotline's cases of detained people: open one, read it, log what happens, move it on.

Only the organization's hotline and the case's legal partner see a case; anyone else,
dispatchers and admins of its organization included, gets 404 (tocsin.hotline.access). A
dispatcher may open a case from an incident, as on the screens, but does not see it
afterwards. Reading a case is audited, and so is reading the emergency plan it set off,
which is shown only while the case is open.
"""

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.errors import AuthorizationError

from tocsin.accounts.models import Membership, Organization, Person
from tocsin.accounts.roles import Role
from tocsin.core.access import get_membership_for
from tocsin.hotline.access import HOTLINE, read_case
from tocsin.hotline.models import Case, CaseEvent, CaseMessage, CaseTask, EmergencyPlan, Facility
from tocsin.hotline.services import cases as case_changes
from tocsin.hotline.services import plans
from tocsin.response.models import Incident

from ..access import BEARER, reader_of_case
from ..auth import ANY_PERSON, ANY_ROLE
from ..schemas import Code, text
from .common import READ, WRITE
from .reports import SeenAt

router = Router(tags=["cases"], auth=ANY_PERSON)

# Who may open a case: the hotline, and a dispatcher from an incident.
OPENERS = Role.HOTLINE | Role.DISPATCHER
# The services name the member a case is about `person`, and the plan it set off `plan`;
# the API names both after the body's `member`.
SERVICE_FIELDS = {"person": "member", "plan": "member"}

CaseState = Literal[tuple(Case.State.values)]  # type: ignore[valid-type]
Agency = Literal[tuple(Case.Agency.values)]  # type: ignore[valid-type]
EventKind = Literal[tuple(CaseEvent.Kind.values)]  # type: ignore[valid-type]
LoggedKind = Literal[tuple(kind.value for kind in CaseEvent.LOGGED_BY_HAND)]  # type: ignore[valid-type]
Relation = Literal[plans.RELATIONS]  # type: ignore[valid-type]
ContactChannel = Literal[plans.CHANNELS]  # type: ignore[valid-type]
Language = Literal[plans.LANGUAGES]  # type: ignore[valid-type]
Moment = SeenAt


class FamilyIn(Schema):
    """Someone the hotline keeps informed besides the plan's people (a caller from the
    family)."""

    name: text(plans.MAX_NAME)
    relation: Relation
    channel: ContactChannel
    address: text(254) = Field(description="a phone number for sms and signal, else an email")
    language: Language = "en"


class CaseIn(Schema):
    organization: text(60, 1) = Field(description="the slug of the organization whose case")
    name: text(case_changes.MAX_NAME) = Field(
        "", description="the person's name or alias; the member's name if empty"
    )
    member: uuid.UUID | None = Field(
        None, description="the public id of the member taken, or whose plan covers the person"
    )
    for_household: bool = Field(
        False, description="the person taken is someone the member's plan covers, not them"
    )
    taken_at: Moment | None = Field(None, description="when; now if not given")
    taken_where: text(case_changes.MAX_TEXT) = Field(
        "", description="where, in words; the incident's place if empty"
    )
    agency: Agency = "unknown"
    facility: Code | None = Field(None, description="the code of a facility on the list")
    facility_text: text(case_changes.MAX_TEXT) = Field(
        "", description="the facility as the caller said it"
    )
    locator: text(case_changes.MAX_NAME) = Field(
        "", description="an A-number or booking number; erased when the case ends"
    )
    incident: uuid.UUID | None = Field(None, description="the incident it happened at")
    family: Annotated[list[FamilyIn], Field(max_length=case_changes.MAX_FAMILY)] = []


class EventIn(Schema):
    kind: LoggedKind
    note: text(case_changes.MAX_NOTE) = Field(description="what happened")
    at: Moment | None = Field(None, description="when; now if not given")


class StateIn(Schema):
    state: CaseState


class CaseEventOut(Schema):
    kind: EventKind
    at: datetime
    actor_label: str = Field(description="the display name of who wrote it, if someone did")
    note: str
    detail: dict[str, Any] = Field(description="states, counts and ids")

    @staticmethod
    def resolve_detail(line: CaseEvent) -> dict[str, Any]:
        return line.detail if isinstance(line.detail, dict) else {}


class CaseTaskOut(Schema):
    code: str
    title: str
    due_at: datetime
    assigned_to: uuid.UUID | None = Field(description="the public id of its owner")
    done_at: datetime | None

    @staticmethod
    def resolve_assigned_to(task: CaseTask) -> uuid.UUID | None:
        return task.assigned_to.public_id if task.assigned_to else None


class CaseMessageOut(Schema):
    """A message to someone outside Tocsin: to whom it went, never their address."""

    kind: Literal[tuple(CaseMessage.Kind.values)]  # type: ignore[valid-type]
    relation: str
    channel: str
    status: Literal[tuple(CaseMessage.Status.values)]  # type: ignore[valid-type]
    created_at: datetime
    sent_at: datetime | None


class PlanPersonOut(Schema):
    name: str
    relation: str = ""
    channel: str
    address: str
    language: str


class PlanOut(Schema):
    """The emergency plan the case set off, as its member wrote it."""

    member: uuid.UUID = Field(description="the public id of the member whose plan it is")
    contacts: list[PlanPersonOut]
    lawyer: PlanPersonOut | None
    message: str
    children: str
    pickup: str
    medication: str
    pets: str
    documents: str
    covers: str = Field(description="who else the plan covers")

    @staticmethod
    def of(case: Case, content: dict) -> "PlanOut":
        assert case.plan is not None
        return PlanOut(
            member=case.plan.person.public_id,
            contacts=[PlanPersonOut(**person) for person in content.get("contacts", [])],
            lawyer=PlanPersonOut(**content["lawyer"]) if content.get("lawyer") else None,
            message=content.get("message", ""),
            **{name: content.get(name, "") for name in plans.CARE_FIELDS},
        )


class CaseOut(Schema):
    id: str
    code: str = Field(description="the case's short code, read aloud between volunteers")
    organization: str = Field(description="the slug of the case's organization")
    state: CaseState
    opened_via: Literal[tuple(Case.OpenedVia.values)]  # type: ignore[valid-type]
    member: uuid.UUID | None = Field(description="the public id of the member taken, if one was")
    name: str
    taken_at: datetime | None
    taken_where: str
    agency: Agency
    facility: str | None = Field(description="the facility's code")
    facility_text: str
    locator: str
    incident: str | None = Field(description="the public id of the incident it came from")
    case_worker: uuid.UUID | None = Field(description="the case worker's public id")
    legal_partner: uuid.UUID | None = Field(description="the legal partner's public id")
    opened_at: datetime
    ended_at: datetime | None
    events: list[CaseEventOut]
    tasks: list[CaseTaskOut]
    messages: list[CaseMessageOut]

    @staticmethod
    def resolve_id(case: Case) -> str:
        return str(case.public_id)

    @staticmethod
    def resolve_organization(case: Case) -> str:
        return case.organization.slug

    @staticmethod
    def resolve_member(case: Case) -> uuid.UUID | None:
        return case.person.public_id if case.person else None

    @staticmethod
    def resolve_facility(case: Case) -> str | None:
        return case.facility.code if case.facility else None

    @staticmethod
    def resolve_incident(case: Case) -> str | None:
        return str(case.incident.public_id) if case.incident else None

    @staticmethod
    def resolve_case_worker(case: Case) -> uuid.UUID | None:
        return case.case_worker.public_id if case.case_worker else None

    @staticmethod
    def resolve_legal_partner(case: Case) -> uuid.UUID | None:
        return case.legal_partner.public_id if case.legal_partner else None

    @staticmethod
    def resolve_events(case: Case) -> list[CaseEvent]:
        return list(case.events.all())

    @staticmethod
    def resolve_tasks(case: Case) -> list[CaseTask]:
        return list(case.tasks.select_related("assigned_to"))

    @staticmethod
    def resolve_messages(case: Case) -> list[CaseMessage]:
        return list(case.messages.all())


class CaseDetailOut(CaseOut):
    plan: PlanOut | None = Field(
        description="the emergency plan the case set off, while the case is open (audited)"
    )

    @staticmethod
    def resolve_plan(case: Case) -> PlanOut | None:
        content = getattr(case, "plan_content", None)
        return PlanOut.of(case, content) if content is not None else None


def renamed(error: ValidationError) -> ValidationError:
    """Return a service's error with its fields named as the API's body names them."""
    if not hasattr(error, "error_dict"):
        return error
    fields: dict[str, list[ValidationError]] = {}
    for name, errors in error.error_dict.items():
        fields.setdefault(SERVICE_FIELDS.get(name, name), []).extend(errors)
    return ValidationError(fields)


def opener_in(person: Person, slug: str) -> Membership:
    """Return the person's membership in the organization if it may open cases there; 404
    for anyone who is not a member, 403 for a member without the role."""
    membership = get_membership_for(person, slug, ANY_ROLE)
    if not membership.has(OPENERS):
        raise AuthorizationError(message=_("Your role in this organization does not allow this."))
    return membership


def member_named(organization: Organization, public_id: uuid.UUID | None) -> Person | None:
    if public_id is None:
        return None
    membership = (
        organization.memberships.select_related("person")
        .filter(person__public_id=public_id, person__is_active=True, active=True)
        .first()
    )
    if membership is None:
        raise ValidationError({"member": _("No member with this id here.")})
    return membership.person


def facility_named(organization: Organization, code: str | None) -> Facility | None:
    if code is None:
        return None
    facility = Facility.objects.filter(organization=organization, code=code).first()
    if facility is None:
        raise ValidationError(
            {"facility": _("No facility with code %(code)s here.") % {"code": code}}
        )
    return facility


def incident_named(organization: Organization, public_id: uuid.UUID | None) -> Incident | None:
    if public_id is None:
        return None
    incident = Incident.objects.filter(organization=organization, public_id=public_id).first()
    if incident is None:
        raise ValidationError({"incident": _("No incident with this id here.")})
    return incident


@router.post("/cases", response={201: CaseOut, **WRITE})
def open_case(request: HttpRequest, payload: CaseIn):
    """Open a case; the plan's people and the organization's hotline are told at once.

    With `member`, the case sets off that member's emergency plan, if they wrote one: for
    them, or with `for_household` for someone it covers (then `name` is needed). Without the
    hotline role, a dispatcher opens a case only from an `incident`. The answer shows no plan.
    """
    membership = opener_in(request.auth, payload.organization)
    organization = membership.organization
    errors: dict[str, list[str]] = {}
    found: dict[str, Any] = {}
    for name, lookup in (
        ("member", member_named),
        ("facility", facility_named),
        ("incident", incident_named),
    ):
        try:
            found[name] = lookup(organization, getattr(payload, name))
        except ValidationError as error:
            errors.update(error.message_dict)
    if "incident" not in errors and found.get("incident") is None and not membership.has(HOTLINE):
        errors["incident"] = [_("Without the hotline role, open a case from an incident.")]
    if "member" not in errors and payload.for_household and found.get("member") is None:
        errors["member"] = [_("Give the member whose plan covers the person taken.")]
    if errors:
        raise ValidationError(errors)
    member, incident = found["member"], found["incident"]
    data = case_changes.CaseInput(
        name=payload.name,
        taken_at=payload.taken_at,
        taken_where=payload.taken_where or (incident.where if incident else ""),
        agency=payload.agency,
        facility=found["facility"],
        facility_text=payload.facility_text,
        locator=payload.locator,
        family=[person.model_dump() for person in payload.family],
    )
    try:
        case = case_changes.open_case(
            request.auth,
            organization,
            data,
            Case.OpenedVia.API,
            person=None if payload.for_household else member,
            plan=EmergencyPlan.objects.filter(person=member).first() if member else None,
            incident=incident,
        )
    except ValidationError as error:
        raise renamed(error) from None
    return Status(201, case)


@router.get(
    "/cases/{case}",
    response={200: CaseDetailOut, **READ},
    auth=reader_of_case,
    openapi_extra=BEARER,
)
def get_case(request: HttpRequest, case: str):
    """Show a case, by its code, with its timeline, tasks, messages and, while it is open,
    the emergency plan it set off. Both reads are audited."""
    found = read_case(request.membership, case)
    found.plan_content = plans.read_plan(request.auth, found)
    return found


@router.post(
    "/cases/{case}/events",
    response={201: CaseEventOut, **WRITE},
    auth=reader_of_case,
    openapi_extra=BEARER,
)
def log_case_event(request: HttpRequest, case: str, payload: EventIn):
    """Write down a call, a visit, a hearing or a note on the case's timeline."""
    line = case_changes.log_event(
        request.auth, request.case, payload.kind, payload.note, payload.at
    )
    return Status(201, line)


@router.post(
    "/cases/{case}/state",
    response={200: CaseOut, **WRITE},
    auth=reader_of_case,
    openapi_extra=BEARER,
)
def change_case_state(request: HttpRequest, case: str, payload: StateIn):
    """Move the case on (located, counsel_assigned, hearing_scheduled) or end it (released,
    transferred, removed, closed); an ended case erases its locator details. A case does not
    go back, and an ended one does not change. The answer shows the case (audited)."""
    case_changes.change_state(request.auth, request.case, payload.state)
    return read_case(request.membership, case)
