"""The address of a plan's "I am being detained" button (see views/plan.py)."""

from django import template

from ..views.plan import emergency_path

register = template.Library()


@register.simple_tag
def emergency_url(plan) -> str:
    """Return the trigger's address for `plan`: it works without a member session."""
    return emergency_path(plan)
