"""What a unit's dashboard shows: each member with their current rating and organizer, how
many stand at each score, coverage, and each structure test's progress.

The denominator is always every current member of the unit: a member nobody has rated yet
counts as not at 1-2, so a structure test measures the whole unit, not the part of it
organizers have talked to.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from tocsin.accounts.models import Membership, Person, Unit
from tocsin.core.charts import Chart, Series

from .access import unit_members
from .models import SCORES, Assessment, Assignment, StructureTest
from .services.scale import labels_for


def percent(part: int, whole: int) -> int:
    """Return part/whole as a whole percent, rounded down (70% means at least 70%)."""
    return part * 100 // whole if whole else 0


@dataclass
class MemberRow:
    membership: Membership
    score: int | None
    label: str
    rated_at: datetime | None
    organizer: Person | None

    @property
    def person(self) -> Person:
        return self.membership.person


@dataclass
class Progress:
    """Where a unit stands against one structure test."""

    test: StructureTest
    count: int
    total: int
    percent: int
    # Members still to bring to the test's score for the target to be met (0 once it is).
    needed: int
    # met, on_track, behind (before the date) or missed (after it).
    status: str

    @property
    def met(self) -> bool:
        return self.status == "met"


def progress(test: StructureTest, scores: list[int | None], today: date | None = None) -> Progress:
    """Return the unit's progress against a test, from its members' current scores.

    Before the date, a test not met yet is on track when the share at the test's score has
    come at least as far as a straight line from nothing on the day the test was set to
    the target on its date; after the date, it is missed.
    """
    today = today or timezone.localdate()
    total = len(scores)
    count = sum(1 for score in scores if score is not None and score <= test.max_score)
    required = -(-test.target_percent * total // 100)  # the fewest members that meet it
    needed = max(0, required - count)
    if total and count * 100 >= test.target_percent * total:
        status = "met"
    elif today > test.by_date:
        status = "missed"
    else:
        start = timezone.localtime(test.created_at).date()
        span = max((test.by_date - start).days, 1)
        elapsed = min(max((today - start).days, 0), span)
        expected = test.target_percent * elapsed / span
        status = "on_track" if total and count * 100 / total >= expected else "behind"
    return Progress(test, count, total, percent(count, total), needed, status)


@dataclass
class Dashboard:
    unit: Unit
    labels: dict[int, str]
    rows: list[MemberRow]
    counts: dict[int, int] = field(default_factory=dict)
    tests: list[Progress] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def rated(self) -> int:
        return sum(1 for row in self.rows if row.score is not None)

    @property
    def unrated(self) -> int:
        return self.total - self.rated

    @property
    def covered(self) -> int:
        return sum(1 for row in self.rows if row.organizer is not None)

    @property
    def coverage_percent(self) -> int:
        return percent(self.covered, self.total)

    @property
    def levels(self) -> list[tuple[int, str, int, int]]:
        """(score, label, count, percent of members) for each score, 1 first."""
        return [
            (score, self.labels[score], self.counts[score], percent(self.counts[score], self.total))
            for score in SCORES
        ]


def latest(unit: Unit, field_name: str):
    return Subquery(
        Assessment.objects.filter(unit=unit, person=OuterRef("person"))
        .order_by("-rated_at", "-id")
        .values(field_name)[:1]
    )


def dashboard(unit: Unit, today: date | None = None) -> Dashboard:
    """Return the unit's dashboard numbers (reading them is the caller's to audit)."""
    labels = labels_for(unit.organization)
    memberships = unit_members(unit).annotate(
        current_score=latest(unit, "score"), last_rated_at=latest(unit, "rated_at")
    )
    organizers = {
        a.person_id: a.organizer
        for a in Assignment.objects.filter(unit=unit).select_related("organizer")
    }
    rows = [
        MemberRow(
            membership=m,
            score=m.current_score,
            label=labels[m.current_score] if m.current_score else "",
            rated_at=m.last_rated_at,
            organizer=organizers.get(m.person_id),
        )
        for m in memberships
    ]
    counts = dict.fromkeys(SCORES, 0)
    for row in rows:
        if row.score is not None:
            counts[row.score] += 1
    scores = [row.score for row in rows]
    tests = [progress(test, scores, today) for test in StructureTest.objects.filter(unit=unit)]
    return Dashboard(unit=unit, labels=labels, rows=rows, counts=counts, tests=tests)


def history(unit: Unit, person: Person):
    """Return every rating of the member in the unit, newest first."""
    return (
        Assessment.objects.filter(unit=unit, person=person)
        .select_related("rated_by")
        .order_by("-rated_at", "-id")
    )


# The scores' colours, as the dashboard's badges show them (structure.css).
SCORE_COLORS = {1: "#1d6b35", 2: "#8fc79c", 3: "#d9cf8f", 4: "#e9a06f", 5: "#a11"}


def structure_chart(boards: list[Dashboard]) -> Chart | None:
    """Return the chart of members per score in each unit (counts only), None without units."""
    if not boards:
        return None
    labels = boards[0].labels
    series = [
        Series(f"{score} · {labels[score]}", [board.counts[score] for board in boards], color)
        for score, color in SCORE_COLORS.items()
    ]
    series.append(Series(_("Not rated yet"), [board.unrated for board in boards], "#bbb"))
    return Chart(
        title=_("Structure by unit"),
        category_heading=_("Unit"),
        categories=[board.unit.name for board in boards],
        series=series,
        testid="structure-chart",
        total_heading=_("Total"),
    )
