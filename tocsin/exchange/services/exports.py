"""CSV exports for organizers: events, turnout and pledge outcomes. Counts and the
organization's own words (titles, places), never who: no member, no signer, no contact.

Each returns (header, rows); the view writes them with tocsin.core.csv, which makes any
cell a spreadsheet would run as a formula inert, and records the export in the audit log.
"""

import zoneinfo
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from tocsin.accounts.models import Organization
from tocsin.campaigns.models import Event, Rsvp
from tocsin.core.csv import csv_time
from tocsin.pledges import progress
from tocsin.pledges.models import Pledge

from .. import privacy

TURNOUT_BY = ("event", "site", "day")


def events_between(
    organization: Organization, first: date | None, last: date | None
) -> QuerySet[Event]:
    """Return the organization's events starting on `first` to `last` (either may be open),
    by their own time zone's day as near as the database can: UTC day."""
    events = privacy.shared_events(organization)
    if first is not None:
        events = events.filter(starts_at__date__gte=first)
    if last is not None:
        events = events.filter(starts_at__date__lte=last)
    return events


def local(moment, zone: str) -> str:
    return moment.astimezone(zoneinfo.ZoneInfo(zone)).isoformat(sep=" ", timespec="minutes")


def counted(events: QuerySet[Event]) -> QuerySet[Event]:
    """Return the events with their RSVPs going, checked in and waitlisted counted."""
    return events.select_related("campaign", "site").annotate(
        going=Count("rsvps", filter=Q(rsvps__status=Rsvp.Status.GOING)),
        checked_in=Count("rsvps", filter=Q(rsvps__checked_in_at__isnull=False)),
        waitlisted=Count("rsvps", filter=Q(rsvps__status=Rsvp.Status.WAITLISTED)),
    )


def counts_of(event: Event) -> tuple[int, int, int]:
    """Return the going, checked in and waitlisted counts `counted` put on the event."""
    annotated: Any = event
    return annotated.going, annotated.checked_in, annotated.waitlisted


def place_of(event: Event) -> str:
    """The event's site or address, unless only people who RSVP may see it."""
    if privacy.location_shared(event):
        return event.place
    return _("(shown to people who RSVP)")


def events_csv(events: QuerySet[Event]) -> tuple[list[str], list[list]]:
    header = [
        _("code"),
        _("title"),
        _("kind"),
        _("state"),
        _("starts"),
        _("ends"),
        _("time zone"),
        _("place"),
        _("campaign"),
        _("who sees it"),
        _("going"),
        _("checked in"),
        _("waitlisted"),
    ]
    rows = [
        [
            event.code,
            event.title,
            event.get_kind_display(),
            event.get_state_display(),
            local(event.starts_at, event.time_zone),
            local(event.ends_at, event.time_zone),
            event.time_zone,
            place_of(event),
            event.campaign.name if event.campaign else "",
            event.get_visibility_display(),
            *counts_of(event),
        ]
        for event in counted(events)
    ]
    return header, rows


def turnout_csv(events: QuerySet[Event], by: str) -> tuple[list[str], list[list]]:
    """Turnout by event, by place (site or address) or by day (in each event's own time
    zone) and place; counts only."""
    found = list(counted(events))
    if by == "event":
        header = [_("code"), _("title"), _("starts"), _("place")]
        header += [_("going"), _("checked in"), _("waitlisted")]
        rows = [
            [
                event.code,
                event.title,
                local(event.starts_at, event.time_zone),
                place_of(event),
                *counts_of(event),
            ]
            for event in found
        ]
        return header, rows
    totals: dict[tuple, list[int]] = {}
    for event in found:
        day = event.starts_at.astimezone(zoneinfo.ZoneInfo(event.time_zone)).date().isoformat()
        key = (day, place_of(event)) if by == "day" else (place_of(event),)
        into = totals.setdefault(key, [0, 0, 0, 0])
        for index, count in enumerate((1, *counts_of(event))):
            into[index] += count
    head = [_("day"), _("place")] if by == "day" else [_("place")]
    header = [*head, _("events"), _("going"), _("checked in"), _("waitlisted")]
    return header, [[*key, *counts] for key, counts in sorted(totals.items())]


def pledges_csv(organization: Organization) -> tuple[list[str], list[list]]:
    """One row per group of each sent pledge: its outcome, its threshold, when it was met,
    and the group's progress as the organizer's screen shows it: a bucket before the
    threshold, the count once the pledge is on, nothing for a group too small to show or a
    pledge that expired. Never a signer."""
    header = [
        _("code"),
        _("pledge"),
        _("state"),
        _("threshold"),
        _("deadline"),
        _("met at"),
        _("ended at"),
        _("group"),
        _("members asked"),
        _("progress"),
        _("signed"),
    ]
    rows = []
    for pledge in privacy.shared_pledges(organization):
        head = [
            pledge.code,
            pledge.action,
            pledge.get_state_display(),
            progress.threshold_text(pledge),
            csv_time(pledge.deadline),
            csv_time(pledge.activated_at),
            csv_time(pledge.ended_at),
        ]
        for group in progress.groups(pledge):
            shown = group.shown and pledge.state != Pledge.State.EXPIRED
            bucket = progress.BUCKET_LABELS[group.bucket] if shown and group.bucket else ""
            on = shown and pledge.state == Pledge.State.ACTIVE
            rows.append(
                [
                    *head,
                    group.name,
                    group.eligible if group.shown else "",
                    bucket,
                    group.signed if on else "",
                ]
            )
    return header, rows
