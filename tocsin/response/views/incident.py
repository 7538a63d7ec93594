"""An incident's page for its dispatchers: its reports, map, answers, alerts and timeline,
the parts of it that change (for the page to swap in), and a report's callback contact,
shown only on request and audited.
"""

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from tocsin.accounts.access import org_context, org_view
from tocsin.accounts.models import Membership
from tocsin.audit.services import record
from tocsin.core.ids import as_uuid
from tocsin.delivery.models import Alert

from .. import console_forms as forms
from ..access import get_incident_for
from ..models import Incident, Report, Response
from ..services import incidents, reads
from ..services.responses import latest_movements, overdue_check_ins
from ..timeline_text import sentence
from ..titles import incident_title
from .console import DISPATCHER, open_incidents


def alert_radius(incident: Incident, confirm_form) -> tuple[int, bool]:
    """Return the radius of the incident's verified alert and True once one was sent, else
    the radius being composed (the confirm form's) and False."""
    sent = incident.alerts.filter(kind=Alert.Kind.VERIFIED).order_by("-created_at").first()
    points = (sent.audience.get("points") if sent else None) or []
    if points:
        return int(points[0][2]), True
    if confirm_form is not None and confirm_form.is_bound and confirm_form.is_valid():
        return confirm_form.cleaned_data["radius_m"], False
    if confirm_form is not None and confirm_form.initial.get("radius_m"):
        return int(confirm_form.initial["radius_m"]), False
    return settings.TOCSIN_BROADCAST_RADIUS_M, False


def incident_map(incident: Incident, reports: list[Report], confirm_form=None) -> dict:
    """Return what the incident's map draws, as numbers JavaScript reads in any language:
    its point, its reports' pins and the area of the alert sent or being composed."""
    radius, sent = alert_radius(incident, confirm_form)
    return {
        "incident": (
            {"lat": float(incident.lat), "lng": float(incident.lng)}
            if incident.lat is not None and incident.lng is not None
            else None
        ),
        "reports": [
            {"n": number, "lat": float(report.lat), "lng": float(report.lng)}
            for number, report in enumerate(reports, start=1)
            if report.lat is not None and report.lng is not None
        ],
        "alert": {"radius_m": radius, "sent": sent},
    }


def incident_context(membership: Membership, incident: Incident, **forms_given) -> dict:
    reports = list(incident.reports.select_related("site").prefetch_related("photos"))
    others = [
        other
        for other in open_incidents(membership)
        if other.pk != incident.pk and not other.merged_into_id
    ]
    others = [other for other in others if other.organization_id == incident.organization_id]
    responses = incident.responses.select_related("person", "alert").prefetch_related("photos")
    verifications = [r for r in responses if r.status in Response.VERIFICATION]
    movements = sorted(latest_movements(incident).values(), key=lambda r: r.at)
    overdue = {response.pk for response in overdue_check_ins(incident)}
    defaults = {
        "verify_form": forms.VerifyForm(),
        "confirm_form": forms.ConfirmForm(incident=incident),
        "dismiss_form": forms.DismissForm(),
        "retract_form": forms.RetractForm(),
        "clear_form": forms.AllClearForm(),
        "van_form": forms.VanForm(),
        "merge_form": forms.MergeForm(others=others),
        "split_form": forms.SplitForm(reports=reports),
    }
    return {
        **org_context(membership),
        "incident": incident,
        "title": incident_title(incident),
        "map": incident_map(incident, reports, forms_given.get("confirm_form")),
        "reports": reports,
        "verifications": verifications,
        "movements": [(response, response.pk in overdue) for response in movements],
        "alarms": len(overdue),
        "alerts": incident.alerts.order_by("created_at"),
        "timeline": [
            (entry, sentence(entry.action, entry.said))
            for entry in incident.timeline.select_related("actor")
        ],
        "others": others,
        "can_merge": bool(others) and not incidents.has_alerted_anyone(incident),
        "section": "console",
        "revealed": set(),
        **defaults,
        **forms_given,
    }


@org_view(DISPATCHER)
def incident_detail(
    request: HttpRequest, membership: Membership, org: str, incident: str
) -> HttpResponse:
    found = get_incident_for(membership, incident)
    record(membership.person, "response.incident.read", found, organization=found.organization)
    reads.mark_read(membership.person, found)
    return render(request, "response/incident.html", incident_context(membership, found))


@org_view(DISPATCHER)
@require_POST
def report_callback(
    request: HttpRequest, membership: Membership, org: str, incident: str, report: str
) -> HttpResponse:
    """Show a report's callback contact to a dispatcher who asks for it, and audit the read.

    The contact is never on the page otherwise: a screen left open, or printed, does not
    show how to reach the people who reported.
    """
    found = get_incident_for(membership, incident)
    shown = found.reports.filter(public_id=as_uuid(report)).first()
    if shown is None:
        raise Http404
    record(
        membership.person, "response.report.callback_read", shown, organization=found.organization
    )
    context = incident_context(membership, found, revealed={shown.pk})
    return render(request, "response/incident.html", context)


@org_view(DISPATCHER)
def incident_live(
    request: HttpRequest, membership: Membership, org: str, incident: str
) -> HttpResponse:
    """One changing part of the incident's page, for the page to swap in: `?part=answers`
    (alarms, verifiers' and responders' answers) or `?part=timeline` (alerts, timeline)."""
    found = get_incident_for(membership, incident)
    part = "timeline" if request.GET.get("part") == "timeline" else "answers"
    return render(request, f"response/_incident_{part}.html", incident_context(membership, found))
