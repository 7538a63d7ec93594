"""The public join pages of a site and of an organization, and the confirmation code step."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tocsin.accounts.access import member_view
from tocsin.accounts.models import Organization, Person, Site
from tocsin.core import languages
from tocsin.core.access import public
from tocsin.core.tiles import map_settings

from ..access import JOINING_SESSION_KEY, sign_in_member
from ..forms import CodeForm, JoinForm
from ..services import codes, joins
from ..services import contacts as contact_services


@public
def join_site(request: HttpRequest, site: str) -> HttpResponse:
    place = get_object_or_404(Site, code=site)
    organizations = list(place.organizations.all())
    if not organizations:
        raise Http404
    return join_page(request, place.name, organizations, this_site=place, centre=place)


@public
def join_org(request: HttpRequest, org: str) -> HttpResponse:
    organization = get_object_or_404(Organization, slug=org)
    sites = list(organization.sites.all())
    return join_page(
        request, organization.name, [organization], sites=sites, centre=sites[0] if sites else None
    )


def join_page(request, place_name, organizations, sites=None, this_site=None, centre=None):
    form = JoinForm(
        request.POST or None,
        initial={"language": languages.supported(get_language())},
        organizations=organizations,
        sites=sites,
        this_site=this_site,
    )
    if request.method == "POST" and form.is_valid():
        site = form.chosen_site()
        try:
            person = joins.join(
                organization=form.chosen_organization(),
                display_name=form.cleaned_data["display_name"],
                language=form.cleaned_data["language"],
                contacts=form.contacts(),
                site=site,
                follow_site=form.follows_site(),
                area=form.area(),
                kinds=form.kinds_bits(),
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            request.session[JOINING_SESSION_KEY] = person.pk
            return redirect("joining:confirm")
    context = {
        "form": form,
        "place_name": place_name,
        "this_site": this_site,
        **map_settings(
            (centre.lat, centre.lng) if centre else None,
            sites or ([this_site] if this_site else []),
        ),
    }
    return render(request, "joining/join.html", context)


def joining_person(request: HttpRequest) -> Person | None:
    person_id = request.session.get(JOINING_SESSION_KEY)
    if not isinstance(person_id, int):
        return None
    return Person.objects.filter(pk=person_id, is_active=True).first()


def waiting_contacts(person: Person):
    return person.contacts.filter(
        confirmed_at__isnull=True, channel__in=contact_services.JOIN_CHANNELS
    ).order_by("preference", "id")


@public
def confirm(request: HttpRequest) -> HttpResponse:
    """Ask for the code each new contact received; the first right code completes joining."""
    person = joining_person(request)
    if person is None:
        return render(request, "joining/confirm_nothing.html")
    contacts = list(waiting_contacts(person))
    forms = {contact.pk: CodeForm(initial={"contact": contact.pk}) for contact in contacts}
    if request.method == "POST":
        form = CodeForm(request.POST)
        if form.is_valid() and form.cleaned_data["contact"] in forms:
            contact = next(c for c in contacts if c.pk == form.cleaned_data["contact"])
            try:
                codes.confirm_contact(contact, form.cleaned_data["code"])
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                sign_in_member(request, person)
                return redirect("joining:welcome")
        if form.is_bound and form.data.get("contact", "").isdigit():
            forms[int(form.data["contact"])] = form
    rows = [(contact, forms[contact.pk]) for contact in contacts]
    return render(request, "joining/confirm.html", {"rows": rows, "joiner": person})


@public
@require_POST
def resend_code(request: HttpRequest) -> HttpResponse:
    person = joining_person(request)
    if person is None:
        return redirect("joining:confirm")
    contact = waiting_contacts(person).filter(pk=request.POST.get("contact") or 0).first()
    if contact is None:
        return redirect("joining:confirm")
    try:
        codes.request_new_code(contact)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("A new code is on its way."))
    return redirect("joining:confirm")


@member_view
def welcome(request: HttpRequest, person: Person) -> HttpResponse:
    context = {
        "member": person,
        "confirmed": person.contacts.filter(confirmed_at__isnull=False),
        "waiting": waiting_contacts(person),
        "subscriptions": person.subscriptions.select_related("site"),
    }
    return render(request, "joining/welcome.html", context)
