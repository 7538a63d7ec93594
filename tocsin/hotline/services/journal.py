"""A case's journal and the guards every change to a case takes first: the line on its
timeline (with its audit entry), the case locked, and a refusal once it is closed."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from tocsin.accounts.models import Person
from tocsin.audit.services import record
from tocsin.core.transactions import locking

from ..models import Case, CaseEvent


def event(case: Case, actor: Person | None, kind: str, note: str = "", **detail) -> CaseEvent:
    """Add a line to the case's timeline and its audit entry (never with the note)."""
    actor = actor if actor is not None and getattr(actor, "pk", None) else None
    line = CaseEvent.objects.create(
        case=case,
        kind=kind,
        actor=actor,
        actor_label=actor.display_name if actor is not None else "",
        note=note,
        detail=detail,
    )
    record(actor, f"hotline.case.{kind}", case, organization=case.organization, **detail)
    return line


def locked(case: Case) -> Case:
    return locking(Case.objects.select_related("organization")).get(pk=case.pk)


def refuse_unless_open(case: Case) -> None:
    if not case.is_open:
        raise ValidationError(_("This case is closed; reopen it to change it."))
