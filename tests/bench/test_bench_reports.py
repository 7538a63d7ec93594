"""`tocsin bench reports` sends reports to a real server and watches the console's stream."""

import json
import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.long


def test_it_times_each_report_and_its_arrival_on_the_console(tmp_path):
    environment = {
        name: value for name, value in os.environ.items() if name != "DJANGO_SETTINGS_MODULE"
    }
    environment["TOCSIN_VAR_DIR"] = str(tmp_path)
    finished = subprocess.run(
        [sys.executable, "-m", "tocsin", "bench", "reports", "--reports", "5", "--sites", "2"],
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
    assert result["reports"] == 5
    assert result["received"] == 5
    assert result["incidents"] == 2
    assert result["errors"] == 0
    assert result["complete"] is True
    assert result["console_s"]["max"] < 5
    assert result["shown_s"]["max"] < 5
    assert result["post_ms"]["max"] < 30_000
    assert result["database"] == "sqlite"
