import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.imports.conftest import csv_bytes, nurses
from tocsin.accounts.models import Person


@pytest.fixture
def members_file(tmp_path):
    def write(rows, **kwargs):
        path = tmp_path / "members.csv"
        path.write_bytes(csv_bytes(rows, **kwargs))
        return str(path)

    return write


def test_it_imports_and_prints_the_counts(org, site, members_file, capsys):
    path = members_file(nurses(3))

    call_command("import-members", path, "--org", org.slug)
    call_command("import-members", path, "--org", org.slug)

    output = capsys.readouterr().out
    assert "Imported: 3 new, 0 updated, 0 unchanged." in output
    assert "Imported: 0 new, 0 updated, 3 unchanged." in output
    assert Person.objects.count() == 3


def test_it_writes_nothing_on_a_dry_run(org, site, members_file, capsys):
    call_command("import-members", members_file(nurses(2)), "--org", org.slug, "--dry-run")

    assert "Dry run, nothing written: 2 new" in capsys.readouterr().out
    assert Person.objects.count() == 0


def test_it_exits_non_zero_listing_the_bad_rows(org, site, members_file, capsys):
    rows = nurses(3)
    rows[2]["roles"] = "captain"
    path = members_file(rows)

    with pytest.raises(CommandError) as refused:
        call_command("import-members", path, "--org", org.slug)

    # `tocsin import-members` exits with this status and prints the message on stderr.
    assert refused.value.returncode == 1
    assert str(refused.value) == "1 bad row(s) in 3; nothing was imported."
    assert "row 4, roles: Unknown role: captain." in capsys.readouterr().err
    assert Person.objects.count() == 0


def test_it_exits_non_zero_on_a_file_it_cannot_read(org, tmp_path):
    path = tmp_path / "members.csv"
    path.write_bytes("name,email\nPeña,p@x.test\n".encode("cp1252"))

    with pytest.raises(CommandError, match="not UTF-8") as refused:
        call_command("import-members", str(path), "--org", org.slug)

    assert refused.value.returncode == 1


def test_it_refuses_an_unknown_organization_or_a_missing_file(org, members_file, tmp_path):
    with pytest.raises(CommandError, match="No organization"):
        call_command("import-members", members_file(nurses(1)), "--org", "nope")
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import-members", str(tmp_path / "missing.csv"), "--org", org.slug)


def test_it_refuses_a_file_over_the_size_limit_before_reading_it(org, members_file, settings):
    settings.TOCSIN_MAX_CSV_BYTES = 100

    with pytest.raises(CommandError, match="larger than"):
        call_command("import-members", members_file(nurses(10)), "--org", org.slug)
