"""The inbound SMS webhooks: a Twilio-style gateway posts each text sent to a reporting
number (inbound_sms), and what became of each text Tocsin sent (sms_status).

A text that is only a carrier keyword is no report (see KEYWORDS): STOP and its variants
mark the sender's SMS contact opted out, START opts it back in, HELP gets a reply saying
what the number is; each is answered in the sender's language, and none is filed.

The gateway signs every request (X-Twilio-Signature: base64 HMAC-SHA1, keyed with the auth
token of the account that owns the number, over the URL it posted to followed by each
parameter's name and value in order of name). Each organization saves its own token with its
reporting number, and a text is checked against the token of the organization its `To` number
belongs to, never a token shared by the server: a text signed with another organization's
token, the SMS account's or a demo one is refused with 403, before anything is stored.
That URL is taken to be TOCSIN_BASE_URL plus the request's path and query, the address
configured at the gateway, so that a TLS proxy in front cannot change what is signed. The
answer is TwiML: the gateway texts its <Message> back.
Nothing here logs the sender's number or what they wrote.
"""

import base64
import hashlib
import hmac
import logging
import urllib.parse
from xml.sax.saxutils import escape

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from tocsin.accounts.models import ContactPoint, Organization
from tocsin.accounts.services.people import find_contact
from tocsin.core.access import public
from tocsin.core.contacts import normalize_phone
from tocsin.delivery.fanout import mark_undelivered
from tocsin.delivery.models import Delivery

from ..inbound import SMS, take_message
from ..services.reports import TooManyReports

log = logging.getLogger(__name__)


def signature(url: str, params: dict[str, list[str]], token: str) -> str:
    """Return the X-Twilio-Signature a gateway holding `token` sends for this request.

    As twilio-python's RequestValidator.compute_signature (twilio/request_validator.py):
    each name in order, then each of its distinct values in order, a repeated value once.
    """
    signed = url + "".join(
        name + value for name in sorted(params) for value in sorted(set(params[name]))
    )
    digest = hmac.new(token.encode(), signed.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def signed_urls(url: str) -> list[str]:
    """Return the URL as it may have been signed: without a port, and with one.

    Twilio signs the URL as configured, and some of its services add the scheme's default
    port (":443", ":80"); twilio-python's RequestValidator.validate accepts the signature
    of either form (twilio/request_validator.py: remove_port, add_port), and so does Tocsin.
    """
    parts = urllib.parse.urlsplit(url)
    host = parts.netloc.rpartition(":")[0] if parts.port else parts.netloc
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return [
        urllib.parse.urlunsplit(parts._replace(netloc=host)),
        urllib.parse.urlunsplit(parts._replace(netloc=f"{host}:{port}")),
    ]


def signed_by(request: HttpRequest, token: str) -> bool:
    """Whether the request carries the X-Twilio-Signature of a gateway holding `token`.

    The URL is TOCSIN_BASE_URL plus the request's path and query (see above).
    """
    given = request.headers.get("X-Twilio-Signature", "")
    if not token or not given:
        return False
    params = dict(request.POST.lists())
    url = settings.TOCSIN_BASE_URL + request.get_full_path()
    return any(
        hmac.compare_digest(signature(signed, params, token).encode(), given.encode())
        for signed in signed_urls(url)
    )


def signed_by_gateway(request: HttpRequest, organization: Organization) -> bool:
    """Whether the request carries the signature of the organization's own SMS gateway.

    An organization without a token (saved before tokens were required) takes no texts.
    """
    return signed_by(request, organization.sms_inbound_token)


STOP, START, HELP = "STOP", "START", "HELP"
# A text that is exactly one of these words (any case, trailing "." or "!") is a keyword:
# Twilio's default list (twilio.com/docs/messaging/tutorials/advanced-opt-out) and the
# CTIA's, and their Spanish counterparts, which Twilio honours only when configured in its
# Advanced Opt-Out, but which Tocsin honours always: a Spanish speaker who texts ALTO is
# not sent alerts again. See docs/decisions/0004-delivery.md, "SMS".
KEYWORDS = {
    **dict.fromkeys(
        ["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"], STOP
    ),
    **dict.fromkeys(["ALTO", "PARAR", "PARE", "DETENER", "CANCELAR", "BAJA"], STOP),
    **dict.fromkeys(["START", "YES", "UNSTOP", "COMENZAR", "ALTA", "REANUDAR"], START),
    **dict.fromkeys(["HELP", "INFO", "AYUDA"], HELP),
}


def keyword_of(text: str, opt_out_type: str = "") -> str:
    """Return STOP, START or HELP when the text is that keyword, else "".

    A gateway that says so (Twilio's OptOutType, sent when it handled the keyword itself)
    is taken at its word.
    """
    if opt_out_type.upper() in (STOP, START, HELP):
        return opt_out_type.upper()
    return KEYWORDS.get(text.strip().rstrip(".!").strip().upper(), "")


def answer_keyword(organization: Organization, sender: str, keyword: str) -> HttpResponse:
    """Opt the sender's SMS contact out (STOP) or back in (START), or say what this number
    is (HELP); answer in the sender's language, or the organization's."""
    contact = find_contact(ContactPoint.Channel.SMS, sender)
    if contact is not None and keyword == STOP:
        ContactPoint.objects.filter(pk=contact.pk, opted_out_at__isnull=True).update(
            opted_out_at=timezone.now()
        )
    elif contact is not None and keyword == START:
        ContactPoint.objects.filter(pk=contact.pk).update(opted_out_at=None)
    language = contact.person.language if contact is not None else organization.default_language
    log.info("inbound SMS: a %s keyword for organization %s", keyword, organization.slug)
    with translation.override(language):
        name = organization.name
        if keyword == STOP:
            reply = _(
                "%(name)s: you will get no more texts from Tocsin. Text START to get them again."
            )
        elif keyword == START:
            reply = _("%(name)s: texts from Tocsin start again. Text STOP to stop them.")
        else:
            reply = _(
                "%(name)s, on Tocsin: text what you see to this number to report it. "
                "Text STOP for no more texts, START to get them again."
            )
        return twiml(reply % {"name": name})


def twiml(message: str) -> HttpResponse:
    body = f'<?xml version="1.0" encoding="UTF-8"?><Response><Message>{escape(message)}</Message></Response>'
    return HttpResponse(body, content_type="text/xml; charset=utf-8")


def plain(status: int, message: str) -> HttpResponse:
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


@public
@csrf_exempt
@require_POST
def inbound_sms(request: HttpRequest) -> HttpResponse:
    """Take a text sent to an organization's reporting number as a report, or as a
    carrier keyword (STOP, START, HELP) when it is one."""
    form = request.POST
    try:
        to = normalize_phone(form.get("To", ""))
    except ValidationError:
        to = ""
    organization = Organization.objects.filter(report_number=to).first() if to else None
    if organization is None:
        # Reporting numbers are printed on posters: saying which are not one tells nothing.
        return plain(404, _("No organization takes reports at this To number."))
    if not signed_by_gateway(request, organization):
        return plain(403, _("The request is not signed by the SMS gateway."))
    sender, sid, text = form.get("From", ""), form.get("MessageSid", ""), form.get("Body", "")
    for name, value in (("From", sender), ("MessageSid", sid), ("Body", text.strip())):
        if not value:
            return plain(400, _("%(name)s is missing.") % {"name": name})
    keyword = keyword_of(text, form.get("OptOutType", ""))
    if keyword:
        return answer_keyword(organization, sender, keyword)
    try:
        callback = normalize_phone(sender)
    except ValidationError:
        callback = ""  # a short code or an alphanumeric sender: counted, never called back
    with translation.override(organization.default_language):
        try:
            take_message(organization, SMS, callback or sender, sid, text, callback=callback)
        except TooManyReports as refusal:
            log.info("inbound SMS: held back a flood for organization %s", organization.slug)
            return twiml(refusal.messages[0])
        except ValidationError as refusal:
            return plain(400, " ".join(refusal.messages))
        log.info("inbound SMS: a report for organization %s", organization.slug)
        return twiml(_("Report received, thank you. A dispatcher will check it."))


# What a carrier's error in a status callback means (twilio.com/docs/errors/30003 …).
UNDELIVERED = {
    "30003": gettext_lazy("not delivered: the phone is unreachable (30003)"),
    "30005": gettext_lazy("not delivered: unknown or inactive number (30005)"),
    "30006": gettext_lazy("not delivered: a landline or unreachable carrier (30006)"),
    "30007": gettext_lazy("not delivered: filtered by the carrier (30007)"),
}
UNDELIVERED_OTHER = gettext_lazy("not delivered: the carrier's error %(code)s")


def undelivered_reason(code: str) -> str:
    """Return the stored (English) reason for a carrier's error code."""
    with translation.override("en"):
        if code in UNDELIVERED:
            return str(UNDELIVERED[code])
        return str(UNDELIVERED_OTHER) % {"code": code[:12] or "?"}


@public
@csrf_exempt
@require_POST
def sms_status(request: HttpRequest) -> HttpResponse:
    """Take the SMS gateway's status callback for a message Tocsin sent.

    Signed with the sending account's token (TOCSIN_SMS_TOKEN), as Twilio signs the
    callbacks of its account's messages. "delivered" marks the delivery delivered;
    "undelivered" or "failed" (with the carrier's ErrorCode) fails it and hands the person
    over to their next channel; any other status (queued, sent) changes nothing.
    """
    if not signed_by(request, settings.TOCSIN_SMS_TOKEN):
        return plain(403, _("The request is not signed by the SMS gateway."))
    form = request.POST
    sid, status = form.get("MessageSid", ""), form.get("MessageStatus", "")
    for name, value in (("MessageSid", sid), ("MessageStatus", status)):
        if not value:
            return plain(400, _("%(name)s is missing.") % {"name": name})
    row = Delivery.objects.filter(provider_id=sid, channel=ContactPoint.Channel.SMS).first()
    if row is None:
        return plain(404, _("No message sent by Tocsin has this MessageSid."))
    if status == "delivered":
        Delivery.objects.filter(
            pk=row.pk, status=Delivery.Status.SENT, delivered_at__isnull=True
        ).update(delivered_at=timezone.now())
    elif status in ("undelivered", "failed"):
        mark_undelivered(row, undelivered_reason(form.get("ErrorCode", "")))
    return HttpResponse(status=204)
