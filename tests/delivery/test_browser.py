"""An admin on a phone sends a notice in Spanish and watches it reach everyone, live."""

import pytest
from playwright.sync_api import expect

from tests.conftest import make_person, sign_in_browser
from tocsin.accounts.roles import Role
from tocsin.accounts.services.people import add_contact

MEMBERS = [
    ("Rosa Reyes", "es", "email", "rosa@example.org"),
    ("Lee Lor", "en", "email", "lee@example.org"),
    ("Tomás Torres", "es", "signal", "+16125550102"),
    ("Amina Ali", "en", "signal", "+16125550103"),
    ("Pablo Pham", "es", "sms", "+16125550104"),
    ("Grace Gomez", "en", "sms", "+16125550105"),
]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_admin_sends_a_notice_and_watches_every_delivery_arrive(
    phone, live_server, org, smtp_server, signal_server, sms_gateway, worker
):
    admin = make_person(
        org, Role.ADMIN, email="admin@mna.test", password="correct horse 42", name="Ada Admin"
    )
    for name, language, channel, address in MEMBERS:
        add_contact(make_person(org, name=name, language=language), channel, address, True)
    sign_in_browser(phone, live_server, admin)
    # Signal is down when the notice goes out, so the page opens with messages still queued.
    signal_server.down()

    phone.goto(f"{live_server.url}/staff/o/{org.slug}/alerts/")
    phone.get_by_role("button", name="Español").click()
    expect(phone.get_by_role("heading", name="Alertas", exact=True)).to_be_visible()
    phone.get_by_label("Mensaje").fill("Asamblea del sindicato a las 6 pm")
    phone.get_by_label("Lugar (opcional)").fill("Cafetería del HCMC")
    phone.get_by_label("Enviar a").select_option("everyone")
    phone.get_by_role("button", name="Enviar el aviso").click()

    phone.wait_for_url(f"**/staff/o/{org.slug}/alerts/*/")
    state = phone.locator('[data-count="state"]')
    expect(state).to_have_text("enviando")
    phone.evaluate("window.notReloaded = true")
    signal_server.up()

    everyone = str(len(MEMBERS) + 1)  # the admin is a member too, on their sign-in email
    expect(phone.locator('[data-count="deliveries.sent"]')).to_have_text(everyone, timeout=30_000)
    expect(state).to_have_text("terminado")
    expect(phone.locator('[data-count="deliveries.queued"]')).to_have_text("0")
    expect(phone.locator('[data-count="deliveries.failed"]')).to_have_text("0")
    for channel, sent in (("email", "3"), ("signal", "2"), ("sms", "2")):
        expect(phone.locator(f'[data-count="by_channel.{channel}.sent"]')).to_have_text(sent)
    assert phone.evaluate("window.notReloaded") is True

    assert sorted(to for m in smtp_server.messages for to in m["to"]) == [
        "admin@mna.test",
        "lee@example.org",
        "rosa@example.org",
    ]
    assert sorted(m["to"] for m in signal_server.messages) == ["+16125550102", "+16125550103"]
    assert sorted(m["to"] for m in sms_gateway.messages) == ["+16125550104", "+16125550105"]
    spanish = next(m for m in signal_server.messages if m["to"] == "+16125550102")
    assert "AVISO" in spanish["text"] and "Asamblea del sindicato" in spanish["text"]
