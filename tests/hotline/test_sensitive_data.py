"""The issue's sensitive-data check: with a plan, a case, its locator details, notes, a
task and a family update in the database, nothing people typed about a detained person
is there in the clear, in any table."""

import json
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from tocsin.core.crypto import EncryptedTextField
from tocsin.hotline.models import Case, CaseEvent, Facility
from tocsin.hotline.services.cases import (
    CaseInput,
    add_task,
    assign,
    change_state,
    log_event,
    open_case,
    update_details,
)
from tocsin.hotline.services.messages import send_family_update

from .conftest import LAWYER_EMAIL, SISTER_PHONE

A_NUMBER = "A123-456-789"
BOOKING = "SHB-2026-004417"
NOTE = "Miguel dice que le quitaron el teléfono en Whipple"
TASK = "Conseguir la carta del empleador para la fianza"
UPDATE = "Lo trasladan mañana temprano a otro centro"
COUSIN_EMAIL = "tomas.rivera@example.org"
COUSIN = {
    "name": "Tomás Rivera",
    "relation": "relative",
    "channel": "email",
    "address": COUSIN_EMAIL,
    "language": "es",
}
SECRETS = [
    # The plan.
    "Lucía Rivera",
    SISTER_PHONE,
    "612 555 0142",
    LAWYER_EMAIL,
    "Ana Abogada",
    "Recoge a los niños",
    "Anishinabe Academy",
    "abuela Carmen",
    "inhalador",
    "Carpeta azul",
    "mi esposo",
    # The case.
    "Miguel Rivera",
    "Outside the ambulance bay",
    "Whipple Federal Building",
    A_NUMBER,
    BOOKING,
    NOTE,
    TASK,
    UPDATE,
    "Tomás Rivera",
    COUSIN_EMAIL,
]


@pytest.fixture
def everything(plan, org, hotline, sent, sms_gateway, smtp_server):
    """A plan, a case it set off with every sensitive field filled, and what the case sent."""
    sherburne = Facility.objects.create(organization=org, name="Sherburne County Jail")
    with sent():
        case = open_case(
            hotline,
            org,
            CaseInput(
                name="Miguel Rivera",
                taken_where="Outside the ambulance bay",
                agency=Case.Agency.ICE,
                facility_text="Whipple Federal Building",
                locator=A_NUMBER,
                family=[COUSIN],
            ),
            Case.OpenedVia.CALL,
            plan=plan,
        )
        case = change_state(hotline, case, Case.State.LOCATED)
        case = update_details(
            hotline,
            case,
            facility=sherburne,
            facility_text="Whipple Federal Building",
            locator=f"{A_NUMBER}, booking {BOOKING}",
            agency=Case.Agency.ICE,
        )
        case = assign(hotline, case, hotline, None)
        log_event(hotline, case, CaseEvent.Kind.CALL, NOTE)
        add_task(hotline, case, TASK, timezone.now(), None)
        send_family_update(hotline, case, UPDATE, [0, 1, 2])
    # Everything was sent: the messages went through the channels, not around them.
    assert len(sms_gateway.messages) == 2
    assert UPDATE in sms_gateway.messages[-1]["text"]
    return case


def in_the_clear(dump: str) -> list[str]:
    return [secret for secret in SECRETS if secret in dump]


def raw_rows() -> str:
    """Every row of every table, as the database holds it."""
    rows = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            rows += [repr(row) for row in cursor.fetchall()]
    return "\n".join(rows)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="iterdump is SQLite's")
def test_the_sqlite_dump_holds_nothing_sensitive_in_the_clear(everything):
    dump = "\n".join(connection.connection.iterdump())

    assert everything.code in dump  # the dump is of this database, with the case in it
    assert in_the_clear(dump) == []


def test_no_table_holds_anything_sensitive_in_the_clear(everything):
    rows = raw_rows()

    assert everything.code in rows
    assert in_the_clear(rows) == []


def test_outside_its_encrypted_fields_dumpdata_holds_nothing_sensitive(everything):
    """dumpdata reads through the models, which decrypt: with the encrypted fields taken
    out, what is left must not repeat a name, an address or a note anywhere."""
    out = StringIO()
    call_command("dumpdata", format="json", stdout=out)
    objects = json.loads(out.getvalue())

    assert in_the_clear(out.getvalue())  # decrypted: a dump through Django is sensitive
    for obj in objects:
        model = apps.get_model(obj["model"])
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedTextField):
                obj["fields"].pop(field.name, None)
    rest = json.dumps(objects, ensure_ascii=False)
    assert everything.code in rest
    assert in_the_clear(rest) == []
