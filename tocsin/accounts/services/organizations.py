"""Changes to an organization's own settings. Each one audited."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tocsin.audit.services import record
from tocsin.core.env import is_placeholder
from tocsin.core.transactions import locking

from ..models import Organization, Person

SETTINGS_FIELDS = ("name", "default_language", "retention_days", "report_number")
# An SMS gateway's auth token (Twilio's is 32 characters): anything shorter is guessable.
MIN_INBOUND_TOKEN_LENGTH = 16


def check_inbound_token(token: str) -> str:
    """Return the token stripped, or raise ValidationError on `sms_inbound_token`."""
    token = token.strip()
    if len(token) < MIN_INBOUND_TOKEN_LENGTH or len(token) > 200 or is_placeholder(token):
        raise ValidationError(
            {
                "sms_inbound_token": _(
                    "Paste the SMS gateway's own auth token for this number: at least "
                    "%(length)s characters, not a demo or example value."
                )
                % {"length": MIN_INBOUND_TOKEN_LENGTH}
            }
        )
    if any(character.isspace() for character in token):
        raise ValidationError({"sms_inbound_token": _("The token cannot contain spaces.")})
    return token


@transaction.atomic
def update_organization(
    actor: Person | None,
    organization: Organization,
    member_organizations: list[Organization] | None = None,
    **fields,
) -> Organization:
    """Change an organization's name, default language, retention, reporting number and its
    SMS gateway token (an empty token keeps the one saved), and (a coalition) members."""
    organization = locking(Organization.objects).get(pk=organization.pk)
    changed = [
        name
        for name in SETTINGS_FIELDS
        if name in fields and getattr(organization, name) != fields[name]
    ]
    for name in changed:
        setattr(organization, name, fields[name])
    token = fields.get("sms_inbound_token") or ""
    if token:
        organization.sms_inbound_token = check_inbound_token(token)
        changed.append("sms_inbound_token")
    elif not organization.report_number and organization.sms_inbound_token:
        # No number, no texts to check: keep no token.
        organization.sms_inbound_token = ""
        changed.append("sms_inbound_token")
    if organization.report_number and not organization.sms_inbound_token:
        # Without its own token, anyone could post texts "to" the number (issue 13, item 4).
        raise ValidationError(
            {
                "sms_inbound_token": _(
                    "An organization that takes reports at a number needs its SMS gateway's "
                    "token, so that only the gateway can post its texts."
                )
            }
        )
    organization.full_clean(exclude=["slug", "kind", "parent", "member_organizations"])
    if changed:
        organization.save(update_fields=changed)
    if member_organizations is not None:
        if organization.kind != Organization.Kind.COALITION:
            raise ValidationError(
                {"member_organizations": _("Only a coalition has member organizations.")}
            )
        if any(other.pk == organization.pk for other in member_organizations):
            raise ValidationError(
                {"member_organizations": _("A coalition cannot be a member of itself.")}
            )
        before = set(organization.member_organizations.values_list("pk", flat=True))
        if before != {other.pk for other in member_organizations}:
            organization.member_organizations.set(member_organizations)
            changed.append("member_organizations")
    if changed:
        record(actor, "accounts.organization.updated", organization, fields=changed)
    return organization
