"""A case from the first call to its close: who is told when it opens, what it refuses, how
its state moves (a release is a turn, not the end), who may work it, its tasks and their
reminders, closing and reopening it, and what the audit log keeps of it (codes, states and
counts; never a name, a note or an address)."""

import json
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from tests.conftest import make_person, make_site
from tocsin.accounts.roles import Role
from tocsin.audit.models import AuditEntry
from tocsin.delivery.models import Alert
from tocsin.hotline.access import cases_for, get_case_for
from tocsin.hotline.models import Case, CaseEvent, CaseMessage, CaseTask, Facility
from tocsin.hotline.services.cases import (
    PROGRESS,
    CaseInput,
    add_task,
    assign,
    change_state,
    close_case,
    complete_task,
    log_event,
    open_case,
    remind_due_tasks,
    reopen_case,
    update_details,
)
from tocsin.hotline.services.messages import send_family_update
from tocsin.response.models import Incident

from .conftest import LAWYER_EMAIL, SISTER_PHONE

A_NUMBER = "A123-456-789"
NOTE = "Habló con Miguel en la sala de visitas de Sherburne"
COUSIN = {
    "name": "Tomás Rivera",
    "relation": "relative",
    "channel": "email",
    "address": "tomas.rivera@example.org",
    "language": "es",
}


def refused(call, *args, **kwargs):
    with pytest.raises(ValidationError) as error:
        call(*args, **kwargs)
    return error.value


def fields(error):
    return sorted(error.message_dict)


def new_case(hotline, org, **data):
    data.setdefault("name", "Miguel Rivera")
    return open_case(hotline, org, CaseInput(**data), Case.OpenedVia.CALL)


@pytest.fixture
def case(hotline, org):
    return new_case(hotline, org, taken_where="Outside the ambulance bay", locator=A_NUMBER)


@pytest.fixture
def hugo(org):
    """A second hotline volunteer, who signs in with his own email."""
    return make_person(org, Role.HOTLINE, email="hugo@mna.test", name="Hugo Hotline")


@pytest.fixture
def lawyer(org):
    return make_person(org, Role.LEGAL_OBSERVER, email="lena@mna-legal.test", name="Lena Legal")


def test_a_case_for_someone_a_members_plan_covers_tells_the_plans_people_and_the_hotline(
    plan, org, hotline, sent, sms_gateway, smtp_server
):
    with sent():
        case = open_case(
            hotline,
            org,
            CaseInput(name="Miguel Rivera", agency=Case.Agency.ICE),
            Case.OpenedVia.CALL,
            plan=plan,
        )

    assert (case.plan, case.person, case.opened_by) == (plan, None, hotline)
    [text] = sms_gateway.messages
    assert text["to"] == SISTER_PHONE
    assert "Miguel Rivera fue detenido. Rosa Rivera nos pidió que te avisáramos." in text["text"]
    [email] = [m for m in smtp_server.messages if m["to"] == [LAWYER_EMAIL]]
    assert email["subject"] == "Miguel Rivera has been detained"
    [notice] = [m for m in smtp_server.messages if m["to"] == ["hotline@mna.test"]]
    assert notice["subject"] == f"HOTLINE: new case {case.code}"
    assert "Miguel" not in notice["body"] and "Rosa" not in notice["body"]
    assert Alert.objects.get(kind=Alert.Kind.HOTLINE).audience == {"roles": int(Role.HOTLINE)}
    assert list(case.events.values_list("kind", flat=True)) == ["opened", "notified"]
    assert case.events.get(kind="notified").detail == {"people": 2}


def test_a_case_without_a_plan_tells_only_the_hotline(org, hotline, sent, smtp_server):
    with sent():
        case = new_case(hotline, org)

    assert [m["to"] for m in smtp_server.messages] == [["hotline@mna.test"]]
    assert not CaseMessage.objects.filter(case=case).exists()


def test_it_needs_a_name_or_a_member(org, hotline, nurse):
    assert fields(refused(new_case, hotline, org, name="  ")) == ["name"]

    case = open_case(hotline, org, CaseInput(), Case.OpenedVia.CALL, person=nurse)
    assert case.name == "Rosa Rivera"


def test_it_refuses_a_time_in_the_future(org, hotline):
    later = timezone.now() + timedelta(hours=1)

    assert fields(refused(new_case, hotline, org, taken_at=later)) == ["taken_at"]
    assert not Case.objects.exists()


def test_it_takes_a_clock_a_few_minutes_ahead(org, hotline):
    soon = timezone.now() + timedelta(minutes=5)

    assert new_case(hotline, org, taken_at=soon).taken_at == soon


def test_it_refuses_an_unknown_agency(org, hotline):
    assert fields(refused(new_case, hotline, org, agency="fbi")) == ["agency"]
    assert not Case.objects.exists()


def test_it_refuses_another_organizations_facility(org, other_org, hotline):
    theirs = Facility.objects.create(organization=other_org, name="Sherburne County Jail")

    assert fields(refused(new_case, hotline, org, facility=theirs)) == ["facility"]
    assert not Case.objects.exists()


def test_it_refuses_another_organizations_incident(org, other_org, hotline):
    their_site = make_site(other_org, name="Montefiore, Bronx", lat="40.880000", lng="-73.879000")
    theirs = Incident.objects.create(organization=other_org, site=their_site)

    error = refused(
        open_case, hotline, org, CaseInput(name="Miguel"), Case.OpenedVia.CALL, incident=theirs
    )

    assert fields(error) == ["incident"]
    assert not Case.objects.exists()


def test_it_keeps_the_incident_of_its_own_organization(org, site, hotline):
    incident = Incident.objects.create(organization=org, site=site)

    case = open_case(
        hotline, org, CaseInput(name="Miguel"), Case.OpenedVia.INCIDENT, incident=incident
    )

    assert case.incident == incident
    assert case.events.get(kind="opened").detail["incident"] == str(incident.public_id)


def test_it_names_an_invalid_family_contact(org, hotline):
    family = [COUSIN, {**COUSIN, "channel": "sms", "address": "ask at the bakery"}]

    assert fields(refused(new_case, hotline, org, family=family)) == ["family.1.address"]
    assert not Case.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="hotline.").exists()


def test_it_refuses_a_person_of_another_organization(org, hotline, outsider):
    error = refused(open_case, hotline, org, CaseInput(), Case.OpenedVia.CALL, person=outsider)

    assert fields(error) == ["person"]
    assert not Case.objects.exists()


def test_a_case_goes_forward_through_its_states(case, hotline):
    for state in PROGRESS[1:]:
        case = change_state(hotline, case, state)
        assert case.state == state and case.is_open

    case = change_state(hotline, case, Case.State.RELEASED)

    # A release is a turn in the case, not its end: it stays open until the hotline closes it.
    assert case.is_open and case.ended_at is None and case.locator == A_NUMBER
    states = [e.detail["state"] for e in case.events.filter(kind=CaseEvent.Kind.STATE)]
    assert states == [*PROGRESS[1:], "released"]


def test_a_case_may_skip_ahead(case, hotline):
    assert change_state(hotline, case, Case.State.HEARING_SCHEDULED).state == "hearing_scheduled"


@pytest.mark.parametrize("start", PROGRESS)
@pytest.mark.parametrize("turn", Case.TURNS)
def test_a_case_may_take_a_turn_from_any_state_and_stays_open(case, hotline, start, turn):
    case = change_state(hotline, case, start)

    case = change_state(hotline, case, turn)

    assert case.state == turn and case.is_open and case.ended_at is None


def test_after_a_turn_a_case_goes_on_but_never_back_to_open(case, hotline):
    case = change_state(hotline, case, Case.State.TRANSFERRED)

    case = change_state(hotline, case, Case.State.LOCATED)  # found at the new facility

    assert case.state == "located"
    case = change_state(hotline, case, Case.State.RELEASED)
    assert fields(refused(change_state, hotline, case, Case.State.OPEN)) == ["state"]
    assert change_state(hotline, case, Case.State.HEARING_SCHEDULED).state == "hearing_scheduled"


def test_a_case_never_goes_back(case, hotline):
    case = change_state(hotline, case, Case.State.COUNSEL_ASSIGNED)

    for earlier in (Case.State.OPEN, Case.State.LOCATED):
        assert fields(refused(change_state, hotline, case, earlier)) == ["state"]
    case.refresh_from_db()
    assert case.state == Case.State.COUNSEL_ASSIGNED


def test_it_refuses_a_state_it_does_not_know(case, hotline):
    assert fields(refused(change_state, hotline, case, "deported")) == ["state"]


def test_the_same_state_again_changes_nothing(case, hotline):
    case = change_state(hotline, case, Case.State.LOCATED)

    change_state(hotline, case, Case.State.LOCATED)

    assert case.events.filter(kind=CaseEvent.Kind.STATE).count() == 1


def test_a_released_case_still_takes_its_hearing_task_and_messages(case, hotline, lawyer, sent):
    facility = Facility.objects.create(organization=case.organization, name="Sherburne")
    case = change_state(hotline, case, Case.State.RELEASED)

    log_event(hotline, case, CaseEvent.Kind.HEARING, "Bond hearing", timezone.now())
    update_details(hotline, case, facility=facility, facility_text="", locator="B-1", agency="ice")
    assign(hotline, case, hotline, lawyer)
    task = add_task(hotline, case, "Pay the bond", timezone.now(), None)
    complete_task(hotline, task)

    case.refresh_from_db()
    assert (case.state, case.facility, case.locator, case.legal_partner) == (
        "released",
        facility,
        "B-1",
        lawyer,
    )
    assert CaseTask.objects.get(pk=task.pk).done_at is not None


def test_a_closed_case_refuses_changes(case, hotline, lawyer):
    facility = Facility.objects.create(organization=case.organization, name="Sherburne")
    case = change_state(hotline, case, Case.State.RELEASED)
    case = close_case(hotline, case)
    changes = [
        lambda: close_case(hotline, case),
        lambda: change_state(hotline, case, Case.State.LOCATED),
        lambda: update_details(
            hotline, case, facility=facility, facility_text="", locator=A_NUMBER, agency="ice"
        ),
        lambda: assign(hotline, case, hotline, lawyer),
        lambda: add_task(hotline, case, "Call the consulate", timezone.now(), None),
        lambda: send_family_update(hotline, case, "Salió libre.", [0]),
    ]

    for change in changes:
        assert "This case is closed" in refused(change).messages[0]
    case.refresh_from_db()
    assert (case.state, case.facility, case.locator, case.case_worker) == (
        "released",
        None,
        "",
        None,
    )
    assert not case.tasks.exists()


def test_closing_a_case_keeps_its_state_and_erases_its_locator_at_once(case, hotline):
    case = change_state(hotline, case, Case.State.TRANSFERRED)
    assert case.locator == A_NUMBER

    case = close_case(hotline, case)

    assert (case.state, case.locator) == ("transferred", "")
    assert not case.is_open and case.ended_at is not None
    with connection.cursor() as cursor:
        cursor.execute("SELECT locator FROM hotline_case WHERE id = %s", [case.pk])
        assert cursor.fetchone() == ("",)
    assert Case.objects.get(pk=case.pk).name == "Miguel Rivera"  # the rest waits (retention)


def test_update_details_records_where_the_person_is_held(case, hotline, org, other_org):
    sherburne = Facility.objects.create(organization=org, name="Sherburne County Jail")
    theirs = Facility.objects.create(organization=other_org, name="Elizabeth Detention Center")

    error = refused(
        update_details, hotline, case, facility=theirs, facility_text="", locator="", agency="x"
    )
    assert fields(error) == ["agency", "facility"]

    case = update_details(
        hotline, case, facility=sherburne, facility_text="Pod B", locator="B-77", agency="ice"
    )
    assert (case.facility, case.facility_text, case.locator, case.agency) == (
        sherburne,
        "Pod B",
        "B-77",
        "ice",
    )
    assert case.events.filter(kind=CaseEvent.Kind.NOTE).last().detail == {
        "fields": ["facility", "facility_text", "locator", "agency"]
    }


def test_it_logs_a_call_a_visit_a_hearing_or_a_note(case, hotline):
    earlier = timezone.now() - timedelta(hours=2)

    line = log_event(hotline, case, CaseEvent.Kind.VISIT, NOTE, at=earlier)

    line.refresh_from_db()
    assert (line.kind, line.note, line.at, line.actor) == ("visit", NOTE, earlier, hotline)
    assert AuditEntry.objects.filter(action="hotline.case.visit").count() == 1


def test_it_refuses_an_empty_note(case, hotline):
    assert fields(refused(log_event, hotline, case, "call", "   ")) == ["note"]
    assert not case.events.filter(kind="call").exists()


@pytest.mark.parametrize("kind", ["state", "opened", "erased", "gossip"])
def test_it_refuses_a_kind_the_changes_write_themselves(case, hotline, kind):
    assert fields(refused(log_event, hotline, case, kind, NOTE)) == ["kind"]
    assert case.events.count() == 1  # the opening


def test_it_refuses_a_date_more_than_a_year_ahead(case, hotline):
    later = timezone.now() + timedelta(days=400)

    assert fields(refused(log_event, hotline, case, "hearing", "Master calendar", at=later)) == [
        "at"
    ]


def test_the_case_worker_is_on_the_hotline_and_the_legal_partner_has_a_staff_account(
    case, hotline, member, outsider
):
    error = refused(assign, hotline, case, member, member)
    assert fields(error) == ["case_worker", "legal_partner"]
    assert fields(refused(assign, hotline, case, None, outsider)) == ["legal_partner"]
    assert Case.objects.get(pk=case.pk).legal_partner is None


def test_the_assigned_legal_partner_then_sees_the_case(case, hotline, hugo, lawyer, org):
    partner = lawyer.memberships.get(organization=org)
    assert not cases_for(partner).exists()

    case = assign(hotline, case, hugo, lawyer)

    assert (case.case_worker, case.legal_partner) == (hugo, lawyer)
    assert get_case_for(partner, case.code) == case
    assert case.events.get(kind="assigned").detail == {
        "case_worker": str(hugo.public_id),
        "legal_partner": str(lawyer.public_id),
    }


def test_a_task_needs_a_title_and_a_due_date_and_an_owner_on_the_hotline(case, hotline, member):
    error = refused(add_task, hotline, case, "  ", None, member)

    assert fields(error) == ["assigned_to", "due_at", "title"]
    assert fields(refused(add_task, hotline, case, "x" * 301, timezone.now(), None)) == ["title"]
    assert not CaseTask.objects.exists()


def test_a_task_without_an_owner_goes_to_the_case_worker(case, hotline, hugo):
    case = assign(hotline, case, hugo, None)

    task = add_task(hotline, case, "Call the consulate", timezone.now(), None)

    assert task.assigned_to == hugo


def test_a_due_task_reminds_its_owner_once_and_no_one_else(case, hotline, hugo, sent, smtp_server):
    due = add_task(
        hotline, case, "Llamar al consulado", timezone.now() - timedelta(minutes=1), hugo
    )
    add_task(hotline, case, "Bond hearing", timezone.now() + timedelta(days=2), hugo)
    smtp_server.clear()

    with sent():
        assert remind_due_tasks() == 1
    with sent():
        assert remind_due_tasks() == 0

    [reminder] = smtp_server.messages
    assert reminder["to"] == ["hugo@mna.test"]
    assert reminder["subject"] == f"HOTLINE: task due on case {case.code}"
    assert "Llamar" not in reminder["body"] and "Miguel" not in reminder["body"]
    alert = Alert.objects.filter(kind=Alert.Kind.HOTLINE).latest("pk")
    assert alert.audience == {"person_ids": [hugo.pk]}
    due.refresh_from_db()
    assert due.reminded_at is not None
    [entry] = AuditEntry.objects.filter(action="hotline.case.task_reminded")
    assert entry.detail == {"task": due.code} and entry.organization == case.organization


def test_a_done_task_or_one_of_an_ended_case_is_not_reminded(case, hotline, org, sent):
    done = add_task(hotline, case, "Call the consulate", timezone.now(), hotline)
    complete_task(hotline, done)
    other = new_case(hotline, org, name="Someone else")
    add_task(hotline, other, "Find the bond", timezone.now(), hotline)
    close_case(hotline, other)

    with sent():
        assert remind_due_tasks() == 0


def test_completing_a_task_twice_marks_it_done_once(case, hotline):
    task = add_task(hotline, case, "Call the consulate", timezone.now(), None)

    task = complete_task(hotline, task)
    again = complete_task(hotline, task)

    assert task.done_at is not None and again.done_at == task.done_at
    done = [e for e in case.events.filter(kind="task") if e.detail.get("done")]
    assert len(done) == 1


def test_the_audit_log_holds_no_name_note_or_address(plan, org, hotline, hugo, lawyer, sent):
    sherburne = Facility.objects.create(
        organization=org, name="Sherburne County Jail", address="13880 Business Center Dr"
    )
    with sent():
        case = open_case(
            hotline,
            org,
            CaseInput(
                name="Miguel Rivera",
                taken_where="Outside the ambulance bay",
                facility_text="Whipple Federal Building",
                locator=A_NUMBER,
                family=[COUSIN],
            ),
            Case.OpenedVia.CALL,
            plan=plan,
        )
        log_event(hotline, case, "call", NOTE)
        case = update_details(
            hotline, case, facility=sherburne, facility_text="Pod B", locator="B-77", agency="ice"
        )
        case = assign(hotline, case, hugo, lawyer)
        task = add_task(hotline, case, "Llamar al consulado", timezone.now(), None)
        complete_task(hotline, task)
        send_family_update(hotline, case, "Está bien y come.", [0, 2])
        case = change_state(hotline, case, Case.State.LOCATED)
        change_state(hotline, case, Case.State.RELEASED)

    logged = json.dumps(
        list(AuditEntry.objects.values("detail", "object_id", "actor_label")), ensure_ascii=False
    )
    assert AuditEntry.objects.filter(action__startswith="hotline.case.").count() >= 8
    for plain in (
        "Miguel",
        "Rosa",
        "Tomás",
        "tomas.rivera",
        "Lucía",
        SISTER_PHONE,
        "612 555",
        LAWYER_EMAIL,
        A_NUMBER,
        "B-77",
        "Pod B",
        "Whipple",
        "ambulance bay",
        NOTE,
        "Llamar al consulado",
        "Está bien",
        "13880",
    ):
        assert plain not in logged


def test_a_closed_case_reopens_until_its_details_are_erased(case, hotline, org):
    case = close_case(hotline, change_state(hotline, case, Case.State.RELEASED))

    case = reopen_case(hotline, case)

    assert case.is_open and case.state == "released"
    assert [e.kind for e in case.events.all()][-2:] == ["closed", "reopened"]
    assert refused(reopen_case, hotline, case).messages == ["This case is open already."]
    case = close_case(hotline, case)
    Case.objects.filter(pk=case.pk).update(erased_at=timezone.now())
    case.refresh_from_db()
    assert "erased" in refused(reopen_case, hotline, case).messages[0]
    assert not Case.objects.get(pk=case.pk).is_open
