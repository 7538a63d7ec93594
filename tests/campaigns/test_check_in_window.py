"""Check-in opens TOCSIN_CHECK_IN_OPENS_HOURS (2) before an event starts and closes six
hours after it ends, by the QR and by the button on the member's own event page."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.conftest import member_client
from tocsin.campaigns.models import Event, Rsvp
from tocsin.campaigns.services import rsvps


def starting_in(event, delta):
    length = event.ends_at - event.starts_at
    starts = timezone.now() + delta
    Event.objects.filter(pk=event.pk).update(starts_at=starts, ends_at=starts + length)
    event.refresh_from_db()
    return event


def qr(event):
    return reverse(
        "campaigns:check_in", kwargs={"event": event.code, "secret": event.check_in_secret}
    )


def page(event):
    return reverse("campaigns:my_event", kwargs={"event": event.code})


@pytest.mark.parametrize(
    "starts_in",
    [timedelta(days=51), timedelta(hours=2, minutes=5), -timedelta(hours=8)],
    ids=["51 days before", "just over two hours before", "six hours after it ended"],
)
def test_the_qr_refuses_a_check_in_outside_the_window(client, vigil, nurse, starts_in):
    member_client(client, nurse)
    starting_in(vigil, starts_in)

    response = client.post(qr(vigil))

    assert response.status_code == 400
    assert not Rsvp.objects.filter(person=nurse, checked_in_at__isnull=False).exists()


def test_the_qr_says_when_check_in_opens(client, vigil, nurse):
    member_client(client, nurse)
    starting_in(vigil, timedelta(days=51))

    response = client.post(qr(vigil))

    assert "El registro de llegada abre el" in response.content.decode()


@pytest.mark.parametrize(
    "starts_in",
    [timedelta(hours=1, minutes=55), timedelta(0), -timedelta(hours=3)],
    ids=["two hours before", "as it starts", "after it ended"],
)
def test_the_qr_checks_in_within_the_window(client, vigil, nurse, starts_in):
    member_client(client, nurse)
    starting_in(vigil, starts_in)

    response = client.post(qr(vigil))

    assert response.status_code == 200
    assert Rsvp.objects.get(person=nurse).checked_in_at is not None


def test_a_member_going_checks_in_from_her_own_event_page(client, vigil, shift, nurse):
    member_client(client, nurse)
    rsvps.answer(nurse, vigil, shift)
    starting_in(vigil, timedelta(hours=1))

    shown = client.get(page(vigil)).content.decode()
    done = client.post(page(vigil), {"do": "check_in"}, follow=True).content.decode()

    assert 'value="check_in"' in shown and "Ya llegué: registrar mi llegada" in shown
    assert "Tu llegada está registrada." in done
    assert Rsvp.objects.get(person=nurse).checked_in_at is not None


def test_her_event_page_has_no_check_in_before_the_window(client, vigil, shift, nurse):
    member_client(client, nurse)
    rsvps.answer(nurse, vigil, shift)
    starting_in(vigil, timedelta(days=51))

    shown = client.get(page(vigil)).content.decode()
    refused = client.post(page(vigil), {"do": "check_in"})

    assert 'value="check_in"' not in shown
    assert refused.status_code == 400
    assert "El registro de llegada abre el" in refused.content.decode()
    assert Rsvp.objects.get(person=nurse).checked_in_at is None
