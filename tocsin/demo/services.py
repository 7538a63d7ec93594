"""Load the demo world into the database. Loading again adds nothing that is already there.

Organizations are matched by slug, sites by name, units by name within their organization,
members by the blind index of their email and demo accounts by their sign-in email.
"""

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from tocsin.accounts.models import (
    ContactPoint,
    Membership,
    Organization,
    Person,
    Site,
    Subscription,
    SubscriptionCell,
    Unit,
)
from tocsin.accounts.roles import Role, has_role
from tocsin.accounts.services.people import (
    contact_index_for,
    create_person,
    find_person_by_login,
)
from tocsin.audit.services import record
from tocsin.core import geo
from tocsin.delivery.vapid import application_server_key
from tocsin.hotline.models import EmergencyPlan, Facility
from tocsin.hotline.services.plans import save_plan

from . import campaigns, channel_servers, clauses, playbooks, pledges, structure, votes, world
from .accounts import DEMO_ACCOUNTS
from .people import DemoMember, generate_members
from .sharing import load_sharing

_CHUNK = 500


@dataclass
class DemoSummary:
    organizations: int
    sites: int
    units: int
    members: int
    members_created: int


@transaction.atomic
def load_demo() -> DemoSummary:
    """Create or complete the demo world and its accounts; return what is there now."""
    organizations = _load_organizations()
    sites = _load_sites(organizations)
    units = _load_units(organizations, sites)
    created = _load_members(organizations, sites, units)
    _load_push_subscriptions()
    _load_accounts(organizations)
    _load_rapid_response(organizations)
    _load_hotline(organizations)
    _load_collective_action(organizations, sites, units)
    if created:
        record(None, "demo.world.loaded", members_created=created)
    demo_slugs = [org.slug for org in world.ORGANIZATIONS]
    return DemoSummary(
        organizations=len(organizations),
        sites=len(sites),
        units=len(units),
        members=Membership.objects.filter(organization__slug__in=demo_slugs)
        .values("person")
        .distinct()
        .count(),
        members_created=created,
    )


def _load_organizations() -> dict[str, Organization]:
    organizations = {}
    for spec in world.ORGANIZATIONS:
        organization, _created = Organization.objects.update_or_create(
            slug=spec.slug,
            defaults={"name": spec.name, "kind": spec.kind, "default_language": spec.language},
        )
        organizations[spec.slug] = organization
    for spec in world.ORGANIZATIONS:
        organization = organizations[spec.slug]
        parent = organizations.get(spec.parent)
        if organization.parent_id != (parent.pk if parent else None):
            organization.parent = parent
            organization.save(update_fields=["parent"])
    for coalition, members in world.COALITIONS.items():
        organizations[coalition].member_organizations.add(*(organizations[m] for m in members))
    return organizations


def _load_sites(organizations: dict[str, Organization]) -> dict[str, Site]:
    sites = {}
    for spec in world.SITES:
        site = Site.objects.filter(name=spec.name).first() or Site(name=spec.name)
        site.kind, site.address = spec.kind, spec.address
        site.lat, site.lng = Decimal(spec.lat), Decimal(spec.lng)
        site.full_clean()
        site.save()
        site.organizations.add(*(organizations[slug] for slug in spec.organizations))
        sites[spec.name] = site
    return sites


def _load_units(
    organizations: dict[str, Organization], sites: dict[str, Site]
) -> dict[tuple[str, str], Unit]:
    units = {}
    for spec in world.UNITS:
        unit, _created = Unit.objects.get_or_create(
            organization=organizations[spec.organization], name=spec.name
        )
        unit.sites.add(*(sites[name] for name in spec.sites))
        units[(spec.organization, spec.name)] = unit
    return units


def _chunks(items: list, size: int = _CHUNK) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _load_members(
    organizations: dict[str, Organization],
    sites: dict[str, Site],
    units: dict[tuple[str, str], Unit],
) -> int:
    """Create the generated members not already present, in bulk; return how many were new."""
    members = generate_members()
    email_index = {
        id(member): contact_index_for(ContactPoint.Channel.EMAIL, member.email)[1]
        for member in members
    }
    existing: set[str] = set()
    for chunk in _chunks(list(email_index.values())):
        existing.update(
            ContactPoint.objects.filter(
                channel=ContactPoint.Channel.EMAIL, address_index__in=chunk
            ).values_list("address_index", flat=True)
        )
    new = [member for member in members if email_index[id(member)] not in existing]
    if not new:
        return 0

    people = []
    for member in new:
        person = Person(display_name=member.display_name, language=member.language)
        person.set_unusable_password()
        people.append(person)
    Person.objects.bulk_create(people, batch_size=_CHUNK)

    now = timezone.now()
    contacts: list[ContactPoint] = []
    memberships: list[Membership] = []
    follows: list[Subscription] = []
    area_cells: list[tuple[Subscription, list[int]]] = []
    for person, member in zip(people, new, strict=True):
        contacts.extend(_contacts_for(person, member, now))
        organization = organizations[member.unit.organization]
        site = sites[member.site] if member.site else None
        memberships.append(
            Membership(
                person=person,
                organization=organization,
                roles=int(member.roles),
                unit=units[(member.unit.organization, member.unit.name)],
                site=site,
            )
        )
        if site is not None:
            follows.append(Subscription(person=person, organization=organization, site=site))
        if member.area is not None:
            lat, lng, radius_m = member.area
            area = Subscription(
                person=person,
                organization=organization,
                lat=Decimal(str(lat)),
                lng=Decimal(str(lng)),
                radius_m=radius_m,
            )
            follows.append(area)
            area_cells.append((area, geo.cells_within(lat, lng, radius_m)))
    ContactPoint.objects.bulk_create(contacts, batch_size=_CHUNK)
    Membership.objects.bulk_create(memberships, batch_size=_CHUNK)
    Subscription.objects.bulk_create(follows, batch_size=_CHUNK)
    cells = [
        SubscriptionCell(subscription=area, cell=cell)
        for area, cells_of_area in area_cells
        for cell in cells_of_area
    ]
    SubscriptionCell.objects.bulk_create(cells, batch_size=_CHUNK)
    return len(new)


def _contacts_for(person: Person, member: DemoMember, now) -> list[ContactPoint]:
    """Return the member's confirmed contacts: encrypted address plus blind index.

    A member with a phone wants alerts there first (Signal, then SMS), email last; so an
    alert to the demo world goes out on every channel.
    """
    wanted: list[tuple[str, str]] = [(channel, member.phone) for channel in member.phone_channels]
    wanted.append((ContactPoint.Channel.EMAIL, member.email))
    contacts = []
    for preference, (channel, raw) in enumerate(wanted, start=1):
        normalized, index = contact_index_for(channel, raw)
        contacts.append(
            ContactPoint(
                person=person,
                channel=channel,
                address=normalized,  # EncryptedTextField encrypts it on the way in.
                address_index=index,
                confirmed_at=now,
                preference=preference,
            )
        )
    return contacts


def _load_push_subscriptions() -> int:
    """Give each member who allows web push a subscription on the demo's push service, once.

    A browser makes a subscription and keeps its private key; here the local push service
    stands in for the browser (see channel_servers), so pushes to these members are checked
    and decrypted for real. Nothing is added when the push service is not on this machine.
    """
    if channel_servers.local_address("push") is None:
        return 0
    try:
        vapid_public_key = application_server_key()
    except ImproperlyConfigured:
        return 0
    wanted = [
        contact_index_for(ContactPoint.Channel.EMAIL, member.email)[1]
        for member in generate_members()
        if member.web_push
    ]
    people: set[int] = set()
    for chunk in _chunks(wanted):
        people.update(
            ContactPoint.objects.filter(
                channel=ContactPoint.Channel.EMAIL, address_index__in=chunk
            ).values_list("person_id", flat=True)
        )
    people -= set(
        ContactPoint.objects.filter(
            channel=ContactPoint.Channel.PUSH, person_id__in=people
        ).values_list("person_id", flat=True)
    )
    missing = sorted(people)
    subscriptions = channel_servers.new_push_subscriptions(len(missing), vapid_public_key)
    now = timezone.now()
    contacts = []
    for person_id, subscription in zip(missing, subscriptions, strict=True):
        normalized, index = contact_index_for(ContactPoint.Channel.PUSH, subscription)
        contacts.append(
            ContactPoint(
                person_id=person_id,
                channel=ContactPoint.Channel.PUSH,
                address=normalized,
                address_index=index,
                confirmed_at=now,
                preference=len(ContactPoint.Channel.choices),
            )
        )
    ContactPoint.objects.bulk_create(contacts, batch_size=_CHUNK)
    return len(contacts)


def _load_accounts(organizations: dict[str, Organization]) -> None:
    for account in DEMO_ACCOUNTS:
        person = find_person_by_login(account.email)
        if person is None:
            person = create_person(
                display_name=account.display_name, email=account.email, password=account.password
            )
        slugs = account.organizations or tuple(organizations)
        for slug in slugs:
            membership, created = Membership.objects.get_or_create(
                person=person,
                organization=organizations[slug],
                defaults={"roles": int(Role.MEMBER | account.role)},
            )
            if not created and not membership.roles & account.role:
                membership.roles = int(Role(membership.roles) | account.role)
                membership.save(update_fields=["roles"])


def _load_rapid_response(organizations: dict[str, Organization]) -> None:
    """What the Hennepin morning needs: the nurses' reporting number, their alerts shared
    with the other locals at HCMC (and the Regional Labor Federation's sharing among its
    unions), and a legal van crew (the first two legal observers)."""
    for slug, number in world.REPORT_NUMBERS.items():
        Organization.objects.filter(pk=organizations[slug].pk, report_number="").update(
            report_number=number
        )
        # A number takes only texts signed with its organization's own gateway token; the
        # demo's is random, so no published value lets anyone post texts to a demo.
        organization = Organization.objects.get(pk=organizations[slug].pk)
        if organization.report_number and not organization.sms_inbound_token:
            organization.sms_inbound_token = secrets.token_urlsafe(24)
            organization.save(update_fields=["sms_inbound_token"])
    admin = next(account for account in DEMO_ACCOUNTS if account.role == Role.ADMIN)
    load_sharing(organizations, find_person_by_login(admin.email))
    observers = Membership.objects.filter(
        has_role(Role.LEGAL_OBSERVER), organization=organizations[world.MNA]
    ).order_by("pk")
    if not observers.filter(has_role(Role.LEGAL_VAN)).exists():
        for membership in observers[:2]:
            membership.roles = int(Role(membership.roles) | Role.LEGAL_VAN)
            membership.save(update_fields=["roles"])


def _load_hotline(organizations: dict[str, Organization]) -> None:
    """The nurses' list of detention facilities, and one Spanish-speaking nurse's plan."""

    for slug, facilities in world.FACILITIES.items():
        for name, address in facilities:
            Facility.objects.get_or_create(
                organization=organizations[slug], name=name, defaults={"address": address}
            )
    mna = organizations[world.MNA]
    if EmergencyPlan.objects.filter(organization=mna).exists():
        return
    nurse = (
        Person.objects.filter(
            memberships__organization=mna, memberships__roles=int(Role.MEMBER), language="es"
        )
        .order_by("pk")
        .first()
    )
    if nurse is not None:
        save_plan(nurse, mna, world.DEMO_PLAN, world.DEMO_PLAN_PIN)


def _load_collective_action(
    organizations: dict[str, Organization],
    sites: dict[str, Site],
    units: dict[tuple[str, str], Unit],
) -> None:
    """The ATU pledge, the week of action, a vote, a structure test, the clause library and
    the playbooks' local notes (a module each)."""
    for part in (pledges, campaigns, votes, structure, clauses, playbooks):
        part.load(organizations, sites, units)
