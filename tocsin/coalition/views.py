"""The coalition view: staff/o/<coalition>/coalition/ and its data (decision 0029)."""

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from tocsin.accounts.access import org_context, org_view
from tocsin.accounts.models import Membership
from tocsin.accounts.roles import Role
from tocsin.pledges.progress import BUCKET_LABELS

from . import summary

READERS = Role.ORGANIZER | Role.ADMIN | Role.DISPATCHER


def coalition_of(membership: Membership):
    if not summary.is_coalition(membership.organization):
        raise Http404
    return membership.organization


@never_cache
@org_view(READERS)
def coalition(request: HttpRequest, membership: Membership, org: str) -> HttpResponse:
    view = summary.coalition_view(coalition_of(membership))
    context = org_context(
        membership,
        view=view,
        points=[
            {"lat": p.lat, "lng": p.lng, "name": f"{p.name} · {p.organization} · {p.state_label}"}
            for p in view.places
            if p.lat is not None and p.lng is not None
        ],
        labels=BUCKET_LABELS,
        section="coalition",
    )
    return render(request, "coalition/coalition.html", context)


@never_cache
@org_view(READERS)
def coalition_data(request: HttpRequest, membership: Membership, org: str) -> HttpResponse:
    return JsonResponse(summary.as_data(summary.coalition_view(coalition_of(membership))))
