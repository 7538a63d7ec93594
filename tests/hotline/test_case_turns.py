"""A release is a turn in a case, not its end (step 8). A volunteer records Miguel's
release, then still logs the coming bond hearing, finishes the open task, tells the family
and prints the record for counsel with his A-number; then closes the case, after a
confirmation. Retention runs from the close, not from the release; a closed case can be
reopened until its details are erased."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.conftest import make_person, verified_client
from tocsin.accounts.roles import Role
from tocsin.hotline.models import Case, CaseEvent, CaseMessage, CaseTask
from tocsin.hotline.services import cases

from .conftest import SISTER_PHONE

A_NUMBER = "A213-456-789"


def url(org, case, action=""):
    return f"/staff/o/{org.slug}/cases/{case.code}/" + (f"{action}/" if action else "")


@pytest.fixture
def clock(monkeypatch):
    """Move the server's clock forward by whole days, as the weeks of a case pass."""
    real_now = timezone.now
    shift = {"days": 0}
    monkeypatch.setattr(timezone, "now", lambda: real_now() + timedelta(days=shift["days"]))

    def move_to(days: int) -> None:
        shift["days"] = days

    return move_to


@pytest.fixture
def case(org, hotline, plan, sent, sms_gateway, smtp_server):
    with sent():
        return cases.open_case(
            hotline,
            org,
            cases.CaseInput(name="Miguel Rivera", locator=A_NUMBER),
            Case.OpenedVia.CALL,
            plan=plan,
        )


def in_days(days: int) -> str:
    return (timezone.localtime() + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


def erase_expired() -> None:
    call_command("erase-expired", stdout=StringIO())


def test_a_released_case_is_worked_printed_and_closed_and_erased_from_the_close(
    client, org, hotline, case, clock, sent, sms_gateway
):
    volunteer = verified_client(client, hotline)
    volunteer.post(url(org, case, "tasks"), {"title": "Find the bond money", "due_at": in_days(2)})
    [task] = CaseTask.objects.filter(case=case)

    response = volunteer.post(url(org, case, "state"), {"state": "released"})

    assert response.status_code == 302
    page = volunteer.get(url(org, case)).content.decode()
    assert "Add to the timeline" in page and "Add the task" in page and "Send the update" in page
    assert A_NUMBER in page
    # Released on bond, with a hearing to come: the volunteer still logs it, finishes the
    # task and tells the family.
    hearing = {"kind": "hearing", "note": "Bond hearing, Fort Snelling", "at": in_days(20)}
    assert volunteer.post(url(org, case, "events"), hearing).status_code == 302
    done = volunteer.post(url(org, case, f"tasks/{task.code}/done"))
    assert done.status_code == 302
    sms_gateway.clear()
    with sent():
        update = {"recipients": ["0"], "text": "Miguel salió libre; la audiencia es el 20."}
        assert volunteer.post(url(org, case, "update"), update).status_code == 302
    assert [m["to"] for m in sms_gateway.messages] == [SISTER_PHONE]
    task.refresh_from_db()
    assert task.done_at is not None
    assert case.events.filter(kind=CaseEvent.Kind.HEARING).exists()

    # Thirty days on, counsel's record still has the A-number; then the work is done.
    clock(30)
    volunteer = verified_client(client, hotline)
    record = volunteer.get(url(org, case, "record")).content.decode()
    assert A_NUMBER in record and "released" in record
    unconfirmed = volunteer.post(url(org, case, "close"), {})
    assert unconfirmed.status_code == 400
    assert "Tick the box to confirm" in unconfirmed.content.decode()
    assert Case.objects.get(pk=case.pk).is_open
    asked = volunteer.get(url(org, case, "close")).content.decode()
    erase_on = (timezone.localdate() + timedelta(days=90)).isoformat()
    assert "Close case" in asked and erase_on in asked
    assert volunteer.post(url(org, case, "close"), {"confirm": "on"}).status_code == 302
    page = volunteer.get(url(org, case)).content.decode()
    assert 'data-testid="case-closed"' in page and A_NUMBER not in page
    assert "Add the task" not in page and "Reopen the case" in page
    closed = Case.objects.get(pk=case.pk)
    assert (closed.state, closed.locator) == ("released", "")

    # 100 days after the release, 70 after the close: nothing is erased yet.
    clock(100)
    erase_expired()
    volunteer = verified_client(client, hotline)
    assert "Miguel Rivera" in volunteer.get(url(org, case)).content.decode()
    assert CaseMessage.objects.filter(case=case).exists()

    # 91 days after the close: erased.
    clock(121)
    erase_expired()
    volunteer = verified_client(client, hotline)
    page = volunteer.get(url(org, case)).content.decode()
    assert "Miguel Rivera" not in page and "Fort Snelling" not in page
    assert "Reopen the case" not in page
    assert not CaseMessage.objects.filter(case=case).exists()
    assert Case.objects.get(pk=case.pk).erased_at is not None


def test_a_closed_case_is_reopened_within_retention_and_retention_waits_again(
    client, org, hotline, case, clock
):
    volunteer = verified_client(client, hotline)
    volunteer.post(url(org, case, "state"), {"state": "transferred"})
    volunteer.post(url(org, case, "close"), {"confirm": "on"})

    clock(80)
    volunteer = verified_client(client, hotline)
    response = volunteer.post(url(org, case, "reopen"))

    assert response.status_code == 302
    page = volunteer.get(url(org, case)).content.decode()
    assert "Add the task" in page and "Case closed" in page and "Case reopened" in page
    clock(200)
    erase_expired()
    assert Case.objects.get(pk=case.pk).name == "Miguel Rivera"  # open cases are kept


def test_only_the_hotline_closes_or_reopens_a_case(client, org, hotline, case):
    lawyer = make_person(
        org, Role.LEGAL_OBSERVER, email="ana@mna.test", password="lawyer horse 42", name="Ana"
    )
    cases.assign(hotline, case, None, lawyer)
    counsel = verified_client(client, lawyer)

    assert counsel.post(url(org, case, "close"), {"confirm": "on"}).status_code == 404
    assert Case.objects.get(pk=case.pk).is_open
    cases.close_case(hotline, case)
    assert counsel.post(url(org, case, "reopen")).status_code == 404
    assert not Case.objects.get(pk=case.pk).is_open
