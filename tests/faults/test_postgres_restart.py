"""PostgreSQL restarted in the middle of a fan-out (issue 14, the fault suite): the alert
settles by itself, every recipient counted at the local servers, none missing, duplicates
within decision 0004's bound.

The world lives on a PostgreSQL cluster of the test's own, which the test stops for a few
seconds while a real `tocsin worker` sends; the queue is a redis-server of its own.
"""

import time
from collections import Counter

import psycopg
import pytest

from tocsin.bench.population import address_of, channel_of

from .servers import run_tocsin, start_tocsin, stop_tocsin, tocsin_env, wait_until

RECIPIENTS = 3000
CHANNELS = ("email", "signal", "sms")
THREADS = 2
SIGNAL_BATCH = 50
DOWN_SECONDS = 4
WORKER = {
    # Fast enough that the fan-out takes seconds, slow enough that the restart lands in it.
    "TOCSIN_SIGNAL_BATCH": SIGNAL_BATCH,
    "TOCSIN_SIGNAL_RATE": 10,
    "TOCSIN_SMS_RATE": 200,
    "TOCSIN_EMAIL_RATE": 200,
    "TOCSIN_DELIVERY_CHUNK": 200,
    "TOCSIN_DELIVERY_LEASE_SECONDS": 10,
    # A Signal job's lease outlasts two request timeouts (fanout.lease_seconds).
    "TOCSIN_SIGNAL_TIMEOUT_SECONDS": 5,
}
# Decision 0004: what a worker had in flight when it lost the database may go twice, at
# most one request per channel and worker thread (a Signal request carries a batch; an
# email or a text message is a request of its own).
BOUND = Counter({"email": THREADS, "signal": THREADS * SIGNAL_BATCH, "sms": THREADS})
# A lease that ran out is swept at the worker's start and then every minute (resume_stalled).
SETTLE_SECONDS = 90


def build_world(recipients: int) -> int:
    """Populate this process's database and send one alert to everyone; return its id.
    (Run inside `tocsin shell` on the throwaway cluster.)"""
    from tocsin.bench.population import populate
    from tocsin.delivery.models import Alert
    from tocsin.delivery.services import create_alert, send_alert

    organization, site = populate(recipients, None, CHANNELS)
    context = {"what": "ICE agents at the emergency entrance", "where": site.name}
    alert = create_alert(organization, Alert.Kind.VERIFIED, context, {"sites": [site.code]})
    return send_alert(alert).pk


def recipients() -> dict[str, str]:
    """Return each recipient's address and channel, as build_world's population has them."""
    found = {}
    for n in range(RECIPIENTS):
        channel = channel_of(n, CHANNELS)
        found[address_of(n, channel, None)[0]] = channel
    return found


def received(servers: dict) -> Counter:
    """Count the messages each address got at the local servers."""
    return Counter(
        [message["to"] for message in servers["signal"].messages]
        + [message["to"] for message in servers["sms"].messages]
        + [address for message in servers["email"].messages for address in message["to"]]
    )


def deliveries(url: str, alert_id: int) -> dict[str, int]:
    """Return the alert's deliveries by status, read straight from the cluster."""
    with psycopg.connect(url.replace("postgres://", "postgresql://", 1)) as db:
        rows = db.execute(
            "SELECT status, count(*) FROM delivery_delivery WHERE alert_id = %s GROUP BY status",
            (alert_id,),
        ).fetchall()
    return dict(rows)


@pytest.mark.fault
def test_a_fan_out_survives_postgres_restarting_in_the_middle(
    postgres_server, redis_server, smtp_server, signal_server, sms_gateway, tmp_path
):
    servers = {"email": smtp_server, "signal": signal_server, "sms": sms_gateway}
    env = tocsin_env(tmp_path, servers, postgres_server.url, redis_server.url, **WORKER)
    run_tocsin(env, "migrate", "--verbosity", "0")
    shell = f"from {__name__} import build_world; print(build_world({RECIPIENTS}))"
    alert_id = int(run_tocsin(env, "shell", "-c", shell).stdout.split()[-1])
    channels = recipients()

    worker = start_tocsin(env, "worker", "--workers", str(THREADS), log=tmp_path / "worker.log")
    try:
        wait_until(lambda: received(servers).total() >= RECIPIENTS // 5, 60, what="sending")
        postgres_server.stop()
        at_stop = received(servers).total()
        time.sleep(DOWN_SECONDS)
        postgres_server.start()
        assert at_stop < RECIPIENTS, "the restart must land in the middle of the fan-out"
        # Nobody steps in: the worker and its sweeper find what is left on their own.
        wait_until(
            lambda: "queued" not in deliveries(postgres_server.url, alert_id),
            SETTLE_SECONDS,
            interval=0.5,
            what="the alert to settle",
        )
        time.sleep(1.0)  # anything sent twice would arrive now
        assert worker.poll() is None, "the worker must live through the restart"
    finally:
        stop_tocsin(worker)

    got = received(servers)
    assert deliveries(postgres_server.url, alert_id) == {"sent": RECIPIENTS}
    assert set(got) == set(channels), "every recipient gets the alert, nobody else"
    twice = Counter(channels[address] for address in (got - Counter(channels.keys())).elements())
    assert twice <= BOUND, f"sent twice: {dict(twice)}, beyond {dict(BOUND)}"
