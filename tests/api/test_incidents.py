"""Incidents through the API: dispatchers list, read, claim, verify, confirm, dismiss,
retract and clear them; the people an alert reached answer it; nobody else sees a thing."""

import pytest

from tests.conftest import make_org, make_person, make_site
from tests.factories import fields_named
from tocsin.accounts.models import Person, SharingAgreement
from tocsin.accounts.roles import Role
from tocsin.accounts.services.people import add_contact
from tocsin.audit.models import AuditEntry
from tocsin.delivery.models import Alert
from tocsin.response.models import Incident, Response
from tocsin.response.services.broadcast import AlertFacts, confirm_incident, request_verification
from tocsin.response.services.incidents import dismiss_incident
from tocsin.response.services.reports import ReportInput, submit_report

CALLBACK = "+16125550199"
RAW_TEXT = "ICE at the ER door, this is Rosa from 4B"


@pytest.fixture
def dispatcher(org):
    return make_person(org, Role.DISPATCHER, name="Dana Dispatcher")


@pytest.fixture
def dispatcher_api(api_as, dispatcher):
    return api_as(dispatcher)


@pytest.fixture
def verifier(org, site):
    person = make_person(org, Role.VERIFIER, name="Vera Verifier", site=site)
    add_contact(person, "email", "vera@mna.test", True)
    return person


@pytest.fixture
def responders(org):
    people = []
    for number, name in enumerate(["Rae Responder", "Lou Observer"], start=1):
        person = make_person(org, Role.RESPONDER, name=name)
        add_contact(person, "email", f"responder{number}@mna.test", True)
        people.append(person)
    return people


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """Call the API as a request would: the alert's jobs start once it commits."""

    def sending(api, path, body=None):
        with django_capture_on_commit_callbacks(execute=True):
            return api.post(path, body)

    return sending


def report(org, **fields):
    fields.setdefault("activity", "Agents in tactical vests at the ambulance bay")
    return submit_report(org, ReportInput(**fields), "web")


@pytest.fixture
def incident(org, site, member):
    """An incident at the site whose report says how to reach its reporter."""
    filed = report(org, site=site, agents=4, callback=CALLBACK, raw_text=RAW_TEXT)
    filed.reporter = member
    filed.save(update_fields=["reporter"])
    return filed.incident


def recipients(smtp_server):
    return sorted(address for message in smtp_server.messages for address in message["to"])


def test_a_dispatcher_lists_the_incidents_of_their_organization_newest_first(
    dispatcher_api, org, site, other_org, incident
):
    far = report(org, lat=44.9820, lng=-93.2622, location="Parking ramp C")
    report(other_org, lat=40.88, lng=-73.879, activity="Vans outside Montefiore")

    response = dispatcher_api.get("/incidents")

    assert response.status_code == 200
    items = response.json()["items"]
    assert [item["id"] for item in items] == [str(far.incident.public_id), str(incident.public_id)]
    assert items[1] == {
        "id": str(incident.public_id),
        "organization": "mna",
        "state": "new",
        "dismiss_reason": None,
        "where": "Hennepin County Medical Center",
        "lat": 44.9727,
        "lng": -93.2622,
        "site": site.code,
        "opened_at": items[1]["opened_at"],
        "last_report_at": items[1]["last_report_at"],
        "claimed_by": None,
        "report_count": 1,
    }


def test_the_list_can_be_narrowed_to_one_state(dispatcher_api, dispatcher, org, incident):
    open_one = report(org, lat=44.9820, lng=-93.2622).incident
    dismiss_incident(dispatcher, incident, Incident.DismissReason.DUPLICATE)

    dismissed = dispatcher_api.get("/incidents", state="dismissed").json()["items"]
    new = dispatcher_api.get("/incidents", state="new").json()["items"]

    assert [(item["id"], item["dismiss_reason"]) for item in dismissed] == [
        (str(incident.public_id), "duplicate")
    ]
    assert [item["id"] for item in new] == [str(open_one.public_id)]


def test_an_unknown_state_is_refused_naming_it(dispatcher_api):
    response = dispatcher_api.get("/incidents", state="burning")

    assert response.status_code == 422
    assert fields_named(response) == {"state"}


def test_a_member_who_does_not_dispatch_sees_no_incidents(member_api, admin_api, incident):
    for api in (member_api, admin_api):
        assert api.get("/incidents").json() == {"items": [], "count": 0}
        assert api.get(f"/incidents/{incident.public_id}").status_code == 404
        assert api.post(f"/incidents/{incident.public_id}/claim").status_code == 404
    assert not AuditEntry.objects.filter(action="response.incident.read").exists()


def test_a_dispatcher_of_another_organization_gets_404(api_as, other_org, incident):
    theirs = api_as(make_person(other_org, Role.DISPATCHER, name="Sam Seiu"))

    assert theirs.get("/incidents").json()["items"] == []
    response = theirs.get(f"/incidents/{incident.public_id}")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
    confirm = theirs.post(
        f"/incidents/{incident.public_id}/confirm", {"seen": ["arrest"], "radius_m": 500}
    )
    assert confirm.status_code == 404
    assert not incident.alerts.exclude(kind=Alert.Kind.NEW_INCIDENT).exists()


def test_a_dispatcher_of_a_partner_sharing_dispatch_sees_the_incidents(
    api_as, org, other_org, incident
):
    SharingAgreement.objects.create(organization=org, partner=other_org, dispatch=True)
    partner = api_as(make_person(other_org, Role.DISPATCHER, name="Sam Seiu"))
    unrelated = make_org(slug="ufcw", name="UFCW Local 663")
    SharingAgreement.objects.create(organization=unrelated, partner=org, dispatch=True)

    assert [item["id"] for item in partner.get("/incidents").json()["items"]] == [
        str(incident.public_id)
    ]
    assert partner.get(f"/incidents/{incident.public_id}").status_code == 200


def test_reading_an_incident_shows_its_reports_and_is_audited(
    dispatcher_api, dispatcher, org, site, incident
):
    response = dispatcher_api.get(f"/incidents/{incident.public_id}")

    assert response.status_code == 200
    body = response.json()
    assert body["report_count"] == 1
    (shown,) = body["reports"]
    assert shown["activity"] == "Agents in tactical vests at the ambulance bay"
    assert (shown["site"], shown["agents"], shown["source"]) == (site.code, 4, "web")
    assert [entry["action"] for entry in body["timeline"]] == [
        "response.incident.opened",
        "response.report.received",
        "response.dispatchers.alerted",
    ]
    # Only the dispatchers were told: nothing went to members.
    assert [alert["kind"] for alert in body["alerts"]] == ["new_incident"]
    assert AuditEntry.objects.filter(
        action="response.incident.read",
        actor=dispatcher,
        organization=org,
        object_id=str(incident.public_id),
    ).exists()


def test_an_incident_never_shows_who_reported_or_how_to_reach_them(
    dispatcher_api, member, incident
):
    answer = dispatcher_api.get(f"/incidents/{incident.public_id}")
    text = answer.content.decode()

    for secret in (CALLBACK, str(member.public_id), member.display_name):
        assert secret not in text
    # What the message said is the report itself; who sent it is not there.
    assert answer.json()["reports"][0]["message_text"] == RAW_TEXT


def test_a_dispatcher_claims_an_incident_and_another_takes_it_over_only_when_asked(
    dispatcher_api, api_as, org, incident
):
    claimed = dispatcher_api.post(f"/incidents/{incident.public_id}/claim")
    assert claimed.status_code == 200
    assert claimed.json()["claimed_by"] == "Dana Dispatcher"

    second = api_as(make_person(org, Role.DISPATCHER, name="Nico Nights"))
    refused = second.post(f"/incidents/{incident.public_id}/claim", {"take_over": False})
    assert refused.status_code == 422
    assert "Dana Dispatcher already has this incident" in refused.json()["detail"][0]["msg"]

    taken = second.post(f"/incidents/{incident.public_id}/claim", {"take_over": True})
    assert taken.json()["claimed_by"] == "Nico Nights"
    assert dispatcher_api.get(f"/incidents/{incident.public_id}").json()["claimed_by"] == (
        "Nico Nights"
    )


def test_a_verify_request_goes_to_the_verifier_at_the_site(
    dispatcher_api, verifier, incident, smtp_server, send
):
    response = send(
        dispatcher_api,
        f"/incidents/{incident.public_id}/verify-requests",
        {"radius_m": 500, "message": "Vests at the ambulance bay?"},
    )

    assert response.status_code == 201
    alert = Alert.objects.get(public_id=response.json()["alert_id"])
    assert response.json()["audience_size"] == 1
    assert alert.kind == Alert.Kind.VERIFY_REQUEST
    assert recipients(smtp_server) == ["vera@mna.test"]
    assert dispatcher_api.get(f"/incidents/{incident.public_id}").json()["state"] == "verifying"


def test_a_verify_request_with_nobody_in_range_names_the_radius(dispatcher_api, incident):
    response = dispatcher_api.post(
        f"/incidents/{incident.public_id}/verify-requests", {"radius_m": 500}
    )

    assert response.status_code == 422
    assert fields_named(response) == {"radius_m"}
    assert not incident.alerts.exclude(kind=Alert.Kind.NEW_INCIDENT).exists()


def test_confirming_reaches_as_many_people_as_it_says(
    dispatcher_api, responders, member, incident, smtp_server, send
):
    response = send(
        dispatcher_api,
        f"/incidents/{incident.public_id}/confirm",
        {
            "seen": ["agents_on_foot", "unmarked_vehicles"],
            "radius_m": 1000,
            "ask": "observe",
            "notes": {"en": "ICE agents at the ambulance bay"},
        },
    )

    assert response.status_code == 201
    assert response.json()["audience_size"] == 2
    assert recipients(smtp_server) == ["responder1@mna.test", "responder2@mna.test"]
    detail = dispatcher_api.get(f"/incidents/{incident.public_id}").json()
    assert detail["state"] == "confirmed"
    alert = Alert.objects.get(public_id=response.json()["alert_id"])
    assert detail["alerts"][1:] == [
        {"id": str(alert.public_id), "kind": "verified", "audience_size": 2, "state": alert.state}
    ]


def test_the_api_composes_the_alert_from_facts_said_in_each_readers_language(
    dispatcher_api, responders, incident, smtp_server, send
):
    Person.objects.filter(pk=responders[1].pk).update(language="es")
    response = send(
        dispatcher_api,
        f"/incidents/{incident.public_id}/confirm",
        {
            "seen": ["checkpoint"],
            "radius_m": 1000,
            "since": "07:05",
            "until": "09:00",
            "ask": "observe",
            "notes": {"es": "Retén en la calle 8", "en": ""},
        },
    )

    assert response.status_code == 201
    bodies = {m["to"][0]: m["subject"] + "\n" + m["body"] for m in smtp_server.messages}
    english, spanish = bodies["responder1@mna.test"], bodies["responder2@mna.test"]
    assert "VERIFIED: A checkpoint — Hennepin County Medical Center" in english
    assert "Since: 07:05" in english and "Until: 09:00" in english
    assert "Retén" not in english
    assert "VERIFICADO: Un retén — Hennepin County Medical Center" in spanish
    assert "Desde: 07:05" in spanish and "Hasta: 09:00" in spanish
    assert "Retén en la calle 8" in spanish


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"radius_m": 1000}, "seen"),
        ({"seen": [], "radius_m": 1000}, "seen"),
        ({"seen": ["a_parade"], "radius_m": 1000}, "seen"),
        ({"seen": ["checkpoint"], "radius_m": 10}, "radius_m"),
        ({"seen": ["checkpoint"], "radius_m": 1000, "ask": "panic"}, "ask"),
        ({"seen": ["checkpoint"], "radius_m": 1000, "since": "25:00"}, "since"),
        ({"seen": ["checkpoint"], "radius_m": 1000, "until": "8 am"}, "until"),
        ({"seen": ["checkpoint"], "radius_m": 1000, "site": "nowhere"}, "where"),
        ({"seen": ["checkpoint"], "radius_m": 1000, "notes": {"fr": "Bonjour"}}, "notes"),
        ({"seen": ["checkpoint"], "radius_m": 1000, "notes": {"es": "x" * 501}}, "notes"),
        ({"message": "ICE at the bay", "seen": ["checkpoint"], "radius_m": 1000}, "message"),
        ({"where": "The bay", "seen": ["checkpoint"], "radius_m": 1000}, "where"),
    ],
)
def test_a_bad_confirmation_is_refused_naming_the_field_and_sends_nothing(
    dispatcher_api, responders, incident, body, field
):
    response = dispatcher_api.post(f"/incidents/{incident.public_id}/confirm", body)

    assert response.status_code == 422
    assert {str(error["loc"][2]) for error in response.json()["detail"]} == {field}
    assert not incident.alerts.exclude(kind=Alert.Kind.NEW_INCIDENT).exists()
    incident.refresh_from_db()
    assert incident.state == Incident.State.NEW


def test_an_incident_is_confirmed_only_once(dispatcher_api, dispatcher, incident):
    confirm_incident(
        dispatcher,
        incident,
        AlertFacts(seen=["agents_on_foot"], notes={"en": "ICE at the bay"}),
        radius_m=1000,
    )

    response = dispatcher_api.post(
        f"/incidents/{incident.public_id}/confirm", {"seen": ["arrest"], "radius_m": 1000}
    )

    assert response.status_code == 422
    assert "already confirmed" in response.json()["detail"][0]["msg"]
    assert incident.alerts.exclude(kind=Alert.Kind.NEW_INCIDENT).count() == 1


def test_dismissing_closes_the_incident_with_its_reason(dispatcher_api, incident):
    response = dispatcher_api.post(
        f"/incidents/{incident.public_id}/dismiss", {"reason": "false_alarm"}
    )

    assert response.status_code == 200
    assert (response.json()["state"], response.json()["dismiss_reason"]) == (
        "dismissed",
        "false_alarm",
    )
    assert not incident.alerts.exclude(kind=Alert.Kind.NEW_INCIDENT).exists()


@pytest.mark.parametrize("body", [{"reason": "bored"}, {}])
def test_dismissing_without_a_known_reason_names_the_reason(dispatcher_api, incident, body):
    response = dispatcher_api.post(f"/incidents/{incident.public_id}/dismiss", body)

    assert response.status_code == 422
    assert fields_named(response) == {"reason"}
    incident.refresh_from_db()
    assert incident.state == Incident.State.NEW


def test_a_broadcast_incident_is_retracted_not_dismissed(dispatcher_api, dispatcher, incident):
    confirm_incident(
        dispatcher,
        incident,
        AlertFacts(seen=["agents_on_foot"], notes={"en": "ICE at the bay"}),
        radius_m=1000,
    )

    response = dispatcher_api.post(
        f"/incidents/{incident.public_id}/dismiss", {"reason": "false_alarm"}
    )

    assert response.status_code == 422
    assert fields_named(response) == {"reason"}
    assert "retract" in response.json()["detail"][0]["msg"]


@pytest.mark.parametrize(
    ("action", "kind", "state"),
    [("retract", "retraction", "dismissed"), ("all-clear", "all_clear", "resolved")],
)
def test_a_retraction_or_all_clear_goes_to_the_people_the_alert_reached(
    dispatcher_api, org, responders, incident, smtp_server, send, action, kind, state
):
    confirmed = send(
        dispatcher_api,
        f"/incidents/{incident.public_id}/confirm",
        {"seen": ["agents_on_foot"], "radius_m": 1000},
    )
    reached = recipients(smtp_server)
    smtp_server.clear()
    latecomer = make_person(org, Role.RESPONDER, name="Late Larry")
    add_contact(latecomer, "email", "larry@mna.test", True)

    response = send(
        dispatcher_api,
        f"/incidents/{incident.public_id}/{action}",
        {"message": "The agents have left." if action == "all-clear" else "It was a drill."},
    )

    assert response.status_code == 201
    assert response.json()["audience_size"] == confirmed.json()["audience_size"] == 2
    assert recipients(smtp_server) == reached
    detail = dispatcher_api.get(f"/incidents/{incident.public_id}").json()
    assert detail["state"] == state
    assert [alert["kind"] for alert in detail["alerts"]] == ["new_incident", "verified", kind]


@pytest.mark.parametrize("action", ["retract", "all-clear"])
def test_an_unconfirmed_incident_has_nothing_to_retract_or_clear(dispatcher_api, incident, action):
    response = dispatcher_api.post(f"/incidents/{incident.public_id}/{action}", {"message": "x"})

    assert response.status_code == 422
    assert not incident.alerts.exclude(kind=Alert.Kind.NEW_INCIDENT).exists()


@pytest.fixture
def verify_request(dispatcher, verifier, incident, smtp_server, django_capture_on_commit_callbacks):
    """A verify request about the incident, delivered to the verifier at the site."""
    with django_capture_on_commit_callbacks(execute=True):
        alert = request_verification(dispatcher, incident, radius_m=500)
    assert recipients(smtp_server) == ["vera@mna.test"]
    return alert


def test_a_person_the_alert_was_not_sent_to_gets_404_for_an_answer(
    api_as, member_api, dispatcher_api, org, verify_request
):
    other_verifier = api_as(make_person(org, Role.VERIFIER, name="Vic Faraway"))
    for api in (member_api, dispatcher_api, other_verifier):
        response = api.post(
            f"/alerts/{verify_request.public_id}/responses", {"status": "confirmed"}
        )

        assert response.status_code == 404
        assert response.json() == {"detail": "Not found."}
    assert not Response.objects.exists()


def test_the_verifiers_answer_appears_on_the_incidents_timeline(
    api_as, dispatcher_api, verifier, incident, verify_request
):
    response = api_as(verifier).post(
        f"/alerts/{verify_request.public_id}/responses",
        {"status": "confirmed", "note": "Two vans, six agents"},
    )

    assert response.status_code == 201
    answer = Response.objects.get()
    assert response.json() == {"id": str(answer.public_id), "status": "confirmed"}
    timeline = dispatcher_api.get(f"/incidents/{incident.public_id}").json()["timeline"]
    assert timeline[-1]["action"] == "response.verify.answered"
    assert timeline[-1]["actor_label"] == "Vera Verifier"
    assert timeline[-1]["detail"]["note"] == "Two vans, six agents"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": "en_route"}, "status"),
        ({"status": "dancing"}, "status"),
        ({"status": "confirmed", "eta_minutes": 10}, "eta_minutes"),
        ({"status": "confirmed", "note": "x" * 1001}, "note"),
    ],
)
def test_an_answer_the_alert_does_not_take_is_refused_naming_the_field(
    api_as, verifier, verify_request, body, field
):
    response = api_as(verifier).post(f"/alerts/{verify_request.public_id}/responses", body)

    assert response.status_code == 422
    assert fields_named(response) == {field}
    assert not Response.objects.exists()


def test_a_site_far_away_keeps_its_verifier_out_of_range(dispatcher_api, org, incident):
    faraway = make_site(org, name="Regions Hospital, St Paul", lat="44.956000", lng="-93.097000")
    make_person(org, Role.VERIFIER, name="Vic Faraway", site=faraway)

    response = dispatcher_api.post(
        f"/incidents/{incident.public_id}/verify-requests", {"radius_m": 2000}
    )

    assert response.status_code == 422
    assert fields_named(response) == {"radius_m"}
