"""`tocsin bench reports --rate R --processes P` sends reports at a fixed rate, whatever the
answers, to several server processes, and says what each report got."""

import json
import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.long


def test_it_sends_reports_at_a_fixed_rate_to_several_processes_and_counts_the_lost(tmp_path):
    environment = {
        name: value for name, value in os.environ.items() if name != "DJANGO_SETTINGS_MODULE"
    }
    environment["TOCSIN_VAR_DIR"] = str(tmp_path)
    command = ["bench", "reports", "--rate", "10", "--reports", "30", "--sites", "3"]
    finished = subprocess.run(
        [sys.executable, "-m", "tocsin", *command, "--processes", "2"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )

    assert finished.returncode == 0, finished.stderr[-2000:]
    lines = finished.stdout.strip().splitlines()
    assert len(lines) == 1
    result = json.loads(lines[0])
    assert (result["mode"], result["rate"], result["processes"]) == ("rate", 10, 2)
    assert result["sent"] == result["accepted"] == result["stored"] == 30
    assert result["lost"] == 0 and result["complete"] is True
    # Open loop: 30 reports at 10 a second take about 3 seconds to send, answered or not.
    assert 2.5 < result["sending_s"] < 4.5
    assert result["post_ms"]["p50"] <= result["post_ms"]["p99"] <= result["post_ms"]["max"]
    assert result["client_lag_ms"]["p99"] is not None
    assert result["accepted_per_s_per_process"] * 2 == pytest.approx(
        result["accepted_per_s"], abs=0.2
    )
    assert result["server_cpu_ms_per_report"] > 0
    assert result["database"] == "sqlite"
