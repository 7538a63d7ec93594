"""`tocsin bench fanout` builds its own database, sends through the engine and reports."""

import json
import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.long

FIELDS = {
    "recipients",
    "setup_s",
    "resolve_s",
    "recorded_s",
    "sent_s",
    "deliveries_per_s",
    "peak_rss_mb",
    "database",
    "queue",
    "workers",
    "sent",
}


def test_it_sends_to_every_recipient_and_prints_one_json_line(tmp_path):
    environment = {
        name: value for name, value in os.environ.items() if name != "DJANGO_SETTINGS_MODULE"
    }
    environment["TOCSIN_VAR_DIR"] = str(tmp_path)
    finished = subprocess.run(
        [sys.executable, "-m", "tocsin", "bench", "fanout", "--recipients", "200"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert finished.returncode == 0, finished.stderr[-2000:]
    lines = finished.stdout.strip().splitlines()
    assert len(lines) == 1
    result = json.loads(lines[0])
    assert result.keys() >= FIELDS
    assert result["recipients"] == 200
    assert result["sent"] == 200
    assert result["complete"] is True
    assert result["received"] == {"smtp": 50, "signal": 50, "sms": 50, "push": 50}
    assert result["database"] == "sqlite"
