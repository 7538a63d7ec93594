"""A member's pledges: what one asks, how far it has come (a bucket, or nothing in a small
group), sign and withdraw. Reached two ways:

- from the member's own link (a member session): `/me/pledges/` and each pledge's page;
- from the link in a pledge message (`/a/<token>/`, handed here by the delivery app): that
  one pledge's page for the message's recipient, whose forms post back to the same link.
  It signs nobody in, so the link reaches that pledge and nothing else of the member's.

Signing shows the member a page like any other, and stores no note of it in the session,
the audit log or the logs (decision 0009).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from tocsin.accounts.access import member_view
from tocsin.accounts.models import Person
from tocsin.core.confirm import confirmed

from .. import progress
from ..access import get_pledge_for_member, pledges_asking
from ..models import Part, Pledge
from ..services import signing


@never_cache
@member_view
def my_pledges(request: HttpRequest, person: Person) -> HttpResponse:
    rows = [
        (pledge, signing.has_signed(person, pledge), progress.overall_bucket(pledge))
        for pledge in pledges_asking(person)
    ]
    context = {"rows": rows, "labels": progress.BUCKET_LABELS, "here": "pledges"}
    return render(request, "pledges/member_list.html", context)


def sign_or_withdraw(request: HttpRequest, person: Person, pledge: Pledge) -> str | None:
    """Do what the posted form asks; return the reason it was refused, or None."""
    action = signing.sign if request.POST.get("do") == "sign" else signing.withdraw
    if action is signing.withdraw and not confirmed(request):
        return _("Tick the box to confirm that you withdraw your signature.")
    try:
        action(person, pledge)
    except ValidationError as refused:
        return refused.message_dict.get("pledge", [""])[0]
    return None


def coalition_of(pledge: Pledge) -> str:
    """The name of the coalition whose pledge this union's pledge is part of, or ""."""
    part = Part.objects.filter(pledge=pledge).select_related("coalition_pledge__organization")
    found = part.first()
    return found.coalition_pledge.organization.name if found else ""


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
        "signed": signing.has_signed(person, pledge),
        "group": mine,
        "bucket": mine.bucket if mine and pledge.is_open else progress.overall_bucket(pledge),
        "labels": progress.BUCKET_LABELS,
        "threshold": progress.threshold_text(pledge),
        "error": error,
        "here": "pledges",
        "via_link": via_link,
        "coalition": coalition_of(pledge),
    }
    return render(request, "pledges/member_pledge.html", context, status=400 if error else 200)


@never_cache
@member_view
def my_pledge(request: HttpRequest, person: Person, pledge: str) -> HttpResponse:
    found = get_pledge_for_member(person, pledge)
    error = None
    if request.method == "POST":
        error = sign_or_withdraw(request, person, found)
        if error is None:
            return redirect("pledges:my_pledge", pledge=found.code)
    return pledge_page(request, person, found, error, via_link=False)


def from_alert(request: HttpRequest, delivery) -> HttpResponse:
    """The link in a pledge message: that pledge's page for the message's recipient, where
    they sign or withdraw (the forms post back to this same link). No member session is
    made, so the link opens this pledge and nothing else of theirs."""
    person = delivery.person
    found = Pledge.objects.filter(
        code=str(delivery.alert.context.get("code", "")),
        organization=delivery.alert.organization,
    ).first()
    # The recipient's own language, as in their message, unless they chose another here.
    language = (
        request.LANGUAGE_CODE
        if settings.LANGUAGE_COOKIE_NAME in request.COOKIES
        else person.language
    )
    with translation.override(language):
        if found is None or progress.asked_entry(found, person) is None:
            response = render(request, "pledges/link_invalid.html", status=404)
        elif request.method == "POST":
            error = sign_or_withdraw(request, person, found)
            if error is None:
                response = redirect(request.path)
            else:
                response = pledge_page(request, person, found, error, via_link=True)
        else:
            response = pledge_page(request, person, found, None, via_link=True)
    add_never_cache_headers(response)
    return response
