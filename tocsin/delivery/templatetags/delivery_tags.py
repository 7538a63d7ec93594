from django import template

from tocsin.delivery.channels.signal.challenges import open_challenges

register = template.Library()


@register.inclusion_tag("delivery/_signal_challenge.html")
def signal_challenge_notice() -> dict:
    """Show an admin, at once, that Signal wants a captcha before sending more, and what to do."""
    challenge = open_challenges().first()
    return {"challenge": challenge}
