"""What a coalition sees across the organizations that share with it, now: counts, places
and states, never a person (decision 0029).

- Alerts: the verified incidents still open of the organizations that share alerts with
  it (a report nobody verified reaches dispatchers and verifiers only, decision 0005), each
  by its organization, its place (a site's name, or its point rounded to some 100 m; never
  the words a reporter typed), its state and how many alerts went out about it.
- Turnout: the RSVPs and check-ins by site and day of the campaigns' events of the
  organizations that share events with it (and its own), for campaigns not ended a month ago.
- Pledges: its coalition pledges, each union's state and bucket.

Only agreements in force count (tocsin.accounts.sharing): one that ends takes its
organization off every part of the view at once. An agreement that names an area or sites
shares only the incidents (and their alerts) inside them, as it does for alerts themselves.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tocsin.accounts.models import Organization
from tocsin.accounts.sharing import Shares, givers_to, received_by
from tocsin.campaigns.charts import turnout_chart
from tocsin.campaigns.models import Campaign, Event
from tocsin.core.charts import Chart
from tocsin.delivery.models import Alert
from tocsin.pledges.models import CoalitionPledge
from tocsin.pledges.services.coalition import UnionState, union_states
from tocsin.response.models import Incident

# The kinds of alert the wider public of an incident hears (not dispatchers' requests).
PUBLIC_KINDS = ("verified", "retraction", "all_clear")
COALITIONS = (Organization.Kind.COALITION, Organization.Kind.FEDERATION)
RECENT = timedelta(days=7)
CAMPAIGNS_ENDED_WITHIN = timedelta(days=30)


def is_coalition(organization: Organization) -> bool:
    return organization.kind in COALITIONS


@dataclass(frozen=True)
class Place:
    organization: str
    name: str
    lat: float | None
    lng: float | None
    state: str
    state_label: str
    alerts: int
    since: datetime


@dataclass(frozen=True)
class Sharer:
    name: str
    open_incidents: int
    alerts_this_week: int


@dataclass(frozen=True)
class CampaignTurnout:
    name: str
    organization: str
    chart: Chart | None


@dataclass(frozen=True)
class PledgeSummary:
    action: str
    code: str
    state: str
    state_label: str
    deadline: datetime
    unions: list[UnionState]


def rounded(value: Decimal | None) -> float | None:
    """A coordinate to three decimals (about 100 m): the place, not a doorstep."""
    return None if value is None else round(float(value), 3)


def sharing(coalition: Organization, what: Shares) -> list[Organization]:
    return list(Organization.objects.filter(pk__in=givers_to(coalition, what)).order_by("name"))


class Coverage:
    """Which incidents the agreements in force share with the coalition: an incident of a
    giver, inside the area or at a site of one of that giver's agreements if it names any."""

    def __init__(self, coalition: Organization):
        self.agreements: dict[int, list] = {}
        for agreement in received_by(coalition, Shares.ALERTS).prefetch_related("sites"):
            self.agreements.setdefault(agreement.other_side(coalition.pk), []).append(agreement)

    @property
    def organization_ids(self) -> list[int]:
        return sorted(self.agreements)

    def covers(self, incident: Incident) -> bool:
        return any(
            agreement.covers(incident.lat, incident.lng, incident.site_id)
            for agreement in self.agreements.get(incident.organization_id, [])
        )


def open_places(coverage: Coverage) -> list[Place]:
    incidents = (
        Incident.objects.filter(
            organization_id__in=coverage.organization_ids,
            state=Incident.State.CONFIRMED,
            merged_into__isnull=True,
        )
        .select_related("organization", "site")
        .annotate(
            sent=Count(
                "alerts",
                filter=Q(alerts__kind__in=PUBLIC_KINDS) & ~Q(alerts__state=Alert.State.DRAFT),
            )
        )
        .order_by("organization__name", "-opened_at", "pk")
    )
    places = []
    for incident in incidents:
        if not coverage.covers(incident):
            continue
        lat = rounded(incident.site.lat if incident.site else incident.lat)
        lng = rounded(incident.site.lng if incident.site else incident.lng)
        if incident.site is not None:
            name = incident.site.name
        elif lat is not None and lng is not None:
            name = _("near %(lat)s, %(lng)s") % {"lat": f"{lat:.3f}", "lng": f"{lng:.3f}"}
        else:
            name = _("place not given")
        places.append(
            Place(
                incident.organization.name,
                name,
                lat,
                lng,
                incident.state,
                incident.get_state_display(),
                incident.sent,
                incident.opened_at,
            )
        )
    return places


def sharers(coverage: Coverage, places: list[Place]) -> list[Sharer]:
    since = timezone.now() - RECENT
    sent: Counter[int] = Counter()
    recent = Alert.objects.filter(
        organization_id__in=coverage.organization_ids,
        kind__in=PUBLIC_KINDS,
        sent_at__gte=since,
        incident__isnull=False,
    ).select_related("incident")
    for alert in recent:
        if alert.incident is not None and coverage.covers(alert.incident):
            sent[alert.organization_id] += 1
    organizations = Organization.objects.filter(pk__in=coverage.organization_ids).order_by("name")
    return [
        Sharer(
            organization.name,
            sum(1 for place in places if place.organization == organization.name),
            sent[organization.pk],
        )
        for organization in organizations
    ]


def turnout(coalition: Organization, organizations: list[Organization]) -> list[CampaignTurnout]:
    hosts = [coalition, *organizations]
    cutoff = timezone.localdate() - CAMPAIGNS_ENDED_WITHIN
    events = Event.objects.filter(
        organization__in=hosts, state=Event.State.APPROVED, campaign__ends_on__gte=cutoff
    )
    campaigns = (
        Campaign.objects.filter(pk__in=events.values("campaign"))
        .select_related("organization")
        .order_by("starts_on", "name", "pk")
    )
    return [
        CampaignTurnout(
            campaign.name,
            campaign.organization.name,
            turnout_chart(events.filter(campaign=campaign)),
        )
        for campaign in campaigns[:10]
    ]


def pledges(coalition: Organization) -> list[PledgeSummary]:
    found = CoalitionPledge.objects.filter(organization=coalition).order_by("-deadline", "pk")
    return [
        PledgeSummary(
            pledge.action,
            pledge.code,
            pledge.state,
            pledge.get_state_display(),
            pledge.deadline,
            union_states(pledge),
        )
        for pledge in found[:20]
    ]


@dataclass(frozen=True)
class View:
    alert_sharers: list[Sharer]
    places: list[Place]
    campaigns: list[CampaignTurnout]
    pledges: list[PledgeSummary]


def coalition_view(coalition: Organization) -> View:
    coverage = Coverage(coalition)
    places = open_places(coverage)
    return View(
        sharers(coverage, places),
        places,
        turnout(coalition, sharing(coalition, Shares.EVENTS)),
        pledges(coalition),
    )


def as_data(view: View) -> dict:
    """The view as JSON for the map and for other dashboards: the same counts and places."""
    return {
        "organizations": [
            {
                "name": s.name,
                "open_incidents": s.open_incidents,
                "alerts_this_week": s.alerts_this_week,
            }
            for s in view.alert_sharers
        ],
        "incidents": [
            {
                "organization": p.organization,
                "place": p.name,
                "lat": p.lat,
                "lng": p.lng,
                "state": p.state,
                "alerts": p.alerts,
                "since": p.since.isoformat(),
            }
            for p in view.places
        ],
        "turnout": [
            {
                "campaign": c.name,
                "organization": c.organization,
                "rows": [
                    {"day_and_site": category, **{s.name: s.values[i] for s in c.chart.series}}
                    for i, category in enumerate(c.chart.categories)
                ]
                if c.chart
                else [],
            }
            for c in view.campaigns
        ],
        "pledges": [
            {
                "action": p.action,
                "state": p.state,
                "deadline": p.deadline.isoformat(),
                "unions": [
                    {"name": u.name, "state": u.state, "bucket": u.bucket} for u in p.unions
                ],
            }
            for p in view.pledges
        ],
    }
