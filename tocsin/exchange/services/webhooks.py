"""Add, remove and test an organization's webhooks, and announce events to them.

A webhook posts only to addresses a notice channel could reach (decision 0013): its server
must resolve to public addresses only, never one of Tocsin's own services, unless the
operator let a network through (TOCSIN_NOTICE_ALLOWED_NETWORKS); plain http only inside such
a network. The URL is checked when it is saved and again, pinned, at every attempt.
"""

import secrets
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tocsin.accounts.models import Organization, Person
from tocsin.audit.services import record
from tocsin.core.queue import enqueue_on_commit
from tocsin.delivery import outbound

from ..events import EVENTS, TEST
from ..models import Webhook, WebhookDelivery

MAX_URL_LENGTH = 2000
MAX_WEBHOOKS = 20


class RefusedAddress(ValueError):
    """The webhook's server is somewhere Tocsin does not post to; the message says why."""


def destination_of(url: str) -> tuple[str, int, bool]:
    """Return (host, port, tls) of an http(s) URL; raise RefusedAddress saying what is wrong."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise RefusedAddress(_("This is not a URL Tocsin can post to.")) from None
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise RefusedAddress(_("Give the receiver's full address, starting with https://."))
    if parts.username or parts.password:
        raise RefusedAddress(
            _("Leave the user name and password out of the URL: the signature proves the sender.")
        )
    tls = parts.scheme == "https"
    return parts.hostname, port or (443 if tls else 80), tls


def check_address(url: str) -> list:
    """Resolve the URL's server now and return its addresses; raise RefusedAddress when any
    of them is one a webhook may not post to."""
    host, port, tls = destination_of(url)
    try:
        addresses = outbound.resolve(host, port)
    except (OSError, UnicodeError, ValueError):
        raise RefusedAddress(
            _("The server's name cannot be found. Check the URL, or try again later.")
        ) from None
    services = outbound.service_addresses()
    for address in addresses:
        why = outbound.refusal(address, port, services)
        if why:
            raise RefusedAddress(
                _("This URL points at %(place)s: webhooks post only to public servers.")
                % {"place": why}
            )
        if not tls and not outbound.in_allowed_network(address):
            raise RefusedAddress(
                _("Use https://: across the internet the body must not travel in the clear.")
            )
    return addresses


def check_url(url: str) -> str:
    url = (url or "").strip()
    if not url or len(url) > MAX_URL_LENGTH:
        raise ValidationError(
            {"url": _("Give the receiver's full address, starting with https://.")}
        )
    try:
        check_address(url)
    except RefusedAddress as refused:
        raise ValidationError({"url": str(refused)}) from None
    return url


def check_events(events) -> list[str]:
    chosen = [name for name in EVENTS if name in set(events or [])]
    if not chosen:
        raise ValidationError({"events": _("Choose at least one event.")})
    return chosen


def add_webhook(
    actor: Person, organization: Organization, name: str, url: str, events
) -> tuple[Webhook, str]:
    """Add a webhook; return it and its secret, which is shown this once.

    The URL's server is resolved before the transaction, so a slow name server never holds
    the database."""
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name or len(name) > 120:
        errors["name"] = [_("Name the receiver in 120 characters at most.")]
    for check, value in ((check_url, url), (check_events, events)):
        try:
            check(value)
        except ValidationError as error:
            errors.update(error.message_dict)
    if Webhook.objects.filter(organization=organization).count() >= MAX_WEBHOOKS:
        errors["name"] = [
            _("An organization has %(count)s webhooks at most.") % {"count": MAX_WEBHOOKS}
        ]
    if errors:
        raise ValidationError(errors)
    secret = f"whsec_{secrets.token_hex(32)}"
    with transaction.atomic():
        webhook = Webhook.objects.create(
            organization=organization,
            name=name,
            url=url.strip(),
            secret=secret,
            events=check_events(events),
            created_by=actor,
        )
        record(actor, "exchange.webhook.added", webhook, organization=organization)
    return webhook, secret


@transaction.atomic
def remove_webhook(actor: Person, webhook: Webhook) -> None:
    record(actor, "exchange.webhook.removed", webhook, organization=webhook.organization)
    webhook.delete()


def envelope(delivery: WebhookDelivery) -> dict:
    """Return what a delivery's body says, without its timestamp (each attempt adds its own)."""
    return {
        "id": delivery.code,
        "event": delivery.event,
        "organization": delivery.webhook.organization.slug,
        "created_at": delivery.created_at.isoformat().replace("+00:00", "Z"),
        "data": delivery.payload,
    }


def queue(webhook: Webhook, event: str, payload: dict) -> WebhookDelivery:
    from ..tasks import deliver  # tasks.py imports this module

    delivery = WebhookDelivery.objects.create(webhook=webhook, event=event, payload=payload)
    enqueue_on_commit(deliver, delivery.pk)
    return delivery


@transaction.atomic
def send_test(actor: Person, webhook: Webhook) -> WebhookDelivery:
    """Queue a test delivery to the webhook; its row on the screen tells how it went."""
    record(actor, "exchange.webhook.tested", webhook, organization=webhook.organization)
    return queue(
        webhook, TEST, {"message": "This is a test from Tocsin.", "at": timezone.now().isoformat()}
    )


def announce(organization_id: int, event: str, payload: dict) -> int:
    """Queue a delivery of `event` to each of the organization's webhooks that follows it;
    return how many."""
    webhooks = [
        webhook
        for webhook in Webhook.objects.filter(organization_id=organization_id)
        if event in webhook.events
    ]
    with transaction.atomic():
        for webhook in webhooks:
            queue(webhook, event, payload)
    return len(webhooks)
