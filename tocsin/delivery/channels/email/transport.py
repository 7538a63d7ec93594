"""Email through SMTP (Django 6.1 mailers): one connection carries a whole batch.

Each message is its own SMTP transaction on that connection, so a refused address fails
only its own message. When the connection itself fails, the batch stops: before anything
was sent that is a TransportError (the caller retries the batch later); after, the
messages already sent are reported sent and the rest as failed for now, so that a retry
never sends a message twice. Nothing here logs an address.
"""

import contextlib
import logging
import smtplib
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.utils.html import escape, linebreaks, urlize
from django.utils.translation import gettext_lazy as _

from tocsin.core.crypto import blind_index
from tocsin.delivery.channels import Limits, Outgoing, Result, Transport, TransportError, register

log = logging.getLogger(__name__)


class BatchStopped(Exception):
    """The connection failed partway; the rest of the batch waits for a retry."""

    def __init__(self, reason: str, permanent: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


@register
class EmailTransport(Transport):
    kind = "email"
    limits = Limits(recipients_per_request=200, per_second=50, max_length=None)

    def __init__(self) -> None:
        self.limits = Limits(
            recipients_per_request=settings.TOCSIN_EMAIL_BATCH,
            per_second=settings.TOCSIN_EMAIL_RATE,
            max_length=None,
        )

    def send(self, messages: list[Outgoing]) -> list[Result]:
        """Send each message over one SMTP connection; return one Result per message."""
        if not messages:
            return []
        backend = mailers["default"]
        try:
            backend.open()
        except OSError as error:  # connection refused, timeouts, smtplib's errors
            raise TransportError(connection_failure(error)) from None
        results: list[Result] = []
        try:
            for outgoing in messages:
                try:
                    results.append(self.send_one(backend, outgoing))
                except BatchStopped as stop:
                    if not any(result.sent for result in results):
                        raise TransportError(stop.reason, permanent=stop.permanent) from None
                    log.warning("email batch stopped after %d sent: %s", len(results), stop)
                    waiting = messages[len(results) :]
                    results.extend(
                        Result(m.delivery_id, sent=False, reason=stop.reason, permanent=False)
                        for m in waiting
                    )
                    break
        finally:
            with contextlib.suppress(OSError):  # the server has gone: nothing left to close
                backend.close()
        return results

    def send_one(self, backend, outgoing: Outgoing) -> Result:
        """Send one message on the open connection; raise BatchStopped if the connection fails."""
        try:
            backend.send_messages([build_message(outgoing)])
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
        "Message-ID": message_id(outgoing.delivery_id),
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


def html_from_text(text: str, language: str) -> str:
    """Return a minimal HTML page of the plain text: escaped, paragraphs kept, links live."""
    body = linebreaks(urlize(text, nofollow=True, autoescape=True))
    return f'<!DOCTYPE html>\n<html lang="{escape(language)}"><body>\n{body}\n</body></html>\n'


def message_id(delivery_id: int) -> str:
    """Return the delivery's Message-ID: the same each time it is sent, so that a copy sent
    twice (a worker killed between the server's answer and the bookkeeping) is recognised
    as one message by mail providers; keyed, so ids can't be guessed across servers."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "tocsin.local"
    tag = blind_index(str(delivery_id), "message-id")[:16]
    return f"<delivery-{delivery_id}.{tag}@{domain}>"
