"""Whoever holds only an alert link (read from a log, a forwarded message, a shared phone)
reaches that alert and what it is about, and nothing else of the member it was sent to:
none of her own pages, none of her other organizations' alerts, not her emergency plan.
Whoever holds her member link too still sees no plan without its PIN."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import make_person, make_site, member_client
from tocsin.accounts.access import MEMBER_SESSION_KEY
from tocsin.accounts.models import Membership, Subscription
from tocsin.accounts.roles import Role
from tocsin.campaigns.services import events as event_services
from tocsin.delivery.models import Alert, Delivery
from tocsin.delivery.rendering import link_token
from tocsin.hotline.services.plans import save_plan
from tocsin.response.models import Incident

MEMBER_PAGES = (
    "/me/",
    "/me/contacts/",
    "/me/follows/",
    "/me/pledges/",
    "/me/events/",
    "/me/votes/",
    "/me/plan/",
    "/me/plan/detained/",
    "/me/report/",
)
PIN = "4826"
PLAN = {
    "contacts": [
        {
            "name": "Lucía Rivera",
            "relation": "sibling",
            "channel": "sms",
            "address": "+16125550142",
            "language": "es",
        }
    ],
    "message": "Recoge a los niños a las 3.",
    "documents": "Carpeta azul en el armario",
}


@pytest.fixture
def rosa(org, other_org, site):
    """A nurse of two unions, following her hospital in both, with an emergency plan."""
    person = make_person(org, Role.MEMBER | Role.VERIFIER, name="Rosa Rivera", site=site)
    Membership.objects.create(person=person, organization=other_org, site=site)
    for organization in (org, other_org):
        Subscription.objects.create(person=person, organization=organization, site=site)
    save_plan(person, org, PLAN, PIN)
    return person


def link_for(rosa, org, site, kind: str) -> str:
    """Send Rosa an alert of `kind` from `org`; return the link in her message."""
    context: dict = {"what": "Agents at the ambulance bay", "where": site.name}
    incident = None
    if kind in (Alert.Kind.VERIFY_REQUEST, Alert.Kind.VERIFIED):
        incident = Incident.objects.create(
            organization=org, site=site, lat=site.lat, lng=site.lng, where=site.name
        )
    if kind == Alert.Kind.EVENT:
        organizer = make_person(org, Role.ORGANIZER, email="o@mna.test", password="o horse 42")
        starts = timezone.now() + timedelta(days=2)
        vigil = event_services.create_event(
            organizer,
            org,
            event_services.EventInput(
                kind="vigil",
                title="Vigil",
                site=make_site(org, name="Vigil site"),
                starts_at=starts,
                ends_at=starts + timedelta(hours=1),
                time_zone="America/Chicago",
                visibility="organization",
            ),
        )
        context = {"event": "reminder", "code": vigil.code}
    if kind == Alert.Kind.HOTLINE:
        context = {"event": "locked", "case": "", "url": "http://testserver/staff/"}
    alert = Alert.objects.create(organization=org, kind=kind, context=context, incident=incident)
    delivery = Delivery.objects.create(alert=alert, person=rosa, channel="email")
    return reverse("delivery:alert_link", kwargs={"token": link_token(delivery.pk)})


@pytest.mark.parametrize(
    "kind",
    [
        Alert.Kind.EVENT,
        Alert.Kind.VERIFY_REQUEST,
        Alert.Kind.VERIFIED,
        Alert.Kind.NOTICE,
        Alert.Kind.HOTLINE,
    ],
)
def test_an_alert_link_reaches_nothing_else_of_hers(rosa, org, other_org, site, kind):
    link = link_for(rosa, org, site, kind)
    attacker = Client()

    opened = attacker.get(link, follow=True)
    attacker.post(link, {"do": "rsvp"})
    attacker.post(link + "answer/", {"status": "confirmed"})
    attacker.get(link + "stop/")

    assert opened.status_code == 200
    assert MEMBER_SESSION_KEY not in attacker.session
    for page in MEMBER_PAGES:
        refused = attacker.get(page)
        assert refused.status_code == 302, page
        assert refused["Location"].startswith(reverse("joining:member_link_request")), page
    assert Subscription.objects.filter(person=rosa, organization=other_org).exists()
    assert "Lucía" not in opened.content.decode()


def test_a_stop_link_stops_its_own_organizations_alerts_and_no_others(rosa, org, other_org, site):
    link = link_for(rosa, org, site, Alert.Kind.NOTICE)

    Client().post(link + "stop/")

    assert not Subscription.objects.filter(person=rosa, organization=org).exists()
    assert Subscription.objects.filter(person=rosa, organization=other_org).exists()


def test_her_member_link_shows_the_plans_trigger_but_not_the_plan_without_its_pin(rosa):
    attacker = member_client(Client(), rosa)

    page = attacker.get("/me/plan/").content.decode()
    guessed = attacker.post("/me/plan/", {"pin": "1234"}).content.decode()

    for shown in (page, guessed):
        assert "Lucía" not in shown and "5550142" not in shown and "Carpeta azul" not in shown
    assert "I am being detained" in page
