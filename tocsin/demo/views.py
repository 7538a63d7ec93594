"""The demo's own page: what its local channel servers received, newest first."""

from datetime import datetime
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from tocsin.accounts.access import staff_view
from tocsin.accounts.models import Person

from .channel_servers import CHANNELS, everything, outbox_version

CHANNEL_NAMES = {
    "email": _("Email"),
    "signal": _("Signal"),
    "sms": _("SMS"),
    "push": _("Web push"),
}
# Messages a channel shows on one page; the older ones are a page further on, never cut.
PAGE_SIZE = 50
MAX_QUERY = 200


def demo_only(view):
    """Answer 404 unless this server runs the demo (TOCSIN_DEMO, which `tocsin demo` sets).

    Outside the demo the page does not exist at all: a production server says nothing about
    it, not even to its admins.
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not settings.TOCSIN_DEMO:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def matching(channel: str, query: str) -> list[dict]:
    """Return the channel's messages whose recipient or text holds `query`, newest first."""
    messages = everything(channel)
    if query:
        wanted = query.casefold()
        messages = [
            m for m in messages if wanted in m["to"].casefold() or wanted in m["text"].casefold()
        ]
    for message in messages:
        try:
            message["at"] = datetime.fromisoformat(message["at"])
        except ValueError:
            message["at"] = None
    return messages


def from_htmx(request: HttpRequest) -> bool:
    """Whether htmx asked (what django-htmx's `request.htmx` says, read typed)."""
    return request.headers.get("HX-Request") == "true"


def page_number(raw: str) -> int:
    """Return the page asked for: 1 for anything but a positive whole number."""
    return int(raw) if raw.isdigit() and 0 < int(raw) < 10**6 else 1


# Staff only, not public, even in the demo: the page shows the phone numbers and addresses
# of everyone an alert went to. They are fictional, but the demo is where people learn who
# may see what in Tocsin, so it keeps the rule a real server would: privileged people only.
@demo_only
@staff_view
def outbox(request: HttpRequest, person: Person) -> HttpResponse:
    """What each local channel server received, whole, searchable and a page at a time.

    outbox.js asks again every 3 s with `since` (the version it shows): nothing new is 204,
    and it never replaces the lists while someone is selecting text in them.
    """
    if not person.is_privileged:
        raise Http404
    query = request.GET.get("q", "").strip()[:MAX_QUERY]
    page = page_number(request.GET.get("page", ""))
    version = outbox_version()
    if from_htmx(request) and request.GET.get("since") == version:
        return HttpResponse(status=204)
    start = (page - 1) * PAGE_SIZE
    boxes: list[dict[str, Any]] = []
    for channel in CHANNELS:
        found = matching(channel, query)
        shown = found[start : start + PAGE_SIZE]
        boxes.append(
            {
                "channel": channel,
                "name": CHANNEL_NAMES[channel],
                "messages": shown,
                "total": len(found),
                "first": start + 1,
                "last": start + len(shown),
            }
        )

    def page_url(number: int) -> str:
        return "?" + urlencode({k: v for k, v in (("q", query), ("page", number)) if v})

    more = any(box["total"] > start + PAGE_SIZE for box in boxes)
    context = {
        "boxes": boxes,
        "query": query,
        "page": page,
        "version": version,
        "older_url": page_url(page + 1) if more else "",
        "newer_url": page_url(page - 1) if page > 1 else "",
    }
    template = "demo/_outbox_boxes.html" if from_htmx(request) else "demo/outbox.html"
    return render(request, template, context)
