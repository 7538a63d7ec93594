"""The measured part of `tocsin bench fanout`, in a process whose settings name a fresh
database and queue (see fanout.py, which starts it).

Set-up, then: start the local servers and the workers, resolve the audience, send the
alert through create_alert and send_alert, and watch the database until every delivery
exists (recorded) and none is queued (sent), or --max-send-seconds pass. Then stop the
workers (gracefully: each finishes the job it runs), count what was sent, and stop the
servers, so that what the servers received and what the database says was sent are
counted at the same moment; any difference is reported as `in_flight_at_stop`. Print one
JSON line.
"""

import json
import os
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

from django.core.management import call_command
from django.db.models import Count, Max

from tocsin.delivery import lanes
from tocsin.delivery.audience import audience_size
from tocsin.delivery.local_servers.push import LocalPushService
from tocsin.delivery.models import Alert, Delivery
from tocsin.delivery.services import create_alert, send_alert
from tocsin.delivery.vapid import vapid_keys

from .naive import naive_rate
from .population import PushPool, audience_shape, populate, populate_city

SERVER_KINDS = ("smtp", "signal", "sms", "push")
POLL_SECONDS = 0.05
WORKER_START_SECONDS = 1.0
WORKER_READY_SECONDS = 120
WORKER_STOP_SECONDS = 60
# What the local servers are called, by the channel each one receives.
SERVER_OF_CHANNEL = {"email": "smtp", "signal": "signal", "sms": "sms", "push": "push"}


def start_servers(ports: dict[str, int], push_state: Path) -> dict[str, subprocess.Popen[str]]:
    """Start each local channel server in its own process; return them once all listen."""
    servers: dict[str, subprocess.Popen[str]] = {}
    for kind in SERVER_KINDS:
        command = [sys.executable, "-m", "tocsin.bench.servers", kind, str(ports[kind])]
        if kind == "push":
            command.append(str(push_state))
        servers[kind] = subprocess.Popen(  # noqa: S603 (our own command line)
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
    for kind, process in servers.items():
        if process.stdout is None or process.stdout.readline().strip() != "ready":
            raise RuntimeError(f"the local {kind} server did not start")
    return servers


def stop_servers(servers: dict[str, subprocess.Popen]) -> dict[str, dict]:
    """Stop the servers; return what each received ({"received", "requests"})."""
    counts = {}
    for kind, process in servers.items():
        out, _err = process.communicate(input="", timeout=60)
        lines = out.strip().splitlines()
        counts[kind] = json.loads(lines[-1]) if lines else {}
    return counts


def push_pool(url: str, size: int, state: Path, public_key: str) -> PushPool:
    """Make `size` real subscriptions with the local push service's subscribe(), saved to
    `state` for the push service's process."""
    service = LocalPushService(port=int(url.rpartition(":")[2]))
    subscriptions = []
    for _n in range(size):
        subscription = json.loads(service.subscribe(application_server_key=public_key))
        endpoint_id = subscription["endpoint"].rpartition("/")[2]
        keys = subscription["keys"]
        subscriptions.append((endpoint_id, keys["p256dh"], keys["auth"]))
    service.state_path = state
    service.save_state()
    return PushPool(url=url, subscriptions=subscriptions)


def start_workers(count: int, threads: int, log_dir: Path) -> list[subprocess.Popen]:
    workers = []
    for n in range(count):
        log = (log_dir / f"worker-{n}.log").open("w")
        workers.append(
            subprocess.Popen(  # noqa: S603 (our own command line)
                [sys.executable, "-m", "tocsin", "worker", "--workers", str(threads)],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
    return workers


def wait_for_workers(count: int, lanes: int, log_dir: Path, timeout: float) -> float:
    """Wait until every worker's log says each of its lanes' consumers started (Huey's
    "Huey consumer started"), at most `timeout` seconds; return the seconds waited. On a
    loaded machine a worker takes many seconds to start, which the clock must not count."""
    started = time.monotonic()
    logs = [log_dir / f"worker-{n}.log" for n in range(count)]
    while time.monotonic() - started < timeout:
        if all(log.read_text().count("Huey consumer started") >= lanes for log in logs):
            break
        time.sleep(POLL_SECONDS * 4)
    return time.monotonic() - started


def cpu_seconds(pid: int) -> float:
    """Return the CPU time (user and system) a running process has used so far (0 once
    it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def stop_workers(workers: list[subprocess.Popen]) -> str:
    """Stop the workers with SIGINT, which lets each finish the jobs it is running (a chunk
    whose messages are on their way is marked sent); past WORKER_STOP_SECONDS, SIGTERM, then
    SIGKILL. Return "graceful" or how they had to be stopped."""
    how = "graceful"
    for worker in workers:
        worker.send_signal(signal.SIGINT)
    deadline = time.monotonic() + WORKER_STOP_SECONDS
    for worker in workers:
        try:
            worker.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            how = "terminated"
            worker.terminate()
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                how = "killed"
                worker.kill()
                worker.wait()
    return how


def measure(options: dict) -> dict:
    """Run the benchmark in this process's database and queue; return the JSON fields."""

    recipients = options["recipients"]
    work = Path(os.environ["TOCSIN_VAR_DIR"])
    ports = {
        "smtp": int(os.environ["TOCSIN_SMTP_URL"].rpartition(":")[2]),
        "signal": int(os.environ["TOCSIN_SIGNAL_URL"].rpartition(":")[2]),
        "sms": int(os.environ["TOCSIN_SMS_URL"].rpartition(":")[2]),
        "push": int(os.environ["TOCSIN_BENCH_PUSH_PORT"]),
    }
    push_url = f"http://127.0.0.1:{ports['push']}"
    push_state = work / "push-subscriptions.json"

    started = time.monotonic()
    call_command("migrate", verbosity=0)
    pool_size = max(1, min(options["push_pool"], recipients // 4 or 1))
    pool = push_pool(push_url, pool_size, push_state, vapid_keys().public_key)
    if options["population"] == "city":
        city = populate_city(recipients, pool)
        organization, audience_spec, where = city.organization, city.audience, city.where
        shape = city.shape
    else:
        organization, site = populate(recipients, pool)
        audience_spec, where, shape = {"sites": [site.code]}, site.name, {"sites": 1}
    setup_s = time.monotonic() - started

    servers = start_servers(ports, push_state)
    workers = start_workers(options["workers"], options["threads"], work)
    result: dict = {}
    workers_cpu_s = None
    try:
        # Let the consumers start and first poll the queue before the clock starts.
        workers_ready_s = wait_for_workers(
            options["workers"], len(lanes.lanes()), work, WORKER_READY_SECONDS
        )
        time.sleep(WORKER_START_SECONDS)
        alert = create_alert(
            organization,
            Alert.Kind.VERIFIED,
            {
                "what": "ICE agents at the emergency entrance",
                "where": where,
                "since": "10:40",
                "ask": "stay_away",
            },
            audience_spec,
        )
        resolving = time.monotonic()
        audience = audience_size(alert)
        resolve_s = time.monotonic() - resolving

        sent_at = time.time()
        sending = time.monotonic()
        send_alert(alert)
        deliveries = Delivery.objects.filter(alert=alert)
        deadline = sending + options["max_send_seconds"]
        recorded_s = None
        while time.monotonic() < deadline:
            if deliveries.count() >= audience:
                recorded_s = time.monotonic() - sending
                break
            time.sleep(POLL_SECONDS)
        complete = False
        while recorded_s is not None and time.monotonic() < deadline:
            if not deliveries.filter(status=Delivery.Status.QUEUED).exists():
                complete = True
                break
            time.sleep(POLL_SECONDS * 4)
        cut_off_at = time.monotonic()
        workers_cpu_s = sum(cpu_seconds(worker.pid) for worker in workers)
        # Count once the workers have stopped, then stop the servers: what the database
        # says was sent and what the servers received are counted at the same moment.
        stopped = stop_workers(workers)
        waited_s = time.monotonic() - sending
        by_status = dict(deliveries.values_list("status").annotate(n=Count("id")).order_by())
        last = deliveries.filter(status=Delivery.Status.SENT).aggregate(last=Max("sent_at"))["last"]
        sent = by_status.get(Delivery.Status.SENT, 0)
        sent_s = (last.timestamp() - sent_at) if (complete and last) else None
        by_channel = dict(
            deliveries.filter(status=Delivery.Status.SENT)
            .values_list("channel")
            .annotate(n=Count("id"))
            .order_by()
        )
        result = {
            "recipients": recipients,
            "population": options["population"],
            "audience": audience,
            "setup_s": round(setup_s, 3),
            "workers_ready_s": round(workers_ready_s, 3),
            "resolve_s": round(resolve_s, 3),
            "recorded_s": round(recorded_s, 3) if recorded_s is not None else None,
            "sent_s": round(sent_s, 3) if sent_s is not None else None,
            "complete": complete,
            "sent": sent,
            "failed": by_status.get(Delivery.Status.FAILED, 0),
            "queued": by_status.get(Delivery.Status.QUEUED, 0),
            "deliveries_per_s": round(sent / (sent_s if sent_s else waited_s), 1),
            "stopping_s": round(time.monotonic() - cut_off_at, 3),
            "workers_stopped": stopped,
            "by_channel": by_channel,
            "started_at": datetime.fromtimestamp(sent_at).isoformat(timespec="seconds"),
            **{f"population_{name}": value for name, value in shape.items()},
        }
    finally:
        result["cpu_s"] = {
            "workers": round(
                workers_cpu_s
                if workers_cpu_s is not None
                else sum(cpu_seconds(worker.pid) for worker in workers),
                1,
            ),
            **{kind: round(cpu_seconds(server.pid), 1) for kind, server in servers.items()},
            "measuring": round(cpu_seconds(os.getpid()), 1),
        }
        if any(worker.returncode is None for worker in workers):
            stop_workers(workers)
        received = {kind: counts.get("received") for kind, counts in stop_servers(servers).items()}
        result["received"] = received
        # Messages a server received whose rows were not marked sent when the workers
        # stopped: 0 after a graceful stop; a killed worker leaves its batch here.
        if "by_channel" in result:
            result["in_flight_at_stop"] = {
                channel: (received.get(server) or 0) - result["by_channel"].get(channel, 0)
                for channel, server in SERVER_OF_CHANNEL.items()
            }
        for queue in lanes.queues().values():  # every lane's queue, the general one included
            queue.flush()
    if "by_channel" in result:
        result.update(audience_shape(Delivery.objects.filter(alert=alert)))
    if options["naive_sample"]:
        result.update(
            naive_rate(
                options["naive_sample"],
                options["naive_unpaused_sample"] or options["naive_sample"],
                result.get("deliveries_per_s", 0),
            )
        )
    return result
