"""Signal's captcha challenge (a 429 with challenge tokens) reaches the admins' pages at once,
with what to do, in their language; the dispatcher's pages stay as they were."""

from datetime import timedelta

import pytest
from django.urls import reverse

from tests.conftest import make_person, verified_client
from tocsin.accounts.roles import Role
from tocsin.delivery.channels.base import Outgoing, TransportError
from tocsin.delivery.channels.signal.about import forget
from tocsin.delivery.channels.signal.transport import SignalTransport
from tocsin.delivery.models import SignalChallenge

TOKEN = "5ad3c1e0-7c2b-4a8e-9f61-0c2d8e4b7a19"


def meet_a_challenge(signal_server, mode: str) -> TransportError | None:
    """Send once through a gateway where Signal asks for a captcha; return what it raised."""
    signal_server.mode, signal_server.version = mode, "0.100"
    signal_server.challenge(TOKEN)
    forget()
    message = Outgoing(1, "+16125550142", "en", "", "ICE at the east entrance")
    try:
        results = SignalTransport().send([message])
    except TransportError as error:
        return error
    assert not results[0].sent and not results[0].permanent
    return None


@pytest.mark.parametrize("mode", ["json-rpc", "normal"])
def test_a_captcha_challenge_is_shown_to_the_admins_at_once_with_what_to_do(
    admin_client, org, signal_server, mode
):
    error = meet_a_challenge(signal_server, mode)

    assert error is None or (not error.permanent and "captcha" in error.reason)
    page = admin_client.get(reverse("staff:members", kwargs={"org": org.slug})).content.decode()
    assert "Signal is holding your alerts: it asks for a captcha" in page
    assert "signalcaptchas.org/challenge/generate.html" in page
    assert TOKEN in page
    assert signal_server.messages == []


def test_the_notice_is_in_spanish_for_a_spanish_speaking_admin(client, org, signal_server):
    admin = make_person(org, Role.ADMIN, email="ana@mna.test", password="x-9 horse", language="es")
    meet_a_challenge(signal_server, "json-rpc")

    page = verified_client(client, admin).get(
        reverse("staff:members", kwargs={"org": org.slug}), HTTP_ACCEPT_LANGUAGE="es"
    )

    assert "Signal está reteniendo sus alertas: pide resolver un captcha" in page.content.decode()


def test_a_dispatcher_does_not_get_the_admins_notice(client, org, signal_server):
    dispatcher = make_person(org, Role.DISPATCHER, email="dee@mna.test", password="x-9 horse")
    meet_a_challenge(signal_server, "json-rpc")

    page = verified_client(client, dispatcher).get(
        reverse("response:console", kwargs={"org": org.slug})
    )

    assert page.status_code == 200
    assert "asks for a captcha" not in page.content.decode()


def test_a_challenge_no_send_meets_any_more_is_taken_as_solved(admin_client, org, signal_server):
    meet_a_challenge(signal_server, "json-rpc")
    SignalChallenge.objects.update(
        last_seen_at=SignalChallenge.objects.get().last_seen_at - timedelta(hours=1)
    )

    page = admin_client.get(reverse("staff:members", kwargs={"org": org.slug})).content.decode()

    assert "asks for a captcha" not in page
