"""The organizer's vote screens: the list, a new vote, a vote's page and sending its ballots.

While a vote is open its page shows the size of the roll and how many have voted, as a
count only: never who, never how. The counts per option appear once it has closed.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from tocsin.accounts.access import org_context, org_view
from tocsin.accounts.models import Membership
from tocsin.core.confirm import confirmed

from ..access import ORGANIZERS, get_vote_for_organizer, votes_of
from ..forms import VoteForm
from ..models import Vote
from ..services import counting
from ..services import votes as vote_services

ORG = "staff/o/<slug:org>/"


@never_cache
@org_view(ORGANIZERS)
def vote_list(request: HttpRequest, membership: Membership, org: str) -> HttpResponse:
    found = votes_of(membership).select_related("unit").order_by("-closes_at", "code")
    context = org_context(membership, votes=found[:100], section="votes")
    return render(request, "votes/staff_list.html", context)


@never_cache
@org_view(ORGANIZERS)
def vote_new(request: HttpRequest, membership: Membership, org: str) -> HttpResponse:
    form = VoteForm(request.POST or None, organization=membership.organization)
    if request.method == "POST" and form.is_valid():
        try:
            vote = vote_services.create_vote(
                membership.person, membership.organization, form.vote_input()
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            return redirect("votes:vote", org=org, vote=vote.code)
    context = org_context(membership, form=form, section="votes")
    return render(request, "votes/staff_new.html", context, status=400 if form.errors else 200)


def vote_context(membership: Membership, vote: Vote, send_error: str = "") -> dict[str, Any]:
    return org_context(
        membership,
        vote=vote,
        options=vote.options.order_by("position"),
        roll=counting.roll_size(vote),
        voted=counting.turnout(vote),
        eligible=vote_services.eligible_people(vote).count(),
        result=counting.result(vote) if vote.is_closed else None,
        send_error=send_error,
        section="votes",
    )


@never_cache
@org_view(ORGANIZERS)
def vote_detail(request: HttpRequest, membership: Membership, org: str, vote: str) -> HttpResponse:
    found = get_vote_for_organizer(membership, vote)
    return render(request, "votes/staff_vote.html", vote_context(membership, found))


@org_view(ORGANIZERS)
@require_POST
def vote_send(request: HttpRequest, membership: Membership, org: str, vote: str) -> HttpResponse:
    """Take the roll now and send the ballots (otherwise they go out when voting opens)."""
    found = get_vote_for_organizer(membership, vote)
    if not confirmed(request):
        said = _("Tick the box to confirm: ballots sent cannot be called back.")
        context = vote_context(membership, found, send_error=said)
        return render(request, "votes/staff_vote.html", context, status=400)
    try:
        vote_services.send_ballots(membership.person, found)
    except ValidationError as error:
        said = " ".join(message for messages in error.message_dict.values() for message in messages)
        context = vote_context(membership, found, send_error=said)
        return render(request, "votes/staff_vote.html", context, status=400)
    return redirect("votes:vote", org=org, vote=found.code)
