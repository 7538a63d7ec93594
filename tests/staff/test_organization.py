import pytest

from tests.conftest import make_org, make_person
from tocsin.accounts.models import Organization
from tocsin.accounts.roles import Role
from tocsin.audit.models import AuditEntry

SETTINGS = {"name": "Minnesota Nurses Assn.", "default_language": "es", "retention_days": "14"}


def test_it_changes_the_organization_settings_and_audits_them(admin_client, org):
    response = admin_client.post(f"/staff/o/{org.slug}/settings/", SETTINGS)

    assert response.status_code == 302
    org.refresh_from_db()
    assert (org.name, org.default_language, org.retention_days) == (
        "Minnesota Nurses Assn.",
        "es",
        14,
    )
    entry = AuditEntry.objects.get(action="accounts.organization.updated")
    assert set(entry.detail["fields"]) == {"name", "default_language", "retention_days"}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("retention_days", "0", "Retention (days):"),
        ("retention_days", "forever", "Retention (days):"),
        ("default_language", "fr", "Default language:"),
        ("name", "", "Name:"),
    ],
)
def test_it_refuses_bad_settings_naming_the_field(admin_client, org, field, value, message):
    response = admin_client.post(f"/staff/o/{org.slug}/settings/", {**SETTINGS, field: value})

    assert response.status_code == 400
    assert message in response.content.decode()
    org.refresh_from_db()
    assert org.name == "Minnesota Nurses Association"


def test_it_lets_a_coalition_choose_its_member_organizations(client, org, other_org):
    from tests.conftest import verified_client

    coalition = make_org(
        slug="mrlf", name="Minneapolis Regional Labor Federation", kind=Organization.Kind.COALITION
    )
    chair = make_person(coalition, Role.ADMIN, email="chair@mrlf.test", password="labor fed 42")
    verified_client(client, chair)

    page = client.get("/staff/o/mrlf/settings/").content.decode()
    assert "Member organizations" in page
    response = client.post(
        "/staff/o/mrlf/settings/",
        {
            "name": coalition.name,
            "default_language": "en",
            "retention_days": "30",
            "member_organizations": [org.slug, other_org.slug],
        },
    )

    assert response.status_code == 302
    assert set(coalition.member_organizations.all()) == {org, other_org}


def test_it_shows_no_member_organizations_to_a_union(admin_client, org):
    page = admin_client.get(f"/staff/o/{org.slug}/settings/").content.decode()

    assert "Member organizations" not in page
