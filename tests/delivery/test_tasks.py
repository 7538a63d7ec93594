import json
import re

import pytest

from tocsin.accounts.models import ContactPoint
from tocsin.accounts.services.people import add_contact, check_confirmation_code, create_person
from tocsin.delivery.local_servers.smtp import CapturingSMTPServer
from tocsin.joining.tasks import send_confirmation_code, send_member_link


@pytest.fixture
def rosa(db):
    return create_person(display_name="Rosa", language="es")


def test_it_sends_a_code_in_the_persons_language_that_confirms_the_contact(rosa, smtp_server):
    contact = add_contact(rosa, ContactPoint.Channel.EMAIL, "rosa@example.org")

    send_confirmation_code(contact.pk)

    [message] = smtp_server.wait_for(1)
    assert message["subject"].startswith("Tu código de Tocsin")
    assert "Sirve por 30 minutos" in message["body"]
    code = re.search(r"\b(\d{6})\b", message["body"]).group(1)
    assert check_confirmation_code(contact, code)


def test_it_never_sends_a_code_to_a_confirmed_contact(rosa, smtp_server):
    contact = add_contact(rosa, ContactPoint.Channel.EMAIL, "rosa@example.org", confirmed=True)
    send_confirmation_code(contact.pk)
    assert smtp_server.messages == []


def test_it_never_sends_a_member_link_to_an_unconfirmed_contact(rosa, smtp_server):
    contact = add_contact(rosa, ContactPoint.Channel.EMAIL, "rosa@example.org")
    send_member_link(contact.pk)
    assert smtp_server.messages == []


def test_it_sends_a_member_link_in_english_to_an_english_speaker(db, smtp_server, settings):
    settings.TOCSIN_BASE_URL = "https://tocsin.example.org"
    person = create_person(display_name="Ann", language="en")
    contact = add_contact(person, ContactPoint.Channel.EMAIL, "ann@example.org", confirmed=True)

    send_member_link(contact.pk)

    [message] = smtp_server.wait_for(1)
    assert "manage your Tocsin alerts" in message["body"]
    assert "https://tocsin.example.org/me/link/" in message["body"]


def test_the_queue_holds_only_the_contacts_id(rosa):
    contact = add_contact(rosa, ContactPoint.Channel.EMAIL, "rosa@example.org")
    task = send_confirmation_code.s(contact.pk)
    assert task.args == (contact.pk,)
    assert "rosa" not in json.dumps(task.args)


def test_the_local_smtp_server_can_keep_messages_in_a_jsonl_file(tmp_path, rosa, settings):
    outbox = tmp_path / "email.jsonl"
    server = CapturingSMTPServer(jsonl_path=outbox).start()
    settings.MAILERS = server.mailer_settings()
    try:
        contact = add_contact(rosa, ContactPoint.Channel.EMAIL, "rosa@example.org")
        send_confirmation_code(contact.pk)
        server.wait_for(1)
    finally:
        server.stop()
    [line] = outbox.read_text().splitlines()
    assert json.loads(line)["to"] == ["rosa@example.org"]
