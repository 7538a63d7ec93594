"""Cancelling an event tells everyone going at once and cannot be undone: it asks first."""

from django.urls import reverse

from tocsin.campaigns.models import Event


def test_cancelling_an_event_needs_the_box_ticked(organizer_client, vigil, nnu):
    cancel = reverse("campaigns:event_cancel", kwargs={"org": nnu.slug, "event": vigil.code})
    page = reverse("campaigns:event", kwargs={"org": nnu.slug, "event": vigil.code})

    shown = organizer_client.get(page).content.decode()
    refused = organizer_client.post(cancel, follow=True).content.decode()
    assert Event.objects.get().state == "approved"
    organizer_client.post(cancel, {"confirm": "yes"})

    assert 'name="confirm"' in shown and "Yes, cancel it" in shown
    assert "Tick the box to confirm: everyone going is told at once." in refused
    assert Event.objects.get().state == "cancelled"
