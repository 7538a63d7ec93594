"""What a case sends: the plan's prepared message to each of the plan's people, family
updates, and notices to the organization's hotline.

Messages to people outside Tocsin (a sister, a lawyer) are rows of CaseMessage, encrypted,
sent one by one by the worker through their channel's transport (tasks.send_case_message,
Transport.send_direct), each in its recipient's language and with its own status. Notices to the hotline are alerts of the
delivery engine, sent to everyone with the hotline role. Neither kind says more than it
must on a phone's lock screen: a hotline notice carries the case's code and a link only.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from tocsin.accounts.models import Organization, Person
from tocsin.accounts.roles import Role
from tocsin.core.queue import enqueue_on_commit
from tocsin.delivery.models import Alert
from tocsin.delivery.services import create_alert, send_alert

from ..models import Case, CaseEvent, CaseMessage
from .journal import event, locked, refuse_unless_open

MAX_UPDATE = 600
# A case message's job waits at most this long in the general lane before the minute sweep
# (tasks.resume_case_messages) gives the message another job; the claim keeps a second job
# from sending it again.
HOLD_SECONDS = 120


def case_url(case: Case, organization: Organization | None = None) -> str:
    """Return the case page's address in `organization` (the case's own by default; the
    organization working a case handed over to it reaches it under its own)."""
    slug = (organization or case.organization).slug
    path = reverse("hotline:case", kwargs={"org": slug, "case": case.code})
    return settings.TOCSIN_BASE_URL + path


def tell_hotline(
    organization: Organization,
    what: str,
    case: Case | None = None,
    to: Person | None = None,
) -> Alert:
    """Send a hotline notice: a case opened, a trigger locked, a task due (to its owner, or
    to the whole hotline when it has none), a case handed over to it or back."""
    if case is not None:
        url = case_url(case, organization)
    else:
        # A locked trigger is listed, with the member's name, at the top of the cases page.
        url = settings.TOCSIN_BASE_URL + reverse("hotline:cases", kwargs={"org": organization.slug})
    audience = {"person_ids": [to.pk]} if to is not None else {"roles": int(Role.HOTLINE)}
    context = {"event": what, "case": case.code if case is not None else "", "url": url}
    alert = create_alert(organization, Alert.Kind.HOTLINE, context, audience)
    send_alert(alert)
    return alert


def when(value) -> str:
    return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT") if value else ""


def plan_message(case: Case, recipient: dict) -> tuple[str, str]:
    """Return the subject and text of the plan's message for one of its people."""
    plan = case.plan
    assert plan is not None
    member = plan.person.display_name
    # The plan's author was taken when the case is theirs; otherwise someone the plan
    # covers was, and the family gets the author's words for that day, never "I am
    # detained" (with no such words, the template's own sentence names who was taken).
    covered = case.person_id != plan.person_id
    content = plan.content
    context = {
        "member": member,
        "detained": case.name or member,
        "covered": covered,
        "message": content.get("covered_message", "") if covered else content.get("message", ""),
        "where": case.taken_where,
        "when": "",
        "organization": case.organization.name,
        "case": case.code,
        "lawyer": recipient.get("relation") == "lawyer",
    }
    with translation.override(recipient.get("language") or "en"):
        context["when"] = when(case.taken_at)
        subject = " ".join(render_to_string("hotline/messages/plan_subject.txt", context).split())
        text = render_to_string("hotline/messages/plan.txt", context).strip()
    return subject, text


def queue(case: Case, kind: str, recipient: dict, subject: str, body: str) -> CaseMessage:
    message = CaseMessage.objects.create(
        case=case,
        kind=kind,
        relation=recipient.get("relation", ""),
        recipient_name=recipient.get("name", ""),
        channel=recipient["channel"],
        address=recipient["address"],
        language=recipient.get("language") or "en",
        subject=subject,
        body=body,
        # Held for the job enqueued below; if the queue loses it, the sweep sends it.
        claimed_until=timezone.now() + timedelta(seconds=HOLD_SECONDS),
    )
    from ..tasks import send_case_message  # in the function: tasks.py's jobs import this module

    enqueue_on_commit(send_case_message, message.pk)
    return message


def queue_plan_messages(case: Case) -> int:
    """Queue the plan's prepared message to each of its people; return how many."""
    if case.plan is None:
        return 0
    recipients = case.plan.recipients()
    for recipient in recipients:
        subject, body = plan_message(case, recipient)
        queue(case, CaseMessage.Kind.PLAN, recipient, subject, body)
    return len(recipients)


@transaction.atomic
def send_family_update(actor: Person, case: Case, text: str, chosen: list[int]) -> int:
    """Send the volunteer's words to the chosen people of the case (indexes into
    case.recipients()), each framed in their language; return how many."""
    case = locked(case)
    refuse_unless_open(case)
    recipients = case.recipients()
    errors: dict[str, str] = {}
    text = (text or "").strip()
    if not text:
        errors["text"] = _("Write the update.")
    elif len(text) > MAX_UPDATE:
        errors["text"] = _("Keep the update under %(max)d characters.") % {"max": MAX_UPDATE}
    if not chosen:
        errors["recipients"] = _("Choose who gets the update.")
    elif any(not isinstance(i, int) or not 0 <= i < len(recipients) for i in chosen):
        errors["recipients"] = _("Choose people from the case's list.")
    if errors:
        raise ValidationError(errors)
    for index in sorted(set(chosen)):
        recipient = recipients[index]
        context = {"organization": case.organization.name, "case": case.code, "text": text}
        with translation.override(recipient.get("language") or "en"):
            subject = " ".join(
                render_to_string("hotline/messages/update_subject.txt", context).split()
            )
            body = render_to_string("hotline/messages/update.txt", context).strip()
        queue(case, CaseMessage.Kind.UPDATE, recipient, subject, body)
    event(case, actor, CaseEvent.Kind.FAMILY_UPDATE, note=text, people=len(set(chosen)))
    return len(set(chosen))
