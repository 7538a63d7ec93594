"""A shared alert reaches a person once (one channel, once) even when they belong to both
organizations and follow the place in each, and carries nothing about the reporter or the owner's members: not in the
text of any channel, not on the alert page the partner's member opens from their link."""

import re
from urllib.parse import urlsplit

import pytest
from django.test import Client

from tests.conftest import make_person
from tests.response.conftest import file_report
from tocsin.accounts.models import Organization
from tocsin.accounts.roles import Role
from tocsin.accounts.services.people import add_contact
from tocsin.accounts.services.subscriptions import follow_area, follow_site
from tocsin.delivery.models import Delivery
from tocsin.demo import world
from tocsin.response.models import Incident
from tocsin.response.services import broadcast
from tocsin.response.services.broadcast import AlertFacts

from .world import answer, local, offer, signed_in, staff, waiting_offer

pytestmark = pytest.mark.django_db
LINK = re.compile(r"https?://[^\s\"'<>]+/a/[^\s\"'<>/]+/")


@pytest.fixture(autouse=True)
def _fresh_report_rate(fresh_report_rate):
    """A full report allowance for the test client's address."""


@pytest.fixture
def shared():
    """The nurses (MNA) share alerts with SEIU Local 26 at Hennepin County Medical Center,
    offered and accepted through the admins' pages."""
    nurses = Organization.objects.create(
        slug=world.MNA, name="Minnesota Nurses Association", kind=Organization.Kind.UNION
    )
    seiu = local(world.SEIU_26, "SEIU Local 26", world.HCMC, 1)
    seiu.site.organizations.add(nurses)
    admin = staff(nurses, Role.ADMIN, "Nadia", "Nurse-Admin")
    offer(signed_in(admin), nurses, seiu.organization, "alerts")
    answer(
        signed_in(seiu.admin), seiu.organization, waiting_offer(seiu.organization, nurses), "accept"
    )
    return {
        "nurses": nurses,
        "seiu": seiu,
        "dispatcher": staff(nurses, Role.DISPATCHER, "Dana", "Dispatcher"),
    }


def broadcast_at_hcmc(shared, sent, reporter=None):
    with sent():
        file_report(
            shared["nurses"],
            site=shared["seiu"].site,
            reporter=reporter,
            activity="Ramona Reyes saw agents take Joaquín Ortiz from the ambulance bay",
            callback="+16125550177",
        )
        return broadcast.confirm_incident(
            shared["dispatcher"],
            Incident.objects.get(),
            AlertFacts(seen=["agents_on_foot", "arrest"], notes={"en": "Stay away from the bay"}),
            1000,
        )


def test_a_member_of_both_organizations_gets_it_once(shared, servers, sent):
    both = make_person(shared["nurses"], Role.MEMBER, name="Carmen Both")
    shared["seiu"].organization.memberships.create(person=both, roles=int(Role.MEMBER))
    add_contact(both, "email", "carmen@example.org", True)
    add_contact(both, "signal", "+16125550133", True)
    add_contact(both, "sms", "+16125550134", True)
    site = shared["seiu"].site
    follow_site(both, shared["nurses"], site)
    follow_area(both, shared["seiu"].organization, float(site.lat), float(site.lng), 500)

    broadcast_at_hcmc(shared, sent)

    email = [m for m in servers["email"].messages if m["to"][0] == "carmen@example.org"]
    signal = [m for m in servers["signal"].messages if m["to"] == "+16125550133"]
    sms = [m for m in servers["sms"].messages if m["to"] == "+16125550134"]
    # One delivery per person, on their first confirmed contact by preference (never one per
    # organization that reaches them): once in all, so at most once on any channel.
    assert len(email) + len(signal) + len(sms) == 1
    assert Delivery.objects.filter(person=both).count() == 1


def test_the_shared_alert_says_nothing_of_the_reporter_or_the_owners_members(shared, servers, sent):
    seiu = shared["seiu"]
    site = seiu.site
    reporter = make_person(shared["nurses"], Role.MEMBER, name="Ramona Reyes")
    add_contact(reporter, "email", "ramona@example.org", True)
    nurse = make_person(shared["nurses"], Role.MEMBER, name="Joaquín Ortiz")
    add_contact(nurse, "email", "joaquin@example.org", True)
    follow_site(nurse, shared["nurses"], site)
    on_signal = make_person(seiu.organization, Role.MEMBER, name="Tomás Seiu", language="es")
    add_contact(on_signal, "signal", "+16125550122", True)
    on_sms = make_person(seiu.organization, Role.MEMBER, name="Pat Seiu")
    add_contact(on_sms, "sms", "+16125550125", True)
    for person in (on_signal, on_sms):
        follow_area(person, seiu.organization, float(site.lat), float(site.lng), 1000)

    broadcast_at_hcmc(shared, sent, reporter=reporter)

    partner_texts = [
        m["subject"] + "\n" + m["body"]
        for m in servers["email"].messages
        if m["to"][0] == seiu.member.contacts.get().address
    ]
    partner_texts += [m["text"] for m in servers["signal"].messages + servers["sms"].messages]
    assert len(partner_texts) == 3
    links = [LINK.search(text) for text in partner_texts]
    assert links[0], partner_texts[0]
    page = Client().get(urlsplit(links[0].group(0)).path)
    assert page.status_code == 200
    seen = [*partner_texts, page.content.decode()]
    for text in seen:
        for secret in (
            "Ramona",
            "Reyes",
            "ramona@",
            "Joaquín",
            "joaquin@",
            "Ortiz",
            "0177",
            "ambulance bay",
            "Dana",
            "Nadia",
        ):
            assert secret not in text, (secret, text[:300])
    assert "Stay away from the bay" in partner_texts[0]
