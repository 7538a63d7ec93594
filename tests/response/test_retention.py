"""Who sent a report is forgotten on schedule: the callback, the raw message and the
reporter go once the organization's retention period after the incident's end has run; a
malicious report loses them at once. What the report said stays for the record."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from tests.conftest import make_person, make_site
from tocsin.audit.models import AuditEntry
from tocsin.response.models import Incident, Report
from tocsin.response.services.broadcast import (
    AlertFacts,
    clear_incident,
    confirm_incident,
    retract_incident,
)
from tocsin.response.services.incidents import dismiss_incident
from tocsin.response.services.reports import (
    ReportInput,
    TooManyReports,
    rate_key,
    reset_rate,
    submit_report,
)
from tocsin.response.services.retention import erase_expired_senders
from tocsin.response.tasks import erase_expired_senders_hourly

CALLBACK = "+16125550199"
MESSAGE = "ICE at the ER entrance, two vans, door 3"


def text_report(org, site, reporter=None, rate_source="", inbound_key=None):
    """File what a member texted about the ambulance bay, with a number to call back."""
    return submit_report(
        org,
        ReportInput(
            site=site,
            agents=6,
            vehicles=2,
            activity="Agents in tactical vests at the ambulance bay",
            uniform="Vests marked POLICE ICE",
            callback=CALLBACK,
            raw_text=MESSAGE,
        ),
        "sms",
        rate_source=rate_source,
        reporter=reporter,
        inbound_key=inbound_key,
    )


def resolve(incident, dispatcher):
    """Confirm and broadcast the incident, then give the all-clear."""
    confirm_incident(
        dispatcher,
        incident,
        AlertFacts(
            seen=["agents_on_foot"], notes={"en": "ICE at the HCMC ambulance bay. Stay away."}
        ),
    )
    clear_incident(dispatcher, incident, "Agents left HCMC. All clear.")
    incident.refresh_from_db()
    return incident


def stored_sender_columns(report):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT raw_text, callback, reporter_id, inbound_key FROM response_report"
            " WHERE id = %s",
            [report.pk],
        )
        return cursor.fetchone()


def assert_sender_erased(report):
    report.refresh_from_db()
    assert (report.callback, report.raw_text, report.reporter) == ("", "", None)
    assert report.inbound_key is None
    assert report.sender_erased_at is not None


def test_a_resolved_incident_keeps_who_reported_for_thirty_days(org, site, dispatcher, member):
    report = text_report(org, site, reporter=member)
    incident = resolve(report.incident, dispatcher)

    assert erase_expired_senders(now=incident.closed_at + timedelta(days=29, hours=23)) == 0

    report.refresh_from_db()
    assert report.callback == CALLBACK
    assert report.raw_text == MESSAGE
    assert report.reporter == member
    assert report.sender_erased_at is None


def test_after_thirty_days_the_sender_is_forgotten_but_what_they_saw_stays(
    org, site, dispatcher, member
):
    report = text_report(org, site, reporter=member, inbound_key="sms-key-1")
    incident = resolve(report.incident, dispatcher)

    assert erase_expired_senders(now=incident.closed_at + timedelta(days=30, minutes=1)) == 1

    assert_sender_erased(report)
    assert report.activity == "Agents in tactical vests at the ambulance bay"
    assert report.uniform == "Vests marked POLICE ICE"
    assert (report.agents, report.vehicles, report.site) == (6, 2, site)


def test_the_erased_columns_are_empty_in_the_database_itself(org, site, dispatcher, member):
    report = text_report(org, site, reporter=member, inbound_key="sms-key-2")
    raw_text, callback, reporter_id, inbound_key = stored_sender_columns(report)
    assert raw_text and callback and reporter_id == member.pk and inbound_key

    incident = resolve(report.incident, dispatcher)
    erase_expired_senders(now=incident.closed_at + timedelta(days=31))

    assert stored_sender_columns(report) == ("", "", None, None)


def test_an_organization_can_keep_senders_for_only_a_week(org, other_org, site, dispatcher):
    org.retention_days = 7
    org.save(update_fields=["retention_days"])
    ours = text_report(org, site)
    their_site = make_site(other_org, name="Montefiore, Bronx", lat="40.880000", lng="-73.879000")
    theirs = text_report(other_org, their_site)
    for report in (ours, theirs):
        dismiss_incident(dispatcher, report.incident, Incident.DismissReason.FALSE_ALARM)
    closed_at = Incident.objects.get(pk=ours.incident_id).closed_at

    assert erase_expired_senders(now=closed_at + timedelta(days=6)) == 0
    assert erase_expired_senders(now=closed_at + timedelta(days=8)) == 1

    assert_sender_erased(ours)
    theirs.refresh_from_db()
    assert theirs.callback == CALLBACK and theirs.sender_erased_at is None


def test_an_open_incident_never_loses_who_reported(org, site, dispatcher):
    long_ago = timezone.now() - timedelta(days=400)
    report = text_report(org, site)
    Incident.objects.filter(pk=report.incident_id).update(opened_at=long_ago)
    confirmed = text_report(org, make_site(org, name="Lincoln High", lat="44.9", lng="-93.3"))
    confirm_incident(
        dispatcher,
        confirmed.incident,
        AlertFacts(seen=["agents_on_foot"], notes={"en": "ICE at Lincoln High. Stay away."}),
    )

    assert erase_expired_senders(now=timezone.now() + timedelta(days=365)) == 0

    for kept in (report, confirmed):
        kept.refresh_from_db()
        assert kept.callback == CALLBACK and kept.raw_text == MESSAGE


def test_a_malicious_report_keeps_nothing_of_its_sender_yet_the_sender_is_still_held_back(
    org, site, dispatcher, member, settings
):
    settings.TOCSIN_REPORT_BURST = 1
    reset_rate(CALLBACK)
    report = text_report(org, site, reporter=member, rate_source=CALLBACK, inbound_key="sms-3")

    dismiss_incident(dispatcher, report.incident, Incident.DismissReason.MALICIOUS)

    assert_sender_erased(report)
    assert stored_sender_columns(report) == ("", "", None, None)
    assert rate_key(CALLBACK) not in repr(Report.objects.filter(pk=report.pk).values().get())
    assert report.activity == "Agents in tactical vests at the ambulance bay"
    # The limit still runs out its time on the number, from the queue's store.
    with pytest.raises(TooManyReports):
        text_report(org, site, rate_source=CALLBACK)
    reset_rate(CALLBACK)


def test_a_retracted_malicious_alert_loses_its_senders_at_once(org, site, dispatcher):
    report = text_report(org, site)
    confirm_incident(
        dispatcher,
        report.incident,
        AlertFacts(
            seen=["agents_on_foot"], notes={"en": "ICE at the HCMC ambulance bay. Stay away."}
        ),
    )
    retract_incident(
        dispatcher,
        report.incident,
        "No ICE at HCMC: false report.",
        Incident.DismissReason.MALICIOUS,
    )

    assert_sender_erased(report)
    assert erase_expired_senders() == 0


def test_the_erasure_is_audited_with_only_a_count(org, site, dispatcher, member):
    first = text_report(org, site, reporter=member)
    text_report(org, site)
    incident = resolve(first.incident, dispatcher)

    erase_expired_senders(now=incident.closed_at + timedelta(days=31))

    entry = AuditEntry.objects.get(action="response.report.senders_erased")
    assert entry.detail == {"reports": 2}
    assert entry.actor is None
    assert entry.organization == org
    assert (entry.object_type, entry.object_id) == ("organization", org.slug)
    everything_audited = str(list(AuditEntry.objects.values("actor_label", "object_id", "detail")))
    assert CALLBACK not in everything_audited and "ER entrance" not in everything_audited


def test_a_sweep_with_nothing_due_writes_no_audit_entry(org, site):
    text_report(org, site)

    assert erase_expired_senders() == 0

    assert not AuditEntry.objects.filter(action="response.report.senders_erased").exists()


def test_reports_erased_once_are_not_counted_again(org, site, dispatcher):
    report = text_report(org, site)
    incident = resolve(report.incident, dispatcher)
    later = incident.closed_at + timedelta(days=31)

    assert erase_expired_senders(now=later) == 1
    erased_at = Report.objects.get(pk=report.pk).sender_erased_at
    assert erase_expired_senders(now=later + timedelta(hours=1)) == 0

    assert Report.objects.get(pk=report.pk).sender_erased_at == erased_at


def test_the_hourly_job_erases_what_is_due_now(org, site, dispatcher):
    report = text_report(org, site)
    dismiss_incident(dispatcher, report.incident, Incident.DismissReason.FALSE_ALARM)
    Incident.objects.filter(pk=report.incident_id).update(
        closed_at=timezone.now() - timedelta(days=31)
    )

    assert erase_expired_senders_hourly.call_local() == 1

    assert_sender_erased(report)


def test_the_erase_expired_command_says_how_many_it_erased(org, site, dispatcher):
    report = text_report(org, site)
    dismiss_incident(dispatcher, report.incident, Incident.DismissReason.FALSE_ALARM)
    Incident.objects.filter(pk=report.incident_id).update(
        closed_at=timezone.now() - timedelta(days=31)
    )
    out = StringIO()

    call_command("erase-expired", stdout=out)

    assert "Sender details erased from 1 report." in out.getvalue()
    assert_sender_erased(report)
    out = StringIO()
    call_command("erase-expired", stdout=out)
    assert "from 0 reports" in out.getvalue()


def test_a_member_who_reported_is_still_a_member_after_the_erasure(org, site, dispatcher):
    reporter = make_person(org, name="Rosalind Quietreporter")
    report = text_report(org, site, reporter=reporter)
    incident = resolve(report.incident, dispatcher)

    erase_expired_senders(now=incident.closed_at + timedelta(days=31))

    assert_sender_erased(report)
    assert reporter.memberships.filter(organization=org, active=True).exists()


def test_erasing_a_member_erases_who_sent_their_reports_at_once(org, site, admin, member):
    from tocsin.accounts.services.people import erase_person

    report = text_report(org, site, reporter=member, inbound_key="sms-key-9")

    erase_person(member, admin, organization=org)

    assert_sender_erased(report)
    assert stored_sender_columns(report) == ("", "", None, None)
    assert report.activity == "Agents in tactical vests at the ambulance bay"
