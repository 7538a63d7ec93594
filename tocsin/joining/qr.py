"""Join links, for posters and downloads (their QR codes: tocsin/core/qr.py)."""

from django.conf import settings
from django.urls import reverse

from tocsin.accounts.models import Organization, Site


def join_url(place: Site | Organization) -> str:
    """Return the absolute join URL of a site or an organization."""
    if isinstance(place, Site):
        path = reverse("joining:join_site", kwargs={"site": place.code})
    else:
        path = reverse("joining:join_org", kwargs={"org": place.slug})
    return settings.TOCSIN_BASE_URL + path
