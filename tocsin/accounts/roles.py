"""Roles a person holds in an organization, stored as bits so a query can filter on them."""

import enum

from django.db.models import F
from django.db.models.lookups import GreaterThan
from django.utils.translation import gettext_lazy as _


class Role(enum.IntFlag):
    MEMBER = 1
    RESPONDER = 2
    VERIFIER = 4
    LEGAL_OBSERVER = 8
    LEGAL_VAN = 16
    DISPATCHER = 32
    HOTLINE = 64
    ORGANIZER = 128
    ADMIN = 256

    @property
    def slug(self) -> str:
        return (self.name or "").lower()

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self])

    @classmethod
    def from_slug(cls, slug: str) -> "Role":
        try:
            return cls[slug.strip().upper().replace(" ", "_").replace("-", "_")]
        except KeyError:
            raise ValueError(slug) from None


ROLE_LABELS = {
    Role.MEMBER: _("member"),
    Role.RESPONDER: _("responder"),
    Role.VERIFIER: _("verifier"),
    Role.LEGAL_OBSERVER: _("legal observer"),
    Role.LEGAL_VAN: _("legal van"),
    Role.DISPATCHER: _("dispatcher"),
    Role.HOTLINE: _("hotline"),
    Role.ORGANIZER: _("organizer"),
    Role.ADMIN: _("admin"),
}
ALL_ROLES = list(Role)
# Roles that sign in with email and password.
PRIVILEGED = ~Role.MEMBER & Role(sum(ALL_ROLES))
# Roles that must also enrol a second factor (TOTP) before reaching their screens.
NEEDS_SECOND_FACTOR = Role.DISPATCHER | Role.HOTLINE | Role.ADMIN


def roles_from_slugs(slugs) -> Role:
    value = Role.MEMBER
    for slug in slugs:
        value |= Role.from_slug(slug)
    return value


def has_role(role: Role, field: str = "roles") -> GreaterThan:
    """Return a filter expression: the row's role bits include any bit of `role`.

    Use as `Membership.objects.filter(has_role(Role.DISPATCHER))`.
    """
    return GreaterThan(F(field).bitand(int(role)), 0)
