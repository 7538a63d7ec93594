"""A campaign and an organization-only event of an organization, by URL argument name, for
the access walks (tests/core/test_access.py and tests/api)."""

from datetime import date, timedelta

from django.utils import timezone

from tocsin.campaigns.models import Campaign, Event


def campaign_objects(org, site) -> dict[str, str]:
    """Return {"campaign", "event", "secret"} of a new campaign of `org` and its vigil next
    week at `site`, seen by `org`'s own members only."""
    starts_at = timezone.now() + timedelta(days=7)
    campaign = Campaign.objects.create(
        organization=org,
        name="Week of action",
        starts_on=date.today(),
        ends_on=date.today() + timedelta(days=30),
    )
    event = Event.objects.create(
        organization=org,
        campaign=campaign,
        kind=Event.Kind.VIGIL,
        title="Vigil",
        site=site,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        visibility=Event.Visibility.ORGANIZATION,
    )
    return {"campaign": campaign.code, "event": event.code, "secret": event.check_in_secret}
