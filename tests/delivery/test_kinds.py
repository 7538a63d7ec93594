"""Kinds of alert are registered by the apps that send them (tocsin.delivery.kinds).

The test settings install one more app, tests/kindapp, whose alerts.py registers a kind the
delivery engine has never heard of: it goes through the real fan-out to a local channel
server, and its link opens the app's own page. Nothing in tocsin/delivery names it.
"""

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.test import Client
from django.urls import reverse

from tests.conftest import make_person
from tests.kindapp.alerts import SHIFT_SWAP
from tests.kindapp.services import offer_shift
from tocsin.accounts.models import Organization
from tocsin.accounts.services.people import add_contact
from tocsin.api.services.tokens import issue_token
from tocsin.delivery.kinds import AlertKind, find, register
from tocsin.delivery.models import Alert, Delivery
from tocsin.delivery.rendering import link_token, render
from tocsin.delivery.services import create_alert

RENDERED = Path(__file__).with_name("rendered_messages.json")


def the_link_in(text: str) -> str:
    found = re.findall(re.escape(settings.TOCSIN_BASE_URL) + r"/[^\s\"<>]*", text)
    assert found, f"no link in {text!r}"
    return urlsplit(found[-1]).path


@pytest.mark.parametrize("channel", ["email", "signal"])
def test_a_kind_of_its_own_app_is_sent_and_its_link_opens_that_apps_page(
    channel, org, servers, sent
):
    offering = make_person(org, name="Dana Driver")
    taker = make_person(org, name="Rosa Reyes")
    address = {"email": "rosa@kinds.test", "signal": "+16125550142"}[channel]
    add_contact(taker, channel, address, confirmed=True)

    with sent():
        alert = offer_shift(org, offering, [taker], "Friday 6 a.m.")

    [message] = servers[channel].wait_for(1)
    text = message["body"] if channel == "email" else message["text"]
    assert "SHIFT SWAP" in text and "Dana Driver offers their shift: Friday 6 a.m." in text
    delivery = Delivery.objects.get(alert=alert)
    assert delivery.status == Delivery.Status.SENT
    link = the_link_in(text)
    page = Client().get(link)
    assert page.status_code == 200
    assert "Take this shift" in page.content.decode()
    taken = Client().post(link)
    assert "Rosa Reyes, the shift is yours." in taken.content.decode()


def test_the_staff_screens_call_it_by_the_label_its_app_gave_it(admin_client, org, admin):
    alert = offer_shift(org, admin, [admin], "Friday 6 a.m.")

    page = admin_client.get(
        reverse("delivery:alert", kwargs={"org": org.slug, "alert": alert.public_id})
    )

    assert page.status_code == 200
    assert "<h1>shift swap</h1>" in page.content.decode()


def test_the_staff_screens_say_what_is_happening_in_the_words_its_app_gives(
    admin_client, org, admin
):
    offer_shift(org, admin, [admin], "Friday 6 a.m.")

    page = admin_client.get(reverse("delivery:alerts", kwargs={"org": org.slug}))

    assert f"{admin.display_name} offers the shift Friday 6 a.m." in page.content.decode()


def test_it_refuses_an_alert_of_a_kind_no_app_registers_naming_the_field(org):
    with pytest.raises(ValidationError) as refused:
        create_alert(org, "bulletin", {"what": "Hello"}, {"whole_organizations": True})

    assert refused.value.message_dict == {"kind": ["Value 'bulletin' is not a valid choice."]}
    assert not Alert.objects.exists()


def test_an_unsaved_alert_of_a_kind_no_app_registers_does_not_clean(org):
    alert = Alert(organization=org, kind="bulletin")

    with pytest.raises(ValidationError) as refused:
        alert.full_clean()

    assert list(refused.value.message_dict) == ["kind"]


def test_an_alert_kept_from_an_app_since_removed_shows_by_its_name_and_its_link_is_gone(
    admin_client, org, admin
):
    # Written as the app wrote it before it was uninstalled: the registry no longer knows it.
    alert = Alert.objects.create(organization=org, kind="bulletin", state=Alert.State.DONE)
    delivery = Delivery.objects.create(alert=alert, person=admin, channel="email")

    listed = admin_client.get(reverse("delivery:alerts", kwargs={"org": org.slug}))
    link = Client().get(reverse("delivery:alert_link", kwargs={"token": link_token(delivery.pk)}))

    assert listed.status_code == 200
    assert "bulletin" in listed.content.decode()
    assert link.status_code == 404


def test_the_api_shows_an_alert_kept_from_an_app_since_removed(org, admin):
    alert = Alert.objects.create(organization=org, kind="bulletin", state=Alert.State.DONE)
    _token, secret = issue_token(admin, name="test")

    found = Client().get(f"/api/v1/alerts/{alert.public_id}", HTTP_AUTHORIZATION=f"Bearer {secret}")

    assert found.status_code == 200
    assert found.json()["kind"] == "bulletin"


def test_two_kinds_under_one_name_are_refused_at_start():
    with pytest.raises(ImproperlyConfigured):
        register(AlertKind(name="verified", label="verified", priority=1, templates="x/verified"))

    assert find("verified").priority == 100


def test_registering_the_same_kind_again_changes_nothing():
    assert register(SHIFT_SWAP) is SHIFT_SWAP
    assert find("shift_swap") is SHIFT_SWAP


# What the messages of every kind said when delivery held their templates (the file was
# written by the code before the registry); each kind's app holds them now.
BASE = {
    "what": "ICE agents at the gate",
    "where": "Main St plant",
    "since": "11:25 a.m.",
    "until": "1 p.m.",
    "ask": "stay_away",
    "notes": {"en": "Stay safe.", "es": "Cuídense."},
    "console_url": "https://t.example/c/",
    "url": "https://t.example/case/ABC/",
    "case": "ABC123",
    "title": "Vigil for Ana",
    "place": "City Hall",
    "shift": "9-11",
    "when": {"en": "Tue Jan 26, 9 a.m.", "es": "martes 26 de enero, 9", "so": "Talaado"},
    "group": "Local 7",
    "action": "We walk out",
    "threshold_value": 60,
    "deadline": "Jan 30",
    "percent": 62,
    "unit": "Night shift",
    "question": "Strike?",
    "opens": "Mon 9:00",
    "closes": "Fri 17:00",
    "code": "PLG1",
}
VARIANTS = {
    "verified": [
        {},
        {"seen": ["agents_on_foot", "checkpoint"], "what": ""},
        {"ask": "observe", "until": ""},
    ],
    "new_incident": [{}, {"count": 3, "flood": True}, {"count": 1}, {"where": ""}],
    "verify_request": [{}],
    "dispatch": [{}],
    "retraction": [{}],
    "all_clear": [{}, {"since": ""}],
    "notice": [{}, {"where": "", "ask": "none"}],
    "reminder": [{}],
    "hotline": [{"event": "opened"}, {"event": "locked"}, {"event": "task_due"}],
    "pledge": [
        {"event": "invite", "threshold_kind": "percent"},
        {"event": "invite", "threshold_kind": "count"},
        {"event": "on"},
        {"event": "expired"},
    ],
    "ballot": [{"event": "invite"}, {"event": "invite", "opens_later": True}],
    "event": [
        {"event": event, "hours": hours}
        for event, hours in [
            ("reminder", 2),
            ("reminder", 24),
            ("off_waitlist", 0),
            ("cancelled", 0),
            ("proposed", 0),
            ("approved", 0),
            ("declined", 0),
        ]
    ],
}


def rendered_messages() -> dict[str, list[str]]:
    """Render every kind in each of its variants and languages: subject, text, short, html."""
    organization = Organization(name="Local 7 <&> Workers")
    found = {}
    for kind, variants in VARIANTS.items():
        for number, extra in enumerate(variants):
            for language in ("en", "es", "so"):
                alert = Alert(kind=kind, context={**BASE, **extra}, organization=organization)
                rendered = render(alert, language)
                found[f"{kind}/{number}/{language}"] = [
                    rendered.subject,
                    rendered.text,
                    rendered.short,
                    rendered.html,
                ]
    return found


def test_every_kind_says_what_it_said_when_delivery_held_its_templates():
    before = json.loads(RENDERED.read_text())

    now = rendered_messages()

    assert now.keys() == before.keys()
    for key, messages in before.items():
        assert now[key] == messages, key
