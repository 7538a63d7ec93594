"""Changes to an organization's own settings. Each one audited."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tocsin.audit.services import record

from ..models import Organization, Person

SETTINGS_FIELDS = ("name", "default_language", "retention_days", "report_number")


@transaction.atomic
def update_organization(
    actor: Person | None,
    organization: Organization,
    member_organizations: list[Organization] | None = None,
    **fields,
) -> Organization:
    """Change an organization's name, default language, retention and (a coalition) members."""
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    changed = [
        name
        for name in SETTINGS_FIELDS
        if name in fields and getattr(organization, name) != fields[name]
    ]
    for name in changed:
        setattr(organization, name, fields[name])
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
