"""`{% demo_outbox_link %}`: a link to the demo's outbox, shown only while the demo runs."""

from django import template
from django.conf import settings

register = template.Library()


@register.inclusion_tag("demo/_outbox_link.html")
def demo_outbox_link() -> dict:
    return {"demo": settings.TOCSIN_DEMO}
