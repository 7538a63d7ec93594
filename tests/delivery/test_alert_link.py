"""The link in an alert message: which methods it answers, by the alert's kind."""

from django.test import Client
from django.urls import reverse

from tests.conftest import make_person
from tocsin.delivery.models import Alert, Delivery
from tocsin.delivery.rendering import link_token


def link_of(org, person, kind, context) -> str:
    alert = Alert.objects.create(organization=org, kind=kind, context=context)
    delivery = Delivery.objects.create(alert=alert, person=person, channel="email")
    return reverse("delivery:alert_link", kwargs={"token": link_token(delivery.pk)})


def test_a_post_to_the_link_of_a_kind_with_its_own_page_reaches_that_page(org):
    rosa = make_person(org, name="Rosa Reyes")
    link = link_of(org, rosa, Alert.Kind.EVENT, {"event": "proposed", "code": "ev1"})

    response = Client().post(link)

    assert response.status_code == 302
    assert response["Location"] == reverse(
        "campaigns:event", kwargs={"org": org.slug, "event": "ev1"}
    )


def test_a_plain_alert_link_answers_get_and_refuses_post_and_put(org):
    rosa = make_person(org, name="Rosa Reyes")
    link = link_of(org, rosa, Alert.Kind.NOTICE, {"what": "Picket at noon"})
    visitor = Client()

    assert visitor.get(link).status_code == 200
    assert visitor.head(link).status_code == 200
    assert visitor.post(link).status_code == 405
    assert visitor.put(link).status_code == 405
    assert visitor.delete(link).status_code == 405


def test_a_post_to_a_forged_link_is_404(org):
    assert Client().post(reverse("delivery:alert_link", kwargs={"token": "1"})).status_code == 404
