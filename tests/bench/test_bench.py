"""`tocsin bench fanout` builds its own database, sends through the engine and reports what
it measured truthfully: memory summed over its processes, Apprise with and without its
pause, a cut-off run counted after the workers stop, a city-shaped audience."""

import json
import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.long

FIELDS = {
    "recipients",
    "population",
    "setup_s",
    "resolve_s",
    "recorded_s",
    "sent_s",
    "deliveries_per_s",
    "rss_mb_sum_peak",
    "rss_mb_largest_process",
    "database",
    "queue",
    "workers",
    "sent",
}
CITY_RECIPIENTS = 2000


def fanout(*arguments: str, var_dir, timeout: float = 400) -> dict:
    """Run `tocsin bench fanout` as an operator would; return its one JSON line."""
    environment = {
        name: value for name, value in os.environ.items() if name != "DJANGO_SETTINGS_MODULE"
    }
    environment["TOCSIN_VAR_DIR"] = str(var_dir)
    finished = subprocess.run(
        [sys.executable, "-m", "tocsin", "bench", "fanout", *arguments],
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert finished.returncode == 0, finished.stderr[-2000:]
    lines = finished.stdout.strip().splitlines()
    assert len(lines) == 1
    return json.loads(lines[0])


@pytest.fixture(scope="module")
def city_run(tmp_path_factory):
    """One city-shaped run of 2,000, with Apprise timed on four recipients both ways."""
    return fanout(
        "--recipients",
        str(CITY_RECIPIENTS),
        "--population",
        "city",
        "--naive-sample",
        "4",
        var_dir=tmp_path_factory.mktemp("city"),
    )


def test_it_sends_to_every_recipient_and_prints_one_json_line(city_run):
    assert city_run.keys() >= FIELDS
    assert city_run["recipients"] == CITY_RECIPIENTS
    assert city_run["audience"] == CITY_RECIPIENTS
    assert city_run["sent"] == CITY_RECIPIENTS
    assert city_run["complete"] is True
    quarter = CITY_RECIPIENTS // 4
    assert city_run["received"] == {
        "smtp": quarter,
        "signal": quarter,
        "sms": quarter,
        "push": quarter,
    }
    assert city_run["database"] == "sqlite"


def test_its_memory_is_the_sum_of_every_process_not_the_largest_one(city_run):
    at_peak = city_run["rss_mb_at_sum_peak"]

    # Two workers, four local servers, the measuring child and the command itself.
    assert city_run["rss_processes_at_sum_peak"] >= 8
    assert at_peak["workers"] > 0
    assert at_peak["servers"] > 0
    assert city_run["rss_mb_sum_peak"] >= at_peak["workers"] + at_peak["servers"]
    assert city_run["rss_mb_sum_peak"] >= city_run["rss_mb_largest_process"]
    assert city_run["rss_mb_sum_peak"] > 2 * city_run["rss_mb_largest_process"]


def test_it_times_apprise_with_its_pause_and_without_it(city_run):
    # Four recipients: two emails over one connection, two Signal requests 5.5 s apart.
    assert city_run["naive_received"] == 4
    assert city_run["naive_unpaused_received"] == 4
    assert city_run["naive_s"] >= 5.5
    assert city_run["naive_unpaused_s"] < 5.5
    assert city_run["naive_unpaused_per_s"] > 5 * city_run["naive_per_s"]
    engine = city_run["deliveries_per_s"]
    # The ratios are printed to one decimal and computed from the unrounded rates: within
    # 1 %, or within the rounding where 1 % is less than that (4.05 shows as 4.1).
    assert city_run["naive_ratio"] == pytest.approx(
        engine / city_run["naive_per_s"], rel=0.01, abs=0.051
    )
    assert city_run["naive_unpaused_ratio"] == pytest.approx(
        engine / city_run["naive_unpaused_per_s"], rel=0.01, abs=0.051
    )


def test_its_city_audience_spans_hundreds_of_sites_and_several_organizations(city_run):
    assert city_run["population"] == "city"
    assert city_run["population_sites"] >= 1000
    assert city_run["population_organizations"] >= 5
    # The alert misses people: those of organizations that do not share, and those who
    # follow only sites and areas away from it.
    assert city_run["population_people"] > CITY_RECIPIENTS
    assert city_run["audience_sites_followed"] >= 300
    assert city_run["audience_organizations"] >= 3
    assert city_run["audience_area_followers"] > 0
    languages = city_run["audience_languages"]
    assert sum(languages.values()) == CITY_RECIPIENTS
    assert {"en", "es", "so"} <= languages.keys()


def test_a_cut_off_run_counts_what_was_sent_after_the_workers_stop(tmp_path):
    result = fanout(
        "--recipients",
        "40000",
        "--population",
        "site",
        # One worker of one thread a lane: far from done when cut off, even on a quiet machine.
        *("--workers", "1", "--threads", "1"),
        "--max-send-seconds",
        "20",
        var_dir=tmp_path,
    )

    assert result["complete"] is False
    assert 0 < result["sent"] < 40000
    assert result["queued"] > 0
    assert sum(result["by_channel"].values()) == result["sent"]
    server = {"email": "smtp", "signal": "signal", "sms": "sms", "push": "push"}
    in_flight = result["in_flight_at_stop"]
    for channel, name in server.items():
        assert result["by_channel"].get(channel, 0) == (
            result["received"][name] - in_flight[channel]
        )
    if result["workers_stopped"] == "graceful":
        assert set(in_flight.values()) == {0}
