"""The changes a local makes to its playbooks: its numbers and a note per site."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tocsin.accounts.models import Organization, Person, Site
from tocsin.audit.services import record
from tocsin.core import languages
from tocsin.core.contacts import normalize_phone

from .content import BY_SLUG
from .models import LocalPlaybook, SiteNote

MAX_NOTE = 1000


def check_number(number: str) -> str:
    """Return the hotline number in E.164, or raise ValidationError on `hotline_number`."""
    number = number.strip()
    if not number:
        return ""
    try:
        return normalize_phone(number)
    except ValidationError:
        raise ValidationError(
            {
                "hotline_number": _(
                    "Enter a phone number with its country code, like +1 612 555 0100."
                )
            }
        ) from None


@transaction.atomic
def save_playbook(
    actor: Person | None, organization: Organization, *, hotline_number: str, more_url: str
) -> LocalPlaybook:
    """Set the organization's hotline number and outside page, shown on its playbook pages."""
    number = check_number(hotline_number)
    playbook, _created = LocalPlaybook.objects.select_for_update().get_or_create(
        organization=organization
    )
    playbook.hotline_number = number
    playbook.more_url = more_url.strip()
    playbook.updated_at = timezone.now()
    playbook.full_clean()
    playbook.save()
    record(actor, "playbooks.playbook.changed", organization, organization=organization)
    return playbook


def check_notes(notes: dict[str, str]) -> dict[str, str]:
    """Return the note's texts by language (the empty ones left out), or raise
    ValidationError naming the language that is too long or unknown."""
    kept = {}
    for language, text in notes.items():
        if language not in languages.codes():
            raise ValidationError({"notes": languages.error()})
        text = (text or "").strip()
        if len(text) > MAX_NOTE:
            raise ValidationError(
                {f"note_{language}": _("Write at most %(limit)d characters.") % {"limit": MAX_NOTE}}
            )
        if text:
            kept[language] = text
    return kept


@transaction.atomic
def save_site_note(
    actor: Person | None,
    organization: Organization,
    site: Site,
    *,
    notes: dict[str, str],
    roles: list[str],
) -> SiteNote:
    """Set the organization's note for `site` and the role pages that apply there."""
    if not organization.sites.filter(pk=site.pk).exists():
        raise ValidationError({"site": _("Your organization is not present at this site.")})
    unknown = [slug for slug in roles if slug not in BY_SLUG]
    if unknown:
        raise ValidationError({"roles": _("Choose the roles from the list.")})
    note, _created = SiteNote.objects.select_for_update().get_or_create(
        organization=organization, site=site
    )
    note.notes = check_notes(notes)
    note.roles = [slug for slug in BY_SLUG if slug in roles]
    note.updated_at = timezone.now()
    note.save()
    record(actor, "playbooks.site_note.changed", site, organization=organization)
    return note
