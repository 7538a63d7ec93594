"""A slow channel beside fast ones: each channel sends at its own rate, and the minute jobs
run on time, because each has its own lane of the worker (decision 0015).

The tests start a real `tocsin worker` on this test's database and queue, and count what
the local SMTP, Signal, SMS and Web Push servers received.
"""

import os
import signal
import subprocess
import time

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from huey.contrib.djhuey import HUEY

from tests.conftest import make_person
from tests.faults.servers import database_url, start_tocsin, tocsin_env
from tocsin.accounts.services.people import add_contact
from tocsin.core.consumers import lane_threads
from tocsin.delivery.lanes import lanes, queue_of, queues
from tocsin.delivery.models import Alert, Delivery
from tocsin.delivery.ratelimit import limiter
from tocsin.delivery.services import create_alert, send_alert
from tocsin.response.inbound_tasks import read_guard_key
from tocsin.response.models import Report
from tocsin.response.services.limits import reset_rate

REPORT_NUMBER = "+16125550160"
REPORTER = "+16125550161"
SMS_RATE = 2  # messages a second: the slow channel
SMS_WINDOW = 4.0  # seconds over which the test counts the SMS


def start_worker(tmp_path, servers, vapid, *arguments: str) -> subprocess.Popen:
    """Run `tocsin worker` as its own process, with its default threads unless told."""
    env = tocsin_env(
        tmp_path,
        servers,
        database_url(),
        settings.TOCSIN_QUEUE_URL,
        TOCSIN_SIGNAL_POLL_SECONDS=2,
        TOCSIN_SMS_RATE=SMS_RATE,
        **vapid,
        TOCSIN_VAPID_SUBJECT=settings.TOCSIN_VAPID_SUBJECT,
        # Small chunks, so that each channel has many jobs, taking turns in the queue.
        TOCSIN_DELIVERY_CHUNK=4,
        TOCSIN_FALLBACK_SECONDS=3600,
    )
    env.pop("TOCSIN_WORKER_THREADS", None)
    return start_tocsin(env, "worker", *arguments)


def stop(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)


def received(servers) -> dict[str, list[str]]:
    """Return who each local server received a message for, by channel."""
    return {
        "email": [address for m in servers["email"].messages for address in m["to"]],
        "signal": [m["to"] for m in servers["signal"].messages],
        "sms": [m["to"] for m in servers["sms"].messages],
        "push": [m["endpoint_id"] for m in servers["push"].messages],
    }


def people(org, channel: str, addresses: list[str]) -> None:
    for address in addresses:
        add_contact(make_person(org, name=address), channel, address, confirmed=True)


def send_notice(org) -> Alert:
    return send_alert(
        create_alert(org, Alert.Kind.NOTICE, {"what": "Vigil at 5"}, {"whole_organizations": True})
    )


@pytest.fixture
def servers(smtp_server, signal_server, sms_gateway, push_service):
    return {"email": smtp_server, "signal": signal_server, "sms": sms_gateway, "push": push_service}


@pytest.fixture
def queue():
    """Every lane's queue on this test's storage, empty before and after."""
    HUEY.immediate = False
    for lane in queues().values():
        lane.flush()
    yield
    for lane in queues().values():
        lane.flush()
    HUEY.immediate = True


@pytest.mark.fault
@pytest.mark.django_db(transaction=True)
def test_a_slow_channel_holds_up_neither_the_other_channels_nor_the_minute_jobs(
    org, servers, vapid, queue, tmp_path
):
    sms = [f"+1612556{n:04d}" for n in range(200)]
    fast = {
        "signal": [f"+1612557{n:04d}" for n in range(40)],
        "email": [f"lane{n}@example.org" for n in range(40)],
    }
    people(org, "sms", sms)
    people(org, "signal", fast["signal"])
    for address in fast["email"]:
        person = make_person(org, name=address)
        add_contact(person, "email", address, confirmed=True)
        # Web push goes in addition to a person's channel.
        subscription = servers["push"].subscribe(vapid["TOCSIN_VAPID_PUBLIC_KEY"])
        add_contact(person, "push", subscription, confirmed=True)
    fast["push"] = list(servers["push"].subscriptions)  # their endpoint ids
    # Members report by Signal on the organization's number; the minute job reads it.
    org.report_number = REPORT_NUMBER
    org.save(update_fields=["report_number"])
    reset_rate(REPORTER)
    limiter().reset(read_guard_key())
    alert = send_notice(org)

    worker = start_worker(tmp_path, servers, vapid)
    try:
        servers["sms"].wait_for(1, timeout=60)
        started = time.monotonic()
        servers["signal"].inbound(REPORTER, "ICE at the loading dock", to=REPORT_NUMBER)

        # Within seconds, while the SMS still go out at 2 a second, the fast channels have
        # sent everything, and the minute job has read the report.
        deadline = started + 10
        while time.monotonic() < deadline:
            now = received(servers)
            if all(len(now[kind]) >= len(fast[kind]) for kind in fast) and Report.objects.exists():
                break
            time.sleep(0.1)
        elapsed = time.monotonic() - started
        now = received(servers)
        reported = list(Report.objects.values_list("raw_text", flat=True))
        # Meanwhile the SMS go on at their own rate: the bucket's burst, then 2 a second.
        time.sleep(max(0.0, started + SMS_WINDOW - time.monotonic()))
        window = time.monotonic() - started
        texted = len(received(servers)["sms"])

        # Stopped with SIGINT, as systemd does: each lane finishes the jobs it is running.
        worker.send_signal(signal.SIGINT)
        assert worker.wait(timeout=20) == 0
    finally:
        stop(worker)

    for kind in fast:
        assert sorted(now[kind]) == sorted(fast[kind]), (
            f"{kind}: {len(now[kind])} of {len(fast[kind])} in {elapsed:.1f}s"
        )
    assert reported == ["ICE at the loading dock"], f"no report read in {elapsed:.1f}s"
    assert SMS_RATE * window / 2 <= texted <= SMS_RATE * (1 + window), f"{texted} in {window:.1f}s"
    # Every SMS that went out before the worker stopped is recorded as sent; the rest wait,
    # queued, for the next worker.
    stopped = received(servers)["sms"]
    assert len(stopped) < len(sms)
    sent = Delivery.objects.filter(alert=alert, channel="sms", status="sent")
    assert sorted(row.contact.address for row in sent.select_related("contact")) == sorted(stopped)


@pytest.mark.django_db(transaction=True)
def test_a_worker_runs_only_the_lanes_it_is_given(org, servers, vapid, queue, tmp_path):
    people(org, "sms", ["+16125580001", "+16125580002"])
    people(org, "email", ["only-lanes-1@example.org", "only-lanes-2@example.org"])
    send_notice(org)

    worker = start_worker(tmp_path, servers, vapid, "--lanes", "general,email")
    try:
        servers["email"].wait_for(2, timeout=30)
        time.sleep(1.5)  # time enough for an SMS, had the worker taken the SMS lane
        assert received(servers)["sms"] == []
        assert queue_of("sms").pending_count() == 1
    finally:
        stop(worker)

    worker = start_worker(tmp_path, servers, vapid, "--lanes", "sms")
    try:
        servers["sms"].wait_for(2, timeout=30)
    finally:
        stop(worker)
    assert sorted(received(servers)["sms"]) == ["+16125580001", "+16125580002"]


def test_it_refuses_a_lane_that_does_not_exist(settings, queue):
    with pytest.raises(CommandError, match="--lanes must name lanes among general, email"):
        call_command("worker", lanes="general,smss")

    settings.TOCSIN_WORKER_THREADS = {"general": 2, "fax": 1}
    with pytest.raises(CommandError, match="TOCSIN_WORKER_THREADS names no such lane: fax"):
        call_command("worker")


def test_each_registered_channel_has_a_lane_beside_the_general_one():
    assert lanes() == ["general", "email", "push", "signal", "sms"]
    assert queue_of("general") is HUEY
    assert queue_of("sms").name == f"{HUEY.name}-sms"


def test_it_reads_the_threads_per_lane_and_refuses_anything_else():
    assert lane_threads("TOCSIN_WORKER_THREADS", " general=2, sms=3,") == {"general": 2, "sms": 3}
    for wrong in ("general", "general=0", "sms=two", "=2", "general=-1"):
        with pytest.raises(ImproperlyConfigured, match="TOCSIN_WORKER_THREADS must list lanes"):
            lane_threads("TOCSIN_WORKER_THREADS", wrong)
