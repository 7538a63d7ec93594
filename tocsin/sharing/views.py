"""An organization admin's sharing screens: what it gives and receives, offers waiting for
an answer both ways, an offer to one partner or to all its member organizations, accepting,
declining and ending at once."""

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from tocsin.accounts.access import org_context, org_view
from tocsin.accounts.models import Membership, Organization, SharingAgreement, SharingCircle
from tocsin.accounts.roles import Role
from tocsin.accounts.sharing import Shares
from tocsin.core.confirm import confirmed

from . import services
from .forms import MembersOfferForm, OfferForm

State = SharingAgreement.State


@dataclass
class Row:
    """One agreement as one organization sees it."""

    agreement: SharingAgreement
    other: Organization
    what: list[str]
    gives: bool
    receives: bool
    upcoming: bool
    circle_convener: Organization | None
    # The area's centre as the screen shows it (no trailing zeros), or None.
    area: tuple[str, str] | None


def row_of(agreement: SharingAgreement, organization: Organization) -> Row:
    mine = agreement.organization_id == organization.pk
    return Row(
        agreement=agreement,
        other=agreement.partner if mine else agreement.organization,
        what=[str(label) for name, label in Shares.choices if getattr(agreement, name)],
        gives=mine or agreement.both_ways,
        receives=not mine or agreement.both_ways,
        upcoming=agreement.starts_at > timezone.now(),
        circle_convener=agreement.circle.convener if agreement.circle is not None else None,
        area=area_of(agreement),
    )


def area_of(agreement: SharingAgreement) -> tuple[str, str] | None:
    if agreement.lat is None or agreement.lng is None or not agreement.radius_m:
        return None
    return (f"{agreement.lat.normalize():f}", f"{agreement.lng.normalize():f}")


def agreements_of(organization: Organization):
    return (
        SharingAgreement.objects.filter(Q(organization=organization) | Q(partner=organization))
        .select_related("organization", "partner", "circle__convener")
        .prefetch_related("sites")
    )


def agreement_of(organization: Organization, code: str) -> SharingAgreement:
    """Return the agreement of that code that the organization is a side of, or 404."""
    found = agreements_of(organization).filter(code=code[:12]).first()
    if found is None:
        raise Http404
    return found


@org_view(Role.ADMIN)
def agreement_list(request: HttpRequest, membership: Membership, org: str) -> HttpResponse:
    organization = membership.organization
    now = timezone.now()
    rows = [row_of(agreement, organization) for agreement in agreements_of(organization)]
    current = [
        row
        for row in rows
        if row.agreement.state == State.IN_FORCE
        and (row.agreement.ends_at is None or row.agreement.ends_at > now)
    ]
    # The circles this organization convened, each with its members' answers (the rows
    # between it and each member).
    circles = [
        (
            circle,
            [
                row
                for row in rows
                if row.agreement.circle_id == circle.pk
                and row.agreement.organization_id == organization.pk
            ],
        )
        for circle in SharingCircle.objects.filter(convener=organization).order_by("-created_at")
    ]
    convened = {circle.pk for circle, _rows in circles}
    context = org_context(
        membership,
        section="sharing",
        giving=[row for row in current if row.gives],
        receiving=[row for row in current if row.receives],
        to_answer=[
            row
            for row in rows
            if row.agreement.state == State.OFFERED and row.agreement.partner_id == organization.pk
        ],
        offered=[
            row
            for row in rows
            if row.agreement.state == State.OFFERED
            and row.agreement.organization_id == organization.pk
            and row.agreement.circle_id not in convened
        ],
        circles=circles,
        past=[
            row
            for row in rows
            if row.agreement.state in (State.ENDED, State.DECLINED)
            or (row.agreement.ends_at is not None and row.agreement.ends_at <= now)
        ][:20],
        has_members=services.members_of(organization).exists(),
    )
    return render(request, "sharing/agreements.html", context)


@org_view(Role.ADMIN)
def offer_new(request: HttpRequest, membership: Membership, org: str) -> HttpResponse:
    organization = membership.organization
    form = OfferForm(organization, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            agreement = services.offer(
                membership.person, organization, form.cleaned_data["partner"], form.terms()
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                _("Offered to %(partner)s. Nothing is shared until they accept.")
                % {"partner": agreement.partner.name},
            )
            return redirect("sharing:agreements", org=org)
    return render(
        request,
        "sharing/offer.html",
        org_context(membership, form=form, section="sharing", to_members=False),
        status=400 if form.errors else 200,
    )


@org_view(Role.ADMIN)
def offer_to_members(request: HttpRequest, membership: Membership, org: str) -> HttpResponse:
    organization = membership.organization
    members = services.members_of(organization)
    if not members.exists():
        raise Http404
    form = MembersOfferForm(members, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            circle = services.offer_to_members(
                membership.person, organization, form.terms(), form.cleaned_data["members"]
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            count = circle.agreements.count()
            messages.success(
                request,
                ngettext(
                    "Offered to %(count)d member organization. It answers on its own screen.",
                    "Offered to %(count)d member organizations. Each answers on its own screen.",
                    count,
                )
                % {"count": count},
            )
            return redirect("sharing:agreements", org=org)
    return render(
        request,
        "sharing/offer.html",
        org_context(membership, form=form, section="sharing", to_members=True),
        status=400 if form.errors else 200,
    )


def _act(request: HttpRequest, org: str, action, done: str) -> HttpResponse:
    try:
        action()
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect("sharing:agreements", org=org)


@org_view(Role.ADMIN)
@require_POST
def agreement_accept(
    request: HttpRequest, membership: Membership, org: str, agreement: str
) -> HttpResponse:
    found = agreement_of(membership.organization, agreement)
    return _act(
        request,
        org,
        lambda: services.accept(membership.person, membership.organization, found),
        _("Accepted. Sharing is in force from its start."),
    )


@org_view(Role.ADMIN)
@require_POST
def agreement_decline(
    request: HttpRequest, membership: Membership, org: str, agreement: str
) -> HttpResponse:
    found = agreement_of(membership.organization, agreement)
    return _act(
        request,
        org,
        lambda: services.decline(membership.person, membership.organization, found),
        _("Declined. Nothing is shared."),
    )


@org_view(Role.ADMIN)
@require_POST
def agreement_end(
    request: HttpRequest, membership: Membership, org: str, agreement: str
) -> HttpResponse:
    found = agreement_of(membership.organization, agreement)
    if not confirmed(request):
        messages.error(request, _("Tick the box to confirm that sharing ends now."))
        return redirect("sharing:agreements", org=org)
    return _act(
        request,
        org,
        lambda: services.end(membership.person, membership.organization, found),
        _("Ended. Nothing more is shared."),
    )


@org_view(Role.ADMIN)
@require_POST
def circle_end(request: HttpRequest, membership: Membership, org: str, circle: str) -> HttpResponse:
    found = SharingCircle.objects.filter(convener=membership.organization, code=circle[:12]).first()
    if found is None:
        raise Http404
    if not confirmed(request):
        messages.error(request, _("Tick the box to confirm that sharing ends now."))
        return redirect("sharing:agreements", org=org)
    return _act(
        request,
        org,
        lambda: services.end_circle(membership.person, membership.organization, found),
        _("Ended for every member. Nothing more is shared."),
    )
