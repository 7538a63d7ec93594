import re
from decimal import Decimal

import pytest

from tests.conftest import make_site
from tocsin.accounts.models import Membership, Site, Unit
from tocsin.audit.models import AuditEntry
from tocsin.core import geo

NEW_SITE = {
    "kind": "hospital",
    "name": "Minneapolis VA Medical Center",
    "address": "1 Veterans Dr, Minneapolis",
    "lat": "44.9006",
    "lng": "-93.2036",
}


def sites_url(org, rest=""):
    return f"/staff/o/{org.slug}/sites/{rest}"


def test_it_lists_sites_without_needing_the_map(admin_client, org, site):
    response = admin_client.get(sites_url(org))
    page = response.content.decode()

    assert "Hennepin County Medical Center" in page
    assert 'id="site-map" class="map" hidden' in page
    assert re.search(r'<script src="[^"]*leaflet\.js" nonce="[^"]+"', page)
    assert re.search(r'<script src="[^"]*staff/sites-map\.js" nonce="[^"]+"', page)
    assert " style=" not in page
    assert " onclick=" not in page
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]


def test_it_creates_a_site_with_its_h3_cell_and_audits_it(admin_client, org):
    response = admin_client.post(sites_url(org, "new/"), NEW_SITE)

    assert response.status_code == 302
    site = Site.objects.get(name="Minneapolis VA Medical Center")
    assert site.lat == Decimal("44.900600")
    assert site.h3_cell == geo.cell_for(44.9006, -93.2036)
    assert list(site.organizations.all()) == [org]
    assert AuditEntry.objects.filter(action="accounts.site.created", organization=org).exists()


def test_it_refuses_latitude_95_naming_the_field_and_stores_nothing(admin_client, org):
    response = admin_client.post(sites_url(org, "new/"), {**NEW_SITE, "lat": "95"})

    assert response.status_code == 400
    assert "Latitude must be between -90 and 90." in response.content.decode()
    assert not Site.objects.filter(name=NEW_SITE["name"]).exists()
    assert not AuditEntry.objects.filter(action="accounts.site.created").exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("lng", "-200", "Longitude must be between -180 and 180."),
        ("lat", "north", "Latitude must be a number"),
        ("lng", "", "Longitude is required."),
        ("lat", "NaN", "Latitude must be a number"),
        ("name", "", "Name: This field is required."),
        ("kind", "castle", "Kind: Select a valid choice."),
    ],
)
def test_it_names_the_field_of_every_bad_value(admin_client, org, field, value, message):
    response = admin_client.post(sites_url(org, "new/"), {**NEW_SITE, field: value})

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Site.objects.filter(name=NEW_SITE["name"]).exists()


def test_it_edits_a_site_and_moves_its_cell(admin_client, org, site):
    response = admin_client.post(
        sites_url(org, f"{site.code}/"), {**NEW_SITE, "name": "HCMC", "lat": "44.9727"}
    )

    assert response.status_code == 302
    site.refresh_from_db()
    assert site.name == "HCMC"
    assert site.h3_cell == geo.cell_for(44.9727, -93.2036)
    entry = AuditEntry.objects.get(action="accounts.site.updated")
    assert set(entry.detail["fields"]) >= {"name", "lng"}


def test_it_links_a_site_another_union_added_and_unlinks_it(admin_client, org, other_org, member):
    shared = make_site(other_org, name="Montefiore, Bronx", lat="40.880000", lng="-73.879000")
    unit = Unit.objects.create(organization=org, name="Montefiore RNs")

    found = admin_client.get(sites_url(org), {"q": "montefiore"}).content.decode()
    assert "Montefiore, Bronx" in found
    admin_client.post(sites_url(org, "link/"), {"code": shared.code})
    assert set(shared.organizations.all()) == {org, other_org}

    unit.sites.add(shared)
    Membership.objects.filter(person=member).update(site=shared)
    admin_client.post(sites_url(org, f"{shared.code}/unlink/"))

    assert list(shared.organizations.all()) == [other_org]
    assert not unit.sites.exists()
    assert Membership.objects.get(person=member).site is None
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"accounts.site.linked", "accounts.site.unlinked"} <= actions


def test_it_refuses_to_link_an_unknown_site(admin_client, org):
    response = admin_client.post(sites_url(org, "link/"), {"code": "nosuchsite"}, follow=True)

    assert "there is no such site" in response.content.decode()


def test_it_answers_404_for_a_site_where_the_organization_is_not_present(
    admin_client, org, other_org
):
    elsewhere = make_site(other_org, name="Montefiore, Bronx", lat="40.880000", lng="-73.879000")

    assert admin_client.get(sites_url(org, f"{elsewhere.code}/")).status_code == 404
    assert admin_client.post(sites_url(org, f"{elsewhere.code}/"), NEW_SITE).status_code == 404
    assert admin_client.post(sites_url(org, f"{elsewhere.code}/unlink/")).status_code == 404
    elsewhere.refresh_from_db()
    assert elsewhere.name == "Montefiore, Bronx"
