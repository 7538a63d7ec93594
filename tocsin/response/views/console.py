"""The dispatcher's console: the live queue and map, and each incident's page and actions.

Only dispatchers of the incident's organization (and of organizations it shares dispatch
with) reach these screens; everyone else gets 404 (tocsin.response.access).
"""

import hashlib
import json
import time

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from tocsin.accounts.access import org_role_required
from tocsin.accounts.roles import Role
from tocsin.audit.services import record
from tocsin.core.ids import as_uuid
from tocsin.core.sse import event_stream

from .. import console_forms as forms
from ..access import dispatch_organization_ids, get_incident_for, incidents_for
from ..models import Incident, Report, Response
from ..services import broadcast, incidents, reads
from ..services.queue import (
    change_mark,
    incident_rows,
    open_among,
    queue_rows,
    shared_queue,
)
from ..services.responses import latest_movements, overdue_check_ins
from ..titles import incident_title

DISPATCHER = Role.DISPATCHER
# Even with no change, refresh each minute (check-in alarms come from the clock) and say
# something every 15 seconds.
REFRESH_SECONDS = 60
KEEP_ALIVE_SECONDS = 15


def open_incidents(request: HttpRequest):
    return reads.with_read_marks(open_among(incidents_for(request.membership)), request.user)


@org_role_required(DISPATCHER)
def console(request: HttpRequest, org: str) -> HttpResponse:
    shared = shared_queue(request.organization)
    rows = queue_rows(request.user, shared)
    context = {
        "organization": request.organization,
        "rows": rows,
        "open_count": len(incident_rows(rows)),
        "map": shared.map,
        "sites": request.organization.sites.order_by("name"),
        "section": "console",
    }
    return render(request, "response/console.html", context)


@org_role_required(DISPATCHER)
def console_queue(request: HttpRequest, org: str) -> HttpResponse:
    """The queue alone, for the console to swap in when something changed."""
    shared = shared_queue(request.organization)
    rows = queue_rows(request.user, shared)
    return HttpResponse(shared.rendering(request.organization, rows))


class ChangeFeed:
    """What a change stream says next, given the newest mark and the clock."""

    def __init__(self) -> None:
        self.last: int | None = None
        self.last_changed = self.last_sent = 0.0

    def next(self, mark: int, now: float) -> str:
        if mark != self.last:
            return self.changed(mark, now)
        return self.quiet(now)

    def quiet(self, now: float) -> str:
        """What to say when nothing was looked at: the minute's refresh, else a keep-alive."""
        if self.last is not None and now - self.last_changed > REFRESH_SECONDS:
            return self.changed(self.last, now)
        if now - self.last_sent > KEEP_ALIVE_SECONDS:
            # A comment line: proxies keep the stream open, and a closed tab is noticed.
            self.last_sent = now
            return ": keep-alive\n\n"
        return ""

    def changed(self, mark: int, now: float) -> str:
        self.last, self.last_changed, self.last_sent = mark, now, now
        return f"event: changed\ndata: {json.dumps({'mark': mark})}\n\n"


def change_stream(
    request: HttpRequest, organization_ids: list[int], incident_id: int | None = None
) -> StreamingHttpResponse:
    """Server-Sent Events: a `changed` event whenever a timeline line is written, and each
    minute regardless (check-in alarms come from the clock), for ten minutes; the browser's
    EventSource then reconnects by itself. The stream looks for the newest line only when
    the change signal says one of its organizations changed (tocsin.core.changes), or each
    TOCSIN_CONSOLE_POLL_SECONDS while no signal is live."""
    feed = ChangeFeed()

    def step() -> tuple[str, bool]:
        return feed.next(change_mark(organization_ids, incident_id), time.monotonic()), False

    return event_stream(
        request,
        step,
        poll=settings.TOCSIN_CONSOLE_POLL_SECONDS,
        topics=set(organization_ids),
        quiet=lambda: feed.quiet(time.monotonic()),
    )


@org_role_required(DISPATCHER)
def console_events(request: HttpRequest, org: str) -> StreamingHttpResponse:
    return change_stream(request, dispatch_organization_ids(request.organization))


def alert_radius(incident: Incident, confirm_form) -> tuple[int, bool]:
    """Return the radius of the incident's verified alert and True once one was sent, else
    the radius being composed (the confirm form's) and False."""
    from tocsin.delivery.models import Alert

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
            {"lat": float(incident.lat), "lng": float(incident.lng)} if incident.located else None
        ),
        "reports": [
            {"n": number, "lat": float(report.lat), "lng": float(report.lng)}
            for number, report in enumerate(reports, start=1)
            if report.located
        ],
        "alert": {"radius_m": radius, "sent": sent},
    }


def incident_context(request: HttpRequest, incident: Incident, **forms_given) -> dict:
    from ..timeline_text import sentence

    reports = list(incident.reports.select_related("site").prefetch_related("photos"))
    others = [
        other
        for other in open_incidents(request)
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
        "organization": request.organization,
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


@org_role_required(DISPATCHER)
def incident_detail(request: HttpRequest, org: str, incident: str) -> HttpResponse:
    found = get_incident_for(request.membership, incident)
    record(request.user, "response.incident.read", found, organization=found.organization)
    reads.mark_read(request.user, found)
    return render(request, "response/incident.html", incident_context(request, found))


@org_role_required(DISPATCHER)
@require_POST
def report_callback(request: HttpRequest, org: str, incident: str, report: str) -> HttpResponse:
    """Show a report's callback contact to a dispatcher who asks for it, and audit the read.

    The contact is never on the page otherwise: a screen left open, or printed, does not
    show how to reach the people who reported.
    """
    found = get_incident_for(request.membership, incident)
    shown = found.reports.filter(public_id=as_uuid(report)).first()
    if shown is None:
        raise Http404
    record(request.user, "response.report.callback_read", shown, organization=found.organization)
    context = incident_context(request, found, revealed={shown.pk})
    return render(request, "response/incident.html", context)


@org_role_required(DISPATCHER)
def incident_live(request: HttpRequest, org: str, incident: str) -> HttpResponse:
    """One changing part of the incident's page, for the page to swap in: `?part=answers`
    (alarms, verifiers' and responders' answers) or `?part=timeline` (alerts, timeline)."""
    found = get_incident_for(request.membership, incident)
    part = "timeline" if request.GET.get("part") == "timeline" else "answers"
    return render(request, f"response/_incident_{part}.html", incident_context(request, found))


@org_role_required(DISPATCHER)
def incident_events(request: HttpRequest, org: str, incident: str) -> StreamingHttpResponse:
    found = get_incident_for(request.membership, incident)
    return change_stream(request, [found.organization_id], found.pk)


# Each action: the form that parses it, the service that does it, what to say after.


def act_claim(request, incident, form):
    incidents.claim_incident(request.user, incident, take_over="take_over" in request.POST)
    return _("You have this incident now.")


def act_release(request, incident, form):
    incidents.release_incident(request.user, incident)
    return _("You let the incident go; another dispatcher can claim it.")


def act_verify(request, incident, form):
    alert = broadcast.request_verification(
        request.user, incident, form.cleaned_data["radius_m"], form.cleaned_data["message"]
    )
    return ngettext(
        "Verify request sent to %(count)d verifier.",
        "Verify request sent to %(count)d verifiers, nearest first.",
        alert.audience_size,
    ) % {"count": alert.audience_size}


def act_dismiss(request, incident, form):
    incidents.dismiss_incident(request.user, incident, form.cleaned_data["reason"])
    return _("Incident dismissed. Nothing was sent to members.")


def act_retract(request, incident, form):
    alert = broadcast.retract_incident(
        request.user, incident, form.cleaned_data["message"], form.cleaned_data["reason"]
    )
    return ngettext(
        "Correction sent to %(count)d person.",
        "Correction sent to %(count)d people.",
        alert.audience_size,
    ) % {"count": alert.audience_size}


def act_clear(request, incident, form):
    alert = broadcast.clear_incident(request.user, incident, form.cleaned_data["message"])
    return ngettext(
        "All-clear sent to %(count)d person.",
        "All-clear sent to %(count)d people.",
        alert.audience_size,
    ) % {"count": alert.audience_size}


def act_van(request, incident, form):
    alert = broadcast.dispatch_legal_van(request.user, incident, form.cleaned_data["message"])
    return ngettext(
        "Legal van dispatched (%(count)d person).",
        "Legal van dispatched (%(count)d people).",
        alert.audience_size,
    ) % {"count": alert.audience_size}


def act_merge(request, incident, form):
    target = get_incident_for(request.membership, form.cleaned_data["target"])
    incidents.merge_incidents(request.user, incident, target)
    return _("Merged. The reports are now in %(incident)s.") % {"incident": incident_title(target)}


def act_split(request, incident, form):
    new = incidents.split_incident(request.user, incident, form.cleaned_data["reports"])
    return _("The chosen reports are now a new incident: %(incident)s.") % {
        "incident": incident_title(new)
    }


ACTIONS = {
    "claim": (None, act_claim, None),
    "release": (None, act_release, None),
    "verify": (forms.VerifyForm, act_verify, "verify_form"),
    "dismiss": (forms.DismissForm, act_dismiss, "dismiss_form"),
    "retract": (forms.RetractForm, act_retract, "retract_form"),
    "all_clear": (forms.AllClearForm, act_clear, "clear_form"),
    "van": (forms.VanForm, act_van, "van_form"),
    "merge": (forms.MergeForm, act_merge, "merge_form"),
    "split": (forms.SplitForm, act_split, "split_form"),
}


def bound_form(form_class, request, incident):
    if form_class is forms.MergeForm:
        others = [o for o in open_incidents(request) if o.pk != incident.pk]
        return form_class(request.POST, others=others)
    if form_class is forms.SplitForm:
        return form_class(request.POST, reports=list(incident.reports.all()))
    return form_class(request.POST)


@org_role_required(DISPATCHER)
@require_POST
def incident_action(request: HttpRequest, org: str, incident: str, action: str) -> HttpResponse:
    found = get_incident_for(request.membership, incident)
    form_class, act, form_name = ACTIONS[action]
    form = bound_form(form_class, request, found) if form_class else None
    if form is None or form.is_valid():
        try:
            said = act(request, found, form)
        except ValidationError as error:
            if form is None:
                for message in error.messages:
                    messages.error(request, message)
                return redirect("response:incident", org=org, incident=found.public_id)
            form.add_service_errors(error)
        else:
            messages.success(request, said)
            if action == "merge":
                return redirect("response:incident", org=org, incident=form.cleaned_data["target"])
            return redirect("response:incident", org=org, incident=found.public_id)
    context = incident_context(request, found, **{form_name: form, "open_form": form_name})
    return render(request, "response/incident.html", context, status=400)


def preview_digest(context: dict, radius_m: int, preview) -> str:
    """Return a fingerprint of what the dispatcher was shown: the messages, the radius and
    the counts. Sending needs the same one back, so nothing is sent that was not seen."""
    shown = [context, radius_m, preview.people, preview.by_language, preview.by_channel]
    return hashlib.sha256(json.dumps(shown, sort_keys=True).encode()).hexdigest()[:32]


@org_role_required(DISPATCHER)
@require_POST
def incident_confirm(request: HttpRequest, org: str, incident: str) -> HttpResponse:
    """Confirm and broadcast in two clicks: the first shows whom the alert reaches (by
    organization, language and channel) and each language's message; the second sends
    exactly that (or shows it again, if anything changed meanwhile)."""
    found = get_incident_for(request.membership, incident)
    form = forms.ConfirmForm(request.POST, incident=found)
    shown = None
    if form.is_valid():
        data = form.cleaned_data
        facts = form.facts()
        try:
            alert_context = broadcast.verified_context(found, facts)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            preview = broadcast.audience_preview(found, data["radius_m"])
            digest = preview_digest(alert_context, data["radius_m"], preview)
            if data.get("seen_size") == preview.people and data.get("seen_preview") == digest:
                try:
                    alert = broadcast.confirm_incident(request.user, found, facts, data["radius_m"])
                except ValidationError as error:
                    form.add_service_errors(error)
                else:
                    messages.success(
                        request,
                        ngettext(
                            "Verified alert sent to %(count)d person.",
                            "Verified alert sent to %(count)d people.",
                            alert.audience_size,
                        )
                        % {"count": alert.audience_size},
                    )
                    return redirect("response:incident", org=org, incident=found.public_id)
            else:
                shown = {
                    "audience": preview,
                    "messages": broadcast.message_previews(
                        found, alert_context, preview.by_language
                    ),
                }
                form = forms.ConfirmForm(
                    initial={**data, "seen_size": preview.people, "seen_preview": digest},
                    incident=found,
                )
    context = incident_context(
        request,
        found,
        confirm_form=form,
        preview_size=shown["audience"].people if shown else None,
        preview=shown,
        open_form="confirm_form",
    )
    return render(
        request, "response/incident.html", context, status=200 if shown is not None else 400
    )


INCIDENT = "staff/o/<slug:org>/incidents/<uuid:incident>/"

urlpatterns = [
    path("staff/o/<slug:org>/console/", console, name="console"),
    path("staff/o/<slug:org>/console/queue/", console_queue, name="console_queue"),
    path("staff/o/<slug:org>/console/events/", console_events, name="console_events"),
    path(INCIDENT, incident_detail, name="incident"),
    path(INCIDENT + "live/", incident_live, name="incident_live"),
    path(INCIDENT + "events/", incident_events, name="incident_events"),
    path(INCIDENT + "confirm/", incident_confirm, name="incident_confirm"),
    path(INCIDENT + "reports/<uuid:report>/callback/", report_callback, name="report_callback"),
    *[
        path(
            INCIDENT + action.replace("_", "-") + "/",
            incident_action,
            {"action": action},
            name=f"incident_{action}",
        )
        for action in ACTIONS
    ],
]
