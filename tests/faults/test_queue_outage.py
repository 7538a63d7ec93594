"""The queue (Redis) fails under a real worker: the database is the record of what must be
sent, so every recipient still gets exactly one message and the alert settles, with nobody
pressing anything again.

The sweeper (resume_stalled) is a minute job; here a clock enqueues it every second, as the
worker's scheduler does every minute, so that the test takes seconds and not minutes.
"""

import time

import pytest
from django.urls import reverse

from tocsin.delivery.models import Alert, Delivery
from tocsin.delivery.services import create_alert, send_alert

from .sending import SweepClock, enlist, queue_at, received, started, twice, wait_for_everyone
from .servers import database_url, start_tocsin, stop_tocsin, tocsin_env, wait_until

# Fast enough to keep the test short, slow enough that an outage lands mid-way.
RATES = {
    "TOCSIN_SIGNAL_BATCH": 20,
    "TOCSIN_SIGNAL_RATE": 10,
    "TOCSIN_SMS_RATE": 60,
    "TOCSIN_EMAIL_RATE": 60,
    "TOCSIN_DELIVERY_CHUNK": 200,
    "TOCSIN_DELIVERY_LEASE_SECONDS": 3,
    # A Signal job's lease outlasts two request timeouts (fanout.lease_seconds).
    "TOCSIN_SIGNAL_TIMEOUT_SECONDS": 1,
    "TOCSIN_FALLBACK_SECONDS": 3600,
}


def settled(alert: Alert) -> bool:
    alert.refresh_from_db()
    return alert.state == Alert.State.DONE


@pytest.mark.fault
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("stop", ["kill", "shutdown"])
def test_a_queue_restarted_empty_mid_fan_out_strands_no_one_and_sends_no_one_twice(
    stop, org, servers, redis_server, tmp_path
):
    everyone = enlist(org, signal=1000, sms=500, email=500)
    env = tocsin_env(tmp_path, servers, database_url(), redis_server.url, **RATES)
    worker = start_tocsin(env, "worker", "--workers", "2", log=tmp_path / "worker.log")
    try:
        with queue_at(redis_server.url):
            alert = send_alert(
                create_alert(
                    org, Alert.Kind.NOTICE, {"what": "Vigil at 5"}, {"whole_organizations": True}
                )
            )
        wait_until(lambda: sum(received(servers).values()) >= 400, 30, what="400 messages")
        # SIGKILL loses everything Redis held; SHUTDOWN without persistence, the same.
        redis_server.kill() if stop == "kill" else redis_server.shutdown()
        halfway = sum(received(servers).values())
        time.sleep(10)
        redis_server.start()  # empty: no job, no retry, no rate bucket survives
        with SweepClock(redis_server.url, every=1.0):
            counts = wait_for_everyone(servers, everyone, 40)
            assert halfway < len(everyone), "the outage must land in the middle of the sending"
            assert len(counts) == len(everyone), f"{len(everyone) - len(counts)} never sent"
            assert sorted(counts) == sorted(everyone)
            assert twice(counts) == 0
            wait_until(lambda: settled(alert), 10, interval=0.2, what="the alert to settle")
    finally:
        stop_tocsin(worker)
    assert Delivery.objects.filter(alert=alert).exclude(status="sent").count() == 0


@pytest.mark.fault
@pytest.mark.django_db(transaction=True)
def test_an_alert_sent_while_the_queue_is_down_goes_out_when_it_is_back(
    org, admin_client, servers, redis_server, tmp_path
):
    everyone = [*enlist(org, signal=200, sms=100, email=100), "admin@mna.test"]
    env = tocsin_env(tmp_path, servers, database_url(), redis_server.url, **RATES)
    worker = start_tocsin(env, "worker", "--workers", "2", log=tmp_path / "worker.log")
    try:
        wait_until(lambda: started(redis_server.url), 30, what="the worker to start")
        redis_server.kill()
        with queue_at(redis_server.url):
            response = admin_client.post(
                reverse("delivery:alerts", kwargs={"org": org.slug}),
                {"what": "ICE at the main entrance", "audience": "everyone"},
            )
        assert response.status_code == 302  # sent as far as the dispatcher can tell
        alert = Alert.objects.get(organization=org)
        assert alert.state == Alert.State.SENDING
        time.sleep(3)
        redis_server.start()
        with SweepClock(redis_server.url, every=1.0):
            counts = wait_for_everyone(servers, everyone, 30)
            assert len(counts) == len(everyone), f"{len(everyone) - len(counts)} never sent"
            assert sorted(counts) == sorted(everyone)
            assert twice(counts) == 0
            wait_until(lambda: settled(alert), 10, interval=0.2, what="the alert to settle")
    finally:
        stop_tocsin(worker)


@pytest.mark.fault
@pytest.mark.django_db(transaction=True)
def test_a_worker_started_while_the_queue_is_down_waits_for_it_and_then_sends(
    org, servers, redis_server, tmp_path
):
    everyone = enlist(org, signal=20, sms=10, email=10)
    redis_server.kill()
    env = tocsin_env(tmp_path, servers, database_url(), redis_server.url, **RATES)
    worker = start_tocsin(env, "worker", "--workers", "1", log=tmp_path / "worker.log")
    try:
        time.sleep(4)
        log = (tmp_path / "worker.log").read_text()
        assert worker.poll() is None, f"the worker gave up on a queue that was down:\n{log}"
        redis_server.start()
        with queue_at(redis_server.url):
            send_alert(
                create_alert(
                    org, Alert.Kind.NOTICE, {"what": "Vigil at 5"}, {"whole_organizations": True}
                )
            )
        counts = wait_for_everyone(servers, everyone, 30)
        assert sorted(counts) == sorted(everyone)
        assert twice(counts) == 0
    finally:
        stop_tocsin(worker)
