"""An organization's admins offer sharing, the partner's admins accept or decline it on their
own screen, and either side ends it at once; every step is in both sides' audit logs."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.conftest import make_person, make_site
from tocsin.accounts.models import SharingAgreement
from tocsin.accounts.roles import Role
from tocsin.demo import world

from .world import (
    answer,
    end,
    local,
    minneapolis_federation,
    offer,
    sharing_page,
    signed_in,
    waiting_offer,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair():
    """SEIU Local 26 and UNITE HERE Local 17, both at Hennepin County Medical Center."""
    federation = minneapolis_federation([world.SEIU_26, world.UNITE_HERE_17])
    return federation[world.SEIU_26], federation[world.UNITE_HERE_17]


def local_input(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_an_offer_waits_on_the_partners_screen_until_it_accepts(pair):
    seiu, unite = pair
    seiu_admin, unite_admin = signed_in(seiu.admin), signed_in(unite.admin)

    sent = offer(seiu_admin, seiu.organization, unite.organization, "alerts", "dispatch")

    assert sent.status_code == 302
    mine = seiu_admin.get(sharing_page(seiu.organization)).content.decode()
    assert "Offered to UNITE HERE Local 17" in mine
    theirs = unite_admin.get(sharing_page(unite.organization)).content.decode()
    assert "SEIU Local 26 offers to share with you" in theirs
    assert "Accept SEIU Local 26\u2019s offer" in theirs
    assert "No organization shares with you." in theirs

    answer(
        unite_admin,
        unite.organization,
        waiting_offer(unite.organization, seiu.organization),
        "accept",
    )

    theirs = unite_admin.get(sharing_page(unite.organization)).content.decode()
    assert "From SEIU Local 26" in theirs and "verified alerts, dispatch of incidents" in theirs
    mine = seiu_admin.get(sharing_page(seiu.organization)).content.decode()
    assert "To UNITE HERE Local 17" in mine


def test_a_declined_offer_shares_nothing_and_says_so(pair):
    seiu, unite = pair
    seiu_admin, unite_admin = signed_in(seiu.admin), signed_in(unite.admin)
    offer(seiu_admin, seiu.organization, unite.organization, "alerts")

    answer(
        unite_admin,
        unite.organization,
        waiting_offer(unite.organization, seiu.organization),
        "decline",
    )

    mine = seiu_admin.get(sharing_page(seiu.organization)).content.decode()
    assert "You share nothing with other organizations." in mine
    assert "To UNITE HERE Local 17: verified alerts · declined" in mine


def test_the_offerer_cannot_accept_its_own_offer(pair):
    seiu, unite = pair
    seiu_admin = signed_in(seiu.admin)
    offer(seiu_admin, seiu.organization, unite.organization, "alerts")
    agreement = waiting_offer(unite.organization, seiu.organization)

    answer(seiu_admin, seiu.organization, agreement, "accept")

    page = seiu_admin.get(sharing_page(seiu.organization)).content.decode()
    assert "Only the organization offered can accept." in page
    assert "Offered to UNITE HERE Local 17" in page


def test_either_side_ends_it_at_once_and_both_logs_say_who(pair):
    seiu, unite = pair
    seiu_admin, unite_admin = signed_in(seiu.admin), signed_in(unite.admin)
    offer(seiu_admin, seiu.organization, unite.organization, "alerts", direction="both_ways")
    agreement = waiting_offer(unite.organization, seiu.organization)
    answer(unite_admin, unite.organization, agreement, "accept")

    refused = unite_admin.post(
        reverse("sharing:end", kwargs={"org": unite.organization.slug, "agreement": agreement.code})
    )
    assert refused.status_code == 302
    assert "With SEIU Local 26, both ways" in (
        unite_admin.get(sharing_page(unite.organization)).content.decode()
    )

    end(unite_admin, unite.organization, agreement)

    mine = seiu_admin.get(sharing_page(seiu.organization)).content.decode()
    assert "You share nothing with other organizations." in mine
    assert "No organization shares with you." in mine
    assert "ended" in mine and "(UNITE HERE Local 17)" in mine
    for side, client in ((seiu, seiu_admin), (unite, unite_admin)):
        log = client.get(reverse("audit:log", kwargs={"org": side.organization.slug}))
        html = log.content.decode()
        for action in ("offered", "accepted", "ended"):
            assert f"sharing.agreement.{action}" in html, (side.organization.slug, action)


@pytest.mark.parametrize(
    ("form", "field", "words"),
    [
        ({"partner": ""}, "partner", "Partner:"),
        ({"partner": "no-such-union"}, "partner", "Partner:"),
        ({"what": []}, "what", "What to share:"),
        ({"what": ["immigration_status"]}, "what", "What to share:"),
        ({"direction": "sideways"}, "direction", "Direction:"),
        ({"starts_at": "soon"}, "starts_at", "Starts:"),
        ({"ends_at": "2020-01-23T08:00"}, "ends_at", "Planned end: give a time still to come."),
        ({"lat": "44.97", "lng": "", "radius_m": ""}, "lng", "Area: give the latitude"),
        ({"lat": "44.97", "lng": "-93.26", "radius_m": "5"}, "radius_m", "Area: radius"),
        ({"lat": "95", "lng": "-93.26", "radius_m": "500"}, "lat", "Area: latitude"),
    ],
)
def test_a_bad_offer_names_its_field_and_stores_nothing(pair, form, field, words):
    seiu, unite = pair
    client = signed_in(seiu.admin)
    data = {"partner": unite.organization.slug, "what": ["alerts"], "direction": "one_way", **form}

    response = client.post(reverse("sharing:offer", kwargs={"org": seiu.organization.slug}), data)

    assert response.status_code == 400
    html = response.content.decode()
    assert f'id="id_{field}_error"' in html and words in html
    assert not SharingAgreement.objects.exists()


def test_an_end_before_the_start_is_refused_by_name(pair):
    seiu, unite = pair
    start = timezone.now() + timedelta(days=3)
    response = offer(
        signed_in(seiu.admin),
        seiu.organization,
        unite.organization,
        starts_at=local_input(start),
        ends_at=local_input(start - timedelta(days=1)),
    )
    assert response.status_code == 400
    assert "Planned end: give a time after the start." in response.content.decode()
    assert not SharingAgreement.objects.exists()


def test_sites_offered_are_only_the_organizations_own(pair):
    seiu, unite = pair
    garage = make_site(unite.organization, name=world.METRO_GARAGE, lat="44.9862", lng="-93.2762")
    response = offer(
        signed_in(seiu.admin), seiu.organization, unite.organization, sites=[garage.code]
    )
    assert response.status_code == 400
    assert 'id="id_sites_error"' in response.content.decode()
    assert not SharingAgreement.objects.exists()


def test_only_admins_reach_the_sharing_screens(pair):
    seiu, unite = pair
    for person in (
        seiu.dispatcher,
        make_person(seiu.organization, Role.ORGANIZER, email="o@s.test"),
    ):
        client = signed_in(person)
        assert client.get(sharing_page(seiu.organization)).status_code == 404
    offer(signed_in(seiu.admin), seiu.organization, unite.organization)
    agreement = waiting_offer(unite.organization, seiu.organization)
    # An admin of a third union cannot answer or end an offer between two others.
    third = local(world.CWA_7250, "CWA Local 7250", world.HCMC, 9)
    outsider = signed_in(third.admin)
    for how in ("accept", "decline"):
        assert answer(outsider, third.organization, agreement, how).status_code == 404
    assert end(outsider, third.organization, agreement).status_code == 404
    assert waiting_offer(unite.organization, seiu.organization).pk == agreement.pk
