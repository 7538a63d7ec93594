"""The campaigns API: events and shifts, RSVPs and check-ins as the token's person, who
RSVPed for the host's organizers only, turnout in counts, and 404 for everyone else."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.campaigns.conftest import doors_open
from tests.conftest import YEAR, make_person
from tests.factories import fields_named
from tocsin.accounts.roles import Role
from tocsin.campaigns.models import Campaign, Event, Rsvp
from tocsin.campaigns.services import campaigns as campaign_services
from tocsin.campaigns.services import events as event_services


@pytest.fixture
def organizer(org):
    return make_person(org, Role.ORGANIZER, email="olga@mna.test", password="organizer horse 42")


@pytest.fixture
def vigil(org, site, organizer):
    starts_at = timezone.now() + timedelta(days=3)
    return event_services.create_event(
        organizer,
        org,
        event_services.EventInput(
            kind="vigil",
            title="Vigil at HCMC",
            site=site,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=2),
            visibility="members",
            address_hidden_until_rsvp=True,
        ),
    )


def test_a_member_rsvps_and_the_place_appears(api_as, member, vigil):
    api = api_as(member)

    before = api.get(f"/events/{vigil.code}").json()
    answered = api.post(f"/events/{vigil.code}/rsvp", {})
    after = api.get(f"/events/{vigil.code}").json()

    assert before["place"] == "" and before["lat"] is None
    assert answered.status_code == 200 and answered.json()["status"] == "going"
    assert after["place"] == "Hennepin County Medical Center, 701 Park Ave, Minneapolis"


def test_a_full_shift_waitlists_and_cancelling_frees_the_place(api_as, org, site, vigil, organizer):
    shift = api_as(organizer).post(
        f"/events/{vigil.code}/shifts",
        {
            "starts_at": vigil.starts_at.isoformat(),
            "ends_at": vigil.ends_at.isoformat(),
            "capacity": 1,
        },
    )
    code = shift.json()["code"]
    first, second = (make_person(org, name=name, site=site) for name in ("Ana", "Bea"))

    api_as(first).post(f"/events/{vigil.code}/rsvp", {"shift": code})
    waiting = api_as(second).post(f"/events/{vigil.code}/rsvp", {"shift": code})
    api_as(first).delete(f"/events/{vigil.code}/rsvp")

    assert shift.status_code == 201
    assert waiting.json()["status"] == "waitlisted"
    assert Rsvp.objects.get(person=second).status == "going"


def test_a_shift_code_of_nothing_names_the_field(api_as, member, vigil):
    response = api_as(member).post(f"/events/{vigil.code}/rsvp", {"shift": "nosuchshift"})

    assert response.status_code == 422 and fields_named(response) == {"shift"}
    assert not Rsvp.objects.exists()


def test_checking_in_needs_the_qr_secret(api_as, member, vigil):
    api = api_as(member)
    doors_open(vigil)

    wrong = api.post(f"/events/{vigil.code}/check-ins", {"secret": "guess"})
    right = api.post(f"/events/{vigil.code}/check-ins", {"secret": vigil.check_in_secret})

    assert wrong.status_code == 422 and fields_named(wrong) == {"secret"}
    assert right.status_code == 200 and right.json()["walk_in"] is True
    assert right.json()["checked_in_at"] is not None


def test_who_rsvped_is_for_the_hosts_organizers_only(api_as, member, vigil, organizer):
    api_as(member).post(f"/events/{vigil.code}/rsvp", {})

    theirs = api_as(member).get(f"/events/{vigil.code}/rsvps")
    hosts = api_as(organizer).get(f"/events/{vigil.code}/rsvps")

    assert theirs.status_code == 404
    assert [row["name"] for row in hosts.json()] == ["Marisol Member"]


def test_everything_of_an_event_is_404_to_an_outsider(api_as, outsider, vigil):
    api = api_as(outsider)

    for response in (
        api.get(f"/events/{vigil.code}"),
        api.post(f"/events/{vigil.code}/rsvp", {}),
        api.post(f"/events/{vigil.code}/check-ins", {"secret": vigil.check_in_secret}),
        api.get(f"/events/{vigil.code}/turnout"),
    ):
        assert response.status_code == 404
    assert not Rsvp.objects.exists()


def test_an_outsider_cannot_create_or_list_anything_of_the_organization(
    api_as, outsider, org, site
):
    api = api_as(outsider)
    event = {
        "organization": org.slug,
        "kind": "rally",
        "title": "Rally for our patients",
        "site": site.code,
        "starts_at": f"{YEAR}-01-26T18:00:00",
        "ends_at": f"{YEAR}-01-26T19:00:00",
    }
    campaign = {
        "organization": org.slug,
        "name": "Week of action",
        "starts_on": f"{YEAR}-01-26",
        "ends_on": f"{YEAR}-02-04",
    }

    for response in (
        api.post("/events", event),
        api.post("/campaigns", campaign),
        api.get("/campaigns", organization=org.slug),
    ):
        assert response.status_code == 404, response.content
    assert not Event.objects.exists() and not Campaign.objects.exists()


def test_an_organizer_creates_an_event_and_bad_fields_are_named(api_as, organizer, org, site):
    api = api_as(organizer)
    body = {
        "organization": org.slug,
        "kind": "rally",
        "title": "Rally for our patients",
        "site": site.code,
        "starts_at": f"{YEAR}-01-26T18:00:00",
        "ends_at": f"{YEAR}-01-26T17:00:00",
        "time_zone": "America/Chicago",
    }

    refused = api.post("/events", body)
    created = api.post("/events", {**body, "ends_at": f"{YEAR}-01-26T19:00:00"})

    assert refused.status_code == 422 and fields_named(refused) == {"ends_at"}
    assert created.status_code == 201 and created.json()["state"] == "approved"
    assert created.json()["starts_at"] == f"{YEAR}-01-26T18:00:00-06:00"
    assert Event.objects.count() == 1


def test_an_unknown_participant_is_named_and_nothing_is_stored(api_as, organizer, org, other_org):
    api = api_as(organizer)
    campaign = {
        "organization": org.slug,
        "name": "Week of action",
        "starts_on": f"{YEAR}-01-26",
        "ends_on": f"{YEAR}-02-04",
        "participants": [other_org.slug, "atu-1005", "seiu-62"],
    }

    refused = api.post("/campaigns", campaign)
    created = api.post("/campaigns", {**campaign, "participants": [other_org.slug]})

    assert refused.status_code == 422
    assert refused.json()["detail"] == [
        {
            "loc": ["body", "payload", "participants"],
            "msg": "No organization has the short names atu-1005, seiu-62.",
            "type": "value_error",
        }
    ]
    assert created.status_code == 201 and created.json()["participants"] == [other_org.slug]
    listed = api.get("/campaigns", organization=org.slug).json()
    assert [c["participants"] for c in listed] == [[other_org.slug]]


def test_an_unknown_participant_is_named_in_spanish(api_as, organizer, org):
    api = api_as(organizer)
    api.headers["Accept-Language"] = "es"
    campaign = {
        "organization": org.slug,
        "name": "Semana de acción",
        "starts_on": f"{YEAR}-01-26",
        "ends_on": f"{YEAR}-02-04",
        "participants": ["atu-1005"],
    }

    refused = api.post("/campaigns", campaign)

    assert refused.status_code == 422
    assert refused.json()["detail"][0]["msg"] == (
        "Ninguna organización tiene el nombre corto atu-1005."
    )
    assert api.get("/campaigns", organization=org.slug).json() == []


def test_a_member_proposes_an_event(api_as, member, org):
    response = api_as(member).post(
        "/events",
        {
            "organization": org.slug,
            "kind": "meeting",
            "title": "Know your rights training",
            "address": "Union hall",
            "starts_at": f"{YEAR}-01-22T18:00:00-06:00",
            "ends_at": f"{YEAR}-01-22T19:00:00-06:00",
        },
    )

    assert response.status_code == 201 and response.json()["state"] == "proposed"


def test_campaign_turnout_is_counts_for_organizers(api_as, org, organizer, member, vigil):
    from datetime import date

    campaign = campaign_services.create_campaign(
        organizer, org, "Week of action", "", date.today(), date.today() + timedelta(days=10)
    )
    Event.objects.filter(pk=vigil.pk).update(campaign=campaign)
    api_as(member).post(f"/events/{vigil.code}/rsvp", {})

    counts = api_as(organizer).get(f"/campaigns/{campaign.code}/turnout")
    refused = api_as(member).get(f"/campaigns/{campaign.code}/turnout")
    events = api_as(member).get(f"/campaigns/{campaign.code}/events")

    assert counts.json()["totals"] == {
        "name": "Week of action",
        "events": 0,
        "going": 1,
        "checked_in": 0,
        "waitlisted": 0,
    }
    assert counts.json()["by_site"][0]["name"] == "Hennepin County Medical Center"
    assert refused.status_code == 404
    assert [e["code"] for e in events.json()] == [vigil.code]
