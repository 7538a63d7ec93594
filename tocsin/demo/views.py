"""The demo's own page: what its local channel servers received, newest first."""

from datetime import datetime
from functools import wraps

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from tocsin.core.access import staff_required

from .channel_servers import CHANNELS, latest

CHANNEL_NAMES = {
    "email": _("Email"),
    "signal": _("Signal"),
    "sms": _("SMS"),
    "push": _("Web push"),
}
MESSAGES_PER_CHANNEL = 20


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


def received(channel: str) -> list[dict]:
    messages = latest(channel, MESSAGES_PER_CHANNEL)
    for message in messages:
        try:
            message["at"] = datetime.fromisoformat(message["at"])
        except ValueError:
            message["at"] = None
    return messages


# Staff only, not public, even in the demo: the page shows the phone numbers and addresses
# of everyone an alert went to. They are fictional, but the demo is where people learn who
# may see what in Tocsin, so it keeps the rule a real server would: privileged people only.
@demo_only
@staff_required
def outbox(request: HttpRequest) -> HttpResponse:
    """What each local channel server received; htmx asks again for the list every 3 s."""
    if not request.user.is_privileged:
        raise Http404
    boxes = [
        {"channel": channel, "name": CHANNEL_NAMES[channel], "messages": received(channel)}
        for channel in CHANNELS
    ]
    template = "demo/_outbox_boxes.html" if request.htmx else "demo/outbox.html"
    return render(request, template, {"boxes": boxes})
