"""Structure: how strongly each member of a unit stands with the union, as its organizers
rate it, who organizes whom, and the structure tests a unit sets itself.

A rating is a score from 1 (strongest support: a leader who moves others) to 5 (opposed);
1-2 means "with us". Every new rating is a new row, so a member's history is kept and the
latest one is current. There is no free text, and never a field about immigration status.
Only the unit's organizers see any of it (access.py); admins who are not among them do not.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tocsin.core.ids import short_code

SCORES = (1, 2, 3, 4, 5)
# What 1-5 mean when an organization has not written its own words.
DEFAULT_LABELS = {
    1: pgettext_lazy("support score", "Leader: moves others"),
    2: pgettext_lazy("support score", "Supporter"),
    3: pgettext_lazy("support score", "Undecided"),
    4: pgettext_lazy("support score", "Leaning against"),
    5: pgettext_lazy("support score", "Opposed"),
}
MAX_LABEL = 40


def score_field(**kwargs) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)], **kwargs
    )


class Scale(models.Model):
    """An organization's own words for the scores 1 to 5; a blank one keeps the default."""

    organization = models.OneToOneField(
        "accounts.Organization", on_delete=models.CASCADE, related_name="structure_scale"
    )
    label_1 = models.CharField(max_length=MAX_LABEL, blank=True)
    label_2 = models.CharField(max_length=MAX_LABEL, blank=True)
    label_3 = models.CharField(max_length=MAX_LABEL, blank=True)
    label_4 = models.CharField(max_length=MAX_LABEL, blank=True)
    label_5 = models.CharField(max_length=MAX_LABEL, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"scale of {self.organization}"

    def label(self, score: int) -> str:
        return getattr(self, f"label_{score}") or str(DEFAULT_LABELS[score])


class UnitOrganizer(models.Model):
    """An organizer who covers a unit without being a member of it (a staff organizer who
    covers two units). An organizer whose own membership is in the unit covers it too."""

    unit = models.ForeignKey(
        "accounts.Unit", on_delete=models.CASCADE, related_name="structure_organizers"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="units_organized"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "person"], name="one_unit_organizer")
        ]

    def __str__(self) -> str:
        return f"organizer {self.person_id} of unit {self.unit_id}"


class Assessment(models.Model):
    """One rating of one member's support, by one organizer, at one time."""

    code = models.CharField(max_length=12, unique=True, default=short_code, editable=False)
    unit = models.ForeignKey(
        "accounts.Unit", on_delete=models.CASCADE, related_name="structure_assessments"
    )
    # Erasing the member erases their ratings with them.
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="structure_assessments"
    )
    score = score_field()
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rated_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-rated_at", "-id"]
        indexes = [models.Index(fields=["unit", "person", "-rated_at"], name="assessment_latest")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5), name="assessment_score_1_to_5"
            )
        ]

    def __str__(self) -> str:
        return f"assessment {self.code}"


class Assignment(models.Model):
    """The one organizer who talks with a member of a unit; the audit log keeps the past."""

    unit = models.ForeignKey(
        "accounts.Unit", on_delete=models.CASCADE, related_name="structure_assignments"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="structure_assignments"
    )
    organizer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="structure_members"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["assigned_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "person"], name="one_organizer_per_member")
        ]

    def __str__(self) -> str:
        return f"assignment of {self.person_id} in unit {self.unit_id}"


class StructureTest(models.Model):
    """A target a unit sets itself: `target_percent` of its members at `max_score` or
    better (1-2 by default) by `by_date`."""

    code = models.CharField(max_length=12, unique=True, default=short_code, editable=False)
    unit = models.ForeignKey(
        "accounts.Unit", on_delete=models.CASCADE, related_name="structure_tests"
    )
    name = models.CharField(_("name"), max_length=120)
    target_percent = models.PositiveSmallIntegerField(
        _("target (percent of members)"), validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    max_score = score_field(verbose_name=_("counting scores up to"), default=2)
    by_date = models.DateField(_("by"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["by_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(target_percent__gte=1, target_percent__lte=100),
                name="structure_test_target_1_to_100",
            ),
            models.CheckConstraint(
                condition=models.Q(max_score__gte=1, max_score__lte=5),
                name="structure_test_score_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return self.name
