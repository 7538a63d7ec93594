"""What a closed case forgets: once its organization's case retention period (90 days
unless changed) has run since the hotline closed it, everything that could name or place the person
goes; the outcome, the dates and the agency stay, so the hotline can still count."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from tocsin.audit.models import AuditEntry
from tocsin.hotline.models import Case, CaseEvent, CaseMessage, CaseTask, Facility
from tocsin.hotline.services.cases import (
    CaseInput,
    add_task,
    change_state,
    close_case,
    log_event,
    open_case,
)
from tocsin.hotline.services.messages import send_family_update
from tocsin.hotline.services.retention import erase_expired_cases

COUSIN = {
    "name": "Tomás Rivera",
    "relation": "relative",
    "channel": "email",
    "address": "tomas.rivera@example.org",
    "language": "es",
}
NOTE = "Lo visitamos en Sherburne; pide sus lentes"


def full_case(hotline, org, plan, facility=None, name="Miguel Rivera"):
    """A case with something in every sensitive field: name, place, facility as typed,
    family, a note, a task and messages (the plan's and an update)."""
    case = open_case(
        hotline,
        org,
        CaseInput(
            name=name,
            taken_where="Outside the ambulance bay",
            agency=Case.Agency.ICE,
            facility=facility,
            facility_text="Pod B",
            locator="A123-456-789",
            family=[COUSIN],
        ),
        Case.OpenedVia.CALL,
        plan=plan,
    )
    log_event(hotline, case, CaseEvent.Kind.VISIT, NOTE)
    add_task(hotline, case, "Llevarle los lentes", timezone.now() + timedelta(days=1), None)
    send_family_update(hotline, case, "Está bien.", [0])
    return case


def ended(hotline, case, days_ago, state=Case.State.RELEASED):
    """Record the turn `state` and close the case, as `days_ago` days ago."""
    case = close_case(hotline, change_state(hotline, case, state))
    Case.objects.filter(pk=case.pk).update(ended_at=timezone.now() - timedelta(days=days_ago))
    return Case.objects.get(pk=case.pk)


def stored(case):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, taken_where, facility_text, locator, family_encrypted, person_id,"
            " plan_id FROM hotline_case WHERE id = %s",
            [case.pk],
        )
        return cursor.fetchone()


@pytest.fixture
def sherburne(org):
    return Facility.objects.create(organization=org, name="Sherburne County Jail")


def test_it_erases_what_could_name_or_place_the_person_after_ninety_days(
    plan, org, hotline, sherburne
):
    case = ended(hotline, full_case(hotline, org, plan, sherburne), days_ago=91)
    opened_at, taken_at, ended_at = case.opened_at, case.taken_at, case.ended_at

    assert erase_expired_cases() == 1

    case.refresh_from_db()
    assert stored(case) == ("", "", "", "", "", None, None)
    assert (case.name, case.family, case.plan) == ("", [], None)
    assert [line.note for line in case.events.all() if line.note] == []
    assert list(CaseTask.objects.filter(case=case).values_list("title", flat=True)) == [""]
    assert not CaseMessage.objects.filter(case=case).exists()
    # What happened stays, to be counted.
    assert (case.state, case.agency, case.facility) == ("released", "ice", sherburne)
    assert (case.opened_at, case.taken_at, case.ended_at) == (opened_at, taken_at, ended_at)
    assert case.erased_at is not None
    assert case.events.last().kind == CaseEvent.Kind.ERASED
    [entry] = AuditEntry.objects.filter(action="hotline.case.erased")
    assert (entry.object_id, entry.organization) == (case.code, org)


def test_it_leaves_a_case_ended_less_than_ninety_days_ago_alone(plan, org, hotline):
    case = ended(hotline, full_case(hotline, org, plan), days_ago=89)

    assert erase_expired_cases() == 0

    case.refresh_from_db()
    assert (case.name, case.taken_where, case.facility_text) == (
        "Miguel Rivera",
        "Outside the ambulance bay",
        "Pod B",
    )
    assert case.family == [COUSIN] and case.erased_at is None
    assert case.events.get(kind=CaseEvent.Kind.VISIT).note == NOTE
    assert CaseMessage.objects.filter(case=case).count() == 3


def test_an_open_case_is_never_erased_however_old(plan, org, hotline):
    case = full_case(hotline, org, plan)
    long_ago = timezone.now() - timedelta(days=400)
    Case.objects.filter(pk=case.pk).update(opened_at=long_ago, taken_at=long_ago)

    assert erase_expired_cases(now=timezone.now() + timedelta(days=365)) == 0

    case.refresh_from_db()
    assert case.name == "Miguel Rivera" and case.locator == "A123-456-789"


def test_each_organization_keeps_its_cases_for_its_own_period(
    plan, org, other_org, hotline, outsider
):
    other_org.case_retention_days = 30
    other_org.save(update_fields=["case_retention_days"])
    ours = ended(hotline, full_case(hotline, org, plan), days_ago=45)
    theirs = open_case(outsider, other_org, CaseInput(name="Someone"), Case.OpenedVia.CALL)
    theirs = ended(outsider, theirs, days_ago=45, state=Case.State.REMOVED)

    assert erase_expired_cases() == 1

    assert Case.objects.get(pk=ours.pk).name == "Miguel Rivera"
    assert Case.objects.get(pk=theirs.pk).name == ""


def test_an_erased_case_is_not_erased_again(plan, org, hotline):
    ended(hotline, full_case(hotline, org, plan), days_ago=91)
    erase_expired_cases()

    assert erase_expired_cases() == 0
    assert AuditEntry.objects.filter(action="hotline.case.erased").count() == 1


def test_an_erased_case_takes_no_more_notes(plan, org, hotline):
    case = ended(hotline, full_case(hotline, org, plan), days_ago=91)
    erase_expired_cases()

    with pytest.raises(ValidationError, match="erased"):
        log_event(hotline, case, CaseEvent.Kind.NOTE, "A late call")


def test_tocsin_erase_expired_reports_the_count_of_cases(plan, org, hotline):
    for name in ("Miguel Rivera", "Ana Rivera"):
        ended(hotline, full_case(hotline, org, plan, name=name), days_ago=100)
    ended(hotline, full_case(hotline, org, plan, name="Luis Rivera"), days_ago=10)
    out = StringIO()

    call_command("erase-expired", stdout=out)

    assert "Sensitive details erased from 2 cases." in out.getvalue()
    assert Case.objects.filter(erased_at__isnull=False).count() == 2


def test_an_organization_may_keep_its_cases_longer(plan, org, hotline):
    org.case_retention_days = 365
    org.save(update_fields=["case_retention_days"])
    case = ended(hotline, full_case(hotline, org, plan), days_ago=200)

    assert erase_expired_cases() == 0
    assert Case.objects.get(pk=case.pk).name == "Miguel Rivera"
