"""`tocsin bench suite --keep` reads the outcomes it kept before it runs anything: a file it
cannot read stops it at once with the file's name, and the document stays as it was."""

import shutil
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

DOCUMENT = Path(__file__).resolve().parents[2] / "docs" / "benchmarks.md"


@pytest.mark.parametrize(
    "kept",
    [
        "{not json",
        '{"quick": true, "outcomes": [{"scenario": "fanout-10k", "store": "sqlite"}]}',
    ],
)
def test_a_kept_file_it_cannot_read_stops_it_before_any_scenario_runs(tmp_path, kept):
    document = tmp_path / "benchmarks.md"
    shutil.copy(DOCUMENT, document)
    (tmp_path / "benchmarks.suite.json").write_text(kept)
    before = document.read_text()

    with pytest.raises(CommandError, match=r"benchmarks\.suite\.json is not what `--keep` wrote"):
        call_command(
            "bench",
            "suite",
            *("--quick", "--keep", "--stores", "sqlite", "--only", "ballots"),
            *("--document", str(document)),
        )

    assert document.read_text() == before
