"""The organizer's pledge screens: the list, a new pledge, and a pledge's page.

Before the threshold a pledge's page shows how many members it asks and, for groups big
enough, a bucket of the way to the threshold; never a count of signatures, never a name.
Once it is sent it also lists every change an admin made to the members of its groups,
which changes no count (the roll was taken at the send) but is how someone would probe it.
Once it is on, it shows the share that signed and the signers (each showing audited).
"""

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from tocsin.accounts.access import org_context, org_view
from tocsin.accounts.models import Membership
from tocsin.core.confirm import confirmed

from .. import floors, progress
from ..access import (
    ORGANIZERS,
    coalition_pledges_of,
    get_pledge_for_organizer,
    parts_of,
    pledges_of,
)
from ..forms import PledgeForm
from ..models import Part
from ..services import coalition, outcome
from ..services import pledges as pledge_services


@never_cache
@org_view(ORGANIZERS)
def pledge_list(request: HttpRequest, membership: Membership, org: str) -> HttpResponse:
    found = pledges_of(membership).prefetch_related("units").select_related("site")
    rows = [(pledge, progress.overall_bucket(pledge)) for pledge in found[:100]]
    context = org_context(
        membership,
        rows=rows,
        labels=progress.BUCKET_LABELS,
        coalition_pledges=coalition_pledges_of(membership)[:100],
        parts=[(part, coalition.union_state(part)) for part in parts_of(membership)[:100]],
        makes_coalition_pledges=coalition.unions_of(membership.organization).exists(),
        section="pledges",
    )
    return render(request, "pledges/staff_list.html", context)


@never_cache
@org_view(ORGANIZERS)
def pledge_new(request: HttpRequest, membership: Membership, org: str) -> HttpResponse:
    form = PledgeForm(request.POST or None, organization=membership.organization)
    if request.method == "POST" and form.is_valid():
        try:
            pledge = pledge_services.create_pledge(
                membership.person, membership.organization, form.pledge_input()
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            return redirect("pledges:pledge", org=org, pledge=pledge.code)
    context = org_context(membership, form=form, section="pledges")
    return render(request, "pledges/staff_new.html", context, status=400 if form.errors else 200)


def render_pledge(
    request: HttpRequest,
    membership: Membership,
    found,
    errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    groups = progress.groups(found)
    context = org_context(
        membership,
        pledge=found,
        groups=groups,
        bucket=progress.overall_bucket(found, groups),
        labels=progress.BUCKET_LABELS,
        signers=outcome.signers(membership.person, found),
        threshold=progress.threshold_text(found),
        asked=sum(group.eligible for group in groups),
        changes=progress.asked_changes(found),
        change_labels=progress.CHANGE_LABELS,
        floors={"signatures": floors.min_signatures(), "group": floors.min_group()},
        send_errors=errors or [],
        coalition_part=Part.objects.filter(pledge=found)
        .select_related("coalition_pledge__organization")
        .first(),
        section="pledges",
    )
    return render(request, "pledges/staff_pledge.html", context, status=status)


@never_cache
@org_view(ORGANIZERS)
def pledge_detail(
    request: HttpRequest, membership: Membership, org: str, pledge: str
) -> HttpResponse:
    return render_pledge(request, membership, get_pledge_for_organizer(membership, pledge))


@never_cache
@org_view(ORGANIZERS)
@require_POST
def pledge_send(
    request: HttpRequest, membership: Membership, org: str, pledge: str
) -> HttpResponse:
    found = get_pledge_for_organizer(membership, pledge)
    if not confirmed(request):
        refusal = _("Tick the box to confirm: a pledge sent cannot be called back.")
        return render_pledge(request, membership, found, [refusal], status=400)
    try:
        pledge_services.send_pledge(membership.person, found)
    except ValidationError as refused:
        found.refresh_from_db()
        return render_pledge(request, membership, found, refused.messages, status=400)
    return redirect("pledges:pledge", org=org, pledge=found.code)
