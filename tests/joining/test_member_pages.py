import pytest
from django.conf import settings
from django.urls import reverse

from tocsin.accounts.access import MEMBER_SESSION_KEY
from tocsin.accounts.models import ContactPoint, Person, Subscription
from tocsin.audit.models import AuditEntry
from tocsin.joining.links import member_link_token

from .conftest import code_in


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


@pytest.fixture
def rosa_client(client, confirmed_member):
    token = member_link_token(confirmed_member.contacts.get())
    client.get(reverse("joining:member_link", kwargs={"token": token}))
    assert client.session[MEMBER_SESSION_KEY] == confirmed_member.pk
    return client


def test_it_changes_my_name_and_language(rosa_client, confirmed_member):
    response = rosa_client.post(
        reverse("joining:me"), {"display_name": "La Rosa", "language": "en"}
    )

    assert response.status_code == 302
    confirmed_member.refresh_from_db()
    assert (confirmed_member.display_name, confirmed_member.language) == ("La Rosa", "en")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert AuditEntry.objects.filter(action="joining.person.profile_changed").exists()


def test_it_refuses_an_empty_name_naming_the_field(rosa_client):
    response = rosa_client.post(reverse("joining:me"), {"display_name": " ", "language": "en"})
    assert "display_name" in response.context["form"].errors


def test_it_adds_a_contact_and_confirms_it_with_its_code(
    rosa_client, confirmed_member, smtp_server, capture
):
    with capture(execute=True):
        response = rosa_client.post(
            reverse("joining:contacts"),
            {"action": "add", "channel": "email", "address": "rosa@work.example.org"},
        )
    assert response.status_code == 302
    new = confirmed_member.contacts.get(confirmed_at__isnull=True)
    [message] = smtp_server.wait_for(1)
    assert message["to"] == ["rosa@work.example.org"]

    rosa_client.post(
        reverse("joining:contacts"),
        {"action": "confirm", "contact": new.pk, "code": code_in(message)},
    )

    new.refresh_from_db()
    assert new.confirmed


def test_adding_someone_elses_number_answers_as_for_a_new_one_and_tells_its_owner(
    rosa_client, confirmed_member, org, member, sms_gateway, capture
):
    from tocsin.accounts.services.people import add_contact, find_contact

    add_contact(member, ContactPoint.Channel.SMS, "+1 612 555 0123")
    with capture(execute=True):
        response = rosa_client.post(
            reverse("joining:contacts"),
            {"action": "add", "channel": "sms", "address": "(612) 555-0123"},
            follow=True,
        )

    assert "Enviamos un código" in response.content.decode()
    claim = confirmed_member.contacts.get(channel="sms")
    assert not claim.confirmed
    assert find_contact("sms", "+16125550123").person == member
    [notice] = sms_gateway.wait_for(1)
    assert notice["to"] == "+16125550123"
    assert "/me/link/" in notice["text"]  # not confirmed yet: where to ask for a link


def test_it_names_the_field_when_i_add_my_own_contact_again(rosa_client):
    response = rosa_client.post(
        reverse("joining:contacts"),
        {"action": "add", "channel": "email", "address": "ROSA@example.org"},
    )
    assert "Este ya es uno de tus contactos." in response.context["add_form"].errors["address"][0]


def test_it_masks_addresses_until_i_ask_to_see_them(rosa_client):
    assert "rosa@example.org" not in rosa_client.get(reverse("joining:contacts")).content.decode()
    shown = rosa_client.get(reverse("joining:contacts") + "?show=all").content.decode()
    assert "rosa@example.org" in shown
    assert AuditEntry.objects.filter(action="joining.contacts.revealed").exists()


def test_it_keeps_my_last_confirmed_contact(rosa_client, confirmed_member):
    contact = confirmed_member.contacts.get()
    response = rosa_client.post(
        reverse("joining:contacts"), {"action": "remove", "contact": contact.pk}, follow=True
    )
    assert "Deja al menos un contacto confirmado" in response.content.decode()
    assert confirmed_member.contacts.filter(pk=contact.pk).exists()


def test_it_reorders_and_removes_contacts(rosa_client, confirmed_member):
    from tocsin.accounts.services.people import add_contact

    second = add_contact(confirmed_member, "signal", "+1 612 555 0150", confirmed=True)
    rosa_client.post(reverse("joining:contacts"), {"action": "up", "contact": second.pk})
    assert [c.channel for c in confirmed_member.contacts.order_by("preference")] == [
        "signal",
        "email",
    ]
    first_email = confirmed_member.contacts.get(channel="email")
    rosa_client.post(reverse("joining:contacts"), {"action": "remove", "contact": first_email.pk})
    assert list(confirmed_member.contacts.values_list("channel", "preference")) == [("signal", 1)]


def test_it_refuses_someone_elses_contact(rosa_client, member):
    from tocsin.accounts.services.people import add_contact

    theirs = add_contact(member, "email", "marisol@example.org", confirmed=True)
    response = rosa_client.post(
        reverse("joining:contacts"), {"action": "remove", "contact": theirs.pk}
    )
    assert response.status_code == 404
    assert ContactPoint.objects.filter(pk=theirs.pk).exists()


def test_it_adds_an_area_changes_kinds_and_stops_following(rosa_client, confirmed_member):
    response = rosa_client.post(
        reverse("joining:subscriptions"),
        {
            "action": "add",
            "site": "",
            "lat": "44.9496",
            "lng": "-93.2450",
            "radius_m": "250",
            "kinds": ["1", "2"],
        },
    )
    assert response.status_code == 302
    area = confirmed_member.subscriptions.get(site__isnull=True)
    assert (area.radius_m, area.kinds) == (250, 3)
    assert area.cells.exists()

    rosa_client.post(
        reverse("joining:subscriptions"),
        {"action": "kinds", "subscription": area.code, "kinds": ["4"]},
    )
    area.refresh_from_db()
    assert area.kinds == 4

    rosa_client.post(
        reverse("joining:subscriptions"), {"action": "remove", "subscription": area.code}
    )
    assert not Subscription.objects.filter(pk=area.pk).exists()


def test_it_refuses_an_area_off_the_map_naming_the_field(rosa_client):
    response = rosa_client.post(
        reverse("joining:subscriptions"),
        {
            "action": "add",
            "site": "",
            "lat": "44.9",
            "lng": "200",
            "radius_m": "500",
            "kinds": ["1"],
        },
    )
    assert list(response.context["form"].errors) == ["lng"]


def test_leaving_erases_me_and_ends_the_session(rosa_client, confirmed_member):
    response = rosa_client.post(reverse("joining:leave"), {})
    assert Person.objects.filter(pk=confirmed_member.pk).exists()
    assert "Marca la casilla" in response.content.decode()

    response = rosa_client.post(reverse("joining:leave"), {"confirm": "yes"})

    assert response.status_code == 200
    assert not Person.objects.filter(pk=confirmed_member.pk).exists()
    assert not ContactPoint.objects.exists()
    assert MEMBER_SESSION_KEY not in rosa_client.session
    assert AuditEntry.objects.filter(action="accounts.person.erased").exists()
