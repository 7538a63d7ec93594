"""The ATU pledge from creation to activation, in real browsers.

ATU Local 1005's members were told to work because of the no-strike clause; nobody will
stick their neck out alone. An organizer writes the pledge "we stay out on Jan 23 if 60% of
our unit commits" for the twelve bus operators here and sends it. Ben signs from the link
in his email and sees only that it is under a quarter of the way. The organizer sees a
bucket, never a name. Six more sign. Ana, on her phone in Spanish, is the eighth: the
pledge is on, and all eight hear it at the same moment; the organizer now sees who signed.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import YEAR, sign_in_browser, wait_until
from tocsin.pledges.models import Pledge
from tocsin.pledges.services import signing

from .conftest import ACTION

LINK = re.compile(r"https?://\S+/a/[^\s]+")


def link_in_mail(smtp_server, address):
    message = wait_until(lambda: [m for m in smtp_server.messages if m["to"] == [address]])[0]
    return LINK.search(message["body"]).group(0)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_atu_pledge_goes_live_when_the_eighth_operator_signs(
    desk,
    phone,
    phone_in,
    live_server,
    atu,
    operators_unit,
    operators,
    organizer,
    smtp_server,
    settings,
):
    settings.TOCSIN_BASE_URL = live_server.url
    ana, ben = operators[0], operators[1]

    # The organizer writes the pledge for the bus operators and sends it.
    sign_in_browser(desk, live_server, organizer)
    desk.goto(f"{live_server.url}/staff/o/{atu.slug}/pledges/")
    desk.get_by_role("link", name="New pledge").click()
    desk.get_by_label("What we pledge to do").fill(ACTION)
    desk.get_by_label("Who is asked").select_option("unit")
    desk.get_by_label("Metro Transit bus operators").check()
    desk.get_by_label("The threshold is").select_option("percent")
    desk.get_by_label("Threshold", exact=True).fill("60")
    desk.get_by_label("Deadline").fill(f"{YEAR}-01-21T23:00")
    desk.get_by_role("button", name="Create the pledge").click()
    expect(desk.get_by_test_id("pledge-state")).to_have_text("collecting signatures")
    desk.get_by_label("Yes, send it now").check()
    desk.get_by_role("button", name="Send to the members asked").click()
    expect(desk.get_by_text(re.compile("Sent to the members asked"))).to_be_visible()
    pledge = Pledge.objects.get()

    # Ben signs from the link in his email, on his phone.
    phone.goto(link_in_mail(smtp_server, "operator1@atu.test"))
    expect(phone.get_by_role("heading", name=ACTION)).to_be_visible()
    phone.get_by_role("button", name="I pledge").click()
    expect(phone.get_by_test_id("signed")).to_contain_text("Nobody can see that you did")
    expect(phone.locator("[data-bucket]")).to_have_attribute("data-bucket", "under_25")

    # The organizer sees how far it has come, not who.
    for person in operators[2:8]:
        if person != ana:
            signing.sign(person, pledge)
    desk.reload()
    expect(desk.locator("[data-bucket]")).to_have_attribute("data-bucket", "over_75")
    for person in operators:
        expect(desk.get_by_text(person.display_name)).to_have_count(0)

    # Ana, the eighth, signs on her phone in Spanish: it is on.
    spanish = phone_in("es")
    spanish.goto(link_in_mail(smtp_server, "operator0@atu.test"))
    spanish.get_by_role("button", name="Me comprometo").click()
    expect(spanish.get_by_test_id("pledge-on")).to_have_text(
        "En marcha: el 67 % de ustedes se comprometió."
    )

    def all_eight_told():
        told = [
            m for m in smtp_server.messages if m["subject"].startswith(("It's on", "En marcha"))
        ]
        return told if len(told) == 8 else None

    told = wait_until(all_eight_told)
    assert sorted(m["to"][0] for m in told) == sorted(f"operator{n}@atu.test" for n in range(8))
    assert any("67% of Metro Transit bus operators committed" in m["body"] for m in told)

    # From now on the organizer sees who signed.
    desk.reload()
    expect(desk.get_by_test_id("pledge-state")).to_have_text("on: the threshold was met")
    expect(desk.get_by_test_id("signers").locator("li")).to_have_count(8)
    expect(desk.get_by_test_id("signers")).to_contain_text(ana.display_name)
    expect(desk.get_by_test_id("signers")).to_contain_text(ben.display_name)
