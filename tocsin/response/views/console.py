"""The dispatcher's console: the live queue and map of open incidents, and the queue alone
for the page to swap in when something changed.

Only dispatchers of the organization reach these screens, and see the incidents of the
organizations it shares dispatch with; everyone else gets 404 (tocsin.response.access).
The incident's page is in `incident`, its actions in `actions` and `confirm`, and the
change streams both pages listen to in `stream`.
"""

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from tocsin.accounts.access import org_context, org_view, staff_view
from tocsin.accounts.models import Membership, Person
from tocsin.accounts.roles import Role

from ..access import dispatching_membership, incidents_for
from ..models import Incident
from ..services import reads
from ..services.queue import (
    incident_rows,
    open_among,
    queue_rows,
    shared_queue,
)

DISPATCHER = Role.DISPATCHER


def open_incidents(membership: Membership) -> QuerySet[Incident]:
    return reads.with_read_marks(open_among(incidents_for(membership)), membership.person)


@org_view(DISPATCHER)
def console(request: HttpRequest, membership: Membership, org: str) -> HttpResponse:
    shared = shared_queue(membership.organization)
    rows = queue_rows(membership.person, shared)
    context = {
        **org_context(membership),
        "rows": rows,
        "open_count": len(incident_rows(rows)),
        "map": shared.map,
        "sites": membership.organization.sites.order_by("name"),
        "section": "console",
    }
    return render(request, "response/console.html", context)


@staff_view
def console_of(request: HttpRequest, person: Person, org: str) -> HttpResponse:
    """The link in a new-incident page: the console of the organization through which the
    signed-in dispatcher sees `org`'s incidents (their own, or a partner's that `org` shares
    dispatch with), so each dispatcher paged lands on a console that opens for them."""
    membership = dispatching_membership(person, org)
    return redirect("response:console", org=membership.organization.slug)


@org_view(DISPATCHER)
def console_queue(request: HttpRequest, membership: Membership, org: str) -> HttpResponse:
    """The queue alone, for the console to swap in when something changed."""
    shared = shared_queue(membership.organization)
    rows = queue_rows(membership.person, shared)
    return HttpResponse(shared.rendering(membership.organization, rows))
