"""Incidents, for their dispatchers: list, read, claim, verify, confirm, dismiss, retract,
give the all-clear; and the answers of the people their alerts reach.

A dispatcher sees the incidents of every organization where they dispatch (and of those
that share dispatch with it); anyone else gets an empty list and 404. Reading an incident
shows what its reports say, never who sent them or how to reach them, and is audited.
"""

from datetime import datetime
from typing import Annotated, Any, Literal

from django.db.models import Count
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import StringConstraints, field_validator
from pydantic_core import PydanticCustomError

from tocsin.audit.services import record
from tocsin.delivery.rendering import SEEN
from tocsin.response.models import Incident, Report, Response, TimelineEntry
from tocsin.response.services import broadcast
from tocsin.response.services import incidents as incident_changes
from tocsin.response.services.broadcast import (
    ASKS,
    MAX_MESSAGE,
    MAX_RADIUS_M,
    PLACE,
    AlertFacts,
)
from tocsin.response.services.responses import MAX_ETA_MINUTES, MAX_NOTE, record_response

from ..access import BEARER, dispatchable_incidents, dispatcher_of_incident, recipient_of_alert
from ..auth import ANY_PERSON
from ..schemas import Input, text
from .common import READ, WRITE

router = Router(tags=["incidents"], auth=ANY_PERSON)

IncidentState = Literal[tuple(Incident.State.values)]  # type: ignore[valid-type]
DismissReason = Literal[tuple(Incident.DismissReason.values)]  # type: ignore[valid-type]
ResponseStatus = Literal[tuple(Response.Status.values)]  # type: ignore[valid-type]
Ask = Literal[ASKS]  # type: ignore[valid-type]
Seen = Literal[tuple(SEEN)]  # type: ignore[valid-type]
Clock = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
]
Radius = Annotated[int, Field(ge=50, le=MAX_RADIUS_M, description="metres")]
Message = text(MAX_MESSAGE)


class IncidentOut(Schema):
    id: str
    organization: str = Field(description="the slug of the incident's organization")
    state: IncidentState
    dismiss_reason: DismissReason | None
    where: str
    lat: float | None
    lng: float | None
    site: str | None = Field(description="the site's code")
    opened_at: datetime
    last_report_at: datetime
    claimed_by: str | None = Field(description="the display name of the dispatcher who has it")
    report_count: int

    @staticmethod
    def resolve_id(incident: Incident) -> str:
        return str(incident.public_id)

    @staticmethod
    def resolve_organization(incident: Incident) -> str:
        return incident.organization.slug

    @staticmethod
    def resolve_dismiss_reason(incident: Incident) -> str | None:
        return incident.dismiss_reason or None

    @staticmethod
    def resolve_lat(incident: Incident) -> float | None:
        return float(incident.lat) if incident.lat is not None else None

    @staticmethod
    def resolve_lng(incident: Incident) -> float | None:
        return float(incident.lng) if incident.lng is not None else None

    @staticmethod
    def resolve_site(incident: Incident) -> str | None:
        return incident.site.code if incident.site else None

    @staticmethod
    def resolve_claimed_by(incident: Incident) -> str | None:
        return incident.claimed_by.display_name if incident.claimed_by else None

    @staticmethod
    def resolve_report_count(incident: Incident) -> int:
        counted = getattr(incident, "report_count", None)
        return counted if counted is not None else incident.reports.count()


class ReportOut(Schema):
    """What a report says. Never who sent it or how to call them back; an inbound message's
    text is shown as `message_text` (it is what the report says), without its sender."""

    id: str
    source: str
    language: str
    site: str | None = Field(description="the site's code")
    lat: float | None
    lng: float | None
    location: str
    agents: int | None
    vehicles: int | None
    activity: str
    uniform: str
    equipment: str
    message_text: str = Field(description="the text of an SMS or Signal report, if any")
    seen_at: datetime
    received_at: datetime

    @staticmethod
    def resolve_id(report: Report) -> str:
        return str(report.public_id)

    @staticmethod
    def resolve_message_text(report: Report) -> str:
        return report.raw_text or ""

    @staticmethod
    def resolve_site(report: Report) -> str | None:
        return report.site.code if report.site else None

    @staticmethod
    def resolve_lat(report: Report) -> float | None:
        return float(report.lat) if report.lat is not None else None

    @staticmethod
    def resolve_lng(report: Report) -> float | None:
        return float(report.lng) if report.lng is not None else None


class IncidentAlertOut(Schema):
    id: str
    kind: str
    audience_size: int
    state: str

    @staticmethod
    def resolve_id(alert) -> str:
        return str(alert.public_id)


class TimelineOut(Schema):
    at: datetime
    actor_label: str
    action: str = Field(description="a dotted name: response.incident.confirmed")
    detail: dict[str, Any]

    @staticmethod
    def resolve_detail(entry: TimelineEntry) -> dict[str, Any]:
        return entry.said


class IncidentDetailOut(IncidentOut):
    reports: list[ReportOut]
    alerts: list[IncidentAlertOut]
    timeline: list[TimelineOut]

    @staticmethod
    def resolve_reports(incident: Incident) -> list[Report]:
        return list(incident.reports.select_related("site"))

    @staticmethod
    def resolve_alerts(incident: Incident) -> list:
        return list(incident.alerts.order_by("created_at", "pk"))

    @staticmethod
    def resolve_timeline(incident: Incident) -> list[TimelineEntry]:
        return list(incident.timeline.all())


class AlertSent(Schema):
    alert_id: str
    audience_size: int


class ClaimIn(Input):
    take_over: bool = Field(False, description="take it from the dispatcher who has it")


class VerifyRequestIn(Input):
    radius_m: Radius
    message: Message = Field("", description="what verifiers are asked to look for")


class ConfirmIn(Input):
    """A verified alert's facts, said to each recipient in their language, and the
    dispatcher's own words per language (decision 0018)."""

    seen: list[Seen] = Field(min_length=1, description="what was seen: one or more")
    radius_m: Radius
    site: str = Field(
        "",
        max_length=12,
        description=(
            f"where: the code of one of the organization's sites, or {PLACE!r} for the "
            "incident's place in words; empty: the incident's site, else its place"
        ),
    )
    since: Clock | Literal[""] = Field(
        "", description="local time HH:MM; empty: when the first report says it began"
    )
    until: Clock | Literal[""] = Field("", description="local time HH:MM, optional")
    ask: Ask = Field("stay_away", description="what people are asked to do")
    notes: dict[str, Message] = Field(
        default_factory=dict,
        description=(
            "the dispatcher's own words by language code (the server's languages); each "
            "goes only to people of that language"
        ),
    )
    message: Any = Field(
        None,
        description="no longer taken: say what was seen in `seen`, your own words in `notes`",
    )
    where: Any = Field(None, description="no longer taken: use `site`")

    @field_validator("message")
    @classmethod
    def refuse_message(cls, value):
        if value is not None:
            raise PydanticCustomError(
                "replaced",
                _(
                    "A verified alert is no longer one text: say what was seen in seen, "
                    "and write your own words per language in notes."
                ),
            )
        return value

    @field_validator("where")
    @classmethod
    def refuse_where(cls, value):
        if value is not None:
            raise PydanticCustomError(
                "replaced", _("Name the place with site: a site's code, or place.")
            )
        return value


class DismissIn(Input):
    reason: DismissReason


class FollowUpIn(Input):
    message: Message


class RetractIn(FollowUpIn):
    reason: DismissReason = Field("false_alarm", description="why the alert was wrong")


class ResponseIn(Input):
    status: ResponseStatus
    eta_minutes: Annotated[int, Field(ge=0, le=MAX_ETA_MINUTES)] | None = None
    note: text(MAX_NOTE) = ""


class ResponseOut(Schema):
    id: str
    status: ResponseStatus


def sent(alert) -> Status:
    return Status(201, {"alert_id": str(alert.public_id), "audience_size": alert.audience_size})


@router.get("/incidents", response={200: list[IncidentOut], **READ})
@paginate(LimitOffsetPagination, max_limit=500)
def list_incidents(request: HttpRequest, state: IncidentState | None = None):
    """List the incidents the caller dispatches, newest first, optionally in one state."""
    incidents = dispatchable_incidents(request.auth)
    if state is not None:
        incidents = incidents.filter(state=state)
    return (
        incidents.select_related("organization", "site", "claimed_by")
        .annotate(report_count=Count("reports"))
        .order_by("-opened_at", "-pk")
    )


@router.get(
    "/incidents/{incident}",
    response={200: IncidentDetailOut, **READ},
    auth=dispatcher_of_incident,
    openapi_extra=BEARER,
)
def get_incident(request: HttpRequest, incident: str):
    """Show an incident with what its reports say, its alerts and its timeline (audited)."""
    record(request.auth, "response.incident.read", request.incident)
    return request.incident


@router.post(
    "/incidents/{incident}/claim",
    response={200: IncidentOut, **WRITE},
    auth=dispatcher_of_incident,
    openapi_extra=BEARER,
)
def claim_incident(request: HttpRequest, incident: str, payload: ClaimIn | None = None):
    """Take the incident into your hands; someone else's only with take_over."""
    take_over = payload.take_over if payload is not None else False
    return incident_changes.claim_incident(request.auth, request.incident, take_over=take_over)


@router.post(
    "/incidents/{incident}/verify-requests",
    response={201: AlertSent, **WRITE},
    auth=dispatcher_of_incident,
    openapi_extra=BEARER,
)
def request_verification(request: HttpRequest, incident: str, payload: VerifyRequestIn):
    """Ask the verifiers within radius_m of the incident to go and look."""
    alert = broadcast.request_verification(
        request.auth, request.incident, radius_m=payload.radius_m, message=payload.message
    )
    return sent(alert)


@router.post(
    "/incidents/{incident}/confirm",
    response={201: AlertSent, **WRITE},
    auth=dispatcher_of_incident,
    openapi_extra=BEARER,
)
def confirm_incident(request: HttpRequest, incident: str, payload: ConfirmIn):
    """Confirm the incident and send the verified alert to everyone within radius_m."""
    facts = AlertFacts(
        seen=tuple(payload.seen),
        where=payload.site,
        since=payload.since,
        until=payload.until,
        ask=payload.ask,
        notes=dict(payload.notes),
    )
    alert = broadcast.confirm_incident(request.auth, request.incident, facts, payload.radius_m)
    return sent(alert)


@router.post(
    "/incidents/{incident}/dismiss",
    response={200: IncidentOut, **WRITE},
    auth=dispatcher_of_incident,
    openapi_extra=BEARER,
)
def dismiss_incident(request: HttpRequest, incident: str, payload: DismissIn):
    """Close an unconfirmed incident with a reason; nothing goes to members."""
    return incident_changes.dismiss_incident(request.auth, request.incident, payload.reason)


@router.post(
    "/incidents/{incident}/retract",
    response={201: AlertSent, **WRITE},
    auth=dispatcher_of_incident,
    openapi_extra=BEARER,
)
def retract_incident(request: HttpRequest, incident: str, payload: RetractIn):
    """Send a correction to everyone the verified alert reached, and close the incident."""
    alert = broadcast.retract_incident(
        request.auth, request.incident, payload.message, reason=payload.reason
    )
    return sent(alert)


@router.post(
    "/incidents/{incident}/all-clear",
    response={201: AlertSent, **WRITE},
    auth=dispatcher_of_incident,
    openapi_extra=BEARER,
)
def clear_incident(request: HttpRequest, incident: str, payload: FollowUpIn):
    """Send the all-clear to everyone the verified alert reached, and resolve the incident."""
    alert = broadcast.clear_incident(request.auth, request.incident, payload.message)
    return sent(alert)


@router.post(
    "/alerts/{alert}/responses",
    response={201: ResponseOut, **WRITE},
    auth=recipient_of_alert,
    openapi_extra=BEARER,
    tags=["alerts"],
)
def respond_to_alert(request: HttpRequest, alert: str, payload: ResponseIn):
    """Answer an alert you were sent: a verifier's finding, or a responder's movements."""
    response = record_response(request.auth, request.alert, **payload.model_dump())
    return Status(201, {"id": str(response.public_id), "status": response.status})
