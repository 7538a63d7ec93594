"""An incident's name as dispatchers say it: the place and the time of its first report
("Hennepin County Medical Center, 7:42 a.m."), never a code such as "Incident 90d51306".

The place is the incident's site, else the organization's site nearest its point (within
NEAR_SITE_M), followed by the place the reporter wrote when it says more; else the place the
reporter wrote; else "Place not given". The time is the
first report's, in the server's time zone and the reader's language.
"""

import uuid
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from django.db.models import Min
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from tocsin.accounts.models import Site
from tocsin.core import geo

from .models import Incident

# A pin this close to a site is at the site: a car park, an ambulance bay, a bus stop.
NEAR_SITE_M = 500


def sites_by_organization(organization_ids: Iterable[int]) -> dict[int, list[Site]]:
    """Return each organization's sites, for naming many incidents with one query."""
    found: dict[int, list[Site]] = defaultdict(list)
    links = Site.organizations.through.objects.filter(
        organization_id__in=list(organization_ids)
    ).select_related("site")
    for link in links:
        found[link.organization_id].append(link.site)
    return found


def nearest_site(incident: Incident, sites: Iterable[Site]) -> Site | None:
    if incident.lat is None or incident.lng is None:
        return None
    lat, lng = float(incident.lat), float(incident.lng)
    best, best_m = None, float(NEAR_SITE_M)
    for site in sites:
        meters = geo.distance_m(lat, lng, float(site.lat), float(site.lng))
        if meters <= best_m:
            best, best_m = site, meters
    return best


def known_place(incident: Incident, sites: Iterable[Site] | None = None) -> str:
    """Return the site's name (the incident's, else the nearest), with the reported place
    after it when that says more; else the reported place; "" if neither is known."""
    site = incident.site
    if site is None:
        site = nearest_site(incident, incident.organization.sites.all() if sites is None else sites)
    reported = " ".join(incident.where.split())
    if site is None:
        return reported
    if reported and reported.casefold() != site.name.casefold():
        return f"{site.name} ({reported})"
    return site.name


def place_of(incident: Incident, sites: Iterable[Site] | None = None) -> str:
    """Return the place an incident is named by (see the module's docstring)."""
    return known_place(incident, sites) or _("Place not given")


def first_report_at(incident: Incident) -> datetime:
    """Return when the incident's first report says it was seen (queues annotate it)."""
    annotated = getattr(incident, "first_seen_at", None)
    if annotated is None:
        annotated = incident.reports.aggregate(first=Min("seen_at"))["first"]
    return annotated or incident.opened_at


def clock(moment: datetime) -> str:
    """Return the time of day in the active language's way ("7:42 a.m.", "07:42")."""
    return formats.time_format(timezone.localtime(moment), "TIME_FORMAT")


def incident_title(incident: Incident, sites: Iterable[Site] | None = None) -> str:
    """Return the incident's name: "<place>, <time of the first report>"."""
    return _("%(place)s, %(time)s") % {
        "place": place_of(incident, sites),
        "time": clock(first_report_at(incident)),
    }


def message_title(incident: Incident) -> str:
    """Return the incident's name for a message rendered later in each recipient's language:
    the time as 24-hour digits, which read the same in every language."""
    moment = f"{timezone.localtime(first_report_at(incident)):%H:%M}"
    place = known_place(incident)
    return f"{place}, {moment}" if place else moment


def audit_names(organization, public_ids: list[str]) -> dict[str, str]:
    """Return the audit log's names of the organization's incidents: by site and time only,
    since the log's readers (admins) need not be dispatchers, and the place a reporter
    wrote is for dispatchers."""
    found = (
        Incident.objects.filter(organization=organization, public_id__in=valid(public_ids))
        .select_related("site")
        .annotate(first_seen_at=Min("reports__seen_at"))
    )
    sites = sites_by_organization([organization.pk])[organization.pk]
    names = {}
    for incident in found:
        site = incident.site or nearest_site(incident, sites)
        names[str(incident.public_id)] = _("%(place)s, %(time)s") % {
            "place": site.name if site else _("Place not given"),
            "time": clock(first_report_at(incident)),
        }
    return names


def valid(public_ids: list[str]) -> list[uuid.UUID]:
    found = []
    for value in public_ids:
        try:
            found.append(uuid.UUID(value))
        except ValueError:
            continue
    return found
