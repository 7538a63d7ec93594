"""Campaign fixtures: National Nurses United with its Kaiser Bay Area local, the Kaiser
Oakland site, an NNU organizer, a nurse who reads in Spanish, and the Kaiser Oakland vigil
of January 26 (in tests.conftest.YEAR) with one shift.

The organization under test elsewhere (`org`, the Minnesota Nurses Association) and
`other_org` (SEIU Local 26) stand in for organizations outside the campaign.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import YEAR, make_org, make_person, verified_client
from tocsin.accounts.models import Organization, Site
from tocsin.accounts.roles import Role
from tocsin.campaigns.services import events as event_services
from tocsin.campaigns.services import rsvps

PACIFIC = ZoneInfo("America/Los_Angeles")
VIGIL_STARTS = datetime(YEAR, 1, 26, 18, 0, tzinfo=PACIFIC)


@pytest.fixture
def nnu(db):
    return make_org(
        "national-nurses-united", "National Nurses United", Organization.Kind.FEDERATION
    )


@pytest.fixture
def kaiser_bay(nnu):
    local = make_org("nnu-kaiser-bay-area", "Kaiser Bay Area nurses (NNU)", Organization.Kind.LOCAL)
    local.parent = nnu
    local.save(update_fields=["parent"])
    return local


@pytest.fixture
def oakland(kaiser_bay):
    site = Site.objects.create(
        kind=Site.Kind.HOSPITAL,
        name="Kaiser Oakland",
        address="3600 Broadway, Oakland, CA",
        lat="37.824400",
        lng="-122.256700",
    )
    site.organizations.add(kaiser_bay)
    return site


@pytest.fixture
def organizer(nnu):
    return make_person(
        nnu, Role.ORGANIZER, email="organizer@nnu.test", password="organizer horse 42", name="Olga"
    )


@pytest.fixture
def organizer_client(client, organizer):
    return verified_client(client, organizer)


@pytest.fixture
def nurse(nnu, oakland):
    return make_person(nnu, Role.MEMBER, name="Rosa Rivera", language="es", site=oakland)


def vigil_input(site, **changes) -> event_services.EventInput:
    values = {
        "kind": "vigil",
        "title": "Vigil at Kaiser Oakland",
        "site": site,
        "starts_at": VIGIL_STARTS,
        "ends_at": VIGIL_STARTS + timedelta(minutes=90),
        "time_zone": "America/Los_Angeles",
        "visibility": "members",
        "address_hidden_until_rsvp": True,
    }
    values.update(changes)
    return event_services.EventInput(**values)


@pytest.fixture
def vigil(nnu, oakland, organizer):
    return event_services.create_event(organizer, nnu, vigil_input(oakland))


@pytest.fixture
def shift(vigil, organizer):
    return rsvps.add_shift(
        organizer, vigil, "Vigil line", vigil.starts_at, vigil.ends_at, capacity=2
    )


def doors_open(event) -> None:
    """Move the event to start within the hour, as if its day had come: check-in opens
    TOCSIN_CHECK_IN_OPENS_HOURS before it starts (decision 0021)."""
    from django.utils import timezone

    from tocsin.campaigns.models import Event

    length = event.ends_at - event.starts_at
    starts = timezone.now() + timedelta(hours=1)
    Event.objects.filter(pk=event.pk).update(starts_at=starts, ends_at=starts + length)
    event.refresh_from_db()
