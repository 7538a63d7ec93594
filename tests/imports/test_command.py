import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.conftest import make_org, make_site
from tests.demo.conftest import run_tocsin, tocsin_env
from tests.factories import csv_bytes, nurses
from tests.faults.servers import database_url, the_keys
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


@pytest.fixture
def tocsin_command(tmp_path):
    """Run the real `tocsin` command on the test's database, as an operator would."""
    env = tocsin_env(tmp_path / "var", DATABASE_URL=database_url(), **the_keys())

    def run(*args: str):
        return run_tocsin(*args, env=env)

    return run


@pytest.mark.django_db(transaction=True)
def test_the_command_names_the_row_and_column_of_a_nul_and_imports_nothing(
    tmp_path, tocsin_command
):
    org = make_org()
    make_site(org)
    rows = nurses(3)
    rows[1]["name"] = "Nurse\x00Rowan"
    bad, good = tmp_path / "bad.csv", tmp_path / "good.csv"
    bad.write_bytes(csv_bytes(rows))
    good.write_bytes(csv_bytes(nurses(3)))

    refused = tocsin_command("import-members", str(bad), "--org", org.slug)
    dry_run = tocsin_command("import-members", str(good), "--org", org.slug, "--dry-run")

    assert refused.returncode == 1
    assert "row 3, name: This cell holds a NUL character; remove it and try again." in (
        refused.stderr
    )
    assert "1 bad row(s) in 3; nothing was imported." in refused.stderr
    assert "Traceback" not in refused.stderr
    assert "Dry run, nothing written: 3 new, 0 updated, 0 unchanged." in dry_run.stdout


@pytest.mark.django_db(transaction=True)
def test_the_command_refuses_a_file_of_column_names_only(tmp_path, tocsin_command):
    org = make_org()
    path = tmp_path / "members.csv"
    path.write_bytes(csv_bytes([]))

    refused = tocsin_command("import-members", str(path), "--org", org.slug)

    assert refused.returncode == 1
    assert "The file has only its column names and no members" in refused.stderr
    assert "Imported" not in refused.stdout
