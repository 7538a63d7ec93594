"""The hotline's changes under the screens: the trigger's lock, what a case tells whom, what
fails, and what the database holds in the clear (nothing sensitive)."""

import json
from datetime import timedelta

from django.db import connection
from django.utils import timezone

from tests.conftest import make_org
from tocsin.audit.models import AuditEntry
from tocsin.delivery.models import Alert
from tocsin.hotline.models import Case, CaseMessage, EmergencyPlan
from tocsin.hotline.services import cases, plans
from tocsin.hotline.services.messages import send_family_update

from .conftest import PIN, SISTER_PHONE

A_NUMBER = "A123-456-789"
NOTE = "Vimos a Miguel en la sala de visitas"


def open_for(plan, hotline, org, **fields):
    data = cases.CaseInput(name="Miguel Rivera", taken_where="Ambulance bay", **fields)
    return cases.open_case(hotline, org, data, Case.OpenedVia.CALL, plan=plan)


def test_the_third_wrong_pin_locks_the_trigger_and_tells_the_hotline(
    plan, nurse, hotline, sent, smtp_server
):
    with sent():
        for _attempt in range(3):
            try:
                plans.trigger_plan(nurse, "0000")
            except Exception as error:
                refused = error
    assert "Too many wrong PINs" in str(refused)
    told = [m for m in smtp_server.messages if m["to"] == ["hotline@mna.test"]]
    assert len(told) == 1 and "emergency trigger locked" in told[0]["subject"]
    assert "Rosa" not in told[0]["body"]  # the link says who; the lock screen does not
    # Even the right PIN waits out the lock, then works.
    try:
        plans.trigger_plan(nurse, PIN)
    except Exception as error:
        assert "Too many wrong PINs" in str(error)
    EmergencyPlan.objects.update(locked_until=timezone.now() - timedelta(seconds=1))
    assert plans.trigger_plan(nurse, PIN).person == nurse


def test_the_plan_is_read_only_through_an_open_case_of_its_organization(plan, hotline, org):
    case = open_for(plan, hotline, org)
    other = cases.open_case(hotline, org, cases.CaseInput(name="X"), Case.OpenedVia.CALL)
    assert plans.read_plan(hotline, other) is None
    assert plans.read_plan(hotline, case)["pickup"] == "Lucía Rivera o la abuela Carmen"
    assert AuditEntry.objects.filter(action="hotline.plan.read").count() == 1
    case = cases.change_state(hotline, case, "closed")
    assert plans.read_plan(hotline, case) is None


def test_a_family_update_reaches_only_the_chosen_person_in_their_language(
    plan, hotline, org, sent, sms_gateway, smtp_server
):
    case = open_for(plan, hotline, org)
    with sent():
        assert send_family_update(hotline, case, "Está en Sherburne.", [1]) == 1
    assert sms_gateway.messages == []  # the sister was not chosen
    update = smtp_server.messages[-1]
    assert update["to"] == ["abogada@mna-legal.test"]
    assert update["subject"] == f"Update on case {case.code}"  # the lawyer reads English


def test_a_refused_number_fails_for_good_and_a_down_gateway_keeps_it_queued(
    plan, hotline, org, sent, sms_gateway, settings
):
    settings.TOCSIN_SMS_TOKEN = "wrong"  # the gateway answers 401: nothing will change that
    with sent():
        open_for(plan, hotline, org)
    assert CaseMessage.objects.get(channel="sms").status == "failed"
    settings.TOCSIN_SMS_TOKEN = "secret-token"
    settings.TOCSIN_SMS_URL = "http://127.0.0.1:9"  # nobody listens: try again later
    with sent():
        open_for(plan, hotline, org)
    waiting = CaseMessage.objects.filter(channel="sms").order_by("-pk").first()
    assert waiting.status == "queued" and waiting.attempts == 1


def test_a_message_is_not_sent_twice_when_its_job_runs_again(plan, hotline, org, sent, sms_gateway):
    from tocsin.hotline.tasks import send_case_message

    with sent():
        open_for(plan, hotline, org)
    send_case_message.call_local(CaseMessage.objects.get(channel="sms").pk)
    assert [m["to"] for m in sms_gateway.messages] == [SISTER_PHONE]


def test_a_due_task_reminds_its_owner_once(plan, hotline, org, sent, smtp_server):
    case = open_for(plan, hotline, org)
    cases.add_task(hotline, case, "Call the consulate", timezone.now(), hotline)
    with sent():
        assert cases.remind_due_tasks() == 1
        assert cases.remind_due_tasks() == 0
    reminders = [m for m in smtp_server.messages if "task due" in m["subject"]]
    assert len(reminders) == 1 and reminders[0]["to"] == ["hotline@mna.test"]
    assert Alert.objects.filter(kind="hotline", audience={"person_ids": [hotline.pk]}).exists()


def test_the_audit_log_never_holds_what_people_typed(plan, hotline, org, sent):
    with sent():
        case = open_for(plan, hotline, org, locator=A_NUMBER)
        cases.log_event(hotline, case, "call", NOTE)
        send_family_update(hotline, case, "Está en Sherburne.", [0])
    logged = json.dumps(list(AuditEntry.objects.values("detail", "object_id")), ensure_ascii=False)
    for secret in ("Miguel", A_NUMBER, NOTE, "Sherburne", "Lucía", SISTER_PHONE, "Carpeta"):
        assert secret not in logged


def test_the_database_holds_no_plan_locator_or_note_in_the_clear(
    plan, hotline, org, sent, settings
):
    """The issue's sensitive-data check: dump every table, look for what people typed."""
    with sent():
        case = open_for(plan, hotline, org, locator=A_NUMBER, facility_text="Sherburne County")
        cases.log_event(hotline, case, "call", NOTE)
        cases.add_task(hotline, case, "Llamar al consulado", timezone.now(), None)
        send_family_update(hotline, case, "Está en la sala de visitas.", [0])
    make_org(slug="other", name="Other")  # so the dump is of a living database
    if connection.vendor == "sqlite":
        dump = "\n".join(connection.connection.iterdump())
    else:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
            )
            tables = [row[0] for row in cursor.fetchall()]
            rows = []
            for table in tables:
                cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - names from the schema
                rows += [repr(row) for row in cursor.fetchall()]
        dump = "\n".join(rows)
    secrets = [
        "Lucía Rivera",
        SISTER_PHONE,
        "abogada@mna-legal.test",
        "Recoge a los niños",
        "Carpeta azul",
        "inhalador",
        "Miguel Rivera",
        A_NUMBER,
        NOTE,
        "Llamar al consulado",
        "sala de visitas",
        "Sherburne County",
        "Ambulance bay",
    ]
    found = [secret for secret in secrets if secret in dump]
    assert not found, f"in the clear: {found}"
