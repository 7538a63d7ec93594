"""What a case forgets. Locator details go the moment the hotline closes the case
(cases.close_case); a release, a transfer or a removal closes nothing. The rest that could
name or place the person (their name, where they were taken, the facility as typed, the
people kept informed, every note, task and message) is erased once the organization's case
retention period (Organization.case_retention_days, 90 by default) has run since the case
was closed. The outcome, the dates, the agency and the facility from the
organization's list stay, so the hotline can still count what happened."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from tocsin.accounts.models import Organization
from tocsin.audit.services import record

from ..models import Case, CaseEvent, CaseMessage, CaseTask

CASE_FIELDS = {
    "name": "",
    "taken_where": "",
    "facility_text": "",
    "locator": "",
    "family_encrypted": "",
    "person": None,
    "plan": None,
}


@transaction.atomic
def erase_case(case: Case, now=None) -> None:
    """Erase a case's sensitive details, keeping its outcome and dates."""
    now = now or timezone.now()
    Case.objects.filter(pk=case.pk).update(**CASE_FIELDS, erased_at=now)
    CaseEvent.objects.filter(case=case).update(note="")
    CaseTask.objects.filter(case=case).update(title="")
    CaseMessage.objects.filter(case=case).delete()
    CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.ERASED, at=now)
    record(None, "hotline.case.erased", case, organization=case.organization)


def erase_expired_cases(now=None) -> int:
    """Erase the cases closed longer ago than their organization's case retention period
    (a reopened case waits for its next close); return how many."""
    now = now or timezone.now()
    erased = 0
    for organization in Organization.objects.only("pk", "slug", "case_retention_days"):
        cutoff = now - timedelta(days=organization.case_retention_days)
        expired = Case.objects.filter(
            organization=organization, ended_at__lte=cutoff, erased_at__isnull=True
        ).select_related("organization")
        for case in expired:
            erase_case(case, now)
            erased += 1
    return erased


def cases_erased(count: int) -> str:
    """Say what `tocsin erase-expired` erased here (registered in hotline/apps.py)."""
    noun = "case" if count == 1 else "cases"
    return f"Sensitive details erased from {count} {noun}."
