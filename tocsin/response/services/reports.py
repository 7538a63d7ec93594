"""Take in a report: check it, hold back floods, and file it under an incident.

A new report joins the nearest open incident of the same organization that is within
TOCSIN_INCIDENT_RADIUS_M of it and had a report in the last TOCSIN_INCIDENT_WINDOW_MINUTES;
otherwise it opens a new incident. A report with no place at all (a text message that says
only "ICE at the garage") opens its own incident, for a dispatcher to merge.
"""

import contextlib
import math
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import OperationalError, connection
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tocsin.accounts.models import Organization, Person, Site
from tocsin.core import geo, languages
from tocsin.core.transactions import atomic_retried_once, locking

from ..models import Incident, Photo, Report
from ..photos import CleanPhoto, check_photo_header, clean_photo
from .limits import (  # noqa: F401 (the intake's names for the limits)
    TooManyReports,
    bucket,
    is_anonymous,
    over_ceiling,
    rate_key,
    reset_rate,
    take_from_rate,
)
from .paging import mark_flood, page_new_incident
from .timeline import log

MAX_TEXT = 1000
MAX_SHORT_TEXT = 300
MAX_PHOTOS = 3
MAX_COUNT = 999
# A report may say it was seen this far ahead of the server's clock (phones drift).
CLOCK_SLACK = timedelta(minutes=5)
OLDEST_SEEN = timedelta(days=2)
# As long as SQLite's own busy timeout (settings.database_from_url).
SQLITE_WRITER_WAIT = 20
COORDINATE_ERRORS = {
    "lat": gettext_lazy("Latitude must be between -90 and 90."),
    "lng": gettext_lazy("Longitude must be between -180 and 180."),
}


@dataclass
class ReportInput:
    """What a report says, from any source. Every field may be empty but one must speak."""

    site: Site | None = None
    lat: float | Decimal | None = None
    lng: float | Decimal | None = None
    location: str = ""
    agents: int | None = None
    vehicles: int | None = None
    activity: str = ""
    uniform: str = ""
    equipment: str = ""
    seen_at: datetime | None = None
    callback: str = ""
    raw_text: str = ""
    language: str = "en"
    photos: list[bytes] = field(default_factory=list)


def check_report(data: ReportInput, organization: Organization) -> dict[str, list[str]]:
    """Return the report's errors by field name; empty when it can be taken."""
    errors: dict[str, list[str]] = {}

    def refuse(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    texts = {
        "activity": (data.activity, MAX_TEXT),
        "raw_text": (data.raw_text, MAX_TEXT * 2),
        "location": (data.location, MAX_SHORT_TEXT),
        "uniform": (data.uniform, MAX_SHORT_TEXT),
        "equipment": (data.equipment, MAX_SHORT_TEXT),
        "callback": (data.callback, 120),
    }
    for name, (value, limit) in texts.items():
        if len(value or "") > limit:
            refuse(name, _("Write at most %(limit)d characters here.") % {"limit": limit})
    if (data.lat is None) != (data.lng is None):
        refuse("lng" if data.lng is None else "lat", _("Give both latitude and longitude."))
    elif data.lat is not None and data.lng is not None:
        try:
            for name, _reason in geo.validate_latlng(data.lat, data.lng):
                refuse(name, str(COORDINATE_ERRORS[name]))
        except (TypeError, ValueError, ArithmeticError):
            refuse("lat", _("Latitude and longitude must be numbers."))
    for name, count in (("agents", data.agents), ("vehicles", data.vehicles)):
        if count is not None and not 0 <= count <= MAX_COUNT:
            refuse(name, _("Give a number between 0 and %(max)d.") % {"max": MAX_COUNT})
    now = timezone.now()
    if data.seen_at is not None:
        if data.seen_at > now + CLOCK_SLACK:
            refuse("seen_at", _("The time seen cannot be in the future."))
        elif data.seen_at < now - OLDEST_SEEN:
            refuse("seen_at", _("The time seen is more than two days ago."))
    if data.site is not None and not data.site.organizations.filter(pk=organization.pk).exists():
        refuse("site", _("This site is not one of the organization's."))
    if len(data.photos) > MAX_PHOTOS:
        refuse("photo", _("Send at most %(count)d photos.") % {"count": MAX_PHOTOS})
    said = any(
        (
            (data.activity or "").strip(),
            (data.raw_text or "").strip(),
            (data.uniform or "").strip(),
            (data.equipment or "").strip(),
            data.agents,
            data.vehicles,
        )
    )
    if not said:
        refuse("activity", _("Say what you see: what the agents are doing."))
    return errors


def submit_report(
    organization: Organization,
    data: ReportInput,
    source: str,
    rate_source: str = "",
    reporter: Person | None = None,
    entered_by: Person | None = None,
    inbound_key: str | None = None,
) -> Report:
    """File a report under an incident (a new one or the nearby open one) and return it.

    `rate_source` (an IP address, a phone number) counts against the source's rate limit;
    staff typing in a call pass none. An inbound message read a second time (the same
    `inbound_key`) returns the report already made. Nothing is stored when anything is
    wrong: the errors name the fields.

    Cheap work comes first and the expensive last: the fields and the photos' headers are
    checked, then the source is counted, and only a report within its limit has its photos
    decoded. A refused flood costs no decoding.
    """
    if inbound_key:
        known = Report.objects.filter(inbound_key=inbound_key).first()
        if known is not None:
            return known
    errors = check_report(data, organization)
    if errors:
        raise ValidationError(errors)
    for raw in data.photos:
        check_photo_header(raw)
    if rate_source:
        take_from_rate(rate_source)
    photos = [clean_photo(raw) for raw in data.photos]
    with one_writer():
        return file_report(
            organization, data, source, photos, rate_source, reporter, entered_by, inbound_key
        )


# SQLite takes one writer at a time; threads of one process waiting for it poll its lock
# (sleeping up to 100 ms between tries), and a raid's hundreds of waiting requests burned
# the CPU that the one writing needed. They queue on this lock instead, without polling.
_SQLITE_WRITER = threading.Lock()


@contextlib.contextmanager
def one_writer() -> Iterator[None]:
    """Hold this process's SQLite report writer (nothing on PostgreSQL, whose row lock
    queues them, nor inside a transaction already open, which may hold SQLite's lock). A
    request that waits longer than SQLite itself would is refused as the database busy."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield
        return
    if not _SQLITE_WRITER.acquire(timeout=SQLITE_WRITER_WAIT):
        raise OperationalError("the database is busy")
    try:
        yield
    finally:
        _SQLITE_WRITER.release()


@atomic_retried_once
def file_report(
    organization: Organization,
    data: ReportInput,
    source: str,
    photos: list[CleanPhoto],
    rate_source: str,
    reporter: Person | None,
    entered_by: Person | None,
    inbound_key: str | None,
) -> Report:
    # One report at a time per organization, so that two reports of the same raid arriving
    # together cannot both open an incident. The lock lets rows that refer to the
    # organization be written meanwhile (a site's audit entry): see core/transactions.py.
    # SQLite has no row locks: its transaction is already immediate, one writer at a time.
    if connection.features.has_select_for_update:
        locking(Organization.objects.filter(pk=organization.pk)).first()
    now = timezone.now()
    lat, lng = point_of(data)
    incident = nearby_incident(organization, lat, lng, now)
    opened = incident is None
    if incident is None:
        incident = Incident.objects.create(
            organization=organization,
            site=data.site,
            lat=lat,
            lng=lng,
            where=(data.site.name if data.site else (data.location or "").strip())[:300],
            opened_at=now,
            last_report_at=now,
        )
        log(incident, entered_by, "response.incident.opened")
    else:
        # The incident's organization is the one locked above: its timeline line and audit
        # entry need not read it again.
        incident.organization = organization
        incident.last_report_at = now
        changed = ["last_report_at"]
        if incident.site_id is None and data.site is not None:
            incident.site = data.site
            changed.append("site")
        incident.save(update_fields=changed)
    report = Report.objects.create(
        organization=organization,
        incident=incident,
        source=source,
        language=languages.supported(data.language),
        site=data.site,
        lat=data.lat,
        lng=data.lng,
        location=(data.location or "").strip(),
        agents=data.agents,
        vehicles=data.vehicles,
        activity=(data.activity or "").strip(),
        uniform=(data.uniform or "").strip(),
        equipment=(data.equipment or "").strip(),
        seen_at=data.seen_at or now,
        received_at=now,
        raw_text=data.raw_text or "",
        callback=(data.callback or "").strip(),
        reporter=reporter,
        inbound_key=inbound_key,
        entered_by=entered_by,
    )
    for photo in photos:
        Photo.objects.create(
            organization=organization,
            incident=incident,
            report=report,
            image=photo.data,
            width=photo.width,
            height=photo.height,
        )
    log(
        incident,
        entered_by,
        "response.report.received",
        report=str(report.public_id),
        source=source,
        photos=len(photos),
        joined=not opened,
    )
    anonymous = is_anonymous(report)
    flood = anonymous and over_ceiling(organization, now)
    if opened:
        page_new_incident(incident, anonymous, flood, now)
    elif flood:
        mark_flood(organization)
    return report


def point_of(data: ReportInput) -> tuple[Decimal | None, Decimal | None]:
    """Return where the report places itself: its pin, else its site, else nowhere."""
    if data.lat is not None and data.lng is not None:
        return round(Decimal(str(data.lat)), 6), round(Decimal(str(data.lng)), 6)
    if data.site is not None:
        return Decimal(str(data.site.lat)), Decimal(str(data.site.lng))
    return None, None


def nearby_incident(organization: Organization, lat, lng, now: datetime) -> Incident | None:
    """Return the nearest open incident within the radius and window, or None."""
    if lat is None or lng is None:
        return None
    since = now - timedelta(minutes=settings.TOCSIN_INCIDENT_WINDOW_MINUTES)
    radius = settings.TOCSIN_INCIDENT_RADIUS_M
    # A box around the point, a little larger than the circle, so the database hands back
    # only the incidents that can be near; the exact distance is measured below.
    dlat = Decimal(str(radius / 111_000 * 1.1))
    dlng = Decimal(str(radius / (111_000 * max(0.01, math.cos(math.radians(float(lat))))) * 1.1))
    candidates = locking(Incident.objects).filter(
        organization=organization,
        state__in=Incident.OPEN_STATES,
        last_report_at__gte=since,
        lat__range=(lat - dlat, lat + dlat),
        lng__range=(lng - dlng, lng + dlng),
    )
    best: tuple[float, Incident] | None = None
    for incident in candidates:
        if incident.lat is None or incident.lng is None:
            continue
        distance = geo.distance_m(float(lat), float(lng), float(incident.lat), float(incident.lng))
        if distance <= radius and (best is None or distance < best[0]):
            best = (distance, incident)
    return best[1] if best else None
