"""Server-Sent Events for the live screens (the console, an alert's counts).

`tocsin serve` runs Django under ASGI, where the stream is an asynchronous generator that
holds no thread while it waits. Under WSGI (the test server) Django would serve such a
generator only once it has finished, so there a plain generator streams instead; between
two polls it writes comment lines, so a page closed meanwhile ends the stream before the
next query.
"""

import asyncio
import time
from collections.abc import Callable

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.http import HttpRequest, StreamingHttpResponse

STREAM_SECONDS = 600
POLL_SECONDS = 1.0
PROBE_SECONDS = 0.05


def event_stream(
    request: HttpRequest,
    step: Callable[[], tuple[str, bool]],
    seconds: float = STREAM_SECONDS,
    poll: float = POLL_SECONDS,
) -> StreamingHttpResponse:
    """Stream what `step()` says, once a second, until it says it is done or `seconds` pass.

    `step` runs synchronously (it may query the database) and returns (text to send, or
    "", and whether the stream is over).
    """

    async def events():
        step_in_thread = sync_to_async(step)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            text, done = await step_in_thread()
            if text:
                yield text
            if done:
                return
            await asyncio.sleep(poll)

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

    stream = events() if isinstance(request, ASGIRequest) else events_in_thread()
    response = StreamingHttpResponse(stream, content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response
