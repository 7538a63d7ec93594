import pytest

from tocsin.delivery.channels import Outgoing, TransportError, transport_for
from tocsin.delivery.channels.email.transport import EmailTransport
from tocsin.delivery.local_servers.smtp import free_port


def outgoing(number, address=None, **fields):
    values = {
        "delivery_id": number,
        "address": address or f"person{number}@mna.test",
        "language": "en",
        "subject": "ICE reported at Hennepin County Medical Center",
        "text": "Verified: agents at the main entrance.\nDetails: https://tocsin.test/a/abc",
    }
    return Outgoing(**(values | fields))


def test_it_is_the_email_channel_with_its_limits(settings):
    settings.TOCSIN_EMAIL_BATCH = 150
    settings.TOCSIN_EMAIL_RATE = 20

    transport = transport_for("email")

    assert isinstance(transport, EmailTransport)
    assert transport.limits.recipients_per_request == 1
    assert transport.per_connection == 150
    assert transport.limits.per_second == 20
    assert transport.limits.max_length is None


def test_it_sends_a_batch_of_fifty_over_one_smtp_connection(smtp_server):
    messages = [outgoing(number) for number in range(1, 51)]

    results = EmailTransport().send(messages)

    assert [result.sent for result in results] == [True] * 50
    assert [result.delivery_id for result in results] == list(range(1, 51))
    received = smtp_server.wait_for(50)
    assert smtp_server.connections == 1
    assert sorted(message["to"][0] for message in received) == sorted(m.address for m in messages)


def test_it_sends_plain_text_and_html_with_one_click_unsubscribe(smtp_server, settings):
    settings.DEFAULT_FROM_EMAIL = "Tocsin <alerts@mna.example.org>"
    message = outgoing(7, unsubscribe_url="https://tocsin.test/u/token")

    [result] = EmailTransport().send([message])

    assert result.sent
    [received] = smtp_server.wait_for(1)
    assert received["body"].replace("\r\n", "\n").strip() == message.text
    assert '<a href="https://tocsin.test/a/abc" rel="nofollow">' in received["html"]
    headers = received["headers"]
    assert headers["List-Unsubscribe"] == "<https://tocsin.test/u/token>"
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert headers["Auto-Submitted"] == "auto-generated"
    assert headers["Message-ID"].startswith("<delivery-7.")
    assert headers["Message-ID"].endswith("@mna.example.org>")


def test_it_uses_the_rendered_html_when_there_is_one(smtp_server):
    EmailTransport().send([outgoing(1, html="<p>Rendered <b>alert</b></p>")])

    [received] = smtp_server.wait_for(1)
    assert "<p>Rendered <b>alert</b></p>" in received["html"]
    assert "List-Unsubscribe" not in received["headers"]


def test_it_escapes_the_text_in_the_html_it_builds(smtp_server):
    EmailTransport().send([outgoing(1, text="Bring <script>alert(1)</script> & water")])

    [received] = smtp_server.wait_for(1)
    assert "&lt;script&gt;" in received["html"]
    assert "<script>" not in received["html"]


def test_it_fails_only_the_message_whose_address_is_refused(smtp_server):
    messages = [outgoing(1), outgoing(2, "nobody@refused.test"), outgoing(3)]

    first, refused, third = EmailTransport().send(messages)

    assert first.sent and third.sent
    assert not refused.sent
    assert refused.permanent
    assert refused.reason == "address refused"
    assert [m["to"] for m in smtp_server.wait_for(2)] == [
        ["person1@mna.test"],
        ["person3@mna.test"],
    ]
    assert smtp_server.connections == 1


def test_it_fails_a_malformed_address_for_good(smtp_server):
    [result] = EmailTransport().send([outgoing(1, "two@mna.test\r\nBcc: x@mna.test")])

    assert not result.sent
    assert result.permanent
    assert smtp_server.messages == []


def test_it_raises_a_temporary_error_when_the_server_is_down(settings):
    port = free_port()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 2},
        }
    }

    with pytest.raises(TransportError) as raised:
        EmailTransport().send([outgoing(1), outgoing(2)])

    assert raised.value.permanent is False
    assert "ConnectionRefusedError" in raised.value.reason


def test_it_sends_after_the_server_comes_back(smtp_server, settings):
    working = settings.MAILERS
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": free_port(), "timeout": 2},
        }
    }
    with pytest.raises(TransportError):
        EmailTransport().send([outgoing(1)])

    settings.MAILERS = working
    [result] = EmailTransport().send([outgoing(1)])

    assert result.sent
    assert len(smtp_server.wait_for(1)) == 1


def test_it_reports_the_sent_part_of_a_batch_the_server_drops(smtp_server, monkeypatch):
    handler = smtp_server.handler
    original = handler.handle_RCPT

    async def drop_on_third(server, session, envelope, address, rcpt_options):
        if address == "person3@mna.test":
            return "421 4.3.2 Service shutting down"
        return await original(server, session, envelope, address, rcpt_options)

    monkeypatch.setattr(handler, "handle_RCPT", drop_on_third)

    results = EmailTransport().send([outgoing(number) for number in range(1, 5)])

    assert [result.sent for result in results] == [True, True, False, False]
    assert [result.permanent for result in results[2:]] == [False, False]
    assert len(smtp_server.wait_for(2)) == 2


def test_it_raises_a_temporary_error_when_the_first_message_meets_a_busy_server(
    smtp_server, monkeypatch
):
    async def busy(server, session, envelope, address, rcpt_options):
        return "451 4.3.0 Try again later"

    monkeypatch.setattr(smtp_server.handler, "handle_RCPT", busy)

    with pytest.raises(TransportError) as raised:
        EmailTransport().send([outgoing(1), outgoing(2)])

    assert raised.value.permanent is False


def test_a_delivery_keeps_its_message_id_when_sent_again():
    from tocsin.delivery.channels.email.transport import message_id

    assert message_id(7) == message_id(7)
    assert message_id(7) != message_id(8)


def test_a_batch_in_two_languages_keeps_each_message_its_own(smtp_server, settings):
    settings.DEFAULT_FROM_EMAIL = "Tocsin Núñez <alerts@mna.example.org>"
    messages = [
        outgoing(
            1,
            subject="ICE reportado en el Hospital — acción",
            language="es",
            text="Línea uno\n.punto\nhttps://tocsin.test/a/uno",
            link="https://tocsin.test/a/uno",
            unsubscribe_url="https://tocsin.test/a/uno/stop/",
        ),
        outgoing(2, text="Line two https://tocsin.test/a/two", link="https://tocsin.test/a/two"),
        outgoing(3, "nadie@bücher.test", language="es", subject="Otro"),
    ]

    results = EmailTransport().send(messages)

    assert [result.sent for result in results] == [True, True, True]
    first, second, third = smtp_server.wait_for(3)
    assert first["subject"] == "ICE reportado en el Hospital — acción"
    assert first["body"].replace("\r\n", "\n").strip() == messages[0].text
    assert first["headers"]["Content-Language"] == "es"
    assert first["headers"]["From"] == "Tocsin Núñez <alerts@mna.example.org>"
    assert first["headers"]["List-Unsubscribe"] == "<https://tocsin.test/a/uno/stop/>"
    assert "https://tocsin.test/a/two" in second["body"]
    assert "https://tocsin.test/a/two" in second["html"]
    assert "List-Unsubscribe" not in second["headers"]
    assert second["headers"]["Content-Language"] == "en"
    assert second["headers"]["Message-ID"].startswith("<delivery-2.")
    assert third["to"] == ["nadie@xn--bcher-kva.test"]
    assert third["subject"] == "Otro"
    assert smtp_server.connections == 1


def test_a_sender_address_that_is_not_valid_fails_the_batch_for_good(smtp_server, settings):
    settings.DEFAULT_FROM_EMAIL = "alerts@mna.test\r\nBcc: x@mna.test"

    with pytest.raises(TransportError) as raised:
        EmailTransport().send([outgoing(1), outgoing(2)])

    assert raised.value.permanent is True
    assert smtp_server.messages == []


def test_it_keeps_one_connection_across_sends_until_it_has_carried_its_batch(smtp_server, settings):
    settings.TOCSIN_EMAIL_BATCH = 3
    transport = EmailTransport()

    # One message per send(), as the engine hands them over, each marked on its own.
    results = [transport.send([outgoing(number)]) for number in range(1, 6)]
    transport.close()

    assert [result.sent for [result] in results] == [True] * 5
    smtp_server.wait_for(5)
    assert smtp_server.connections == 2  # three messages, then a fresh connection for two
