"""Who sees which cases: the hotline of the case's organization, and the legal partner
assigned to it. Everyone else, dispatchers and admins included, gets 404.

A case handed over to another organization's hotline (a member detained in its city) is
worked there while the sharing agreement it was handed over under is in force: the
receiving hotline (and the legal partner it assigns) sees it on the case screens, and the
case's own organization sees that it was handed over, to whom, and its state. The moment
that agreement ends, the case is the giving organization's alone again (decision 0033).

Every view and API operation fetches cases through these helpers, which start from the
acting person's membership; every read of a case or of the plan it set off is audited, in
the log of the organization that reads it and in that of the case's own.
"""

from django.db.models import QuerySet
from django.http import Http404

from tocsin.accounts.models import Membership, Organization
from tocsin.accounts.roles import Role
from tocsin.accounts.sharing import Shares, between, given_by, received_by
from tocsin.audit.services import record

from .models import Case, CaseTask

HOTLINE = Role.HOTLINE


def received_cases(organization: Organization | int) -> QuerySet[Case]:
    """Return the cases other organizations handed over to this one, under agreements to
    share hotline cases that are in force now."""
    return Case.objects.filter(
        handed_to=organization,
        handover_agreement__in=received_by(organization, Shares.HOTLINE).values("pk"),
    )


def handovers_in_force(organization: Organization | int) -> set[int]:
    """Return the ids of the agreements this organization hands cases over under now."""
    return set(given_by(organization, Shares.HOTLINE).values_list("pk", flat=True))


def handover_in_force(case: Case) -> bool:
    """Whether the case is handed over now: handed, and its agreement still in force."""
    if case.handed_to_id is None or case.handover_agreement is None:
        return False
    return (
        between(case.organization_id, case.handed_to_id, Shares.HOTLINE)
        .filter(pk=case.handover_agreement)
        .exists()
    )


def working_organization(case: Case) -> Organization:
    """Return the organization whose hotline works the case now: the one it was handed
    over to while the handover holds, else its own."""
    if handover_in_force(case) and case.handed_to is not None:
        return case.handed_to
    return case.organization


def works_on(membership: Membership, case: Case) -> bool:
    """Whether the membership's organization is the one working the case now."""
    return working_organization(case).pk == membership.organization_id


def cases_for(membership: Membership, received: bool = False) -> QuerySet[Case]:
    """Return the cases a membership lets its person see: its organization's own and, with
    `received`, those handed over to it under an agreement in force."""
    cases = Case.objects.filter(organization=membership.organization)
    if received:
        cases = Case.objects.filter(
            pk__in=(cases | received_cases(membership.organization)).values("pk")
        )
    if membership.has(HOTLINE):
        return cases
    return cases.filter(legal_partner=membership.person)


def get_case_for(membership: Membership, code: str, received: bool = False) -> Case:
    """Return the case by its code if the membership may see it, or 404."""
    case = (
        cases_for(membership, received)
        .select_related("organization", "person", "plan__person", "facility", "incident")
        .select_related("case_worker", "legal_partner", "handed_to")
        .filter(code=str(code))
        .first()
    )
    if case is None:
        raise Http404
    return case


def audit_read(membership: Membership, case: Case, action: str = "hotline.case.read") -> None:
    """Write the audit entry of a read of the case: in the case's organization's log, and
    in the reader's organization's too when another organization works the case."""
    record(membership.person, action, case, organization=case.organization)
    if membership.organization_id != case.organization_id:
        record(membership.person, action, case, organization=membership.organization)


def read_case(
    membership: Membership, code: str, action: str = "hotline.case.read", received: bool = False
) -> Case:
    """Return the case as get_case_for does, writing the audit entry of the read."""
    case = get_case_for(membership, code, received)
    audit_read(membership, case, action)
    return case


def get_task_for(membership: Membership, case: Case, code: str) -> CaseTask:
    task = CaseTask.objects.filter(case=case, code=str(code)).first()
    if task is None:
        raise Http404
    return task
