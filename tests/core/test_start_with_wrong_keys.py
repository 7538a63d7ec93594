"""Tocsin refuses to start with keys that do not open its data (issue 14, item 9).

An operator restarts Tocsin with a lost or mistyped key. Before, it started: every page that
decrypts answered 500, and no admin could sign in. Now `tocsin serve`, `tocsin worker` and
`tocsin check` stop at once, naming the setting and what to do.
"""

import pytest
from django.conf import settings

from tests.conftest import make_org, make_person
from tests.demo.conftest import free_port, run_tocsin
from tocsin.accounts.roles import Role

from .conftest import new_key, operator_env

EMAIL = "ada.admin@mna.test"


@pytest.fixture
def stored(transactional_db):
    """An admin with an email, encrypted and blind-indexed under the test's keys."""
    make_person(make_org(), Role.ADMIN, email=EMAIL, password="correct horse 42")


@pytest.mark.parametrize("command", ["serve --port {port}", "worker --workers 1", "check"])
def test_it_will_not_start_with_an_encryption_key_that_opens_nothing(stored, tmp_path, command):
    env = operator_env(tmp_path, TOCSIN_ENCRYPTION_KEYS=new_key())

    refused = run_tocsin(*command.format(port=free_port()).split(), env=env, timeout=30)

    assert refused.returncode != 0
    assert "tocsin.E003" in refused.stderr
    assert "No key in TOCSIN_ENCRYPTION_KEYS opens the data" in refused.stderr
    assert "Set TOCSIN_ENCRYPTION_KEYS to the keys it was written with" in refused.stderr
    assert "Traceback" not in refused.stderr


def test_it_will_not_start_with_another_blind_index_key(stored, tmp_path):
    env = operator_env(tmp_path, TOCSIN_BLIND_INDEX_KEY=new_key())

    refused = run_tocsin("check", env=env, timeout=30)

    assert refused.returncode != 0
    assert "tocsin.E004" in refused.stderr
    assert "TOCSIN_BLIND_INDEX_KEY is not the key this database's look-ups" in refused.stderr


def test_it_starts_with_the_keys_the_data_was_written_with(stored, tmp_path):
    written_with = ",".join(settings.TOCSIN_ENCRYPTION_KEYS)
    # As while rotating: a new key first, the one the data was written with after it.
    env = operator_env(tmp_path, TOCSIN_ENCRYPTION_KEYS=f"{new_key()},{written_with}")

    checked = run_tocsin("check", env=env, timeout=30)

    assert checked.returncode == 0, checked.stderr


def test_an_empty_database_starts_with_any_keys(transactional_db, tmp_path):
    env = operator_env(tmp_path, TOCSIN_ENCRYPTION_KEYS=new_key(), TOCSIN_BLIND_INDEX_KEY=new_key())

    checked = run_tocsin("check", env=env, timeout=30)

    assert checked.returncode == 0, checked.stderr
