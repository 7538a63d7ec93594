"""A member's pledges, from the member's link or a pledge message's link: what it asks, how
far it has come (a bucket, or nothing in a small group), sign and withdraw.

Signing shows the member a page like any other, and stores no note of it in the session,
the audit log or the logs (decision 0009).
"""

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.cache import never_cache

from tocsin.accounts.models import Person
from tocsin.joining.access import member_required, sign_in_member

from .. import progress, services
from ..access import get_pledge_for_member, pledges_asking
from ..models import Pledge


@never_cache
@member_required
def my_pledges(request: HttpRequest) -> HttpResponse:
    person = request.member
    rows = [
        (pledge, services.has_signed(person, pledge), progress.overall_bucket(pledge))
        for pledge in pledges_asking(person)
    ]
    context = {"rows": rows, "labels": progress.BUCKET_LABELS, "here": "pledges"}
    return render(request, "pledges/member_list.html", context)


def sign_or_withdraw(request: HttpRequest, person: Person, pledge: Pledge) -> str | None:
    """Do what the posted form asks; return the reason it was refused, or None."""
    action = services.sign if request.POST.get("do") == "sign" else services.withdraw
    try:
        action(person, pledge)
    except ValidationError as refused:
        return refused.message_dict.get("pledge", [""])[0]
    return None


def pledge_page(
    request: HttpRequest, person: Person, pledge: Pledge, error: str | None, *, via_link: bool
) -> HttpResponse:
    """Render the person's page of a pledge on its roll."""
    pledge.refresh_from_db()
    entry = progress.asked_entry(pledge, person)
    groups = progress.groups(pledge)
    key = entry.group_id if entry else None
    mine = next((g for g in groups if g.key == key), groups[0]) if groups else None
    context = {
        "pledge": pledge,
        "signed": services.has_signed(person, pledge),
        "group": mine,
        "bucket": mine.bucket if mine and pledge.is_open else progress.overall_bucket(pledge),
        "labels": progress.BUCKET_LABELS,
        "threshold": progress.threshold_text(pledge),
        "error": error,
        "here": "pledges",
    }
    return render(request, "pledges/member_pledge.html", context, status=400 if error else 200)


@never_cache
@member_required
def my_pledge(request: HttpRequest, pledge: str) -> HttpResponse:
    person = request.member
    found = get_pledge_for_member(person, pledge)
    error = None
    if request.method == "POST":
        error = sign_or_withdraw(request, person, found)
        if error is None:
            return redirect("pledges:my_pledge", pledge=found.code)
    return pledge_page(request, person, found, error, via_link=False)


def from_alert(request: HttpRequest, delivery) -> HttpResponse:
    """The link in a pledge message: the recipient's own page of that pledge."""
    code = str(delivery.alert.context.get("code", ""))
    sign_in_member(request, delivery.person)
    if Pledge.objects.filter(code=code, organization=delivery.alert.organization).exists():
        return redirect(reverse("pledges:my_pledge", kwargs={"pledge": code}))
    return redirect("pledges:my_pledges")


urlpatterns = [
    path("me/pledges/", my_pledges, name="my_pledges"),
    path("me/pledges/<str:pledge>/", my_pledge, name="my_pledge"),
]
