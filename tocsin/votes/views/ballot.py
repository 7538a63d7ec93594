"""The voter's pages: the ballot behind the link in their ballot message, and the receipt
check. Both are public: the ballot page is reached only with an opaque token that seals the
vote and the elector (ballot_links.ballot_token) and expires at the close; the receipt check
says only "counted".

Casting renders the receipt straight away: no redirect, no message in the session, no
session write at all, no log line (decision 0011).
"""

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from tocsin.core.access import public

from ..forms import BallotForm, ReceiptForm
from ..models import Elector, Vote
from ..services import casting, counting
from ..services import links as ballot_links


def language_for(request: HttpRequest, person) -> str:
    """The voter's own language, as in their message, unless they chose another here."""
    if settings.LANGUAGE_COOKIE_NAME in request.COOKIES:
        return request.LANGUAGE_CODE
    return person.language


def invalid(request: HttpRequest) -> HttpResponse:
    return render(request, "votes/ballot_invalid.html", status=404)


def spaced(receipt: str) -> str:
    """Show a receipt in groups of four characters, easier to copy down."""
    return "-".join(receipt[i : i + 4] for i in range(0, len(receipt), 4))


def from_alert(request: HttpRequest, delivery) -> HttpResponse:
    """The link in a ballot message: the recipient's own ballot of that vote."""
    vote = Vote.objects.filter(
        code=str(delivery.alert.context.get("code", "")),
        organization=delivery.alert.organization,
    ).first()
    if vote is None or not Elector.objects.filter(vote=vote, person=delivery.person).exists():
        return invalid(request)
    return redirect(ballot_links.ballot_path(vote, delivery.person))


@public
@never_cache
@require_http_methods(["GET", "POST"])
def ballot(request: HttpRequest, token: str) -> HttpResponse:
    found = ballot_links.elector_for_token(token)
    if found is None:
        return invalid(request)
    vote, person = found
    with translation.override(language_for(request, person)):
        return ballot_page(request, vote, person)


def ballot_page(request: HttpRequest, vote: Vote, person) -> HttpResponse:
    context: dict[str, Any] = {"vote": vote, "options": vote.options.order_by("position")}
    if casting.has_voted(vote, person):
        status = 409 if request.method == "POST" else 200
        return render(request, "votes/ballot_voted.html", context, status=status)
    form = BallotForm(request.POST or None, vote=vote)
    if request.method == "POST" and form.is_valid():
        try:
            receipt = casting.cast(person, vote, form.chosen())
        except casting.AlreadyVoted:
            return render(request, "votes/ballot_voted.html", context, status=409)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            return render(
                request, "votes/ballot_cast.html", {**context, "receipt": spaced(receipt)}
            )
    context.update({"form": form, "open": vote.state == Vote.State.OPEN})
    return render(request, "votes/ballot.html", context, status=400 if form.errors else 200)


@public
@never_cache
@require_http_methods(["GET", "POST"])
def receipt_check(request: HttpRequest) -> HttpResponse:
    """Type a receipt code; learn whether that ballot was counted (never its option)."""
    form = ReceiptForm(request.POST or None)
    checked = False
    vote = None
    if request.method == "POST" and form.is_valid():
        checked = True
        vote = counting.check_receipt(form.cleaned_data["receipt"])
    outcome = counting.result(vote) if vote is not None and vote.is_closed else None
    context = {"form": form, "checked": checked, "vote": vote, "result": outcome}
    return render(request, "votes/receipt.html", context, status=400 if form.errors else 200)
