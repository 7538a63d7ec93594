"""On her phone, in her language, a nurse opens the link in an event message, RSVPs there,
and is not signed in to her other pages."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tocsin.delivery.models import Alert, Delivery
from tocsin.delivery.rendering import link_token

WORDS = {
    "es": {"going": "Voy a ir", "went": "Vas a ir."},
    "en": {"going": "I'm going", "went": "You're going."},
}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["es", "en"])
def test_she_rsvps_from_the_link_in_her_message_on_her_phone(
    phone_in, live_server, vigil, nurse, language
):
    nurse.language = language
    nurse.save(update_fields=["language"])
    alert = Alert.objects.create(
        organization=vigil.organization,
        kind=Alert.Kind.EVENT,
        context={"event": "reminder", "code": vigil.code},
    )
    delivery = Delivery.objects.create(alert=alert, person=nurse, channel="email")
    link = reverse("delivery:alert_link", kwargs={"token": link_token(delivery.pk)})
    words = WORDS[language]
    phone = phone_in(language)

    phone.goto(live_server.url + link)
    expect(phone.get_by_role("heading", name="Vigil at Kaiser Oakland")).to_be_visible()
    phone.get_by_role("button", name=words["going"]).click()

    expect(phone.get_by_test_id("my-rsvp")).to_contain_text(words["went"])
    expect(phone.get_by_text("3600 Broadway")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.goto(live_server.url + "/me/events/")
    assert phone.url.endswith(reverse("joining:member_link_request"))
