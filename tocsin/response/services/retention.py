"""Forget who sent reports: reporter contacts and raw inbound messages are erased once the
organization's retention period (Organization.retention_days, 30 by default) has run since
the incident was resolved or dismissed. A report dismissed as malicious, or whose reporter
is erased, loses them at once. What the report said (SALUTE) stays for the record.

A report row never holds a hash of its source; the rate limit holds one only while it
limits (services/limits.py), and each sweep forgets the buckets that no longer do."""

from datetime import timedelta

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from tocsin.accounts.models import Organization
from tocsin.audit.services import record

from ..models import Incident, Report
from .limits import forget_spent

# Everything a report holds about its sender: what they wrote, how to call them back, who
# they are, and the keyed hash of their number and message time.
SENDER_FIELDS = {"raw_text": "", "callback": "", "reporter": None, "inbound_key": None}
CLOSED_STATES = [Incident.State.RESOLVED, Incident.State.DISMISSED]


def erase_senders(reports: QuerySet[Report], now=None) -> int:
    """Erase what the reports hold about their senders, keeping what they say; return how
    many were erased (those erased before keep their time)."""
    return reports.filter(sender_erased_at__isnull=True).update(
        **SENDER_FIELDS, sender_erased_at=now or timezone.now()
    )


@transaction.atomic
def erase_expired_senders(now=None) -> int:
    """Erase sender details of reports whose incident ended longer ago than the retention
    period of its organization, and of any closed as malicious (a retracted alert's too);
    return how many reports were erased."""
    now = now or timezone.now()
    forget_spent()
    erased = 0
    for organization in Organization.objects.only("pk", "slug", "retention_days"):
        cutoff = now - timedelta(days=organization.retention_days)
        due = Report.objects.filter(
            Q(incident__closed_at__lte=cutoff)
            | Q(incident__dismiss_reason=Incident.DismissReason.MALICIOUS),
            organization=organization,
            incident__state__in=CLOSED_STATES,
        )
        count = erase_senders(due, now)
        if count:
            record(None, "response.report.senders_erased", organization, reports=count)
        erased += count
    return erased


def senders_erased(count: int) -> str:
    """Say what `tocsin erase-expired` erased here (registered in response/apps.py)."""
    noun = "report" if count == 1 else "reports"
    return f"Sender details erased from {count} {noun}."
