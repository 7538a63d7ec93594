"""A real `tocsin worker` reads the Signal gateway's mode and version as it starts, and says
loudly when they would hide failures."""

import os
import select
import signal
import subprocess
import sys
import time

import pytest
from django.conf import settings

from tests.faults.servers import database_url, tocsin_env


def worker_output(tmp_path, signal_server, seconds: float = 20) -> str:
    """Start `tocsin worker --lanes signal` against the stand-in; return what it printed
    before it printed the gateway's mode (or `seconds` passed); then stop it."""
    env = tocsin_env(tmp_path, {"signal": signal_server}, database_url(), settings.TOCSIN_QUEUE_URL)
    worker = subprocess.Popen(
        [sys.executable, "-m", "tocsin", "worker", "--lanes", "signal", "--workers", "1"],
        env=env,
        process_group=0,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: list[str] = []
    try:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            ready, _, _ = select.select([worker.stderr], [], [], deadline - time.monotonic())
            if not ready:
                break
            line = worker.stderr.readline()
            if not line:
                break
            lines.append(line)
            if "Signal gateway:" in line:
                # The warnings follow the mode line at once.
                time.sleep(0.5)
                break
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        # Read the rest through the same reader: lines it already buffered are in it, and
        # communicate() would read past them on the raw pipe.
        rest = worker.stderr.read()
        worker.wait(timeout=10)
    return "".join(lines) + rest


@pytest.mark.django_db(transaction=True)
def test_a_worker_says_at_start_that_json_rpc_0_100_hides_failures(tmp_path, signal_server):
    signal_server.mode, signal_server.version = "json-rpc", "0.100"

    output = worker_output(tmp_path, signal_server)

    assert "Signal gateway: json-rpc mode, version 0.100" in output
    assert "WARNING" in output and "one recipient per request" in output


@pytest.mark.django_db(transaction=True)
def test_a_worker_says_nothing_alarming_of_a_gateway_that_names_who_failed(tmp_path, signal_server):
    signal_server.mode, signal_server.version = "json-rpc", "0.101"

    output = worker_output(tmp_path, signal_server)

    assert "Signal gateway: json-rpc mode, version 0.101" in output
    assert "WARNING" not in output
