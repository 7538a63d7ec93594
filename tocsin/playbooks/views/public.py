"""The public playbook pages: no sign-in, because a frightened member opens them from a
message or a poster; each follows its reader's language (decision 0031)."""

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import translation
from django.views.decorators.http import require_GET

from tocsin.accounts.models import Organization, Site
from tocsin.core import languages
from tocsin.core import qr as codes
from tocsin.core.access import public

from ..content import (
    BY_SLUG,
    NOT_LEGAL_ADVICE,
    RIGHTS,
    RIGHTS_LEDE,
    RIGHTS_TITLE,
    ROLES,
    WARRANTS,
    WARRANTS_TITLE,
)
from ..links import LANGUAGE_PARAMETER, ORGANIZATION_PARAMETER, default_language, site_url
from ..pages import local_words, site_page

PAPERS = {"a4", "letter"}


def asked_language(request: HttpRequest) -> str | None:
    """Return the language the link names (`?lang=`) if Tocsin speaks it."""
    asked = request.GET.get(LANGUAGE_PARAMETER, "")
    return asked if asked in languages.codes() else None


def language_of(request: HttpRequest) -> str:
    """Return the page's language: the switcher's choice in this browser (it sends the
    reader back to the same link), else the link's, else the person's or their browser's,
    as on an alert's page."""
    if settings.LANGUAGE_COOKIE_NAME in request.COOKIES:
        return request.LANGUAGE_CODE
    return asked_language(request) or request.LANGUAGE_CODE


def numbers_of(request: HttpRequest) -> dict:
    """Return the numbers of the organization the link names (`?o=`: the one whose alert
    linked a general page), and the query that keeps it on the pages' links; nothing for
    an organization that does not exist."""
    slug = request.GET.get(ORGANIZATION_PARAMETER, "")
    organization = Organization.objects.filter(slug=slug).first() if slug else None
    if organization is None:
        return {}
    return {
        "locals": local_words([organization], []),
        "org_query": f"&{ORGANIZATION_PARAMETER}={organization.slug}",
    }


def page(request: HttpRequest, template: str, context: dict, language: str) -> HttpResponse:
    with translation.override(language):
        response = render(request, template, {**context, "page_language": language})
    response["Content-Language"] = language
    return response


def rights_context() -> dict:
    return {
        "title": RIGHTS_TITLE,
        "lede": RIGHTS_LEDE,
        "rights": RIGHTS,
        "warrants_title": WARRANTS_TITLE,
        "warrants": WARRANTS,
        "not_legal_advice": NOT_LEGAL_ADVICE,
    }


@public
@require_GET
def rights(request: HttpRequest) -> HttpResponse:
    """Know your rights: what anyone can do, whoever they are and wherever they work."""
    context = {**rights_context(), **numbers_of(request), "role_pages": ROLES}
    return page(request, "playbooks/rights.html", context, language_of(request))


@public
@require_GET
def role(request: HttpRequest, slug: str) -> HttpResponse:
    """What to do in one role (at the front desk, at school, on the bus...)."""
    found = BY_SLUG.get(slug)
    if found is None:
        raise Http404
    context = {
        "role_page": found,
        "not_legal_advice": NOT_LEGAL_ADVICE,
        "role_pages": ROLES,
        **numbers_of(request),
    }
    return page(request, "playbooks/role.html", context, language_of(request))


@public
@require_GET
def site(request: HttpRequest, site: str) -> HttpResponse:
    """A site's playbook: its role pages, its locals' notes and numbers, its clauses."""
    place = get_object_or_404(Site, code=site)
    language = language_of(request)
    with translation.override(language):
        context = site_page(place)
    context.update(rights_context())
    return page(request, "playbooks/site.html", context, language)


@public
@require_GET
def site_print(request: HttpRequest, site: str) -> HttpResponse:
    """A site's playbook on one printed page of A4 or Letter, with the QR code of its page:
    in the site's default language unless the printer chose another."""
    place = get_object_or_404(Site, code=site)
    # The sheet's own language links name one; else the language chosen in this browser;
    # else the site's. Its code opens the page in the language it is printed in.
    language = asked_language(request) or (
        request.LANGUAGE_CODE
        if settings.LANGUAGE_COOKIE_NAME in request.COOKIES
        else default_language(place)
    )
    paper = request.GET.get("paper", "letter")
    if paper not in PAPERS:
        paper = "letter"
    url = site_url(place, language)
    with translation.override(language):
        context = site_page(place)
    context.update(rights_context())
    context.update(
        {
            "paper": paper,
            "site_url": url,
            "qr_svg": codes.svg_inline(url, title=place.name),
            "print_languages": languages.choices(),
        }
    )
    return page(request, "playbooks/site_print.html", context, language)
