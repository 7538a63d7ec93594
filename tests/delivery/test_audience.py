"""Who an alert reaches, and on which channel: resolved and recorded in the database."""

import json

from tests.conftest import make_person, make_site
from tocsin.accounts.models import AlertKinds, ContactPoint, Organization
from tocsin.accounts.roles import Role
from tocsin.accounts.services.people import add_contact
from tocsin.accounts.services.subscriptions import follow_area, follow_site
from tocsin.delivery.audience import record_deliveries
from tocsin.delivery.models import Alert, Delivery

VA_MINNEAPOLIS = ("44.900600", "-93.203600")  # about 9 km from HCMC
PUSH = json.dumps(
    {"endpoint": "http://127.0.0.1:9/push/1", "keys": {"p256dh": "BKey", "auth": "auth"}}
)


def confirmed(person, channel, address, preference=None):
    return add_contact(person, channel, address, confirmed=True, preference=preference)


def alert_at(org, site, kind=Alert.Kind.VERIFIED, **audience):
    return Alert.objects.create(
        organization=org, kind=kind, audience={"sites": [site.code], **audience}
    )


def delivered(alert):
    return sorted(
        (d.person.display_name, d.channel) for d in alert.deliveries.select_related("person")
    )


def test_it_reaches_site_followers_on_their_first_confirmed_channel(org, site):
    rosa = make_person(org, name="Rosa")
    confirmed(rosa, "sms", "+16125550101", preference=2)
    confirmed(rosa, "email", "rosa@example.org", preference=1)
    follow_site(rosa, org, site)
    alert = alert_at(org, site)

    assert record_deliveries(alert) == 1
    assert delivered(alert) == [("Rosa", "email")]


def test_web_push_goes_in_addition_to_the_first_channel(org, site):
    rosa = make_person(org, name="Rosa")
    confirmed(rosa, "signal", "+16125550101")
    confirmed(rosa, "push", PUSH)
    follow_site(rosa, org, site)
    alert = alert_at(org, site)

    record_deliveries(alert)
    assert delivered(alert) == [("Rosa", "push"), ("Rosa", "signal")]


def test_unconfirmed_contacts_receive_nothing(org, site):
    rosa = make_person(org, name="Rosa")
    add_contact(rosa, "email", "rosa@example.org")
    follow_site(rosa, org, site)
    alert = alert_at(org, site)

    assert record_deliveries(alert) == 1
    assert delivered(alert) == []


def test_it_reaches_areas_that_cover_the_site_and_not_areas_far_away(org, site):
    near, far = make_person(org, name="Near"), make_person(org, name="Far")
    confirmed(near, "email", "near@example.org")
    confirmed(far, "email", "far@example.org")
    follow_area(near, org, "44.970000", "-93.260000", 1000)
    follow_area(far, org, *VA_MINNEAPOLIS, 1000)
    alert = alert_at(org, site)

    record_deliveries(alert)
    assert delivered(alert) == [("Near", "email")]


def test_it_reaches_followers_of_sites_within_the_radius_of_a_point(org, site):
    rosa = make_person(org, name="Rosa")
    confirmed(rosa, "email", "rosa@example.org")
    follow_site(rosa, org, site)
    alert = Alert.objects.create(
        organization=org, kind=Alert.Kind.VERIFIED, audience={"points": [[44.9735, -93.2600, 500]]}
    )

    record_deliveries(alert)
    assert delivered(alert) == [("Rosa", "email")]


def test_it_respects_the_kinds_a_person_chose(org, site):
    rosa = make_person(org, name="Rosa")
    confirmed(rosa, "email", "rosa@example.org")
    follow_site(rosa, org, site, kinds=AlertKinds.EVENTS)

    assert record_deliveries(alert_at(org, site)) == 0
    assert record_deliveries(alert_at(org, site, kind=Alert.Kind.REMINDER)) == 1


def test_followers_in_another_organization_are_not_reached(org, site):
    other = Organization.objects.create(slug="seiu-26", name="SEIU Local 26", kind="local")
    site.organizations.add(other)
    otto = make_person(other, name="Otto")
    confirmed(otto, "email", "otto@example.org")
    follow_site(otto, other, site)

    assert record_deliveries(alert_at(org, site)) == 0


def test_it_reaches_holders_of_a_role_and_nobody_else(org, site):
    observer = make_person(org, Role.LEGAL_OBSERVER, name="Observer")
    confirmed(observer, "signal", "+16125550102")
    confirmed(make_person(org, name="Member"), "signal", "+16125550103")
    alert = Alert.objects.create(
        organization=org, kind=Alert.Kind.DISPATCH, audience={"roles": int(Role.LEGAL_OBSERVER)}
    )

    record_deliveries(alert)
    assert delivered(alert) == [("Observer", "signal")]


def test_recording_twice_creates_each_delivery_once(org, site):
    rosa = make_person(org, name="Rosa")
    confirmed(rosa, "email", "rosa@example.org")
    confirmed(rosa, "push", PUSH)
    follow_site(rosa, org, site)
    alert = alert_at(org, site)

    record_deliveries(alert)
    record_deliveries(alert)
    assert Delivery.objects.filter(alert=alert).count() == 2
    assert set(Delivery.objects.values_list("status", flat=True)) == {"queued"}
    assert Delivery.objects.get(channel="email").fallback_at is not None
    assert Delivery.objects.get(channel="push").fallback_at is None
    assert ContactPoint.objects.count() == 2


def test_a_far_site_is_not_in_a_small_radius(org, site):
    va = make_site(
        org, name="Minneapolis VA Medical Center", lat=VA_MINNEAPOLIS[0], lng=VA_MINNEAPOLIS[1]
    )
    rosa = make_person(org, name="Rosa")
    confirmed(rosa, "email", "rosa@example.org")
    follow_site(rosa, org, va)
    alert = Alert.objects.create(
        organization=org, kind=Alert.Kind.VERIFIED, audience={"points": [[44.9727, -93.2622, 1000]]}
    )
    assert record_deliveries(alert) == 0
