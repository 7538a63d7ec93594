"""A clause: contract language an organization demanded, won, holds or was refused, in one
or more languages, with where it is in force and, when it was adapted, the clause it came from.

Contract language is not personal data: nothing here names a member, and there is never a
field about immigration status. An organization's drafts stay with it; its other clauses
reach the organizations it shares clauses with (access.py).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import get_language, get_language_info
from django.utils.translation import gettext_lazy as _

from tocsin.core.ids import short_code

MAX_TITLE = 200
MAX_TEXT = 20_000
MAX_TAGS = 10
MAX_TAG = 40
# The languages a clause's text may be written in: a column each, so a search can stem each
# in its own way (search.py).
TEXT_LANGUAGES = ("en", "es", "so")


def language_name(code: str) -> str:
    """Return a text language's name as its speakers write it ("Español")."""
    return capfirst(get_language_info(code)["name_local"])


class Clause(models.Model):
    class Sector(models.TextChoices):
        HEALTH_CARE = "health_care", _("health care")
        EDUCATION = "education", _("education")
        TRANSIT = "transit", _("transit")
        PUBLIC_SECTOR = "public_sector", _("public sector")
        OTHER = "other", _("other")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        DEMANDED = "demanded", _("demanded")
        WON = "won", _("won")
        IN_EFFECT = "in_effect", _("in effect")
        REFUSED = "refused", _("refused")

    code = models.CharField(max_length=12, unique=True, default=short_code, editable=False)
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="clauses"
    )
    title = models.CharField(_("title"), max_length=MAX_TITLE)
    text_en = models.TextField(_("text in English"), blank=True)
    text_es = models.TextField(_("text in Spanish"), blank=True)
    text_so = models.TextField(_("text in Somali"), blank=True)
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    source_contract = models.CharField(_("source contract"), max_length=300, blank=True)
    how_won = models.TextField(_("how it was won"), blank=True)
    demanded_on = models.DateField(_("demanded on"), null=True, blank=True)
    won_on = models.DateField(_("won on"), null=True, blank=True)
    in_effect_from = models.DateField(_("in effect from"), null=True, blank=True)
    in_effect_until = models.DateField(_("in effect until"), null=True, blank=True)
    # Lower-case words, one space between tags (normalized by services.clean_tags).
    tags = models.CharField(_("tags"), max_length=MAX_TAGS * (MAX_TAG + 1), blank=True)
    # Where the clause is in force: the playbooks of these sites link it.
    sites = models.ManyToManyField(
        "accounts.Site", blank=True, related_name="clauses", verbose_name=_("sites")
    )
    # The clause this one was adapted from, and what it was then, kept even when the origin
    # is deleted or its organization stops sharing.
    origin = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="adaptations"
    )
    origin_title = models.CharField(max_length=MAX_TITLE, blank=True)
    origin_organization = models.CharField(max_length=200, blank=True)
    origin_code = models.CharField(max_length=12, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["title", "id"]
        indexes = [models.Index(fields=["organization", "status"], name="clause_org_status")]

    def __str__(self) -> str:
        return self.title

    @property
    def audit_id(self) -> str:
        return self.code

    def texts(self) -> dict[str, str]:
        """Return the clause's text by language code, for the languages it is written in."""
        return {code: text for code in TEXT_LANGUAGES if (text := getattr(self, f"text_{code}"))}

    def for_reader(self) -> tuple[str, str]:
        """Return (language code, text) in the active language, else the first written."""
        texts = self.texts()
        reading = get_language() or ""
        if reading in texts:
            return reading, texts[reading]
        return next(iter(texts.items()), ("", ""))

    def tag_list(self) -> list[str]:
        return self.tags.split()

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT
