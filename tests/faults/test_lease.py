"""A chunk that takes several lease lengths to send, with the sweeper running all along: the
job renews its lease as it works, so the sweeper never hands its rows to a second job, and
each person gets one SMS (issue 14, item 3: 125 people got two)."""

import pytest

from tocsin.delivery.models import Alert
from tocsin.delivery.services import create_alert, send_alert

from .sending import SweepClock, enlist, queue_at, twice, wait_for_everyone
from .servers import database_url, start_tocsin, stop_tocsin, tocsin_env, wait_until


@pytest.mark.fault
@pytest.mark.django_db(transaction=True)
def test_a_chunk_that_outlasts_its_lease_is_sent_once_while_the_sweeper_runs(
    org, sms_gateway, redis_server, tmp_path
):
    everyone = enlist(org, sms=80)
    # One chunk of 80 SMS at 10 a second: 8 s, four lease lengths of 2 s.
    env = tocsin_env(
        tmp_path,
        {"sms": sms_gateway},
        database_url(),
        redis_server.url,
        TOCSIN_SMS_RATE=10,
        TOCSIN_DELIVERY_CHUNK=1000,
        TOCSIN_DELIVERY_LEASE_SECONDS=2,
        TOCSIN_FALLBACK_SECONDS=3600,
    )
    worker = start_tocsin(env, "worker", "--workers", "2", log=tmp_path / "worker.log")
    try:
        with queue_at(redis_server.url):
            alert = send_alert(
                create_alert(
                    org, Alert.Kind.NOTICE, {"what": "Vigil at 5"}, {"whole_organizations": True}
                )
            )
        with SweepClock(redis_server.url, every=0.5):
            counts = wait_for_everyone({"sms": sms_gateway}, everyone, 30)
            assert sorted(counts) == sorted(everyone)
            assert twice(counts) == 0
            wait_until(lambda: Alert.objects.get(pk=alert.pk).state == "done", 10)
    finally:
        stop_tocsin(worker)
