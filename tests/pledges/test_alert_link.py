"""The link in a pledge message opens that pledge for its recipient, and nothing else.

Someone who holds the link (the member, or anyone who read it off a screen or a log) sees
the pledge and can sign or withdraw, on the link itself. It makes no member session, so it
does not open the member's other pages: their pledges, contacts, follows or plan.
"""

import pytest
from django.test import Client
from django.urls import reverse

from tocsin.accounts.access import MEMBER_SESSION_KEY
from tocsin.delivery.models import Alert, Delivery
from tocsin.delivery.rendering import link_token
from tocsin.pledges.services import outcome, signing
from tocsin.pledges.services import pledges as pledge_services

from .conftest import ACTION, pledge_input

MEMBER_PAGES = [
    ("joining:me", {}),
    ("joining:contacts", {}),
    ("joining:subscriptions", {}),
    ("pledges:my_pledges", {}),
    ("hotline:plan", {}),
    ("votes:my_votes", {}),
    ("campaigns:my_events", {}),
]


def link_of(pledge, person, event="invite") -> str:
    delivery = Delivery.objects.get(
        alert__in=Alert.objects.filter(kind=Alert.Kind.PLEDGE).matching_context(
            code=pledge.code, event=event
        ),
        person=person,
    )
    return reverse("delivery:alert_link", kwargs={"token": link_token(delivery.pk)})


@pytest.fixture
def invited(organizer, pledge, sent):
    with sent():
        pledge_services.send_pledge(organizer, pledge)
    return pledge


def test_the_link_opens_the_pledge_and_signs_nobody_in(invited, operators):
    holder = Client()
    page = holder.get(link_of(invited, operators[1]))

    assert page.status_code == 200
    text = page.content.decode()
    assert ACTION in text and "I pledge" in text
    assert 'data-testid="link-only"' in text and "member-nav" not in text
    assert MEMBER_SESSION_KEY not in holder.session
    assert "no-store" in page["Cache-Control"]
    for name, kwargs in MEMBER_PAGES:
        response = holder.get(reverse(name, kwargs=kwargs))
        assert response.status_code == 302, name
        assert response["Location"] == reverse("joining:member_link_request"), name
    own_page = reverse("pledges:my_pledge", kwargs={"pledge": invited.code})
    assert holder.get(own_page)["Location"] == reverse("joining:member_link_request")
    assert holder.post(own_page, {"do": "withdraw", "confirm": "yes"}).status_code == 302
    assert invited.signatures.count() == 0


def test_the_holder_signs_and_withdraws_on_the_link_itself(invited, operators):
    holder = Client()
    link = link_of(invited, operators[1])

    signed = holder.post(link, {"do": "sign"})
    assert signed.status_code == 302 and signed["Location"] == link
    assert signing.has_signed(operators[1], invited)
    page = holder.get(link).content.decode()
    assert "You signed." in page and "Withdraw my signature" in page
    again = holder.post(link, {"do": "sign"})
    assert again.status_code == 400 and "You have already signed." in again.content.decode()

    assert holder.post(link, {"do": "withdraw", "confirm": "yes"}).status_code == 302
    assert not signing.has_signed(operators[1], invited)
    assert MEMBER_SESSION_KEY not in holder.session


def test_the_link_of_one_pledge_does_not_reach_another(
    invited, organizer, atu, operators, operators_unit, sent
):
    second = pledge_services.create_pledge(
        organizer, atu, pledge_input(operators_unit, action="We wear red on Friday")
    )
    with sent():
        pledge_services.send_pledge(organizer, second)
    holder = Client()
    holder.post(link_of(invited, operators[1]), {"do": "sign"})

    assert signing.has_signed(operators[1], invited)
    assert not signing.has_signed(operators[1], second)
    other = reverse("pledges:my_pledge", kwargs={"pledge": second.code})
    assert holder.post(other, {"do": "sign"})["Location"] == reverse("joining:member_link_request")
    assert not signing.has_signed(operators[1], second)


def test_the_link_speaks_the_recipients_language(invited, operators):
    page = Client().get(link_of(invited, operators[0])).content.decode()  # Ana speaks Spanish
    assert "Me comprometo" in page


def test_a_signed_in_member_still_uses_their_own_pages(client, invited, operators):
    from tests.conftest import member_client

    member_client(client, operators[1])
    response = client.get(link_of(invited, operators[1]))
    assert response.status_code == 200
    page = client.get(reverse("pledges:my_pledges")).content.decode()
    assert ACTION in page


def test_once_it_has_ended_the_link_shows_it_closed(invited, operators, sent):
    from datetime import timedelta

    from django.utils import timezone

    from tocsin.pledges.models import Pledge

    Pledge.objects.filter(pk=invited.pk).update(deadline=timezone.now() - timedelta(seconds=1))
    with sent():
        outcome.settle_pledges()
    page = Client().get(link_of(invited, operators[1], event="expired"))
    assert page.status_code == 200
    assert "did not reach the threshold" in page.content.decode()
    assert "I pledge" not in page.content.decode()
