"""A member's emergency plan: write it, set it off with the PIN, and read it from a case.

Nobody at the union reads a plan until a case is open for it; each read is audited.
Three wrong PINs lock the trigger for 15 minutes and tell the hotline.
"""

import re
from datetime import timedelta

from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tocsin.accounts.models import Organization, Person
from tocsin.audit.services import record

from ..models import Case, EmergencyPlan
from .cases import CaseInput, open_case
from .messages import tell_hotline
from .people import clean_person

MAX_CONTACTS = 5
MAX_TEXT = 1000
MAX_MESSAGE = 600
PIN_TRIES = 3
PIN_LOCK = timedelta(minutes=15)
PIN_PATTERN = re.compile(r"^\d{4,8}$")
MESSAGE_FIELDS = ("message", "covered_message")
# The plan's free-text parts, in the order the page shows them.
CARE_FIELDS = ("children", "pickup", "medication", "pets", "documents", "covers")


def is_blank(raw: dict | None) -> bool:
    return not raw or not any(str(raw.get(key) or "").strip() for key in ("name", "address"))


def clean_plan(raw: dict) -> dict:
    """Return the plan's content from what the member sent, or raise ValidationError naming
    each field that is wrong (`contacts.0.address`, `message`, …)."""
    errors: dict[str, str] = {}
    given = raw.get("contacts") or []
    if not isinstance(given, list):
        raise ValidationError({"contacts": _("Give the contacts as a list.")})
    # Blank rows are skipped but keep their place, so `contacts.2.address` names the third
    # row the member filled in or left empty.
    given = [(i, c) for i, c in enumerate(given) if isinstance(c, dict) and not is_blank(c)]
    if not given:
        errors["contacts"] = _("Add at least one person we should call.")
    if len(given) > MAX_CONTACTS:
        errors["contacts"] = _("Add at most %(max)d people.") % {"max": MAX_CONTACTS}
    contacts = [clean_person(c, f"contacts.{i}", errors) for i, c in given]
    lawyer_given = raw.get("lawyer")
    lawyer_raw: dict = lawyer_given if isinstance(lawyer_given, dict) else {}
    lawyer = {} if is_blank(lawyer_raw) else clean_person(lawyer_raw, "lawyer", errors, False)
    content: dict = {"contacts": contacts, "lawyer": lawyer}
    # Two messages in the member's own words: one for the day they are taken ("Estoy
    # detenida…"), one for the day someone the plan covers is ("Mi esposo fue detenido…").
    for field in MESSAGE_FIELDS:
        message = str(raw.get(field) or "").strip()
        if len(message) > MAX_MESSAGE:
            errors[field] = _("Keep the message under %(max)d characters.") % {"max": MAX_MESSAGE}
        content[field] = message
    for field in CARE_FIELDS:
        value = str(raw.get(field) or "").strip()
        if len(value) > MAX_TEXT:
            errors[field] = _("Keep this under %(max)d characters.") % {"max": MAX_TEXT}
        content[field] = value
    if errors:
        raise ValidationError(errors)
    return content


def check_pin(pin: str, required: bool) -> None:
    if not pin and not required:
        return
    if not PIN_PATTERN.match(pin or ""):
        raise ValidationError({"pin": _("Choose a PIN of 4 to 8 digits.")})


@transaction.atomic
def save_plan(
    person: Person, organization: Organization, raw: dict, pin: str = ""
) -> EmergencyPlan:
    """Write the member's plan (a blank PIN keeps the one they have).

    The organization must be one the person belongs to: its hotline is the one called.
    """
    existing = EmergencyPlan.objects.select_for_update().filter(person=person).first()
    errors: dict[str, list[str]] = {}
    try:
        content = clean_plan(raw)
    except ValidationError as error:
        errors.update(error.message_dict)
        content = {}
    try:
        check_pin(pin, required=existing is None)
    except ValidationError as error:
        errors.update(error.message_dict)
    if not person.memberships.filter(organization=organization, active=True).exists():
        errors["organization"] = [_("Choose one of your own organizations.")]
    if errors:
        raise ValidationError(errors)
    plan = existing or EmergencyPlan(person=person)
    plan.organization = organization
    plan.content = content
    plan.updated_at = timezone.now()
    if pin:
        plan.pin_hash = make_password(pin)
        plan.failed_pins = 0
        plan.locked_until = None
    plan.save()
    record(
        person,
        "hotline.plan.saved" if existing else "hotline.plan.created",
        plan,
        organization=organization,
        contacts=len(content["contacts"]),
        lawyer=bool(content["lawyer"]),
    )
    return plan


@transaction.atomic
def delete_plan(person: Person) -> None:
    plan = EmergencyPlan.objects.filter(person=person).first()
    if plan is not None:
        record(person, "hotline.plan.deleted", plan, organization=plan.organization)
        plan.delete()


def is_locked(plan: EmergencyPlan) -> bool:
    return plan.locked_until is not None and plan.locked_until > timezone.now()


def trigger_plan(person: Person, pin: str, taken_where: str = "") -> Case:
    """Open a case from the member's own phone ("I am being detained"), after the PIN."""

    plan = check_trigger_pin(person, pin)
    data = CaseInput(name=person.display_name, taken_where=taken_where)
    return open_case(None, plan.organization, data, Case.OpenedVia.MEMBER, person=person, plan=plan)


def check_trigger_pin(person: Person, pin: str) -> EmergencyPlan:
    """Return the person's plan if `pin` is its PIN, or raise ValidationError.

    A wrong PIN counts, and the count is saved before the error is raised; the third in a
    row locks the trigger for 15 minutes and tells the hotline.
    """

    locked_message = _("Too many wrong PINs. Try again in 15 minutes, or call the hotline.")
    with transaction.atomic():
        plan = EmergencyPlan.objects.select_for_update().filter(person=person).first()
        if plan is None:
            error = _("You have no emergency plan yet.")
        elif is_locked(plan):
            error = locked_message
        elif check_password(pin or "", plan.pin_hash):
            if plan.failed_pins:
                plan.failed_pins = 0
                plan.save(update_fields=["failed_pins"])
            return plan
        else:
            plan.failed_pins += 1
            error = _("That PIN is not right.")
            record(person, "hotline.plan.wrong_pin", plan, organization=plan.organization)
            if plan.failed_pins >= PIN_TRIES:
                plan.failed_pins = 0
                plan.locked_until = timezone.now() + PIN_LOCK
                error = locked_message
                record(None, "hotline.plan.locked", plan, organization=plan.organization)
                tell_hotline(plan.organization, "locked")
            plan.save(update_fields=["failed_pins", "locked_until"])
    raise ValidationError({"pin": error})


def open_own_plan(person: Person, pin: str) -> EmergencyPlan:
    """Return the person's own plan if `pin` is its PIN, and audit the read; a wrong PIN
    counts as on the trigger (check_trigger_pin)."""
    plan = check_trigger_pin(person, pin)
    record(person, "hotline.plan.read", plan, organization=plan.organization)
    return plan


def plan_readable(plan: EmergencyPlan, case: Case) -> bool:
    """A plan is read only through an open case of its own organization that set it off."""
    return case.plan_id == plan.pk and case.is_open and case.organization_id == plan.organization_id


def read_plan(actor: Person, case: Case, reader: Organization | None = None) -> dict | None:
    """Return the plan a case set off, for the hotline, and audit the read; None when the
    case has no plan or is no longer open. A read by the hotline of another organization,
    working a case handed over to it (`reader`), is audited in both organizations' logs."""
    plan = case.plan
    if plan is None or not plan_readable(plan, case):
        return None
    record(actor, "hotline.plan.read", plan, organization=case.organization, case=case.code)
    if reader is not None and reader.pk != case.organization_id:
        record(actor, "hotline.plan.read", plan, organization=reader, case=case.code)
    return plan.content
