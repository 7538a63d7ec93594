"""The caller's organizations, and nobody else's."""

from tests.conftest import make_person
from tocsin.accounts.roles import Role


def test_it_lists_only_the_callers_organizations(member_api, org, other_org):
    response = member_api.get("/organizations")

    assert response.status_code == 200
    assert response.json() == [
        {
            "slug": "mna",
            "name": "Minnesota Nurses Association",
            "kind": "union",
            "parent": None,
            "default_language": "en",
            "my_roles": ["member"],
        }
    ]


def test_it_lists_each_organization_a_person_belongs_to(api_as, org, other_org, admin):
    make_person(other_org, Role.DISPATCHER, name="Dana Dispatcher")
    admin.memberships.create(organization=other_org, roles=int(Role.MEMBER | Role.ORGANIZER))

    organizations = api_as(admin).get("/organizations").json()

    assert [(o["slug"], o["my_roles"]) for o in organizations] == [
        ("mna", ["member", "admin"]),
        ("seiu-26", ["member", "organizer"]),
    ]


def test_it_leaves_out_an_organization_whose_membership_ended(api_as, member, org):
    member.memberships.update(active=False)

    assert api_as(member).get("/organizations").json() == []
    assert api_as(member).get(f"/organizations/{org.slug}").status_code == 404


def test_it_shows_one_organization_to_a_member(member_api, org):
    response = member_api.get(f"/organizations/{org.slug}")

    assert response.status_code == 200
    assert response.json()["my_roles"] == ["member"]


def test_it_answers_404_for_an_organization_the_caller_is_not_in(outsider_api, org):
    response = outsider_api.get(f"/organizations/{org.slug}")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_it_answers_404_for_an_organization_that_does_not_exist(member_api):
    assert member_api.get("/organizations/no-such-union").status_code == 404
