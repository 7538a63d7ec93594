"""An organization's members: find them, change roles and placement, reveal contacts, erase."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tocsin.accounts.access import org_context, org_view
from tocsin.accounts.models import ContactPoint, Membership
from tocsin.accounts.roles import PRIVILEGED, Role, has_role
from tocsin.accounts.services import memberships as membership_services
from tocsin.accounts.services.people import find_contact
from tocsin.audit.services import record
from tocsin.core.contacts import looks_like_phone

from ..access import get_membership_in
from ..forms import ROLES_BY_SLUG, EraseForm, MemberFilterForm, MembershipForm
from ..services import passwords, second_factor
from . import apply_errors

PAGE_SIZE = 50


def _people_with_contact(query: str) -> list[int] | None:
    """Return ids of people holding exactly this email or phone, or None for a name search."""
    if "@" in query:
        channels = [ContactPoint.Channel.EMAIL]
    elif looks_like_phone(query):
        channels = [ContactPoint.Channel.SMS, ContactPoint.Channel.SIGNAL]
    else:
        return None
    contacts = [find_contact(channel, query) for channel in channels]
    return [contact.person_id for contact in contacts if contact is not None]


@org_view(Role.ADMIN)
def member_list(request: HttpRequest, membership: Membership, org: str) -> HttpResponse:
    organization = membership.organization
    form = MemberFilterForm(request.GET or None, organization=organization)
    memberships = organization.memberships.select_related("person", "unit", "site")
    status = "active"
    if form.is_valid():
        data = form.cleaned_data
        status = data["status"] or "active"
        if query := data["q"].strip():
            people = _people_with_contact(query)
            if people is None:
                memberships = memberships.filter(person__display_name__icontains=query)
            else:
                memberships = memberships.filter(person_id__in=people)
        if data["role"]:
            memberships = memberships.filter(has_role(ROLES_BY_SLUG[data["role"]]))
        if data["unit"]:
            memberships = memberships.filter(unit__code=data["unit"])
        if data["site"]:
            memberships = memberships.filter(site__code=data["site"])
    if status != "all":
        memberships = memberships.filter(active=status == "active")
    page = Paginator(memberships.order_by("person__display_name", "pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "staff/members.html",
        org_context(membership, form=form, page=page, query=query.urlencode(), section="members"),
    )


def _render_member(
    request: HttpRequest,
    membership: Membership,
    theirs: Membership,
    form: MembershipForm | None = None,
    erase_form: EraseForm | None = None,
    contacts: bool | None = None,
    status: int = 200,
) -> HttpResponse:
    organization = membership.organization
    if form is None:
        form = MembershipForm(
            organization=organization,
            initial={
                "roles": [role.slug for role in Role if theirs.roles & role],
                "unit": theirs.unit,
                "site": theirs.site,
            },
        )
    contact_points = list(theirs.person.contacts.all())
    return render(
        request,
        "staff/member.html",
        org_context(
            membership,
            membership=theirs,
            member=theirs.person,
            form=form,
            erase_form=erase_form or EraseForm(expected=theirs.person.display_name),
            contacts=contact_points,
            revealed=contacts is not None,
            roles=[role.label for role in Role if theirs.roles & role],
            has_second_factor=second_factor.has_second_factor(theirs.person),
            can_sign_in=theirs.active and bool(theirs.roles & PRIVILEGED),
            link_hours=passwords.password_link_hours(),
            section="members",
        ),
        status=status,
    )


@org_view(Role.ADMIN)
def member_detail(
    request: HttpRequest, membership: Membership, org: str, person: str
) -> HttpResponse:
    theirs = get_membership_in(membership.organization, person)
    if request.method != "POST":
        return _render_member(request, membership, theirs)
    form = MembershipForm(request.POST, organization=membership.organization)
    if form.is_valid():
        try:
            membership_services.update_membership(
                membership.person,
                theirs,
                roles=form.cleaned_roles(),
                unit=form.cleaned_data["unit"],
                site=form.cleaned_data["site"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("staff:member", org=org, person=person)
    return _render_member(request, membership, theirs, form=form, status=400)


@org_view(Role.ADMIN)
@require_POST
def member_contacts(
    request: HttpRequest, membership: Membership, org: str, person: str
) -> HttpResponse:
    """Show a member's contact addresses in full; every such read is audited."""
    theirs = get_membership_in(membership.organization, person)
    record(
        membership.person,
        "accounts.contacts.viewed",
        theirs.person,
        organization=membership.organization,
    )
    return _render_member(request, membership, theirs, contacts=True)


@org_view(Role.ADMIN)
@require_POST
def member_active(
    request: HttpRequest, membership: Membership, org: str, person: str
) -> HttpResponse:
    theirs = get_membership_in(membership.organization, person)
    active = request.POST.get("active") == "1"
    try:
        membership_services.set_membership_active(membership.person, theirs, active)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request, _("Membership reactivated.") if active else _("Membership deactivated.")
        )
    return redirect("staff:member", org=org, person=person)


@org_view(Role.ADMIN)
@require_POST
def member_second_factor_reset(
    request: HttpRequest, membership: Membership, org: str, person: str
) -> HttpResponse:
    """Let a member who lost their phone and backup codes enrol a new authenticator."""
    theirs = get_membership_in(membership.organization, person)
    second_factor.reset_second_factor(membership.person, theirs.person, membership.organization)
    messages.success(request, _("Second factor reset: they will set up a new one at next sign-in."))
    return redirect("staff:member", org=org, person=person)


@org_view(Role.ADMIN)
@require_POST
def member_invite(
    request: HttpRequest, membership: Membership, org: str, person: str
) -> HttpResponse:
    """Send a person with a role above member a link to choose their password."""
    theirs = get_membership_in(membership.organization, person)
    try:
        passwords.invite_to_sign_in(membership.person, theirs)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request, _("Invitation sent to their confirmed email: a link to choose a password.")
        )
    return redirect("staff:member", org=org, person=person)


@org_view(Role.ADMIN)
def member_erase(
    request: HttpRequest, membership: Membership, org: str, person: str
) -> HttpResponse:
    """Erase a person and all their data for good, after typing their name."""
    theirs = get_membership_in(membership.organization, person)
    form = EraseForm(request.POST or None, expected=theirs.person.display_name)
    if request.method == "POST":
        if form.is_valid():
            try:
                membership_services.erase_member(membership.person, theirs)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("The person and all their data were erased."))
                return redirect("staff:members", org=org)
        return _render_member(request, membership, theirs, erase_form=form, status=400)
    return redirect("staff:member", org=org, person=person)
