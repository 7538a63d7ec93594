"""A worker killed with SIGKILL in the middle of a large email batch, then started again:
nobody is missing, and at most one message per worker thread (the request each had in
flight) goes twice (issue 14, item 4: 202 went twice when a whole 200-message batch was
marked only at its end)."""

import os
import signal

import pytest

from tocsin.delivery.models import Alert
from tocsin.delivery.services import create_alert, send_alert

from .sending import enlist, queue_at, twice, wait_for_everyone
from .servers import database_url, start_tocsin, stop_tocsin, tocsin_env, wait_until

THREADS = 2


@pytest.mark.fault
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_email_batch_sends_at_most_one_message_per_thread_twice(
    org, smtp_server, redis_server, tmp_path
):
    everyone = enlist(org, email=600)
    env = tocsin_env(
        tmp_path,
        {"email": smtp_server},
        database_url(),
        redis_server.url,
        TOCSIN_EMAIL_BATCH=200,
        TOCSIN_EMAIL_RATE=100,
        TOCSIN_DELIVERY_CHUNK=300,
        TOCSIN_DELIVERY_LEASE_SECONDS=2,
        TOCSIN_FALLBACK_SECONDS=3600,
    )
    worker = start_tocsin(env, "worker", "--workers", str(THREADS), log=tmp_path / "first.log")
    try:
        with queue_at(redis_server.url):
            alert = send_alert(
                create_alert(
                    org, Alert.Kind.NOTICE, {"what": "Vigil at 5"}, {"whole_organizations": True}
                )
            )
        wait_until(lambda: len(smtp_server.messages) >= 150, 30, interval=0.02, what="150 sent")
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        stop_tocsin(worker, signal.SIGKILL)
    halfway = len(smtp_server.messages)
    assert halfway < len(everyone), "the kill must land in the middle of the sending"

    # The new worker sweeps as it starts: the killed one's rows, once their lease runs out.
    worker = start_tocsin(env, "worker", "--workers", str(THREADS), log=tmp_path / "second.log")
    try:
        counts = wait_for_everyone({"email": smtp_server}, everyone, 40)
        assert sorted(counts) == sorted(everyone)
        assert twice(counts) <= THREADS, f"{twice(counts)} sent twice"
        wait_until(lambda: Alert.objects.get(pk=alert.pk).state == "done", 10)
    finally:
        stop_tocsin(worker)
