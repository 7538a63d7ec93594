"""The link in an event message opens that event for its recipient: she RSVPs through it
and, at the event, its QR checks her in. It signs nobody in, so whoever holds it (a
forwarded message, a log) reaches that one event and nothing else of hers."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import make_person
from tocsin.accounts.access import MEMBER_SESSION_KEY
from tocsin.campaigns.models import Rsvp
from tocsin.campaigns.services import events as event_services
from tocsin.campaigns.services import rsvps
from tocsin.delivery.models import Alert, Delivery
from tocsin.delivery.rendering import link_token

from .conftest import doors_open, vigil_input

ADDRESS = "3600 Broadway"
MEMBER_PAGES = ("/me/", "/me/contacts/", "/me/follows/", "/me/pledges/", "/me/events/", "/me/plan/")


def message_link(event, person, what="reminder") -> str:
    alert = Alert.objects.create(
        organization=event.organization,
        kind=Alert.Kind.EVENT,
        context={"event": what, "code": event.code},
    )
    delivery = Delivery.objects.create(alert=alert, person=person, channel="email")
    return reverse("delivery:alert_link", kwargs={"token": link_token(delivery.pk)})


def check_in_url(event) -> str:
    return reverse(
        "campaigns:check_in", kwargs={"event": event.code, "secret": event.check_in_secret}
    )


@pytest.fixture
def holder():
    """A browser that has only the link: hers, or anyone's who read it."""
    return Client()


def test_the_link_opens_the_event_in_her_language_without_signing_her_in(holder, vigil, nurse):
    response = holder.get(message_link(vigil, nurse))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Vigil at Kaiser Oakland" in page and "¿Vas a venir?" in page
    assert "no-cache" in response["Cache-Control"]
    assert MEMBER_SESSION_KEY not in holder.session
    for member_page in MEMBER_PAGES:
        refused = holder.get(member_page)
        assert refused.status_code == 302, member_page
        assert refused["Location"] == reverse("joining:member_link_request"), member_page


def test_she_rsvps_to_a_shift_through_the_link_and_sees_the_address(holder, vigil, shift, nurse):
    link = message_link(vigil, nurse)
    before = holder.get(link).content.decode()

    response = holder.post(link, {"do": "rsvp", "shift": shift.code})

    assert ADDRESS not in before
    assert response.status_code == 302 and response["Location"] == link
    after = holder.get(link).content.decode()
    assert ADDRESS in after and "Vas a ir." in after
    rsvp = Rsvp.objects.get(person=nurse)
    assert (rsvp.event, rsvp.shift, rsvp.status) == (vigil, shift, "going")


def test_she_cancels_through_the_link(holder, vigil, nurse):
    rsvps.answer(nurse, vigil)
    link = message_link(vigil, nurse)

    holder.post(link, {"do": "cancel"})

    assert Rsvp.objects.get(person=nurse).status == "cancelled"


def test_a_shift_of_nothing_is_named_and_nothing_is_stored(holder, vigil, nurse):
    response = holder.post(message_link(vigil, nurse), {"do": "rsvp", "shift": "nosuchshift"})

    assert response.status_code == 400
    assert "Elige uno de los turnos de este evento." in response.content.decode()
    assert not Rsvp.objects.exists()


def test_at_the_event_the_qr_checks_in_whoever_opened_her_link_on_this_phone(holder, vigil, nurse):
    holder.get(message_link(vigil, nurse))
    doors_open(vigil)

    shown = holder.get(check_in_url(vigil))
    done = holder.post(check_in_url(vigil))

    assert "Ya llegué: registrar mi llegada" in shown.content.decode()
    assert "Tu llegada está registrada." in done.content.decode()
    assert Rsvp.objects.get(person=nurse).checked_in_at is not None
    assert MEMBER_SESSION_KEY not in holder.session


def test_the_qr_without_her_link_or_member_link_asks_for_a_member_link(holder, vigil):
    response = holder.post(check_in_url(vigil))

    assert response.status_code == 302
    assert response["Location"] == reverse("joining:member_link_request")
    assert not Rsvp.objects.exists()


def test_her_link_to_one_event_checks_her_in_at_no_other(holder, vigil, nurse, organizer, oakland):
    day = timedelta(days=1)
    later = event_services.create_event(
        organizer,
        vigil.organization,
        vigil_input(oakland, starts_at=vigil.starts_at + day, ends_at=vigil.ends_at + day),
    )
    holder.get(message_link(vigil, nurse))

    response = holder.post(check_in_url(later))

    assert response.status_code == 302
    assert not Rsvp.objects.filter(event=later).exists()


def test_the_link_is_404_once_the_event_is_no_longer_hers(holder, vigil, nnu):
    stranger = make_person(nnu, name="Left Soon")
    link = message_link(vigil, stranger)
    stranger.memberships.update(active=False)

    assert holder.get(link).status_code == 404
    assert holder.post(link, {"do": "rsvp"}).status_code == 404
    assert not Rsvp.objects.exists()


def test_a_proposals_link_still_opens_the_organizers_page(holder, vigil, organizer):
    response = holder.get(message_link(vigil, organizer, what="proposed"))

    assert response.status_code == 302
    assert response["Location"] == reverse(
        "campaigns:event", kwargs={"org": vigil.organization.slug, "event": vigil.code}
    )
    assert MEMBER_SESSION_KEY not in holder.session
