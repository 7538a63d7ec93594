"""Coalition pledges' screens (decision 0029): the coalition's (a new one, and each one's
unions with their state and bucket) and a union's (accept, choosing whom it asks).

The coalition's page shows for each union its threshold, its state and its bucket: never a
count, a roll, a signature or a name. A union's page shows its own part and links to the
union's own pledge, which is an ordinary pledge page.
"""

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from tocsin.accounts.access import org_context, org_view
from tocsin.accounts.models import Membership
from tocsin.core.confirm import confirmed

from .. import floors, progress
from ..access import ORGANIZERS, get_coalition_pledge_for
from ..forms import AcceptForm, CoalitionPledgeForm
from ..models import CoalitionPledge, Part
from ..services import coalition as coalition_services


@never_cache
@org_view(ORGANIZERS)
def coalition_new(request: HttpRequest, membership: Membership, org: str) -> HttpResponse:
    unions = list(coalition_services.unions_of(membership.organization))
    if not unions:
        raise Http404
    form = CoalitionPledgeForm(request.POST or None, unions=unions)
    if request.method == "POST" and form.is_valid():
        try:
            found = coalition_services.create_coalition_pledge(
                membership.person, membership.organization, form.coalition_input()
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            return redirect("pledges:coalition_pledge", org=org, coalition_pledge=found.code)
    context = org_context(membership, form=form, section="pledges")
    return render(
        request, "pledges/coalition_new.html", context, status=400 if form.errors else 200
    )


def render_coalition_pledge(
    request: HttpRequest,
    membership: Membership,
    found: CoalitionPledge,
    part: Part | None,
    form: AcceptForm | None = None,
    errors: list[str] | None = None,
) -> HttpResponse:
    if part is not None and form is None and not part.accepted and found.is_open:
        form = AcceptForm(organization=membership.organization)
    context = org_context(
        membership,
        coalition_pledge=found,
        part=part,
        unions=coalition_services.union_states(found) if part is None else [],
        mine=coalition_services.union_state(part) if part is not None else None,
        labels=progress.BUCKET_LABELS,
        form=form,
        accept_errors=errors or [],
        floors={"signatures": floors.min_signatures(), "group": floors.min_group()},
        section="pledges",
    )
    status = 400 if errors or (form is not None and form.errors) else 200
    return render(request, "pledges/coalition_pledge.html", context, status=status)


@never_cache
@org_view(ORGANIZERS)
def coalition_detail(
    request: HttpRequest, membership: Membership, org: str, coalition_pledge: str
) -> HttpResponse:
    found, part = get_coalition_pledge_for(membership, coalition_pledge)
    return render_coalition_pledge(request, membership, found, part)


@never_cache
@org_view(ORGANIZERS)
@require_POST
def coalition_accept(
    request: HttpRequest, membership: Membership, org: str, coalition_pledge: str
) -> HttpResponse:
    found, part = get_coalition_pledge_for(membership, coalition_pledge)
    if part is None:
        raise Http404
    form = AcceptForm(request.POST, organization=membership.organization)
    if not form.is_valid():
        return render_coalition_pledge(request, membership, found, part, form)
    if not confirmed(request):
        refusal = _("Tick the box to confirm: a pledge sent cannot be called back.")
        return render_coalition_pledge(request, membership, found, part, form, [refusal])
    try:
        mine = coalition_services.accept(membership.person, part, form.acceptance())
    except ValidationError as refused:
        messages = []
        for field, said in refused.message_dict.items():
            if field in form.fields:
                form.add_error(field, said)
            else:
                messages.extend(said)
        part.refresh_from_db()
        return render_coalition_pledge(request, membership, found, part, form, messages)
    return redirect("pledges:pledge", org=org, pledge=mine.code)
