"""Rapid-response fixtures: the people of the Hennepin morning, and a way to file reports.

The organization under test is the Minnesota Nurses Association (`org`), with Hennepin
County Medical Center (`site`); SEIU Local 26 is `other_org`.
"""

import pytest

from tests.conftest import make_person, verified_client
from tocsin.accounts.roles import Role
from tocsin.accounts.services.people import add_contact
from tocsin.delivery.ratelimit import limiter
from tocsin.response.inbound_tasks import read_guard_key
from tocsin.response.services.reports import ReportInput, reset_rate, submit_report

LOCAL = "127.0.0.1"
# Two members who write reports on Signal (tests/response/test_*signal*.py).
MARISOL = "+16125550111"
JOSE = "+16125550122"


@pytest.fixture(autouse=True)
def _fresh_report_rate(fresh_report_rate):
    """Every test here starts with a full report allowance for the test client's address."""


@pytest.fixture
def fresh_sender_rates(db):
    """Start and end with a full report allowance for the Signal senders, and no guard on
    reading Signal."""
    for number in (MARISOL, JOSE):
        reset_rate(number)
    limiter().reset(read_guard_key())
    yield
    for number in (MARISOL, JOSE):
        reset_rate(number)
    limiter().reset(read_guard_key())


@pytest.fixture
def dispatcher(org):
    return make_person(
        org,
        Role.DISPATCHER,
        email="dispatch@mna.test",
        password="dispatch horse 42",
        name="Dana Dispatcher",
    )


@pytest.fixture
def dispatcher_client(client, dispatcher):
    return verified_client(client, dispatcher)


@pytest.fixture
def verifier(org, site):
    person = make_person(org, Role.VERIFIER, name="Vera Verifier", site=site)
    add_contact(person, "email", "vera@mna.test", True)
    return person


def file_report(org, source="web", reporter=None, **fields):
    """File a report for `org` as the given source, with sensible defaults for a raid."""
    fields.setdefault("activity", "Agents in tactical vests at the ambulance bay")
    return submit_report(org, ReportInput(**fields), source, reporter=reporter)
