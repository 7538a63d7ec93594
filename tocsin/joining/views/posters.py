"""Printable QR posters (A4 or Letter, two languages side by side) and raw QR codes."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from tocsin.accounts.models import Organization, Site
from tocsin.core import languages
from tocsin.core import qr as codes
from tocsin.core.access import public

from .. import qr

PAPERS = {"a4", "letter"}


def site_or_org(site: str | None = None, org: str | None = None) -> Site | Organization:
    if site is not None:
        return get_object_or_404(Site, code=site)
    return get_object_or_404(Organization, slug=org)


def poster(request: HttpRequest, place: Site | Organization) -> HttpResponse:
    paper = request.GET.get("paper", "letter")
    if paper not in PAPERS:
        paper = "letter"
    # The site's default language, and a second one (Spanish unless the local picks another,
    # Somali for a Minneapolis garage): `?second=so`.
    first, *others = languages.codes()
    second = request.GET.get("second", "")
    if second not in others:
        second = others[0] if others else first
    url = qr.join_url(place)
    context = {
        "place": place,
        "is_site": isinstance(place, Site),
        "paper": paper,
        "poster_languages": [first, second] if second != first else [first],
        "second": second,
        "seconds": [(code, name) for code, name in languages.choices() if code != first],
        "join_url": url,
        "qr_svg": codes.svg_inline(url, title=place.name),
        "kwargs": {"site": place.code} if isinstance(place, Site) else {"org": place.slug},
    }
    return render(request, "joining/poster.html", context)


def download(place: Site | Organization, kind: str) -> HttpResponse:
    url = qr.join_url(place)
    name = place.code if isinstance(place, Site) else place.slug
    if kind == "svg":
        response = HttpResponse(codes.svg_file(url), content_type="image/svg+xml")
    else:
        response = HttpResponse(codes.png_file(url), content_type="image/png")
    response["Content-Disposition"] = f'attachment; filename="tocsin-join-{name}.{kind}"'
    return response


@public
def site_poster(request: HttpRequest, site: str) -> HttpResponse:
    return poster(request, site_or_org(site=site))


@public
def org_poster(request: HttpRequest, org: str) -> HttpResponse:
    return poster(request, site_or_org(org=org))


@public
def site_qr_svg(request: HttpRequest, site: str) -> HttpResponse:
    return download(site_or_org(site=site), "svg")


@public
def site_qr_png(request: HttpRequest, site: str) -> HttpResponse:
    return download(site_or_org(site=site), "png")


@public
def org_qr_svg(request: HttpRequest, org: str) -> HttpResponse:
    return download(site_or_org(org=org), "svg")


@public
def org_qr_png(request: HttpRequest, org: str) -> HttpResponse:
    return download(site_or_org(org=org), "png")
