"""Nothing shared reaches the other side once either side has ended the agreement, before
it starts or after its planned end: not the verified alert to the partner's followers, not
the incident to the partner's dispatcher (404), not the page about a new incident.

The nurses (MNA, at Hennepin County Medical Center) share alerts and dispatch with SEIU
Local 26, whose member follows the blocks around the hospital and whose dispatcher reads
email. Each case sets the agreement up through the admins' pages, files a report, pages the
dispatchers and broadcasts the verified alert; the control case proves the same steps reach
SEIU while the agreement is in force."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.response.conftest import file_report
from tocsin.accounts.models import Organization
from tocsin.demo import world
from tocsin.response.models import Incident
from tocsin.response.services import broadcast
from tocsin.response.services.broadcast import AlertFacts

from .world import answer, end, local, offer, signed_in, staff, waiting_offer

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_report_rate(fresh_report_rate):
    """A full report allowance for the test client's address."""


@pytest.fixture
def nurses():
    """The nurses' local: an admin and a dispatcher, at Hennepin County Medical Center."""
    from tocsin.accounts.roles import Role

    organization = Organization.objects.create(
        slug=world.MNA, name="Minnesota Nurses Association", kind=Organization.Kind.UNION
    )
    seiu = local(world.SEIU_26, "SEIU Local 26", world.HCMC, 1)
    seiu.site.organizations.add(organization)
    return {
        "organization": organization,
        "site": seiu.site,
        "admin": staff(organization, Role.ADMIN, "Nadia", "Nurse-Admin"),
        "dispatcher": staff(organization, Role.DISPATCHER, "Dana", "Dispatcher"),
        "seiu": seiu,
    }


def local_input(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def agree(nurses, **terms):
    """The nurses offer alerts and dispatch to SEIU Local 26, and SEIU accepts."""
    seiu = nurses["seiu"]
    sent = offer(
        signed_in(nurses["admin"]),
        nurses["organization"],
        seiu.organization,
        "alerts",
        "dispatch",
        **terms,
    )
    assert sent.status_code == 302
    agreement = waiting_offer(seiu.organization, nurses["organization"])
    assert answer(signed_in(seiu.admin), seiu.organization, agreement, "accept").status_code == 302
    return agreement


def what_reaches_seiu(nurses, smtp_server, sent):
    """File a report at HCMC, page the dispatchers, open the incident as SEIU's dispatcher,
    broadcast the verified alert; return what reached SEIU."""
    seiu = nurses["seiu"]
    smtp_server.messages.clear()
    with sent():
        file_report(nurses["organization"], site=nurses["site"])
    incident = Incident.objects.get()
    paged = {m["to"][0] for m in smtp_server.messages}
    page = signed_in(seiu.dispatcher).get(
        reverse(
            "response:incident",
            kwargs={"org": seiu.organization.slug, "incident": incident.public_id},
        )
    )
    smtp_server.messages.clear()
    with sent():
        broadcast.confirm_incident(
            nurses["dispatcher"], incident, AlertFacts(seen=["agents_on_foot"]), 1000
        )
    alerted = {m["to"][0] for m in smtp_server.messages}
    return {
        "paged": seiu.dispatcher.contacts.get().address in paged,
        "incident": page.status_code,
        "alerted": f"member1@{world.SEIU_26}.test" in alerted,
    }


def test_while_in_force_the_partner_gets_all_three(nurses, smtp_server, sent):
    agree(nurses)
    assert what_reaches_seiu(nurses, smtp_server, sent) == {
        "paged": True,
        "incident": 200,
        "alerted": True,
    }


NOTHING = {"paged": False, "incident": 404, "alerted": False}


def test_nothing_reaches_the_partner_once_the_giver_ends_it(nurses, smtp_server, sent):
    agreement = agree(nurses)
    end(signed_in(nurses["admin"]), nurses["organization"], agreement)
    assert what_reaches_seiu(nurses, smtp_server, sent) == NOTHING


def test_nothing_reaches_the_partner_once_the_partner_ends_it(nurses, smtp_server, sent):
    agreement = agree(nurses)
    seiu = nurses["seiu"]
    end(signed_in(seiu.admin), seiu.organization, agreement)
    assert what_reaches_seiu(nurses, smtp_server, sent) == NOTHING


def test_nothing_reaches_the_partner_before_the_start(nurses, smtp_server, sent):
    agree(nurses, starts_at=local_input(timezone.now() + timedelta(days=2)))
    assert what_reaches_seiu(nurses, smtp_server, sent) == NOTHING


def test_nothing_reaches_the_partner_after_the_planned_end(nurses, smtp_server, sent, monkeypatch):
    agree(nurses, ends_at=local_input(timezone.now() + timedelta(hours=2)))
    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now() + timedelta(hours=3))
    assert what_reaches_seiu(nurses, smtp_server, sent) == NOTHING


def test_an_offer_not_yet_accepted_shares_nothing(nurses, smtp_server, sent):
    offer(
        signed_in(nurses["admin"]),
        nurses["organization"],
        nurses["seiu"].organization,
        "alerts",
        "dispatch",
    )
    assert what_reaches_seiu(nurses, smtp_server, sent) == NOTHING
