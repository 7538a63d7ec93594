"""Reports that arrive as messages: read from Signal, or posted by an SMS gateway.

Members write to their organization's reporting number (Organization.report_number), on
Signal or by text. Each message becomes one report holding the message as its raw text and
the sender's number as its callback; both are encrypted and erased on schedule (see
services/retention.py). A message read twice (a gateway retrying, two workers reading at
once) is stored once: its `inbound_key` is a keyed hash of the channel, the sender and the
message's own id or timestamp.

poll_signal(organization)  reads GET {TOCSIN_SIGNAL_URL}/v1/receive/{report_number} once
poll_all_signal()          does so for every organization with a reporting number
take_message(…)            files one message as a report (Signal and SMS alike)

signal-cli-rest-api answers that GET in its "normal" and "native" modes only; in
"json-rpc" mode /v1/receive/{number} is a websocket, held by the worker
(signal_listener.py), and polling stands aside: each round first asks GET /v1/about for
the mode. A read that fails is kept as the organization's SignalReceiveFailure, which its
admins see on their console pages until a read works again.

Nothing here logs a phone number or what a message says.
"""

import http.client
import json
import logging
import urllib.parse
from datetime import UTC, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from tocsin.accounts.models import Organization
from tocsin.core.crypto import blind_index
from tocsin.delivery.channels.http import is_e164

from .models import Report, SignalReceiveFailure
from .services.reports import (
    CLOCK_SLACK,
    MAX_TEXT,
    OLDEST_SEEN,
    ReportInput,
    TooManyReports,
    submit_report,
)

log = logging.getLogger(__name__)

SIGNAL, SMS = Report.Source.SIGNAL, Report.Source.SMS
# signal-cli-rest-api answers /v1/receive after waiting this long for new messages; in its
# "normal" mode each call also starts signal-cli, which takes a few seconds more.
RECEIVE_WAIT_SECONDS = 1
RECEIVE_TIMEOUT_SECONDS = 20
MAX_RAW_TEXT = MAX_TEXT * 2
# signal-cli-rest-api's modes (GET /v1/about): where receiving is a websocket.
JSON_RPC = "json-rpc"


class SignalUnavailable(Exception):
    """A number's messages could not be read: the server is unreachable, answers an error
    or no JSON (`server_down`), or refuses this one number (a 4xx: not registered there)."""

    def __init__(self, reason: str, server_down: bool = True):
        super().__init__(reason)
        self.server_down = server_down


def inbound_key(channel: str, sender: str, message_id: str) -> str:
    """Return the keyed hash that makes one message one report, however often it is read."""
    return blind_index(f"{channel}:{sender}:{message_id}", "inbound-report")


def take_message(
    organization: Organization,
    channel: str,
    sender: str,
    message_id: str,
    text: str,
    callback: str = "",
    sent_at: datetime | None = None,
) -> tuple[Report, bool]:
    """File one inbound message as a report of `organization`; return it and whether it is
    new (False for a message already stored).

    `sender` is who the rate limit counts (a phone number, or a Signal account id when the
    sender hides their number); `callback` is where a dispatcher can reach them. Raise
    TooManyReports when the sender has sent too many, ValidationError when the message says
    nothing; nothing is stored then.
    """
    key = inbound_key(channel, sender, message_id)
    data = ReportInput(
        raw_text=text.strip()[:MAX_RAW_TEXT],
        callback=callback,
        seen_at=plausible(sent_at),
        language=organization.default_language,
    )
    started = timezone.now()
    try:
        report = submit_report(organization, data, channel, rate_source=sender, inbound_key=key)
    except IntegrityError:
        # Another worker stored the same message a moment ago.
        known = Report.objects.filter(inbound_key=key).first()
        if known is None:
            raise
        return known, False
    # A message already stored comes back as the report made when it was first read.
    return report, report.received_at >= started


def plausible(sent_at: datetime | None) -> datetime | None:
    """Return when the message was sent, or None when the sender's clock cannot be right.

    A report refuses a time seen in the future or days ago; a phone's clock must not make
    us lose the message, so the time it was received stands in.
    """
    now = timezone.now()
    if sent_at is None or not now - OLDEST_SEEN <= sent_at <= now + CLOCK_SLACK:
        return None
    return sent_at


def from_milliseconds(timestamp: int) -> datetime | None:
    try:
        return datetime.fromtimestamp(timestamp / 1000, tz=UTC)
    except (OverflowError, ValueError, OSError):
        return None


def poll_all_signal() -> int:
    """Read every reporting number's new Signal messages; return how many reports were made.

    A Signal server that is down is logged and left for the next round; the other
    numbers are not tried in this round, since they live on the same server. A number the
    server refuses (not registered on Signal: a number for texts only) is skipped. Either
    failure is kept for the admins of each organization it stops. Nothing is read in
    json-rpc mode, where the worker's listener holds the websockets instead.
    """
    organizations = list(Organization.objects.exclude(report_number="").order_by("pk"))
    if not organizations or not polling_reads(organizations):
        return 0
    made = 0
    for position, organization in enumerate(organizations):
        try:
            made += read_signal(organization)
        except SignalUnavailable as error:
            log.warning("inbound Signal: %s not read: %s", organization.slug, error)
            stopped = organizations[position:] if error.server_down else [organization]
            receive_failed(stopped, error)
            if error.server_down:
                break
        else:
            receive_worked(organization)
    return made


def poll_signal(organization: Organization) -> int:
    """Read the organization's new Signal messages once; return how many reports were made.

    Never raises for a Signal server that is down or answers an error: that is logged and
    kept for the admins, and the messages are read in a later round (the server keeps them
    until they are read).
    """
    if not organization.report_number or not polling_reads([organization]):
        return 0
    try:
        made = read_signal(organization)
    except SignalUnavailable as error:
        log.warning("inbound Signal: %s not read: %s", organization.slug, error)
        receive_failed([organization], error)
        return 0
    receive_worked(organization)
    return made


def polling_reads(organizations: list[Organization]) -> bool:
    """Whether the Signal server is in a mode that polling reads (normal or native).

    False in json-rpc mode, and when the server cannot tell its mode (that failure is
    logged and kept for the admins of `organizations`).
    """
    try:
        return gateway_mode() != JSON_RPC
    except SignalUnavailable as error:
        log.warning("inbound Signal: the server's mode is unknown: %s", error)
        receive_failed(organizations, error)
        return False


def read_signal(organization: Organization) -> int:
    """Receive and file the organization's Signal messages; raise SignalUnavailable."""
    number = organization.report_number
    if not number:
        return 0
    return sum(file_envelope(organization, envelope) for envelope in receive(number))


def file_envelope(organization: Organization, envelope: object) -> int:
    """File one received envelope as a report of the organization; return 1 when that made
    a new report, 0 for a message already stored, held back or not a report at all."""
    message = signal_message(envelope)
    if message is None:
        return 0
    sender, callback, timestamp, text = message
    try:
        _report, new = take_message(
            organization,
            SIGNAL,
            sender,
            str(timestamp),
            text,
            callback=callback,
            sent_at=from_milliseconds(timestamp),
        )
    except TooManyReports:
        log.info("inbound Signal: held back a flood for organization %s", organization.slug)
        return 0
    except ValidationError:
        log.info("inbound Signal: refused a message for organization %s", organization.slug)
        return 0
    return int(new)


def receive_failed(organizations: list[Organization], error: "SignalUnavailable") -> None:
    """Keep, for each organization's admins, that its messages could not be read and why.

    The first failure's time stays while the failures go on; nothing is written when the
    reason is the one already kept.
    """
    reason = (
        SignalReceiveFailure.Reason.UNREACHABLE
        if error.server_down
        else SignalReceiveFailure.Reason.REFUSED
    )
    detail = str(error)[:80]
    for organization in organizations:
        failure, made = SignalReceiveFailure.objects.get_or_create(
            organization=organization, defaults={"reason": reason, "detail": detail}
        )
        if not made and (failure.reason, failure.detail) != (reason, detail):
            SignalReceiveFailure.objects.filter(pk=failure.pk).update(reason=reason, detail=detail)


def receive_worked(organization: Organization) -> None:
    """Forget the organization's receive failure: its messages are read again."""
    failures = SignalReceiveFailure.objects.filter(organization=organization)
    if failures.exists():
        failures.delete()


def signal_message(item: object) -> tuple[str, str, int, str] | None:
    """Return (sender, callback number, timestamp, text) of a received envelope, or None for
    what is not a member writing to us: receipts, typing, reactions without text, group chat.
    """
    envelope = item.get("envelope") if isinstance(item, dict) else None
    if not isinstance(envelope, dict):
        return None
    data = envelope.get("dataMessage")
    if not isinstance(data, dict) or data.get("groupInfo"):
        return None
    text = data.get("message")
    if not isinstance(text, str) or not text.strip():
        return None
    numbers = (envelope.get("sourceNumber"), envelope.get("source"))
    number = next((v for v in numbers if isinstance(v, str) and is_e164(v)), "")
    sender = number or envelope.get("sourceUuid") or envelope.get("source") or ""
    timestamp = data.get("timestamp") or envelope.get("timestamp")
    if not (isinstance(sender, str) and sender and isinstance(timestamp, int)):
        return None
    return sender, number, timestamp, text


def receive(number: str) -> list:
    """GET /v1/receive/{number} from signal-cli-rest-api and return its list of envelopes.

    signal-cli forgets what it has handed over, so a message is in exactly one answer.
    """
    query = urllib.parse.urlencode(
        {"timeout": RECEIVE_WAIT_SECONDS, "ignore_attachments": "true", "ignore_stories": "true"}
    )
    envelopes = get_json(f"/v1/receive/{urllib.parse.quote(number)}?{query}")
    if not isinstance(envelopes, list):
        raise SignalUnavailable("the answer is not a list")
    return envelopes


def gateway_mode() -> str:
    """Return signal-cli-rest-api's mode from GET /v1/about: normal, native or json-rpc."""
    about = get_json("/v1/about")
    mode = about.get("mode") if isinstance(about, dict) else None
    if not isinstance(mode, str):
        raise SignalUnavailable("/v1/about names no mode")
    return mode


def get_json(path: str) -> object:
    """GET `path` from TOCSIN_SIGNAL_URL and return its JSON; raise SignalUnavailable."""
    parts = urllib.parse.urlsplit(settings.TOCSIN_SIGNAL_URL)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SignalUnavailable("TOCSIN_SIGNAL_URL must be http or https")
    kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    connection = kind(parts.hostname, parts.port, timeout=RECEIVE_TIMEOUT_SECONDS)
    try:
        connection.request(
            "GET", f"{parts.path.rstrip('/')}{path}", headers={"Accept": "application/json"}
        )
        response = connection.getresponse()
        body = response.read()
    except (OSError, http.client.HTTPException) as error:
        raise SignalUnavailable(type(error).__name__) from None
    finally:
        connection.close()
    if response.status != 200:
        server_down = not 400 <= response.status < 500 or response.status == 429
        raise SignalUnavailable(f"HTTP {response.status}", server_down=server_down)
    try:
        return json.loads(body or b"[]")
    except ValueError:
        raise SignalUnavailable("the answer is not JSON") from None
