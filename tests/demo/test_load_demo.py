"""`tocsin load-demo`: the demo world of the brief, loaded once however often it is run."""

from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db import connection
from django.test import RequestFactory

from tocsin.accounts.models import (
    ContactPoint,
    Membership,
    Organization,
    Person,
    Site,
    Subscription,
    Unit,
)
from tocsin.accounts.roles import Role
from tocsin.demo import world
from tocsin.demo.accounts import DEMO_ACCOUNTS
from tocsin.demo.people import generate_members

BRIEF_SITES = {
    "Hennepin County Medical Center, Minneapolis": ("44.9727", "-93.2622"),
    "Minneapolis VA Medical Center": ("44.9006", "-93.2036"),
    "Anishinabe Academy, Minneapolis": ("44.9496", "-93.2450"),
    "Metro Transit garage, Minneapolis": ("44.9862", "-93.2762"),
    "Kaiser Oakland": ("37.8244", "-122.2567"),
    "Kaiser San Jose": ("37.2399", "-121.8327"),
    "Kaiser San Leandro": ("37.6985", "-122.1437"),
    "Kaiser Vallejo": ("38.1146", "-122.2327"),
    "Kaiser San Francisco (Geary Blvd)": ("37.7826", "-122.4433"),
    "Kaiser Roseville": ("38.7535", "-121.2875"),
    "Kaiser Sacramento": ("38.5686", "-121.4663"),
    "Kaiser Richmond": ("37.9359", "-122.3464"),
    "California Hospital, Los Angeles": ("34.0375", "-118.2655"),
    "Mount Sinai, New York": ("40.7900", "-73.9526"),
    "NewYork-Presbyterian, New York": ("40.7644", "-73.9543"),
    "Montefiore, Bronx": ("40.8800", "-73.8790"),
    "VA NY Harbor Healthcare Center": ("40.7369", "-73.9768"),
}


def test_it_loads_a_few_hundred_fictional_members_in_english_and_spanish(db, demo_world):
    assert 300 <= demo_world.members <= 500
    languages = set(Person.objects.values_list("language", flat=True))
    assert languages == {"en", "es"}
    assert Person.objects.filter(language="es").count() >= 60


def test_it_generates_the_same_members_every_time():
    first, second = generate_members(), generate_members()
    assert [(m.display_name, m.email, m.phone) for m in first] == [
        (m.display_name, m.email, m.phone) for m in second
    ]


def test_it_uses_only_reserved_addresses_and_fictional_numbers():
    for member in generate_members():
        assert member.email.endswith("@demo.tocsin.test")
        if member.phone:
            assert member.phone[5:10] == "55501", member.phone


def test_it_places_all_17_sites_at_the_briefs_coordinates(db, demo_world):
    sites = {site.name: site for site in Site.objects.all()}
    assert set(sites) == set(BRIEF_SITES)
    for name, (lat, lng) in BRIEF_SITES.items():
        assert (sites[name].lat, sites[name].lng) == (Decimal(lat), Decimal(lng)), name
        assert sites[name].h3_cell
        assert sites[name].organizations.exists(), name


def test_it_makes_the_coalition_of_the_minneapolis_locals(db, demo_world):
    coalition = Organization.objects.get(slug=world.MRLF)
    assert coalition.kind == Organization.Kind.COALITION
    assert set(coalition.member_organizations.values_list("name", flat=True)) == {
        "Minnesota Nurses Association",
        "SEIU Local 26",
        "UNITE HERE Local 17",
        "ATU Local 1005 (Metro Transit)",
        "CWA Local 7250",
        "Minneapolis Federation of Educators",
    }


def test_it_puts_the_kaiser_locals_under_national_nurses_united(db, demo_world):
    nnu = Organization.objects.get(slug=world.NNU)
    assert nnu.kind == Organization.Kind.FEDERATION
    kaiser = Site.objects.get(name="Kaiser Oakland")
    assert {org.parent for org in kaiser.organizations.all()} == {nnu}


def test_it_gives_atu_local_1005_its_bus_operators_at_the_garage(db, demo_world):
    unit = Unit.objects.get(organization__slug=world.ATU_1005, name="Metro Transit bus operators")
    assert list(unit.sites.values_list("name", flat=True)) == ["Metro Transit garage, Minneapolis"]
    assert unit.memberships.count() >= 20


def test_it_makes_site_and_area_follows(db, demo_world):
    assert Subscription.objects.filter(site__isnull=False).count() >= 250
    areas = Subscription.objects.filter(site__isnull=True)
    assert areas.count() >= 40
    assert not areas.filter(cells__isnull=True).exists()


def test_it_stores_no_contact_in_plain_text(db, demo_world):
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_contactpoint")
        rows = cursor.fetchall()
    assert len(rows) >= 300
    dump = repr(rows)
    assert "@demo.tocsin.test" not in dump
    assert "+1612555" not in dump
    contact = ContactPoint.objects.filter(channel="email").first()
    assert contact.address.endswith("@demo.tocsin.test")  # and decrypts for Tocsin itself


def test_the_demo_accounts_sign_in_with_their_printed_passwords(db, demo_world):
    for account in DEMO_ACCOUNTS:
        request = RequestFactory().post("/staff/login/")
        person = authenticate(request, email=account.email, password=account.password)
        assert person is not None, account.email
        assert person.display_name == account.display_name


def roles_of(email: str) -> dict[str, Role]:
    return {
        m.organization.slug: Role(m.roles)
        for m in Membership.objects.filter(person__display_name__startswith="Demo ").select_related(
            "organization", "person"
        )
        if m.person.contacts.filter(channel="email").first().address == email
    }


def test_the_demo_accounts_hold_the_roles_of_the_brief(db, demo_world):
    admin = roles_of("admin@demo.tocsin.test")
    assert set(admin) == {org.slug for org in world.ORGANIZATIONS}
    assert all(Role.ADMIN in roles for roles in admin.values())
    dispatch = roles_of("dispatch@demo.tocsin.test")
    assert set(dispatch) == {world.MNA, world.SEIU_26}
    assert all(Role.DISPATCHER in roles for roles in dispatch.values())
    assert set(roles_of("hotline@demo.tocsin.test")) == {world.MNA}
    organizer = roles_of("organizer@demo.tocsin.test")
    assert set(organizer) == {world.ATU_1005, world.NNU}
    assert all(Role.ORGANIZER in roles for roles in organizer.values())


def test_it_keeps_a_changed_demo_password_when_loaded_again(db, demo_world):
    from tocsin.accounts.services.people import find_person_by_login

    person = find_person_by_login("admin@demo.tocsin.test")
    person.set_password("a new and private passphrase")
    person.save()
    call_command("load-demo", verbosity=0)
    person.refresh_from_db()
    assert person.check_password("a new and private passphrase")


def test_it_sets_up_the_hennepin_morning(db, demo_world):
    """The nurses take reports on a number, share their alerts with the other HCMC locals,
    have verifiers at the hospital and a legal van crew."""
    from tocsin.accounts.models import SharingAgreement
    from tocsin.accounts.roles import has_role
    from tocsin.response.models import Incident
    from tocsin.response.services.broadcast import verifier_candidates

    mna = Organization.objects.get(slug=world.MNA)
    assert mna.report_number == "+16125550150"
    partners = set(
        SharingAgreement.objects.filter(organization=mna, alerts=True).values_list(
            "partner__slug", flat=True
        )
    )
    assert partners == {world.SEIU_26, world.UNITE_HERE_17}
    assert Membership.objects.filter(has_role(Role.LEGAL_VAN), organization=mna).count() == 2
    hcmc = Site.objects.get(name=world.HCMC)
    at_hcmc = Incident(organization=mna, site=hcmc, lat=hcmc.lat, lng=hcmc.lng)
    assert verifier_candidates(at_hcmc, 2000)


def test_it_gives_the_nurses_hotline_its_facilities_and_one_plan(db, demo_world):
    from tocsin.hotline.models import EmergencyPlan, Facility

    mna = Organization.objects.get(slug=world.MNA)
    names = set(Facility.objects.filter(organization=mna).values_list("name", flat=True))
    assert "Sherburne County Jail" in names and len(names) == 3
    plan = EmergencyPlan.objects.get(organization=mna)
    assert plan.person.language == "es"
    assert plan.content["contacts"][0]["address"] == "+16125550142"


def test_it_opens_the_atu_pledge_with_sealed_signatures(db, demo_world):
    from tocsin.demo.pledges import deadline
    from tocsin.pledges import progress
    from tocsin.pledges.models import Pledge

    pledge = Pledge.objects.get(organization__slug=world.ATU_1005)
    assert pledge.action == "We stay out on January 23" and pledge.threshold_value == 60
    assert pledge.state == Pledge.State.OPEN and pledge.deadline == deadline()
    assert pledge.signatures.count() == 14
    assert not pledge.signatures.filter(person__isnull=False).exists()
    assert progress.overall_bucket(pledge) == progress.FROM_50


def test_it_holds_the_week_of_action_of_the_brief(db, demo_world):
    from tocsin.campaigns.models import Campaign

    year = world.action_year()
    campaign = Campaign.objects.get(name="Week of action, Jan 26 - Feb 4")
    assert (campaign.starts_on, campaign.ends_on) == (date(year, 1, 26), date(year, 2, 4))
    vigils = {
        event.site.name: (
            event.organization.slug,
            event.starts_at.astimezone(ZoneInfo(event.time_zone)).date(),
        )
        for event in campaign.events.select_related("site", "organization")
    }
    assert vigils == {
        "Kaiser Oakland": (world.NNU, date(year, 1, 26)),
        "Kaiser San Jose": (world.NNU, date(year, 1, 26)),
        "Kaiser San Leandro": (world.NNU, date(year, 1, 26)),
        "Kaiser Vallejo": (world.NNU, date(year, 1, 26)),
        "Kaiser San Francisco (Geary Blvd)": (world.NNU, date(year, 1, 27)),
        "Kaiser Roseville": (world.NNU, date(year, 1, 28)),
        "Kaiser Sacramento": (world.NNU, date(year, 1, 28)),
        "Kaiser Richmond": (world.NNU, date(year, 1, 30)),
        "VA NY Harbor Healthcare Center": (world.NYSNA, date(year, 1, 29)),
    }


@pytest.mark.parametrize(
    ("today", "year"),
    [
        (date(2026, 12, 3), 2027),  # the articles' winter: the coming January
        (date(2027, 1, 20), 2027),  # the day before the pledge's deadline
        (date(2027, 1, 21), 2028),  # too late to sign: the demo moves to the next January
        (date(2027, 7, 4), 2028),
    ],
)
def test_the_demos_january_is_always_ahead(today, year):
    assert world.action_year(today) == year


def test_it_holds_the_january_23_coalition_pledge_across_four_unions(db, demo_world):
    from tocsin.pledges.models import CoalitionPledge
    from tocsin.pledges.services.coalition import union_states

    found = CoalitionPledge.objects.get(organization__slug=world.MRLF)
    assert found.action == "We stay out on January 23" and found.state == "open"
    states = {union.name: union.state for union in union_states(found)}
    assert states == {
        "ATU Local 1005 (Metro Transit)": "collecting",
        "CWA Local 7250": "invited",
        "SEIU Local 26": "collecting",
        "UNITE HERE Local 17": "met",
    }


def test_hennepins_rights_page_carries_the_nurses_note_and_hotline_in_spanish(db, demo_world):
    from django.test import Client

    hennepin = Site.objects.get(name=world.HCMC)
    page = Client().get(f"/rights/s/{hennepin.code}/", {"lang": "es"}).content.decode()

    assert "Envía a cualquier agente a la supervisora de turno en 5 Este" in page
    assert "612" in page and "555" in page and "0142" in page  # MNA's hotline, however spaced
    assert "At the front desk" not in page  # the role pages, in Spanish too
