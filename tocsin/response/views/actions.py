"""The actions on an incident's page (claim, release, verify, dismiss, retract, all-clear,
legal van, merge, split): each is a form that parses it, the service that does it and what
to say after; one view runs them all.
"""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from tocsin.accounts.access import org_view
from tocsin.accounts.models import Membership

from .. import console_forms as forms
from ..access import get_incident_for
from ..models import Incident
from ..services import broadcast, incidents
from ..titles import incident_title
from .console import DISPATCHER, open_incidents
from .incident import incident_context

# Each action: the form that parses it, the service that does it, what to say after.


def act_claim(request: HttpRequest, membership: Membership, incident: Incident, form: Any) -> str:
    incidents.claim_incident(membership.person, incident, take_over="take_over" in request.POST)
    return _("You have this incident now.")


def act_release(request: HttpRequest, membership: Membership, incident: Incident, form: Any) -> str:
    incidents.release_incident(membership.person, incident)
    return _("You let the incident go; another dispatcher can claim it.")


def act_verify(request: HttpRequest, membership: Membership, incident: Incident, form: Any) -> str:
    alert = broadcast.request_verification(
        membership.person, incident, form.cleaned_data["radius_m"], form.cleaned_data["message"]
    )
    return ngettext(
        "Verify request sent to %(count)d verifier.",
        "Verify request sent to %(count)d verifiers, nearest first.",
        alert.audience_size,
    ) % {"count": alert.audience_size}


def act_dismiss(request: HttpRequest, membership: Membership, incident: Incident, form: Any) -> str:
    incidents.dismiss_incident(membership.person, incident, form.cleaned_data["reason"])
    return _("Incident dismissed. Nothing was sent to members.")


def act_retract(request: HttpRequest, membership: Membership, incident: Incident, form: Any) -> str:
    alert = broadcast.retract_incident(
        membership.person, incident, form.cleaned_data["message"], form.cleaned_data["reason"]
    )
    return ngettext(
        "Correction sent to %(count)d person.",
        "Correction sent to %(count)d people.",
        alert.audience_size,
    ) % {"count": alert.audience_size}


def act_clear(request: HttpRequest, membership: Membership, incident: Incident, form: Any) -> str:
    alert = broadcast.clear_incident(membership.person, incident, form.cleaned_data["message"])
    return ngettext(
        "All-clear sent to %(count)d person.",
        "All-clear sent to %(count)d people.",
        alert.audience_size,
    ) % {"count": alert.audience_size}


def act_van(request: HttpRequest, membership: Membership, incident: Incident, form: Any) -> str:
    alert = broadcast.dispatch_legal_van(membership.person, incident, form.cleaned_data["message"])
    return ngettext(
        "Legal van dispatched (%(count)d person).",
        "Legal van dispatched (%(count)d people).",
        alert.audience_size,
    ) % {"count": alert.audience_size}


def act_merge(request: HttpRequest, membership: Membership, incident: Incident, form: Any) -> str:
    target = get_incident_for(membership, form.cleaned_data["target"])
    incidents.merge_incidents(membership.person, incident, target)
    return _("Merged. The reports are now in %(incident)s.") % {"incident": incident_title(target)}


def act_split(request: HttpRequest, membership: Membership, incident: Incident, form: Any) -> str:
    new = incidents.split_incident(membership.person, incident, form.cleaned_data["reports"])
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


def bound_form(
    form_class: Any, request: HttpRequest, membership: Membership, incident: Incident
) -> Any:
    if form_class is forms.MergeForm:
        others = [o for o in open_incidents(membership) if o.pk != incident.pk]
        return form_class(request.POST, others=others)
    if form_class is forms.SplitForm:
        return form_class(request.POST, reports=list(incident.reports.all()))
    return form_class(request.POST)


@org_view(DISPATCHER)
@require_POST
def incident_action(
    request: HttpRequest, membership: Membership, org: str, incident: str, action: str
) -> HttpResponse:
    found = get_incident_for(membership, incident)
    form_class, act, form_name = ACTIONS[action]
    form = bound_form(form_class, request, membership, found) if form_class else None
    if form is None or form.is_valid():
        try:
            said = act(request, membership, found, form)
        except ValidationError as error:
            if form is None:
                for message in error.messages:
                    messages.error(request, message)
                return redirect("response:incident", org=org, incident=found.public_id)
            form.add_service_errors(error)
        else:
            messages.success(request, said)
            if action == "merge" and form is not None:
                return redirect("response:incident", org=org, incident=form.cleaned_data["target"])
            return redirect("response:incident", org=org, incident=found.public_id)
    # Only an action with a form gets here: its form did not hold, or the service refused it.
    assert form is not None and form_name is not None
    context = incident_context(membership, found, **{form_name: form, "open_form": form_name})
    return render(request, "response/incident.html", context, status=400)
