"""The coalition view shows what the organizations sharing with the coalition show it now:
open verified incidents by place and state on the map, the week of action's turnout by site
and day, the coalition pledges' states; never a person's name, contact or report. An
organization that does not share, or ends its agreement, is not on it."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.conftest import make_org, make_person, make_site, verified_client
from tests.factories import share
from tocsin.accounts.roles import Role
from tocsin.campaigns.models import Campaign, Event, Rsvp
from tocsin.delivery.models import Alert
from tocsin.pledges.services import signing
from tocsin.response.models import Incident
from tocsin.sharing import services as sharing_services

from . import world as january_23
from .world import REPORT_TEXT, WHERE_TYPED
from .world import open_incident as incident

pytestmark = pytest.mark.django_db


@pytest.fixture
def shown(minneapolis, sent, smtp_server, signal_server):
    """Every union shares alerts and events with the coalition but CWA (alerts only); SEIU
    and ATU have a verified incident open, ATU an unverified one too; UNITE HERE's vigils
    of the week of action have RSVPs; the coalition pledge is under way."""
    world = minneapolis
    world.agreements = {}
    for union in world.unions:
        what = ("alerts",) if union.organization.slug == "cwa-local-7250" else ("alerts", "events")
        world.agreements[union.organization.slug] = share(
            union.organization, world.coalition, *what
        )
    seiu, unite, atu, cwa = world.unions
    confirmed = incident(seiu, Incident.State.CONFIRMED)
    Alert.objects.create(
        organization=seiu.organization,
        kind="verified",
        incident=confirmed,
        state=Alert.State.DONE,
        sent_at=timezone.now(),
    )
    incident(atu, Incident.State.CONFIRMED, site=False)
    incident(atu, Incident.State.NEW)
    incident(cwa, Incident.State.RESOLVED)
    # An organization that does not share with the coalition.
    stranger = make_org(slug="mfe-59", name="Minneapolis Federation of Educators")
    make_site(stranger, name="Anishinabe Academy annex", lat="44.949000", lng="-93.245000")
    Incident.objects.create(organization=stranger, state=Incident.State.CONFIRMED)
    campaign = Campaign.objects.create(
        organization=unite.organization,
        name="Week of action",
        starts_on=date.today(),
        ends_on=date.today() + timedelta(days=10),
    )
    for day, count in ((1, 4), (2, 3)):
        starts = timezone.now() + timedelta(days=day)
        event = Event.objects.create(
            organization=unite.organization,
            campaign=campaign,
            kind=Event.Kind.VIGIL,
            title=f"Vigil at the VA, day {day}",
            site=unite.site,
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
        )
        for person in unite.members[:count]:
            Rsvp.objects.create(event=event, person=person, checked_in_at=timezone.now())
    with sent():
        found = january_23.coalition_pledge(world)
        pledges = january_23.accept_all(world, found)
        for person in atu.members[:5]:
            signing.sign(person, pledges[atu.organization.slug])
    return world


def read_all(client, world):
    page = client.get(reverse("coalition:coalition", kwargs={"org": world.coalition.slug}))
    data = client.get(reverse("coalition:coalition_data", kwargs={"org": world.coalition.slug}))
    assert page.status_code == 200 and data.status_code == 200
    return page.content.decode(), data.content.decode()


def test_it_shows_counts_places_states_turnout_and_pledges_of_those_who_share(client, shown):
    verified_client(client, shown.organizer)
    html, data = read_all(client, shown)
    assert 'id="coalition-map"' in html and "coalition-map.js" in html
    assert 'aria-current="page">Coalition view</a>' in html  # in the coalition's menu
    assert "Hennepin County Medical Center" in html  # SEIU's verified incident
    assert "near 44.986, -93.276" in html  # ATU's, without a site, to some 100 m
    assert html.count("Metro Transit garage") == 0
    assert "Anishinabe Academy annex" not in html and "Federation of Educators" not in html
    assert 'data-testid="turnout-chart"' in html and "Minneapolis VA Medical Center" in html
    assert "Week of action" in html
    assert "ATU Local 1005: collecting signatures" in html
    assert '"open_incidents": 1' in data and '"alerts_this_week": 1' in data
    assert '"state": "new"' not in data  # an unverified report reaches dispatchers only


def test_no_name_contact_or_report_text_is_anywhere_on_it(client, shown):
    admin = make_person(shown.coalition, Role.ADMIN, email="admin@mrlf.test", name="Ada Admin")
    verified_client(client, admin)
    html, data = read_all(client, shown)
    secrets = [REPORT_TEXT, WHERE_TYPED, "+16125559999", "Amina", "Hodan"]
    for person in shown.members:
        secrets.append(person.display_name)
        secrets.append(january_23.address_of(person))
        secrets.append(str(person.public_id))
    for union in shown.unions:
        secrets.append(union.organizer.display_name)
    found = [text for text in secrets if text in html or text in data]
    assert found == []


def test_an_organization_that_ends_its_agreement_disappears(client, shown):
    verified_client(client, shown.organizer)
    html, data = read_all(client, shown)
    assert "SEIU Local 26" in html.split("Turnout")[0]
    seiu = shown.union("seiu-local-26")
    sharing_services.end(
        seiu.organizer, seiu.organization, shown.agreements[seiu.organization.slug]
    )
    html, data = read_all(client, shown)
    alerts_part = html.split("Turnout")[0]
    assert "SEIU Local 26" not in alerts_part and "Hennepin County Medical Center" not in html
    assert "SEIU Local 26" not in data.split('"pledges"')[0]


def test_an_agreement_with_an_area_shares_only_the_incidents_inside_it(client, minneapolis):
    """ATU shares its alerts within 1 km of the garage only: its incident at the VA, 10 km
    away, is not the coalition's to see, nor its alert."""
    world = minneapolis
    atu = world.union("atu-local-1005")
    share(
        atu.organization,
        world.coalition,
        "alerts",
        lat=atu.site.lat,
        lng=atu.site.lng,
        radius_m=1000,
    )
    near = incident(atu, Incident.State.CONFIRMED)
    far = Incident.objects.create(
        organization=atu.organization,
        state=Incident.State.CONFIRMED,
        lat="44.900600",
        lng="-93.203600",
    )
    for found in (near, far):
        Alert.objects.create(
            organization=atu.organization,
            kind="verified",
            incident=found,
            state=Alert.State.DONE,
            sent_at=timezone.now(),
        )
    verified_client(client, world.organizer)
    html, data = read_all(client, world)
    assert "Metro Transit garage" in html
    assert "near 44.901, -93.204" not in html and "44.9006" not in data
    assert '"open_incidents": 1, "alerts_this_week": 1' in data


def test_only_a_coalition_has_the_view_and_outsiders_get_404(client, shown):
    seiu = shown.union("seiu-local-26")
    verified_client(client, seiu.organizer)
    pledges = client.get(reverse("pledges:pledges", kwargs={"org": seiu.organization.slug}))
    assert "Coalition view" not in pledges.content.decode()  # not in a union's menu
    for name in ("coalition:coalition", "coalition:coalition_data"):
        assert client.get(reverse(name, kwargs={"org": seiu.organization.slug})).status_code == 404
        assert client.get(reverse(name, kwargs={"org": shown.coalition.slug})).status_code == 404
