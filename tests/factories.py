"""Builders that tests of several apps share: a member with contacts, a notice alert and
what the local channel servers received, and a person joining at a site's page.

Fixtures stay in conftest.py; helpers that only one app's tests use stay in that app's
conftest.py.
"""

from django.urls import reverse

from tests.conftest import make_person
from tocsin.accounts.services.people import add_contact
from tocsin.delivery.models import Alert
from tocsin.delivery.services import create_alert


def member_with(org, name, *contacts, language="en"):
    """Return a member of the organization with these confirmed (channel, address)
    contacts, in order of preference."""
    person = make_person(org, name=name, language=language)
    for preference, (channel, address) in enumerate(contacts, start=1):
        add_contact(person, channel, address, confirmed=True, preference=preference)
    return person


def notice(org, what="Union meeting moved to 6 pm", **audience):
    """Return a notice alert of the organization, not sent yet, to the whole
    organization unless an audience is given."""
    return create_alert(
        org,
        Alert.Kind.NOTICE,
        {"what": what, "where": "HCMC cafeteria"},
        audience or {"whole_organizations": True},
    )


def received(servers):
    """Return the addresses each local channel server received a message for."""
    return {
        "email": sorted(address for m in servers["email"].messages for address in m["to"]),
        "signal": sorted(m["to"] for m in servers["signal"].messages),
        "sms": sorted(m["to"] for m in servers["sms"].messages),
    }


def join_data(**changes):
    """Return the join form of a site, filled in by Lupe (Spanish, email), with changes."""
    data = {
        "display_name": "Lupe",
        "language": "es",
        "email": "lupe@example.org",
        "sms": "",
        "signal": "",
        "follow_site": "on",
        "lat": "",
        "lng": "",
        "radius_m": "500",
        "kinds": ["1", "2", "4", "8"],
        "consent": "on",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def join(client, site, capture, **changes):
    """Post the site's join form (join_data with changes), running what it schedules."""
    with capture(execute=True):
        return client.post(
            reverse("joining:join_site", kwargs={"site": site.code}), join_data(**changes)
        )
