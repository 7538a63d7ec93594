"""A channel that keeps failing: the pauses between tries stop growing at a ceiling, and
after the give-up time the delivery fails, the person's next channel gets the message, and
the alert's page says so, in English and Spanish."""

import time
from itertools import pairwise

import pytest
from django.conf import settings
from django.urls import reverse

from tests.conftest import make_person, wait_until
from tocsin.accounts.services.people import add_contact
from tocsin.delivery import retries
from tocsin.delivery.models import Alert, Delivery
from tocsin.delivery.services import create_alert, send_alert

# The Huey scheduler looks at retries due once a second: a pause is observed up to 1 s late.
TICK = 1.0


@pytest.fixture
def quick_policy(settings):
    """The retry policy in seconds instead of minutes: 1, 1.6, 2.56, then 3 s; give up at 12."""
    settings.TOCSIN_DELIVERY_RETRY_FIRST_SECONDS = 1
    settings.TOCSIN_DELIVERY_RETRY_MAX_SECONDS = 3
    settings.TOCSIN_DELIVERY_GIVE_UP_SECONDS = 12
    # Only giving up hands over here, not the minute job's deadline.
    settings.TOCSIN_FALLBACK_SECONDS = 3600
    return settings


def lee(org):
    """A member reached by SMS first and email second."""
    person = make_person(org, name="Lee Lopez")
    add_contact(person, "sms", "+16125550131", confirmed=True, preference=1)
    add_contact(person, "email", "lee@example.org", confirmed=True, preference=2)
    return person


def notice(org, person):
    return send_alert(
        create_alert(
            org,
            Alert.Kind.NOTICE,
            {"what": "Picket moved to gate 3", "where": "HCMC"},
            {"person_ids": [person.pk]},
        )
    )


def test_the_default_pauses_grow_to_a_minute_and_stay_there():
    pauses = [round(retries.delay(attempt), 1) for attempt in range(1, 12)]

    assert pauses == [2.0, 3.2, 5.1, 8.2, 13.1, 21.0, 33.6, 53.7, 60.0, 60.0, 60.0]
    assert retries.delay(1000) == 60.0
    assert retries.delay(3, retry_after=3600) == 60.0  # a server's word, up to the ceiling
    assert retries.delay(3, retry_after=1.5) == 1.5
    assert retries.delay(9, remaining=4.0) == 4.0  # the last try lands on the give-up time


@pytest.mark.fault
@pytest.mark.django_db(transaction=True)
def test_a_gateway_answering_500_is_tried_at_capped_pauses_then_given_up_for_email(
    org, admin_client, smtp_server, sms_gateway, worker, quick_policy
):
    sms_gateway.down(status=500)

    alert = notice(org, lee(org))
    mail = smtp_server.wait_for(1, timeout=30)

    tries = sms_gateway.request_times
    pauses = [later - earlier for earlier, later in pairwise(tries)]
    assert len(pauses) >= 4, pauses
    assert max(pauses) <= 3 + TICK + 0.5, pauses  # never beyond the ceiling
    assert min(pauses[3:-1], default=3) >= 3 - 0.5, pauses  # ... and at it once there
    assert tries[-1] - tries[0] == pytest.approx(12, abs=TICK + 0.5)  # gave up on time

    sms = Delivery.objects.get(alert=alert, channel="sms")
    assert (sms.status, sms.reason) == ("failed", "gave up after 12 seconds: SMS: HTTP 500")
    assert [m["to"] for m in mail] == [["lee@example.org"]]
    wait_until(lambda: Delivery.objects.get(alert=alert, channel="email").status == "sent")
    time.sleep(2 * TICK)
    assert len(sms_gateway.request_times) == len(tries)  # no try after giving up

    page = reverse("delivery:alert", kwargs={"org": org.slug, "alert": alert.public_id})
    english = admin_client.get(page).content.decode()
    assert "Failed deliveries" in english
    assert "gave up after 12 seconds: SMS: HTTP 500" in english
    assert 'data-count="reached">1<' in english
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    spanish = admin_client.get(page).content.decode()
    assert "Envíos fallidos" in spanish
    assert "se dejó de intentar tras 12 segundos: SMS: HTTP 500" in spanish


@pytest.mark.django_db(transaction=True)
def test_a_retry_after_of_an_hour_waits_only_the_ceiling(
    org, smtp_server, sms_gateway, worker, quick_policy
):
    sms_gateway.rate_limit(1, retry_after=3600)

    alert = notice(org, lee(org))
    messages = sms_gateway.wait_for(1, timeout=15)

    first, second = sms_gateway.request_times[:2]
    assert second - first <= 3 + TICK + 0.5
    assert [m["to"] for m in messages] == ["+16125550131"]
    wait_until(lambda: Delivery.objects.get(alert=alert, channel="sms").status == "sent")
    assert smtp_server.messages == []
