"""Who sees which cases: the hotline of the case's organization, and the legal partner
assigned to it. Everyone else, dispatchers and admins included, gets 404.

Every view and API operation fetches cases through these helpers, which start from the
acting person's membership; every read of a case or of the plan it set off is audited.
"""

from django.db.models import QuerySet
from django.http import Http404

from tocsin.accounts.models import Membership
from tocsin.accounts.roles import Role
from tocsin.audit.services import record

from .models import Case, CaseTask

HOTLINE = Role.HOTLINE


def cases_for(membership: Membership) -> QuerySet[Case]:
    """Return the cases a membership lets its person see."""
    cases = Case.objects.filter(organization=membership.organization)
    if membership.has(HOTLINE):
        return cases
    return cases.filter(legal_partner=membership.person)


def get_case_for(membership: Membership, code: str) -> Case:
    """Return the case by its code if the membership may see it, or 404."""
    case = (
        cases_for(membership)
        .select_related("organization", "person", "plan__person", "facility", "incident")
        .select_related("case_worker", "legal_partner")
        .filter(code=str(code))
        .first()
    )
    if case is None:
        raise Http404
    return case


def read_case(membership: Membership, code: str, action: str = "hotline.case.read") -> Case:
    """Return the case as get_case_for does, writing the audit entry of the read."""
    case = get_case_for(membership, code)
    record(membership.person, action, case, organization=case.organization)
    return case


def get_task_for(membership: Membership, case: Case, code: str) -> CaseTask:
    task = CaseTask.objects.filter(case=case, code=str(code)).first()
    if task is None:
        raise Http404
    return task
