"""Deployment checks on notice channels and the Signal gateway (ids listed in
tocsin/core/checks.py)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register
from django.db import DatabaseError

from tocsin.core.checks import database_ready
from tocsin.delivery.channels.signal.about import gateway_about, problems
from tocsin.delivery.models import NoticeChannel
from tocsin.delivery.outbound import scheme_accepted


@register(Tags.security, deploy=True)
def check_notice_channels(app_configs, **kwargs) -> list:
    """Name notice channels whose URL would now be refused."""
    if not database_ready():
        return []
    try:
        channels = list(NoticeChannel.objects.select_related("organization").order_by("pk"))
    except DatabaseError:
        return []
    return [
        Warning(
            f"Notice channel {channel.code} of {channel.organization.slug} uses a kind "
            "of URL Tocsin no longer posts to; its notices are refused.",
            hint="An admin of the organization replaces it (decision 0013).",
            id="tocsin.W005",
        )
        for channel in channels
        if not scheme_accepted(channel.url)
    ]


@register(Tags.security, deploy=True)
def check_signal_gateway(app_configs, **kwargs) -> list:
    """Read the Signal gateway's mode and version, when Tocsin sends on Signal, and name
    what hides a failure or resends a slow message (delivery/channels/signal/about.py)."""
    if not settings.TOCSIN_SIGNAL_NUMBER:
        return []
    return [
        Warning(problem, id="tocsin.W010", hint='See docs/deployment.md, "Signal gateway".')
        for problem in problems(gateway_about(max_age=0))
    ]
