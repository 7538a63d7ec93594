"""Alert screens: the sender's list, a notice form and live status; the recipient's page."""

import json
from collections.abc import Callable

from django.conf import settings
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from tocsin.accounts.access import org_context, org_view
from tocsin.accounts.models import Membership, Organization, Person
from tocsin.accounts.roles import Role
from tocsin.core.access import public
from tocsin.core.errors import LinkNotValid
from tocsin.core.sse import event_stream

from .charts import deliveries_per_hour
from .forms import NoticeForm
from .kinds import find
from .models import Alert, Delivery
from .rendering import LINK, delivery_for_token, unsubscriber_for_token
from .rendering import render as render_alert
from .retries import describe
from .rights import rights_url
from .services import create_alert, send_alert, stop_following
from .status import alert_failures, alert_status

SENDERS = Role.DISPATCHER | Role.ORGANIZER | Role.ADMIN
STREAM_SECONDS = 600


def alert_of(organization: Organization, alert: str) -> Alert:
    found = organization.alerts.filter(public_id=alert).first()
    if found is None:
        raise Http404
    return found


@org_view(SENDERS)
def alert_list(request: HttpRequest, membership: Membership, org: str) -> HttpResponse:
    form = NoticeForm(request.POST or None, organization=membership.organization)
    if request.method == "POST" and form.is_valid():
        alert = create_alert(
            membership.organization,
            Alert.Kind.NOTICE,
            {"what": form.cleaned_data["what"], "where": form.cleaned_data["where"]},
            form.audience_spec(),
            actor=membership.person,
        )
        send_alert(alert, actor=membership.person)
        return redirect("delivery:alert", org=org, alert=alert.public_id)
    alerts = membership.organization.alerts.order_by("-created_at")[:50]
    return render(
        request,
        "delivery/alerts.html",
        org_context(
            membership,
            alerts=alerts,
            form=form,
            section="alerts",
            deliveries_chart=deliveries_per_hour(membership.organization),
        ),
        status=400 if form.errors else 200,
    )


@org_view(SENDERS)
def alert_detail(
    request: HttpRequest, membership: Membership, org: str, alert: str
) -> HttpResponse:
    found = alert_of(membership.organization, alert)
    failures = alert_failures(found)
    for group in failures:
        group["why"] = describe(group["reason"])  # in the reader's language
    return render(
        request,
        "delivery/alert.html",
        org_context(
            membership, alert=found, status=alert_status(found), failures=failures, section="alerts"
        ),
    )


@org_view(SENDERS)
def alert_events(
    request: HttpRequest, membership: Membership, org: str, alert: str
) -> StreamingHttpResponse:
    """Server-Sent Events: the alert's counts each second until it is done (or ten minutes);
    see tocsin.core.sse."""
    found = alert_of(membership.organization, alert)
    last: list[dict] = []

    def step() -> tuple[str, bool]:
        status = alert_status(found)
        text = (
            "" if last and last[-1] == status else f"event: status\ndata: {json.dumps(status)}\n\n"
        )
        last[:] = [status]
        return text, status["state"] != Alert.State.SENDING

    return event_stream(request, step, seconds=STREAM_SECONDS)


def delivery_of(token: str) -> Delivery:
    """Return the delivery a link's token names; a forged or expired token gets the page
    that says how to get a new link (404)."""
    delivery_id = delivery_for_token(token)
    delivery = (
        Delivery.objects.select_related("alert__organization", "person")
        .filter(pk=delivery_id)
        .first()
        if delivery_id is not None
        else None
    )
    if delivery is None:
        raise LinkNotValid(
            "delivery/link_expired.html", {"hours": settings.TOCSIN_ALERT_LINK_HOURS}
        )
    return delivery


@public
@require_http_methods(["GET", "HEAD", "POST"])
def alert_link(request: HttpRequest, token: str) -> HttpResponse:
    """The alert, for the person it was sent to, through the link in their message.

    A kind that registered a page of its own (kinds.AlertKind.link_view) gets it, with
    POST too, so that its form can post back to the link itself; any other gets its
    message's page, which has no form.
    """
    delivery = delivery_of(token)
    kind = find(delivery.alert.kind)
    if kind is None:
        raise Http404  # a kind no installed app registers any more
    if kind.link_view is not None:
        return kind.open_link(request, delivery)
    if request.method == "POST":
        return HttpResponseNotAllowed(["GET", "HEAD"])
    return message_page(request, delivery)


def message_page(
    request: HttpRequest,
    delivery: Delivery,
    template: str = "delivery/alert_public.html",
    more: Callable[[Delivery], dict] | None = None,
) -> HttpResponse:
    """Return the page of the alert's message for the delivery's recipient, reached by
    their link. A kind's own page may render it through a `template` that extends
    delivery/alert_public.html, with `more` context made in the recipient's language."""
    # The recipient's own language, as in their message, unless they chose another here.
    language = (
        request.LANGUAGE_CODE
        if settings.LANGUAGE_COOKIE_NAME in request.COOKIES
        else delivery.person.language
    )
    rendered = render_alert(delivery.alert, language)
    with translation.override(language):
        return render(
            request,
            template,
            {
                **(more(delivery) if more is not None else {}),
                "alert": delivery.alert,
                "text": rendered.text.replace(LINK, "").strip(),
                "subject": rendered.subject,
                "token": link_token_of(request),
                "rights_url": rights_url(delivery.alert, language),
            },
        )


def link_token_of(request: HttpRequest) -> str:
    """Return the token of the alert link this request came through (its URL's `token`)."""
    match = request.resolver_match
    return str(match.kwargs["token"]) if match is not None else ""


@public
@require_http_methods(["GET", "POST"])
def alert_stop(request: HttpRequest, token: str) -> HttpResponse:
    """Stop following this organization's alerts, from the alert's own page (the link
    expires with the alert's link; an email's unsubscribe header uses `unsubscribe`)."""
    delivery = delivery_of(token)
    organization = delivery.alert.organization
    if request.method == "POST":
        stop_following(delivery.person, organization)
        return render(request, "delivery/stopped.html", {"organization": organization})
    return render(request, "delivery/stop.html", {"organization": organization})


# RFC 8058, 3.1: the body a mailbox provider posts when its reader presses "Unsubscribe".
ONE_CLICK = ("List-Unsubscribe", "One-Click")


@public
@csrf_exempt  # RFC 8058: the provider posts with no cookie and no token but the URL's own
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """An email's List-Unsubscribe URL: GET asks (a link checker opening it changes
    nothing), the one-click POST stops the person following the organization, and nothing
    else: no sign-in, no session. The token is long-lived (decision 0004)."""
    found = unsubscriber_for_token(token)
    person = Person.objects.filter(pk=found[0]).first() if found else None
    organization = Organization.objects.filter(pk=found[1]).first() if found else None
    if person is None or organization is None:
        raise Http404
    with translation.override(person.language):
        if request.method != "POST":
            context = {"organization": organization, "one_click": ONE_CLICK}
            return render(request, "delivery/stop.html", context)
        if request.POST.get(ONE_CLICK[0]) != ONE_CLICK[1]:
            return HttpResponse(
                _("%(field)s must be %(value)s.") % {"field": ONE_CLICK[0], "value": ONE_CLICK[1]},
                status=400,
                content_type="text/plain; charset=utf-8",
            )
        stop_following(person, organization)
        return render(request, "delivery/stopped.html", {"organization": organization})
