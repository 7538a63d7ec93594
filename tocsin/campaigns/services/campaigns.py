"""Changes to campaigns: start one with the organizations taking part, and name them
again later. Each change is one transaction with an audit entry holding codes and counts,
never a name.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tocsin.accounts.models import Organization, Person
from tocsin.audit.services import record

from ..models import Campaign
from .limits import MAX_CAMPAIGN_DAYS, MAX_TEXT, MAX_TITLE, check_text


def check_campaign(
    name: str, description: str, starts_on: date | None, ends_on: date | None
) -> tuple[str, str, date, date]:
    errors: dict[str, str] = {}
    name = check_text(name, "name", MAX_TITLE, errors, _("Give the campaign a name."))
    description = check_text(description, "description", MAX_TEXT, errors)
    if starts_on is None:
        errors["starts_on"] = _("Give the campaign's first day.")
    if ends_on is None:
        errors["ends_on"] = _("Give the campaign's last day.")
    if starts_on and ends_on:
        if ends_on < starts_on:
            errors["ends_on"] = _("The last day comes before the first.")
        elif (ends_on - starts_on).days > MAX_CAMPAIGN_DAYS:
            errors["ends_on"] = _("A campaign lasts at most a year.")
    if errors or starts_on is None or ends_on is None:
        raise ValidationError(errors)
    return name, description, starts_on, ends_on


@transaction.atomic
def create_campaign(
    actor: Person | None,
    organization: Organization,
    name: str,
    description: str,
    starts_on: date | None,
    ends_on: date | None,
    participants=(),
) -> Campaign:
    """Start a campaign owned by the organization, with the organizations taking part."""
    name, description, starts_on, ends_on = check_campaign(name, description, starts_on, ends_on)
    campaign = Campaign.objects.create(
        organization=organization,
        name=name,
        description=description,
        starts_on=starts_on,
        ends_on=ends_on,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    others = [org for org in participants if org.pk != organization.pk]
    campaign.participants.set(others)
    record(actor, "campaigns.campaign.created", campaign, participants=len(others))
    return campaign


@transaction.atomic
def set_participants(actor: Person, campaign: Campaign, participants) -> Campaign:
    """Name the organizations taking part (besides the owner)."""
    others = [org for org in participants if org.pk != campaign.organization_id]
    campaign.participants.set(others)
    record(actor, "campaigns.campaign.participants", campaign, participants=len(others))
    return campaign
