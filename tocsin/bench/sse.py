"""The dispatcher console's event stream (Server-Sent Events), read as a browser's
EventSource reads it: the benchmarks' consoles (console_run.py, reports_run.py) open it and
take its events one at a time."""

import http.client
from collections.abc import Iterator


def open_stream(
    connection: http.client.HTTPConnection, path: str, cookie: str
) -> http.client.HTTPResponse:
    """GET the stream at `path` on `connection` with the session `cookie`; return the open
    response, or raise ValueError when the server answers anything but 200."""
    connection.request("GET", path, headers={"Cookie": cookie, "Accept": "text/event-stream"})
    response = connection.getresponse()
    if response.status != 200:
        raise ValueError(f"the console's stream answered {response.status}")
    return response


def events(response: http.client.HTTPResponse) -> Iterator[tuple[str, str]]:
    """Yield each event of the stream as (its name, its data) when the blank line that ends
    it arrives. Stop when the server ends the stream: the caller reconnects, as EventSource
    does."""
    event = data = ""
    while True:
        raw = response.readline()
        if not raw:
            return
        line = raw.decode().rstrip("\r\n")
        if line.startswith("event:"):
            event = line.partition(":")[2].strip()
        elif line.startswith("data:"):
            data = line.partition(":")[2].strip()
        elif not line:
            if event or data:  # a block of comments only (a keep-alive) is no event
                yield event, data
            event = data = ""
