"""An organization's own notice channels: a Matrix room, an ntfy topic, … through Apprise.

Not per-person delivery: each active channel that wants an alert's kind gets one summary,
in the organization's default language, after the alert is sent. A NoticePost row per
(alert, channel) is taken before posting, so a retried or duplicated job never posts twice;
a job killed between taking the row and posting leaves that one notice unsent.

Apprise URLs carry the room's token: they are stored encrypted, never shown in full after
saving, and never logged. What Apprise reports about a failure is stored with every part
of the URL blanked out.

A channel posts only to the services and the public addresses `outbound` allows, checked
when it is saved and again, with every connection pinned, each time it posts (decision 0013).
"""

import logging
import re
from urllib.parse import unquote

import apprise
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from huey.contrib.djhuey import db_task
from huey.exceptions import RetryTask

from tocsin.accounts.models import Organization, Person
from tocsin.audit.services import record
from tocsin.core.queue import enqueue_on_commit

from . import outbound
from .kinds import notice_kinds
from .models import Alert, NoticeChannel, NoticePost
from .rendering import LINK, render

log = logging.getLogger(__name__)

# Seconds to connect and to wait for an answer, and for the whole call.
SOCKET_TIMEOUT_SECONDS = 5
CALL_TIMEOUT_SECONDS = 15
# Tries per (alert, channel): the first, then retries of the ones that failed.
MAX_ATTEMPTS = 3
RETRY_DELAY_SECONDS = 60
MAX_URL_LENGTH = 2000
# Stretches of a URL that may be a token, to blank out of what Apprise reports.
URL_PARTS = re.compile(r"[^/:@?&=#\s]{3,}")


def plugin_for(url: str):
    """Return Apprise's plugin for a URL of an accepted scheme; raise ValidationError on
    `url` naming what is wrong."""
    url = (url or "").strip()
    if not url or len(url) > MAX_URL_LENGTH:
        raise ValidationError({"url": _("Paste the channel's Apprise URL.")})
    scheme = outbound.scheme_of(url)
    if scheme not in outbound.SCHEMES:
        raise ValidationError(
            {
                "url": _(
                    "Tocsin posts notices only to these services: %(services)s. Use the URL "
                    "of one of them."
                )
                % {"services": outbound.accepted_services()}
            }
        )
    plugin = apprise.Apprise.instantiate(url)
    protocols = set()
    for attribute in ("protocol", "secure_protocol"):
        value = getattr(plugin, attribute, None) or ()
        protocols |= {value} if isinstance(value, str) else set(value)
    if plugin is None or scheme not in protocols:
        raise ValidationError(
            {
                "url": _(
                    "Apprise does not know this URL. Copy it from the Apprise documentation "
                    "for your service, like ntfys://ntfy.example.org/topic."
                )
            }
        )
    return plugin


def check_destinations(url: str, plugin) -> None:
    """Raise ValidationError on `url` unless every server it posts to is one Tocsin may
    reach: resolved now, each address public and not one of Tocsin's own services."""
    for destination in outbound.destinations(url, plugin):
        try:
            outbound.check_destination(destination)
        except outbound.RefusedDestination as refused:
            raise ValidationError({"url": str(refused)}) from None


def check_url(url: str) -> str:
    """Return the URL stripped, or raise ValidationError on `url` if Tocsin may not post
    there: a scheme it does not take, a URL Apprise cannot use, a server that is not public."""
    url = (url or "").strip()
    check_destinations(url, plugin_for(url))
    return url


def check_kinds(kinds) -> list[str]:
    wanted = set(kinds or [])
    chosen = [kind.name for kind in notice_kinds() if kind.name in wanted]
    if not chosen:
        raise ValidationError({"kinds": _("Choose at least one kind of alert.")})
    return chosen


def add_notice_channel(
    actor: Person, organization: Organization, name: str, url: str, kinds
) -> NoticeChannel:
    """Add a notice channel to an organization, with a URL Tocsin may post to.

    The URL's server is resolved before the transaction, so a slow name server never holds
    the database.
    """
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("Give the channel a name, like “Stewards' Matrix room”.")]
    for check, value in ((check_url, url), (check_kinds, kinds)):
        try:
            check(value)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        channel = NoticeChannel.objects.create(
            organization=organization,
            name=name[:120],
            url=url.strip(),
            kinds=check_kinds(kinds),
        )
        record(actor, "delivery.notice_channel.added", channel, kinds=channel.kinds)
    return channel


@transaction.atomic
def remove_notice_channel(actor: Person, channel: NoticeChannel) -> None:
    record(actor, "delivery.notice_channel.removed", channel, organization=channel.organization)
    channel.delete()


def request_test_notice(actor: Person, channel: NoticeChannel) -> None:
    """Have the worker post a test notice to the channel once this request commits."""
    record(actor, "delivery.notice_channel.tested", channel)
    # Lost with a queue that is down: the admin presses "send a test" again.
    enqueue_on_commit(send_test_notice, channel.pk)


def alert_wanted_by_channels(alert: Alert) -> bool:
    return NoticeChannel.objects.filter(organization_id=alert.organization_id, active=True).exists()


# Posting.


def redact(text: str, url: str) -> str:
    """Return `text` with every part of `url` (after its scheme) blanked out."""
    rest = url.partition("://")[2] or url
    parts = set(URL_PARTS.findall(rest)) | set(URL_PARTS.findall(unquote(rest)))
    for part in sorted(parts, key=len, reverse=True):
        text = text.replace(part, "…")
    return text


def post(url: str, title: str, body: str) -> str:
    """Post one message through Apprise; return "" when it went, else a reason to store.

    The URL is checked again as when it was saved (its name may resolve elsewhere now), and
    every connection made while posting goes only to an address checked at that moment.
    """
    try:
        plugin = plugin_for(url)
        check_destinations(url, plugin)
    except ValidationError as refused:
        return " ".join(refused.messages)[:300]
    plugin.socket_connect_timeout = SOCKET_TIMEOUT_SECONDS
    plugin.socket_read_timeout = SOCKET_TIMEOUT_SECONDS
    notifier = apprise.Apprise()
    notifier.add(plugin)
    with outbound.pinned() as pin:
        try:
            result = notifier.notify(body=body, title=title, timeout=CALL_TIMEOUT_SECONDS)
        except Exception as error:  # a plugin's own bug must not stop the other channels
            return (
                pin.refused[0]
                if pin.refused
                else _("Apprise failed (%(error)s).") % {"error": type(error).__name__}
            )
    if result:
        return ""
    if pin.refused:
        return pin.refused[0][:300]
    reported = " ".join(
        entry.message for entry in result.logs() if entry.level in {"WARNING", "ERROR"}
    )
    reason = redact(reported, url) if reported else _("The service did not take the notice.")
    return reason[:300]


def summary(alert: Alert) -> tuple[str, str]:
    """Return the alert's title and text in its organization's default language."""
    rendered = render(alert, alert.organization.default_language)
    return rendered.subject, rendered.text.replace(LINK, "").strip()


def claim(alert: Alert, channel: NoticeChannel) -> bool:
    """Take the (alert, channel) post for this job; False when it is sent or being sent."""
    try:
        with transaction.atomic():
            NoticePost.objects.create(alert=alert, channel=channel, attempts=1)
            return True
    except IntegrityError:
        pass
    return bool(
        NoticePost.objects.filter(
            alert=alert,
            channel=channel,
            status=NoticePost.Status.FAILED,
            attempts__lt=MAX_ATTEMPTS,
        ).update(
            status=NoticePost.Status.SENDING,
            attempts=F("attempts") + 1,
            updated_at=timezone.now(),
        )
    )


def mark(channel: NoticeChannel, error: str) -> None:
    """Write down on the channel how its last post went."""
    if error:
        NoticeChannel.objects.filter(pk=channel.pk).update(last_error=error[:300])
    else:
        NoticeChannel.objects.filter(pk=channel.pk).update(
            last_sent_at=timezone.now(), last_error=""
        )


@db_task(retries=MAX_ATTEMPTS, retry_delay=RETRY_DELAY_SECONDS)
def notify_channels(alert_id: int) -> int:
    """Post the alert's summary once to each active channel that wants its kind.

    Return how many were posted. Channels that failed are tried again by a retry of this
    job, up to MAX_ATTEMPTS in all; the ones already posted are not.
    """
    alert = Alert.objects.select_related("organization").filter(pk=alert_id).first()
    if alert is None:
        return 0
    channels = [
        channel
        for channel in alert.organization.notice_channels.filter(active=True)
        if alert.kind in channel.kinds
    ]
    if not channels:
        return 0
    title, body = summary(alert)
    posted, retry = 0, False
    for channel in channels:
        if not claim(alert, channel):
            continue
        error = post(channel.url, title, body)
        status = NoticePost.Status.FAILED if error else NoticePost.Status.SENT
        NoticePost.objects.filter(alert=alert, channel=channel).update(
            status=status, updated_at=timezone.now()
        )
        mark(channel, error)
        if error:
            log.warning(
                "notice of alert %s to channel %s failed: %s",
                alert.public_id,
                channel.code,
                error,
            )
            retry = (
                retry
                or NoticePost.objects.filter(
                    alert=alert, channel=channel, attempts__lt=MAX_ATTEMPTS
                ).exists()
            )
        else:
            posted += 1
    if retry:
        raise RetryTask(delay=RETRY_DELAY_SECONDS)
    return posted


@db_task(retries=0)
def send_test_notice(channel_id: int) -> bool:
    """Post a test message to one channel; its last_sent_at or last_error tells how it went."""
    channel = NoticeChannel.objects.select_related("organization").filter(pk=channel_id).first()
    if channel is None:
        return False
    with translation.override(channel.organization.default_language):
        title = _("Tocsin test notice")
        body = _("This is a test. %(organization)s's alerts will appear in this channel.") % {
            "organization": channel.organization.name
        }
    error = post(channel.url, title, body)
    mark(channel, error)
    if error:
        log.warning("test notice to channel %s failed: %s", channel.code, error)
    return not error
