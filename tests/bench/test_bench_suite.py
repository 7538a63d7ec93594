"""`make bench`'s driver (`tocsin bench suite`) runs each scenario in a process of its own and
rewrites only the generated block of docs/benchmarks.md."""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.long

DOCUMENT = Path(__file__).resolve().parents[2] / "docs" / "benchmarks.md"
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"


def quick_suite(environment: dict, *arguments: str) -> subprocess.CompletedProcess:
    """Run `tocsin bench suite --quick --stores sqlite` with these arguments."""
    return subprocess.run(
        [
            *(sys.executable, "-m", "tocsin", "bench", "suite", "--quick"),
            *("--stores", "sqlite", *arguments),
        ],
        env=environment,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


def test_its_quick_mode_rewrites_the_block_with_a_json_line_per_scenario_run(tmp_path):
    document = tmp_path / "benchmarks.md"
    shutil.copy(DOCUMENT, document)
    before = document.read_text()
    environment = {
        name: value for name, value in os.environ.items() if name != "DJANGO_SETTINGS_MODULE"
    }
    environment["TOCSIN_VAR_DIR"] = str(tmp_path)

    finished = quick_suite(
        environment, "--only", "fanout-10k,audience,ballots", "--document", str(document)
    )

    assert finished.returncode == 0, finished.stderr[-2000:]
    summary = json.loads(finished.stdout.strip().splitlines()[-1])
    assert {"fanout-10k/sqlite", "ballots/sqlite"} <= set(summary["ran"])
    after = document.read_text()
    # Everything outside the markers is as it was.
    assert after.partition(BEGIN)[0] == before.partition(BEGIN)[0]
    assert after.partition(END)[2] == before.partition(END)[2]
    block = after.partition(BEGIN)[2].partition(END)[0]
    assert block != before.partition(BEGIN)[2].partition(END)[0]
    sections = re.split(r"^### ", block, flags=re.MULTILINE)[1:]
    assert [section.split(" ", 1)[0] for section in sections] == [
        "fanout-10k",
        "audience",
        "ballots",
    ]
    for section in sections:
        name = section.split(" ", 1)[0]
        assert "load " in section and "`tocsin bench " in section
        lines = [line for line in section.splitlines() if line.startswith("{")]
        if f"{name}/sqlite" in summary["ran"]:
            assert len(lines) == 1
            assert json.loads(lines[0])["database"] == "sqlite"
        else:
            assert lines == []
            assert "not run: " + summary["not_run"][f"{name}/sqlite"] in section
    fanout = json.loads(next(line for line in sections[0].splitlines() if line.startswith("{")))
    assert fanout["sent"] == fanout["recipients"] == 100
    assert "| summed RSS of every process (MB) |" in sections[0]
    assert "Python" in block and "SQLite" in block and "Huey" in block

    # Run one scenario again with --keep: the others' sections stay as they were, and each
    # says when it ran.
    again = quick_suite(environment, "--keep", "--only", "ballots", "--document", str(document))
    assert again.returncode == 0, again.stderr[-2000:]
    kept_block = document.read_text().partition(BEGIN)[2].partition(END)[0]
    kept_sections = re.split(r"^### ", kept_block, flags=re.MULTILINE)[1:]
    assert [section.split(" ", 1)[0] for section in kept_sections] == [
        "fanout-10k",
        "audience",
        "ballots",
    ]
    assert kept_sections[0] == sections[0]
    assert kept_sections[2] != sections[2]
    assert all(re.search(r"run \d{4}-\d\d-\d\d \d\d:\d\d UTC", s) for s in kept_sections)
