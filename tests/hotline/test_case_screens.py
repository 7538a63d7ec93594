"""The hotline's case screens: opening a case from a call or an incident, the case page
with the plan, the state, the timeline, tasks, family updates, and the record for counsel."""

import pytest

from tests.conftest import make_person, verified_client
from tocsin.accounts.roles import Role
from tocsin.audit.models import AuditEntry
from tocsin.hotline.models import Case, CaseMessage, Facility
from tocsin.hotline.services import cases
from tocsin.response.models import Incident

from .conftest import SISTER_PHONE, case_url


@pytest.fixture
def incident(org, site):
    """A raid the dispatchers confirmed: the hotline is offered only verified incidents."""
    return Incident.objects.create(
        organization=org,
        site=site,
        lat=site.lat,
        lng=site.lng,
        where=site.name,
        state=Incident.State.CONFIRMED,
    )


@pytest.fixture
def case(org, hotline, plan):
    return cases.open_case(
        hotline, org, cases.CaseInput(name="Miguel Rivera"), Case.OpenedVia.CALL, plan=plan
    )


def test_a_volunteer_opens_a_case_for_a_members_husband_from_the_incident(
    hotline_client, org, nurse, plan, incident, sent, sms_gateway, smtp_server
):
    with sent():
        response = hotline_client.post(
            case_url(org) + "new/",
            {
                "who": "household",
                "member": "Rosa Rivera",
                "name": "Miguel Rivera",
                "incident": str(incident.public_id),
                "agency": "ice",
            },
        )

    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == case_url(org, case)
    assert (case.plan, case.person, case.incident, case.opened_via) == (
        plan,
        None,
        incident,
        "incident",
    )
    assert case.taken_where == "Hennepin County Medical Center"
    assert [m["to"] for m in sms_gateway.messages] == [SISTER_PHONE]
    assert {tuple(m["to"]) for m in smtp_server.messages} >= {
        ("abogada@mna-legal.test",),
        ("hotline@mna.test",),
    }


def test_a_member_nobody_can_find_is_named_as_the_problem(hotline_client, org):
    response = hotline_client.post(
        case_url(org) + "new/", {"who": "member", "member": "Nobody Known", "agency": "ice"}
    )
    assert response.status_code == 400
    assert "member" in response.context["form"].errors
    assert not Case.objects.exists()


def test_someone_else_needs_a_name(hotline_client, org):
    response = hotline_client.post(case_url(org) + "new/", {"who": "other", "agency": "unknown"})
    assert "name" in response.context["form"].errors
    assert not Case.objects.exists()


def test_a_dispatcher_opens_a_case_from_the_incident_and_goes_back_to_it(client, org, incident):
    dispatcher = make_person(
        org, Role.DISPATCHER, email="d@mna.test", password="dispatch horse 42", name="Dana"
    )
    dispatcher_client = verified_client(client, dispatcher)
    page = dispatcher_client.get(f"/staff/o/{org.slug}/incidents/{incident.public_id}/")
    assert "open a hotline case" in page.content.decode()
    response = dispatcher_client.post(
        case_url(org) + f"new/?incident={incident.public_id}",
        {
            "who": "other",
            "name": "A man from the cafeteria",
            "incident": str(incident.public_id),
            "agency": "ice",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"/staff/o/{org.slug}/incidents/{incident.public_id}/"
    case = Case.objects.get()
    # The dispatcher opened it, but only the hotline sees it.
    assert dispatcher_client.get(case_url(org, case)).status_code == 404


def test_the_case_page_shows_the_plan_and_audits_both_reads(hotline_client, org, case, hotline):
    html = hotline_client.get(case_url(org, case)).content.decode()
    assert "Miguel Rivera" in html
    assert "Lucía Rivera" in html and "Carpeta azul" in html
    actions = set(AuditEntry.objects.filter(actor=hotline).values_list("action", flat=True))
    assert {"hotline.case.read", "hotline.plan.read"} <= actions


@pytest.mark.parametrize("roles", [Role.DISPATCHER, Role.ADMIN, Role.ORGANIZER])
def test_no_one_else_in_the_organization_sees_a_case(client, org, case, roles):
    other = make_person(org, roles, email="o@mna.test", password="other horse 42", name="Ola")
    other_client = verified_client(client, other)
    assert other_client.get(case_url(org, case)).status_code == 404
    assert other_client.get(case_url(org)).status_code == 404
    assert other_client.post(case_url(org, case, "state"), {"state": "located"}).status_code == 404
    assert Case.objects.get().state == "open"


def test_the_legal_partner_sees_their_case_only(client, org, hotline, case, plan):
    lawyer = make_person(
        org, Role.LEGAL_OBSERVER, email="ana@mna.test", password="lawyer horse 42", name="Ana"
    )
    other = cases.open_case(hotline, org, cases.CaseInput(name="Other"), Case.OpenedVia.CALL)
    cases.assign(hotline, case, None, lawyer)
    lawyer_client = verified_client(client, lawyer)
    assert lawyer_client.get(case_url(org, case)).status_code == 200
    assert lawyer_client.get(case_url(org, other)).status_code == 404
    listing = lawyer_client.get(case_url(org)).content.decode()
    assert case.code in listing and other.code not in listing


def test_the_case_moves_through_its_states_to_release_and_stays_open(hotline_client, org, case):
    for state in ("located", "counsel_assigned", "hearing_scheduled", "released"):
        response = hotline_client.post(case_url(org, case, "state"), {"state": state})
        assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == "released" and case.ended_at is None
    html = hotline_client.get(case_url(org, case)).content.decode()
    assert "Carpeta azul" in html  # the plan is still the hotline's until it closes the case
    hotline_client.post(case_url(org, case, "close"), {"confirm": "on"})
    html = hotline_client.get(case_url(org, case)).content.decode()
    assert "Carpeta azul" not in html  # sealed again with the close


def test_a_state_going_back_is_refused_by_name(hotline_client, org, case):
    hotline_client.post(case_url(org, case, "state"), {"state": "counsel_assigned"})
    response = hotline_client.post(case_url(org, case, "state"), {"state": "located"})
    assert response.status_code == 400
    assert "state" in response.context["state_form"].errors
    assert Case.objects.get().state == "counsel_assigned"


def test_a_call_goes_on_the_timeline(hotline_client, org, case):
    hotline_client.post(
        case_url(org, case, "events"), {"kind": "call", "note": "Spoke to the facility."}
    )
    html = hotline_client.get(case_url(org, case)).content.decode()
    assert "Spoke to the facility." in html


def test_an_empty_note_is_refused(hotline_client, org, case):
    response = hotline_client.post(case_url(org, case, "events"), {"kind": "call", "note": " "})
    assert response.status_code == 400
    assert "note" in response.context["event_form"].errors


def test_the_facility_and_a_number_are_recorded(hotline_client, org, case):
    facility = Facility.objects.create(organization=org, name="Sherburne County Jail")
    response = hotline_client.post(
        case_url(org, case, "details"),
        {"agency": "ice", "facility": facility.code, "locator": "A123-456-789"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.facility, case.locator) == (facility, "A123-456-789")


def test_a_family_update_goes_to_the_chosen_person(hotline_client, org, case, sent, sms_gateway):
    with sent():
        response = hotline_client.post(
            case_url(org, case, "update"),
            {"recipients": ["0"], "text": "Miguel está en Sherburne."},
        )
    assert response.status_code == 302
    update = CaseMessage.objects.get(kind="update")
    assert update.status == "sent" and update.relation == "sibling"
    assert "Miguel está en Sherburne." in sms_gateway.messages[-1]["text"]


def test_a_task_is_added_and_done(hotline_client, org, case, hotline):
    response = hotline_client.post(
        case_url(org, case, "tasks"),
        {
            "title": "Call the consulate",
            "due_at": "2026-12-03T09:00",
            "assigned_to": str(hotline.public_id),
        },
    )
    assert response.status_code == 302
    task = case.tasks.get()
    hotline_client.post(case_url(org, case, f"tasks/{task.code}/done"))
    task.refresh_from_db()
    assert task.done_at is not None


def test_the_record_for_counsel_is_printable_and_audited(hotline_client, org, case, hotline):
    html = hotline_client.get(case_url(org, case, "record")).content.decode()
    assert "Miguel Rivera" in html and "Record of case" in html
    assert "Carpeta azul" not in html  # no care instructions for counsel
    assert AuditEntry.objects.filter(action="hotline.case.exported", actor=hotline).exists()


def test_facilities_are_kept_by_the_hotline(hotline_client, org):
    response = hotline_client.post(
        f"/staff/o/{org.slug}/facilities/",
        {"name": "Sherburne County Jail", "address": "Elk River, MN"},
    )
    assert response.status_code == 302
    again = hotline_client.post(
        f"/staff/o/{org.slug}/facilities/", {"name": "sherburne county jail"}
    )
    assert again.status_code == 400 and "name" in again.context["form"].errors
    assert Facility.objects.count() == 1


def test_a_locked_trigger_is_named_at_the_top_of_the_hotlines_cases(hotline_client, org, plan):
    from django.utils import timezone

    from tocsin.hotline.models import EmergencyPlan

    EmergencyPlan.objects.update(locked_until=timezone.now() + timezone.timedelta(minutes=15))
    html = hotline_client.get(case_url(org)).content.decode()
    assert "Rosa Rivera" in html and "emergency trigger is locked" in html
