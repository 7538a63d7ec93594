"""Deliveries over time, for the alerts screen: per hour of the last day, by channel."""

from datetime import datetime, timedelta

from django.db.models import Count
from django.db.models.functions import Coalesce, TruncHour
from django.utils import timezone
from django.utils.translation import gettext as _

from tocsin.accounts.models import Organization
from tocsin.core.charts import Chart, Series

from .models import Delivery

HOURS = 24


def deliveries_per_hour(organization: Organization, now: datetime | None = None) -> Chart | None:
    """Return a chart of the organization's deliveries in the last 24 hours, per hour (in
    the current time zone) and channel, counted at the time each was sent (or queued, for
    those not sent yet); None when there were none."""
    zone = timezone.get_current_timezone()
    now = timezone.localtime(now or timezone.now(), zone)
    last = now.replace(minute=0, second=0, microsecond=0)
    hours = [last - timedelta(hours=HOURS - 1 - i) for i in range(HOURS)]
    rows = (
        Delivery.objects.filter(alert__organization=organization)
        .annotate(moment=Coalesce("sent_at", "created_at"))
        .filter(moment__gte=hours[0])
        .annotate(hour=TruncHour("moment", tzinfo=zone))
        .values("hour", "channel")
        .annotate(count=Count("id"))
        .order_by()
    )
    counts: dict[str, dict[datetime, int]] = {}
    for row in rows:
        hour = timezone.localtime(row["hour"], zone)
        counts.setdefault(row["channel"], {})[hour] = row["count"]
    if not counts:
        return None
    return Chart(
        title=_("Deliveries in the last 24 hours, per hour and channel"),
        category_heading=_("Hour"),
        categories=[hour.strftime("%H:00") for hour in hours],
        series=[
            Series(channel, [by_hour.get(hour, 0) for hour in hours])
            for channel, by_hour in sorted(counts.items())
        ],
        kind="columns",
        testid="deliveries-chart",
        total_heading=_("Total"),
    )
