"""The Minneapolis sharing world, for the sharing tests and any later test that plays the
Minneapolis days (January 23): the Regional Labor Federation, its four unions, their admins,
dispatchers and members near their sites, and the pages an admin presses to offer, accept
and end sharing. Names and places are the demo world's (tocsin.demo.world)."""

from dataclasses import dataclass, field

from django.test import Client
from django.urls import reverse

from tests.conftest import make_person, make_site, verified_client
from tocsin.accounts.models import Organization, Person, SharingAgreement, Site
from tocsin.accounts.roles import Role
from tocsin.accounts.services.people import add_contact
from tocsin.accounts.services.subscriptions import follow_area
from tocsin.demo import world

FEDERATION = (world.MRLF, "Minneapolis Regional Labor Federation")
# (slug, name, where its members work)
UNIONS = [
    (world.SEIU_26, "SEIU Local 26", world.HCMC),
    (world.UNITE_HERE_17, "UNITE HERE Local 17", world.HCMC),
    (world.ATU_1005, "ATU Local 1005 (Metro Transit)", world.METRO_GARAGE),
    (world.CWA_7250, "CWA Local 7250", world.HCMC),
]
PLACES = {site.name: (site.lat, site.lng) for site in world.SITES}


@dataclass
class Local:
    organization: Organization
    admin: Person
    dispatcher: Person
    # A member following the blocks around its site, on email.
    member: Person
    site: Site


@dataclass
class Federation:
    organization: Organization
    admin: Person
    locals: dict[str, Local] = field(default_factory=dict)

    def __getitem__(self, slug: str) -> Local:
        return self.locals[slug]


def site_named(name: str, organization: Organization) -> Site:
    """Return the demo site of that name, made once and shared by everyone present there."""
    found = Site.objects.filter(name=name).first()
    if found is None:
        lat, lng = PLACES[name]
        found = make_site(organization, name=name, lat=lat, lng=lng)
    found.organizations.add(organization)
    return found


def staff(organization: Organization, roles: Role, first: str, last: str) -> Person:
    short = organization.slug.split("-")[0] + organization.slug.split("-")[-1]
    return make_person(
        organization,
        roles,
        email=f"{first.lower()}@{short}.test",
        password=f"{first.lower()} {short} horse 42",
        name=f"{first} {last}",
    )


def local(slug: str, name: str, place: str, number: int) -> Local:
    """One union with its admin, its dispatcher (reached on their sign-in email) and a member
    who follows the blocks around its site on email. Fictional people, reserved addresses."""
    organization = Organization.objects.create(slug=slug, name=name, kind=Organization.Kind.LOCAL)
    site = site_named(place, organization)
    admin = staff(organization, Role.ADMIN, "Alex", f"Admin{number}")
    dispatcher = staff(organization, Role.DISPATCHER, "Dee", f"Dispatch{number}")
    member = make_person(organization, Role.MEMBER, name=f"Member {name}")
    add_contact(member, "email", f"member{number}@{slug}.test", True)
    follow_area(member, organization, float(site.lat), float(site.lng), 1000)
    return Local(organization, admin, dispatcher, member, site)


def minneapolis_federation(slugs: list[str] | None = None) -> Federation:
    """Make the Regional Labor Federation (a coalition) and its member unions (the four of
    UNIONS, or those of `slugs`), each with its people."""
    slug, name = FEDERATION
    organization = Organization.objects.create(
        slug=slug, name=name, kind=Organization.Kind.COALITION
    )
    admin = staff(organization, Role.ADMIN, "Fran", "Federation")
    federation = Federation(organization, admin)
    for number, (union, union_name, place) in enumerate(UNIONS, start=1):
        if slugs is None or union in slugs:
            federation.locals[union] = local(union, union_name, place, number)
            organization.member_organizations.add(federation.locals[union].organization)
    return federation


def signed_in(person: Person) -> Client:
    """A browser-less client signed in as `person`, second factor verified."""
    return verified_client(Client(), person)


def sharing_page(organization: Organization) -> str:
    return reverse("sharing:agreements", kwargs={"org": organization.slug})


def offer_to_members(client: Client, federation: Organization, *what: str, **terms):
    """Post the federation's one offer to its members, as its admin's form does."""
    url = reverse("sharing:offer_to_members", kwargs={"org": federation.slug})
    members = terms.pop("members", None)
    if members is None:
        members = [o.slug for o in federation.member_organizations.all()]
    form = {"members": members, "what": list(what or ["alerts"]), **terms}
    return client.post(url, form)


def offer(client: Client, giver: Organization, partner: Organization, *what: str, **terms):
    """Post an offer from `giver` to `partner`, as its admin's form does."""
    url = reverse("sharing:offer", kwargs={"org": giver.slug})
    form = {
        "partner": partner.slug,
        "what": list(what or ["alerts"]),
        "direction": "one_way",
        **terms,
    }
    return client.post(url, form)


def waiting_offer(organization: Organization, offerer: Organization) -> SharingAgreement:
    """The offer from `offerer` waiting for `organization`'s answer (what its page lists)."""
    return SharingAgreement.objects.get(
        organization=offerer, partner=organization, state=SharingAgreement.State.OFFERED
    )


def answer(client: Client, organization: Organization, agreement: SharingAgreement, how: str):
    """Press Accept or Decline ("accept", "decline") on the organization's sharing page."""
    url = reverse(f"sharing:{how}", kwargs={"org": organization.slug, "agreement": agreement.code})
    return client.post(url)


def end(client: Client, organization: Organization, agreement: SharingAgreement):
    """Tick "Yes, end…" and press End on the organization's sharing page."""
    url = reverse("sharing:end", kwargs={"org": organization.slug, "agreement": agreement.code})
    return client.post(url, {"confirm": "yes"})
