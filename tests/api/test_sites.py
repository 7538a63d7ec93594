"""Sites: members read them, admins create and change them, bad input changes nothing."""

import pytest

from tests.conftest import make_site
from tests.factories import fields_named
from tocsin.accounts.models import Site
from tocsin.audit.models import AuditEntry
from tocsin.core import geo

VA = {"kind": "hospital", "name": "Minneapolis VA Medical Center", "lat": 44.9006, "lng": -93.2036}


def test_it_lists_the_organizations_sites_to_a_member(member_api, org, site, other_org):
    make_site(other_org, name="Montefiore, Bronx", lat="40.880000", lng="-73.879000")

    response = member_api.get(f"/organizations/{org.slug}/sites")

    assert response.status_code == 200
    assert response.json() == [
        {
            "code": site.code,
            "kind": "hospital",
            "name": "Hennepin County Medical Center",
            "address": "701 Park Ave, Minneapolis",
            "lat": 44.9727,
            "lng": -93.2622,
            "h3_cell": "8927526898fffff",
        }
    ]


def test_it_creates_a_site_linked_to_the_organization_with_its_cell(admin_api, admin, org):
    response = admin_api.post(f"/organizations/{org.slug}/sites", VA)

    assert response.status_code == 201
    site = Site.objects.get(code=response.json()["code"])
    assert list(site.organizations.all()) == [org]
    assert site.h3_cell == geo.cell_for(44.9006, -93.2036)
    assert AuditEntry.objects.filter(
        action="accounts.site.created", actor=admin, organization=org, object_id=site.code
    ).exists()


def test_it_rounds_coordinates_to_six_decimal_places(admin_api, org):
    response = admin_api.post(
        f"/organizations/{org.slug}/sites", {**VA, "lat": 44.90060049, "lng": -93.2036}
    )

    assert response.status_code == 201
    assert response.json()["lat"] == 44.9006


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"lat": 90.5}, "lat"),
        ({"lat": -1000}, "lat"),
        ({"lng": 180.01}, "lng"),
        ({"lat": "north"}, "lat"),
        ({"lat": None}, "lat"),
        ({"kind": "castle"}, "kind"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"name": "HCMC\x00"}, "name"),
        ({"address": "x" * 301}, "address"),
    ],
)
def test_it_refuses_a_bad_site_naming_the_field_and_stores_nothing(admin_api, org, change, field):
    response = admin_api.post(f"/organizations/{org.slug}/sites", {**VA, **change})

    assert response.status_code == 422
    assert fields_named(response) == {field}
    assert not Site.objects.exists()
    assert not AuditEntry.objects.filter(action="accounts.site.created").exists()


def test_it_refuses_a_site_without_a_location(admin_api, org):
    response = admin_api.post(f"/organizations/{org.slug}/sites", {"kind": "school", "name": "X"})

    assert response.status_code == 422
    assert fields_named(response) == {"lat", "lng"}


def test_it_refuses_a_body_that_is_not_json(admin_api, org):
    response = admin_api.client.post(
        f"/api/v1/organizations/{org.slug}/sites",
        "{not json",
        content_type="application/json",
        headers=admin_api.headers,
    )

    assert 400 <= response.status_code < 500
    assert not Site.objects.exists()


def test_it_moves_a_site_and_recomputes_its_cell(admin_api, admin, org, site):
    response = admin_api.patch(
        f"/organizations/{org.slug}/sites/{site.code}", {"lat": 44.9006, "lng": -93.2036}
    )

    assert response.status_code == 200
    site.refresh_from_db()
    assert (float(site.lat), float(site.lng)) == (44.9006, -93.2036)
    assert site.h3_cell == geo.cell_for(44.9006, -93.2036)
    assert site.name == "Hennepin County Medical Center"
    entry = AuditEntry.objects.get(action="accounts.site.updated")
    assert (entry.actor, entry.detail["fields"]) == (admin, ["lat", "lng"])


def test_it_refuses_a_bad_change_and_leaves_the_site_as_it_was(admin_api, org, site):
    response = admin_api.patch(
        f"/organizations/{org.slug}/sites/{site.code}", {"name": "Moved", "lng": -200}
    )

    assert response.status_code == 422
    assert fields_named(response) == {"lng"}
    site.refresh_from_db()
    assert (site.name, float(site.lng)) == ("Hennepin County Medical Center", -93.2622)


def test_it_refuses_null_for_a_required_field(admin_api, org, site):
    response = admin_api.patch(f"/organizations/{org.slug}/sites/{site.code}", {"name": None})

    assert response.status_code == 422
    assert fields_named(response) == {"name"}


def test_it_lets_a_member_read_a_site_but_not_change_it(member_api, org, site):
    assert member_api.get(f"/organizations/{org.slug}/sites/{site.code}").status_code == 200

    response = member_api.patch(f"/organizations/{org.slug}/sites/{site.code}", {"name": "Mine"})

    assert response.status_code == 403
    assert "role" in response.json()["detail"]
    site.refresh_from_db()
    assert site.name == "Hennepin County Medical Center"


def test_it_refuses_a_member_creating_a_site(member_api, org):
    assert member_api.post(f"/organizations/{org.slug}/sites", VA).status_code == 403
    assert not Site.objects.filter(name=VA["name"]).exists()


def test_it_answers_404_for_a_site_of_another_organization_even_to_an_admin(
    admin_api, org, other_org
):
    montefiore = make_site(other_org, name="Montefiore, Bronx", lat="40.880000", lng="-73.879000")

    url = f"/organizations/{org.slug}/sites/{montefiore.code}"
    assert admin_api.get(url).status_code == 404
    assert admin_api.patch(url, {"name": "Ours now"}).status_code == 404
    montefiore.refresh_from_db()
    assert montefiore.name == "Montefiore, Bronx"
