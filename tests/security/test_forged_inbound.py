"""A malicious reporter forges texts to an organization's reporting number (issue 13, item 4).

The number is printed on posters, and the webhook's address is public. The attacker posts
thirty texts from random numbers, signed with nothing, with the demo's token, with the SMS
account's token, or with another organization's token (the attacker may be an admin there),
hoping to open incidents and page the dispatchers over and over during a raid. Each gets a
clear 403; nothing is stored and nobody is paged. And production refuses to start at all
with a demo, default or placeholder secret, naming it.
"""

import random
from pathlib import Path

import pytest

from tests.conftest import make_person, twilio_signature
from tests.demo.conftest import production_env, run_tocsin
from tocsin.accounts.roles import Role
from tocsin.accounts.services.organizations import update_organization
from tocsin.delivery.models import Alert, Delivery
from tocsin.response.models import Incident, Report
from tocsin.response.services.reports import reset_rate

REPO = Path(__file__).resolve().parents[2]
URL = "/inbound/sms/"
BASE = "https://tocsin.mna.example.org"
NUMBER = "+16125550150"
OTHER_NUMBER = "+16125550160"
ORG_TOKEN = "mna-gateway-auth-token-5f2c9a41"
OTHER_TOKEN = "seiu-gateway-auth-token-77d1e0b3"


@pytest.fixture(autouse=True)
def _public_address(settings):
    settings.TOCSIN_BASE_URL = BASE


@pytest.fixture
def reporting_org(admin_client, org):
    """The nurses' admin saves their reporting number and their gateway's token."""
    response = admin_client.post(
        f"/staff/o/{org.slug}/settings/",
        {
            "name": org.name,
            "default_language": "en",
            "retention_days": "30",
            "report_number": NUMBER,
            "sms_inbound_token": ORG_TOKEN,
        },
    )
    assert response.status_code == 302
    org.refresh_from_db()
    return org


@pytest.fixture
def dispatcher(org, smtp_server):
    """A dispatcher on call, paged by email when an incident opens."""
    return make_person(
        org, Role.DISPATCHER, email="dispatch@mna.test", password="dispatch horse 42"
    )


@pytest.fixture
def other_reporting_org(other_org, outsider):
    update_organization(
        outsider, other_org, report_number=OTHER_NUMBER, sms_inbound_token=OTHER_TOKEN
    )
    return other_org


def text(client, sender: str, token: str | None, body="ICE at the ambulance bay, 6 agents"):
    params = {
        "From": sender,
        "To": NUMBER,
        "Body": body,
        "MessageSid": f"SM{random.getrandbits(64):016x}",
    }
    headers = (
        {"X-Twilio-Signature": twilio_signature(BASE + URL, params, token)}
        if token is not None
        else {}
    )
    return client.post(URL, params, headers=headers)


def random_sender() -> str:
    return f"+1612555{random.randint(100, 199):04d}"


def test_thirty_forged_texts_open_nothing_and_page_nobody(
    client,
    reporting_org,
    other_reporting_org,
    dispatcher,
    smtp_server,
    settings,
    django_capture_on_commit_callbacks,
):
    tokens = [None, "", "demo-token", settings.TOCSIN_SMS_TOKEN, OTHER_TOKEN, "ACdemo"]
    senders = [random_sender() for _ in range(30)]
    with django_capture_on_commit_callbacks(execute=True):
        answers = [
            text(client, sender, tokens[i % len(tokens)]) for i, sender in enumerate(senders)
        ]

    assert [answer.status_code for answer in answers] == [403] * 30
    assert all("not signed by the SMS gateway" in a.content.decode() for a in answers)
    assert not Report.objects.exists()
    assert not Incident.objects.exists()
    assert not Alert.objects.exists() and not Delivery.objects.exists()
    assert smtp_server.messages == []
    for sender in senders:
        reset_rate(sender)


def test_the_organizations_own_gateway_still_gets_through_and_pages(
    client, reporting_org, dispatcher, smtp_server, django_capture_on_commit_callbacks
):
    sender = random_sender()
    with django_capture_on_commit_callbacks(execute=True):
        answer = text(client, sender, ORG_TOKEN)
    reset_rate(sender)

    assert answer.status_code == 200
    assert Report.objects.get().organization == reporting_org
    assert Alert.objects.filter(kind=Alert.Kind.NEW_INCIDENT).count() == 1
    assert len(smtp_server.messages) == 1


def test_a_token_of_one_organization_does_not_sign_for_another(
    client, reporting_org, other_reporting_org
):
    params = {"From": random_sender(), "To": OTHER_NUMBER, "Body": "ICE", "MessageSid": "SM1"}
    forged = client.post(
        URL, params, headers={"X-Twilio-Signature": twilio_signature(BASE + URL, params, ORG_TOKEN)}
    )

    assert forged.status_code == 403
    assert not Report.objects.exists()


def test_a_reporting_number_cannot_be_saved_without_a_token(admin_client, org):
    response = admin_client.post(
        f"/staff/o/{org.slug}/settings/",
        {
            "name": org.name,
            "default_language": "en",
            "retention_days": "30",
            "report_number": NUMBER,
        },
    )

    assert response.status_code == 400
    assert "sms_inbound_token" in response.context["form"].errors
    assert "SMS gateway token:" in response.content.decode()
    org.refresh_from_db()
    assert org.report_number == ""


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("TOCSIN_SMS_TOKEN", "demo-token"),
        ("TOCSIN_SMS_TOKEN", "PASSWORD"),
        ("TOCSIN_SMS_ACCOUNT", "ACdemo"),
        ("TOCSIN_SIGNAL_NUMBER", "+15555550100"),
        ("TOCSIN_SMTP_URL", "smtp+starttls://USER:PASSWORD@mail.example.org:587"),
        ("TOCSIN_SECRET_KEY", "django-insecure-" + "k" * 50),
        ("TOCSIN_SECRET_KEY", "changeme"),
        ("TOCSIN_BLIND_INDEX_KEY", "short"),
        ("TOCSIN_ENCRYPTION_KEYS", "not-a-fernet-key"),
        ("TOCSIN_VAPID_PRIVATE_KEY", "…"),
    ],
)
def test_production_refuses_to_start_with_a_demo_or_placeholder_secret(tmp_path, name, value):
    result = run_tocsin("check", env=production_env(tmp_path, **{name: value}))

    assert result.returncode != 0
    assert name in result.stderr
    assert "Traceback" not in result.stderr
    assert value not in result.stderr or len(value) < 12


def test_production_refuses_the_development_keys_kept_beside_the_data(tmp_path):
    development = run_tocsin(
        "shell", "-c", "print('ok')", env=production_env(tmp_path, TOCSIN_ENV="development")
    )
    assert development.returncode == 0, development.stderr
    made = (tmp_path / "development-secrets.json").read_text()
    import json

    key = json.loads(made)["TOCSIN_ENCRYPTION_KEYS"]

    result = run_tocsin("check", env=production_env(tmp_path, TOCSIN_ENCRYPTION_KEYS=key))

    assert result.returncode != 0
    assert "TOCSIN_ENCRYPTION_KEYS" in result.stderr and "development" in result.stderr


def test_production_starts_without_any_sms_secret_and_uses_no_demo_one(tmp_path):
    result = run_tocsin(
        "shell",
        "-c",
        "from django.conf import settings as s; "
        "print(repr((s.TOCSIN_SMS_TOKEN, s.TOCSIN_SMS_ACCOUNT, s.TOCSIN_SIGNAL_NUMBER)))",
        env=production_env(tmp_path),
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("('', '', '')")
