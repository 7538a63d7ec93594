"""The demo's local channel servers: where each listens, where it writes, how to start it.

`tocsin demo` runs one `tocsin channel-server <channel>` per channel whose configured address
is on this machine, so that the demo's alerts are really delivered, over the real protocols,
to servers that keep what they receive in VAR_DIR/outbox/<channel>.jsonl:

channel  setting                default                  server
email    TOCSIN_SMTP_URL        smtp://127.0.0.1:8025    CapturingSMTPServer (aiosmtpd)
signal   TOCSIN_SIGNAL_URL      http://127.0.0.1:8081    LocalSignalServer (signal-cli-rest-api)
sms      TOCSIN_SMS_URL         http://127.0.0.1:8082    LocalSmsGateway (Twilio Messages)
push     TOCSIN_DEMO_PUSH_URL   http://127.0.0.1:8083    LocalPushService (Web Push, VAPID)

A Web Push subscription is made by a browser, which keeps its private key; the local push
service plays that browser too. `tocsin load-demo` asks it for subscriptions
(`new_push_subscriptions`), and it keeps their keys in VAR_DIR/demo-push.json, which the
running push service reads, so that it can check and decrypt what it is sent.
"""

import json
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings

from tocsin.delivery.local_servers.push import LocalPushService
from tocsin.delivery.local_servers.signal import LocalSignalServer
from tocsin.delivery.local_servers.sms import LocalSmsGateway
from tocsin.delivery.local_servers.smtp import CapturingSMTPServer

from .accounts import is_loopback

CHANNELS = ("email", "signal", "sms", "push")

SETTING = {
    "email": "TOCSIN_SMTP_URL",
    "signal": "TOCSIN_SIGNAL_URL",
    "sms": "TOCSIN_SMS_URL",
    "push": "TOCSIN_DEMO_PUSH_URL",
}
DEFAULT_PORT = {"smtp": 25, "smtps": 465, "smtp+starttls": 587, "http": 80, "https": 443}


def outbox_path(channel: str) -> Path:
    return Path(settings.VAR_DIR) / "outbox" / f"{channel}.jsonl"


def push_state_path() -> Path:
    return Path(settings.VAR_DIR) / "demo-push.json"


def local_address(channel: str) -> tuple[str, int] | None:
    """Return (host, port) where the channel's server is configured, if on this machine."""
    url = urlsplit(getattr(settings, SETTING[channel]))
    host = url.hostname or ""
    if not is_loopback(host):
        return None
    return host, url.port or DEFAULT_PORT.get(url.scheme, 80)


class DemoPushService(LocalPushService):
    """The local push service, which also learns subscriptions added while it runs."""

    def receive(self, path: str, headers: dict[str, str], body: bytes) -> str:
        if path.rpartition("/push/")[2] not in self.subscriptions:
            # `tocsin load-demo` may have added subscriptions to the state file since we started.
            self.subscriptions.update(self.load_state())
        return super().receive(path, headers, body)


def push_service() -> DemoPushService | None:
    """Return the demo's push service (not started), or None when it is not on this machine."""
    address = local_address("push")
    if address is None:
        return None
    host, port = address
    return DemoPushService(
        host=host, port=port, jsonl_path=outbox_path("push"), state_path=push_state_path()
    )


def new_push_subscriptions(count: int, application_server_key: str) -> list[str]:
    """Return `count` new subscriptions (as browsers give them) on the demo's push service.

    Their private keys go to the service's state file, read by the running service, which
    accepts pushes signed with `application_server_key` (this server's VAPID key) only.
    """
    service = push_service()
    if service is None or count <= 0:
        return []
    state_path, service.state_path = service.state_path, None  # write the file once, below
    subscriptions = [
        service.subscribe(application_server_key=application_server_key) for _ in range(count)
    ]
    service.state_path = state_path
    service.save_state()
    return subscriptions


def start(channel: str):
    """Start the channel's local server where its setting points; return it (it has stop())."""

    address = local_address(channel)
    if address is None:
        raise ValueError(f"{SETTING[channel]} does not point at this machine")
    host, port = address
    outbox = outbox_path(channel)
    if channel == "email":
        return CapturingSMTPServer(host=host, port=port, jsonl_path=outbox).start()
    if channel == "signal":
        return LocalSignalServer(host=host, port=port, jsonl_path=outbox).start()
    if channel == "sms":
        return LocalSmsGateway(host=host, port=port, jsonl_path=outbox).start()
    return DemoPushService(
        host=host, port=port, jsonl_path=outbox, state_path=push_state_path()
    ).start()


def everything(channel: str) -> list[dict]:
    """Return every message the channel's server received, newest first."""
    path = outbox_path(channel)
    if not path.exists():
        return []
    messages = []
    with path.open("rb") as file:
        for raw in file:
            try:
                line = json.loads(raw)
            except ValueError:
                continue  # a line still being written
            messages.append(describe(channel, line))
    messages.reverse()
    return messages


def outbox_version() -> str:
    """Return a mark that changes whenever any channel's server receives a message."""
    sizes = []
    for channel in CHANNELS:
        path = outbox_path(channel)
        sizes.append(str(path.stat().st_size) if path.exists() else "0")
    return "-".join(sizes)


def describe(channel: str, line: dict) -> dict:
    """Return one received message as the outbox page shows it: to, text and at (ISO)."""
    if channel == "email":
        to = ", ".join(line.get("to") or [])
        text = "\n".join(part for part in (line.get("subject"), line.get("body")) if part)
    elif channel == "push":
        endpoint = str(line.get("endpoint_id", ""))
        to = f"…{endpoint[-8:]}" if endpoint else ""
        payload = line.get("payload")
        if isinstance(payload, dict):
            text = "\n".join(str(payload[k]) for k in ("title", "body", "url") if payload.get(k))
        else:
            text = str(payload or "")
    else:
        to, text = str(line.get("to", "")), str(line.get("text", ""))
    return {"to": to, "text": text, "at": str(line.get("at", ""))}
