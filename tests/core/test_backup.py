"""`tocsin backup` writes the data into one archive and refuses to put a key beside it."""

import io
import os
import tarfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from tests.conftest import make_org


def backup(out: Path, keys: Path | None = None) -> str:
    stdout, stderr = io.StringIO(), io.StringIO()
    args = ["backup", "--out", str(out)] + (["--keys", str(keys)] if keys else [])
    call_command(*args, stdout=stdout, stderr=stderr)
    return stdout.getvalue() + stderr.getvalue()


def names_in(out: Path) -> set[str]:
    [archive] = out.glob("*.tar.gz")
    with tarfile.open(archive) as tar:
        return {member.name for member in tar}


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


@pytest.mark.django_db(transaction=True)
def test_it_writes_the_database_media_and_a_manifest(tmp_path, media):
    make_org()
    (media / "imports").mkdir()
    (media / "imports" / "members.csv").write_text("name\nRosa\n")

    said = backup(tmp_path / "out")

    assert "Keys are not in this archive" in said
    names = names_in(tmp_path / "out")
    assert "MANIFEST.json" in names and "media/imports/members.csv" in names
    assert any(name.startswith("database/tocsin.") for name in names)


@pytest.mark.django_db(transaction=True)
def test_it_leaves_out_a_media_file_holding_a_key_and_any_link(tmp_path, media):
    (media / "notes.txt").write_text("nothing secret")
    (media / "oops.env").write_text(f"TOCSIN_BLIND_INDEX_KEY={settings.TOCSIN_BLIND_INDEX_KEY}\n")
    outside = tmp_path / "elsewhere.txt"
    outside.write_text("outside the media")
    (media / "link.txt").symlink_to(outside)

    said = backup(tmp_path / "out")

    assert "Left out media/oops.env" in said
    names = names_in(tmp_path / "out")
    assert "media/notes.txt" in names
    assert "media/oops.env" not in names and "media/link.txt" not in names


@pytest.mark.django_db(transaction=True)
def test_it_refuses_when_the_database_holds_a_key_in_the_clear(tmp_path):
    make_org(slug="leaky", name=settings.TOCSIN_BLIND_INDEX_KEY)

    with pytest.raises(CommandError, match="TOCSIN_BLIND_INDEX_KEY"):
        backup(tmp_path / "out")

    assert list((tmp_path / "out").iterdir()) == []


@pytest.mark.django_db(transaction=True)
def test_it_refuses_to_write_the_keys_beside_the_backups_or_the_data(tmp_path):
    for keys in [tmp_path / "out" / "keys.env", Path(settings.VAR_DIR) / "keys.env"]:
        with pytest.raises(CommandError, match="Write them somewhere else"):
            backup(tmp_path / "out", keys)
        assert not keys.exists()
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


@pytest.mark.django_db(transaction=True)
def test_it_writes_the_keys_once_to_a_file_of_their_own(tmp_path):
    keys = tmp_path / "safe" / "keys.env"

    said = backup(tmp_path / "out", keys)

    assert "Store it somewhere other than the backups" in said
    assert f"TOCSIN_BLIND_INDEX_KEY={settings.TOCSIN_BLIND_INDEX_KEY}" in keys.read_text()
    assert keys.stat().st_mode & 0o777 == 0o600
    with pytest.raises(CommandError, match="exists already"):
        backup(tmp_path / "out2", keys)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_without_pg_dump_it_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))

    with pytest.raises(CommandError, match="postgresql-client"):
        backup(tmp_path / "out")


def test_the_archive_is_readable_by_its_owner_only(tmp_path, transactional_db):
    backup(tmp_path / "out")

    [archive] = (tmp_path / "out").glob("*.tar.gz")
    assert os.stat(archive).st_mode & 0o777 == 0o600
