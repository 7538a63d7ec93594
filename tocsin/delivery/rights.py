"""Where an alert's "Know your rights" link leads, in its reader's language.

The pages live in an app above this engine (tocsin.playbooks), which says where they are by
registration in its ready(); the engine names no feature. A kind whose alerts are about a
place (AlertKind.site_rights: a verified alert) links that site's page, any other the
general one (decision 0031).
"""

from collections.abc import Callable
from typing import TYPE_CHECKING

from .kinds import find

if TYPE_CHECKING:
    from tocsin.accounts.models import Organization, Site

    from .models import Alert

# (the alert's organization, its site or None, language) -> the absolute URL of the page
# in that language (the general page may show the organization's numbers).
RightsLink = Callable[["Organization", "Site | None", str], str]

_link: RightsLink | None = None


def register(link: RightsLink) -> None:
    """Make `link` say where alerts' rights links lead (the pages' app calls this)."""
    global _link
    _link = link


def site_of(alert: "Alert") -> "Site | None":
    """Return the site an alert of a site-bound kind is about, or None."""
    kind = find(alert.kind)
    if kind is None or not kind.site_rights or alert.incident is None:
        return None
    return alert.incident.site


def rights_url(alert: "Alert", language: str) -> str:
    """Return the alert's rights link in `language`, or "" when no app hosts the pages."""
    if _link is None:
        return ""
    return _link(alert.organization, site_of(alert), language)
