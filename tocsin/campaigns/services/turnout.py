"""Turnout of events: RSVPs going, checked in and waitlisted by site, organization,
campaign, event or day. Counts only, never who.
"""

import zoneinfo
from datetime import date

from django.db.models import Count, Q

from tocsin.accounts.models import Membership

from ..models import Event, Rsvp


def turnout(events, by: str) -> list[dict]:
    """Count RSVPs going, checked in and waitlisted per site, host organization or
    campaign of the events given; counts only, never who."""
    keys = {
        "site": ("site__name", "address"),
        "organization": ("organization__name",),
        "campaign": ("campaign__code", "campaign__name"),
        "event": ("code", "title", "starts_at", "site__name", "address"),
    }[by]
    rows = (
        Event.objects.filter(pk__in=events.values("pk"))
        .values(*keys)
        .annotate(
            going=Count("rsvps", filter=Q(rsvps__status=Rsvp.Status.GOING)),
            checked_in=Count("rsvps", filter=Q(rsvps__checked_in_at__isnull=False)),
            waitlisted=Count("rsvps", filter=Q(rsvps__status=Rsvp.Status.WAITLISTED)),
            events=Count("id", distinct=True),
        )
        .order_by(*keys)
    )
    result = []
    for row in rows:
        if by == "site":
            row["name"] = row["site__name"] or row["address"]
        elif by == "organization":
            row["name"] = row["organization__name"]
        elif by == "campaign":
            row["name"] = row["campaign__name"] or ""
        else:
            row["name"] = row["title"]
        result.append(row)
    if by == "site":
        merged: dict[str, dict] = {}
        for row in result:
            into = merged.setdefault(
                row["name"],
                {"name": row["name"], "going": 0, "checked_in": 0, "waitlisted": 0, "events": 0},
            )
            for key in ("going", "checked_in", "waitlisted", "events"):
                into[key] += row[key]
        result = sorted(merged.values(), key=lambda r: r["name"])
    return result


def turnout_by_site_and_day(events) -> list[dict]:
    """Count RSVPs going and checked in per day (in each event's own time zone) and site
    (or address) of the events given, by day then site; counts only, never who."""
    rows = (
        Event.objects.filter(pk__in=events.values("pk"))
        .values("starts_at", "time_zone", "site__name", "address")
        .annotate(
            going=Count("rsvps", filter=Q(rsvps__status=Rsvp.Status.GOING)),
            checked_in=Count("rsvps", filter=Q(rsvps__checked_in_at__isnull=False)),
        )
        .order_by()
    )
    merged: dict[tuple[date, str], dict] = {}
    for row in rows:
        day = row["starts_at"].astimezone(zoneinfo.ZoneInfo(row["time_zone"])).date()
        name = row["site__name"] or row["address"]
        into = merged.setdefault(
            (day, name), {"day": day, "name": name, "going": 0, "checked_in": 0}
        )
        into["going"] += row["going"]
        into["checked_in"] += row["checked_in"]
    return [merged[key] for key in sorted(merged)]


def totals(events) -> dict:
    rsvps = Rsvp.objects.filter(event__in=events.values("pk"))
    return {
        "going": rsvps.filter(status=Rsvp.Status.GOING).count(),
        "checked_in": rsvps.filter(checked_in_at__isnull=False).count(),
        "waitlisted": rsvps.filter(status=Rsvp.Status.WAITLISTED).count(),
    }


def by_member_organization(event: Event) -> list[dict]:
    """Count the event's answers (going, waitlisted, checked in) by the organization of the
    people who gave them: the host for its own members, else the first of their
    organizations by name. Counts only, never who: how a host sees a partner's turnout."""
    answers = list(
        event.rsvps.exclude(status=Rsvp.Status.CANCELLED).values(
            "person_id", "status", "checked_in_at"
        )
    )
    organization_of: dict[int, tuple[int, str]] = {}
    memberships = (
        Membership.objects.filter(person_id__in=[a["person_id"] for a in answers], active=True)
        .values_list("person_id", "organization_id", "organization__name")
        .order_by("organization__name", "organization_id")
    )
    for person_id, organization_id, name in memberships:
        if organization_id == event.organization_id or person_id not in organization_of:
            organization_of[person_id] = (organization_id, name)
    rows: dict[int, dict] = {}
    for answer in answers:
        organization_id, name = organization_of.get(answer["person_id"], (0, ""))
        row = rows.setdefault(
            organization_id,
            {"id": organization_id, "name": name, "going": 0, "waitlisted": 0, "checked_in": 0},
        )
        row["going"] += answer["status"] == Rsvp.Status.GOING
        row["waitlisted"] += answer["status"] == Rsvp.Status.WAITLISTED
        row["checked_in"] += answer["checked_in_at"] is not None
    return sorted(rows.values(), key=lambda row: (row["id"] != event.organization_id, row["name"]))
