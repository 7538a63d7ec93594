"""The notice an organization's admins see on their console pages while its Signal
messages cannot be read (response.models.SignalReceiveFailure)."""

from django import template

from tocsin.response.models import SignalReceiveFailure

register = template.Library()


@register.inclusion_tag("response/_signal_receive_failure.html")
def signal_receive_notice(organization) -> dict:
    """Render the organization's receive failure, or nothing when its messages are read."""
    failure = SignalReceiveFailure.objects.filter(organization=organization).first()
    return {"failure": failure, "organization": organization}
