"""Answers from the link in an alert: verifiers, responders and the legal van."""

import io

import pytest
from PIL import Image

from tests.conftest import make_person
from tocsin.accounts.roles import Role
from tocsin.accounts.services.people import add_contact
from tocsin.accounts.services.subscriptions import follow_site
from tocsin.delivery.rendering import link_token
from tocsin.response.models import Incident, Photo, Response
from tocsin.response.services import broadcast
from tocsin.response.services.broadcast import AlertFacts

from .conftest import file_report


def person_with_email(org, name, roles=Role.MEMBER, site=None, language="en"):
    person = make_person(org, roles, name=name, site=site, language=language)
    add_contact(person, "email", f"{name.split()[0].lower()}@example.org", True)
    return person


def link_of(alert, person):
    delivery = alert.deliveries.get(person=person)
    return f"/a/{link_token(delivery.pk)}/"


@pytest.fixture
def incident(org, site):
    file_report(org, site=site, activity="Unmarked SUVs at the ambulance bay")
    return Incident.objects.get()


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "gray").save(out, "JPEG")
    return out.getvalue()


def test_a_verifier_answers_confirmed_with_a_photo(
    client, org, incident, verifier, dispatcher, sent
):
    with sent():
        alert = broadcast.request_verification(dispatcher, incident, 2000, "Vests at the bay?")
    link = link_of(alert, verifier)
    html = client.get(link).content.decode()
    assert "Vests at the bay?" in html
    assert "not confirmed" in html and "uncertain" in html
    # A verifier sees only what the request says: not the reports themselves.
    assert "Unmarked SUVs" not in html
    photo = io.BytesIO(jpeg())
    photo.name = "bay.jpg"
    response = client.post(
        link + "answer/", {"status": "confirmed", "note": "Two SUVs", "photo": photo}
    )
    assert response.status_code == 302
    answer = Response.objects.get()
    assert (answer.person, answer.status, answer.note) == (verifier, "confirmed", "Two SUVs")
    assert Photo.objects.get(response=answer).incident == incident
    assert incident.timeline.filter(action="response.verify.answered").exists()
    assert "Your last answer: confirmed" in client.get(link).content.decode()


def test_a_member_gets_the_alert_but_no_answer_buttons(
    client, org, site, incident, dispatcher, sent
):
    rosa = person_with_email(org, "Rosa Reyes")
    follow_site(rosa, org, site)
    with sent():
        alert = broadcast.confirm_incident(
            dispatcher,
            incident,
            AlertFacts(seen=["agents_on_foot"], notes={"en": "Agents at the bay"}),
            1000,
        )
    link = link_of(alert, rosa)
    assert "en route" not in client.get(link).content.decode()
    client.post(link + "answer/", {"status": "en_route"})
    assert not Response.objects.exists()


def test_a_legal_observer_goes_en_route_then_on_scene_then_checks_in(
    client, org, incident, dispatcher, sent
):
    lena = person_with_email(org, "Lena Observer", Role.LEGAL_OBSERVER)
    with sent():
        alert = broadcast.confirm_incident(
            dispatcher,
            incident,
            AlertFacts(seen=["agents_on_foot"], notes={"en": "Agents at the bay"}),
            1000,
        )
    link = link_of(alert, lena)
    html = client.get(link).content.decode()
    assert "en route" in html and "checked in" not in html
    client.post(link + "answer/", {"status": "en_route"})
    client.post(link + "answer/", {"status": "checked_in"})  # not on scene yet: refused
    client.post(link + "answer/", {"status": "on_scene"})
    assert "checked in, safe" in client.get(link).content.decode()
    client.post(link + "answer/", {"status": "checked_in"})
    assert list(Response.objects.values_list("status", flat=True)) == [
        "en_route",
        "on_scene",
        "checked_in",
    ]


def test_the_legal_van_answers_with_an_eta(client, org, incident, dispatcher, sent):
    van = person_with_email(org, "Van Crew", Role.LEGAL_VAN)
    with sent():
        alert = broadcast.dispatch_legal_van(dispatcher, incident)
    link = link_of(alert, van)
    assert "Minutes until you arrive" in client.get(link).content.decode()
    client.post(link + "answer/", {"status": "en_route", "eta_minutes": "abc"})
    assert not Response.objects.exists()
    client.post(link + "answer/", {"status": "en_route", "eta_minutes": "12"})
    assert Response.objects.get().eta_minutes == 12
    entry = incident.timeline.get(action="response.responder.answered")
    assert entry.detail["eta_minutes"] == 12


def test_the_answer_page_speaks_the_verifiers_language(
    client, org, site, incident, dispatcher, sent
):
    vera = person_with_email(org, "Vera Verifier", Role.VERIFIER, site=site, language="es")
    with sent():
        alert = broadcast.request_verification(dispatcher, incident, 2000)
    html = client.get(link_of(alert, vera)).content.decode()
    assert "¿Qué encontraste?" in html and "no confirmado" in html


def test_no_answer_is_taken_once_the_incident_is_over(
    client, org, incident, verifier, dispatcher, sent
):
    with sent():
        alert = broadcast.request_verification(dispatcher, incident, 2000)
    link = link_of(alert, verifier)
    from tocsin.response.services.incidents import dismiss_incident

    dismiss_incident(dispatcher, incident, "false_alarm")
    assert 'value="not_confirmed"' not in client.get(link).content.decode()
    client.post(link + "answer/", {"status": "confirmed"})
    assert not Response.objects.exists()


def test_a_forged_link_answers_404(client):
    assert client.post("/a/forged/answer/", {"status": "confirmed"}).status_code == 404
