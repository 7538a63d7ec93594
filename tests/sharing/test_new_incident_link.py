"""The page about a new incident goes to the owner's dispatchers and to those of every
partner it shares dispatch with; its link opens each reader's own console (200), where the
owner's would answer them 404."""

import re
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from tests.response.conftest import file_report
from tocsin.accounts.models import Organization
from tocsin.accounts.roles import Role
from tocsin.demo import world

from .world import answer, local, offer, signed_in, staff, waiting_offer

pytestmark = pytest.mark.django_db
CONSOLE_LINK = re.compile(r"https?://\S+/staff/\S+/")


@pytest.fixture(autouse=True)
def _fresh_report_rate(fresh_report_rate):
    """A full report allowance for the test client's address."""


@pytest.fixture
def paged(smtp_server, sent):
    """The nurses share dispatch with SEIU Local 26 and UNITE HERE Local 17 (CWA Local 7250
    shares nothing); a report at the hospital pages the dispatchers. Return the link each
    dispatcher's page carries, with the people."""
    nurses = Organization.objects.create(
        slug=world.MNA, name="Minnesota Nurses Association", kind=Organization.Kind.UNION
    )
    admin = staff(nurses, Role.ADMIN, "Nadia", "Nurse-Admin")
    dispatcher = staff(nurses, Role.DISPATCHER, "Dana", "Dispatcher")
    partners = [
        local(world.SEIU_26, "SEIU Local 26", world.HCMC, 1),
        local(world.UNITE_HERE_17, "UNITE HERE Local 17", world.HCMC, 2),
    ]
    stranger = local(world.CWA_7250, "CWA Local 7250", world.HCMC, 3)
    partners[0].site.organizations.add(nurses)
    for partner in partners:
        offer(signed_in(admin), nurses, partner.organization, "dispatch")
        offer_made = waiting_offer(partner.organization, nurses)
        answer(signed_in(partner.admin), partner.organization, offer_made, "accept")
    with sent():
        file_report(nurses, site=partners[0].site)
    links = {}
    for message in smtp_server.messages:
        found = CONSOLE_LINK.search(message["body"])
        assert found, message["body"]
        links[message["to"][0]] = urlsplit(found.group(0)).path
    return {
        "nurses": nurses,
        "dispatcher": dispatcher,
        "partners": partners,
        "stranger": stranger,
        "links": links,
    }


def address(person):
    return person.contacts.get().address


def test_every_dispatcher_paged_lands_on_their_own_console(paged):
    partners = paged["partners"]
    readers = [(paged["dispatcher"], paged["nurses"])] + [
        (partner.dispatcher, partner.organization) for partner in partners
    ]
    assert set(paged["links"]) == {address(person) for person, _org in readers}
    for person, organization in readers:
        client = signed_in(person)
        response = client.get(paged["links"][address(person)], follow=True)
        assert response.status_code == 200
        assert response.redirect_chain[-1][0] == reverse(
            "response:console", kwargs={"org": organization.slug}
        )
        assert "Hennepin County Medical Center" in response.content.decode()


def test_the_owners_console_would_have_answered_the_partners_404(paged):
    seiu = paged["partners"][0]
    owners = reverse("response:console", kwargs={"org": paged["nurses"].slug})
    assert signed_in(seiu.dispatcher).get(owners).status_code == 404


def test_the_link_opens_nothing_for_a_dispatcher_the_incident_is_not_shared_with(paged):
    link = paged["links"][address(paged["dispatcher"])]
    stranger = paged["stranger"]
    assert signed_in(stranger.dispatcher).get(link).status_code == 404
    assert signed_in(stranger.admin).get(link).status_code == 404


def test_the_link_asks_a_visitor_to_sign_in(paged, client):
    response = client.get(paged["links"][address(paged["dispatcher"])])
    assert response.status_code == 302 and "/staff/login" in response["Location"]
