"""What the incidents router reads and answers, and a recipient's answer to an alert."""

# ruff: noqa: UP040 (a choice is a TypeAlias: see tocsin/api/schemas.py)

from datetime import datetime
from typing import Annotated, Any, Literal, TypeAlias

from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import StringConstraints, field_validator
from pydantic_core import PydanticCustomError

from tocsin.api.schemas import Input, text
from tocsin.response.models import Incident, Report, Response, TimelineEntry
from tocsin.response.services.broadcast import ASKS, MAX_MESSAGE, MAX_RADIUS_M, PLACE
from tocsin.response.services.responses import MAX_ETA_MINUTES, MAX_NOTE
from tocsin.response.wording import SEEN

IncidentState: TypeAlias = Literal[tuple(Incident.State.values)]  # type: ignore[valid-type]
DismissReason: TypeAlias = Literal[tuple(Incident.DismissReason.values)]  # type: ignore[valid-type]
ResponseStatus: TypeAlias = Literal[tuple(Response.Status.values)]  # type: ignore[valid-type]
Ask: TypeAlias = Literal[ASKS]  # type: ignore[valid-type]
Seen: TypeAlias = Literal[tuple(SEEN)]  # type: ignore[valid-type]
Clock = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
]
Radius = Annotated[int, Field(ge=50, le=MAX_RADIUS_M, description="metres")]
Message = Annotated[str, text(MAX_MESSAGE)]


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
    note: Annotated[str, text(MAX_NOTE)] = ""


class ResponseOut(Schema):
    id: str
    status: ResponseStatus
