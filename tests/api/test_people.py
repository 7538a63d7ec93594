"""A person as their organization's admins see them: contacts masked unless revealed."""

from tocsin.accounts.models import ContactPoint
from tocsin.accounts.services.people import add_contact
from tocsin.audit.models import AuditEntry


def test_it_shows_a_person_with_contacts_masked(admin_api, org, member):
    add_contact(member, ContactPoint.Channel.EMAIL, "marisol@example.test", confirmed=True)
    add_contact(member, ContactPoint.Channel.SMS, "+1 612 555 0142")

    response = admin_api.get(f"/organizations/{org.slug}/people/{member.public_id}")

    assert response.status_code == 200
    body = response.json()
    assert (body["display_name"], body["language"]) == ("Marisol Member", "es")
    assert [m["roles"] for m in body["memberships"]] == [["member"]]
    assert body["contacts_revealed"] is False
    assert [(c["channel"], c["confirmed"]) for c in body["contacts"]] == [
        ("email", True),
        ("sms", False),
    ]
    assert "marisol@" not in response.content.decode()
    assert "555 0142" not in response.content.decode()
    assert "5550142" not in response.content.decode()
    assert body["contacts"][1]["address"].endswith("0142")
    assert not AuditEntry.objects.filter(action="accounts.contacts.viewed").exists()


def test_it_reveals_contacts_on_request_and_audits_the_read(admin_api, admin, org, member):
    add_contact(member, ContactPoint.Channel.EMAIL, "marisol@example.test", confirmed=True)

    response = admin_api.get(
        f"/organizations/{org.slug}/people/{member.public_id}", reveal="contacts"
    )

    assert response.status_code == 200
    assert response.json()["contacts_revealed"] is True
    assert response.json()["contacts"][0]["address"] == "marisol@example.test"
    entry = AuditEntry.objects.get(action="accounts.contacts.viewed")
    assert (entry.actor, entry.organization, entry.object_id) == (admin, org, str(member.public_id))
    assert "marisol" not in str(entry.detail)


def test_it_refuses_a_member_looking_at_another_person(member_api, org, admin):
    response = member_api.get(
        f"/organizations/{org.slug}/people/{admin.public_id}", reveal="contacts"
    )

    assert response.status_code == 403
    assert not AuditEntry.objects.filter(action="accounts.contacts.viewed").exists()


def test_it_answers_404_for_a_person_of_another_organization(admin_api, org, outsider):
    response = admin_api.get(
        f"/organizations/{org.slug}/people/{outsider.public_id}", reveal="contacts"
    )

    assert response.status_code == 404
    assert not AuditEntry.objects.filter(action="accounts.contacts.viewed").exists()


def test_it_refuses_a_malformed_person_id(admin_api, org):
    response = admin_api.get(f"/organizations/{org.slug}/people/42")

    assert response.status_code in {404, 422}
