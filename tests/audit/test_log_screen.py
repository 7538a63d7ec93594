"""The audit log screen and its CSV export, for an organization's admins only."""

import csv
import io
import uuid
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from tests.conftest import make_person, verified_client
from tocsin.accounts.roles import Role
from tocsin.audit.models import AuditEntry


def log_url(org, suffix="audit/"):
    return f"/staff/o/{org.slug}/{suffix}"


def entry(org, action="hotline.case.read", object_id=None, actor=None, at=None, **detail):
    return AuditEntry.objects.create(
        organization=org,
        actor=actor,
        actor_label=f"person {actor.public_id}" if actor else "",
        action=action,
        object_type="case",
        object_id=object_id or str(uuid.uuid4()),
        detail=detail,
        at=at or timezone.now(),
    )


def csv_rows(response):
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


@pytest.fixture
def dispatcher_client(client, org):
    dispatcher = make_person(org, Role.DISPATCHER, name="Dee Dispatcher")
    return verified_client(client, dispatcher)


def test_it_shows_an_admin_their_organizations_entries_and_no_others(
    admin_client, org, other_org, admin
):
    ours = entry(org, actor=admin, fields="name")
    theirs = entry(other_org, action="hotline.plan.read")

    response = admin_client.get(log_url(org))

    page = response.content.decode()
    assert response.status_code == 200
    assert ours.object_id in page
    assert "Ada Admin" in page
    assert "read a case" in page
    assert "fields: name" in page
    assert theirs.object_id not in page
    assert "read an emergency plan" not in page


def test_it_names_tocsin_when_nobody_acted_and_falls_back_to_the_dotted_action(admin_client, org):
    entry(org, action="hotline.case.something_new")

    page = admin_client.get(log_url(org)).content.decode()

    assert "Tocsin" in page
    assert "hotline.case.something_new" in page


def test_it_links_each_object_to_the_log_filtered_by_it(admin_client, org):
    case = entry(org)

    page = admin_client.get(log_url(org)).content.decode()

    assert f"/staff/o/{org.slug}/audit/?object={case.object_id}" in page


def test_it_shows_the_audit_log_link_to_admins(admin_client, org):
    page = admin_client.get(f"/staff/o/{org.slug}/units/").content.decode()

    assert f'href="/staff/o/{org.slug}/audit/"' in page


def test_it_refuses_a_dispatcher_of_the_same_organization(dispatcher_client, org):
    entry(org)

    assert dispatcher_client.get(log_url(org)).status_code == 404
    assert dispatcher_client.get(log_url(org, "audit.csv")).status_code == 404


def test_it_refuses_a_member_of_the_same_organization(client, org, member):
    client.force_login(member)

    assert client.get(log_url(org)).status_code == 404
    assert client.get(log_url(org, "audit.csv")).status_code == 404


def test_it_refuses_an_admin_of_another_organization(outsider_client, org):
    assert outsider_client.get(log_url(org)).status_code == 404
    assert outsider_client.get(log_url(org, "audit.csv")).status_code == 404


def test_it_sends_an_anonymous_visitor_to_sign_in(client, org):
    response = client.get(log_url(org))

    assert response.status_code == 302
    assert "/staff/login" in response["Location"]


def test_it_narrows_the_log_to_one_object(admin_client, org):
    wanted = entry(org)
    other = entry(org)

    page = admin_client.get(log_url(org), {"object": wanted.object_id}).content.decode()

    assert wanted.object_id in page
    assert other.object_id not in page
    assert "1 entry found" in page


def test_it_narrows_the_log_to_actions_starting_with_a_prefix(admin_client, org):
    hotline = entry(org, action="hotline.plan.read")
    response_entry = entry(org, action="response.incident.read")

    page = admin_client.get(log_url(org), {"action": "hotline."}).content.decode()

    assert hotline.object_id in page
    assert response_entry.object_id not in page


def test_it_narrows_the_log_to_one_person_and_to_dates(admin_client, org, admin, member):
    now = timezone.localtime()
    mine = entry(org, actor=admin, at=now)
    theirs = entry(org, actor=member, at=now)
    old = entry(org, actor=admin, at=now - timedelta(days=10))
    today = now.date().isoformat()

    page = admin_client.get(
        log_url(org), {"person": str(admin.public_id), "since": today, "until": today}
    ).content.decode()

    assert mine.object_id in page
    assert theirs.object_id not in page
    assert old.object_id not in page


@pytest.mark.parametrize(
    ("filters", "field"),
    [
        ({"since": "31/01/2025"}, "Since"),
        ({"until": "2025-02-30"}, "Until"),
        ({"person": "not-a-uuid"}, "Person ID"),
    ],
)
def test_it_names_the_field_of_a_bad_filter_and_shows_no_entries(admin_client, org, filters, field):
    shown = entry(org)

    response = admin_client.get(log_url(org), filters)

    page = response.content.decode()
    assert response.status_code == 200
    assert f"{field}: Enter a" in page
    assert shown.object_id not in page
    assert "No entries match." in page


def test_it_survives_the_calendars_last_day(admin_client, org):
    shown = entry(org)

    response = admin_client.get(log_url(org), {"since": "0001-01-01", "until": "9999-12-31"})

    assert response.status_code == 200
    assert shown.object_id in response.content.decode()


def test_it_shows_at_most_fifty_entries_a_page_and_keeps_the_filters_in_the_pager(
    admin_client, org
):
    start = timezone.now() - timedelta(hours=1)
    for minute in range(55):
        entry(org, action="hotline.case.read", at=start + timedelta(minutes=minute))

    first = admin_client.get(log_url(org), {"action": "hotline."}).content.decode()
    second = admin_client.get(log_url(org), {"action": "hotline.", "page": 2}).content.decode()

    assert first.count("read a case") == 50
    assert second.count("read a case") == 5
    assert "?action=hotline.&amp;page=2" in first
    assert "?action=hotline.&amp;page=1" in second


def test_it_exports_the_filtered_entries_as_csv_with_a_bom(admin_client, org, admin):
    at = timezone.make_aware(datetime(2025, 3, 4, 5, 6, 7))
    wanted = entry(org, actor=admin, at=at, action="hotline.case.exported", pages=2)
    other = entry(org, action="response.incident.read")

    response = admin_client.get(log_url(org, "audit.csv"), {"action": "hotline."})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = csv_rows(response)
    assert rows[0] == ["at", "actor", "action", "object_type", "object_id", "detail"]
    assert rows[1:] == [
        [
            timezone.localtime(at).isoformat(sep=" ", timespec="seconds"),
            "Ada Admin",
            "hotline.case.exported",
            "case",
            wanted.object_id,
            '{"pages": 2}',
        ]
    ]
    assert other.object_id not in response.content.decode()


def test_it_guards_a_cell_that_a_spreadsheet_would_run_as_a_formula(admin_client, org):
    sly = make_person(org, name='=HYPERLINK("https://evil.test")')
    entry(org, actor=sly, object_id="+1+1")

    rows = csv_rows(admin_client.get(log_url(org, "audit.csv")))

    assert rows[1][1] == '\'=HYPERLINK("https://evil.test")'
    assert rows[1][4] == "'+1+1"


def test_it_records_the_export_in_the_log_itself(admin_client, org, admin):
    entry(org)
    entry(org)

    admin_client.get(log_url(org, "audit.csv"))

    exported = AuditEntry.objects.get(action="audit.log.exported")
    assert exported.organization == org
    assert exported.actor == admin
    assert exported.detail == {"rows": 2}


def test_it_does_not_record_a_view_of_the_screen(admin_client, org):
    admin_client.get(log_url(org))

    assert not AuditEntry.objects.filter(action__startswith="audit.").exists()
