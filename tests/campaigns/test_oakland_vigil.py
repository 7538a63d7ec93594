"""The Kaiser Oakland vigil of the week of action, end to end in real browsers.

An organizer of National Nurses United creates the vigil at Kaiser Oakland for January 26,
with a shift, its address kept for people who RSVP. Rosa, a nurse there, opens the member
link she was sent (she is a member of NNU's Kaiser Bay Area local) and, on her phone in Spanish, finds the vigil, RSVPs for the shift and
sees the address appear. At the vigil she scans the code on the organizer's page and is
checked in; the organizer's turnout shows one RSVP and one check-in at Kaiser Oakland.
"""

import pytest
from playwright.sync_api import expect

from tests.conftest import YEAR, make_org, make_person, sign_in_browser, spanish_weekday
from tocsin.accounts.models import Site
from tocsin.accounts.roles import Role
from tocsin.accounts.services.people import add_contact
from tocsin.campaigns.models import Event, Rsvp
from tocsin.joining.links import member_link_url

from .conftest import doors_open


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_nurse_rsvps_and_checks_in_at_the_kaiser_oakland_vigil(
    desk, phone_in, live_server, settings
):
    settings.TOCSIN_BASE_URL = live_server.url
    nnu = make_org("national-nurses-united", "National Nurses United", "federation")
    local = make_org("nnu-kaiser-bay-area", "Kaiser Bay Area nurses (NNU)", "local")
    local.parent = nnu
    local.save(update_fields=["parent"])
    oakland = Site.objects.create(
        kind=Site.Kind.HOSPITAL,
        name="Kaiser Oakland",
        address="3600 Broadway, Oakland, CA",
        lat="37.824400",
        lng="-122.256700",
    )
    oakland.organizations.add(local)
    organizer = make_person(
        nnu, Role.ORGANIZER, email="olga@nnu.test", password="organizer horse 42", name="Olga"
    )
    rosa = make_person(local, Role.MEMBER, name="Rosa Rivera", language="es", site=oakland)
    rosa_email = add_contact(rosa, "email", "rosa@example.org", True)

    # The organizer creates the vigil, its address kept for people who RSVP.
    sign_in_browser(desk, live_server, organizer)
    desk.goto(f"{live_server.url}/staff/o/{nnu.slug}/campaigns/")
    desk.get_by_role("link", name="New event").click()
    desk.get_by_label("Kind").select_option("vigil")
    desk.get_by_label("Title").fill("Vigil at Kaiser Oakland")
    desk.get_by_label("Site").select_option(label="Kaiser Oakland")
    desk.get_by_label("Starts").fill(f"{YEAR}-01-26T18:00")
    desk.get_by_label("Ends").fill(f"{YEAR}-01-26T19:30")
    desk.get_by_label("Time zone").select_option("America/Los_Angeles")
    desk.get_by_label("Who sees it", exact=True).select_option("members")
    desk.get_by_label("Show the address only to people who RSVP").check()
    desk.get_by_role("button", name="Create the event").click()
    expect(desk.get_by_text("Event created.")).to_be_visible()
    vigil = Event.objects.get()
    assert vigil.starts_at.isoformat() == f"{YEAR}-01-27T02:00:00+00:00"

    # With one shift on the vigil line.
    desk.get_by_label("Label").fill("Vigil line")
    desk.get_by_label("People needed").fill("20")
    desk.get_by_role("button", name="Add the shift").click()
    expect(desk.get_by_text("Shift added.")).to_be_visible()
    expect(desk.get_by_test_id("shift")).to_contain_text("6 p.m.\u20137:30 p.m.")

    # Rosa opens her member link on her phone, in Spanish, and finds the vigil.
    phone = phone_in("es")
    phone.goto(member_link_url(rosa_email))
    phone.goto(f"{live_server.url}/me/events/")
    phone.get_by_role("link", name="Vigil at Kaiser Oakland").click()
    where = phone.get_by_test_id("event-where")
    expect(where).to_have_text("La dirección se muestra a quienes confirman asistencia.")
    expect(phone.get_by_test_id("event-when")).to_contain_text(
        f"{spanish_weekday(YEAR, 1, 26)} 26 de enero de {YEAR}, 18:00\u201319:30 PST"
    )

    # She RSVPs for the shift; the address appears.
    phone.get_by_role("button", name="Confirmar para Vigil line").click()
    expect(phone.get_by_text("Vas a ir. ¡Gracias!")).to_be_visible()
    expect(where).to_have_text("Kaiser Oakland, 3600 Broadway, Oakland, CA")
    assert Rsvp.objects.get().status == "going"

    # The day comes; at the vigil she scans the code on the organizer's page, and checks in.
    doors_open(Event.objects.get())
    desk.reload()
    expect(desk.locator(".qr-box svg")).to_be_visible()
    check_in_url = desk.get_by_test_id("check-in-url").get_attribute("href")
    phone.goto(check_in_url)
    phone.get_by_role("button", name="Ya llegué: registrar mi llegada").click()
    expect(phone.get_by_test_id("checked-in")).to_have_text(
        "Tu llegada está registrada. ¡Gracias por venir!"
    )
    assert Rsvp.objects.get().checked_in_at is not None

    # The organizer's turnout: one RSVP, one checked in, at Kaiser Oakland.
    desk.goto(f"{live_server.url}/staff/o/{nnu.slug}/campaigns/")
    desk.get_by_role("link", name="Turnout").click()
    row = desk.get_by_test_id("by-site").locator("tbody tr")
    expect(row).to_have_count(1)
    expect(row.locator("td")).to_have_text(["Kaiser Oakland", "1", "1", "1", "0"])
    expect(desk.get_by_test_id("turnout-totals")).to_have_text(
        "1 RSVPs, 1 checked in, 0 waitlisted."
    )
