"""The staff side in a browser, with the demo world: a dashboard home that fits a laptop
screen, a menu that folds on a phone, tables that sort and filter, and charts whose numbers
are the ones in the database, in English and Spanish."""

import zoneinfo
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from tests.conftest import browser_context, verified_client
from tocsin.accounts.models import Membership, Organization, Person, Unit
from tocsin.accounts.services.people import find_person_by_login
from tocsin.campaigns.models import Campaign, Event, Rsvp
from tocsin.campaigns.services import rsvps
from tocsin.delivery.models import Alert, Delivery
from tocsin.demo import world
from tocsin.demo.services import load_demo
from tocsin.structure.dashboard import dashboard

pytestmark = [pytest.mark.browser, pytest.mark.long]

HOURS_AGO = (1, 1, 1, 3)  # four deliveries: three an hour ago, one three hours ago


@pytest.fixture
def demo(transactional_db):
    """The demo world, committed (the live server reads it), with the demo admin and
    organizer signed in, some RSVPs and check-ins at the week of action, a small third
    unit at the nurses', and a notice's deliveries of the last hours."""
    load_demo()
    admin = find_person_by_login(f"admin@{world.EMAIL_DOMAIN}")
    organizer = find_person_by_login(f"organizer@{world.EMAIL_DOMAIN}")
    nnu = Organization.objects.get(slug=world.NNU)
    week = Campaign.objects.get(organization=nnu, name=world.WEEK_OF_ACTION)
    oakland, vallejo = (
        Event.objects.filter(campaign=week, site__name__startswith=name).first()
        for name in ("Kaiser Oakland", "Kaiser Vallejo")
    )
    nurses = list(Person.objects.filter(memberships__organization=oakland.organization)[:5])
    for nurse in nurses[:3]:
        rsvps.answer(nurse, oakland)
    # Checked in on the day (check-in opens only then: decision 0021).
    Rsvp.objects.filter(event=oakland, person=nurses[0]).update(checked_in_at=timezone.now())
    rsvps.answer(nurses[3], vallejo)

    mna = Organization.objects.get(slug=world.MNA)
    # A third, small unit: 3 sorts before 25 and 45 as a number, after them as text.
    night = Unit.objects.create(organization=mna, name="HCMC night float nurses")
    placed = Membership.objects.filter(organization=mna, unit__name="HCMC registered nurses")
    Membership.objects.filter(pk__in=list(placed.values_list("pk", flat=True)[:3])).update(
        unit=night
    )
    alert = Alert.objects.create(
        organization=mna, kind=Alert.Kind.NOTICE, context={"what": "Meeting moved"}
    )
    now = timezone.now()
    people = list(Person.objects.filter(memberships__organization=mna)[: len(HOURS_AGO)])
    for person, hours, channel, status in zip(
        people,
        HOURS_AGO,
        ("email", "email", "sms", "email"),
        (Delivery.Status.SENT, Delivery.Status.SENT, Delivery.Status.FAILED, "sent"),
        strict=True,
    ):
        Delivery.objects.create(
            alert=alert,
            person=person,
            channel=channel,
            status=status,
            sent_at=now - timedelta(hours=hours),
        )
    cookies = {
        "admin": verified_client(Client(), admin).cookies[settings.SESSION_COOKIE_NAME].value,
        "organizer": verified_client(Client(), organizer)
        .cookies[settings.SESSION_COOKIE_NAME]
        .value,
    }
    return {
        "cookies": cookies,
        "admin": admin,
        "organizer": organizer,
        "sent_at": now,
        "oakland": oakland,
        "vallejo": vallejo,
    }


@pytest.fixture
def open_as(chromium, live_server, demo):
    """Return a factory of signed-in pages: open_as("admin", "laptop", "es")."""
    contexts = []

    def make(who: str, size: str = "laptop", language: str = "en"):
        context = browser_context(chromium, size, language)
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": demo["cookies"][who],
                    "url": live_server.url,
                }
            ]
        )
        contexts.append(context)
        page = context.new_page()
        if language == "es":  # the person's own language wins over the browser's: choose it
            page.goto(live_server.url + "/staff/")
            page.get_by_role("button", name="Español").click()
            page.wait_for_load_state()
        return page

    yield make
    for context in contexts:
        context.close()


def org_url(live_server, name: str, slug: str, **kwargs) -> str:
    return live_server.url + reverse(name, kwargs={"org": slug, **kwargs})


def column(page, table, index: int) -> list[str]:
    """The text of one column's visible cells, top to bottom."""
    return table.locator(f"tbody tr:not([hidden]) > :nth-child({index})").all_inner_texts()


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_staff_home_fits_a_laptop_screen_and_keeps_every_screen_reachable(
    open_as, live_server, demo, language
):
    page = open_as("admin", "laptop", language)
    page.goto(live_server.url + "/staff/")

    height = page.evaluate("document.body.scrollHeight")
    assert height < 1500, f"the staff home is {height} px tall"
    rows = page.get_by_test_id("org-row")
    expect(rows).to_have_count(len(world.ORGANIZATIONS))
    # The demo admin is an admin everywhere: each organization's row opens every screen the
    # old home linked to, one tap away.
    for slug in (org.slug for org in world.ORGANIZATIONS):
        row = page.locator(f'[data-testid="org-row"][data-org="{slug}"]')
        row.locator("summary").click()
        for name in (
            "pledges:pledges",
            "delivery:alerts",
            "staff:members",
            "staff:sites",
            "staff:units",
            "staff:organization",
        ):
            expect(
                row.locator("details").locator(f'a[href="{reverse(name, kwargs={"org": slug})}"]')
            ).to_be_visible()
        row.locator("summary").click()


def test_the_home_counts_what_needs_attention(open_as, live_server, demo):
    page = open_as("admin")
    page.goto(live_server.url + "/staff/")

    mna = page.locator(f'[data-testid="org-row"][data-org="{world.MNA}"]')
    expect(mna.get_by_test_id("failed-deliveries")).to_have_text("1")
    # The admin is no dispatcher: the console's count is not theirs to see.
    expect(mna.get_by_test_id("open-incidents")).to_have_text("·")
    mna.get_by_test_id("failed-deliveries").get_by_role("link").click()
    page.wait_for_url(f"**/o/{world.MNA}/alerts/")

    page.goto(live_server.url + "/staff/")
    coming = Event.objects.filter(
        organization__slug=world.KAISER_BAY, ends_at__gte=timezone.now()
    ).exclude(state=Event.State.PROPOSED)
    bay = page.locator(f'[data-testid="org-row"][data-org="{world.KAISER_BAY}"]')
    expect(bay.get_by_test_id("coming-events")).to_have_text(str(coming.count()))


def test_the_home_on_a_phone_is_one_card_per_organization_without_sideways_scrolling(
    open_as, live_server, demo
):
    page = open_as("admin", "phone", "es")
    page.goto(live_server.url + "/staff/")

    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    mna = page.locator(f'[data-testid="org-row"][data-org="{world.MNA}"]')
    failed = mna.get_by_test_id("failed-deliveries")
    expect(failed).to_be_visible()
    expect(failed).to_have_attribute("data-label", "Envíos fallidos (24 h)")  # shown before it
    mna.locator("summary").click()
    mna.get_by_role("link", name="Lugares de trabajo").click()
    page.wait_for_url(f"**/o/{world.MNA}/sites/")


def test_the_organization_menu_folds_into_a_menu_on_a_phone(open_as, live_server, demo):
    laptop = open_as("admin")
    laptop.goto(org_url(live_server, "staff:members", world.MNA))
    bar = laptop.get_by_role("navigation", name="Organization")
    expect(bar.get_by_role("link", name="Sites")).to_be_visible()
    expect(laptop.locator("details.org-menu")).to_be_hidden()

    phone = open_as("admin", "phone", "es")
    phone.goto(org_url(live_server, "staff:members", world.MNA))
    expect(phone.get_by_role("link", name="Lugares de trabajo")).to_be_hidden()
    phone.locator("details.org-menu > summary").click()
    expect(phone.get_by_role("link", name="Lugares de trabajo")).to_be_visible()
    expect(phone.get_by_role("link", name="Miembros", exact=True)).to_have_attribute(
        "aria-current", "page"
    )
    phone.get_by_role("link", name="Lugares de trabajo").click()
    phone.wait_for_url(f"**/o/{world.MNA}/sites/")


@pytest.mark.parametrize(("size", "language"), [("laptop", "en"), ("phone", "es")])
def test_a_table_sorts_by_a_column_of_numbers_and_filters_by_text(
    open_as, live_server, demo, size, language
):
    units = Unit.objects.filter(organization__slug=world.MNA)
    sizes = {unit.name: str(unit.memberships.count()) for unit in units}
    page = open_as("admin", size, language)
    page.goto(org_url(live_server, "staff:units", world.MNA))
    table = page.locator("main table")
    members = "Members" if language == "en" else "Miembros"

    table.get_by_role("button", name=members).click()
    expect(table.get_by_role("columnheader", name=members)).to_have_attribute(
        "aria-sort", "ascending"
    )
    assert column(page, table, 3) == sorted(sizes.values(), key=int)
    table.get_by_role("button", name=members).click()
    assert column(page, table, 3) == sorted(sizes.values(), key=int, reverse=True)

    some = sorted(sizes)[0]
    page.get_by_role("searchbox").fill(some.split()[-1].lower())
    expect(table.locator("tbody tr:not([hidden])")).to_have_count(
        sum(1 for name in sizes if some.split()[-1].lower() in name.lower())
    )
    assert some in column(page, table, 1)
    expect(page.locator(".table-filter [aria-live]")).to_contain_text(str(len(sizes)))


def test_the_member_list_sorts_by_name_both_ways(open_as, live_server, demo):
    page = open_as("admin")
    page.goto(org_url(live_server, "staff:members", world.ATU_1005))
    table = page.get_by_test_id("member-list")
    before = column(page, table, 1)

    table.get_by_role("button", name="Name").click()
    ascending = column(page, table, 1)
    table.get_by_role("button", name="Name").click()
    descending = column(page, table, 1)

    assert sorted(ascending) == sorted(before)
    assert ascending[0].casefold() <= ascending[-1].casefold()
    assert descending == list(reversed(ascending))
    assert ascending != before or descending != before


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_structure_chart_shows_each_units_ratings(open_as, live_server, demo, language):
    unit = Unit.objects.get(organization__slug=world.ATU_1005, name=world.STRUCTURE_UNIT[1])
    board = dashboard(unit)
    page = open_as("organizer", "laptop", language)
    page.goto(live_server.url + f"/staff/o/{world.ATU_1005}/structure/")

    chart = page.get_by_test_id("structure-chart")
    for score in (1, 2, 3, 4, 5):
        bar = chart.locator(f'rect[data-category="{unit.name}"][data-series^="{score} · "]')
        if board.counts[score]:
            expect(bar).to_have_attribute("data-value", str(board.counts[score]))
        else:
            expect(bar).to_have_count(0)
    # The same numbers, as a table for screen readers.
    row = chart.get_by_role("row", name=unit.name)
    expected = [str(board.counts[s]) for s in (1, 2, 3, 4, 5)] + [str(board.unrated)]
    assert row.locator("td").all_inner_texts()[:6] == expected


def test_the_unit_dashboard_filters_members_by_rating_and_stays_short(open_as, live_server, demo):
    unit = Unit.objects.get(organization__slug=world.ATU_1005, name=world.STRUCTURE_UNIT[1])
    board = dashboard(unit)
    score = max(board.counts, key=lambda s: board.counts[s])
    page = open_as("organizer")
    page.goto(live_server.url + f"/staff/o/{world.ATU_1005}/structure/units/{unit.code}/")
    rows = page.get_by_test_id("member-row")
    expect(rows).to_have_count(board.total)
    # One line per member, the summary side by side: well under half its old 7,900 pixels.
    assert page.evaluate("document.body.scrollHeight") < 3500

    page.get_by_label("Show members rated").select_option(str(score))

    expect(page.locator('[data-testid="member-row"]:visible')).to_have_count(board.counts[score])
    for text in page.locator(
        '[data-testid="member-row"]:visible [data-testid="current-rating"]'
    ).all_inner_texts():
        assert text.startswith(f"{score} · ")
    page.get_by_label("Show members rated").select_option("")
    expect(page.locator('[data-testid="member-row"]:visible')).to_have_count(board.total)


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_turnout_chart_counts_rsvps_and_check_ins_by_day_and_site(
    open_as, live_server, demo, language
):
    page = open_as("organizer", "phone", language)
    page.goto(org_url(live_server, "campaigns:turnout", world.NNU))

    chart = page.get_by_test_id("turnout-chart")
    oakland = chart.locator('rect[data-category*="Kaiser Oakland"]')
    going, checked_in = (
        Rsvp.objects.filter(event=demo["oakland"], status=Rsvp.Status.GOING).count(),
        Rsvp.objects.filter(event=demo["oakland"], checked_in_at__isnull=False).count(),
    )
    rsvps = "RSVPs" if language == "en" else "Confirmaciones"
    expect(oakland.and_(page.locator(f'[data-series="{rsvps}"]'))).to_have_attribute(
        "data-value", str(going)
    )
    checked = "Checked in" if language == "en" else "Llegaron"
    expect(oakland.and_(page.locator(f'[data-series="{checked}"]'))).to_have_attribute(
        "data-value", str(checked_in)
    )
    day = "January 26" if language == "en" else "26 de enero"
    expect(chart.locator("table")).to_contain_text(f"{day} · Kaiser Oakland")
    vallejo = chart.locator(f'rect[data-category*="Kaiser Vallejo"][data-series="{rsvps}"]')
    going_vallejo = Rsvp.objects.filter(event=demo["vallejo"], status=Rsvp.Status.GOING).count()
    expect(vallejo).to_have_attribute("data-value", str(going_vallejo))


def test_the_alerts_screen_charts_deliveries_per_hour_and_channel(open_as, live_server, demo):
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    page = open_as("admin")
    page.goto(org_url(live_server, "delivery:alerts", world.MNA))

    chart = page.get_by_test_id("deliveries-chart")
    hour_ago = (demo["sent_at"] - timedelta(hours=1)).astimezone(zone).strftime("%H:00")
    three_ago = (demo["sent_at"] - timedelta(hours=3)).astimezone(zone).strftime("%H:00")
    expect(
        chart.locator(f'rect[data-category="{hour_ago}"][data-series="email"]')
    ).to_have_attribute("data-value", "2")
    expect(chart.locator(f'rect[data-category="{hour_ago}"][data-series="sms"]')).to_have_attribute(
        "data-value", "1"
    )
    expect(
        chart.locator(f'rect[data-category="{three_ago}"][data-series="email"]')
    ).to_have_attribute("data-value", "1")
    expect(chart.locator("rect[data-value]")).to_have_count(3)
    expect(chart.get_by_role("row", name=hour_ago)).to_contain_text("3")
