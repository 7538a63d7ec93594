"""Email through SMTP (Django 6.1 mailers): one connection carries many messages.

Each message is its own SMTP transaction, so a refused address fails only its own message,
and counts as one request: the engine hands over one message per send() and marks it the
moment the server accepts it, so a killed worker sends at most that one again (decision
0004). The connection stays open across send() calls until close() (the end of a chunk),
for up to TOCSIN_EMAIL_BATCH messages; one that sat idle is checked with NOOP first. With
the SMTP backend, the shared headers of a send() call (Subject, From, Date, Auto-Submitted,
Content-Language) are built once by the standard library; each message then only adds its
own To, Message-ID and List-Unsubscribe and quoted-printable text and HTML (which carry the
personal link), and goes out as bytes with the backend's own connection (host, port,
TLS/SSL and login from settings.MAILERS). Any other backend gets Django's
EmailMultiAlternatives, one per message, as before. When the connection itself fails, the
send() stops: before anything was sent that is a TransportError (the caller retries later);
after, the messages already sent are reported sent and the rest as failed for now, so that
a retry never sends a message twice. Nothing here logs an address.
"""

import binascii
import contextlib
import logging
import re
import secrets
import smtplib
import time
from datetime import UTC, datetime
from email import policy
from email.utils import make_msgid, parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.core.mail.backends.base import BaseEmailBackend
from django.utils.html import escape, linebreaks, urlize
from django.utils.timezone import get_current_timezone
from django.utils.translation import gettext_lazy as _

from tocsin.core.crypto import blind_index
from tocsin.delivery.channels import Limits, Outgoing, Result, Transport, TransportError, register

log = logging.getLogger(__name__)

# A connection idle this long is asked NOOP before it carries another message.
IDLE_SECONDS = 5.0


class BatchStopped(Exception):
    """The connection failed partway; the rest of the batch waits for a retry."""

    def __init__(self, reason: str, permanent: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


@register
class EmailTransport(Transport):
    kind = "email"
    list_unsubscribe = True

    def __init__(self) -> None:
        # Each message is its own SMTP transaction: one recipient per request.
        self.limits = Limits(
            recipients_per_request=1, per_second=settings.TOCSIN_EMAIL_RATE, max_length=None
        )
        self.per_connection = max(1, settings.TOCSIN_EMAIL_BATCH)
        self.backend: BaseEmailBackend | None = None
        self.carried = 0  # messages sent over the open connection
        self.last_used = 0.0

    def send(self, messages: list[Outgoing]) -> list[Result]:
        """Send each message over the open SMTP connection; return one Result per message."""
        results: list[Result] = []
        composer = None
        for outgoing in messages:
            try:
                backend, fresh = self.ready()
                connection = getattr(backend, "connection", None)
                if not isinstance(connection, smtplib.SMTP):
                    results.append(self.send_one(backend, outgoing))
                else:
                    if composer is None or fresh:
                        composer = self.composer(backend)
                    results.append(self.send_raw(connection, composer, outgoing))
                self.carried += 1
                self.last_used = time.monotonic()
            except BatchStopped as stop:
                self.close()
                if not any(result.sent for result in results):
                    raise TransportError(stop.reason, permanent=stop.permanent) from None
                log.warning("email stopped after %d sent: %s", len(results), stop)
                results.extend(
                    Result(m.delivery_id, sent=False, reason=stop.reason, permanent=False)
                    for m in messages[len(results) :]
                )
                break
        return results

    def ready(self) -> tuple:
        """Return (the open backend, whether it was opened just now).

        A connection is opened afresh when there is none, when it has carried
        TOCSIN_EMAIL_BATCH messages, or when it sat idle and no longer answers NOOP.
        """
        if self.backend is not None and (self.carried >= self.per_connection or not self.alive()):
            self.close()
        if self.backend is not None:
            return self.backend, False
        backend = mailers["default"]
        try:
            backend.open()
        except OSError as error:  # connection refused, timeouts, smtplib's errors
            raise BatchStopped(connection_failure(error)) from None
        self.backend, self.carried = backend, 0
        return backend, True

    def alive(self) -> bool:
        """Say whether the open connection still answers, asking only after it sat idle."""
        connection = getattr(self.backend, "connection", None)
        if not isinstance(connection, smtplib.SMTP):
            return True
        if time.monotonic() - self.last_used < IDLE_SECONDS:
            return True
        try:
            return connection.noop()[0] == 250
        except OSError:
            return False

    def composer(self, backend) -> "MessageComposer":
        try:
            return MessageComposer(backend)
        except ValueError:  # DEFAULT_FROM_EMAIL: every message would be refused
            raise BatchStopped(str(_("sender address not valid")), permanent=True) from None

    def close(self) -> None:
        """Close the SMTP connection kept open across send() calls."""
        if self.backend is not None:
            with contextlib.suppress(OSError):  # the server has gone: nothing left to close
                self.backend.close()
            self.backend = None

    def send_raw(self, connection, composer: "MessageComposer", outgoing: Outgoing) -> Result:
        """Send one composed message on the open SMTP connection (see attempt)."""
        try:
            recipient, data = composer.compose(outgoing)
        except ValueError:  # the address, as Django checks it
            return refused(outgoing, _("address not valid"))
        return self.attempt(
            outgoing, lambda: connection.sendmail(composer.envelope_from, [recipient], data)
        )

    def send_one(self, backend, outgoing: Outgoing) -> Result:
        """Send one Django message through a backend that is not SMTP (see attempt)."""
        return self.attempt(outgoing, lambda: backend.send_messages([build_message(outgoing)]))

    def attempt(self, outgoing: Outgoing, sending) -> Result:
        """Call `sending()` for one message; raise BatchStopped if the connection fails."""
        try:
            sending()
        except ValueError:  # Django's check of the address (CR/LF, non-ASCII local part)
            return refused(outgoing, _("address not valid"))
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _message in error.recipients.values()]
            if codes and all(code >= 500 for code in codes):
                return refused(outgoing, _("address refused"))
            raise BatchStopped(str(_("mail server busy, will retry"))) from None
        except smtplib.SMTPSenderRefused as error:
            # The server refuses our From: for every message, not for this one.
            raise BatchStopped(
                str(_("mail server refused the sender (%(code)s)") % {"code": error.smtp_code}),
                permanent=error.smtp_code >= 500,
            ) from None
        except smtplib.SMTPDataError as error:
            if error.smtp_code >= 500:
                return refused(
                    outgoing,
                    _("message refused by the mail server (%(code)s)") % {"code": error.smtp_code},
                )
            raise BatchStopped(str(_("mail server busy, will retry"))) from None
        except OSError as error:  # disconnected, timed out, 421 closing
            raise BatchStopped(connection_failure(error)) from None
        return Result(outgoing.delivery_id, sent=True)


def refused(outgoing: Outgoing, reason) -> Result:
    return Result(outgoing.delivery_id, sent=False, reason=str(reason), permanent=True)


def connection_failure(error: OSError) -> str:
    return str(_("mail server unreachable (%(error)s)") % {"error": type(error).__name__})


def build_message(outgoing: Outgoing) -> EmailMultiAlternatives:
    """Return the email for one Outgoing: text and HTML, with the headers bulk mail needs."""
    headers = {
        "Message-ID": message_id_of(outgoing),
        # Tells vacation responders and other robots not to answer.
        "Auto-Submitted": "auto-generated",
        "Content-Language": outgoing.language,
    }
    if outgoing.unsubscribe_url:
        headers["List-Unsubscribe"] = f"<{outgoing.unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message = EmailMultiAlternatives(
        subject=outgoing.subject,
        body=outgoing.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[outgoing.address],
        headers=headers,
    )
    message.attach_alternative(
        outgoing.html or html_from_text(outgoing.text, outgoing.language), "text/html"
    )
    return message


# An address that needs no parsing: ASCII, one @, no spaces, quotes, brackets or line breaks.
PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*")
# A URL that can go in a header as it is.
PLAIN_URL = re.compile(r"[\x21-\x7e]{1,900}")


class MessageComposer:
    """The bytes of each message of one batch: the shared headers are folded and encoded once
    (email.policy.SMTP), the per-recipient parts put in around them.

    The result is what EmailMultiAlternatives makes: multipart/alternative with a
    quoted-printable UTF-8 text part and HTML part, CRLF line endings.
    """

    def __init__(self, backend):
        self.backend = backend
        self.envelope_from = backend.prep_address(settings.DEFAULT_FROM_EMAIL)
        self.shared_from = fold("From", settings.DEFAULT_FROM_EMAIL)
        # As Django dates a message: now, in UTC or (EMAIL_USE_LOCALTIME) the current zone.
        zone = get_current_timezone() if settings.EMAIL_USE_LOCALTIME else UTC
        self.date = fold("Date", datetime.now(zone))
        self.boundary = f"==============={secrets.randbelow(10**19):019d}=="
        self.headers: dict[tuple[str, str], bytes] = {}

    def shared_headers(self, subject: str, language: str) -> bytes:
        key = (subject, language)
        if key not in self.headers:
            self.headers[key] = b"".join(
                [
                    b"MIME-Version: 1.0\r\n",
                    b'Content-Type: multipart/alternative;\r\n boundary="%s"\r\n'
                    % self.boundary.encode(),
                    fold("Subject", " ".join(subject.split())),
                    self.shared_from,
                    self.date,
                    b"Auto-Submitted: auto-generated\r\n",
                    fold("Content-Language", language),
                ]
            )
        return self.headers[key]

    def compose(self, outgoing: Outgoing) -> tuple[str, bytes]:
        """Return (the envelope recipient, the message's bytes); ValueError for a bad address."""
        if PLAIN_ADDRESS.fullmatch(outgoing.address):
            recipient = outgoing.address
        else:  # Django's own check: CR/LF, non-ASCII local part, IDNA for the domain
            recipient = self.backend.prep_address(outgoing.address)
        own = [b"To: %s\r\n" % recipient.encode(), fold_id(outgoing)]
        if outgoing.unsubscribe_url:
            own.append(header_url("List-Unsubscribe", f"<{outgoing.unsubscribe_url}>"))
            own.append(b"List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n")
        html = outgoing.html or html_from_text(outgoing.text, outgoing.language)
        boundary = self.boundary.encode()
        data = b"".join(
            [
                self.shared_headers(outgoing.subject, outgoing.language),
                *own,
                b"\r\n--%s\r\n" % boundary,
                part("plain", outgoing.text),
                b"\r\n--%s\r\n" % boundary,
                part("html", html),
                b"\r\n--%s--\r\n" % boundary,
            ]
        )
        return recipient, data


def fold(name: str, value) -> bytes:
    """Return the header line `name: value`, folded and encoded for SMTP by the stdlib."""
    return policy.SMTP.header_factory(name, value).fold(policy=policy.SMTP).encode("ascii")


def fold_id(outgoing: Outgoing) -> bytes:
    return b"Message-ID: %s\r\n" % message_id_of(outgoing).encode()


def header_url(name: str, value: str) -> bytes:
    if PLAIN_URL.fullmatch(value):
        return f"{name}: {value}\r\n".encode()
    return fold(name, value)


def part(subtype: str, content: str) -> bytes:
    """Return one quoted-printable UTF-8 MIME part (headers and body), CRLF line endings."""
    text = content.replace("\r\n", "\n").replace("\r", "\n")
    if not text.endswith("\n"):
        text += "\n"
    body = binascii.b2a_qp(text.encode(), istext=True).replace(b"\n", b"\r\n")
    return (
        b'Content-Type: text/%s; charset="utf-8"\r\n'
        b"Content-Transfer-Encoding: quoted-printable\r\n\r\n%s" % (subtype.encode(), body)
    )


def html_from_text(text: str, language: str) -> str:
    """Return a minimal HTML page of the plain text: escaped, paragraphs kept, links live."""
    body = linebreaks(urlize(text, nofollow=True, autoescape=True))
    return f'<!DOCTYPE html>\n<html lang="{escape(language)}"><body>\n{body}\n</body></html>\n'


def message_id_of(outgoing: Outgoing) -> str:
    """Return the delivery's Message-ID, or a new one for a direct message (no delivery)."""
    if outgoing.direct:
        return make_msgid(domain=sender_domain())
    return message_id(outgoing.delivery_id)


def message_id(delivery_id: int) -> str:
    """Return the delivery's Message-ID: the same each time it is sent, so that a copy sent
    twice (a worker killed between the server's answer and the bookkeeping) is recognised
    as one message by mail providers; keyed, so ids can't be guessed across servers."""
    tag = blind_index(str(delivery_id), "message-id")[:16]
    return f"<delivery-{delivery_id}.{tag}@{sender_domain()}>"


def sender_domain() -> str:
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "tocsin.local"
