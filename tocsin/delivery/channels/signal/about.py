"""What the Signal gateway is: signal-cli-rest-api's mode and version, read from GET /v1/about.

The same request answers differently by mode and version (bbernhard/signal-cli-rest-api,
src/client/client.go, send): in json-rpc mode up to release 0.100 a 201 carries a timestamp
and nothing else, although signal-cli reported which recipients failed; later versions list
them. Through such a gateway the transport sends one recipient per request, so that a
failure is the request's own answer (an error) instead of hiding in a 201.

about = gateway_about()   # read once, then again after ABOUT_MAX_AGE seconds; None if unread
about.hides_failures()    # json-rpc up to 0.100, or json-rpc of a version it cannot tell
problems(about)           # what the worker logs at start-up and `check --deploy` warns of
"""

import json
import re
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.conf import settings

# The last release that drops the per-recipient results in json-rpc mode.
LAST_HIDING_RELEASE = (0, 100)
# signal-cli-rest-api gives signal-cli this long per request in normal and native modes
# (src/client/cli.go, SIGNAL_CLI_CMD_TIMEOUT); a client that waits less resends live sends.
GATEWAY_COMMAND_SECONDS = 120
ABOUT_MAX_AGE = 300.0
ABOUT_TIMEOUT = 10.0

_cache: dict[str, tuple[float, "About"]] = {}
_cache_lock = threading.Lock()


@dataclass(frozen=True)
class About:
    mode: str  # normal, native or json-rpc
    version: str  # BUILD_VERSION: "0.100", or "unset" for an image built without one

    def release(self) -> tuple[int, int] | None:
        """Return the version as (major, minor), or None when it is not a release number."""
        found = re.match(r"(\d+)\.(\d+)", self.version)
        return (int(found[1]), int(found[2])) if found else None

    def hides_failures(self) -> bool:
        """Whether a 201 may hide recipients who got nothing: json-rpc up to 0.100, or
        json-rpc of a version that cannot be told (an image built without BUILD_VERSION)."""
        if self.mode != "json-rpc":
            return False
        release = self.release()
        return release is None or release <= LAST_HIDING_RELEASE


def read_about(base_url: str, timeout: float = ABOUT_TIMEOUT) -> About:
    """Return the gateway's mode and version; raise OSError or ValueError when it cannot
    be read (down, not signal-cli-rest-api)."""
    if not base_url.startswith(("http://", "https://")):
        raise ValueError("TOCSIN_SIGNAL_URL must be http or https")
    url = base_url.rstrip("/") + "/v1/about"
    with urllib.request.urlopen(url, timeout=timeout) as answer:  # noqa: S310 (http(s) only)
        body = json.loads(answer.read())
    if not isinstance(body, dict) or not isinstance(body.get("mode"), str):
        raise ValueError("not an answer of signal-cli-rest-api")
    return About(mode=body["mode"], version=str(body.get("version", "")))


def gateway_about(max_age: float = ABOUT_MAX_AGE) -> About | None:
    """Return TOCSIN_SIGNAL_URL's mode and version, read at most every `max_age` seconds;
    what was read last when it cannot be read now, or None when it never could be (the
    send then finds out what is wrong for itself)."""
    url = settings.TOCSIN_SIGNAL_URL
    now = time.monotonic()
    with _cache_lock:
        cached = _cache.get(url)
    if cached is not None and now - cached[0] < max_age:
        return cached[1]
    try:
        about = read_about(url)
    except (OSError, ValueError, urllib.error.URLError):
        return cached[1] if cached is not None and max_age > 0 else None
    with _cache_lock:
        _cache[url] = (now, about)
    return about


def forget() -> None:
    """Read the gateway's mode and version again at the next send (tests; a new gateway)."""
    with _cache_lock:
        _cache.clear()


def problems(about: About | None) -> list[str]:
    """Return what an operator must know of this gateway, in English, naming no secret."""
    if about is None:
        return [
            "Tocsin cannot read the Signal gateway's mode and version (GET /v1/about on "
            "TOCSIN_SIGNAL_URL)."
        ]
    found = []
    if about.hides_failures():
        found.append(
            f"The Signal gateway runs in json-rpc mode at version {about.version!r}, which "
            "answers a send to many recipients with success even when some got nothing. "
            "Tocsin sends it one recipient per request, so that no failure is hidden, at "
            "the cost of many more requests. Upgrade signal-cli-rest-api past 0.100, or "
            "run it in normal or native mode."
        )
    timeout = settings.TOCSIN_SIGNAL_TIMEOUT_SECONDS
    if about.mode in ("normal", "native") and timeout <= GATEWAY_COMMAND_SECONDS:
        found.append(
            f"TOCSIN_SIGNAL_TIMEOUT_SECONDS ({timeout}) is not above the {GATEWAY_COMMAND_SECONDS} s "
            f"the gateway gives signal-cli in {about.mode} mode: a slow send would count as "
            "unknown while it may still go out."
        )
    return found
