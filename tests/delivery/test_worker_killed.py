"""A worker killed with SIGKILL in the middle of a fan-out, then started again: every
recipient gets exactly one message on their channel, none missing."""

import os
import signal
import subprocess
import time

import pytest
from django.conf import settings
from huey.contrib.djhuey import HUEY

from tests.conftest import make_person
from tests.faults.servers import database_url, start_tocsin, tocsin_env
from tocsin.accounts.services.people import add_contact
from tocsin.delivery.lanes import queues
from tocsin.delivery.models import Alert, Delivery
from tocsin.delivery.services import create_alert, send_alert

SIGNAL = [f"+161255502{n:02d}" for n in range(10)]
SMS = [f"+161255503{n:02d}" for n in range(6)]
EMAIL = [f"killed{n}@example.org" for n in range(6)]


def start_worker(tmp_path, servers) -> subprocess.Popen:
    """Run `tocsin worker` as its own process on this test's database and queue."""
    env = tocsin_env(
        tmp_path,
        servers,
        database_url(),
        settings.TOCSIN_QUEUE_URL,
        # Slow and small, so that the kill lands between requests in the middle of it all.
        TOCSIN_SIGNAL_BATCH=5,
        TOCSIN_SIGNAL_RATE=2,
        TOCSIN_SMS_RATE=2,
        TOCSIN_EMAIL_BATCH=1,
        TOCSIN_EMAIL_RATE=2,
        TOCSIN_DELIVERY_CHUNK=4,
        TOCSIN_DELIVERY_LEASE_SECONDS=3,
        # A Signal job's lease outlasts two request timeouts (fanout.lease_seconds).
        TOCSIN_SIGNAL_TIMEOUT_SECONDS=1,
        TOCSIN_FALLBACK_SECONDS=3600,
    )
    return start_tocsin(env, "worker", "--workers", "1")


def received(servers) -> list[str]:
    return sorted(
        [m["to"] for m in servers["signal"].messages]
        + [m["to"] for m in servers["sms"].messages]
        + [address for m in servers["email"].messages for address in m["to"]]
    )


@pytest.fixture
def queue():
    HUEY.immediate = False
    for lane in queues().values():
        lane.flush()
    yield HUEY
    for lane in queues().values():
        lane.flush()
    HUEY.immediate = True


@pytest.mark.fault
@pytest.mark.django_db(transaction=True)
def test_a_killed_worker_started_again_sends_each_message_exactly_once(
    org, smtp_server, signal_server, sms_gateway, queue, tmp_path
):
    servers = {"email": smtp_server, "signal": signal_server, "sms": sms_gateway}
    for channel, addresses in (("signal", SIGNAL), ("sms", SMS), ("email", EMAIL)):
        for address in addresses:
            add_contact(make_person(org, name=address), channel, address, confirmed=True)
    alert = send_alert(
        create_alert(org, Alert.Kind.NOTICE, {"what": "Vigil at 5"}, {"whole_organizations": True})
    )
    everyone = sorted(SIGNAL + SMS + EMAIL)

    worker = start_worker(tmp_path, servers)
    try:
        deadline = time.monotonic() + 60
        while len(received(servers)) < 5 and time.monotonic() < deadline:
            time.sleep(0.02)
        # Just after an answer, the worker sleeps in the rate limiter: kill it there.
        time.sleep(0.2)
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
    halfway = received(servers)
    assert 5 <= len(halfway) < len(everyone), "the kill must land in the middle of the fan-out"

    worker = start_worker(tmp_path, servers)
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if Delivery.objects.filter(alert=alert, status="sent").count() == len(everyone):
                break
            time.sleep(0.2)
        time.sleep(1.0)  # anything sent twice would arrive now
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=10)

    assert received(servers) == everyone
    assert Delivery.objects.filter(alert=alert).exclude(status="sent").count() == 0
