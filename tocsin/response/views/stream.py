"""The change streams the console and an incident's page listen to (Server-Sent Events):
a `changed` event when a timeline line is written, a refresh each minute, a keep-alive
between them.
"""

import json
import time

from django.conf import settings
from django.http import HttpRequest, StreamingHttpResponse

from tocsin.accounts.access import org_view
from tocsin.accounts.models import Membership
from tocsin.core.sse import event_stream

from ..access import dispatch_organization_ids, get_incident_for
from ..services.queue import (
    change_mark,
)
from .console import DISPATCHER

# Even with no change, refresh each minute (check-in alarms come from the clock) and say
# something every 15 seconds.
REFRESH_SECONDS = 60
KEEP_ALIVE_SECONDS = 15


class ChangeFeed:
    """What a change stream says next, given the newest mark and the clock."""

    def __init__(self) -> None:
        self.last: int | None = None
        self.last_changed = self.last_sent = 0.0

    def next(self, mark: int, now: float) -> str:
        if mark != self.last:
            return self.changed(mark, now)
        return self.quiet(now)

    def quiet(self, now: float) -> str:
        """What to say when nothing was looked at: the minute's refresh, else a keep-alive."""
        if self.last is not None and now - self.last_changed > REFRESH_SECONDS:
            return self.changed(self.last, now)
        if now - self.last_sent > KEEP_ALIVE_SECONDS:
            # A comment line: proxies keep the stream open, and a closed tab is noticed.
            self.last_sent = now
            return ": keep-alive\n\n"
        return ""

    def changed(self, mark: int, now: float) -> str:
        self.last, self.last_changed, self.last_sent = mark, now, now
        return f"event: changed\ndata: {json.dumps({'mark': mark})}\n\n"


def change_stream(
    request: HttpRequest, organization_ids: list[int], incident_id: int | None = None
) -> StreamingHttpResponse:
    """Server-Sent Events: a `changed` event whenever a timeline line is written, and each
    minute regardless (check-in alarms come from the clock), for ten minutes; the browser's
    EventSource then reconnects by itself. The stream looks for the newest line only when
    the change signal says one of its organizations changed (tocsin.core.changes), or each
    TOCSIN_CONSOLE_POLL_SECONDS while no signal is live."""
    feed = ChangeFeed()

    def step() -> tuple[str, bool]:
        return feed.next(change_mark(organization_ids, incident_id), time.monotonic()), False

    return event_stream(
        request,
        step,
        poll=settings.TOCSIN_CONSOLE_POLL_SECONDS,
        topics=set(organization_ids),
        quiet=lambda: feed.quiet(time.monotonic()),
    )


@org_view(DISPATCHER)
def console_events(request: HttpRequest, membership: Membership, org: str) -> StreamingHttpResponse:
    return change_stream(request, dispatch_organization_ids(membership.organization))


@org_view(DISPATCHER)
def incident_events(
    request: HttpRequest, membership: Membership, org: str, incident: str
) -> StreamingHttpResponse:
    found = get_incident_for(membership, incident)
    return change_stream(request, [found.organization_id], found.pk)
