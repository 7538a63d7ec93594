"""Render an alert's message per recipient language and channel, and the personal links.

Rendering happens once per (alert, language, channel); the per-recipient link is the only
part that differs between two recipients, and it is put in by string replacement so that a
million messages cost a million HMACs, not a million template renders.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from tocsin.core.text import one_period

from .kinds import find, kind_of
from .models import Alert
from .rights import rights_url

LINK = "\x00LINK\x00"
LINK_SALT = "tocsin.delivery.alert-link"
UNSUBSCRIBE_SALT = "tocsin.delivery.unsubscribe"

# What the sender asks of recipients; the alert's context names one of these.
ASKS = {
    "stay_away": _("Stay away from the area and warn your coworkers."),
    "observe": _("If you are trained and safe to do so, come observe and document."),
    "legal_observers": _("Legal observers are needed on site."),
    "none": "",
}


def words_of(kind: str, context: dict) -> dict[str, str]:
    """Return what an alert of `kind` says, in the active language: `what` is happening in
    the sender's own words, unless the kind says it from codes of its own (`AlertKind.words`:
    a verified alert's things seen, decision 0018)."""
    words = {"what": str(context.get("what") or "")}
    known = find(kind)  # None: an alert kept from an app since removed says its own words
    if known is not None and known.words is not None:
        words.update(known.words(context))
    return words


def note_for(context: dict, language: str) -> str:
    """Return the sender's own text written for `language`, or nothing: a recipient never
    gets the text written for another language (decision 0018)."""
    notes = context.get("notes") or {}
    return str(notes.get(language) or notes.get(language.split("-")[0]) or "")


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str  # contains LINK where the personal link goes (or not, for shared messages)
    short: str  # the one-line version for length-limited channels, with LINK at its end
    html: str


def render(alert: Alert, language: str) -> Rendered:
    """Return the alert's message in `language`, from the templates its kind registered."""
    context = {
        **alert.context,
        "kind": alert.kind,
        "ask_text": ASKS.get(alert.context.get("ask", "none"), ""),
        "note": note_for(alert.context, language),
        "rights_url": rights_url(alert, language),
        "link": LINK,
        "organization": alert.organization.name,
    }
    with translation.override(language):
        context.update(words_of(alert.kind, alert.context))
        base = kind_of(alert.kind).templates
        # A value ending in its own period ("11:25 a.m.", "Carmen R.") ends a sentence once.
        subject = one_period(" ".join(render_to_string(f"{base}_subject.txt", context).split()))
        text = one_period(render_to_string(f"{base}.txt", context).strip())
        short = one_period(" ".join(render_to_string(f"{base}_short.txt", context).split()))
        html = render_to_string(
            "delivery/messages/email.html",
            {**context, "text": text.replace(LINK, "").strip(), "has_link": True},
        )
    return Rendered(subject=subject, text=text, short=short, html=html)


def link_token(delivery_id: int) -> str:
    return signing.dumps(delivery_id, salt=LINK_SALT, compress=True)


def delivery_for_token(token: str) -> int | None:
    """Return the delivery id a link token names, or None when it is forged or expired."""
    try:
        return signing.loads(token, salt=LINK_SALT, max_age=settings.TOCSIN_ALERT_LINK_HOURS * 3600)
    except signing.BadSignature:
        return None


def personal_link(delivery_id: int) -> str:
    path = reverse("delivery:alert_link", kwargs={"token": link_token(delivery_id)})
    return settings.TOCSIN_BASE_URL + path


URL_SLOT = "SLOT"


def personal_links() -> Callable[[int], str]:
    """Return a function giving the same link as personal_link(id), for many ids in a row:
    the URL is reversed and the signer made once, each link then costs one HMAC."""
    signer = signing.TimestampSigner(salt=LINK_SALT)
    base, _slot, tail = (
        settings.TOCSIN_BASE_URL + reverse("delivery:alert_link", kwargs={"token": URL_SLOT})
    ).rpartition(URL_SLOT)

    def link(delivery_id: int) -> str:
        return f"{base}{signer.sign_object(delivery_id, compress=True)}{tail}"

    return link


def unsubscribe_token(person_id: int, organization_id: int) -> str:
    """Return the token of a person's unsubscribe link from one organization's email.

    Signed, not timed: it works for as long as the message may be read (RFC 8058's one-click
    POST comes from the mailbox provider whenever the reader presses its button), and it
    can do one thing only, stop that person following that organization (decision 0004).
    """
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign_object([person_id, organization_id])


def unsubscriber_for_token(token: str) -> tuple[int, int] | None:
    """Return (person id, organization id) of an unsubscribe token, or None when forged."""
    try:
        person_id, organization_id = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign_object(token)
    except (signing.BadSignature, TypeError, ValueError):
        return None
    if not (isinstance(person_id, int) and isinstance(organization_id, int)):
        return None
    return person_id, organization_id


def unsubscribe_links(organization_id: int) -> Callable[[int], str]:
    """Return a function giving a person's unsubscribe URL for the organization's messages,
    the URL reversed once for many people (as personal_links)."""
    base, _slot, tail = (
        settings.TOCSIN_BASE_URL + reverse("delivery:unsubscribe", kwargs={"token": URL_SLOT})
    ).rpartition(URL_SLOT)

    def link(person_id: int) -> str:
        return f"{base}{unsubscribe_token(person_id, organization_id)}{tail}"

    return link


def fit(text: str, link: str, max_length: int | None) -> str:
    """Put the link in and cut the text to max_length, keeping the link whole at its end.

    An empty link (a message shared by many recipients) just leaves the placeholder out.
    """
    full = text.replace(LINK, link).strip()
    if max_length is None or len(full) <= max_length:
        return full
    without = text.replace(LINK, "").rstrip()
    room = max_length - len(link) - 2
    if room <= 0:
        return link[:max_length]
    cut = without[:room].rsplit(" ", 1)[0] if " " in without[:room] else without[:room]
    return f"{cut}… {link}"
