"""The incident's record, for the union's lawyers: a printable page, the same as CSV, and
the incident's photos.

The record never says who reported: no callback, no reporter, no rate key. What an inbound
message said is shown as its text, without its sender, until retention erases it. Each
read writes an audit entry.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.cache import never_cache

from tocsin.accounts.access import org_context, org_view
from tocsin.accounts.models import Membership
from tocsin.accounts.roles import Role
from tocsin.audit.services import record
from tocsin.core.csv import csv_response, csv_time
from tocsin.delivery.status import LABELS as DELIVERY_LABELS
from tocsin.delivery.status import alert_status

from ..access import get_incident_for, get_photo_for
from ..models import Incident, Photo
from ..services.broadcast import summary
from ..timeline_text import said, sentence
from ..titles import incident_title


@dataclass
class ReportLine:
    """What a report said, and nothing about who said it."""

    public_id: str
    source: str
    agents: int | None
    vehicles: int | None
    activity: str
    location: str
    pin: str  # "44.972700, -93.262200" in every language, or ""
    uniform: str
    equipment: str
    seen_at: datetime
    received_at: datetime
    message_text: str
    entered_by: str
    sender_erased_at: datetime | None
    photos: list[str] = field(default_factory=list)


@dataclass
class AlertLine:
    public_id: str
    kind: str
    sent_at: datetime | None
    created_at: datetime
    sent_by: str
    message: str
    audience_size: int
    deliveries: list[tuple[str, int]]


@dataclass
class ResponseLine:
    person: str
    status: str
    eta_minutes: int | None
    note: str
    at: datetime
    photos: list[str] = field(default_factory=list)


@dataclass
class TimelineLine:
    at: datetime
    actor: str
    sentence: str
    said: str
    action: str
    detail: dict


def photo_urls(incident: Incident, org: str) -> tuple[dict, dict, list[str]]:
    """Return the photo view's URLs by report id and by response id, and the others."""
    by_report: dict[int, list[str]] = {}
    by_response: dict[int, list[str]] = {}
    loose: list[str] = []
    photos = Photo.objects.filter(incident=incident).only("code", "report_id", "response_id")
    for photo in photos.order_by("created_at", "pk"):
        url = reverse("response:photo", kwargs={"org": org, "photo": photo.code})
        if photo.report_id is not None:
            by_report.setdefault(photo.report_id, []).append(url)
        elif photo.response_id is not None:
            by_response.setdefault(photo.response_id, []).append(url)
        else:
            loose.append(url)
    return by_report, by_response, loose


def report_lines(incident: Incident, photos: dict[int, list[str]]) -> list[ReportLine]:
    reports = (
        incident.reports.defer("callback", "reporter", "inbound_key")
        .select_related("entered_by")
        .order_by("received_at", "pk")
    )
    return [
        ReportLine(
            public_id=str(report.public_id),
            source=report.get_source_display(),
            agents=report.agents,
            vehicles=report.vehicles,
            activity=report.activity,
            location=report.location,
            pin=f"{report.lat}, {report.lng}" if report.located else "",
            uniform=report.uniform,
            equipment=report.equipment,
            seen_at=report.seen_at,
            received_at=report.received_at,
            message_text=report.raw_text,
            entered_by=report.entered_by.display_name if report.entered_by else "",
            sender_erased_at=report.sender_erased_at,
            photos=photos.get(report.pk, []),
        )
        for report in reports
    ]


def alert_lines(incident: Incident) -> list[AlertLine]:
    lines = []
    for alert in incident.alerts.select_related("created_by").order_by("created_at", "pk"):
        status = alert_status(alert)
        lines.append(
            AlertLine(
                public_id=str(alert.public_id),
                kind=alert.get_kind_display(),
                sent_at=alert.sent_at,
                created_at=alert.created_at,
                sent_by=alert.created_by.display_name if alert.created_by else "",
                message=summary(alert.context) if "seen" in alert.context else alert.what,
                audience_size=status["audience_size"],
                deliveries=[
                    (str(DELIVERY_LABELS[state]), count)
                    for state, count in status["deliveries"].items()
                ],
            )
        )
    return lines


def response_lines(incident: Incident, photos: dict[int, list[str]]) -> list[ResponseLine]:
    responses = incident.responses.select_related("person").order_by("at", "pk")
    return [
        ResponseLine(
            person=response.person.display_name,
            status=response.get_status_display(),
            eta_minutes=response.eta_minutes,
            note=response.note,
            at=response.at,
            photos=photos.get(response.pk, []),
        )
        for response in responses
    ]


def timeline_lines(incident: Incident) -> list[TimelineLine]:
    return [
        TimelineLine(
            at=entry.at,
            actor=entry.actor_label,
            sentence=sentence(entry.action, entry.said),
            said=said(entry.said),
            action=entry.action,
            detail=entry.said,
        )
        for entry in incident.timeline.order_by("at", "pk")
    ]


def record_of(incident: Incident, org: str) -> dict:
    """Return everything the record shows of the incident, in the active language."""
    by_report, by_response, loose = photo_urls(incident, org)
    return {
        "incident": incident,
        "title": incident_title(incident),
        "reports": report_lines(incident, by_report),
        "alerts": alert_lines(incident),
        "responses": response_lines(incident, by_response),
        "timeline": timeline_lines(incident),
        "other_photos": loose,
    }


@never_cache
@org_view(Role.DISPATCHER)
def incident_record(
    request: HttpRequest, membership: Membership, org: str, incident: str
) -> HttpResponse:
    """The printable record of one incident, from its first report to its end."""
    found = get_incident_for(membership, incident)
    record(membership.person, "response.record.read", found, organization=found.organization)
    context = record_of(found, org)
    context.update(
        org_context(membership),
        time_zone=timezone.get_current_timezone_name(),
        printed_at=timezone.now(),
    )
    return render(request, "response/record.html", context)


def joined(pairs) -> str:
    """Return "name: value; …" for the pairs whose value is not empty."""
    return "; ".join(f"{name}: {value}" for name, value in pairs if value not in (None, ""))


def csv_rows(context: dict) -> list[tuple[datetime, int, list[str]]]:
    """Return the record's events as (when, order, row), one row per event."""
    rows: list[tuple[datetime, int, list[str]]] = []
    for report in context["reports"]:
        detail = joined(
            [
                (_("agents"), report.agents),
                (_("vehicles"), report.vehicles),
                (_("activity"), report.activity),
                (_("location"), report.location),
                (_("pin"), report.pin),
                (_("uniform"), report.uniform),
                (_("equipment"), report.equipment),
                (_("seen at"), csv_time(report.seen_at)),
                (_("message text"), report.message_text),
                (_("photos"), len(report.photos) or None),
                (_("sender details erased at"), csv_time(report.sender_erased_at)),
            ]
        )
        what = _("Report %(report)s (%(source)s)") % {
            "report": report.public_id[:8],
            "source": report.source,
        }
        row = [pgettext("record kind", "report"), report.entered_by, what, detail]
        rows.append((report.received_at, 0, [csv_time(report.received_at), *row]))
    for alert in context["alerts"]:
        detail = joined(
            [
                (_("message"), alert.message),
                (_("audience"), alert.audience_size),
                *alert.deliveries,
            ]
        )
        at = alert.sent_at or alert.created_at
        row = [pgettext("record kind", "alert"), alert.sent_by, alert.kind, detail]
        rows.append((at, 1, [csv_time(at), *row]))
    for response in context["responses"]:
        detail = joined(
            [
                (_("ETA (minutes)"), response.eta_minutes),
                (_("note"), response.note),
                (_("photos"), len(response.photos) or None),
            ]
        )
        row = [pgettext("record kind", "response"), response.person, response.status, detail]
        rows.append((response.at, 2, [csv_time(response.at), *row]))
    for entry in context["timeline"]:
        detail = joined(sorted(entry.detail.items()))
        row = [pgettext("record kind", "timeline"), entry.actor, entry.sentence, detail]
        rows.append((entry.at, 3, [csv_time(entry.at), *row]))
    return sorted(rows, key=lambda item: (item[0], item[1]))


@never_cache
@org_view(Role.DISPATCHER)
def incident_record_csv(
    request: HttpRequest, membership: Membership, org: str, incident
) -> HttpResponse:
    """The record as CSV, one row per event, for a spreadsheet (UTF-8 with a BOM for Excel)."""
    found = get_incident_for(membership, incident)
    record(membership.person, "response.record.exported", found, organization=found.organization)
    header = [
        pgettext("record column", "at"),
        pgettext("record column", "kind"),
        pgettext("record column", "actor"),
        pgettext("record column", "what"),
        pgettext("record column", "detail"),
    ]
    rows = [row for _at, _order, row in csv_rows(record_of(found, org))]
    return csv_response(header, rows, f"incident-{found.short_id}-record.csv")


@never_cache
@org_view(Role.DISPATCHER)
def incident_photo(
    request: HttpRequest, membership: Membership, org: str, photo: str
) -> HttpResponse:
    """A photo of an incident the dispatcher may see, decrypted, never cached."""
    found = get_photo_for(membership, photo)
    record(
        membership.person, "response.photo.viewed", found, organization=found.incident.organization
    )
    response = HttpResponse(found.image, content_type="image/jpeg")
    response["Content-Disposition"] = f'inline; filename="photo-{found.code}.jpg"'
    return response
