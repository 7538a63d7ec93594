"""Server-Sent Events for the live screens (the console, an alert's counts).

`tocsin serve` runs Django under ASGI, where the stream is an asynchronous generator that
holds no thread while it waits. A stream of changes (`topics`, the console's) waits for the
change signal (tocsin.core.changes) instead of polling, and runs its step (which may query
the database) in a thread of the shared pool (`thread_sensitive=False`) only when there
is something to look at. Under WSGI (the test server) Django would serve such a generator
only once it has finished, so there a plain generator polls instead; between two polls it
writes comment lines, so a page closed meanwhile ends the stream before the next query.
"""

import asyncio
import time
from collections.abc import Callable

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.db import close_old_connections, connections
from django.http import HttpRequest, StreamingHttpResponse

from . import changes

STREAM_SECONDS = 600
POLL_SECONDS = 1.0
PROBE_SECONDS = 0.05
# With a live change signal, how often a quiet stream asks `quiet()` what to say.
QUIET_SECONDS = 5.0


def event_stream(
    request: HttpRequest,
    step: Callable[[], tuple[str, bool]],
    seconds: float = STREAM_SECONDS,
    poll: float = POLL_SECONDS,
    topics: set[int] | None = None,
    quiet: Callable[[], str] | None = None,
) -> StreamingHttpResponse:
    """Stream what `step()` says, every `poll` seconds, until it says it is done or `seconds`
    pass.

    `step` runs synchronously (it may query the database) and returns (text to send, or
    "", and whether the stream is over). Given `topics` (and `quiet`), the stream runs
    `step` only when a change of those topics is heard (every `poll` seconds while no
    change signal is live) and otherwise sends what `quiet()` says (a keep-alive, a timed
    refresh), which must not touch the database.
    """

    def look() -> tuple[str, bool]:
        close_old_connections()  # a pool thread's connection, as a request's would be
        try:
            return step()
        finally:
            close_old_connections()

    # A stream of changes looks in a thread of the shared pool, and only when told to; a
    # polled one keeps to its request's own thread.
    look_in_thread = sync_to_async(look, thread_sensitive=False)

    async def polled():
        step_in_thread = sync_to_async(step)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            text, done = await step_in_thread()
            if text:
                yield text
            if done:
                return
            await asyncio.sleep(poll)

    async def heard():
        deadline = time.monotonic() + seconds
        # The view's thread keeps its database connection for the request's life, and a
        # stream's request lasts ten minutes: give it back now (looks use the pool's).
        await sync_to_async(connections.close_all)()
        async with changes.listening(topics or set()) as ear:
            text, done = await look_in_thread()
            looked = time.monotonic()
            while True:
                if text:
                    yield text
                now = time.monotonic()
                if done or now >= deadline:
                    return
                wait = min(QUIET_SECONDS, deadline - now)
                if not ear.live:
                    wait = min(wait, looked + poll - now)
                heard_one = await ear.changed(wait)
                if heard_one or (not ear.live and time.monotonic() >= looked + poll):
                    text, done = await look_in_thread()
                    looked = time.monotonic()
                else:
                    text = quiet() if quiet is not None else ""

    def events_in_thread():
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            text, done = step()
            if text:
                yield text
            if done:
                return
            time.sleep(poll)
            # Two comment lines, a moment apart, before the next query: the first write to a
            # closed page still goes through (the peer's reset comes back), the second fails,
            # and the server ends the stream there.
            yield ":\n\n"
            time.sleep(PROBE_SECONDS)
            yield ":\n\n"

    if not isinstance(request, ASGIRequest):
        stream = events_in_thread()
    else:
        stream = heard() if topics is not None else polled()
    response = StreamingHttpResponse(stream, content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response
