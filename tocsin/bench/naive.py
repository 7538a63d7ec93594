"""The naive way, timed for comparison: Apprise sending one request per recipient.

A union without Tocsin would put its members in Apprise URLs, one per service, and let
Apprise notify them: one SMTP message per address, one signal-cli-rest-api call per number.
The sample is split between email and Signal, the two channels Apprise speaks to Tocsin's
local servers unchanged (its SMS plugins call their providers' own hosts, and it has no Web
Push plugin). Nothing leaves 127.0.0.1.

It is timed twice in the same run. **Paused**: Apprise as configured by default, which
waits `request_rate_per_sec` (5.5 s, NotifyBase's default) between two requests of one
service; with ten recipients that pause is nearly all the time measured. **Unpaused**: the
same URLs with that attribute set to 0 on each plugin instance (Apprise has no URL argument
for it), so that what is left is Apprise's own cost of one request per recipient.
"""

import logging
import time

import apprise

from tocsin.delivery.local_servers.signal import LocalSignalServer
from tocsin.delivery.local_servers.smtp import CapturingSMTPServer

SENDER_NUMBER = "+15555550100"


def timed_notify(sample: int, paused: bool) -> tuple[int, float]:
    """Send one message to each of `sample` recipients through Apprise; return how many
    the local servers received and the seconds it took."""
    emails = [f"member{4 * n}@example.org" for n in range(sample // 2)]
    numbers = [f"+1612{4 * n + 1:07d}" for n in range(sample - len(emails))]
    smtp = CapturingSMTPServer().start()
    signal = LocalSignalServer().start()
    try:
        urls = []
        if emails:
            urls.append(
                f"mailto://127.0.0.1:{smtp.port}?smtp=127.0.0.1&mode=insecure"
                f"&from=tocsin@localhost&to={','.join(emails)}"
            )
        if numbers:
            urls.append(f"signal://127.0.0.1:{signal.port}/{SENDER_NUMBER}/{'/'.join(numbers)}")
        notifier = apprise.Apprise()
        for url in urls:
            plugin = apprise.Apprise.instantiate(url)
            if plugin is None:
                raise RuntimeError("Apprise cannot read the URL of a local channel server")
            if not paused:
                plugin.request_rate_per_sec = 0
            notifier.add(plugin)
        started = time.monotonic()
        notifier.notify(
            title="VERIFIED — Benchmark Nurses Association",
            body="ICE agents at the emergency entrance. Where: Hennepin County Medical Center.",
        )
        elapsed = time.monotonic() - started
        received = len(smtp.messages) + len(signal.messages)
    finally:
        smtp.stop()
        signal.stop()
    return received, elapsed


def naive_rate(sample: int, unpaused_sample: int, engine_per_s: float) -> dict:
    """Time Apprise paused (its default) on `sample` recipients and unpaused on
    `unpaused_sample`; return both rates and the engine's ratio to each."""
    logging.getLogger("apprise").setLevel(logging.WARNING)  # it logs every address
    result: dict = {}
    for prefix, size, paused in (
        ("naive", sample, True),
        ("naive_unpaused", unpaused_sample, False),
    ):
        received, elapsed = timed_notify(size, paused)
        per_s = received / elapsed if elapsed else 0.0
        result |= {
            f"{prefix}_sample": size,
            f"{prefix}_received": received,
            f"{prefix}_s": round(elapsed, 3),
            f"{prefix}_per_s": round(per_s, 3),
            f"{prefix}_ratio": round(engine_per_s / per_s, 1) if per_s else None,
        }
    return result
