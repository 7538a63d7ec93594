import pytest

from tests.conftest import arabic_indic, full_width, make_person
from tocsin.accounts.models import ContactPoint, Membership, Person, Subscription, Unit
from tocsin.accounts.roles import Role
from tocsin.accounts.services.people import add_contact
from tocsin.audit.models import AuditEntry


def members_url(org):
    return f"/staff/o/{org.slug}/members/"


def member_url(org, person, action=""):
    return f"/staff/o/{org.slug}/members/{person.public_id}/{action + '/' if action else ''}"


@pytest.fixture
def reachable_member(member):
    add_contact(member, ContactPoint.Channel.EMAIL, "marisol@example.org", confirmed=True)
    add_contact(member, ContactPoint.Channel.SMS, "+1 612 555 0147")
    return member


def test_it_lists_members_and_finds_them_by_part_of_a_name(admin_client, org, member, admin):
    make_person(org, name="Jorge Garage")

    page = admin_client.get(members_url(org), {"q": "mariso"}).content.decode()

    assert "Marisol Member" in page
    assert "Jorge Garage" not in page


def test_it_finds_a_member_by_exact_email_or_phone(admin_client, org, reachable_member):
    make_person(org, name="Jorge Garage")

    by_email = admin_client.get(members_url(org), {"q": " MARISOL@example.org "}).content.decode()
    by_phone = admin_client.get(members_url(org), {"q": "(612) 555-0147"}).content.decode()
    partial = admin_client.get(members_url(org), {"q": "marisol@"}).content.decode()

    assert "Marisol Member" in by_email and "Jorge Garage" not in by_email
    assert "Marisol Member" in by_phone and "Jorge Garage" not in by_phone
    assert "Marisol Member" not in partial


@pytest.mark.parametrize(
    "typed", [full_width("+1 (612) 555-0147"), arabic_indic("+1 612 555 0147")]
)
def test_it_finds_a_member_by_a_phone_typed_in_other_digits(
    admin_client, org, reachable_member, typed
):
    page = admin_client.get(members_url(org), {"q": typed}).content.decode()

    assert "Marisol Member" in page and "Ada Admin" not in page


def test_it_does_not_find_a_person_of_another_organization_by_email(admin_client, org, outsider):
    page = admin_client.get(members_url(org), {"q": "admin@seiu.test"}).content.decode()

    assert "Otto Outsider" not in page


def test_it_filters_by_role_unit_and_site(admin_client, org, site, member, admin):
    unit = Unit.objects.create(organization=org, name="HCMC RNs")
    Membership.objects.filter(person=member).update(unit=unit)

    by_role = admin_client.get(members_url(org), {"role": "admin"}).content.decode()
    by_unit = admin_client.get(members_url(org), {"unit": unit.code}).content.decode()
    by_site = admin_client.get(members_url(org), {"site": site.code}).content.decode()

    assert "Ada Admin" in by_role and "Marisol Member" not in by_role
    assert "Marisol Member" in by_unit and "Ada Admin" not in by_unit
    assert "Marisol Member" in by_site and "Ada Admin" not in by_site


def test_it_pages_a_long_list(admin_client, org, admin):
    for number in range(60):
        make_person(org, name=f"Member {number:02d}")

    first = admin_client.get(members_url(org)).content.decode()
    second = admin_client.get(members_url(org), {"page": "2"}).content.decode()

    assert "Page 1 of 2" in first
    assert "Member 00" in first and "Member 59" not in first
    assert "Member 59" in second


@pytest.mark.parametrize(
    "query", [{"page": "abc"}, {"role": "king"}, {"unit": "nope"}, {"status": "x"}]
)
def test_it_answers_odd_filters_without_an_error(admin_client, org, query):
    assert admin_client.get(members_url(org), query).status_code == 200


def test_it_changes_roles_and_audits_the_change(admin_client, org, member, admin):
    response = admin_client.post(member_url(org, member), {"roles": ["responder", "verifier"]})

    assert response.status_code == 302
    membership = Membership.objects.get(person=member, organization=org)
    assert Role(membership.roles) == Role.MEMBER | Role.RESPONDER | Role.VERIFIER
    entry = AuditEntry.objects.get(action="accounts.membership.roles_changed")
    assert entry.actor == admin
    assert entry.organization == org
    assert entry.object_id == str(member.public_id)
    assert entry.detail == {"before": ["member"], "after": ["member", "responder", "verifier"]}


def test_it_places_a_member_in_a_unit_and_site_of_the_organization(admin_client, org, site, member):
    unit = Unit.objects.create(organization=org, name="HCMC RNs")

    admin_client.post(member_url(org, member), {"unit": unit.code, "site": site.code})

    membership = Membership.objects.get(person=member)
    assert (membership.unit, membership.site) == (unit, site)
    assert AuditEntry.objects.filter(action="accounts.membership.placed").exists()


def test_it_refuses_a_unit_of_another_organization(admin_client, org, other_org, member):
    foreign = Unit.objects.create(organization=other_org, name="Janitors")

    response = admin_client.post(member_url(org, member), {"unit": foreign.code})

    assert response.status_code == 400
    assert "Unit" in response.content.decode()
    assert Membership.objects.get(person=member).unit is None


def test_it_refuses_to_remove_the_last_admins_own_admin_role(admin_client, org, admin):
    response = admin_client.post(member_url(org, admin), {"roles": ["organizer"]})

    assert response.status_code == 400
    assert "last admin" in response.content.decode()
    assert Membership.objects.get(person=admin).has(Role.ADMIN)


def test_it_lets_an_admin_step_down_when_another_admin_remains(admin_client, org, admin):
    make_person(org, Role.ADMIN, email="second@mna.test", password="second admin 42")

    response = admin_client.post(member_url(org, admin), {"roles": ["organizer"]})

    assert response.status_code == 302
    assert not Membership.objects.get(person=admin).has(Role.ADMIN)


def test_it_deactivates_and_reactivates_a_member(admin_client, org, member):
    admin_client.post(member_url(org, member, "active"), {"active": "0"})
    assert not Membership.objects.get(person=member).active
    page = admin_client.get(members_url(org)).content.decode()
    assert "Marisol Member" not in page
    assert (
        "Marisol Member"
        in admin_client.get(members_url(org), {"status": "inactive"}).content.decode()
    )

    admin_client.post(member_url(org, member, "active"), {"active": "1"})

    assert Membership.objects.get(person=member).active
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"accounts.membership.deactivated", "accounts.membership.reactivated"} <= actions


def test_it_refuses_to_deactivate_the_last_admin(admin_client, org, admin):
    response = admin_client.post(member_url(org, admin, "active"), {"active": "0"}, follow=True)

    assert "last admin" in response.content.decode()
    assert Membership.objects.get(person=admin).active


def test_it_shows_contacts_masked_until_asked_and_audits_the_reveal(
    admin_client, org, reachable_member, admin
):
    page = admin_client.get(member_url(org, reachable_member)).content.decode()
    assert "marisol@example.org" not in page
    assert "m…@example.org" in page
    assert "…0147" in page
    assert not AuditEntry.objects.filter(action="accounts.contacts.viewed").exists()

    revealed = admin_client.post(member_url(org, reachable_member, "contacts")).content.decode()

    assert "marisol@example.org" in revealed
    assert "+16125550147" in revealed
    entry = AuditEntry.objects.get(action="accounts.contacts.viewed")
    assert (entry.actor, entry.organization) == (admin, org)
    assert entry.object_id == str(reachable_member.public_id)
    assert "marisol" not in repr(entry.detail)


def test_it_erases_a_person_with_contacts_memberships_and_subscriptions(
    admin_client, org, site, reachable_member, admin
):
    Subscription.objects.create(person=reachable_member, organization=org, site=site)

    response = admin_client.post(
        member_url(org, reachable_member, "erase"), {"confirmation": "marisol member"}
    )

    assert response.status_code == 302
    assert not Person.objects.filter(pk=reachable_member.pk).exists()
    assert not ContactPoint.objects.filter(person_id=reachable_member.pk).exists()
    assert not Membership.objects.filter(person_id=reachable_member.pk).exists()
    assert not Subscription.objects.filter(person_id=reachable_member.pk).exists()
    entry = AuditEntry.objects.get(action="accounts.person.erased")
    assert (entry.actor, entry.organization) == (admin, org)


def test_it_erases_nothing_without_the_typed_name(admin_client, org, reachable_member):
    response = admin_client.post(
        member_url(org, reachable_member, "erase"), {"confirmation": "yes"}
    )

    assert response.status_code == 400
    assert "nothing was erased" in response.content.decode()
    assert Person.objects.filter(pk=reachable_member.pk).exists()


def test_it_will_not_erase_someone_who_also_belongs_to_another_organization(
    admin_client, org, other_org, member
):
    Membership.objects.create(person=member, organization=other_org)

    response = admin_client.post(
        member_url(org, member, "erase"), {"confirmation": "Marisol Member"}
    )

    assert response.status_code == 400
    assert "another organization" in response.content.decode()
    assert Person.objects.filter(pk=member.pk).exists()


def test_it_will_not_let_an_admin_erase_themselves(admin_client, org, admin):
    response = admin_client.post(member_url(org, admin, "erase"), {"confirmation": "Ada Admin"})

    assert response.status_code == 400
    assert Person.objects.filter(pk=admin.pk).exists()


def test_it_answers_404_for_a_person_who_is_not_a_member_here(admin_client, org, outsider):
    for action in ("", "contacts", "active", "erase"):
        assert admin_client.get(member_url(org, outsider, action)).status_code in {404, 405}
        assert admin_client.post(member_url(org, outsider, action)).status_code == 404
    assert admin_client.get(f"/staff/o/{org.slug}/members/not-a-uuid/").status_code == 404
