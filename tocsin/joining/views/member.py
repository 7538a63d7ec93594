"""A member's own pages, reached through a member link: profile, contacts, follows, leaving."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tocsin.accounts.access import MEMBER_SESSION_KEY, member_view
from tocsin.accounts.models import AlertKinds, ContactPoint, Organization, Person, Site
from tocsin.accounts.services import subscriptions as follows
from tocsin.audit.services import record
from tocsin.core.access import public
from tocsin.core.tiles import map_settings
from tocsin.delivery.vapid import application_server_key

from ..access import CLAIM_SESSION_KEY, sign_in_member
from ..forms import CodeForm, ContactAddForm, FollowForm, KindsForm, MemberLinkForm, ProfileForm
from ..links import person_from_token
from ..services import codes
from ..services import links as member_links
from ..services import members as member_services


@public
def member_link_request(request: HttpRequest) -> HttpResponse:
    """Send a link to a confirmed contact (a code to an unconfirmed one); answer the same
    whether or not the contact is in Tocsin."""
    form = MemberLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        waiting = member_links.request_member_link(form.cleaned_data["address"])
        # Server-side session: the browser cannot tell whether a contact was found.
        request.session[CLAIM_SESSION_KEY] = waiting.pk if waiting is not None else 0
        return link_sent(request, CodeForm(initial={"contact": 0}))
    return render(request, "joining/member_link_request.html", {"form": form})


def link_sent(request: HttpRequest, code_form: CodeForm) -> HttpResponse:
    context = {"hours": settings.TOCSIN_MEMBER_LINK_HOURS, "code_form": code_form}
    return render(request, "joining/member_link_sent.html", context)


@public
@require_POST
def member_code(request: HttpRequest) -> HttpResponse:
    """Sign in with the code sent to a contact that was not confirmed yet, which confirms it."""
    form = CodeForm(request.POST)
    contact_id = request.session.get(CLAIM_SESSION_KEY)
    contact = (
        ContactPoint.objects.filter(pk=contact_id, confirmed_at__isnull=True).first()
        if isinstance(contact_id, int) and contact_id
        else None
    )
    if form.is_valid():
        try:
            # The same refusal, after the same work, whether or not a contact matched.
            codes.confirm_claimed_contact(contact, form.cleaned_data["code"])
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            assert contact is not None  # confirm_claimed_contact refuses no contact
            sign_in_member(request, contact.person)
            request.session.pop(CLAIM_SESSION_KEY, None)
            return redirect("joining:me")
    return link_sent(request, form)


@public
def member_link(request: HttpRequest, token: str) -> HttpResponse:
    person = person_from_token(token)
    if person is None:
        return render(request, "joining/member_link_invalid.html", status=404)
    sign_in_member(request, person)
    return redirect("joining:me")


@member_view
@require_POST
def sign_out(request: HttpRequest, member: Person) -> HttpResponse:
    request.session.pop(MEMBER_SESSION_KEY, None)
    request.session.cycle_key()
    return redirect("home")


@member_view
def me(request: HttpRequest, person: Person) -> HttpResponse:
    form = ProfileForm(
        request.POST or None,
        initial={"display_name": person.display_name, "language": person.language},
    )
    if request.method == "POST" and form.is_valid():
        try:
            member_services.update_profile(
                person, form.cleaned_data["display_name"], form.cleaned_data["language"]
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            response = redirect("joining:me")
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                person.language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                samesite="Lax",
                secure=getattr(settings, "LANGUAGE_COOKIE_SECURE", False),
            )
            messages.success(request, _("Your profile is saved."))
            return response
    memberships = person.memberships.filter(active=True).select_related("organization", "site")
    return render(request, "joining/me.html", {"form": form, "memberships": memberships})


@member_view
def contacts(request: HttpRequest, person: Person) -> HttpResponse:
    """List, add, confirm, reorder and remove the member's contacts."""
    add_form = ContactAddForm(request.POST if request.POST.get("action") == "add" else None)
    code_forms: dict[int, CodeForm] = {}
    if request.method == "POST":
        outcome = contact_action(request, person, add_form, code_forms)
        if outcome is not None:
            return outcome
    reveal = request.GET.get("show") == "all"
    if reveal:
        record(person, "joining.contacts.revealed", person)
    rows = []
    for contact in person.contacts.all():
        form = code_forms.get(contact.pk) or CodeForm(initial={"contact": contact.pk})
        rows.append((contact, form if not contact.confirmed else None))
    context = {
        "rows": rows,
        "add_form": add_form,
        "reveal": reveal,
        "count": len(rows),
        "push_key": push_key(),
    }
    return render(request, "joining/contacts.html", context)


def push_key() -> str:
    """Return the VAPID public key browsers subscribe with, or "" when push is not set up."""
    try:
        return application_server_key()
    except ImproperlyConfigured:
        return ""


def contact_action(request, person, add_form, code_forms):
    """Do what the contacts page asked; return a redirect when done, None to show errors."""
    action = request.POST.get("action")
    if action == "add":
        if add_form.is_valid():
            try:
                member_services.add_member_contact(
                    person, add_form.cleaned_data["channel"], add_form.cleaned_data["address"]
                )
            except ValidationError as error:
                add_form.add_service_errors(error)
                return None
            messages.success(request, _("We sent a code there. Type it below to confirm."))
            return redirect("joining:contacts")
        return None
    contact = person.contacts.filter(pk=parse_int(request.POST.get("contact"))).first()
    if contact is None:
        raise Http404
    try:
        if action == "confirm":
            form = CodeForm(request.POST)
            code_forms[contact.pk] = form
            if not form.is_valid():
                return None
            try:
                codes.confirm_contact(contact, form.cleaned_data["code"])
            except ValidationError as error:
                form.add_service_errors(error)
                return None
            messages.success(request, _("Confirmed."))
        elif action == "resend":
            codes.request_new_code(contact)
            messages.success(request, _("A new code is on its way."))
        elif action == "remove":
            member_services.remove_contact(person, contact)
            messages.success(request, _("Removed."))
        elif action in {"up", "down"}:
            member_services.move_contact(person, contact, -1 if action == "up" else 1)
        else:
            raise Http404
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    return redirect("joining:contacts")


def parse_int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def member_choices(person):
    organizations = list(
        Organization.objects.filter(memberships__person=person, memberships__active=True)
    )
    sites = list(Site.objects.filter(organizations__in=organizations).distinct())
    return organizations, sites


@member_view
def subscriptions(request: HttpRequest, person: Person) -> HttpResponse:
    """List what the member follows; add a site or an area, change kinds, remove."""
    organizations, sites = member_choices(person)
    action = request.POST.get("action")
    follow_form = FollowForm(
        request.POST if action == "add" else None, organizations=organizations, sites=sites
    )
    if request.method == "POST":
        outcome = subscription_action(request, person, action, follow_form)
        if outcome is not None:
            return outcome
    rows = [
        (
            subscription,
            KindsForm(
                initial={
                    "subscription": subscription.code,
                    "kinds": kind_values(subscription.kinds),
                }
            ),
        )
        for subscription in person.subscriptions.select_related("site", "organization")
    ]
    centre = (sites[0].lat, sites[0].lng) if sites else None
    context = {
        "rows": rows,
        "form": follow_form,
        "can_follow": bool(organizations),
        **map_settings(centre, sites),
    }
    return render(request, "joining/subscriptions.html", context)


def kind_values(bits: int) -> list[int]:
    return [value for value in AlertKinds.values if bits & value]


def subscription_action(request, person, action, follow_form):
    if action == "add":
        if not follow_form.is_valid() or not follow_form.organizations:
            return None
        site, area, kinds = follow_form.chosen_site(), follow_form.area(), follow_form.kinds_bits()
        try:
            with transaction.atomic():
                if site is not None:
                    organization = follow_form.organization_for_site(site)
                    follows.follow_site(person, organization, site, kinds, actor=person)
                if area is not None:
                    organization = follow_form.organization_for_area()
                    follows.follow_area(
                        person, organization, area.lat, area.lng, area.radius_m, kinds, actor=person
                    )
        except ValidationError as error:
            follow_form.add_service_errors(error)
            return None
        messages.success(request, _("Added."))
        return redirect("joining:subscriptions")
    code = request.POST.get("subscription", "")
    subscription = person.subscriptions.filter(code=code[:12]).first()
    if subscription is None:
        raise Http404
    if action == "kinds":
        form = KindsForm(request.POST)
        if form.is_valid():
            follows.change_kinds(subscription, sum(set(form.cleaned_data["kinds"])), actor=person)
            messages.success(request, _("Saved."))
        else:
            messages.error(request, _("Choose at least one kind of alert."))
    elif action == "remove":
        follows.unfollow(subscription, actor=person)
        messages.success(request, _("Removed."))
    else:
        raise Http404
    return redirect("joining:subscriptions")


@member_view
def leave(request: HttpRequest, member: Person) -> HttpResponse:
    """Erase the member and all their data, after they tick a box to say they mean it."""
    error = None
    if request.method == "POST":
        if request.POST.get("confirm") == "yes":
            member_services.leave(member)
            request.session.flush()
            return render(request, "joining/left.html")
        error = _("Tick the box to confirm that you want to leave.")
    return render(request, "joining/leave.html", {"error": error})
