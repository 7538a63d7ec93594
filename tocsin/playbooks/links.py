"""The playbooks' addresses, absolute and in a given language: what messages, posters and
other apps' pages link to.

The language rides in `?lang=`, so one page has one path whatever its language, and a
message's link stays short: BASE/rights/s/<site code>/?lang=es (decision 0031).
"""

from django.conf import settings
from django.urls import reverse

from tocsin.accounts.models import Organization, Site
from tocsin.core import languages

from .models import LocalPlaybook

LANGUAGE_PARAMETER = "lang"
# The organization whose numbers a general page shows: the one whose alert linked it.
ORGANIZATION_PARAMETER = "o"


def in_language(path: str, language: str) -> str:
    return f"{settings.TOCSIN_BASE_URL}{path}?{LANGUAGE_PARAMETER}={languages.supported(language)}"


def rights_url(language: str, organization: Organization | None = None) -> str:
    """Return the general know-your-rights page in `language`, with the numbers of
    `organization` if it has any to show."""
    url = in_language(reverse("playbooks:rights"), language)
    if organization is not None and has_numbers(organization):
        url += f"&{ORGANIZATION_PARAMETER}={organization.slug}"
    return url


def has_numbers(organization: Organization) -> bool:
    """Whether an organization has a number or a page of its own to show on the pages."""
    if organization.report_number:
        return True
    if organization.pk is None:
        return False
    return (
        LocalPlaybook.objects.filter(organization=organization)
        .exclude(hotline_number="", more_url="")
        .exists()
    )


def role_url(slug: str, language: str) -> str:
    """Return the page of one role (content.ROLES) in `language`."""
    return in_language(reverse(f"playbooks:role_{slug}"), language)


def site_url(site: Site, language: str) -> str:
    """Return a site's playbook page in `language`."""
    return in_language(reverse("playbooks:site", kwargs={"site": site.code}), language)


def rights_link(organization: Organization, site: Site | None, language: str) -> str:
    """Return where an alert's rights link leads: its site's playbook, or the general page
    with its organization's numbers (registered with the delivery engine,
    tocsin.delivery.rights)."""
    return site_url(site, language) if site is not None else rights_url(language, organization)


def default_language(site: Site) -> str:
    """Return a site's default language: that of the first organization present there (the
    one that added it), or Tocsin's own default."""
    first = Organization.objects.filter(sites=site).order_by("created_at", "pk").first()
    return languages.supported(first.default_language if first is not None else None)
