"""What a local adds to the playbooks Tocsin ships: its hotline number, an outside page of
its own, and a note per site in each language (the pages' own words live in templates and
the catalogues, decision 0031)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class LocalPlaybook(models.Model):
    """An organization's additions to every playbook page that names it."""

    organization = models.OneToOneField(
        "accounts.Organization", on_delete=models.CASCADE, related_name="playbook"
    )
    # The number a member's family calls when someone is detained (E.164); blank for none.
    hotline_number = models.CharField(_("hotline number"), max_length=20, blank=True)
    # An outside know-your-rights page the local wants beside Tocsin's own; blank for none.
    more_url = models.URLField(_("another know-your-rights page"), max_length=300, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"playbook of {self.organization}"


class SiteNote(models.Model):
    """One organization's note for one site, in the languages its coordinator wrote it in,
    and the role pages it says apply there."""

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="site_notes"
    )
    site = models.ForeignKey("accounts.Site", on_delete=models.CASCADE, related_name="notes")
    # {"en": "...", "es": "..."}: public words, shown on the site's page in its reader's language.
    notes = models.JSONField(default=dict, blank=True)
    # Role page slugs (content.ROLES) that apply at the site; empty: the site kind's.
    roles = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "site"], name="one_note_per_site")
        ]

    def __str__(self) -> str:
        return f"note of {self.organization} for {self.site}"
