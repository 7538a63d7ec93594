"""A VAPID key changed under live subscriptions: the push service answers 403 (RFC 8292,
4.2), every later push to that subscription would be refused the same way, so the
subscription is forgotten as one that answered 404 or 410 is."""

import pytest
from django.urls import reverse

from tests.conftest import make_person
from tocsin.accounts.models import ContactPoint
from tocsin.accounts.services.people import add_contact
from tocsin.delivery.models import Delivery
from tocsin.delivery.vapid import generate_vapid_keys


@pytest.fixture
def post_notice(admin_client, org, django_capture_on_commit_callbacks):
    def posting(data):
        with django_capture_on_commit_callbacks(execute=True):
            return admin_client.post(reverse("delivery:alerts", kwargs={"org": org.slug}), data)

    return posting


def test_a_subscription_made_for_the_old_key_is_forgotten_after_its_403(
    org, site, smtp_server, push_service, vapid, settings, post_notice
):
    rosa = make_person(org, name="Rosa Reyes", site=site)
    add_contact(rosa, "email", "rosa@example.org", confirmed=True)
    add_contact(
        rosa, "push", push_service.subscribe(vapid["TOCSIN_VAPID_PUBLIC_KEY"]), confirmed=True
    )
    new = generate_vapid_keys()  # the operator made a new key pair
    settings.TOCSIN_VAPID_PRIVATE_KEY = new["TOCSIN_VAPID_PRIVATE_KEY"]
    settings.TOCSIN_VAPID_PUBLIC_KEY = new["TOCSIN_VAPID_PUBLIC_KEY"]

    post_notice({"what": "Picket at noon", "audience": "everyone"})

    assert push_service.requests == 1 and push_service.messages == []
    push = Delivery.objects.get(person=rosa, channel="push")
    assert push.status == Delivery.Status.FAILED
    assert push.reason == "subscription made for another server key"
    assert not ContactPoint.objects.filter(person=rosa, channel="push").exists()
    assert smtp_server.wait_for(1)  # her email went all the same
