"""Reports join the nearby open incident of their organization, or open a new one."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.conftest import make_site
from tocsin.response.models import Incident, Report
from tocsin.response.services.incidents import dismiss_incident
from tocsin.response.services.reports import ReportInput, reset_rate, submit_report

from .conftest import file_report


def test_it_opens_an_incident_at_the_site_of_the_first_report(org, site):
    report = file_report(org, site=site)
    incident = report.incident
    assert incident.state == Incident.State.NEW
    assert incident.site == site
    incident.refresh_from_db()
    assert (str(incident.lat), str(incident.lng)) == ("44.972700", "-93.262200")
    assert incident.where == "Hennepin County Medical Center"
    assert [entry.action for entry in incident.timeline.all()] == [
        "response.incident.opened",
        "response.report.received",
        "response.dispatchers.alerted",
    ]


def test_three_reports_of_the_ambulance_bay_make_one_incident(org, site):
    first = file_report(org, site=site)
    second = file_report(org, lat=44.9731, lng=-93.2617, activity="Unmarked SUVs")
    third = file_report(org, site=site, agents=6, vehicles=3)
    assert first.incident == second.incident == third.incident
    assert first.incident.reports.count() == 3


def test_a_report_a_kilometre_away_opens_its_own_incident(org, site):
    first = file_report(org, site=site)
    far = file_report(org, lat=44.9820, lng=-93.2622)  # about 1 km north
    assert far.incident != first.incident


def test_a_report_after_the_window_opens_a_new_incident(org, site, settings):
    first = file_report(org, site=site)
    Incident.objects.filter(pk=first.incident.pk).update(
        last_report_at=timezone.now() - timedelta(minutes=91)
    )
    assert file_report(org, site=site).incident != first.incident


def test_the_radius_and_window_are_settings(org, site, settings):
    settings.TOCSIN_INCIDENT_RADIUS_M = 2000
    first = file_report(org, site=site)
    assert file_report(org, lat=44.9820, lng=-93.2622).incident == first.incident


def test_a_report_never_joins_another_organizations_incident(org, other_org, site):
    site.organizations.add(other_org)
    ours = file_report(org, site=site)
    theirs = file_report(other_org, site=site)
    assert ours.incident != theirs.incident


def test_a_report_never_joins_a_closed_incident(org, site, dispatcher):
    first = file_report(org, site=site)
    dismiss_incident(dispatcher, first.incident, Incident.DismissReason.FALSE_ALARM)
    assert file_report(org, site=site).incident != first.incident


def test_a_report_with_no_place_opens_its_own_incident(org, site):
    file_report(org, site=site)
    placeless = file_report(org, raw_text="ICE at the garage", activity="")
    assert placeless.incident.reports.count() == 1
    assert not placeless.incident.located


def test_a_report_that_says_nothing_is_refused_and_nothing_is_stored(org, site):
    with pytest.raises(ValidationError) as refused:
        submit_report(org, ReportInput(site=site), "web")
    assert "activity" in refused.value.message_dict
    assert not Report.objects.exists() and not Incident.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"lat": 91, "lng": 0}, "lat"),
        ({"lat": 44.9, "lng": None}, "lng"),
        ({"agents": 5000}, "agents"),
        ({"activity": "x" * 1001}, "activity"),
        ({"seen_at": timezone.now() + timedelta(hours=2)}, "seen_at"),
    ],
)
def test_bad_fields_are_named(org, fields, field):
    fields.setdefault("activity", "Agents at the door")
    with pytest.raises(ValidationError) as refused:
        submit_report(org, ReportInput(**fields), "web")
    assert field in refused.value.message_dict
    assert not Report.objects.exists()


def test_a_site_of_another_organization_is_refused(org, other_org):
    theirs = make_site(other_org, name="Montefiore, Bronx", lat="40.880000", lng="-73.879000")
    with pytest.raises(ValidationError) as refused:
        file_report(org, site=theirs)
    assert "site" in refused.value.message_dict


def test_a_source_sending_too_many_reports_is_held_back(org, site, settings):
    settings.TOCSIN_REPORT_BURST = 2
    for source in ("10.9.9.9", "10.9.9.8"):
        reset_rate(source)  # the bucket outlives a test run: start it full
    for _ in range(2):
        submit_report(org, ReportInput(site=site, activity="Agents"), "web", rate_source="10.9.9.9")
    with pytest.raises(ValidationError) as refused:
        submit_report(org, ReportInput(site=site, activity="Agents"), "web", rate_source="10.9.9.9")
    assert "Too many reports" in refused.value.messages[0]
    assert Report.objects.count() == 2
    # Another source is not held back.
    submit_report(org, ReportInput(site=site, activity="Agents"), "web", rate_source="10.9.9.8")


@pytest.mark.parametrize(
    ("source", "counted_as"),
    [
        ("2001:db8:abcd:12::1", "2001:db8:abcd:12::/64"),
        ("2001:DB8:ABCD:12:ffff:1:2:3", "2001:db8:abcd:12::/64"),
        ("fe80::1%eth0", "fe80::/64"),
        ("198.51.100.7", "198.51.100.7"),
        ("::ffff:198.51.100.7", "198.51.100.7"),
        ("+16125550111", "+16125550111"),
        ("unknown", "unknown"),
    ],
)
def test_a_source_counts_as_its_ipv6_64_or_its_ipv4_address(source, counted_as):
    from tocsin.response.services.limits import source_network

    assert source_network(source) == counted_as


def test_an_inbound_message_read_twice_is_stored_once(org):
    data = ReportInput(raw_text="ICE at the garage")
    first = submit_report(org, data, "sms", inbound_key="abc")
    again = submit_report(org, data, "sms", inbound_key="abc")
    assert first == again and Report.objects.count() == 1


def test_what_the_reporter_typed_is_encrypted_at_rest(org, site):
    from django.db import connection

    report = file_report(org, site=site, callback="+16125550111", activity="Vests at bay")
    with connection.cursor() as cursor:
        cursor.execute("SELECT activity, callback FROM response_report WHERE id = %s", [report.pk])
        activity, callback = cursor.fetchone()
    assert "Vests" not in activity and "555" not in callback


def test_the_dispatchers_hear_of_a_new_incident_but_members_do_not(
    org, site, dispatcher, member, smtp_server, sent
):
    from tocsin.accounts.services.people import add_contact
    from tocsin.accounts.services.subscriptions import follow_site

    add_contact(member, "email", "marisol@example.org", True)
    follow_site(member, org, site)
    with sent():
        first = file_report(org, site=site, callback="+16125550199")
    with sent():
        file_report(org, site=site)  # joins the incident: nobody is told twice
    (message,) = smtp_server.messages
    assert message["to"] == ["dispatch@mna.test"]
    assert (
        "NEW REPORT" in message["subject"] and "Hennepin County Medical Center" in message["body"]
    )
    # The link sends whichever dispatcher opens it to the console they may see (decision 0028).
    assert f"/staff/dispatch/{org.slug}/" in message["body"]
    assert "tactical vests" not in message["body"] and "0199" not in message["body"]
    assert first.incident.alerts.get().kind == "new_incident"
