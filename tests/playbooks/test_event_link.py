"""An event at a site links that site's playbook, where its page may say where it is."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tocsin.campaigns.models import Event


def vigil_at(org, site, hidden: bool) -> Event:
    starts_at = timezone.now() + timedelta(days=7)
    return Event.objects.create(
        organization=org,
        kind=Event.Kind.VIGIL,
        title="Vigil at Hennepin",
        site=site,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        visibility=Event.Visibility.PUBLIC,
        state=Event.State.APPROVED,
        address_hidden_until_rsvp=hidden,
    )


@pytest.mark.django_db
def test_a_public_event_links_the_playbook_of_its_site_in_the_reader_s_language(org, site):
    event = vigil_at(org, site, hidden=False)

    page = Client(headers={"accept-language": "es"}).get(
        reverse("campaigns:event_public", kwargs={"event": event.code})
    )

    assert page.status_code == 200
    content = page.content.decode()
    assert reverse("playbooks:site", kwargs={"site": site.code}) + "?lang=es" in content
    assert "Conoce tus derechos: qué hacer en este lugar" in content


@pytest.mark.django_db
def test_an_event_whose_place_is_kept_for_people_who_rsvp_does_not_name_it_by_its_playbook(
    org, site
):
    event = vigil_at(org, site, hidden=True)

    page = Client().get(reverse("campaigns:event_public", kwargs={"event": event.code}))

    assert page.status_code == 200
    assert site.code not in page.content.decode()
