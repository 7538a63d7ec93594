"""The audit log names a case by its code, as every hotline screen and volunteer does
(step 8): an admin who filters the log by the code finds the case's entries, the reads of
the plan it set off, and the entries written before, which named it by its id."""

import importlib

import pytest
from django.apps import apps

from tests.conftest import verified_client
from tocsin.audit.models import AuditEntry
from tocsin.hotline.models import Case
from tocsin.hotline.services import cases


def log(org):
    return f"/staff/o/{org.slug}/audit/"


@pytest.fixture
def case(org, hotline, plan, sent, sms_gateway, smtp_server):
    with sent():
        return cases.open_case(
            hotline, org, cases.CaseInput(name="Miguel Rivera"), Case.OpenedVia.CALL, plan=plan
        )


def test_filtering_the_log_by_a_case_code_finds_its_entries(
    client, admin, org, hotline, case, sent
):
    other = cases.open_case(hotline, org, cases.CaseInput(name="Someone"), Case.OpenedVia.CALL)
    volunteer = verified_client(client, hotline)
    volunteer.get(f"/staff/o/{org.slug}/cases/{case.code}/")
    volunteer.post(f"/staff/o/{org.slug}/cases/{case.code}/state/", {"state": "released"})
    admin_page = verified_client(client, admin)

    page = admin_page.get(log(org), {"object": case.code}).content.decode()

    for what in ("opened a case", "read a case", "changed a case&#x27;s state"):
        assert what in page
    assert "read an emergency plan" in page  # the plan's read, on this case's page
    assert f"?object={case.code}" in page and str(case.public_id) not in page
    assert other.code not in page
    everything = admin_page.get(log(org)).content.decode()
    assert f">{case.code}</a>" in everything and str(case.public_id) not in everything


def test_entries_written_before_name_the_case_by_its_code_after_the_migration(
    client, admin, org, case
):
    old = AuditEntry.objects.create(
        organization=org,
        action="hotline.case.hearing",
        object_type="case",
        object_id=str(case.public_id),
    )
    migration = importlib.import_module("tocsin.hotline.migrations.0004_audit_names_cases_by_code")

    migration.name_cases_by_code(apps, None)

    page = verified_client(client, admin).get(log(org), {"object": case.code}).content.decode()
    assert "logged a hearing on a case" in page
    old.refresh_from_db()
    assert old.object_id == case.code
