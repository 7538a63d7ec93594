"""Organizers' screens: creating events and shifts (every bad field named, nothing
stored), deciding on members' proposals, promoting another organization's event, the
list of who RSVPed (the host's organizers only), the QR, and turnout in counts."""

import re
from datetime import date

import pytest
from django.urls import reverse
from django.utils import dateformat, translation

from tests.conftest import YEAR, make_person, member_client, verified_client
from tocsin.accounts.roles import Role
from tocsin.campaigns.models import Campaign, Event, Promotion, Shift
from tocsin.campaigns.services import campaigns as campaign_services
from tocsin.campaigns.services import check_in as check_in_services
from tocsin.campaigns.services import events as event_services
from tocsin.campaigns.services import rsvps

from .conftest import doors_open, vigil_input

EVENT_FORM = {
    "kind": "vigil",
    "title": "Vigil at Kaiser Oakland",
    "starts_at": f"{YEAR}-01-26T18:00",
    "ends_at": f"{YEAR}-01-26T19:30",
    "time_zone": "America/Los_Angeles",
    "visibility": "public",
}


def url(name, org, **kwargs):
    return reverse(f"campaigns:{name}", kwargs={"org": org.slug, **kwargs})


@pytest.fixture
def campaign(nnu, organizer, kaiser_bay, org):
    """The week of action, with the Kaiser local and the MNA (`org`) taking part."""
    return campaign_services.create_campaign(
        organizer, nnu, "Week of action", "", date(YEAR, 1, 26), date(YEAR, 2, 4), [kaiser_bay, org]
    )


@pytest.fixture
def mna_organizer(org):
    return make_person(org, Role.ORGANIZER, email="org@mna.test", password="mna horse 42")


def test_an_organizer_creates_an_event_at_a_site_of_a_local(organizer_client, nnu, oakland):
    response = organizer_client.post(url("event_new", nnu), {**EVENT_FORM, "site": oakland.code})

    event = Event.objects.get()
    assert response["Location"] == url("event", nnu, event=event.code)
    assert (event.site, event.state, event.time_zone) == (
        oakland,
        "approved",
        "America/Los_Angeles",
    )


def test_bad_event_input_names_each_field_and_stores_nothing(organizer_client, nnu):
    response = organizer_client.post(
        url("event_new", nnu),
        {**EVENT_FORM, "title": ""},
    )
    unreadable = organizer_client.post(
        url("event_new", nnu), {**EVENT_FORM, "address": "Oakland", "ends_at": "yesterday"}
    )

    text = response.content.decode()
    assert response.status_code == 400
    assert "Give the event a title." in text
    assert "Choose a site or write the address." in text
    assert unreadable.status_code == 400 and "Ends:" in unreadable.content.decode()
    assert not Event.objects.exists()


def test_an_event_in_the_past_is_refused(organizer_client, nnu):
    response = organizer_client.post(
        url("event_new", nnu),
        {
            **EVENT_FORM,
            "address": "Oakland",
            "starts_at": "2020-01-26T18:00",
            "ends_at": "2020-01-26T19:00",
        },
    )

    assert response.status_code == 400
    assert "This time has passed." in response.content.decode()


def test_an_organizer_adds_a_shift_in_the_events_own_time_zone(organizer_client, nnu, vigil):
    organizer_client.post(
        url("shift_add", nnu, event=vigil.code),
        {
            "label": "Set-up",
            "starts_at": f"{YEAR}-01-26T18:00",
            "ends_at": f"{YEAR}-01-26T18:30",
            "capacity": "4",
        },
    )

    shift = Shift.objects.get()
    assert (shift.starts_at, shift.capacity) == (vigil.starts_at, 4)


def test_a_shift_outside_the_event_is_refused(organizer_client, nnu, vigil):
    response = organizer_client.post(
        url("shift_add", nnu, event=vigil.code),
        {
            "label": "",
            "starts_at": f"{YEAR}-01-26T08:00",
            "ends_at": f"{YEAR}-01-26T09:00",
            "capacity": "0",
        },
    )

    text = response.content.decode()
    assert response.status_code == 400
    assert "People needed:" in text
    assert not Shift.objects.exists()


def test_an_organizer_approves_a_members_proposal_and_she_is_told(
    organizer_client, nnu, oakland, nurse, sent, smtp_server
):
    from tocsin.accounts.services.people import add_contact

    add_contact(nurse, "email", "rosa@example.org", True)
    proposal = event_services.propose_event(
        nurse, nnu, vigil_input(oakland, title="Picket at dawn")
    )
    listed = organizer_client.get(url("campaigns", nnu)).content.decode()

    with sent():
        organizer_client.post(url("event_approve", nnu, event=proposal.code))

    assert "Picket at dawn" in listed and "Proposals from members" in listed
    assert Event.objects.get().state == "approved"
    assert [m["subject"] for m in smtp_server.messages if m["to"] == ["rosa@example.org"]] == [
        "Aprobado: Picket at dawn"
    ]


def test_declining_a_proposal_keeps_it_from_members(organizer_client, nnu, oakland, nurse, client):
    proposal = event_services.propose_event(
        nurse, nnu, vigil_input(oakland, title="Picket at dawn")
    )

    organizer_client.post(url("event_decline", nnu, event=proposal.code))

    assert Event.objects.get().state == "declined"


def test_only_the_hosts_organizers_see_who_rsvped(
    client, vigil, campaign, nurse, mna_organizer, org, nnu, organizer
):
    Event.objects.filter(pk=vigil.pk).update(campaign=campaign)
    rsvps.answer(nurse, vigil)
    verified_client(client, organizer)
    hosts = client.get(url("event", nnu, event=vigil.code)).content.decode()
    client.logout()
    verified_client(client, mna_organizer)
    theirs = client.get(url("event", org, event=vigil.code)).content.decode()

    assert "Rosa Rivera" in hosts and "Who RSVPed" in hosts and "qr" in hosts
    assert "1 RSVPs, 0 checked in, 0 waitlisted." in theirs
    assert "Rosa Rivera" not in theirs and "check-in" not in theirs.lower().replace(
        "check-in code for", ""
    )


def test_a_non_host_cannot_change_the_event(client, vigil, campaign, mna_organizer, org):
    Event.objects.filter(pk=vigil.pk).update(campaign=campaign)
    verified_client(client, mna_organizer)

    response = client.post(url("event_cancel", org, event=vigil.code))

    assert response.status_code == 404
    assert Event.objects.get().state == "approved"


def test_another_organization_promotes_a_public_event_to_its_members(
    client, vigil, mna_organizer, org
):
    Event.objects.filter(pk=vigil.pk).update(visibility="public")
    verified_client(client, mna_organizer)
    listed = client.get(url("campaigns", org)).content.decode()

    client.post(url("event_promote", org, event=vigil.code))

    assert "Vigil at Kaiser Oakland" in listed
    assert Promotion.objects.get().organization == org
    client.logout()
    member_client(client, make_person(org, name="Marta"))
    assert "Vigil at Kaiser Oakland" in client.get(reverse("campaigns:my_events")).content.decode()


def test_a_members_event_outside_our_campaigns_cannot_be_promoted(
    client, vigil, mna_organizer, org
):
    verified_client(client, mna_organizer)

    response = client.post(url("event_promote", org, event=vigil.code))

    assert response.status_code == 404
    assert not Promotion.objects.exists()


def test_a_new_check_in_code_retires_the_old_one(organizer_client, nnu, vigil, nurse, client):
    old = reverse(
        "campaigns:check_in", kwargs={"event": vigil.code, "secret": vigil.check_in_secret}
    )

    organizer_client.post(url("event_renew", nnu, event=vigil.code))

    organizer_client.logout()
    member_client(client, nurse)
    assert client.get(old).status_code == 404


def table_rows(page: str) -> list[list[str]]:
    """Return the text of each table row's cells, tags and attributes left out."""
    return [
        [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)
        ]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", page, re.S)
    ]


def test_turnout_counts_by_site_organization_and_campaign(
    organizer_client, nnu, vigil, campaign, nurse, oakland
):
    Event.objects.filter(pk=vigil.pk).update(campaign=campaign)
    rsvps.answer(nurse, vigil)
    doors_open(vigil)
    check_in_services.check_in(make_person(nnu, name="Ana", site=oakland), vigil)

    page = organizer_client.get(url("turnout", nnu)).content.decode()
    campaign_page = organizer_client.get(
        url("campaign", nnu, campaign=campaign.code)
    ).content.decode()

    assert "2 RSVPs, 1 checked in, 0 waitlisted." in page
    assert ["Week of action", "1", "2", "1", "0"] in table_rows(page)
    assert ["Kaiser Oakland", "1", "2", "1", "0"] in table_rows(campaign_page)
    assert "Rosa" not in page and "Rosa" not in campaign_page


def test_the_turnout_chart_counts_by_day_and_site_in_spanish(
    organizer_client, organizer, nnu, vigil, nurse, oakland
):
    rsvps.answer(nurse, vigil)
    rsvps.answer(make_person(nnu, name="Ana", site=oakland), vigil)
    doors_open(vigil)
    check_in_services.check_in(nurse, vigil)
    organizer.language = "es"
    organizer.save(update_fields=["language"])

    page = organizer_client.get(url("turnout", nnu)).content.decode()

    with translation.override("es"):
        day = dateformat.format(vigil.starts_at.astimezone(vigil.zone), r"j \d\e F")
    category = f"{day} · Kaiser Oakland"
    assert f'data-category="{category}" data-series="Confirmaciones" data-value="2"' in page
    assert f'data-category="{category}" data-series="Llegaron" data-value="1"' in page
    assert "Asistencia por día y lugar" in page
    # Numbers in the picture are written for the browser, not in Spanish (no "12,5").
    view_box = re.search(r'viewBox="([^"]+)"', page).group(1)
    assert "," not in view_box and all(part.replace(".", "").isdigit() for part in view_box.split())


def test_an_organizer_starts_a_campaign_with_its_participants(organizer_client, nnu, kaiser_bay):
    response = organizer_client.post(
        url("campaigns", nnu),
        {
            "name": "Week of action",
            "starts_on": f"{YEAR}-01-26",
            "ends_on": f"{YEAR}-02-04",
            "participants": [kaiser_bay.slug],
        },
    )

    campaign = Campaign.objects.get()
    assert response["Location"] == url("campaign", nnu, campaign=campaign.code)
    assert list(campaign.participants.all()) == [kaiser_bay]


def test_an_unknown_participant_is_named_and_nothing_is_stored(organizer_client, nnu, kaiser_bay):
    response = organizer_client.post(
        url("campaigns", nnu),
        {
            "name": "Week of action",
            "starts_on": f"{YEAR}-01-26",
            "ends_on": f"{YEAR}-02-04",
            "participants": [kaiser_bay.slug, "atu-1005"],
        },
    )

    assert response.status_code == 400
    assert "atu-1005 is not one of the available choices." in response.content.decode()
    assert "Week of action" not in organizer_client.get(url("campaigns", nnu)).content.decode()


def test_a_campaign_ending_before_it_starts_is_refused(organizer_client, nnu):
    response = organizer_client.post(
        url("campaigns", nnu),
        {"name": "Week", "starts_on": f"{YEAR}-02-04", "ends_on": f"{YEAR}-01-26"},
    )

    assert response.status_code == 400
    assert "The last day comes before the first." in response.content.decode()
    assert not Campaign.objects.exists()


def test_a_member_without_the_organizer_role_gets_404(client, nnu, nurse):
    nurse.set_password("member horse 42")
    nurse.save()
    client.force_login(nurse)

    assert client.get(url("campaigns", nnu)).status_code == 404
