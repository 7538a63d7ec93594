"""An organization's members: find them, change roles and placement, reveal contacts, erase."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tocsin.accounts.access import org_role_required
from tocsin.accounts.models import ContactPoint
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


@org_role_required(Role.ADMIN)
def member_list(request, org):
    organization = request.organization
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
        {
            "organization": organization,
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "section": "members",
        },
    )


def _render_member(request, membership, form=None, erase_form=None, contacts=None, status=200):
    organization = request.organization
    if form is None:
        form = MembershipForm(
            organization=organization,
            initial={
                "roles": [role.slug for role in Role if membership.roles & role],
                "unit": membership.unit,
                "site": membership.site,
            },
        )
    contact_points = list(membership.person.contacts.all())
    return render(
        request,
        "staff/member.html",
        {
            "organization": organization,
            "membership": membership,
            "member": membership.person,
            "form": form,
            "erase_form": erase_form or EraseForm(expected=membership.person.display_name),
            "contacts": contact_points,
            "revealed": contacts is not None,
            "roles": [role.label for role in Role if membership.roles & role],
            "has_second_factor": second_factor.has_second_factor(membership.person),
            "can_sign_in": membership.active and bool(membership.roles & PRIVILEGED),
            "link_hours": passwords.password_link_hours(),
            "section": "members",
        },
        status=status,
    )


@org_role_required(Role.ADMIN)
def member_detail(request, org, person):
    membership = get_membership_in(request.organization, person)
    if request.method != "POST":
        return _render_member(request, membership)
    form = MembershipForm(request.POST, organization=request.organization)
    if form.is_valid():
        try:
            membership_services.update_membership(
                request.user,
                membership,
                roles=form.cleaned_roles(),
                unit=form.cleaned_data["unit"],
                site=form.cleaned_data["site"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("staff:member", org=org, person=person)
    return _render_member(request, membership, form=form, status=400)


@org_role_required(Role.ADMIN)
@require_POST
def member_contacts(request, org, person):
    """Show a member's contact addresses in full; every such read is audited."""
    membership = get_membership_in(request.organization, person)
    record(
        request.user,
        "accounts.contacts.viewed",
        membership.person,
        organization=request.organization,
    )
    return _render_member(request, membership, contacts=True)


@org_role_required(Role.ADMIN)
@require_POST
def member_active(request, org, person):
    membership = get_membership_in(request.organization, person)
    active = request.POST.get("active") == "1"
    try:
        membership_services.set_membership_active(request.user, membership, active)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request, _("Membership reactivated.") if active else _("Membership deactivated.")
        )
    return redirect("staff:member", org=org, person=person)


@org_role_required(Role.ADMIN)
@require_POST
def member_second_factor_reset(request, org, person):
    """Let a member who lost their phone and backup codes enrol a new authenticator."""
    membership = get_membership_in(request.organization, person)
    second_factor.reset_second_factor(request.user, membership.person, request.organization)
    messages.success(request, _("Second factor reset: they will set up a new one at next sign-in."))
    return redirect("staff:member", org=org, person=person)


@org_role_required(Role.ADMIN)
@require_POST
def member_invite(request, org, person):
    """Send a person with a role above member a link to choose their password."""
    membership = get_membership_in(request.organization, person)
    try:
        passwords.invite_to_sign_in(request.user, membership)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request, _("Invitation sent to their confirmed email: a link to choose a password.")
        )
    return redirect("staff:member", org=org, person=person)


@org_role_required(Role.ADMIN)
def member_erase(request, org, person):
    """Erase a person and all their data for good, after typing their name."""
    membership = get_membership_in(request.organization, person)
    form = EraseForm(request.POST or None, expected=membership.person.display_name)
    if request.method == "POST":
        if form.is_valid():
            try:
                membership_services.erase_member(request.user, membership)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("The person and all their data were erased."))
                return redirect("staff:members", org=org)
        return _render_member(request, membership, erase_form=form, status=400)
    return redirect("staff:member", org=org, person=person)
