from django import template
from django.utils.translation import gettext as _

from tocsin.accounts.models import Membership
from tocsin.accounts.roles import Role

register = template.Library()


@register.filter
def named_error(error, label) -> str:
    """Return a field's error starting with the field's name, unless it already starts so.

    "Starts so" allows a leading article: "La latitud debe…" already names "Latitud".
    """
    error, label = str(error), str(label)
    if label and 0 <= error.casefold().find(label.casefold()) <= 4:
        return error
    return _("%(field)s: %(error)s") % {"field": label, "error": error}


@register.filter
def holds(membership, role_slugs: str) -> bool:
    """Whether a membership holds any of the roles named, comma-separated: "dispatcher,admin"."""

    if membership is None:
        return False
    wanted = Role(0)
    for slug in role_slugs.split(","):
        wanted |= Role.from_slug(slug)
    return membership.has(wanted)


@register.filter
def get_item(mapping, key):
    """Return mapping[key], or "" when it is not there: `{{ labels|get_item:name }}`."""
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""


@register.simple_tag(takes_context=True)
def acting_membership(context) -> Membership | None:
    """Return the acting person's membership that the view passed (`org_context`)."""
    passed = context.get("acting_membership")
    return passed if isinstance(passed, Membership) else None
