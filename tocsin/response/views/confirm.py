"""Confirm an incident and broadcast its verified alert, in two clicks: the first shows
whom it reaches and each language's message, the second sends exactly what was shown.
"""

import hashlib
import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from tocsin.accounts.access import org_view
from tocsin.accounts.models import Membership

from .. import console_forms as forms
from ..access import get_incident_for
from ..services import broadcast
from .console import DISPATCHER
from .incident import incident_context


def preview_digest(context: dict, radius_m: int, preview) -> str:
    """Return a fingerprint of what the dispatcher was shown: the messages, the radius and
    the counts. Sending needs the same one back, so nothing is sent that was not seen."""
    shown = [context, radius_m, preview.people, preview.by_language, preview.by_channel]
    return hashlib.sha256(json.dumps(shown, sort_keys=True).encode()).hexdigest()[:32]


@org_view(DISPATCHER)
@require_POST
def incident_confirm(
    request: HttpRequest, membership: Membership, org: str, incident: str
) -> HttpResponse:
    """Confirm and broadcast in two clicks: the first shows whom the alert reaches (by
    organization, language and channel) and each language's message; the second sends
    exactly that (or shows it again, if anything changed meanwhile)."""
    found = get_incident_for(membership, incident)
    form = forms.ConfirmForm(request.POST, incident=found)
    shown: dict[str, Any] | None = None
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
                    alert = broadcast.confirm_incident(
                        membership.person, found, facts, data["radius_m"]
                    )
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
        membership,
        found,
        confirm_form=form,
        preview_size=shown["audience"].people if shown else None,
        preview=shown,
        open_form="confirm_form",
    )
    return render(
        request, "response/incident.html", context, status=200 if shown is not None else 400
    )
