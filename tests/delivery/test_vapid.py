import json
import stat

import pytest
from django.core.exceptions import ImproperlyConfigured
from py_vapid import Vapid

from tocsin.delivery.vapid import (
    application_server_key,
    development_vapid_keys,
    generate_vapid_keys,
    vapid_keys,
)


@pytest.fixture
def unset(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.PRODUCTION = False
    settings.TOCSIN_VAPID_PRIVATE_KEY = ""
    settings.TOCSIN_VAPID_PUBLIC_KEY = ""
    settings.TOCSIN_VAPID_SUBJECT = "mailto:admin@mna.example.org"
    return settings


def test_it_makes_a_key_pair_once_outside_production_and_keeps_it_private(unset, tmp_path):
    first = vapid_keys()
    second = vapid_keys()

    assert first == second
    path = tmp_path / "vapid.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(path.read_text())["TOCSIN_VAPID_PUBLIC_KEY"] == first.public_key
    assert application_server_key() == first.public_key
    assert list(tmp_path.iterdir()) == [path]


def test_it_keeps_the_first_pair_when_the_file_exists(tmp_path):
    kept = development_vapid_keys(tmp_path)

    assert development_vapid_keys(tmp_path) == kept


def test_it_refuses_to_push_in_production_without_the_private_key(unset):
    unset.PRODUCTION = True

    with pytest.raises(ImproperlyConfigured, match="TOCSIN_VAPID_PRIVATE_KEY"):
        vapid_keys()


def test_it_reads_a_pem_private_key_and_derives_the_public_key(unset):
    signer = Vapid()
    signer.generate_keys()
    unset.TOCSIN_VAPID_PRIVATE_KEY = signer.private_pem().decode()

    keys = vapid_keys()

    assert keys.signer().public_pem() == signer.public_pem()
    assert len(keys.public_key) == 87  # 65 bytes, base64url without padding


def test_it_refuses_a_public_key_of_another_pair(unset):
    first, second = generate_vapid_keys(), generate_vapid_keys()
    unset.TOCSIN_VAPID_PRIVATE_KEY = first["TOCSIN_VAPID_PRIVATE_KEY"]
    unset.TOCSIN_VAPID_PUBLIC_KEY = second["TOCSIN_VAPID_PUBLIC_KEY"]

    with pytest.raises(ImproperlyConfigured, match="TOCSIN_VAPID_PUBLIC_KEY"):
        vapid_keys()


def test_it_refuses_a_private_key_that_is_not_one(unset):
    unset.TOCSIN_VAPID_PRIVATE_KEY = "not-a-key"

    with pytest.raises(ImproperlyConfigured, match="TOCSIN_VAPID_PRIVATE_KEY"):
        vapid_keys()


@pytest.mark.parametrize("subject", ["admin@mna.example.org", "http://mna.example.org", ""])
def test_it_refuses_a_subject_that_is_not_mailto_or_https(unset, subject):
    unset.TOCSIN_VAPID_SUBJECT = subject

    with pytest.raises(ImproperlyConfigured, match="TOCSIN_VAPID_SUBJECT"):
        vapid_keys()


def test_generate_key_prints_a_vapid_pair_on_request(capsys):
    from tocsin.core.keys import print_new_secrets

    print_new_secrets(["--vapid"])

    lines = dict(line.split("=", 1) for line in capsys.readouterr().out.splitlines() if "=" in line)
    assert set(lines) == {"TOCSIN_VAPID_PRIVATE_KEY", "TOCSIN_VAPID_PUBLIC_KEY"}
