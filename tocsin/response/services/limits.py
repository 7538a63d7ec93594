"""Hold back floods of reports, and keep who sent them only while a limit needs it.

A report's source is what sent it: an IP address (the public pages, the API), a phone number
or Signal account (inbound messages), a member's public id (their own page). Each source
counts against a token bucket (TOCSIN_REPORT_BURST at once, then TOCSIN_REPORTS_PER_HOUR),
kept in the queue's shared store under a keyed hash of the source, never the source itself.

- An IPv6 address counts as its /64: one home or phone network holds a whole /64, and an
  attacker changing the last 64 bits changes nothing. An IPv4 address counts as itself
  (a /24 is often many unrelated people: a hospital's network, a carrier's shared
  addresses); many IPv4 addresses at once meet the organization's ceiling instead.
- The report row keeps no hash of its source. The bucket is the only place the source's
  hash lives, and it is forgotten once it is full again (TOCSIN_REPORT_BURST /
  TOCSIN_REPORTS_PER_HOUR hours after the source's last report: 15 minutes by default):
  Redis expires it by itself, the SQLite and PostgreSQL stores when `forget_spent()` runs
  (after each report, and in the hourly erasure job).
- A report is accepted whenever the database is up: while the queue's store is unreachable
  (Redis restarting), each web process counts sources in its own memory instead
  (FallbackRateLimiter), and goes back to the shared store a few seconds after it answers
  again. A flood from one address is still slowed, by each process alone (decision 0016).
- The organization's ceiling: more than TOCSIN_ORG_REPORTS_PER_MINUTE reports from anonymous
  sources (no reporter, no staff) in the last minute is a flood. Its reports are still
  stored; the page that tells the dispatchers says "flood" (services/paging.py).
"""

import functools
import ipaddress
import math
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from tocsin.accounts.models import Organization
from tocsin.core.crypto import blind_index
from tocsin.core.outage import DEPENDENCY_ERRORS
from tocsin.delivery.ratelimit import FallbackRateLimiter, RateLimiter, limiter

from ..models import Report


class TooManyReports(ValidationError):
    """The source sent more reports than its rate allows; `retry_after` is in seconds."""

    def __init__(self, retry_after: float):
        minutes = max(1, math.ceil(retry_after / 60))
        super().__init__(
            _(
                "Too many reports from here in a short time. Try again in %(minutes)d "
                "minutes, or call your union's hotline."
            )
            % {"minutes": minutes}
        )
        self.retry_after = retry_after


def source_network(source: str) -> str:
    """Return what a source counts as: an IPv6 address's /64 network, an IPv4 address (also
    written as IPv6) itself, and anything else (a number, a member's id) as it is."""
    try:
        address = ipaddress.ip_address(source.strip().split("%", 1)[0])
    except ValueError:
        return source
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


def rate_key(source: str) -> str:
    """Return the keyed hash a report source counts under (its /64, for IPv6)."""
    return blind_index(source_network(source), "report-source")


def bucket_prefix() -> str:
    """The sources' buckets, within this installation's queue: two Tocsins (or two test
    workers) sharing one Redis count apart."""
    return f"report:{settings.TOCSIN_QUEUE_NAME}:"


def bucket(source: str) -> str:
    return bucket_prefix() + rate_key(source)


def source_rate() -> tuple[float, float]:
    """Return the sources' rate (tokens a second) and burst."""
    return settings.TOCSIN_REPORTS_PER_HOUR / 3600, settings.TOCSIN_REPORT_BURST


@functools.cache
def _falling_back(shared: RateLimiter) -> RateLimiter:
    return FallbackRateLimiter(shared, DEPENDENCY_ERRORS)


def report_limiter() -> RateLimiter:
    """Return this process's limiter of report sources: the queue's store (the same client
    as the delivery engine's), or this process's memory while that store is unreachable."""
    return _falling_back(limiter())


def take_from_rate(source: str) -> None:
    """Count one report from `source`, or raise TooManyReports when it has sent too many."""
    rate, burst = source_rate()
    wait = report_limiter().try_acquire(bucket(source), rate=rate, burst=burst)
    forget_spent()
    if wait > 0:
        raise TooManyReports(wait)


def reset_rate(source: str) -> None:
    """Forget the source's bucket: it starts full, and its hash is no longer stored."""
    report_limiter().reset(bucket(source))


def forget_spent() -> int:
    """Forget every source whose bucket is full again: it no longer limits anything, and
    its keyed hash must not outlive the limit. Return how many were forgotten."""
    rate, burst = source_rate()
    return report_limiter().forget_full(bucket_prefix(), rate=rate, burst=burst)


def is_anonymous(report: Report) -> bool:
    """Whether a report came from nobody Tocsin knows: no member, no staff typing it in."""
    return report.reporter_id is None and report.entered_by_id is None


def over_ceiling(organization: Organization, now: datetime) -> bool:
    """Whether the organization had more anonymous reports in the last minute than its
    ceiling (the report being filed included). Call with the organization's row locked."""
    ceiling = settings.TOCSIN_ORG_REPORTS_PER_MINUTE
    # Counted only up to one past the ceiling: in a raid the last minute holds thousands of
    # reports, and counting them all for each new one made every report slower than the last.
    recent = (
        Report.objects.filter(
            organization=organization,
            received_at__gt=now - timedelta(minutes=1),
            reporter__isnull=True,
            entered_by__isnull=True,
        )
        .values("pk")[: ceiling + 1]
        .count()
    )
    return recent > ceiling
