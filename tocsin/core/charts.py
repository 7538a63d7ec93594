"""Charts drawn on the server as inline SVG, each followed by the same numbers as a table.

No chart library and no script: a Chart is a list of categories (sites and days, units,
hours) and of series (RSVPs and check-ins, scores, channels), rendered as horizontal bars
(`bars`) or as columns over time (`columns`). The picture is hidden from screen readers;
the table after it, visually hidden, says the same. Every number is written into the markup
by Python, never through the template's localization, so "12.5" stays "12.5" in Spanish.
"""

from dataclasses import dataclass, field

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

# Colours readable on white with a dark label inside or beside them (WCAG AA for the text,
# which is always drawn in --ink beside the bar, never on it).
PALETTE = ("#1f5f99", "#b35900", "#2e7d32", "#7b3f99", "#8a6d00", "#a11", "#555")


@dataclass
class Series:
    name: str
    values: list[int]
    color: str = ""


@dataclass
class Chart:
    """A chart's numbers: `values[i]` of each series belongs to `categories[i]`."""

    title: str
    category_heading: str
    categories: list[str]
    series: list[Series] = field(default_factory=list)
    kind: str = "bars"  # "bars": a bar per category; "columns": time on the x axis
    stacked: bool = True  # series add up (scores, channels), or are compared (RSVPs, check-ins)
    total_heading: str = ""  # the table's last column when stacked: "Total"
    testid: str = ""

    def totals(self) -> list[int]:
        return [sum(s.values[i] for s in self.series) for i in range(len(self.categories))]

    def colored(self) -> list[Series]:
        return [
            Series(s.name, s.values, s.color or PALETTE[i % len(PALETTE)])
            for i, s in enumerate(self.series)
        ]


def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _legend(series: list[Series], width: float) -> tuple[list[SafeString], float]:
    """Return the legend's parts, wrapped to the chart's width, and its height."""
    parts, x, y = [], 0.0, 0.0
    for s in series:
        room = 24 + 7.5 * len(s.name)
        if x and x + room > width:
            x, y = 0.0, y + 18
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="12" height="12" fill="{}"></rect>'
                '<text x="{}" y="{}" class="chart-legend">{}</text>',
                _n(x),
                _n(y),
                s.color,
                _n(x + 16),
                _n(y + 11),
                s.name,
            )
        )
        x += room
    return parts, y + 24


def _bar(
    x: float, y: float, w: float, h: float, s: Series, category: str, value: int
) -> SafeString:
    return format_html(
        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" data-category="{}"'
        ' data-series="{}" data-value="{}"></rect>',
        _n(x),
        _n(y),
        _n(w),
        _n(h),
        s.color,
        category,
        s.name,
        value,
    )


def _value(x: float, y: float, value: int) -> SafeString:
    return format_html('<text x="{}" y="{}" class="chart-value">{}</text>', _n(x), _n(y), value)


def _bars(chart: Chart, series: list[Series]) -> tuple[list[SafeString], float, float]:
    """One row per category: its label on a line, then its bar: the series stacked in one
    bar with the total after it, or (not stacked) one bar per series, each with its value."""
    width, label_h, bar_h, gap = 480.0, 16.0, 14.0, 8.0
    bar_room = width - 48
    parts, top = _legend(series, width) if len(series) > 1 else ([], 0.0)
    if chart.stacked:
        biggest = max(chart.totals() or [0]) or 1
    else:
        biggest = max((v for s in series for v in s.values), default=0) or 1
    y = top
    for i, category in enumerate(chart.categories):
        parts.append(
            format_html(
                '<text x="0" y="{}" class="chart-label">{}</text>', _n(y + label_h - 4), category
            )
        )
        y += label_h
        x = 0.0
        for s in series:
            value = s.values[i]
            w = bar_room * value / biggest
            if value:
                parts.append(_bar(x, y, w, bar_h, s, category, value))
            if chart.stacked:
                x += w
            else:
                parts.append(_value(w + 4, y + bar_h - 2, value))
                y += bar_h + 2
        if chart.stacked:
            parts.append(_value(x + 4, y + bar_h - 2, sum(s.values[i] for s in series)))
            y += bar_h
        y += gap
    return parts, width, y


def _columns(chart: Chart, series: list[Series]) -> tuple[list[SafeString], float, float]:
    """Time on the x axis (one column per category, stacked by series), a label every few."""
    count = max(len(chart.categories), 1)
    step = 20.0
    width, plot_h = max(step * count, 240.0), 120.0
    biggest = max(chart.totals() or [0]) or 1
    parts, top = _legend(series, width)
    every = max(1, count // 8)
    parts.append(
        format_html('<text x="0" y="{}" class="chart-value">{}</text>', _n(top + 10), biggest)
    )
    base = top + plot_h
    for i, category in enumerate(chart.categories):
        x = i * step
        y = base
        for s in series:
            value = s.values[i]
            h = plot_h * value / biggest
            if value:
                y -= h
                parts.append(_bar(x + 2, y, step - 4, h, s, category, value))
        if i % every == 0:
            parts.append(
                format_html(
                    '<text x="{}" y="{}" class="chart-label">{}</text>',
                    _n(x + 2),
                    _n(base + 16),
                    category,
                )
            )
    parts.append(
        format_html(
            '<line x1="0" y1="{}" x2="{}" y2="{}" class="chart-axis"></line>',
            _n(base),
            _n(width),
            _n(base),
        )
    )
    return parts, width, base + 24


def render_chart(chart: Chart) -> SafeString:
    """Return the chart as a <figure>: its title, the SVG picture, and the table."""
    series = chart.colored()
    if chart.kind == "columns":
        parts, width, height = _columns(chart, series)
    else:
        parts, width, height = _bars(chart, series)
    svg = format_html(
        '<svg class="chart-svg" viewBox="0 0 {} {}" width="{}" aria-hidden="true"'
        ' focusable="false">{}</svg>',
        _n(width),
        _n(height),
        _n(width),
        mark_safe("".join(parts)),  # noqa: S308 - each part built by format_html above
    )
    head = "".join(f"<th scope=col>{escape(s.name)}</th>" for s in series)
    if chart.stacked:
        head += f"<th scope=col>{escape(chart.total_heading)}</th>"
    rows = []
    for i, category in enumerate(chart.categories):
        cells = "".join(f"<td>{s.values[i]}</td>" for s in series)
        if chart.stacked:
            cells += f"<td>{chart.totals()[i]}</td>"
        rows.append(f"<tr><th scope=row>{escape(category)}</th>{cells}</tr>")
    table = (
        # In a div: a table ignores the 1px width, and would widen the page on a phone.
        f'<div class="visually-hidden"><table><thead><tr><th scope=col>'
        f"{escape(chart.category_heading)}</th>{head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )
    return format_html(
        '<figure class="chart" data-testid="{}"><figcaption>{}</figcaption>{}{}</figure>',
        chart.testid,
        chart.title,
        svg,
        mark_safe(table),  # noqa: S308 - every text in it escaped above
    )
