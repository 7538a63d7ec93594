"""`tocsin check --deploy` names every secret production would refuse, every organization
whose reporting number lacks its own token, and every key file kept beside the data."""

import os
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.checks import run_checks

from tests.demo.conftest import run_tocsin
from tocsin.delivery.channels.signal.about import forget
from tocsin.delivery.models import NoticeChannel

REPO = Path(__file__).resolve().parents[2]


def tocsin_messages() -> list:
    return [m for m in run_checks(include_deployment_checks=True) if m.id.startswith("tocsin.")]


def ids(messages) -> set[str]:
    return {message.id for message in messages}


@pytest.fixture
def real_secrets(settings, tmp_path, signal_server):
    """A configuration with secrets of its own, none kept under the data directory, and a
    Signal gateway that answers (signal-cli-rest-api 0.100 in normal mode)."""
    forget()
    settings.SECRET_KEY = "x7-" + Fernet.generate_key().decode() + "-long-and-random"
    settings.TOCSIN_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    settings.TOCSIN_BLIND_INDEX_KEY = Fernet.generate_key().decode()
    settings.TOCSIN_SMS_TOKEN = "0f3c9a5e7d21b8c4a6e90f1d3b5c7a29"
    settings.TOCSIN_SMS_ACCOUNT = "AC0f3c9a5e7d21b8c4a6e90f1d3b5c7a29"
    settings.TOCSIN_SMS_FROM = "+16125550199"
    settings.TOCSIN_SIGNAL_NUMBER = "+16125550198"
    settings.VAR_DIR = tmp_path / "var"
    settings.MEDIA_ROOT = tmp_path / "var" / "media"
    settings.TOCSIN_VAPID_PRIVATE_KEY = ""
    return settings


def test_it_names_each_demo_secret_of_the_development_defaults(db):
    # The test suite runs on the development defaults: the demo token, the demo numbers and
    # the keys this checkout made for itself under var/.
    messages = tocsin_messages()

    errors = " ".join(m.msg for m in messages if m.id == "tocsin.E001")
    for name in ["TOCSIN_SMS_TOKEN", "TOCSIN_SMS_ACCOUNT", "TOCSIN_SIGNAL_NUMBER"]:
        assert name in errors
    assert "TOCSIN_ENCRYPTION_KEYS is the development secret" in errors
    assert "tocsin.W003" in ids(messages)


def test_it_is_quiet_with_secrets_of_the_operators_own(db, real_secrets):
    assert tocsin_messages() == []


def test_it_names_a_placeholder_password_in_a_url(db, real_secrets):
    real_secrets.TOCSIN_SMTP_URL = "smtp+starttls://USER:PASSWORD@mail.example.org:587"

    [message] = tocsin_messages()

    assert message.id == "tocsin.E001" and "TOCSIN_SMTP_URL" in message.msg
    assert "PASSWORD" not in message.msg


def test_it_names_an_organization_taking_texts_without_a_token(db, real_secrets, org):
    org.report_number = "+16125550150"
    org.save(update_fields=["report_number"])

    [message] = tocsin_messages()

    assert message.id == "tocsin.W002" and org.slug in message.msg


def test_it_names_an_organization_whose_token_is_a_demo_one(db, real_secrets, org):
    org.report_number = "+16125550150"
    org.sms_inbound_token = "demo-token"
    org.save(update_fields=["report_number", "sms_inbound_token"])

    [message] = tocsin_messages()

    assert message.id == "tocsin.E002" and org.slug in message.msg
    assert "demo-token" not in message.msg


def test_it_warns_that_the_old_shared_inbound_token_is_no_longer_read(
    db, real_secrets, monkeypatch
):
    monkeypatch.setenv("TOCSIN_SMS_INBOUND_TOKEN", "the-old-shared-token-1234")

    assert ids(tocsin_messages()) == {"tocsin.W001"}


def test_it_warns_that_the_sms_length_in_characters_is_no_longer_read(
    db, real_secrets, monkeypatch
):
    monkeypatch.setenv("TOCSIN_SMS_MAX_LENGTH", "320")

    [message] = tocsin_messages()

    assert message.id == "tocsin.W001" and "TOCSIN_SMS_MAX_SEGMENTS" in message.msg


def test_it_warns_of_a_credentials_file_under_the_data_directory(db, real_secrets):
    var = Path(real_secrets.VAR_DIR)
    var.mkdir(parents=True)
    (var / "keys.env").write_text("TOCSIN_BLIND_INDEX_KEY=x\n")
    real_secrets.TOCSIN_CREDENTIALS_FILE = str(var / "keys.env")

    [message] = tocsin_messages()

    assert message.id == "tocsin.W003" and "keys.env" in message.msg


def test_it_warns_of_a_credentials_file_beside_the_sqlite_database(db, real_secrets, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    real_secrets.DATABASES = {
        "default": {
            **real_secrets.DATABASES["default"],
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(data / "tocsin.sqlite3"),
        }
    }
    (data / "keys.env").write_text("TOCSIN_BLIND_INDEX_KEY=x\n")
    real_secrets.TOCSIN_CREDENTIALS_FILE = str(data / "keys.env")

    assert "tocsin.W003" in ids(tocsin_messages())


def test_a_credentials_file_apart_from_the_data_is_fine(db, real_secrets, tmp_path):
    etc = tmp_path / "etc"
    etc.mkdir()
    (etc / "keys.env").write_text("TOCSIN_BLIND_INDEX_KEY=x\n")
    real_secrets.TOCSIN_CREDENTIALS_FILE = str(etc / "keys.env")

    assert tocsin_messages() == []


def test_it_warns_when_notices_may_reach_this_machine(db, real_secrets):
    real_secrets.TOCSIN_NOTICE_ALLOWED_NETWORKS = ["10.20.0.0/16", "127.0.0.0/8"]

    [message] = tocsin_messages()

    assert message.id == "tocsin.W004" and "127.0.0.0/8" in message.msg


def test_it_names_a_notice_channel_whose_url_is_no_longer_taken(db, real_secrets, org):
    channel = NoticeChannel.objects.create(
        organization=org, name="Old hook", url="json://127.0.0.1:8081/x", kinds=["notice"]
    )

    [message] = tocsin_messages()

    assert message.id == "tocsin.W005" and channel.code in message.msg
    assert "127.0.0.1" not in message.msg


def test_the_real_command_names_the_problems_by_id(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TOCSIN_", "DJANGO_"))}
    env |= {"DJANGO_SETTINGS_MODULE": "tocsin.settings", "TOCSIN_VAR_DIR": str(tmp_path)}

    result = run_tocsin("check", "--deploy", "--fail-level", "WARNING", env=env)

    assert result.returncode != 0
    assert "tocsin.E001" in result.stderr and "TOCSIN_SMS_TOKEN" in result.stderr
    assert "tocsin.W003" in result.stderr and "development-secrets.json" in result.stderr


@pytest.mark.parametrize(("mode", "version"), [("json-rpc", "0.100"), ("json-rpc", "unset")])
def test_it_warns_of_a_signal_gateway_whose_mode_and_version_hide_failures(
    db, real_secrets, signal_server, mode, version
):
    signal_server.mode, signal_server.version = mode, version

    [message] = tocsin_messages()

    assert message.id == "tocsin.W010"
    assert "json-rpc" in message.msg and "one recipient per request" in message.msg


@pytest.mark.parametrize(("mode", "version"), [("json-rpc", "0.101"), ("normal", "0.100")])
def test_it_is_content_with_a_signal_gateway_that_names_who_failed(
    db, real_secrets, signal_server, mode, version
):
    signal_server.mode, signal_server.version = mode, version

    assert tocsin_messages() == []


def test_it_warns_when_the_signal_gateway_cannot_be_read_or_outwaits_tocsin(
    db, real_secrets, signal_server
):
    real_secrets.TOCSIN_SIGNAL_TIMEOUT_SECONDS = 60

    [message] = tocsin_messages()
    assert message.id == "tocsin.W010" and "TOCSIN_SIGNAL_TIMEOUT_SECONDS (60)" in message.msg

    signal_server.stop()
    [message] = tocsin_messages()
    assert message.id == "tocsin.W010" and "cannot read" in message.msg
