"""Unmasking a reporter after erasure, with the seized database, the queue's store and the keys.

Reports come in through the real intake: a member's own page, the public page from an IPv4
and an IPv6 address, the API, and a text message. Then everything that is meant to forget
who sent them runs: the member is erased, one incident is dismissed as malicious, and the
rest pass their retention period (`tocsin erase-expired`). Once the rate limit has run
out, the attacker takes every table (decrypting what is encrypted) and the rate limiter's
store, and hashes every member's public id, every number 612-555-0100 to 0199 and every
address used, every way the code hashes a source. Nothing may match.
"""

import io
import ipaddress
import time
from datetime import timedelta

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import give_reporting_number, make_person, member_client, twilio_signature
from tocsin.accounts.models import Person
from tocsin.accounts.roles import Role
from tocsin.accounts.services.people import erase_person
from tocsin.core.crypto import blind_index
from tocsin.delivery.ratelimit import (
    PostgresRateLimiter,
    RedisRateLimiter,
    SqliteRateLimiter,
    limiter,
)
from tocsin.response.inbound import inbound_key
from tocsin.response.models import Incident, Report
from tocsin.response.services.incidents import dismiss_incident
from tocsin.response.services.reports import reset_rate

SMS_TOKEN = "inbound-secret"
BASE_URL = "https://tocsin.mna.example.org"
REPORT_NUMBER = "+16125550100"
TEXTER = "+16125550142"
SID = "SM5f1c0ffee"
ADDRESSES = ("198.51.100.23", "2001:db8:5:6::17", "203.0.113.9")
NUMBERS = [f"+1612555{n:04d}" for n in range(100, 200)]
# Far apart, so that each report opens its own incident.
PLACES = [(44.9727, -93.2622), (44.9006, -93.2036), (44.9496, -93.2450), (44.9862, -93.2762)]
WHAT = "Agents in tactical vests at the ambulance bay"


@pytest.fixture(autouse=True)
def _settings(settings, db):
    settings.TOCSIN_SMS_INBOUND_TOKEN = SMS_TOKEN
    settings.TOCSIN_BASE_URL = BASE_URL
    # A limit that runs out within a second, so the test can see what outlives it.
    settings.TOCSIN_REPORT_BURST = 2
    settings.TOCSIN_REPORTS_PER_HOUR = 3600 * 20
    for source in (*ADDRESSES, TEXTER):
        reset_rate(source)
    yield
    for source in (*ADDRESSES, TEXTER):
        reset_rate(source)


def networks(address: str) -> list[str]:
    """The address and, for IPv6, the networks a limiter might count it under."""
    found = [address]
    parsed = ipaddress.ip_address(address)
    if parsed.version == 6:
        for prefix in (48, 56, 64):
            found.append(str(ipaddress.ip_network(f"{address}/{prefix}", strict=False)))
    return found


def fingerprints(member_ids: list[str]) -> dict[str, str]:
    """Every value, by what it names, that would tie a report to its sender: the sources
    in the clear, and their keyed hashes under each purpose the code hashes sources with."""
    sources = [*member_ids, *NUMBERS, *[n for a in ADDRESSES for n in networks(a)]]
    found: dict[str, str] = {}
    for source in sources:
        for purpose in ("report-source", "inbound-report"):
            found[blind_index(source, purpose)] = source
    for channel in ("sms", "signal"):
        found[inbound_key(channel, TEXTER, SID)] = f"{channel} message of {TEXTER}"
    # In the clear, too; but the organization's own reporting number is public.
    for source in (*NUMBERS, *ADDRESSES, TEXTER.removeprefix("+")):
        if source != REPORT_NUMBER:
            found[source] = source
    return found


def everything_in_the_database() -> str:
    """Every row of every table, raw and (through the models) decrypted, as one text."""
    parts = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            # The table names come from the database itself.
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            parts.extend(repr(row) for row in cursor.fetchall())
    for model in apps.get_models():
        for row in model._base_manager.all():
            parts.append(repr([getattr(row, f.attname) for f in model._meta.concrete_fields]))
    return "\n".join(parts)


def everything_in_the_limiters_store() -> str:
    """Every key and value the rate limiter keeps for this installation (test workers
    sharing one Redis keep apart by queue name), with the SQLite file's raw bytes."""
    store = limiter()
    if isinstance(store, RedisRateLimiter):
        mine = f"*{settings.TOCSIN_QUEUE_NAME}*"
        return "\n".join(repr(key) for key in store.client.scan_iter(mine))
    if isinstance(store, PostgresRateLimiter):
        return repr(store._connection().execute("SELECT * FROM tocsin_rate_limit").fetchall())
    assert isinstance(store, SqliteRateLimiter)
    store.close()
    raw = b""
    for suffix in ("", "-wal"):
        try:
            with open(store.path + suffix, "rb") as file:
                raw += file.read()
        except FileNotFoundError:
            pass
    return raw.decode("latin-1")


def matches(haystack: str, prints: dict[str, str]) -> list[str]:
    return sorted({source for value, source in prints.items() if value in haystack})


def text_message(body: str):
    params = {"From": TEXTER, "To": REPORT_NUMBER, "Body": body, "MessageSid": SID}
    signature = twilio_signature(BASE_URL + "/inbound/sms/", params, SMS_TOKEN)
    return Client().post("/inbound/sms/", params, headers={"X-Twilio-Signature": signature})


def report_everywhere(org, site, reporter, client):
    """Report through each intake path; return the reports, in order."""
    give_reporting_number(org, REPORT_NUMBER, SMS_TOKEN)
    browser = member_client(client, reporter)
    lat, lng = PLACES[0]
    answer = browser.post(
        reverse("response:report_member"),
        {"activity": WHAT, "seen": "0", "lat": lat, "lng": lng, "callback": "+16125550131"},
    )
    assert answer.status_code == 302
    for address, (lat, lng) in zip(ADDRESSES[:2], PLACES[1:3], strict=True):
        answer = Client().post(
            reverse("response:report_org", kwargs={"org": org.slug}),
            {"activity": WHAT, "seen": "0", "lat": lat, "lng": lng, "callback": "+16125550177"},
            REMOTE_ADDR=address,
        )
        assert answer.status_code == 302
    answer = Client().post(
        "/api/v1/reports",
        {"organization": org.slug, "activity": WHAT, "lat": PLACES[3][0], "lng": PLACES[3][1]},
        content_type="application/json",
        REMOTE_ADDR=ADDRESSES[2],
    )
    assert answer.status_code == 201
    assert text_message("ICE at the garage, two vans").status_code == 200
    return list(Report.objects.order_by("pk"))


def test_after_erasure_no_hash_of_any_member_number_or_address_names_a_reporter(
    org, site, admin, client
):
    members = [make_person(org, Role.MEMBER, name=f"Member {n}", site=site) for n in range(5)]
    reporter = members[0]
    member_ids = [str(p.public_id) for p in Person.objects.all()]
    dispatcher = make_person(org, Role.DISPATCHER, email="d@mna.test", password="horse 4 dispatch")
    reports = report_everywhere(org, site, reporter, client)
    assert [r.source for r in reports] == ["member", "web", "web", "api", "sms"]
    assert len({r.incident_id for r in reports}) == 5

    # The member is erased; the IPv4 report is dismissed as malicious; the rest end and
    # pass the organization's retention period.
    erase_person(reporter, admin, organization=org)
    dismiss_incident(dispatcher, reports[1].incident, Incident.DismissReason.MALICIOUS)
    for report in reports[2:]:
        dismiss_incident(dispatcher, report.incident, Incident.DismissReason.UNVERIFIABLE)
    Incident.objects.filter(pk__in=[r.incident_id for r in reports[2:]]).update(
        closed_at=timezone.now() - timedelta(days=31)
    )
    # The limit runs out (within a second here; 15 minutes by default); the hourly sweep.
    time.sleep(1.2)
    call_command("erase-expired", stdout=io.StringIO())

    prints = fingerprints(member_ids)
    assert not matches(everything_in_the_database(), prints)
    assert not matches(everything_in_the_limiters_store(), prints)
    # What the reports said stays for the record.
    assert [r.activity for r in Report.objects.order_by("pk")][:4] == [WHAT] * 4
