"""The naive way, timed for comparison: Apprise sending one request per recipient.

A union without Tocsin would put its members in Apprise URLs, one per service, and let
Apprise notify them: one SMTP message per address, one signal-cli-rest-api call per number,
with Apprise's default pacing between two requests to the same service (5.5 s). The
sample is split between email and Signal, the two channels Apprise speaks to Tocsin's local
servers unchanged (its SMS plugins call their providers' own hosts, and it has no Web
Push plugin). Nothing leaves 127.0.0.1.
"""

import logging
import time

import apprise

from tocsin.delivery.local_servers.signal import LocalSignalServer
from tocsin.delivery.local_servers.smtp import CapturingSMTPServer

SENDER_NUMBER = "+15555550100"


def naive_rate(sample: int, engine_per_s: float) -> dict:
    """Send one message to each of `sample` recipients through Apprise; return the rate."""
    logging.getLogger("apprise").setLevel(logging.WARNING)  # it logs every address
    emails = [f"member{4 * n}@example.org" for n in range(sample // 2)]
    numbers = [f"+1612{4 * n + 1:07d}" for n in range(sample - len(emails))]
    smtp = CapturingSMTPServer().start()
    signal = LocalSignalServer().start()
    try:
        notifier = apprise.Apprise()
        if emails:
            notifier.add(
                f"mailto://127.0.0.1:{smtp.port}?smtp=127.0.0.1&mode=insecure"
                f"&from=tocsin@localhost&to={','.join(emails)}"
            )
        if numbers:
            notifier.add(f"signal://127.0.0.1:{signal.port}/{SENDER_NUMBER}/{'/'.join(numbers)}")
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
    per_s = received / elapsed if elapsed else 0.0
    return {
        "naive_sample": sample,
        "naive_received": received,
        "naive_s": round(elapsed, 3),
        "naive_per_s": round(per_s, 3),
        "naive_ratio": round(engine_per_s / per_s, 1) if per_s else None,
    }
