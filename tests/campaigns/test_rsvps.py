"""RSVPs: to the event or a shift, the waitlist of a full shift and who takes a freed
place (told by an event alert, in their language), cancelling, and check-in by the QR's
code, with walk-ins."""

import pytest
from django.core.exceptions import ValidationError

from tests.conftest import YEAR, make_person
from tocsin.accounts.roles import Role
from tocsin.accounts.services.people import add_contact
from tocsin.campaigns.models import Event, Rsvp
from tocsin.campaigns.services import check_in as check_in_services
from tocsin.campaigns.services import events as event_services
from tocsin.campaigns.services import rsvps

from .conftest import doors_open


@pytest.fixture
def coworkers(nnu, oakland):
    return [
        make_person(nnu, Role.MEMBER, name=name, language=language, site=oakland)
        for name, language in (("Ana", "en"), ("Bea", "es"), ("Carla", "es"))
    ]


def test_a_full_shift_puts_the_next_person_on_its_waitlist(vigil, shift, coworkers):
    answers = [rsvps.answer(person, vigil, shift) for person in coworkers]

    assert [rsvp.status for rsvp in answers] == ["going", "going", "waitlisted"]


def test_a_cancellation_gives_the_place_to_the_first_on_the_waitlist_and_tells_her(
    vigil, shift, coworkers, sent, smtp_server
):
    ana, _bea, carla = coworkers
    add_contact(carla, "email", "carla@example.org", True)
    for person in coworkers:
        rsvps.answer(person, vigil, shift)

    with sent():
        rsvps.cancel_answer(ana, vigil)

    statuses = dict(Rsvp.objects.values_list("person__display_name", "status"))
    assert statuses == {"Ana": "cancelled", "Bea": "going", "Carla": "going"}
    to_carla = [m for m in smtp_server.messages if m["to"] == ["carla@example.org"]]
    assert len(to_carla) == 1
    assert to_carla[0]["subject"] == "Saliste de la lista de espera: Vigil at Kaiser Oakland"
    assert "Se abrió un lugar: vas a Vigil at Kaiser Oakland." in to_carla[0]["body"]
    assert f"Cuándo: 26 de enero de {YEAR} a las 18:00 (PST)" in to_carla[0]["body"]


def test_answering_twice_changes_nothing(vigil, shift, nurse):
    first = rsvps.answer(nurse, vigil, shift)
    again = rsvps.answer(nurse, vigil, shift)

    assert (again.pk, again.status, Rsvp.objects.count()) == (first.pk, "going", 1)


def test_moving_to_another_shift_frees_the_first_place(vigil, shift, coworkers, organizer):
    ana, _bea, carla = coworkers
    for person in coworkers:
        rsvps.answer(person, vigil, shift)
    later = rsvps.add_shift(organizer, vigil, "Last half hour", vigil.starts_at, vigil.ends_at, 5)

    rsvps.answer(ana, vigil, later)

    statuses = dict(Rsvp.objects.values_list("person__display_name", "status"))
    assert statuses == {"Ana": "going", "Bea": "going", "Carla": "going"}
    assert Rsvp.objects.get(person=carla).shift == shift


def test_a_cancelled_event_takes_no_rsvps(vigil, nurse, organizer):
    event_services.cancel_event(organizer, vigil)

    with pytest.raises(ValidationError) as error:
        rsvps.answer(nurse, vigil)
    assert "event" in error.value.message_dict


def test_a_shift_of_another_event_is_refused(vigil, shift, nurse, nnu, oakland, organizer):
    from .conftest import vigil_input

    other = event_services.create_event(organizer, nnu, vigil_input(oakland, title="Second vigil"))

    with pytest.raises(ValidationError) as error:
        rsvps.answer(nurse, other, shift)
    assert "shift" in error.value.message_dict
    assert not Rsvp.objects.exists()


def test_checking_in_without_an_rsvp_makes_a_walk_in(vigil, nurse):
    doors_open(vigil)
    rsvp = check_in_services.check_in(nurse, vigil)

    assert rsvp.walk_in and rsvp.checked_in_at is not None and rsvp.status == "going"


def test_checking_in_keeps_the_rsvp_and_its_shift(vigil, shift, nurse):
    rsvps.answer(nurse, vigil, shift)

    doors_open(vigil)
    rsvp = check_in_services.check_in(nurse, vigil)

    assert (rsvp.walk_in, rsvp.shift, Rsvp.objects.count()) == (False, shift, 1)


def test_the_check_in_code_matches_only_the_current_secret(vigil, organizer):
    old = vigil.check_in_secret
    renewed = check_in_services.renew_secret(organizer, vigil)

    assert not check_in_services.check_in_matches(renewed, old)
    assert check_in_services.check_in_matches(renewed, renewed.check_in_secret)
    assert not check_in_services.check_in_matches(renewed, "")


def test_a_cancelled_event_tells_everyone_going(vigil, nurse, organizer, sent, smtp_server):
    add_contact(nurse, "email", "rosa@example.org", True)
    rsvps.answer(nurse, vigil)

    with sent():
        event_services.cancel_event(organizer, vigil)

    assert Event.objects.get().state == "cancelled"
    (message,) = [m for m in smtp_server.messages if m["to"] == ["rosa@example.org"]]
    assert message["subject"] == "Cancelado: Vigil at Kaiser Oakland"
