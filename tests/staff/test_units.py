from tests.conftest import make_site
from tocsin.accounts.models import Membership, Unit
from tocsin.audit.models import AuditEntry


def units_url(org, rest=""):
    return f"/staff/o/{org.slug}/units/{rest}"


def test_it_creates_a_unit_at_the_organizations_sites(admin_client, org, site):
    response = admin_client.post(units_url(org, "new/"), {"name": "HCMC RNs", "sites": [site.code]})

    assert response.status_code == 302
    unit = Unit.objects.get(organization=org, name="HCMC RNs")
    assert list(unit.sites.all()) == [site]
    assert "HCMC RNs" in admin_client.get(units_url(org)).content.decode()
    assert AuditEntry.objects.filter(action="accounts.unit.created", organization=org).exists()


def test_it_refuses_a_second_unit_with_the_same_name(admin_client, org):
    Unit.objects.create(organization=org, name="HCMC RNs")

    response = admin_client.post(units_url(org, "new/"), {"name": "hcmc rns"})

    assert response.status_code == 400
    assert "Name: This organization already has a unit with this name." in response.content.decode()
    assert Unit.objects.filter(organization=org).count() == 1


def test_it_refuses_a_site_where_the_organization_is_not_present(admin_client, org, other_org):
    elsewhere = make_site(other_org, name="Montefiore, Bronx", lat="40.880000", lng="-73.879000")

    response = admin_client.post(units_url(org, "new/"), {"name": "RNs", "sites": [elsewhere.code]})

    assert response.status_code == 400
    assert "Sites:" in response.content.decode()
    assert not Unit.objects.exists()


def test_it_renames_a_unit_and_changes_its_sites(admin_client, org, site):
    unit = Unit.objects.create(organization=org, name="RNs")
    unit.sites.add(site)

    admin_client.post(units_url(org, f"{unit.code}/"), {"name": "Registered nurses"})

    unit.refresh_from_db()
    assert unit.name == "Registered nurses"
    assert not unit.sites.exists()
    assert AuditEntry.objects.filter(action="accounts.unit.updated").exists()


def test_it_deletes_a_unit_and_keeps_its_members(admin_client, org, member):
    unit = Unit.objects.create(organization=org, name="RNs")
    Membership.objects.filter(person=member).update(unit=unit)

    response = admin_client.post(units_url(org, f"{unit.code}/delete/"))

    assert response.status_code == 302
    assert not Unit.objects.exists()
    assert Membership.objects.get(person=member).unit is None
    assert AuditEntry.objects.filter(action="accounts.unit.deleted").exists()


def test_it_answers_404_for_a_unit_of_another_organization(admin_client, org, other_org):
    foreign = Unit.objects.create(organization=other_org, name="Janitors")

    assert admin_client.get(units_url(org, f"{foreign.code}/")).status_code == 404
    assert admin_client.post(units_url(org, f"{foreign.code}/delete/")).status_code == 404
    assert Unit.objects.filter(pk=foreign.pk).exists()
