"""The anonymous prober: an agent who reports to learn whether they were reported.

Whoever sends a report without being a dispatcher gets "received" and nothing that depends
on incidents: the same answer whether the report opened a new incident or joined one that
dispatchers confirmed and broadcast, on every intake path (the API with and without a token,
a site's page and its thanks page, a member's page, a text message). Timing aside.
"""

import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import (
    give_reporting_number,
    make_person,
    make_site,
    member_client,
    twilio_signature,
    verified_client,
)
from tocsin.accounts.roles import Role
from tocsin.api.services.tokens import issue_token
from tocsin.response.models import Incident, Report
from tocsin.response.services.reports import reset_rate

# Two places far apart: the raid dispatchers confirmed is at Hennepin; the VA is quiet.
HENNEPIN = {"lat": 44.9727, "lng": -93.2622}
VA = {"lat": 44.9006, "lng": -93.2036}
RAID = "Agents in tactical vests at the ambulance bay"
SMS_TOKEN = "inbound-secret"
BASE_URL = "https://tocsin.mna.example.org"
REPORT_NUMBER = "+16125550100"
AGENT_NUMBERS = ("+16125550171", "+16125550172")
ADDRESSES = ("203.0.113.71", "203.0.113.72")


@pytest.fixture(autouse=True)
def _fresh_sources(db, settings):
    settings.TOCSIN_SMS_INBOUND_TOKEN = SMS_TOKEN
    settings.TOCSIN_BASE_URL = BASE_URL
    for source in (*AGENT_NUMBERS, *ADDRESSES, "127.0.0.1"):
        reset_rate(source)
    yield
    for source in (*AGENT_NUMBERS, *ADDRESSES, "127.0.0.1"):
        reset_rate(source)


@pytest.fixture
def broadcast_raid(org, site):
    """A raid at Hennepin that dispatchers confirmed and broadcast a minute ago."""
    from tocsin.response.services.reports import ReportInput, submit_report

    report = submit_report(org, ReportInput(site=site, activity=RAID), "phone")
    Incident.objects.filter(pk=report.incident_id).update(state=Incident.State.CONFIRMED)
    return Incident.objects.get(pk=report.incident_id)


def normalized(response) -> tuple:
    """What the prober sees, with the receipt (a random code) blanked."""
    body = response.content.decode()
    body = re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "…", body)
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body)
    body = re.sub(r'nonce="[^"]+"', "", body)
    headers = {
        name: value
        for name, value in response.headers.items()
        if name not in {"Date", "Set-Cookie", "Content-Length", "Content-Security-Policy"}
    }
    return response.status_code, headers, body


def api_report(client: Client, place: dict, token: str | None = None, address: str = ""):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.post(
        "/api/v1/reports",
        json.dumps({"organization": "mna", "activity": RAID, **place}),
        content_type="application/json",
        headers=headers,
        REMOTE_ADDR=address or "127.0.0.1",
    )


def test_the_apis_answer_to_an_anonymous_agent_names_no_incident_and_no_state(broadcast_raid, org):
    near = api_report(Client(), HENNEPIN, address=ADDRESSES[0])
    far = api_report(Client(), VA, address=ADDRESSES[1])

    assert near.status_code == far.status_code == 201
    # The report at Hennepin joined the broadcast incident; the one at the VA opened its own.
    assert Report.objects.filter(incident=broadcast_raid).count() == 2
    assert Incident.objects.count() == 2
    assert normalized(near) == normalized(far)
    for answer in (near, far):
        assert set(answer.json()) == {"receipt", "status"}
        assert answer.json()["status"] == "received"
        text = answer.content.decode()
        for incident in Incident.objects.all():
            assert str(incident.public_id) not in text
        assert "confirmed" not in text and "incident" not in text


def test_a_members_token_learns_no_more_than_nobody(broadcast_raid, org, member):
    _api_token, secret = issue_token(member, name="phone")

    reset_rate(str(member.public_id))
    near = api_report(Client(), HENNEPIN, token=secret, address=ADDRESSES[0])
    far = api_report(Client(), VA, token=secret, address=ADDRESSES[1])
    reset_rate(str(member.public_id))

    assert near.status_code == far.status_code == 201
    assert normalized(near) == normalized(far)
    assert set(near.json()) == {"receipt", "status"}


def test_a_dispatchers_token_is_answered_the_same_the_console_says_the_rest(
    broadcast_raid, org, client
):
    dispatcher = make_person(org, Role.DISPATCHER, email="d@mna.test", password="horse 4 dispatch")
    _api_token, secret = issue_token(dispatcher, name="phone")

    answer = api_report(Client(), HENNEPIN, token=secret, address=ADDRESSES[0])
    reset_rate(str(dispatcher.public_id))

    assert set(answer.json()) == {"receipt", "status"}
    console = verified_client(client, dispatcher).get(f"/staff/o/{org.slug}/console/")
    assert str(broadcast_raid.public_id) in console.content.decode()


def test_the_public_pages_answer_the_same_at_a_broadcast_raid_and_a_quiet_site(
    broadcast_raid, org, site
):
    quiet = make_site(org, name="Minneapolis VA Medical Center", lat="44.900600", lng="-93.203600")
    seen = []
    for place, address in ((site, ADDRESSES[0]), (quiet, ADDRESSES[1])):
        browser = Client()
        posted = browser.post(
            reverse("response:report_site", kwargs={"site": place.code}),
            {"activity": RAID, "seen": "0"},
            REMOTE_ADDR=address,
        )
        assert posted.status_code == 302
        thanks = browser.get(posted["Location"], REMOTE_ADDR=address)
        # The pages name their own site; everything else must match.
        seen.append(
            (
                posted["Location"].replace(place.code, "SITE"),
                normalized(thanks)[2].replace(place.code, "SITE"),
            )
        )
    assert Report.objects.filter(incident=broadcast_raid).count() == 2
    assert seen[0] == seen[1]


def test_a_members_page_answers_the_same_at_a_broadcast_raid_and_far_from_it(
    broadcast_raid, org, site, client
):
    reporter = make_person(org, Role.MEMBER, name="Rafael Reporter", site=site)
    browser = member_client(client, reporter)
    reset_rate(str(reporter.public_id))
    seen = []
    for place in (HENNEPIN, VA):
        posted = browser.post(
            reverse("response:report_member"),
            {"activity": RAID, "seen": "0", **{k: str(v) for k, v in place.items()}},
        )
        thanks = browser.get(posted["Location"])
        seen.append((posted.status_code, posted["Location"], normalized(thanks)[2]))
    reset_rate(str(reporter.public_id))
    assert Report.objects.filter(incident=broadcast_raid).count() == 2
    assert seen[0] == seen[1]


def signed_text(client, sender: str, body: str, sid: str):
    params = {"From": sender, "To": REPORT_NUMBER, "Body": body, "MessageSid": sid}
    signature = twilio_signature(BASE_URL + "/inbound/sms/", params, SMS_TOKEN)
    return client.post("/inbound/sms/", params, headers={"X-Twilio-Signature": signature})


def test_a_text_gets_the_same_reply_whatever_became_of_it(broadcast_raid, org):
    give_reporting_number(org, REPORT_NUMBER, SMS_TOKEN)

    first = signed_text(Client(), AGENT_NUMBERS[0], "ICE at Hennepin ambulance bay", "SM01")
    second = signed_text(Client(), AGENT_NUMBERS[1], "ICE at the VA", "SM02")

    assert normalized(first) == normalized(second)
    assert "incident" not in first.content.decode().lower()


def test_the_openapi_document_promises_only_a_receipt(client):
    document = client.get("/api/v1/openapi.json").json()
    answer = document["paths"]["/api/v1/reports"]["post"]["responses"]["201"]
    schema = answer["content"]["application/json"]["schema"]
    if "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    assert set(schema["properties"]) == {"receipt", "status"}
