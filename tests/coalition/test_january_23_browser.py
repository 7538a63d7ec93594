"""January 23, in real browsers on phone-sized pages: the Minneapolis Regional Labor
Federation offers alert sharing to its four unions in one step and each union's admin
accepts it; then the federation proposes one pledge to them, each with its own threshold; each
union's organizer accepts it for their unit; members sign under their own union. Three
unions meet their thresholds and nothing happens; the moment the last union's last
signature it needs comes in, from the link in a member's email, it is live for all four,
and every signer of every union hears it once, counted at the local email and Signal
servers.

The world comes from tests/coalition/world.py; the sharing screens are those of
tests/sharing/test_sharing_browser.py."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import YEAR, sign_in_browser, wait_until
from tocsin.accounts.models import Membership
from tocsin.accounts.roles import Role
from tocsin.pledges.models import CoalitionPledge, Pledge
from tocsin.pledges.services import signing

from . import world as january_23

LINK = re.compile(r"https?://\S+/a/[^\s]+")
ON = ("It's on", "En marcha", "Waa socotaa")


def told_it_is_on(smtp_server, signal_server) -> list[str]:
    email = [m["to"][0] for m in smtp_server.messages if m["subject"].startswith(ON)]
    signal = [m["to"] for m in signal_server.messages if any(on in m["text"] for on in ON)]
    return sorted(email + signal)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_january_23_goes_live_for_four_unions_when_the_last_one_meets_its_threshold(
    phone, phone_in, live_server, smtp_server, signal_server, settings
):
    settings.TOCSIN_BASE_URL = live_server.url
    world = january_23.minneapolis()
    coalition = world.coalition
    # Each union's organizer is also its admin: the one who answers sharing offers.
    Membership.objects.filter(person__in=[union.organizer for union in world.unions]).update(
        roles=Role.ORGANIZER | Role.ADMIN
    )

    # The federation offers alert sharing to its four unions in one step.
    sign_in_browser(phone, live_server, world.organizer)
    phone.goto(f"{live_server.url}/staff/o/{coalition.slug}/sharing/")
    phone.get_by_role("link", name="Offer to all our member organizations").click()
    for union in world.unions:
        expect(phone.get_by_label(union.organization.name)).to_be_checked()
    phone.get_by_label("verified alerts").check()
    phone.get_by_role("button", name="Send the offer").click()
    expect(phone.get_by_text("Offered to 4 member organizations.")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390

    # Each union's admin accepts it on their phone.
    for union in world.unions:
        page = phone_in("en")
        sign_in_browser(page, live_server, union.organizer)
        page.goto(f"{live_server.url}/staff/o/{union.organization.slug}/sharing/")
        page.get_by_role("button", name=f"Accept {coalition.name}\u2019s offer").click()
        expect(page.get_by_text("Accepted. Sharing is in force from its start.")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.context.close()
    # The federation's view now lists the four unions as sharing their alerts with it.
    phone.goto(f"{live_server.url}/staff/o/{coalition.slug}/coalition/")
    sharers = phone.get_by_test_id("coalition-sharers")
    for union in world.unions:
        expect(
            sharers.get_by_role("cell", name=union.organization.name, exact=True)
        ).to_be_visible()

    # The federation's organizer proposes the pledge to the four unions, on a phone.
    phone.goto(f"{live_server.url}/staff/o/{coalition.slug}/pledges/")
    phone.get_by_role("link", name="New coalition pledge").click()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.get_by_label("What we pledge to do").fill(january_23.ACTION)
    phone.get_by_label("Deadline").fill(f"{YEAR}-01-21T23:00")
    for union in world.unions:
        name = union.organization.name
        kind, value = union.threshold
        phone.get_by_label(f"Ask {name} to take part").check()
        phone.get_by_label(f"{name}: the threshold is").select_option(kind)
        phone.get_by_label(f"{name}: threshold", exact=True).fill(str(value))
    phone.get_by_role("button", name="Create the coalition pledge").click()
    expect(phone.get_by_test_id("coalition-state")).to_have_text(
        "waiting for every union to meet its threshold"
    )
    expect(phone.locator("[data-union-state=invited]")).to_have_count(4)
    found = CoalitionPledge.objects.get()
    coalition_page = phone.url

    # Each union's organizer accepts for their unit, on their phone: it goes to its members.
    for union in world.unions:
        page = phone_in("en")
        sign_in_browser(page, live_server, union.organizer)
        page.goto(f"{live_server.url}/staff/o/{union.organization.slug}/pledges/")
        page.get_by_test_id("coalition-parts").get_by_role("link").click()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.get_by_label("Who is asked").select_option("unit")
        page.get_by_label(union.unit.name).check()
        page.get_by_label("Yes, take part and send it now").check()
        page.get_by_role("button", name="Take part and send to the members asked").click()
        expect(page.get_by_test_id("coalition-part")).to_be_visible()
        page.context.close()
    asked = len(world.members)
    wait_until(lambda: len(smtp_server.messages) + len(signal_server.messages) == asked)
    pledges = {p.organization.slug: p for p in Pledge.objects.all()}

    # Three unions meet their thresholds, the last is one short: nothing is live.
    signers = []
    last = world.unions[-1]
    for union in world.unions[:-1]:
        for person in union.members[: union.required]:
            signing.sign(person, pledges[union.organization.slug])
            signers.append(person)
    for person in last.members[1 : last.required]:
        signing.sign(person, pledges[last.organization.slug])
        signers.append(person)
    phone.goto(coalition_page)
    expect(phone.locator("[data-union-state=met]")).to_have_count(3)
    expect(phone.locator("[data-union-state=collecting]")).to_have_count(1)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert told_it_is_on(smtp_server, signal_server) == []

    # The last union's last signature it needs, from the link in the member's email.
    member = last.members[0]
    signers.append(member)
    address = january_23.address_of(member)
    mail = wait_until(lambda: [m for m in smtp_server.messages if m["to"] == [address]])[0]
    own = phone_in("en")
    own.goto(LINK.search(mail["body"]).group(0))
    expect(own.get_by_test_id("coalition-part")).to_contain_text(world.coalition.name)
    own.get_by_role("button", name="I pledge").click()
    expect(own.get_by_test_id("pledge-on")).to_be_visible()
    assert own.evaluate("document.documentElement.scrollWidth") <= 390

    expected = sorted(january_23.address_of(person) for person in signers)
    told = wait_until(
        lambda: (
            told_it_is_on(smtp_server, signal_server)
            if len(told_it_is_on(smtp_server, signal_server)) >= len(expected)
            else None
        )
    )
    assert told == expected  # every union's signers, each once, and nobody else
    phone.goto(coalition_page)
    expect(phone.get_by_test_id("coalition-state")).to_have_text(
        "on: every union met its threshold"
    )
    expect(phone.locator("[data-union-state=on]")).to_have_count(4)
    found.refresh_from_db()
    assert found.state == CoalitionPledge.State.ACTIVE
