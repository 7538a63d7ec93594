"""The one small interface every channel implements: a batch of alert deliveries
(`send`) and one message sent at once to one address (`send_direct`)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """What a channel can take: recipients per request, requests per second, message length."""

    recipients_per_request: int
    per_second: float
    max_length: int | None  # characters of text; None for no practical limit


@dataclass
class Outgoing:
    """One message to one person on this channel, already rendered in their language."""

    delivery_id: int
    address: str  # the decrypted contact address (a push subscription's JSON for push)
    language: str
    subject: str
    text: str  # fitted to the channel's max_length, with the per-recipient link when it has one
    html: str = ""
    link: str = ""
    unsubscribe_url: str = ""  # RFC 8058's one-click URL (rendering.unsubscribe_links)
    # A direct Message (delivery_id 0): no delivery row waits for a status callback or names
    # its email's Message-ID, and its text goes whole, as its sender wrote it.
    direct: bool = False


@dataclass(frozen=True)
class Message:
    """One message to one address, sent at once: a confirmation code, a member link, a
    case message to a family. Its sender renders it in the recipient's language."""

    address: str  # as stored: normalized (an E.164 number, an email address)
    subject: str  # email's Subject; the other channels send the text alone
    text: str
    language: str = "en"

    def outgoing(self) -> Outgoing:
        return Outgoing(
            delivery_id=0,
            address=self.address,
            language=self.language,
            subject=self.subject,
            text=self.text,
            direct=True,
        )


@dataclass
class Result:
    """What happened to one Outgoing: sent, or failed with a reason (permanent or not)."""

    delivery_id: int
    sent: bool
    reason: str = ""
    permanent: bool = False
    # The address is gone for good (a push subscription answering 404/410): forget it.
    remove_contact: bool = False
    # The recipient asked for no more messages (an SMS gateway's 21610 after STOP): the
    # contact is marked opted out, and nothing more goes to it.
    opted_out: bool = False
    # The gateway's id for a sent message (Twilio's MessageSid), named by its status callbacks.
    provider_id: str = ""


class TransportError(Exception):
    """A whole request failed. `permanent` says whether retrying can ever help;
    `retry_after` (seconds) is the server's own word on when to try again."""

    def __init__(self, reason: str, permanent: bool = False, retry_after: float | None = None):
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.retry_after = retry_after


class Transport:
    """Send batches of alert deliveries, and single direct messages, on one channel.

    `send` takes at most `limits.recipients_per_request` messages that share a language and
    returns one Result per message; it raises TransportError when the request as a whole
    failed (server down, 429, 5xx), so that the caller can back off and retry the batch.
    Messages that are identical apart from their address may go in one request.
    `send_direct` sends one Message through the same code, as a batch of one.
    """

    kind: str = ""
    # Set per instance from settings (TOCSIN_<KIND>_BATCH, _RATE, …), so operators tune them.
    limits: Limits
    # Seconds one request may take before its answer counts as lost; a send job's lease
    # outlasts it (fanout.lease_seconds), so that no second job takes rows still in flight.
    request_timeout: float = 10.0
    # Whether every message on this channel carries the per-recipient link. Signal batches
    # many recipients into one request, so its messages carry the alert in full and no
    # link, except for the people who act from the link (fanout.people_who_answer: every
    # recipient of a kind registered with a link page, and whoever its answer rule names),
    # who get theirs in a request of their own (decisions 0004, 0021 and 0026).
    personal_links: bool = True
    # Whether its messages carry an unsubscribe link in a header (email's List-Unsubscribe).
    list_unsubscribe: bool = False
    # Whether it carries direct messages (a confirmation code, a member link, a case message
    # to a family) to an address someone types. Web push does not: its address is a
    # browser's subscription, made on the member's own pages, which nobody can type.
    direct: bool = True

    def send(self, messages: list["Outgoing"]) -> list[Result]:
        raise NotImplementedError

    def send_direct(self, message: Message) -> None:
        """Send one message now, as a batch of one; raise TransportError when it did not go,
        `permanent` when no retry can help (a refused address, a channel without direct
        messages)."""
        if not self.direct:
            raise TransportError(f"no direct messages on channel {self.kind}", permanent=True)
        try:
            [result] = self.send([message.outgoing()])
        finally:
            self.close()
        if not result.sent:
            raise TransportError(result.reason, permanent=result.permanent)

    def close(self) -> None:
        """Release a connection kept open across batches (SMTP)."""
