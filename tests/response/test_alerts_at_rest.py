"""What an alert says, and where, is encrypted at rest like the incident's own place.

Whoever seizes the database reads every table raw: after a report, a verify request, a
broadcast, a verifier's answer, the legal van and a retraction, no report's words, no place
typed and no dispatcher's message is there in the clear. Rows written before the change are
encrypted by its migration.
"""

import json

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.conftest import make_person
from tocsin.accounts.roles import Role
from tocsin.accounts.services.people import add_contact
from tocsin.delivery.models import Alert
from tocsin.delivery.rendering import render
from tocsin.response.models import TimelineEntry
from tocsin.response.services import broadcast, incidents
from tocsin.response.services.responses import record_response

from .conftest import file_report

PLACE = "North loading dock behind the laundry"
WHAT = "Six agents with a battering ram"
MESSAGE = "ICE agents at the north loading dock. Stay away from the laundry entrance."
WHERE = "Laundry entrance, north loading dock"
NOTE = "I saw them by the laundry door, two vans"
VAN = "Bring the camera to the laundry door"
CORRECTION = "The vans at the laundry were a delivery: false alarm."
SECRETS = (PLACE, WHAT, MESSAGE, WHERE, NOTE, VAN, CORRECTION, "laundry", "battering")


def raw_database() -> str:
    """Every row of every table as stored, without the models' decryption."""
    rows = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            # The table names come from the database itself.
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            rows.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(rows)


@pytest.fixture
def people(org, site, smtp_server):
    def reachable(name, roles, **kwargs):
        person = make_person(org, roles, name=name, **kwargs)
        add_contact(person, "email", f"{name.split()[0].lower()}@example.org", True)
        return person

    return {
        "dispatcher": reachable("Dana Dispatcher", Role.DISPATCHER),
        "verifier": reachable("Vic Verifier", Role.VERIFIER, site=site),
        "observer": reachable("Lena Observer", Role.LEGAL_OBSERVER),
        "van": reachable("Van Crew", Role.LEGAL_VAN),
    }


def test_a_seized_database_holds_no_words_of_a_report_an_alert_or_an_answer(
    org, site, people, sent
):
    dispatcher = people["dispatcher"]
    with sent():
        report = file_report(org, location=PLACE, lat=44.9731, lng=-93.2617, activity=WHAT)
        incident = report.incident
        verify = broadcast.request_verification(dispatcher, incident, 2000, f"Check {PLACE}")
    with sent():
        record_response(people["verifier"], verify, "confirmed", note=NOTE)
        facts = broadcast.AlertFacts(
            seen=["agents_on_foot"], where=broadcast.PLACE, notes={"en": MESSAGE, "es": WHERE}
        )
        alert = broadcast.confirm_incident(dispatcher, incident, facts, 1000)
        broadcast.dispatch_legal_van(dispatcher, incident, VAN)
        broadcast.retract_incident(dispatcher, incident, CORRECTION)

    stored = raw_database()
    assert [secret for secret in SECRETS if secret in stored] == []
    # The people told, and the dispatchers, still read every word.
    assert alert.context["where"] == PLACE
    assert MESSAGE in render(Alert.objects.get(pk=alert.pk), "en").text
    assert WHERE in render(Alert.objects.get(pk=alert.pk), "es").text
    lines = {entry.action: entry.said for entry in TimelineEntry.objects.all()}
    assert MESSAGE in lines["response.incident.confirmed"]["message"]
    assert WHERE in lines["response.incident.confirmed"]["message"]
    assert lines["response.verify.answered"]["note"] == NOTE


def test_the_new_incident_page_to_dispatchers_is_encrypted_too(org, people, sent):
    with sent():
        file_report(org, location=PLACE, lat=44.9731, lng=-93.2617)

    (page,) = Alert.objects.filter(kind=Alert.Kind.NEW_INCIDENT)
    assert PLACE in page.context["where"]  # named by place and time (decision 0020)
    assert PLACE not in raw_database()


def test_dismissing_keeps_the_words_readable_to_the_record(org, people):
    report = file_report(org, location=PLACE, lat=44.9731, lng=-93.2617)
    incidents.dismiss_incident(people["dispatcher"], report.incident, "unverifiable")
    assert PLACE not in raw_database()


@pytest.mark.django_db(transaction=True)
def test_the_migration_encrypts_the_alerts_and_timelines_written_before_it(org, site):
    executor = MigrationExecutor(connection)
    before = [
        ("delivery", "0006_alert_kinds_for_collective_action"),
        ("response", "0002_reports_keep_no_source_and_bursts"),
    ]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    OldAlert = old.get_model("delivery", "Alert")
    OldIncident = old.get_model("response", "Incident")
    OldEntry = old.get_model("response", "TimelineEntry")
    alert = OldAlert.objects.create(
        organization_id=org.pk, kind="verified", context={"what": MESSAGE, "where": WHERE}
    )
    incident = OldIncident.objects.create(organization_id=org.pk)
    OldEntry.objects.create(
        incident_id=incident.pk,
        action="response.incident.confirmed",
        detail={"message": MESSAGE, "alert": "a1", "radius_m": 1000},
    )
    assert WHERE in raw_database()

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert [secret for secret in SECRETS if secret in raw_database()] == []
    assert Alert.objects.get(pk=alert.pk).context == {"what": MESSAGE, "where": WHERE}
    entry = TimelineEntry.objects.get()
    assert entry.detail == {"alert": "a1", "radius_m": 1000}
    assert entry.said == {"alert": "a1", "radius_m": 1000, "message": MESSAGE}
    assert json.loads(json.dumps(entry.said))  # still plain JSON to the API


def test_alerts_are_still_found_by_what_their_context_holds(org):
    from tocsin.delivery.services import create_alert

    invite = create_alert(org, Alert.Kind.PLEDGE, {"code": "p2q3", "event": "invite"}, {})
    create_alert(org, Alert.Kind.PLEDGE, {"code": "p2q3", "event": "on"}, {})
    create_alert(org, Alert.Kind.PLEDGE, {"code": "zz99", "event": "invite"}, {})

    found = Alert.objects.filter(kind=Alert.Kind.PLEDGE).matching_context(
        code="p2q3", event="invite"
    )

    assert list(found) == [invite]
