"""The console's queue: its lines and map, built once per change for every dispatcher of the
same organizations, then given each dispatcher's own unread marks and claims."""

import threading
import time
from dataclasses import dataclass, field

from django.db.models import Count, Max, Min, OuterRef, Subquery
from django.db.models.signals import post_delete, post_save
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import get_language

from tocsin.accounts.models import Person, Site

from ..access import dispatch_organization_ids
from ..models import Burst, Incident, Report, Response, TimelineEntry
from ..titles import incident_title, sites_by_organization
from . import reads
from .responses import overdue_check_ins_of

# How much of the newest report the queue shows.
WORDS_SHOWN = 140


def change_mark(organization_ids: list[int], incident_id: int | None = None) -> int:
    """Return the newest timeline line's id: any change to an incident writes one."""
    lines = TimelineEntry.objects.filter(incident__organization_id__in=organization_ids)
    if incident_id is not None:
        lines = lines.filter(incident_id=incident_id)
    return lines.aggregate(newest=Max("pk"))["newest"] or 0


def open_among(found):
    """Return the open incidents among `found`, newest report first, each with its report
    count, when its first report saw what it says, and its newest report's id."""
    newest = Report.objects.filter(incident=OuterRef("pk")).order_by("-received_at", "-pk")
    return (
        found.filter(state__in=Incident.OPEN_STATES)
        .select_related("organization", "site", "claimed_by", "burst")
        .annotate(
            report_count=Count("reports"),
            first_seen_at=Min("reports__seen_at"),
            newest_report_id=Subquery(newest.values("pk")[:1]),
        )
        .order_by("-last_report_at")
    )


def report_words(report: Report | None) -> str:
    """Return what the report says, shortened for a line of the queue (what was seen, else
    the message as it came in)."""
    if report is None:
        return ""
    words = " ".join((report.activity or report.raw_text or "").split())
    return Truncator(words).chars(WORDS_SHOWN)


@dataclass(frozen=True)
class SharedQueue:
    """What every dispatcher of the same organizations sees alike: the queue's lines
    without their unread marks and "mine", and the map's points; and the queue's renderings
    so far, one per console organization and set of unread marks and claims."""

    rows: list[dict]
    map: dict
    built: float
    renderings: dict[tuple, str] = field(default_factory=dict)

    def rendering(self, organization, rows: list[dict]) -> str:
        """The queue fragment of `rows` (queue_rows of this queue) for a console of
        `organization`: dispatchers who see the same lines unread and the same claims as
        theirs share one rendering."""
        key = (
            organization.pk,
            tuple((row["incident"].pk, row["unread"], row["mine"]) for row in incident_rows(rows)),
        )
        found = self.renderings.get(key)
        if found is None:
            context = {
                "organization": organization,
                "rows": rows,
                "open_count": len(incident_rows(rows)),
                "map": self.map,
            }
            found = self.renderings[key] = render_to_string("response/_queue.html", context)
        return found


# The queue's shared part, per organization set, newest timeline line, language and time
# zone, built by the first console to ask after a change: the twenty consoles that hear one
# change fetch the queue within a moment of each other (decision 0020). Kept a few seconds
# at most, so what comes from the clock (missed check-ins) is never older than that, and
# forgotten by this process as soon as it saves anything the queue shows.
QUEUE_KEPT_SECONDS = 5.0
_shared_queues: dict[tuple, SharedQueue] = {}
_shared_queues_lock = threading.Lock()


def forget_shared_queues(**_signal) -> None:
    with _shared_queues_lock:
        _shared_queues.clear()


def forget_on_change() -> None:
    """Forget the shared queues whenever this process saves or deletes what they show (other
    processes' changes reach them through the timeline line each writes)."""
    for model in (Burst, Incident, Report, Response, TimelineEntry, Site):
        post_save.connect(forget_shared_queues, sender=model, dispatch_uid=f"queue-{model}")
        post_delete.connect(forget_shared_queues, sender=model, dispatch_uid=f"queue-{model}-")


def shared_queue(organization) -> SharedQueue:
    """Return the organization's shared queue, built now or a moment ago for the same
    newest timeline line."""
    organization_ids = sorted(dispatch_organization_ids(organization))
    key = (
        tuple(organization_ids),
        change_mark(organization_ids),
        get_language(),
        timezone.get_current_timezone_name(),
    )
    with _shared_queues_lock:
        now = time.monotonic()
        for old in [
            k for k, kept in _shared_queues.items() if now - kept.built > QUEUE_KEPT_SECONDS
        ]:
            del _shared_queues[old]
        found = _shared_queues.get(key)
        if found is None:
            rows = shared_rows(organization_ids)
            found = _shared_queues[key] = SharedQueue(rows, map_points(organization_ids, rows), now)
        return found


def shared_rows(organization_ids: list[int]) -> list[dict]:
    """Return the queue's lines: one per open incident, except that the incidents of a
    burst (anonymous reports soon after a page, services/paging.py) share one line, at the
    place of its newest, so a flood of pins is one line to look at, not forty."""
    rows: list[dict] = []
    bursts: dict[int, dict] = {}
    found = list(open_among(Incident.objects.filter(organization_id__in=organization_ids)))
    sites = sites_by_organization({incident.organization_id for incident in found})
    words = Report.objects.in_bulk([incident.newest_report_id for incident in found])
    overdue = overdue_check_ins_of(found)
    for incident in found:
        row = {
            "incident": incident,
            "title": incident_title(incident, sites[incident.organization_id]),
            "words": report_words(words.get(incident.newest_report_id)),
            "alarms": len(overdue.get(incident.pk, [])),
        }
        if incident.burst_id is None:
            rows.append(row)
            continue
        group = bursts.get(incident.burst_id)
        if group is None:
            group = bursts[incident.burst_id] = {"burst": incident.burst, "rows": [], "reports": 0}
            rows.append(group)
        group["rows"].append(row)
        group["reports"] += incident.report_count
    return rows


def queue_rows(person: Person, shared: SharedQueue) -> list[dict]:
    """Return the shared queue's lines as this dispatcher sees them: with their own unread
    marks (tocsin.response.services.reads) and the incidents they claimed."""
    read = reads.read_among(person, [row["incident"] for row in incident_rows(shared.rows)])

    def own(row: dict) -> dict:
        incident = row["incident"]
        return {
            **row,
            "unread": incident.pk not in read,
            "mine": incident.claimed_by_id == person.pk,
        }

    return [
        {**row, "rows": [own(inner) for inner in row["rows"]]} if "burst" in row else own(row)
        for row in shared.rows
    ]


def incident_rows(rows: list[dict]) -> list[dict]:
    """Return the queue's lines with each burst opened up into its incidents."""
    return [inner for row in rows for inner in (row["rows"] if "burst" in row else [row])]


def map_points(organization_ids: list[int], rows: list[dict]) -> dict:
    sites = Site.objects.filter(organizations__in=organization_ids).distinct()
    return {
        "sites": [
            {"name": site.name, "lat": float(site.lat), "lng": float(site.lng)} for site in sites
        ],
        "incidents": [
            {
                "id": row["incident"].short_id,
                "state": row["incident"].state,
                "title": row["title"],
                "burst": row["incident"].burst_id is not None,
                "lat": float(row["incident"].lat),
                "lng": float(row["incident"].lng),
            }
            for row in incident_rows(rows)
            if row["incident"].located
        ],
    }
