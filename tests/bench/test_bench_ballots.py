"""`tocsin bench ballots` builds a vote on a fresh database and times each cast."""

import json
import os
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.long


def bench(tmp_path, *arguments: str) -> subprocess.CompletedProcess:
    environment = {
        name: value for name, value in os.environ.items() if name != "DJANGO_SETTINGS_MODULE"
    }
    environment["TOCSIN_VAR_DIR"] = str(tmp_path)
    return subprocess.run(
        [sys.executable, "-m", "tocsin", "bench", "ballots", *arguments],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    "database", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def test_it_casts_each_ballot_through_the_service_and_times_it(tmp_path, database):
    arguments = ["--roll", "20", "--casts", "5", "--timeout", "100"]
    if database == "postgresql":
        arguments += ["--database-url", os.environ["TOCSIN_TEST_DATABASE_URL"]]
    finished = bench(tmp_path, *arguments)

    assert finished.returncode == 0, finished.stderr[-2000:]
    lines = finished.stdout.strip().splitlines()
    assert len(lines) == 1
    result = json.loads(lines[0])
    assert result["database"] == database
    assert result["roll"] == 20
    assert result["casts"] == 5
    assert result["complete"] is True
    # Counted in the database by the child, after the casts.
    assert result["counted"] == 5
    assert result["receipts"] == 5
    assert result["pending"] == 15
    cast_ms = result["cast_ms"]
    assert 0 < cast_ms["p50"] <= cast_ms["p95"] <= cast_ms["max"] < 30_000
    assert result["cast_s"] > 0
    assert result["total_s"] >= result["setup_s"] + result["cast_s"] - 0.01
    assert result["peak_rss_mb"] > 0
    # The ballot alert was queued, not sent: no worker ran.
    assert result["jobs_queued"] >= 1


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        (["--roll", "1"], "--roll"),
        (["--roll", "10", "--casts", "0"], "--casts"),
        (["--roll", "10", "--casts", "11"], "--casts"),
    ],
)
def test_it_refuses_a_bad_argument_naming_it(arguments, named):
    with pytest.raises(CommandError, match=named):
        call_command("bench", "ballots", *arguments)
