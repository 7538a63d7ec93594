"""Hand a case over to another organization's hotline (a member detained in its city),
hand it back, and give it back to its organization the moment the sharing agreement it was
handed over under ends (decision 0033).

The case stays its organization's: handing it over sends no message to the plan's people
(they were told when the case opened) and moves nothing; it names who works it now.
Each change is a line on the case's timeline and an audit entry in both organizations'
logs, with codes and slugs only.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tocsin.accounts.models import Organization, Person
from tocsin.accounts.sharing import Shares, between, receivers_from
from tocsin.audit.services import record

from ..access import handover_in_force
from ..models import Case, CaseEvent, CaseTask
from .journal import event, locked, refuse_unless_open
from .messages import tell_hotline


class Reason:
    """Why a case came back to its organization (the timeline line's `reason`)."""

    RETURNED = "returned"  # the organization working it handed it back
    TAKEN_BACK = "taken_back"  # its own organization took it back
    CLOSED = "closed"  # the organization working it closed it
    AGREEMENT_ENDED = "agreement_ended"


def partners_for(organization: Organization):
    """Return the organizations this one may hand cases over to now."""
    ids = receivers_from(organization, Shares.HOTLINE)
    return Organization.objects.filter(pk__in=ids).exclude(pk=organization.pk).order_by("name")


@transaction.atomic
def hand_over(actor: Person, case: Case, partner: Organization | None) -> Case:
    """Hand the case over to the hotline of an organization this one shares hotline cases
    with; tell that hotline. Its case worker, legal partner and open tasks' owners were
    this organization's people: the receiving hotline names its own."""
    case = locked(case)
    refuse_unless_open(case)
    if handover_in_force(case):
        raise ValidationError(
            {"partner": _("This case is handed over already; take it back first.")}
        )
    agreement = None
    if partner is not None and partner.pk != case.organization_id:
        agreement = (
            between(case.organization_id, partner, Shares.HOTLINE)
            .values_list("pk", flat=True)
            .first()
        )
    if partner is None or agreement is None:
        raise ValidationError(
            {"partner": _("Choose an organization yours shares hotline cases with.")}
        )
    case.handed_to, case.handed_at, case.handover_agreement = partner, timezone.now(), agreement
    case.case_worker = case.legal_partner = None
    case.save(
        update_fields=[
            "handed_to",
            "handed_at",
            "handover_agreement",
            "case_worker",
            "legal_partner",
        ]
    )
    CaseTask.objects.filter(case=case, done_at__isnull=True).update(assigned_to=None)
    event(case, actor, CaseEvent.Kind.HANDED_OVER, to=partner.slug)
    record(
        actor,
        "hotline.case.received",
        case,
        organization=partner,
        **{"from": case.organization.slug},
    )
    tell_hotline(partner, "handed_over", case=case)
    return case


def end_handover(case: Case, actor: Person | None, reason: str) -> None:
    """Give a locked case back to its organization (inside the caller's transaction).

    The receiving organization's case worker, legal partner and task owners lose it with
    the case: they see it no longer."""
    partner = case.handed_to
    case.handed_to = None
    case.handed_at = None
    case.handover_agreement = None
    case.case_worker = case.legal_partner = None
    case.save(
        update_fields=[
            "handed_to",
            "handed_at",
            "handover_agreement",
            "case_worker",
            "legal_partner",
        ]
    )
    CaseTask.objects.filter(case=case, done_at__isnull=True).update(assigned_to=None)
    slug = partner.slug if partner is not None else ""
    event(case, actor, CaseEvent.Kind.HANDED_BACK, reason=reason, **{"from": slug})
    if partner is not None:
        record(actor, "hotline.case.given_back", case, organization=partner, reason=reason)


@transaction.atomic
def hand_back(actor: Person, case: Case, reason: str) -> Case:
    """End the handover: the receiving hotline hands the case back (RETURNED), or its own
    organization takes it back (TAKEN_BACK). The case's own hotline is told when it was
    handed back to it."""
    case = locked(case)
    if case.handed_to_id is None:
        raise ValidationError(_("This case is not handed over."))
    end_handover(case, actor, reason)
    if reason == Reason.RETURNED:
        tell_hotline(case.organization, "handed_back", case=case)
    return case


def lapse(case: Case) -> bool:
    """Give the case back to its organization if the agreement it was handed over under is
    no longer in force; tell its hotline. Return whether it did."""
    if case.handed_to_id is None or handover_in_force(case):
        return False
    with transaction.atomic():
        case = locked(case)
        if case.handed_to_id is None or handover_in_force(case):
            return False
        end_handover(case, None, Reason.AGREEMENT_ENDED)
        tell_hotline(case.organization, "handed_back", case=case)
    return True


def return_lapsed_handovers() -> int:
    """Give back every handed-over case whose agreement ended; return how many."""
    handed = Case.objects.filter(handed_to__isnull=False).select_related("organization")
    return sum(lapse(case) for case in handed)
