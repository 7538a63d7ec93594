"""A secret ballot of the bus operators, end to end in real browsers.

An organizer of ATU Local 1005 creates a vote for the Metro Transit bus operators and sends
the ballots; each operator gets an email through a real SMTP server. Ana opens her link on
her phone, in Spanish, votes and sees her receipt; opening it again says she voted. After
the close the organizer sees the counts, the turnout and whether quorum was met, and Ana
finds the same result on her votes page.
"""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from tests.conftest import sign_in_browser, wait_until
from tocsin.joining.links import member_link_token
from tocsin.votes.models import Vote
from tocsin.votes.services import casting, counting

from .conftest import QUESTION, close, option


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_bus_operators_vote_by_secret_ballot(
    desk, phone_in, live_server, atu, operators_unit, operators, organizer, smtp_server, settings
):
    settings.TOCSIN_BASE_URL = live_server.url
    ana, ben = operators[0], operators[1]

    # The organizer creates the vote for the bus operators and sends the ballots.
    sign_in_browser(desk, live_server, organizer)
    desk.goto(f"{live_server.url}/staff/o/{atu.slug}/votes/")
    desk.get_by_role("link", name="New vote").click()
    desk.get_by_label("Question").fill(QUESTION)
    desk.get_by_label("Options, one per line").fill("Yes\nNo")
    desk.get_by_label("Unit that votes").select_option(operators_unit.code)
    now = timezone.localtime()
    desk.get_by_label("Voting opens").fill((now - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M"))
    desk.get_by_label("Voting closes").fill((now + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"))
    desk.get_by_label("Quorum as").select_option("percent")
    desk.get_by_label("Quorum", exact=True).fill("50")
    desk.get_by_role("button", name="Create the vote").click()
    expect(desk.get_by_role("heading", name=QUESTION)).to_be_visible()
    desk.get_by_label("Yes, send the ballots now").check()
    desk.get_by_role("button", name="Send the ballots now").click()
    expect(desk.get_by_test_id("roll")).to_have_text(str(len(operators)))
    vote = Vote.objects.get()

    # Every operator gets their ballot by email; Ana's is in Spanish.
    wait_until(lambda: len(smtp_server.messages) == len(operators))
    to_ana = next(m for m in smtp_server.messages if m["to"] == ["ana@atu.test"])
    assert to_ana["subject"] == f"Tu papeleta: {QUESTION}"
    link = re.search(r"http://\S+/a/\S+/", to_ana["body"]).group(0)

    # Ana opens it on her phone, votes No and sees her receipt.
    phone = phone_in("es")
    phone.goto(link)
    expect(phone.get_by_role("heading", name=QUESTION)).to_be_visible()
    phone.get_by_label("No", exact=True).check()
    phone.get_by_role("button", name="Emitir mi voto").click()
    expect(phone.get_by_role("heading", name="Tu voto está emitido")).to_be_visible()
    receipt = phone.get_by_test_id("receipt").inner_text()
    assert counting.check_receipt(receipt) == vote
    # Opening her link again says she voted, and shows no receipt.
    phone.goto(link)
    expect(phone.get_by_test_id("already-voted")).to_be_visible()
    expect(phone.get_by_test_id("receipt")).to_have_count(0)

    # While it is open the organizer sees how many voted, never a count per option.
    casting.cast(ben, vote, option(vote, "Yes"))
    casting.cast(operators[2], vote, option(vote, "Yes"))
    casting.cast(operators[3], vote, option(vote, "No"))
    desk.reload()
    expect(desk.get_by_test_id("voted")).to_have_text("4")
    expect(desk.get_by_test_id("result")).to_have_count(0)

    # After the close, the counts, the turnout and the quorum.
    close(vote)
    desk.reload()
    counts = desk.get_by_test_id("result").get_by_test_id("count")
    expect(counts).to_have_text(["2", "2"])
    expect(desk.get_by_test_id("turnout")).to_have_text(
        f"Turnout: 4 of {len(operators)} on the roll (67%)."
    )
    expect(desk.get_by_test_id("quorum")).to_have_text("Quorum met (3 ballots needed).")

    # Ana checks her receipt: counted, and the result, never her own choice.
    phone.goto(f"{live_server.url}/ballot/receipt/")
    phone.get_by_label("Tu código de recibo").fill(receipt)
    phone.get_by_role("button", name="Comprobar").click()
    expect(phone.get_by_test_id("receipt-counted")).to_contain_text("Contado.")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390

    # Signed in with her member link, her votes page shows the same result.
    contact = ana.contacts.get()
    phone.goto(live_server.url + reverse("joining:member_link", args=[member_link_token(contact)]))
    phone.get_by_role("link", name="Votaciones").click()
    expect(phone.get_by_role("heading", name=QUESTION)).to_be_visible()
    expect(phone.get_by_test_id("turnout")).to_have_text(
        f"Participación: 4 de {len(operators)} en el padrón (67%)."
    )
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
