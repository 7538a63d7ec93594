"""What the hotline router reads and answers, and the audit log's entries."""

# ruff: noqa: UP040 (a choice is a TypeAlias: see tocsin/api/schemas.py)

from datetime import datetime
from typing import Annotated, Any, Literal, TypeAlias

from ninja import Field, Schema

from tocsin.api.schemas import Input, Language, Moment, text
from tocsin.audit.models import AuditEntry
from tocsin.hotline.models import Case, CaseEvent
from tocsin.hotline.services import cases

CaseState: TypeAlias = Literal[tuple(Case.State.values)]  # type: ignore[valid-type]
Agency: TypeAlias = Literal[tuple(Case.Agency.values)]  # type: ignore[valid-type]
EventKind: TypeAlias = Literal[tuple(CaseEvent.LOGGED_BY_HAND)]  # type: ignore[valid-type]


class PersonIn(Input):
    name: Annotated[str, text(120)]
    relation: Annotated[str, text(20)] = "relative"
    channel: Literal["sms", "signal", "email"]
    address: Annotated[str, text(200)]
    language: Language = "en"


class CaseIn(Input):
    organization: str = Field(description="the organization's short name")
    name: Annotated[str, text(cases.MAX_NAME)] = Field(
        "", description="the person's name or an alias"
    )
    member: str | None = Field(None, description="a member's public id")
    for_household: bool = Field(
        False, description="the person taken is someone the member's plan covers"
    )
    taken_at: Moment | None = None
    taken_where: Annotated[str, text(cases.MAX_TEXT)] = ""
    agency: Agency = "unknown"
    facility: str | None = Field(None, description="a facility code from the organization's list")
    facility_text: Annotated[str, text(cases.MAX_TEXT)] = ""
    locator: Annotated[str, text(cases.MAX_NAME)] = Field(
        "", description="an A-number or booking number"
    )
    incident: str | None = Field(None, description="the incident's id")
    family: list[PersonIn] = Field(default_factory=list, max_length=cases.MAX_FAMILY)


class CaseEventIn(Input):
    kind: EventKind
    note: Annotated[str, text(cases.MAX_NOTE)]
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
