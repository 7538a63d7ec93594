"""The hotline's case screens: the list, opening a case from a call or an incident, the
case page with its plan, timeline, tasks and family updates, and the facility list.

Only the organization's hotline and a case's legal partner reach them (access.py); a
dispatcher may open a case from an incident but does not see it afterwards. Every showing
of a case page, and of the plan on it, writes an audit entry.

A case handed over to another organization (decision 0033) is worked on these screens by
that organization's hotline, under its own address; its own organization's page shows to
whom it went, since when and its state, and lets it take the case back.
"""

import uuid
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from tocsin.accounts.access import org_context, org_view
from tocsin.accounts.models import Membership, Organization
from tocsin.accounts.roles import Role
from tocsin.response.access import incidents_for
from tocsin.response.models import Incident

from .. import forms
from ..access import (
    HOTLINE,
    audit_read,
    cases_for,
    get_case_for,
    get_task_for,
    handovers_in_force,
    works_on,
)
from ..lookup import find_member
from ..models import Case, CaseEvent, CaseTask, EmergencyPlan, Facility
from ..services import cases, facilities, handovers, plans
from ..services.messages import send_family_update

# Who may open a case: the hotline, and a dispatcher from an incident.
OPENERS = Role.HOTLINE | Role.DISPATCHER
RECENT_INCIDENTS = timedelta(days=2)


def refuse_unless_reader(membership) -> None:
    """Only the hotline, or a legal partner with a case, reaches the case screens."""
    if not membership.has(HOTLINE) and not cases_for(membership, received=True).exists():
        raise Http404


def refuse_unless_working(request: HttpRequest, membership: Membership, case: Case) -> bool:
    """Whether the case is worked elsewhere now (handed over): say so, and change nothing."""
    if works_on(membership, case):
        return False
    name = case.handed_to.name if case.handed_to is not None else ""
    messages.error(
        request,
        _("This case is handed over to %(organization)s: take it back to work on it.")
        % {"organization": name},
    )
    return True


def handover_marks(membership: Membership, found: list[Case]) -> list[Case]:
    """Mark each listed case with where it is worked (`handed_away`: handed over by this
    organization; `handed_from`: handed over to it), giving back any whose agreement ended."""
    organization = membership.organization
    in_force = handovers_in_force(organization)
    marked = []
    for case in found:
        if (
            case.organization_id == organization.pk
            and case.handed_to_id is not None
            and case.handover_agreement not in in_force
        ):
            handovers.lapse(case)
            case.refresh_from_db()
        case.handed_away = case.organization_id == organization.pk and case.handed_to_id is not None  # type: ignore[attr-defined]
        case.handed_from = case.organization if case.organization_id != organization.pk else None  # type: ignore[attr-defined]
        marked.append(case)
    return marked


@never_cache
@org_view(Role.MEMBER)
def case_list(request: HttpRequest, membership: Membership, org: str) -> HttpResponse:
    refuse_unless_reader(membership)
    found = cases_for(membership, received=True).select_related(
        "case_worker", "organization", "handed_to"
    )
    show = request.GET.get("show", "open")
    if show == "ended":
        found = found.filter(ended_at__isnull=False)
    else:
        found = found.filter(ended_at__isnull=True)
    locked = EmergencyPlan.objects.filter(
        organization=membership.organization, locked_until__gt=timezone.now()
    ).select_related("person")
    context = org_context(
        membership,
        locked=locked if membership.has(HOTLINE) else [],
        cases=handover_marks(membership, list(found[:200])),
        show=show,
        section="cases",
    )
    return render(request, "hotline/cases.html", context)


def recent_incidents(organization: Organization) -> QuerySet[Incident]:
    """Incidents a case can come from: the organization's own, of the last two days.

    The hotline does not dispatch, but it names the incident a person was taken at; only
    its place and time are shown."""
    since = timezone.now() - RECENT_INCIDENTS
    return Incident.objects.filter(organization=organization, opened_at__gte=since).order_by(
        "-opened_at"
    )[:30]


def plan_for_case(who: str, member) -> EmergencyPlan | None:
    if who in ("member", "household") and member is not None:
        return EmergencyPlan.objects.filter(person=member).first()
    return None


@never_cache
@org_view(OPENERS)
def case_new(request: HttpRequest, membership: Membership, org: str) -> HttpResponse:
    """Open a case from a call (the hotline) or from an incident (either)."""
    organization = membership.organization
    incidents = list(recent_incidents(organization))
    if membership.has(Role.DISPATCHER) and request.GET.get("incident"):
        extra = incidents_for(membership).filter(
            public_id__in=[request.GET["incident"]] if is_uuid(request.GET["incident"]) else []
        )
        incidents += [i for i in extra if i not in incidents]
    form = forms.CaseOpenForm(
        request.POST or None,
        incidents=incidents,
        see_unverified=membership.has(Role.DISPATCHER),
        facilities=Facility.objects.filter(organization=organization),
        initial={"incident": request.GET.get("incident", ""), "who": "member"},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            member = None
            if data["who"] in ("member", "household"):
                member = find_member(organization, data["member"])
            incident = form.chosen_incident()
            case = cases.open_case(
                membership.person,
                organization,
                cases.CaseInput(
                    name=data["name"] if data["who"] != "member" else "",
                    taken_at=data["taken_at"],
                    taken_where=data["taken_where"] or (incident.where if incident else ""),
                    agency=data["agency"],
                    facility=form.chosen_facility(),
                    facility_text=data["facility_text"],
                    locator=data["locator"],
                    family=form.family(),
                ),
                Case.OpenedVia.INCIDENT if incident else Case.OpenedVia.CALL,
                person=member if data["who"] == "member" else None,
                plan=plan_for_case(data["who"], member),
                incident=incident,
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            told = case.messages.count()
            messages.success(
                request,
                _(
                    "Case %(code)s is open. The hotline is told; %(count)d of the plan's people are being told."
                )
                % {"code": case.code, "count": told},
            )
            if membership.has(HOTLINE):
                return redirect("hotline:case", org=org, case=case.code)
            return (
                redirect("response:incident", org=org, incident=incident.public_id)
                if incident
                else redirect("staff:home")
            )
    context = org_context(membership, form=form, section="case_new")
    return render(request, "hotline/case_new.html", context, status=400 if form.errors else 200)


def is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


# What each field changed by the details form is called on the timeline.
DETAIL_FIELDS = {
    "agency": _lazy("agency"),
    "facility": _lazy("detention facility"),
    "facility_text": _lazy("detention facility"),
    "locator": _lazy("locator details"),
}


def timeline(case: Case) -> list[CaseEvent]:
    """Return the case's timeline lines, each with `words`: what the line is about, beside
    its kind (the fields a details change changed, the task's title, the new state)."""
    lines = list(case.events.select_related("actor"))
    tasks = {task.code: task for task in case.tasks.all()}
    for line in lines:
        line.words = line_words(line, tasks)  # type: ignore[attr-defined]
    return lines


def line_words(line: CaseEvent, tasks: dict[str, CaseTask]) -> str:
    detail = line.detail or {}
    if line.kind == CaseEvent.Kind.NOTE and detail.get("fields"):
        names = dict.fromkeys(str(DETAIL_FIELDS.get(name, name)) for name in detail["fields"])
        return _("details changed: %(fields)s") % {"fields": ", ".join(names)}
    if line.kind == CaseEvent.Kind.TASK:
        task = tasks.get(str(detail.get("task", "")))
        title = task.title if task is not None else ""
        if detail.get("done"):
            return _("done: %(title)s") % {"title": title}
        due = parse_datetime(str(detail.get("due", "")))
        if due is None:
            return title
        when = formats.date_format(timezone.localtime(due), "DATETIME_FORMAT")
        return _("%(title)s (due %(when)s)") % {"title": title, "when": when}
    if line.kind == CaseEvent.Kind.STATE and detail.get("state"):
        return str(dict(Case.State.choices).get(detail["state"], detail["state"]))
    return ""


def case_context(membership: Membership, case: Case, **forms_given: Any) -> dict[str, Any]:
    organization = membership.organization
    workers = list(cases.hotline_people(organization))
    facility_list = list(Facility.objects.filter(organization=organization))
    plan = plans.read_plan(membership.person, case, reader=organization)
    own = case.organization_id == organization.pk
    partners = list(handovers.partners_for(organization)) if own else []
    recipients = case.recipients()
    context = org_context(
        membership,
        case=case,
        section="cases",
        plan=plan,
        plan_owner=case.plan.person if case.plan else None,
        relation_labels=forms.RELATION_LABELS,
        care_labels=forms.CARE_LABELS,
        events=timeline(case),
        tasks=case.tasks.select_related("assigned_to"),
        case_messages=case.messages.all(),
        recipients=recipients,
        is_hotline=membership.has(HOTLINE),
        next_states=[s for s in Case.State if case.is_open and cases.may_move(case.state, s)],
        state_form=forms.StateForm(),
        event_form=forms.EventForm(),
        details_form=forms.DetailsForm(
            facilities=facility_list,
            initial={
                "agency": case.agency,
                "facility": case.facility.code if case.facility else "",
                "facility_text": case.facility_text,
                "locator": case.locator,
            },
        ),
        assign_form=forms.AssignForm(
            workers=workers,
            partners=list(cases.legal_partners(organization)),
            initial={
                "case_worker": str(case.case_worker.public_id) if case.case_worker else "",
                "legal_partner": str(case.legal_partner.public_id) if case.legal_partner else "",
            },
        ),
        task_form=forms.TaskForm(workers=workers),
        update_form=forms.UpdateForm(recipients=recipients),
        handed_from=None if own else case.organization,
        handover_form=forms.HandoverForm(partners=partners),
    )
    context.update(forms_given)
    return context


def handed_context(membership: Membership, case: Case) -> dict[str, Any]:
    """What the case's own organization sees of a case handed over: to whom and since when,
    its state and the dates its state changed; not the other hotline's notes, tasks or
    messages (decision 0033)."""
    states = case.events.filter(
        kind__in=(CaseEvent.Kind.STATE, CaseEvent.Kind.HANDED_OVER, CaseEvent.Kind.CLOSED)
    )
    lines = [line for line in states if line.at >= (case.handed_at or case.opened_at)]
    for line in lines:
        line.words = line_words(line, {})  # type: ignore[attr-defined]
    return org_context(
        membership,
        case=case,
        section="cases",
        events=lines,
        is_hotline=membership.has(HOTLINE),
    )


@never_cache
@org_view(Role.MEMBER)
def case_detail(request: HttpRequest, membership: Membership, org: str, case: str) -> HttpResponse:
    found = get_case_for(membership, case, received=True)
    if handovers.lapse(found):
        found = get_case_for(membership, case, received=True)
    audit_read(membership, found)
    if not works_on(membership, found):
        return render(request, "hotline/case_handed.html", handed_context(membership, found))
    return render(request, "hotline/case.html", case_context(membership, found))


def act_state(membership: Membership, case: Case, form: Any) -> str:
    case = cases.change_state(membership.person, case, form.cleaned_data["state"])
    return _("The case is now “%(state)s”.") % {"state": case.get_state_display()}


def act_event(membership: Membership, case: Case, form: Any) -> str:
    data = form.cleaned_data
    line = cases.log_event(membership.person, case, data["kind"], data["note"], data["at"])
    return _("%(kind)s added to the timeline.") % {"kind": line.get_kind_display().capitalize()}


def act_details(membership: Membership, case: Case, form: Any) -> str:
    data = form.cleaned_data
    cases.update_details(
        membership.person,
        case,
        facility=form.chosen_facility(),
        facility_text=data["facility_text"],
        locator=data["locator"],
        agency=data["agency"],
    )
    return _("The case's details are saved.")


def act_assign(membership: Membership, case: Case, form: Any) -> str:
    if not membership.has(HOTLINE):
        raise ValidationError(_("Only the hotline assigns a case."))
    cases.assign(membership.person, case, form.chosen("case_worker"), form.chosen("legal_partner"))
    return _("The case's people are saved.")


def act_task(membership: Membership, case: Case, form: Any) -> str:
    data = form.cleaned_data
    cases.add_task(
        membership.person, case, data["title"], data["due_at"], form.chosen("assigned_to")
    )
    return _("Task added.")


def act_update(membership: Membership, case: Case, form: Any) -> str:
    data = form.cleaned_data
    count = send_family_update(membership.person, case, data["text"], data["recipients"])
    return ngettext(
        "The update is on its way to %(count)d person.",
        "The update is on its way to %(count)d people.",
        count,
    ) % {"count": count}


ACTIONS = {
    "state": (forms.StateForm, act_state, "state_form"),
    "events": (forms.EventForm, act_event, "event_form"),
    "details": (forms.DetailsForm, act_details, "details_form"),
    "assign": (forms.AssignForm, act_assign, "assign_form"),
    "tasks": (forms.TaskForm, act_task, "task_form"),
    "update": (forms.UpdateForm, act_update, "update_form"),
}


def bound_form(
    form_class: Any, request: HttpRequest, organization: Organization, case: Case
) -> Any:
    if form_class is forms.DetailsForm:
        return form_class(
            request.POST, facilities=Facility.objects.filter(organization=organization)
        )
    if form_class is forms.AssignForm:
        return form_class(
            request.POST,
            workers=list(cases.hotline_people(organization)),
            partners=list(cases.legal_partners(organization)),
        )
    if form_class is forms.TaskForm:
        return form_class(request.POST, workers=list(cases.hotline_people(organization)))
    if form_class is forms.UpdateForm:
        return form_class(request.POST, recipients=case.recipients())
    return form_class(request.POST)


@org_view(Role.MEMBER)
@require_POST
def case_action(
    request: HttpRequest, membership: Membership, org: str, case: str, action: str
) -> HttpResponse:
    found = get_case_for(membership, case, received=True)
    if refuse_unless_working(request, membership, found):
        return redirect("hotline:case", org=org, case=found.code)
    form_class, act, form_name = ACTIONS[action]
    form = bound_form(form_class, request, membership.organization, found)
    if form.is_valid():
        try:
            said = act(membership, found, form)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, said)
            return redirect("hotline:case", org=org, case=found.code)
    found = get_case_for(membership, case, received=True)
    audit_read(membership, found)
    context = case_context(membership, found, **{form_name: form, "open_form": form_name})
    return render(request, "hotline/case.html", context, status=400)


@org_view(Role.MEMBER)
@require_POST
def task_done(
    request: HttpRequest, membership: Membership, org: str, case: str, task: str
) -> HttpResponse:
    found = get_case_for(membership, case, received=True)
    if refuse_unless_working(request, membership, found):
        return redirect("hotline:case", org=org, case=found.code)
    cases.complete_task(membership.person, get_task_for(membership, found, task))
    messages.success(request, _("Task done."))
    return redirect("hotline:case", org=org, case=found.code)


@never_cache
@org_view(Role.HOTLINE)
def facility_list(request: HttpRequest, membership: Membership, org: str) -> HttpResponse:
    organization = membership.organization
    form = forms.FacilityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            facilities.add_facility(
                membership.person,
                organization,
                form.cleaned_data["name"],
                form.cleaned_data["address"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Facility added."))
            return redirect("hotline:facilities", org=org)
    context = org_context(
        membership,
        form=form,
        facilities=Facility.objects.filter(organization=organization),
        section="facilities",
    )
    return render(request, "hotline/facilities.html", context, status=400 if form.errors else 200)


@never_cache
@org_view(Role.HOTLINE)
def case_close(request: HttpRequest, membership: Membership, org: str, case: str) -> HttpResponse:
    """Ask the hotline to confirm that the work on a case is done, then close it."""
    found = get_case_for(membership, case, received=True)
    if refuse_unless_working(request, membership, found):
        return redirect("hotline:case", org=org, case=found.code)
    form = forms.CloseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            cases.close_case(membership.person, found)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Case %(code)s is closed.") % {"code": found.code})
            if found.organization_id != membership.organization_id:
                # Closed here, it went back to its own organization with its close.
                return redirect("hotline:cases", org=org)
            return redirect("hotline:case", org=org, case=found.code)
    context = org_context(
        membership,
        case=found,
        form=form,
        section="cases",
        erase_on=timezone.localdate() + timedelta(days=membership.organization.case_retention_days),
    )
    return render(request, "hotline/case_close.html", context, status=400 if form.errors else 200)


@org_view(Role.HOTLINE)
@require_POST
def case_reopen(request: HttpRequest, membership: Membership, org: str, case: str) -> HttpResponse:
    found = get_case_for(membership, case, received=True)
    if refuse_unless_working(request, membership, found):
        return redirect("hotline:case", org=org, case=found.code)
    try:
        cases.reopen_case(membership.person, found)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Case %(code)s is open again.") % {"code": found.code})
    return redirect("hotline:case", org=org, case=found.code)


@org_view(Role.HOTLINE)
@require_POST
def facility_remove(
    request: HttpRequest, membership: Membership, org: str, facility: str
) -> HttpResponse:
    found = Facility.objects.filter(organization=membership.organization, code=facility).first()
    if found is None:
        raise Http404
    facilities.remove_facility(membership.person, found)
    messages.success(request, _("Facility removed from the list."))
    return redirect("hotline:facilities", org=org)


@org_view(Role.HOTLINE)
@require_POST
def case_handover(
    request: HttpRequest, membership: Membership, org: str, case: str
) -> HttpResponse:
    """Hand one of the organization's own cases over to a partner's hotline."""
    found = get_case_for(membership, case)
    partners = list(handovers.partners_for(membership.organization))
    form = forms.HandoverForm(request.POST, partners=partners)
    if form.is_valid():
        try:
            handovers.hand_over(membership.person, found, form.chosen_partner())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Case %(code)s is handed over to %(organization)s. Their hotline is told.")
                % {"code": found.code, "organization": form.chosen_partner().name},
            )
            return redirect("hotline:case", org=org, case=found.code)
    found = get_case_for(membership, case)
    audit_read(membership, found)
    if not works_on(membership, found):
        return redirect("hotline:case", org=org, case=found.code)
    context = case_context(membership, found, handover_form=form, open_form="handover_form")
    return render(request, "hotline/case.html", context, status=400)


@org_view(Role.HOTLINE)
@require_POST
def case_hand_back(
    request: HttpRequest, membership: Membership, org: str, case: str
) -> HttpResponse:
    """End a handover: the hotline working the case hands it back, or the case's own
    organization takes it back."""
    found = get_case_for(membership, case, received=True)
    own = found.organization_id == membership.organization_id
    reason = handovers.Reason.TAKEN_BACK if own else handovers.Reason.RETURNED
    try:
        handovers.hand_back(membership.person, found, reason)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("hotline:case", org=org, case=found.code)
    if own:
        messages.success(request, _("Case %(code)s is yours to work again.") % {"code": found.code})
        return redirect("hotline:case", org=org, case=found.code)
    messages.success(
        request,
        _("Case %(code)s is back with %(organization)s.")
        % {"code": found.code, "organization": found.organization.name},
    )
    return redirect("hotline:cases", org=org)
