"""A case from first call to its close: open it, log calls, visits and hearings, move its
state (a release, a transfer or a removal is a turn, not the end), assign the case worker
and the legal partner, keep its tasks, close it when the work is done, reopen it.

Each change is one transaction with a timeline line and an audit entry. The audit entry
holds the case's code, states and counts, never a name, a place or a note.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tocsin.accounts.models import Membership, Organization, Person
from tocsin.accounts.roles import PRIVILEGED, Role, has_role
from tocsin.audit.services import record
from tocsin.core.times import in_server_zone
from tocsin.core.transactions import locking

from ..access import working_organization
from ..models import Case, CaseEvent, CaseTask, EmergencyPlan, Facility
from .handovers import Reason, end_handover
from .journal import event, locked, refuse_unless_open
from .messages import queue_plan_messages, tell_hotline
from .people import clean_person

MAX_NAME = 120
MAX_TEXT = 300
MAX_NOTE = 4000
MAX_FAMILY = 3
# A clock a little ahead on a phone is not a mistake; an hour ahead is.
FUTURE_SLACK = timedelta(minutes=10)

# A case moves forward through these, and may take a turn (TURNS) from any of them.
PROGRESS = (
    Case.State.OPEN,
    Case.State.LOCATED,
    Case.State.COUNSEL_ASSIGNED,
    Case.State.HEARING_SCHEDULED,
)


@dataclass
class CaseInput:
    """What is known when a case opens; everything but a name or a member may be blank."""

    name: str = ""
    taken_at: datetime | None = None
    taken_where: str = ""
    agency: str = Case.Agency.UNKNOWN
    facility: Facility | None = None
    facility_text: str = ""
    locator: str = ""
    family: list[dict] = field(default_factory=list)


def check_text(value: str, name: str, limit: int, errors: dict) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        errors[name] = _("Keep this under %(max)d characters.") % {"max": limit}
    return value


def check_input(organization: Organization, data: CaseInput, person: Person | None) -> CaseInput:
    """Return the input cleaned, or raise ValidationError naming each wrong field."""
    errors: dict[str, str] = {}
    data.name = check_text(data.name, "name", MAX_NAME, errors)
    if not data.name and person is None:
        errors["name"] = _("Write the person's name, or an alias the family will know.")
    data.taken_where = check_text(data.taken_where, "taken_where", MAX_TEXT, errors)
    data.facility_text = check_text(data.facility_text, "facility_text", MAX_TEXT, errors)
    data.locator = check_text(data.locator, "locator", MAX_NAME, errors)
    data.taken_at = in_server_zone(data.taken_at)
    if data.taken_at is not None and data.taken_at > timezone.now() + FUTURE_SLACK:
        errors["taken_at"] = _("This time is in the future. When was the person taken?")
    if data.agency not in Case.Agency.values:
        errors["agency"] = _("Choose the agency, or “not known”.")
    if data.facility is not None and data.facility.organization_id != organization.pk:
        errors["facility"] = _("Choose a facility from your organization's list.")
    if len(data.family) > MAX_FAMILY:
        errors["family"] = _("Add at most %(max)d people.") % {"max": MAX_FAMILY}
    data.family = [clean_person(p, f"family.{i}", errors) for i, p in enumerate(data.family)]
    if errors:
        raise ValidationError(errors)
    return data


def open_case(
    actor: Person | None,
    organization: Organization,
    data: CaseInput,
    via: str,
    person: Person | None = None,
    plan: EmergencyPlan | None = None,
    incident=None,
) -> Case:
    """Open a case and, at once, tell the plan's people and the organization's hotline.

    `plan` is the emergency plan the case sets off: the member's own, or that of a member
    whose household the plan covers. `incident` is the incident it came from, if any.
    """

    data = check_input(organization, data, person)
    if plan is not None and plan.organization_id != organization.pk:
        raise ValidationError({"plan": _("That member's plan calls another organization.")})
    if incident is not None and incident.organization_id != organization.pk:
        raise ValidationError({"incident": _("That incident belongs to another organization.")})
    if person is not None and not person.memberships.filter(organization=organization).exists():
        raise ValidationError({"person": _("That person is not a member here.")})
    with transaction.atomic():
        case = Case.objects.create(
            organization=organization,
            person=person,
            plan=plan,
            name=data.name or (person.display_name if person else ""),
            taken_at=data.taken_at or timezone.now(),
            taken_where=data.taken_where,
            agency=data.agency,
            facility=data.facility,
            facility_text=data.facility_text,
            locator=data.locator,
            incident=incident,
            opened_via=via,
            opened_by=actor if actor is not None and getattr(actor, "pk", None) else None,
        )
        case.family = data.family
        case.save(update_fields=["family_encrypted"])
        event(
            case,
            actor,
            CaseEvent.Kind.OPENED,
            via=via,
            plan=plan is not None,
            incident=str(incident.public_id) if incident is not None else "",
        )
        if plan is not None:
            told = queue_plan_messages(case)
            event(case, None, CaseEvent.Kind.NOTIFIED, people=told)
        tell_hotline(organization, "opened", case=case)
    return case


def may_move(current: str, state: str) -> bool:
    """Whether a case in `current` may move to `state`: forward through PROGRESS, to a turn
    (released, transferred, removed) from anywhere, and on from a turn to anything but
    "open" (transferred, then located at the new facility; released, then a hearing)."""
    if state == current or state not in (*PROGRESS, *Case.TURNS):
        return False
    if state in Case.TURNS:
        return True
    if current in PROGRESS:
        return PROGRESS.index(state) > PROGRESS.index(current)
    return state != Case.State.OPEN


@transaction.atomic
def change_state(actor: Person | None, case: Case, state: str) -> Case:
    """Move the case on (located, counsel assigned, hearing scheduled) or record a turn
    (released, transferred, removed); the case stays open for its hearings, tasks and
    messages. "closed" closes it (close_case)."""
    if state == Case.State.CLOSED:
        return close_case(actor, case)
    case = locked(case)
    if state not in Case.State.values:
        raise ValidationError({"state": _("Choose one of the case's states.")})
    refuse_unless_open(case)
    if state == case.state:
        return case
    if not may_move(case.state, state):
        raise ValidationError(
            {
                "state": _("A case does not go back to “%(state)s”.")
                % {"state": Case.State(state).label}
            }
        )
    previous = case.state
    case.state = state
    case.state_changed_at = timezone.now()
    case.save(update_fields=["state", "state_changed_at"])
    event(case, actor, CaseEvent.Kind.STATE, state=state, previous=previous)
    return case


@transaction.atomic
def close_case(actor: Person | None, case: Case) -> Case:
    """Close the case when the hotline's work on it is done: it keeps its state (released,
    say), erases its locator details now and the rest once the organization's case
    retention period has run from today (retention.py)."""
    case = locked(case)
    refuse_unless_open(case)
    case.ended_at = timezone.now()
    case.locator = ""
    case.save(update_fields=["ended_at", "locator"])
    event(case, actor, CaseEvent.Kind.CLOSED, state=case.state)
    if case.handed_to_id is not None:
        # Closed where it was worked: it comes back, closed, to its own organization.
        end_handover(case, actor, Reason.CLOSED)
    return case


@transaction.atomic
def reopen_case(actor: Person | None, case: Case) -> Case:
    """Reopen a closed case whose details are not erased yet (within the retention period):
    it takes changes again, and retention waits for its next close."""
    case = locked(case)
    if case.is_open:
        raise ValidationError(_("This case is open already."))
    if case.erased_at is not None:
        raise ValidationError(
            _("This case's details were erased; it cannot be reopened. Open a new case.")
        )
    case.ended_at = None
    case.save(update_fields=["ended_at"])
    event(case, actor, CaseEvent.Kind.REOPENED, state=case.state)
    return case


@transaction.atomic
def log_event(
    actor: Person, case: Case, kind: str, note: str, at: datetime | None = None
) -> CaseEvent:
    """Write down a call, a visit, a hearing or a note on the case's timeline."""
    case = locked(case)
    errors: dict[str, str] = {}
    if kind not in CaseEvent.LOGGED_BY_HAND:
        errors["kind"] = _("Choose call, visit, hearing or note.")
    note = (note or "").strip()
    if not note:
        errors["note"] = _("Write what happened.")
    elif len(note) > MAX_NOTE:
        errors["note"] = _("Keep this under %(max)d characters.") % {"max": MAX_NOTE}
    at = in_server_zone(at)
    if at is not None and at > timezone.now() + timedelta(days=366):
        errors["at"] = _("Give a date within the next year.")
    if errors:
        raise ValidationError(errors)
    if case.erased_at is not None:
        raise ValidationError(_("This case's details were erased; nothing can be added."))
    line = event(case, actor, kind, note=note)
    if at is not None:
        line.at = at
        line.save(update_fields=["at"])
    return line


@transaction.atomic
def update_details(
    actor: Person,
    case: Case,
    *,
    facility: Facility | None,
    facility_text: str,
    locator: str,
    agency: str,
) -> Case:
    """Record where the person is held and how to find them (the locator details)."""
    case = locked(case)
    refuse_unless_open(case)
    errors: dict[str, str] = {}
    facility_text = check_text(facility_text, "facility_text", MAX_TEXT, errors)
    locator = check_text(locator, "locator", MAX_NAME, errors)
    # A case handed over is held where the other organization is: its list of facilities.
    if facility is not None and facility.organization_id != working_organization(case).pk:
        errors["facility"] = _("Choose a facility from your organization's list.")
    if agency not in Case.Agency.values:
        errors["agency"] = _("Choose the agency, or “not known”.")
    if errors:
        raise ValidationError(errors)
    changed = [
        name
        for name, value in (
            ("facility", facility),
            ("facility_text", facility_text),
            ("locator", locator),
            ("agency", agency),
        )
        if getattr(case, name) != value
    ]
    if not changed:
        return case
    case.facility, case.facility_text, case.locator, case.agency = (
        facility,
        facility_text,
        locator,
        agency,
    )
    case.save(update_fields=changed)
    event(case, actor, CaseEvent.Kind.NOTE, fields=changed)
    return case


def hotline_people(organization: Organization):
    return Person.objects.filter(
        memberships__in=Membership.objects.filter(
            has_role(Role.HOTLINE), organization=organization, active=True
        )
    )


def legal_partners(organization: Organization):
    """People who may be assigned as a case's legal partner: anyone of the organization
    who signs in to the staff screens (a lawyer holds the legal observer role, say)."""
    return Person.objects.filter(
        memberships__in=Membership.objects.filter(
            has_role(PRIVILEGED), organization=organization, active=True
        )
    ).distinct()


@transaction.atomic
def assign(
    actor: Person, case: Case, case_worker: Person | None, legal_partner: Person | None
) -> Case:
    """Name the case worker (a hotline volunteer) and the legal partner (who then sees it)."""
    case = locked(case)
    refuse_unless_open(case)
    working = working_organization(case)
    errors: dict[str, str] = {}
    if case_worker is not None and not hotline_people(working).filter(pk=case_worker.pk).exists():
        errors["case_worker"] = _("The case worker must be on this organization's hotline.")
    if (
        legal_partner is not None
        and not legal_partners(working).filter(pk=legal_partner.pk).exists()
    ):
        errors["legal_partner"] = _("The legal partner must have a staff account here.")
    if errors:
        raise ValidationError(errors)
    if case.case_worker_id == getattr(case_worker, "pk", None) and case.legal_partner_id == getattr(
        legal_partner, "pk", None
    ):
        return case
    case.case_worker = case_worker
    case.legal_partner = legal_partner
    case.save(update_fields=["case_worker", "legal_partner"])
    event(
        case,
        actor,
        CaseEvent.Kind.ASSIGNED,
        case_worker=str(case_worker.public_id) if case_worker else "",
        legal_partner=str(legal_partner.public_id) if legal_partner else "",
    )
    return case


@transaction.atomic
def add_task(
    actor: Person, case: Case, title: str, due_at: datetime | None, assigned_to: Person | None
) -> CaseTask:
    """Add a task; its owner (or the case worker) is reminded when it falls due."""
    case = locked(case)
    refuse_unless_open(case)
    errors: dict[str, str] = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = _("Write what needs doing.")
    elif len(title) > MAX_TEXT:
        errors["title"] = _("Keep this under %(max)d characters.") % {"max": MAX_TEXT}
    if due_at is None:
        errors["due_at"] = _("Give the date and time it is due.")
    if (
        assigned_to is not None
        and not hotline_people(working_organization(case)).filter(pk=assigned_to.pk).exists()
    ):
        errors["assigned_to"] = _("Assign it to someone on this organization's hotline.")
    if errors or due_at is None:
        raise ValidationError(errors)
    task = CaseTask.objects.create(
        case=case, title=title, due_at=due_at, assigned_to=assigned_to or case.case_worker
    )
    event(case, actor, CaseEvent.Kind.TASK, task=task.code, due=due_at.isoformat())
    return task


@transaction.atomic
def complete_task(actor: Person, task: CaseTask) -> CaseTask:
    task = locking(CaseTask.objects.select_related("case__organization")).get(pk=task.pk)
    if task.done_at is None:
        task.done_at = timezone.now()
        task.save(update_fields=["done_at"])
        event(task.case, actor, CaseEvent.Kind.TASK, task=task.code, done=True)
    return task


def remind_due_tasks() -> int:
    """Remind each open task's owner once, when it falls due; return how many."""

    due = CaseTask.objects.filter(
        done_at__isnull=True,
        reminded_at__isnull=True,
        due_at__lte=timezone.now(),
        case__ended_at__isnull=True,
    ).select_related("case__organization")
    reminded = 0
    for task in due:
        with transaction.atomic():
            claimed = CaseTask.objects.filter(pk=task.pk, reminded_at__isnull=True).update(
                reminded_at=timezone.now()
            )
            if not claimed:
                continue
            working = working_organization(task.case)
            tell_hotline(working, "task_due", case=task.case, to=task.assigned_to)
            record(None, "hotline.case.task_reminded", task.case, task=task.code)
            reminded += 1
    return reminded
