from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from tests.conftest import make_person
from tocsin.accounts.models import ContactPoint, Membership, Person
from tocsin.accounts.roles import Role
from tocsin.accounts.services.people import add_contact, login_index_for
from tocsin.audit.models import AuditEntry
from tocsin.staff.services import passwords
from tocsin.staff.tasks import send_password_link

from .conftest import sign_in

DANA_EMAIL = "dana@mna.test"
NEW_PASSWORD = "lantern harbor 77"
SENT = "/staff/password/sent/"


@pytest.fixture
def dispatcher(org):
    """A dispatcher imported with a role and an email, and no password yet."""
    return make_person(org, Role.DISPATCHER, email=DANA_EMAIL, name="Dana Dispatcher")


def ask_for_link(client, capture, email, **extra):
    with capture(execute=True):
        return client.post(reverse("staff:password_reset"), {"email": email}, **extra)


def link_path(message) -> str:
    link = next(word for word in message["body"].split() if "/staff/password/" in word)
    return urlsplit(link).path


def choose_password(client, path, password=NEW_PASSWORD, again=None):
    return client.post(
        path, {"new_password1": password, "new_password2": password if again is None else again}
    )


def test_it_offers_the_link_on_the_sign_in_page(client, db):
    page = client.get(reverse("staff:login")).content.decode()

    assert "Forgot or never set your password?" in page
    assert reverse("staff:password_reset") in page


def test_it_emails_a_link_with_which_a_dispatcher_chooses_a_password_and_signs_in(
    client, dispatcher, smtp_server, capture
):
    response = ask_for_link(client, capture, " Dana@MNA.test ")

    assert response.status_code == 302
    assert response["Location"] == SENT
    [message] = smtp_server.wait_for(1)
    assert message["to"] == [DANA_EMAIL]
    assert message["subject"] == "Choose your Tocsin password"
    assert "works once, for 24 hours" in message["body"]
    path = link_path(message)
    assert path.startswith(f"/staff/password/{dispatcher.public_id}/")

    form = client.get(path)
    assert form.status_code == 200
    assert "New password" in form.content.decode()
    response = choose_password(client, path)

    assert response.status_code == 302
    assert response["Location"] == reverse("staff:login")
    assert "Your password is set." in client.get(response["Location"]).content.decode()
    assert AuditEntry.objects.filter(
        action="staff.password.set", object_id=str(dispatcher.public_id)
    ).exists()
    signed_in = sign_in(client, DANA_EMAIL, NEW_PASSWORD)
    assert signed_in.status_code == 302
    assert signed_in["Location"].startswith(reverse("staff:second_factor"))
    assert client.session["_auth_user_id"] == str(dispatcher.pk)


def test_it_answers_an_unknown_email_and_a_members_email_the_same_and_sends_nothing(
    client, org, smtp_server, capture
):
    make_person(org, Role.MEMBER, email="rosa@mna.test", password="member pass 42", name="Rosa")

    unknown = ask_for_link(client, capture, "nobody@mna.test")
    member_only = ask_for_link(client, capture, "rosa@mna.test")

    assert unknown.status_code == member_only.status_code == 302
    assert unknown["Location"] == member_only["Location"] == SENT
    page = client.get(SENT).content.decode()
    assert "If this email belongs to someone who signs in to Tocsin" in page
    assert smtp_server.messages == []
    assert not AuditEntry.objects.filter(action="staff.password.link_requested").exists()


def test_it_sends_nothing_to_an_email_that_is_not_confirmed(client, org, smtp_server, capture):
    person = make_person(org, Role.DISPATCHER, email=DANA_EMAIL, name="Dana")
    ContactPoint.objects.filter(person=person).update(confirmed_at=None)

    response = ask_for_link(client, capture, DANA_EMAIL)

    assert response["Location"] == SENT
    assert smtp_server.messages == []


def test_it_refuses_a_link_once_it_was_used(client, dispatcher, smtp_server, capture):
    ask_for_link(client, capture, DANA_EMAIL)
    path = link_path(smtp_server.wait_for(1)[0])
    assert choose_password(client, path).status_code == 302

    again = client.get(path)
    reused = choose_password(client, path, "someone else 4242")

    assert again.status_code == reused.status_code == 400
    page = again.content.decode()
    assert "This link no longer works" in page
    assert reverse("staff:password_reset") in page
    dispatcher.refresh_from_db()
    assert dispatcher.check_password(NEW_PASSWORD)


def test_it_refuses_an_expired_or_mangled_link_with_a_page_that_explains(
    client, dispatcher, settings
):
    path = urlsplit(passwords.password_link_url(dispatcher)).path
    person_part = f"/staff/password/{dispatcher.public_id}/"

    mangled = client.get(path[:-3] + "xx/")
    not_a_person = client.get("/staff/password/nobody/" + path.split("/")[-2] + "/")
    settings.PASSWORD_RESET_TIMEOUT = -1
    expired = client.get(path)

    assert path.startswith(person_part)
    for response in (mangled, not_a_person, expired):
        assert response.status_code == 400
        assert "This link no longer works" in response.content.decode()


def test_it_refuses_a_weak_password_naming_the_field(client, dispatcher):
    path = urlsplit(passwords.password_link_url(dispatcher)).path

    weak = choose_password(client, path, "12345")
    mismatch = choose_password(client, path, NEW_PASSWORD, "lantern harbor 78")

    assert weak.status_code == mismatch.status_code == 400
    assert "New password: This password is too short." in weak.content.decode()
    assert "New password again: The two password fields didn" in (mismatch.content.decode())
    dispatcher.refresh_from_db()
    assert not dispatcher.has_usable_password()


def test_it_sends_no_fourth_link_within_an_hour(client, dispatcher, smtp_server, capture):
    for _attempt in range(4):
        assert ask_for_link(client, capture, DANA_EMAIL)["Location"] == SENT

    assert len(smtp_server.wait_for(3)) == 3
    assert len(smtp_server.messages) == 3
    entries = AuditEntry.objects.filter(action="staff.password.link_requested")
    assert entries.count() == 3
    assert DANA_EMAIL not in repr(list(entries.values()))

    entries.update(at=entries.first().at - timedelta(hours=1, minutes=1))
    ask_for_link(client, capture, DANA_EMAIL)

    assert len(smtp_server.wait_for(4)) == 4


def test_it_clears_a_lockout_when_the_password_is_set(client, dispatcher, smtp_server, capture):
    for attempt in range(5):
        sign_in(client, DANA_EMAIL, f"wrong {attempt}")
    assert sign_in(client, DANA_EMAIL, "still wrong").status_code == 429

    ask_for_link(client, capture, DANA_EMAIL)
    choose_password(client, link_path(smtp_server.wait_for(1)[0]))

    assert sign_in(client, DANA_EMAIL, NEW_PASSWORD).status_code == 302


def test_the_queue_holds_only_the_contacts_id(dispatcher):
    contact = passwords.sign_in_contact(dispatcher)

    task = send_password_link.s(contact.pk)

    assert task.args == (contact.pk,)


@pytest.fixture
def promoted(org, member):
    """Marisol, a member with a confirmed email and no sign-in, just made a dispatcher."""
    add_contact(member, ContactPoint.Channel.SMS, "+1 612 555 0147", confirmed=True)
    add_contact(member, ContactPoint.Channel.EMAIL, "marisol@example.org", confirmed=True)
    Membership.objects.filter(person=member, organization=org).update(
        roles=int(Role.MEMBER | Role.DISPATCHER)
    )
    return member


def invite_url(org, person):
    return reverse("staff:member_invite", kwargs={"org": org.slug, "person": person.public_id})


def member_url(org, person):
    return reverse("staff:member", kwargs={"org": org.slug, "person": person.public_id})


def test_it_lets_an_admin_invite_a_promoted_member_to_sign_in(
    admin_client, client, org, promoted, smtp_server, capture
):
    assert (
        "Send a sign-in invitation" in admin_client.get(member_url(org, promoted)).content.decode()
    )

    with capture(execute=True):
        response = admin_client.post(invite_url(org, promoted), follow=True)

    assert "Invitation sent" in response.content.decode()
    promoted.refresh_from_db()
    assert promoted.login_index == login_index_for("marisol@example.org")
    [message] = smtp_server.wait_for(1)
    assert message["to"] == ["marisol@example.org"]
    assert message["subject"] == "Elija su contraseña de Tocsin"  # Marisol reads Spanish
    entry = AuditEntry.objects.get(action="staff.password.invited")
    assert entry.organization == org
    assert "marisol" not in repr(entry.detail)

    choose_password(client, link_path(message))

    assert sign_in(client, "marisol@example.org", NEW_PASSWORD).status_code == 302
    assert client.session["_auth_user_id"] == str(promoted.pk)


def test_it_offers_no_invitation_for_a_member_only(admin_client, org, member):
    page = admin_client.get(member_url(org, member)).content.decode()

    assert "Send a sign-in invitation" not in page


def test_it_explains_that_an_invitation_needs_a_confirmed_email(
    admin_client, org, member, smtp_server, capture
):
    add_contact(member, ContactPoint.Channel.EMAIL, "marisol@example.org")
    Membership.objects.filter(person=member).update(roles=int(Role.MEMBER | Role.RESPONDER))

    with capture(execute=True):
        response = admin_client.post(invite_url(org, member), follow=True)

    assert "Add and confirm an email first." in response.content.decode()
    assert Person.objects.get(pk=member.pk).login_index is None
    assert smtp_server.messages == []
    assert not AuditEntry.objects.filter(action="staff.password.invited").exists()


def test_it_gives_an_outsider_admin_404_on_the_invite_url(outsider_client, org, promoted):
    response = outsider_client.post(invite_url(org, promoted))

    assert response.status_code == 404
    assert Person.objects.get(pk=promoted.pk).login_index is None


def test_it_shows_the_reset_page_in_spanish_to_a_spanish_browser(client, dispatcher):
    page = client.get(reverse("staff:password_reset"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    path = urlsplit(passwords.password_link_url(dispatcher)).path
    form = client.get(path, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    invalid = client.get(path[:-1] + "x/", HTTP_ACCEPT_LANGUAGE="es").content.decode()

    assert 'lang="es"' in page
    assert "¿Olvidó su contraseña o nunca la eligió?" in page
    assert "Envíenme un enlace" in page
    assert "Contraseña nueva" in form
    assert "Este enlace ya no funciona" in invalid
