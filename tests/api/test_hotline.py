"""The hotline's API: open a case, read it (audited), log events, move its state; and the
audit log for admins."""

from datetime import datetime

import pytest
from django.utils import timezone

from tests.conftest import make_person
from tests.factories import Api, token_for
from tests.hotline.conftest import LAWYER_EMAIL, SISTER_PHONE, plan_content
from tocsin.accounts.roles import Role
from tocsin.audit.models import AuditEntry
from tocsin.hotline.models import Case, CaseEvent
from tocsin.hotline.services import cases
from tocsin.hotline.services.plans import save_plan
from tocsin.response.models import Incident


@pytest.fixture
def volunteer(org):
    return make_person(org, Role.HOTLINE, email="hana@mna.test", name="Hana Hotline")


@pytest.fixture
def hotline_api(volunteer):
    return Api(token_for(volunteer))


@pytest.fixture
def rosa(org, site):
    nurse = make_person(org, Role.MEMBER, name="Rosa Rivera", language="es", site=site)
    save_plan(nurse, org, plan_content(), "4826")
    return nurse


@pytest.fixture
def case(org, volunteer):
    return cases.open_case(volunteer, org, cases.CaseInput(name="Miguel"), Case.OpenedVia.CALL)


def test_it_opens_a_case_for_a_members_husband_and_tells_her_people(
    hotline_api, org, site, rosa, sent, sms_gateway, smtp_server
):
    incident = Incident.objects.create(
        organization=org, site=site, where=site.name, state=Incident.State.CONFIRMED
    )
    with sent():
        response = hotline_api.post(
            "/cases",
            {
                "organization": org.slug,
                "name": "Miguel Rivera",
                "member": str(rosa.public_id),
                "for_household": True,
                "agency": "ice",
                "incident": str(incident.public_id),
            },
        )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name"] == "Miguel Rivera" and body["member"] is None
    assert body["incident"] == str(incident.public_id)
    assert body["plan"]["pickup"] == "Lucía Rivera o la abuela Carmen"
    assert [m["to"] for m in sms_gateway.messages] == [SISTER_PHONE]
    assert [LAWYER_EMAIL] in [m["to"] for m in smtp_server.messages]
    assert Case.objects.get().opened_via == "api"


@pytest.mark.parametrize("state", [Incident.State.NEW, Incident.State.VERIFYING])
def test_a_volunteer_cannot_tie_a_case_to_an_unverified_incident_nor_learn_it_exists(
    hotline_api, org, site, state
):
    """An unverified report is for dispatchers: its id is answered as a made-up one."""
    incident = Incident.objects.create(organization=org, site=site, where=site.name, state=state)
    case = {"organization": org.slug, "name": "Miguel Rivera"}

    real = hotline_api.post("/cases", {**case, "incident": str(incident.public_id)})
    made_up = hotline_api.post(
        "/cases", {**case, "incident": "0" * 8 + "-0000-4000-8000-" + "0" * 12}
    )

    assert real.status_code == made_up.status_code == 422
    assert real.json() == made_up.json()
    assert not Case.objects.exists()


def test_reading_a_case_is_audited_with_its_plan(hotline_api, org, rosa, volunteer):
    case = cases.open_case(
        volunteer,
        org,
        cases.CaseInput(),
        Case.OpenedVia.CALL,
        person=rosa,
        plan=rosa.emergency_plan,
    )
    response = hotline_api.get(f"/cases/{case.code}")
    assert response.status_code == 200
    assert response.json()["plan"]["documents"] == "Carpeta azul en el armario de la cocina"
    actions = list(AuditEntry.objects.filter(actor=volunteer).values_list("action", flat=True))
    assert "hotline.case.read" in actions and "hotline.plan.read" in actions


@pytest.mark.parametrize("roles", [Role.ADMIN, Role.DISPATCHER, Role.MEMBER])
def test_no_one_else_in_the_organization_reads_a_case(org, case, roles):
    other = make_person(org, roles, email="x@mna.test", name="Xavi")
    api = Api(token_for(other))
    assert api.get(f"/cases/{case.code}").status_code == 404
    assert api.post(f"/cases/{case.code}/state", {"state": "located"}).status_code == 404
    assert Case.objects.get().state == "open"


def test_the_legal_partner_reads_their_case(org, case, volunteer):
    lawyer = make_person(org, Role.LEGAL_OBSERVER, email="ana@mna.test", name="Ana")
    assert Api(token_for(lawyer)).get(f"/cases/{case.code}").status_code == 404
    cases.assign(volunteer, case, None, lawyer)
    assert Api(token_for(lawyer)).get(f"/cases/{case.code}").status_code == 200


def test_an_event_goes_on_the_timeline(hotline_api, case):
    response = hotline_api.post(
        f"/cases/{case.code}/events", {"kind": "hearing", "note": "Master calendar hearing"}
    )
    assert response.status_code == 201
    assert response.json()["kind"] == "hearing"
    assert CaseEvent.objects.filter(case=case, kind="hearing").get().note == (
        "Master calendar hearing"
    )


def test_a_time_without_an_offset_is_read_in_the_servers_time_zone(hotline_api, case):
    response = hotline_api.post(
        f"/cases/{case.code}/events",
        {"kind": "hearing", "note": "Master calendar hearing", "at": "2027-01-05T09:30:00"},
    )

    assert response.status_code == 201, response.content
    at = CaseEvent.objects.get(case=case, kind="hearing").at
    assert timezone.localtime(at).replace(tzinfo=None) == datetime(2027, 1, 5, 9, 30)


def test_the_state_moves_on_and_closing_erases_the_locator(hotline_api, org, volunteer):
    case = cases.open_case(
        volunteer, org, cases.CaseInput(name="M", locator="A123-456-789"), Case.OpenedVia.CALL
    )
    assert hotline_api.post(f"/cases/{case.code}/state", {"state": "located"}).json()["state"] == (
        "located"
    )
    body = hotline_api.post(f"/cases/{case.code}/state", {"state": "released"}).json()
    # A release is a turn: the case stays open, with its A-number, until it is closed.
    assert body["state"] == "released" and body["locator"] == "A123-456-789"
    assert body["ended_at"] is None
    body = hotline_api.post(f"/cases/{case.code}/state", {"state": "closed"}).json()
    assert body["state"] == "released" and body["locator"] == "" and body["ended_at"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"agency": "fbi"}, "agency"),
        ({"taken_at": "2099-01-01T00:00:00Z"}, "taken_at"),
        ({"taken_at": "2099-01-01T00:00:00"}, "taken_at"),  # no offset: the server's zone
        ({"facility": "nope"}, "facility"),
        ({"incident": "not-an-id"}, "incident"),
        ({"member": "not-an-id"}, "member"),
        ({"family": [{"name": "Lucía", "channel": "sms", "address": "12"}]}, "family.0.address"),
        (
            {"family": [{"name": "Lucía", "channel": "sms", "address": "612 555 019"}]},
            "family.0.address",
        ),
        ({"name": ""}, "name"),
    ],
)
def test_bad_input_names_the_field_and_opens_nothing(hotline_api, org, body, field):
    response = hotline_api.post("/cases", {"organization": org.slug, "name": "Miguel", **body})
    assert response.status_code == 422, response.content
    fields = [entry["loc"][-1] for entry in response.json()["detail"]]
    assert field in fields or any(str(f) == field.split(".")[0] for f in fields)
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("state", {"state": "lost"}, "state"),
        ("events", {"kind": "call", "note": ""}, "note"),
        ("events", {"kind": "opened", "note": "x"}, "kind"),
    ],
)
def test_bad_changes_name_the_field_and_change_nothing(hotline_api, case, path, body, field):
    response = hotline_api.post(f"/cases/{case.code}/{path}", body)
    assert response.status_code == 422
    assert field in [entry["loc"][-1] for entry in response.json()["detail"]]
    assert Case.objects.get().state == "open"
    assert CaseEvent.objects.filter(case=case).count() == 1  # only "opened"


def test_a_state_going_back_is_refused(hotline_api, case):
    hotline_api.post(f"/cases/{case.code}/state", {"state": "counsel_assigned"})
    response = hotline_api.post(f"/cases/{case.code}/state", {"state": "located"})
    assert response.status_code == 422
    assert Case.objects.get().state == "counsel_assigned"


def test_admins_read_the_audit_log_of_one_case(org, admin, case, hotline_api):
    hotline_api.get(f"/cases/{case.code}")
    response = Api(token_for(admin)).get(
        "/audit", organization=org.slug, object=str(case.public_id)
    )
    assert response.status_code == 200
    actions = [entry["action"] for entry in response.json()]
    assert "hotline.case.read" in actions and "hotline.case.opened" in actions
    # The log names the case by its code, as the screens do; its code finds the same entries.
    assert {entry["object_id"] for entry in response.json()} == {case.code}
    by_code = Api(token_for(admin)).get("/audit", organization=org.slug, object=case.code)
    assert by_code.json() == response.json()


def test_the_audit_log_is_for_admins_only(org, hotline_api, outsider):
    assert hotline_api.get("/audit", organization=org.slug).status_code == 404
    assert Api(token_for(outsider)).get("/audit", organization=org.slug).status_code == 404
