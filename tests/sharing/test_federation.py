"""The Minneapolis Regional Labor Federation offers alert sharing to its four unions in one
step; each answers on its own screen; an alert of one then reaches the members near it of
every other union that accepted. The federation ending it ends it for all; a union ending
it ends only its own part."""

import pytest
from django.urls import reverse

from tests.response.conftest import file_report
from tocsin.accounts import sharing
from tocsin.demo import world
from tocsin.response.models import Incident
from tocsin.response.services import broadcast
from tocsin.response.services.broadcast import AlertFacts

from .world import (
    answer,
    end,
    minneapolis_federation,
    offer_to_members,
    sharing_page,
    signed_in,
    waiting_offer,
)

pytestmark = pytest.mark.django_db
UNIONS = [world.SEIU_26, world.UNITE_HERE_17, world.ATU_1005, world.CWA_7250]


@pytest.fixture(autouse=True)
def _fresh_report_rate(fresh_report_rate):
    """A full report allowance for the test client's address."""


@pytest.fixture
def federation():
    return minneapolis_federation()


def offered_to_all(federation):
    response = offer_to_members(signed_in(federation.admin), federation.organization, "alerts")
    assert response.status_code == 302
    return response


def accepts(federation, slug):
    union = federation[slug]
    offer = waiting_offer(union.organization, federation.organization)
    assert answer(signed_in(union.admin), union.organization, offer, "accept").status_code == 302


def alert_from(federation, slug, smtp_server, sent):
    """A verified alert of that union at its site; return which unions' members it reached."""
    union = federation[slug]
    smtp_server.messages.clear()
    Incident.objects.all().delete()
    with sent():
        file_report(union.organization, site=union.site)
        broadcast.confirm_incident(
            union.dispatcher, Incident.objects.get(), AlertFacts(seen=["agents_on_foot"]), 1000
        )
    reached = {m["to"][0] for m in smtp_server.messages}
    return {other for other in UNIONS if federation[other].member.contacts.get().address in reached}


def test_one_offer_waits_on_each_unions_own_screen(federation):
    offered_to_all(federation)

    for slug in UNIONS:
        union = federation[slug]
        page = signed_in(union.admin).get(sharing_page(union.organization)).content.decode()
        assert "Minneapolis Regional Labor Federation offers to share both ways" in page
        assert "Part of Minneapolis Regional Labor Federation\u2019s offer to its members" in page
    convener = signed_in(federation.admin).get(sharing_page(federation.organization))
    html = convener.content.decode()
    assert "Offers to your member organizations" in html
    assert html.count(": offered</li>") == 4


def test_an_alert_of_one_union_reaches_the_members_near_it_of_every_union_that_accepted(
    federation, smtp_server, sent
):
    offered_to_all(federation)
    assert alert_from(federation, world.SEIU_26, smtp_server, sent) == {world.SEIU_26}

    for slug in UNIONS:
        accepts(federation, slug)

    # SEIU's, UNITE HERE's and CWA's members follow the blocks around the hospital; ATU's
    # follow the garage, 2 km away, which the alert's 1 km does not reach.
    assert alert_from(federation, world.SEIU_26, smtp_server, sent) == {
        world.SEIU_26,
        world.UNITE_HERE_17,
        world.CWA_7250,
    }
    assert alert_from(federation, world.CWA_7250, smtp_server, sent) == {
        world.SEIU_26,
        world.UNITE_HERE_17,
        world.CWA_7250,
    }
    # The federation shares with each union and receives from each: its coalition view.
    assert set(sharing.givers_to(federation.organization, sharing.Shares.ALERTS)) == {
        federation[slug].organization.pk for slug in UNIONS
    }


def test_a_union_that_declines_gets_nothing_and_gives_nothing(federation, smtp_server, sent):
    offered_to_all(federation)
    for slug in (world.SEIU_26, world.UNITE_HERE_17, world.ATU_1005):
        accepts(federation, slug)
    cwa = federation[world.CWA_7250]
    offer = waiting_offer(cwa.organization, federation.organization)
    answer(signed_in(cwa.admin), cwa.organization, offer, "decline")

    assert alert_from(federation, world.SEIU_26, smtp_server, sent) == {
        world.SEIU_26,
        world.UNITE_HERE_17,
    }
    assert alert_from(federation, world.CWA_7250, smtp_server, sent) == {world.CWA_7250}


def test_a_union_ending_its_part_leaves_the_others_sharing(federation, smtp_server, sent):
    offered_to_all(federation)
    for slug in UNIONS:
        accepts(federation, slug)
    unite = federation[world.UNITE_HERE_17]
    with_cwa = unite.organization.sharing_given.filter(
        partner=federation[world.CWA_7250].organization
    ).first() or unite.organization.sharing_received.get(
        organization=federation[world.CWA_7250].organization
    )

    end(signed_in(unite.admin), unite.organization, with_cwa)

    assert alert_from(federation, world.SEIU_26, smtp_server, sent) == {
        world.SEIU_26,
        world.CWA_7250,
    }
    assert alert_from(federation, world.UNITE_HERE_17, smtp_server, sent) == {world.UNITE_HERE_17}
    page = signed_in(unite.admin).get(sharing_page(unite.organization)).content.decode()
    assert "You share nothing with other organizations." in page


def test_the_federation_ending_its_sharing_with_one_union_leaves_the_others(
    federation, smtp_server, sent
):
    offered_to_all(federation)
    for slug in UNIONS:
        accepts(federation, slug)
    cwa = federation[world.CWA_7250]
    with_cwa = federation.organization.sharing_given.get(partner=cwa.organization)

    end(signed_in(federation.admin), federation.organization, with_cwa)

    assert alert_from(federation, world.SEIU_26, smtp_server, sent) == {
        world.SEIU_26,
        world.UNITE_HERE_17,
    }
    assert alert_from(federation, world.CWA_7250, smtp_server, sent) == {world.CWA_7250}
    page = signed_in(federation.admin).get(sharing_page(federation.organization)).content.decode()
    assert "CWA Local 7250: ended</li>" in page
    assert "End it for every member" in page


def test_the_federation_ending_it_ends_it_for_every_union(federation, smtp_server, sent):
    offered_to_all(federation)
    for slug in UNIONS:
        accepts(federation, slug)
    circle = federation.organization.sharing_circles.get()
    convener = signed_in(federation.admin)

    unticked = convener.post(
        reverse(
            "sharing:circle_end",
            kwargs={"org": federation.organization.slug, "circle": circle.code},
        )
    )
    assert unticked.status_code == 302
    assert alert_from(federation, world.SEIU_26, smtp_server, sent) == {
        world.SEIU_26,
        world.UNITE_HERE_17,
        world.CWA_7250,
    }

    convener.post(
        reverse(
            "sharing:circle_end",
            kwargs={"org": federation.organization.slug, "circle": circle.code},
        ),
        {"confirm": "yes"},
    )

    for slug in UNIONS:
        assert alert_from(federation, slug, smtp_server, sent) == {slug}
    for slug in UNIONS:
        union = federation[slug]
        page = signed_in(union.admin).get(sharing_page(union.organization)).content.decode()
        assert "No organization shares with you." in page


def test_a_union_cannot_end_the_offer_for_all(federation):
    offered_to_all(federation)
    circle = federation.organization.sharing_circles.get()
    seiu = federation[world.SEIU_26]
    response = signed_in(seiu.admin).post(
        reverse(
            "sharing:circle_end", kwargs={"org": seiu.organization.slug, "circle": circle.code}
        ),
        {"confirm": "yes"},
    )
    assert response.status_code == 404


def test_an_offer_to_members_names_only_the_federations_own(federation):
    from tocsin.accounts.models import Organization

    stranger = Organization.objects.create(
        slug="uesf", name="United Educators of San Francisco", kind="local"
    )
    response = offer_to_members(
        signed_in(federation.admin), federation.organization, "alerts", members=[stranger.slug]
    )
    assert response.status_code == 400
    assert 'id="id_members_error"' in response.content.decode()
    assert not federation.organization.sharing_circles.exists()
