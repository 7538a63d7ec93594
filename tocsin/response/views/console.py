"""The dispatcher's console: the live queue and map of open incidents, and the queue alone
for the page to swap in when something changed.

Only dispatchers of the organization reach these screens, and see the incidents of the
organizations it shares dispatch with; everyone else gets 404 (tocsin.response.access).
The incident's page is in `incident`, its actions in `actions` and `confirm`, and the
change streams both pages listen to in `stream`.
"""

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tocsin.accounts.access import org_context, org_view
from tocsin.accounts.models import Membership
from tocsin.accounts.roles import Role

from ..access import incidents_for
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


@org_view(DISPATCHER)
def console_queue(request: HttpRequest, membership: Membership, org: str) -> HttpResponse:
    """The queue alone, for the console to swap in when something changed."""
    shared = shared_queue(membership.organization)
    rows = queue_rows(membership.person, shared)
    return HttpResponse(shared.rendering(membership.organization, rows))
