"""A member's votes: each vote whose roll they are on, open or lately closed, with their
own ballot link while it is open and the result once it has closed.

The message with the ballot link expires after TOCSIN_ALERT_LINK_HOURS; this page is where
a member finds their ballot again. It shows whether they have voted, never how: nothing
stored says that.
"""

from datetime import timedelta

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from tocsin.accounts.access import member_view
from tocsin.accounts.models import Person

from ..models import PendingBallot, Vote
from ..services import counting
from ..services import links as ballot_links

# How long a closed vote stays on the member's page, with its result.
RECENT = timedelta(days=90)


@never_cache
@member_view
def my_votes(request: HttpRequest, person: Person) -> HttpResponse:
    votes = (
        Vote.objects.filter(electors__person=person, closes_at__gt=timezone.now() - RECENT)
        .select_related("organization")
        .order_by("closes_at", "code")
    )
    pending = set(PendingBallot.objects.filter(person=person).values_list("vote_id", flat=True))
    rows = []
    for vote in votes:
        if vote.is_closed:
            rows.append({"vote": vote, "result": counting.result(vote)})
        else:
            waiting = vote.pk in pending
            link = ballot_links.ballot_path(vote, person) if waiting else None
            rows.append({"vote": vote, "ballot": link, "voted": not waiting})
    rows.sort(key=lambda row: "result" in row)  # open votes first
    return render(request, "votes/member_list.html", {"rows": rows, "here": "votes"})
