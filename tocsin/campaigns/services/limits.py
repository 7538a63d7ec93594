"""How long the texts of campaigns, events and shifts may be, how long an event or a
campaign may last and how many people a shift may take, and the check of a text field
against its limit. Forms, the API and the services read the same numbers.
"""

from datetime import timedelta

from django.utils.translation import gettext as _

MAX_TITLE = 200
MAX_TEXT = 4000
MAX_ADDRESS = 300
MAX_LABEL = 120
MAX_CAPACITY = 10_000
MAX_LENGTH = timedelta(days=14)
MAX_CAMPAIGN_DAYS = 366


def check_text(value: str, name: str, limit: int, errors: dict, required: str = "") -> str:
    value = (value or "").strip()
    if not value and required:
        errors[name] = required
    elif len(value) > limit:
        errors[name] = _("Keep this under %(max)d characters.") % {"max": limit}
    return value
