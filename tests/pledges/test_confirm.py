"""One-tap actions that cannot be undone ask first, in a real browser: the button does
nothing until the box is ticked (no JavaScript needed: the box is `required`), and the
server refuses the form without it too."""

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

from tests.conftest import member_client
from tocsin.pledges.models import Pledge, Signature
from tocsin.pledges.services import pledges as pledge_services
from tocsin.pledges.services import signing

from .conftest import pledge_input


def signed_pledge(organizer, atu, operators_unit, ana) -> Pledge:
    pledge = pledge_services.create_pledge(organizer, atu, pledge_input(operators_unit))
    pledge_services.send_pledge(organizer, pledge)
    signing.sign(ana, pledge)
    return Pledge.objects.get(pk=pledge.pk)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_withdrawing_a_signature_asks_first(
    phone_in, live_server, client, organizer, atu, operators_unit, operators, smtp_server
):
    ana = operators[0]  # reads Spanish
    pledge = signed_pledge(organizer, atu, operators_unit, ana)
    phone = phone_in("es")
    member_client(client, ana)
    phone.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )

    phone.goto(live_server.url + reverse("pledges:my_pledge", kwargs={"pledge": pledge.code}))
    phone.get_by_role("button", name="Retirar mi firma").click()
    phone.wait_for_timeout(500)  # time for a form that did go to come back
    expect(phone.get_by_role("button", name="Retirar mi firma")).to_be_visible()
    assert Signature.objects.filter(pledge=pledge).count() == 1  # nothing happened
    phone.get_by_label("Sí, retirar mi firma").check()
    phone.get_by_role("button", name="Retirar mi firma").click()

    expect(phone.get_by_role("button", name="Me comprometo")).to_be_visible()
    assert Signature.objects.filter(pledge=pledge).count() == 0


def test_the_server_refuses_a_withdrawal_without_the_box(
    client, organizer, atu, operators_unit, operators, smtp_server, sent
):
    ana = operators[0]
    with sent():
        pledge = signed_pledge(organizer, atu, operators_unit, ana)
    member_client(client, ana)

    refused = client.post(
        reverse("pledges:my_pledge", kwargs={"pledge": pledge.code}), {"do": "withdraw"}
    )

    assert refused.status_code == 400
    assert "Marca la casilla para confirmar que retiras tu firma." in refused.content.decode()
    assert Signature.objects.filter(pledge=pledge).count() == 1
