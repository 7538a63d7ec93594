"""Every organization screen refuses an admin of another organization with 404."""

import pytest
from django.urls import reverse

from tocsin.accounts.models import Membership, Unit
from tocsin.accounts.roles import Role

SCREENS = [
    ("staff:members", ()),
    ("staff:member", ("person",)),
    ("staff:member_contacts", ("person",)),
    ("staff:member_active", ("person",)),
    ("staff:member_erase", ("person",)),
    ("staff:member_second_factor_reset", ("person",)),
    ("staff:sites", ()),
    ("staff:site_new", ()),
    ("staff:site_link", ()),
    ("staff:site", ("site",)),
    ("staff:site_unlink", ("site",)),
    ("staff:units", ()),
    ("staff:unit_new", ()),
    ("staff:unit", ("unit",)),
    ("staff:unit_delete", ("unit",)),
    ("staff:organization", ()),
]


@pytest.fixture
def targets(org, site, member):
    unit = Unit.objects.create(organization=org, name="RNs")
    return {"org": org.slug, "person": member.public_id, "site": site.code, "unit": unit.code}


@pytest.mark.parametrize(("name", "arguments"), SCREENS, ids=[name for name, _ in SCREENS])
def test_it_answers_404_to_an_admin_of_another_organization(
    outsider_client, targets, name, arguments
):
    url = reverse(name, kwargs={"org": targets["org"], **{a: targets[a] for a in arguments}})

    assert outsider_client.get(url).status_code == 404
    assert (
        outsider_client.post(url, {"active": "0", "confirmation": "Marisol Member"}).status_code
        == 404
    )


@pytest.mark.parametrize(("name", "arguments"), SCREENS, ids=[name for name, _ in SCREENS])
def test_it_answers_404_to_a_dispatcher_of_this_organization(client, org, targets, name, arguments):
    from tests.conftest import make_person, verified_client

    dispatcher = make_person(org, Role.DISPATCHER, email="d@mna.test", password="dispatch 4242")
    verified_client(client, dispatcher)
    url = reverse(name, kwargs={"org": targets["org"], **{a: targets[a] for a in arguments}})

    assert client.get(url).status_code == 404


def test_it_answers_404_to_a_deactivated_admin(admin_client, org, admin):
    Membership.objects.filter(person=admin).update(active=False)

    assert admin_client.get(f"/staff/o/{org.slug}/members/").status_code == 404


def test_it_sends_an_anonymous_visitor_to_sign_in(client, org):
    response = client.get(f"/staff/o/{org.slug}/members/")

    assert response["Location"].startswith("/staff/login/?next=")
