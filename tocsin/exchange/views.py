"""The exchange's staff screens: the exports page and its CSV files (organizers and
admins), and the webhooks (admins)."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tocsin.accounts.access import org_context, org_view
from tocsin.accounts.models import Membership, Organization
from tocsin.accounts.roles import Role
from tocsin.audit.services import record
from tocsin.core.csv import csv_response

from .events import EVENTS
from .forms import ExportForm, WebhookForm, WithholdForm
from .models import Webhook, WebhookDelivery, Withheld
from .services import exports, webhooks, withheld

ORGANIZERS = Role.ORGANIZER | Role.ADMIN
RECENT_DELIVERIES = 20


def exchange_page(
    request: HttpRequest,
    membership: Membership,
    form: ExportForm,
    status: int = 200,
    withhold_form: WithholdForm | None = None,
) -> HttpResponse:
    is_admin = membership.has(Role.ADMIN)
    kept_out = (
        Withheld.objects.filter(organization=membership.organization)
        .select_related("person")
        .order_by("person__display_name", "pk")
        if is_admin
        else []
    )
    return render(
        request,
        "exchange/exchange.html",
        org_context(
            membership,
            form=form,
            section="exchange",
            is_admin=is_admin,
            kept_out=kept_out,
            withhold_form=withhold_form or WithholdForm(),
            osdi_url=settings.TOCSIN_BASE_URL
            + reverse("osdi:aep", kwargs={"org": membership.organization.slug}),
        ),
        status=status,
    )


@org_view(ORGANIZERS)
def exchange(request: HttpRequest, membership: Membership, org: str) -> HttpResponse:
    """The exports page: choose the days, download a CSV."""
    return exchange_page(request, membership, ExportForm(initial={"by": "event"}))


def export(request: HttpRequest, membership: Membership, what: str, build) -> HttpResponse:
    """Check the export's parameters (a bad one shows the page with the field named),
    build the CSV and record who exported what."""
    form = ExportForm(request.GET)
    if not form.is_valid():
        return exchange_page(request, membership, form, status=400)
    organization = membership.organization
    header, rows = build(organization, form.cleaned_data)
    record(
        membership.person,
        f"exchange.export.{what}",
        organization,
        rows=len(rows),
        first=str(form.cleaned_data.get("first") or ""),
        last=str(form.cleaned_data.get("last") or ""),
    )
    return csv_response(header, rows, f"{organization.slug}-{what}.csv")


def events_of(organization: Organization, data: dict):
    return exports.events_between(organization, data.get("first"), data.get("last"))


@org_view(ORGANIZERS)
def events_export(request: HttpRequest, membership: Membership, org: str) -> HttpResponse:
    return export(
        request, membership, "events", lambda o, data: exports.events_csv(events_of(o, data))
    )


@org_view(ORGANIZERS)
def turnout_export(request: HttpRequest, membership: Membership, org: str) -> HttpResponse:
    return export(
        request,
        membership,
        "turnout",
        lambda o, data: exports.turnout_csv(events_of(o, data), data["by"]),
    )


@org_view(ORGANIZERS)
def pledges_export(request: HttpRequest, membership: Membership, org: str) -> HttpResponse:
    return export(request, membership, "pledges", lambda o, data: exports.pledges_csv(o))


@org_view(Role.ADMIN)
@require_POST
def withheld_add(request: HttpRequest, membership: Membership, org: str) -> HttpResponse:
    """Keep a member out of the OSDI API, found by one of their addresses."""
    form = WithholdForm(request.POST)
    if form.is_valid():
        try:
            withheld.withhold(
                membership.person, membership.organization, form.cleaned_data["address"]
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Kept out of the exchange."))
            return redirect("exchange:exchange", org=org)
    return exchange_page(request, membership, ExportForm(), status=400, withhold_form=form)


@org_view(Role.ADMIN)
@require_POST
def withheld_remove(request: HttpRequest, membership: Membership, org: str, person) -> HttpResponse:
    found = Withheld.objects.filter(
        organization=membership.organization, person__public_id=person
    ).first()
    if found is None:
        raise Http404
    withheld.release(membership.person, found)
    messages.success(request, _("Back in the exchange."))
    return redirect("exchange:exchange", org=org)


def webhook_of(organization: Organization, code: str) -> Webhook:
    found = organization.webhooks.filter(code=code[:12]).first()
    if found is None:
        raise Http404
    return found


@org_view(Role.ADMIN)
def webhook_list(request: HttpRequest, membership: Membership, org: str) -> HttpResponse:
    """List the organization's webhooks and their latest deliveries, and add one; the new
    webhook's secret is shown on the page that answers the add, and never again."""
    form = WebhookForm(request.POST or None)
    secret = added = None
    if request.method == "POST" and form.is_valid():
        try:
            added, secret = webhooks.add_webhook(
                membership.person,
                membership.organization,
                form.cleaned_data["name"],
                form.cleaned_data["url"],
                form.cleaned_data["events"],
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form = WebhookForm()
    found = list(membership.organization.webhooks.all())
    deliveries = (
        WebhookDelivery.objects.filter(webhook__organization=membership.organization)
        .select_related("webhook")
        .order_by("-created_at", "-pk")[:RECENT_DELIVERIES]
    )
    response = render(
        request,
        "exchange/webhooks.html",
        org_context(
            membership,
            form=form,
            rows=[
                (webhook, [EVENTS.get(name, name) for name in webhook.events]) for webhook in found
            ],
            deliveries=deliveries,
            added=added,
            secret=secret,
            section="exchange",
        ),
        status=400 if form.errors else 200,
    )
    response["Cache-Control"] = "no-store"
    return response


@org_view(Role.ADMIN)
@require_POST
def webhook_remove(
    request: HttpRequest, membership: Membership, org: str, webhook: str
) -> HttpResponse:
    webhooks.remove_webhook(membership.person, webhook_of(membership.organization, webhook))
    messages.success(request, _("Removed."))
    return redirect("exchange:webhooks", org=org)


@org_view(Role.ADMIN)
@require_POST
def webhook_test(
    request: HttpRequest, membership: Membership, org: str, webhook: str
) -> HttpResponse:
    webhooks.send_test(membership.person, webhook_of(membership.organization, webhook))
    messages.success(
        request, _("A test delivery is on its way. Reload this page to see whether it arrived.")
    )
    return redirect("exchange:webhooks", org=org)
