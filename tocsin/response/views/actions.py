"""The actions on an incident's page (claim, release, verify, dismiss, retract, all-clear,
legal van, merge, split): each is a form that parses it, the service that does it and what
to say after; one view runs them all.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from tocsin.accounts.access import org_role_required

from .. import console_forms as forms
from ..access import get_incident_for
from ..services import broadcast, incidents
from ..titles import incident_title
from .console import DISPATCHER, open_incidents
from .incident import incident_context

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
