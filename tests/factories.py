"""Builders that tests of several apps share: a member with contacts, a notice alert and
what the local channel servers received, a person joining at a site's page, a JSON client
of the API with a person's token, and a members file to import.

Fixtures stay in conftest.py; helpers that only one app's tests use stay in that app's
conftest.py.
"""

import csv
import io
import json

from django.test import Client
from django.urls import reverse

from tests.conftest import make_person
from tocsin.accounts.models import SharingAgreement
from tocsin.accounts.services.people import add_contact
from tocsin.api.services.tokens import issue_token
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


def token_for(person) -> str:
    """Return a new API token's secret for the person."""
    _api_token, secret = issue_token(person, name="test")
    return secret


class Api:
    """A test client speaking JSON to /api/v1/, as one person (or nobody)."""

    def __init__(self, token: str | None = None):
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def request(self, method: str, path: str, body=None, **query):
        url = "/api/v1" + path
        send = getattr(self.client, method.lower())
        if method.upper() == "GET":
            return send(url, query, headers=self.headers)
        data = json.dumps(body) if body is not None else ""
        return send(url, data, content_type="application/json", headers=self.headers)

    def get(self, path, **query):
        return self.request("GET", path, **query)

    def post(self, path, body=None):
        return self.request("POST", path, body)

    def patch(self, path, body=None):
        return self.request("PATCH", path, body)

    def delete(self, path):
        return self.request("DELETE", path)


def fields_named(response) -> set[str]:
    """Return the field names a 4xx JSON answer complains about."""
    return {str(error["loc"][-1]) for error in response.json()["detail"]}


HEADER = ["name", "email", "phone", "signal", "language", "site", "unit", "roles"]


def csv_bytes(rows, header=HEADER, encoding="utf-8", delimiter=","):
    """Return a CSV file: the header, then each row (a dict by column, or a list of cells)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(
            [row.get(column, "") for column in header] if isinstance(row, dict) else row
        )
    return out.getvalue().encode(encoding)


def nurses(count, start=0, site="Hennepin County Medical Center", **extra):
    """Return `count` fictional members, each with an email and a phone."""
    return [
        {
            "name": f"Nurse Rowan {number:05d}",
            "email": f"rowan{number}@nurses.test",
            "phone": f"+1612555{number:04d}",
            "site": site,
            **extra,
        }
        for number in range(start, start + count)
    ]


def share(giver, receiver, *what, **area):
    """Make an agreement in force by which `giver` shares `what` (Shares names) with `receiver`."""
    fields = {name: name in what for name in ("alerts", "dispatch", "events", "hotline", "clauses")}
    return SharingAgreement.objects.create(organization=giver, partner=receiver, **fields, **area)
