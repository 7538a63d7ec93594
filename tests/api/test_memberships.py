"""Memberships: admins list, filter and change roles, unit, site and active state."""

import pytest

from tests.conftest import make_person, make_site
from tests.factories import fields_named
from tocsin.accounts.models import Membership, Unit
from tocsin.accounts.roles import Role
from tocsin.audit.models import AuditEntry


@pytest.fixture
def dispatcher(org):
    return make_person(org, Role.DISPATCHER, name="Dana Dispatcher")


def test_it_lists_the_organizations_memberships_with_a_count(admin_api, org, admin, member):
    response = admin_api.get(f"/organizations/{org.slug}/memberships")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [m["display_name"] for m in body["items"]] == ["Ada Admin", "Marisol Member"]
    assert body["items"][1]["person"] == str(member.public_id)
    assert "id" not in body["items"][1]


def test_it_pages_memberships(admin_api, org, admin, member, dispatcher):
    response = admin_api.get(f"/organizations/{org.slug}/memberships", limit=2, offset=2)

    assert response.json()["count"] == 3
    assert [m["display_name"] for m in response.json()["items"]] == ["Marisol Member"]


def test_it_filters_memberships_by_role_unit_and_site(
    admin_api, org, site, admin, member, dispatcher
):
    unit = Unit.objects.create(organization=org, name="Nurses")
    Membership.objects.filter(person=dispatcher).update(unit=unit)
    base = f"/organizations/{org.slug}/memberships"

    def names(**query):
        return [m["display_name"] for m in admin_api.get(base, **query).json()["items"]]

    assert names(role="dispatcher") == ["Dana Dispatcher"]
    assert names(role="admin") == ["Ada Admin"]
    assert names(unit=unit.code) == ["Dana Dispatcher"]
    assert names(site=site.code) == ["Marisol Member"]
    assert names(role="member", active="true") == ["Ada Admin", "Dana Dispatcher", "Marisol Member"]


def test_it_refuses_an_unknown_role_filter_naming_it(admin_api, org):
    response = admin_api.get(f"/organizations/{org.slug}/memberships", role="boss")

    assert response.status_code == 422
    assert fields_named(response) == {"role"}


def test_it_changes_roles_and_audits_the_change(admin_api, admin, org, member):
    response = admin_api.patch(
        f"/organizations/{org.slug}/memberships/{member.public_id}",
        {"roles": ["verifier", "legal_observer"]},
    )

    assert response.status_code == 200
    assert response.json()["roles"] == ["member", "verifier", "legal_observer"]
    membership = member.memberships.get()
    assert Role(membership.roles) == Role.MEMBER | Role.VERIFIER | Role.LEGAL_OBSERVER
    entry = AuditEntry.objects.get(action="accounts.membership.roles_changed")
    assert (entry.actor, entry.organization, entry.object_id) == (admin, org, str(member.public_id))
    assert entry.detail == {"before": ["member"], "after": ["member", "verifier", "legal_observer"]}


def test_it_refuses_an_unknown_role_naming_roles(admin_api, org, member):
    response = admin_api.patch(
        f"/organizations/{org.slug}/memberships/{member.public_id}",
        {"roles": ["dispatcher", "boss"]},
    )

    assert response.status_code == 422
    assert "roles" in {str(part) for error in response.json()["detail"] for part in error["loc"]}
    assert Role(member.memberships.get().roles) == Role.MEMBER


def test_it_refuses_to_remove_the_last_admin(admin_api, admin, org):
    response = admin_api.patch(
        f"/organizations/{org.slug}/memberships/{admin.public_id}", {"roles": ["organizer"]}
    )

    assert response.status_code == 422
    assert fields_named(response) == {"roles"}
    assert admin.memberships.get().has(Role.ADMIN)


def test_it_places_a_member_in_a_unit_and_site_and_clears_them(admin_api, org, site, member):
    unit = Unit.objects.create(organization=org, name="Nurses")
    url = f"/organizations/{org.slug}/memberships/{member.public_id}"

    placed = admin_api.patch(url, {"unit": unit.code, "site": site.code}).json()
    cleared = admin_api.patch(url, {"unit": None, "site": None}).json()

    assert (placed["unit"], placed["site"]) == (unit.code, site.code)
    assert (cleared["unit"], cleared["site"]) == (None, None)
    assert AuditEntry.objects.filter(action="accounts.membership.placed").count() == 2


def test_it_refuses_a_unit_or_site_of_another_organization(admin_api, org, other_org, member):
    theirs = Unit.objects.create(organization=other_org, name="Janitors")
    montefiore = make_site(other_org, name="Montefiore, Bronx", lat="40.880000", lng="-73.879000")
    url = f"/organizations/{org.slug}/memberships/{member.public_id}"

    by_unit = admin_api.patch(url, {"unit": theirs.code, "roles": ["dispatcher"]})
    by_site = admin_api.patch(url, {"site": montefiore.code})

    assert (by_unit.status_code, fields_named(by_unit)) == (422, {"unit"})
    assert (by_site.status_code, fields_named(by_site)) == (422, {"site"})
    membership = member.memberships.get()
    assert (membership.unit, Role(membership.roles)) == (None, Role.MEMBER)


def test_it_deactivates_a_membership_and_keeps_roles_unchanged_when_that_fails(
    admin_api, admin, org, member
):
    url = f"/organizations/{org.slug}/memberships/{member.public_id}"

    assert admin_api.patch(url, {"active": False}).json()["active"] is False
    assert not member.memberships.get().active

    own = f"/organizations/{org.slug}/memberships/{admin.public_id}"
    response = admin_api.patch(own, {"roles": ["admin", "dispatcher"], "active": False})
    assert (response.status_code, fields_named(response)) == (422, {"active"})
    membership = admin.memberships.get()
    assert membership.active
    assert Role(membership.roles) == Role.MEMBER | Role.ADMIN


def test_it_refuses_members_who_are_not_admins(member_api, org, member):
    assert member_api.get(f"/organizations/{org.slug}/memberships").status_code == 403
    url = f"/organizations/{org.slug}/memberships/{member.public_id}"
    assert member_api.patch(url, {"roles": ["admin"]}).status_code == 403
    assert Role(member.memberships.get().roles) == Role.MEMBER


def test_it_answers_404_for_a_person_of_another_organization(admin_api, org, outsider):
    url = f"/organizations/{org.slug}/memberships/{outsider.public_id}"

    assert admin_api.get(url).status_code == 404
    assert admin_api.patch(url, {"active": False}).status_code == 404
    assert outsider.memberships.get().active
