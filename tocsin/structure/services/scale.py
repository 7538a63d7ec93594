"""The scale's words: what 1 to 5 mean in an organization, its own or the defaults."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tocsin.accounts.models import Organization, Person
from tocsin.audit.services import record

from ..models import MAX_LABEL, SCORES, Scale


def labels_for(organization: Organization) -> dict[int, str]:
    """Return the words for 1-5: the organization's own, or the defaults in the active
    language."""
    scale = Scale.objects.filter(organization=organization).first() or Scale()
    return {score: scale.label(score) for score in SCORES}


@transaction.atomic
def save_scale(actor: Person, organization: Organization, labels: dict[int, str]) -> Scale:
    """Write the organization's own words for 1-5; a blank one keeps the default."""
    errors = {}
    cleaned = {}
    for score in SCORES:
        value = (labels.get(score) or "").strip()
        if len(value) > MAX_LABEL:
            errors[f"label_{score}"] = _("Keep this under %(max)d characters.") % {"max": MAX_LABEL}
        cleaned[f"label_{score}"] = value
    if errors:
        raise ValidationError(errors)
    scale, _created = Scale.objects.select_for_update().get_or_create(organization=organization)
    changed = [key for key, value in cleaned.items() if getattr(scale, key) != value]
    if changed:
        for key in changed:
            setattr(scale, key, cleaned[key])
        scale.updated_at = timezone.now()
        scale.save(update_fields=[*changed, "updated_at"])
        record(actor, "structure.scale.updated", organization, scores=[int(k[-1]) for k in changed])
    return scale
