"""Bargaining units: members read them, admins create, change and delete them."""

from tests.conftest import make_site
from tests.factories import fields_named
from tocsin.accounts.models import Unit
from tocsin.audit.models import AuditEntry


def test_it_creates_a_unit_at_the_organizations_sites(admin_api, admin, org, site):
    response = admin_api.post(
        f"/organizations/{org.slug}/units", {"name": "HCMC registered nurses", "sites": [site.code]}
    )

    assert response.status_code == 201
    unit = Unit.objects.get(code=response.json()["code"])
    assert (unit.organization, unit.name, list(unit.sites.all())) == (
        org,
        "HCMC registered nurses",
        [site],
    )
    assert response.json()["sites"] == [site.code]
    assert AuditEntry.objects.filter(action="accounts.unit.created", actor=admin).exists()


def test_it_refuses_a_duplicate_unit_name_naming_the_field(admin_api, org):
    Unit.objects.create(organization=org, name="HCMC registered nurses")

    response = admin_api.post(
        f"/organizations/{org.slug}/units", {"name": "hcmc Registered Nurses"}
    )

    assert response.status_code in {409, 422}
    assert fields_named(response) == {"name"}
    assert Unit.objects.count() == 1


def test_it_refuses_renaming_a_unit_to_another_units_name(admin_api, org):
    Unit.objects.create(organization=org, name="Nurses")
    techs = Unit.objects.create(organization=org, name="Technicians")

    response = admin_api.patch(f"/organizations/{org.slug}/units/{techs.code}", {"name": "Nurses"})

    assert response.status_code in {409, 422}
    assert fields_named(response) == {"name"}
    techs.refresh_from_db()
    assert techs.name == "Technicians"


def test_it_allows_the_same_unit_name_in_another_organization(admin_api, org, other_org):
    Unit.objects.create(organization=other_org, name="Nurses")

    assert admin_api.post(f"/organizations/{org.slug}/units", {"name": "Nurses"}).status_code == 201


def test_it_refuses_a_site_of_another_organization_naming_sites(admin_api, org, other_org):
    montefiore = make_site(other_org, name="Montefiore, Bronx", lat="40.880000", lng="-73.879000")

    response = admin_api.post(
        f"/organizations/{org.slug}/units", {"name": "Nurses", "sites": [montefiore.code]}
    )

    assert response.status_code == 422
    assert fields_named(response) == {"sites"}
    assert not Unit.objects.exists()


def test_it_renames_a_unit_and_keeps_its_sites(admin_api, org, site):
    unit = Unit.objects.create(organization=org, name="Nurses")
    unit.sites.add(site)

    response = admin_api.patch(f"/organizations/{org.slug}/units/{unit.code}", {"name": "RNs"})

    assert response.status_code == 200
    assert response.json() == {"code": unit.code, "name": "RNs", "sites": [site.code]}


def test_it_sets_a_units_sites(admin_api, org, site):
    unit = Unit.objects.create(organization=org, name="Nurses")
    unit.sites.add(site)

    response = admin_api.patch(f"/organizations/{org.slug}/units/{unit.code}", {"sites": []})

    assert response.status_code == 200
    assert not unit.sites.exists()


def test_it_deletes_a_unit_and_audits_it(admin_api, admin, org):
    unit = Unit.objects.create(organization=org, name="Nurses")

    response = admin_api.delete(f"/organizations/{org.slug}/units/{unit.code}")

    assert response.status_code == 204
    assert not Unit.objects.exists()
    assert AuditEntry.objects.filter(action="accounts.unit.deleted", actor=admin).exists()


def test_it_lets_a_member_read_units_but_not_change_them(member_api, org):
    unit = Unit.objects.create(organization=org, name="Nurses")
    base = f"/organizations/{org.slug}/units"

    assert [u["code"] for u in member_api.get(base).json()] == [unit.code]
    assert member_api.get(f"{base}/{unit.code}").status_code == 200
    assert member_api.post(base, {"name": "Mine"}).status_code == 403
    assert member_api.patch(f"{base}/{unit.code}", {"name": "Mine"}).status_code == 403
    assert member_api.delete(f"{base}/{unit.code}").status_code == 403
    assert list(Unit.objects.values_list("name", flat=True)) == ["Nurses"]


def test_it_answers_404_for_a_unit_of_another_organization(admin_api, org, other_org):
    theirs = Unit.objects.create(organization=other_org, name="Janitors")

    assert admin_api.get(f"/organizations/{org.slug}/units/{theirs.code}").status_code == 404
    assert admin_api.delete(f"/organizations/{org.slug}/units/{theirs.code}").status_code == 404
    assert Unit.objects.filter(pk=theirs.pk).exists()
