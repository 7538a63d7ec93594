"""A channel that answers 500, then hangs, then recovers, in the middle of an alert to three
thousand people: a real `tocsin worker` gets every message out, with no person stepping in,
and duplicates only where a timed-out request may have been delivered (decision 0004,
"Retries and giving up")."""

import time
from collections import Counter

import pytest
from django.conf import settings
from django.db.models import Count
from huey.contrib.djhuey import HUEY

from tocsin.accounts.models import ContactPoint
from tocsin.bench.population import PushPool, populate
from tocsin.delivery.channels.http import HTTP_TIMEOUT_SECONDS, HttpGateway, NoAnswer, basic_auth
from tocsin.delivery.models import Alert, Delivery
from tocsin.delivery.services import create_alert, send_alert
from tocsin.delivery.status import alert_status

from .servers import database_url, start_tocsin, stop_tocsin, tocsin_env, wait_until

# populate() gives people email, Signal, SMS and web push in turn; push is dropped here.
PEOPLE = 4000
PER_CHANNEL = PEOPLE // 4


@pytest.fixture
def queue():
    """The test's own queue, which the real worker reads (jobs no longer run in-process)."""
    HUEY.immediate = False
    HUEY.flush()
    yield HUEY
    HUEY.flush()
    HUEY.immediate = True


@pytest.fixture
def worker_env(tmp_path, smtp_server, signal_server, sms_gateway, queue):
    servers = {"email": smtp_server, "signal": signal_server, "sms": sms_gateway}
    return tocsin_env(
        tmp_path,
        servers,
        database_url(),
        settings.TOCSIN_QUEUE_URL,
        # Rates the local servers can take, so that the test measures faults, not limits.
        TOCSIN_SMS_RATE=500,
        TOCSIN_EMAIL_RATE=1000,
        TOCSIN_SIGNAL_RATE=100,
        # Four SMS jobs, so that several requests are in flight when the gateway hangs.
        TOCSIN_DELIVERY_CHUNK=250,
        # Pauses of 1 s growing to 3 s keep the test short; the default ceiling is proven
        # in tests/delivery/test_retries.py. Hand-over is not what this test is about.
        TOCSIN_DELIVERY_RETRY_FIRST_SECONDS=1,
        TOCSIN_DELIVERY_RETRY_MAX_SECONDS=3,
        TOCSIN_FALLBACK_SECONDS=3600,
    )


def the_people():
    """Create 1,000 people on each of email, Signal and SMS; return their organization."""
    pool = PushPool(url="http://127.0.0.1:9", subscriptions=[("unused", "p256dh", "auth")])
    organization, _site = populate(PEOPLE, pool)
    ContactPoint.objects.filter(channel="push").delete()
    return organization


def received(server) -> Counter:
    """Count the messages each recipient got at a local Signal or SMS server."""
    return Counter(m["to"] for m in server.messages)


def mailed(server) -> Counter:
    """Count the messages each recipient got at the local SMTP server."""
    return Counter(address for m in server.messages for address in m["to"])


@pytest.mark.fault
@pytest.mark.django_db(transaction=True)
def test_an_sms_gateway_failing_then_hanging_then_back_loses_nobody(
    smtp_server, signal_server, sms_gateway, worker_env, tmp_path
):
    organization = the_people()
    sms_gateway.down(status=500)
    alert = send_alert(
        create_alert(
            organization,
            Alert.Kind.NOTICE,
            {"what": "ICE vans at the east entrance", "where": "HCMC"},
            {"whole_organizations": True},
        )
    )
    worker = start_tocsin(worker_env, "worker", "--workers", "4", log=tmp_path / "worker.log")
    try:
        # A while of 500s: every SMS job has been refused and is waiting to retry.
        wait_until(lambda: sms_gateway.requests >= 8, 30, what="SMS jobs answered 500")
        refused = sms_gateway.requests
        # Then the gateway takes requests in and answers nothing, past the client's timeout.
        sms_gateway.hang()
        hanging = time.monotonic()
        wait_until(lambda: sms_gateway.hung >= 1, 30, what="a request to hang")
        time.sleep(max(0.0, HTTP_TIMEOUT_SECONDS + 1 - (time.monotonic() - hanging)))
        sms_gateway.up()

        def settled():
            status = alert_status(alert)
            return status["deliveries"]["queued"] == 0 and status["audience_size"] > 0

        wait_until(settled, 90, interval=0.5, what="every delivery to settle")
        time.sleep(1.0)  # anything sent twice would arrive now
    finally:
        stop_tocsin(worker)

    counts = dict(
        Delivery.objects.filter(alert=alert)
        .values_list("status")
        .annotate(count=Count("id"))
        .order_by()
    )
    assert counts == {"sent": 3 * PER_CHANNEL}
    assert alert_status(alert)["state"] == "done"

    email, signal, sms = mailed(smtp_server), received(signal_server), received(sms_gateway)
    assert (len(email), max(email.values())) == (PER_CHANNEL, 1)
    assert (len(signal), max(signal.values())) == (PER_CHANNEL, 1)
    assert len(sms) == PER_CHANNEL  # nobody missing
    duplicates = sum(sms.values()) - len(sms)
    # At most one per request that hung: its message may have gone out, unrecorded.
    assert duplicates <= sms_gateway.hung, (duplicates, sms_gateway.hung, refused)


def post_one(gateway: HttpGateway, to: str) -> int:
    body = f"To=%2B{to.lstrip('+')}&From=%2B15555550101&Body=Vigil".encode()
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Authorization": basic_auth("AC123", "secret-token"),
    }
    return gateway.post("/2010-04-01/Accounts/AC123/Messages.json", body, headers).status


def test_the_local_gateway_hangs_past_a_timeout_and_answers_late_when_told(sms_gateway):
    client = HttpGateway(sms_gateway.url, service="SMS", timeout=0.5)
    sms_gateway.hang()
    # Written and never answered: NoAnswer, a TransportError that says it may have gone.
    with pytest.raises(NoAnswer, match=r"no answer within 0\.5 s"):
        post_one(client, "+16125550141")
    assert (sms_gateway.hung, received(sms_gateway)) == (1, Counter({"+16125550141": 1}))

    sms_gateway.up()
    sms_gateway.latency(0.3)
    started = time.monotonic()
    assert post_one(client, "+16125550142") == 201
    assert time.monotonic() - started >= 0.3
    client.close()
