"""One-tap actions that cannot be undone ask first, in a real browser: the button does
nothing until the box is ticked (no JavaScript needed: the box is `required`), and the
server refuses the form without it too."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.conftest import sign_in_browser
from tocsin.votes.models import Vote

from .conftest import new_vote


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_sending_the_ballots_now_asks_first(
    desk, live_server, atu, operators_unit, operators, organizer, smtp_server
):
    vote = new_vote(atu, operators_unit, organizer)
    sign_in_browser(desk, live_server, organizer)
    desk.goto(live_server.url + reverse("votes:vote", kwargs={"org": atu.slug, "vote": vote.code}))

    desk.get_by_role("button", name="Send the ballots now").click()
    desk.wait_for_timeout(500)  # time for a form that did go to come back
    expect(desk.get_by_role("button", name="Send the ballots now")).to_be_visible()
    assert Vote.objects.get().ballots_sent_at is None  # nothing happened
    desk.get_by_label("Yes, send the ballots now").check()
    desk.get_by_role("button", name="Send the ballots now").click()

    expect(desk.get_by_test_id("roll")).to_have_text(str(len(operators)))
    assert Vote.objects.get().ballots_sent_at is not None


def test_the_server_refuses_to_send_ballots_without_the_box(
    organizer_client, atu, operators_unit, operators, organizer
):
    vote = new_vote(atu, operators_unit, organizer)

    refused = organizer_client.post(
        reverse("votes:vote_send", kwargs={"org": atu.slug, "vote": vote.code})
    )

    assert refused.status_code == 400
    assert "Tick the box to confirm: ballots sent cannot be called back." in (
        refused.content.decode()
    )
    assert Vote.objects.get().ballots_sent_at is None
