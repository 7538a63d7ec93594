"""Turnout as a chart, for the turnout and campaign pages: RSVPs and check-ins by day and site."""

from django.utils import formats
from django.utils.translation import gettext as _

from tocsin.core.charts import Chart, Series

from .services.turnout import turnout_by_site_and_day


def turnout_chart(events) -> Chart | None:
    """Return the chart of RSVPs and check-ins by day and site, None without events."""
    rows = turnout_by_site_and_day(events)
    if not rows:
        return None
    return Chart(
        title=_("Turnout by day and site"),
        category_heading=_("Day and site"),
        categories=[
            f"{formats.date_format(row['day'], 'MONTH_DAY_FORMAT')} · {row['name']}" for row in rows
        ],
        series=[
            Series(_("RSVPs"), [row["going"] for row in rows]),
            Series(_("Checked in"), [row["checked_in"] for row in rows]),
        ],
        stacked=False,
        testid="turnout-chart",
    )
