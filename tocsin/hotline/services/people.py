"""One person a plan or a case tells (a family member, a contact, a lawyer), checked."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from tocsin.core import contacts as addresses
from tocsin.core import languages

MAX_NAME = 120
CHANNELS = (addresses.SMS, addresses.SIGNAL, addresses.EMAIL)
RELATIONS = (
    "spouse",
    "partner",
    "parent",
    "child",
    "sibling",
    "relative",
    "friend",
    "coworker",
    "lawyer",
    "other",
)


def clean_person(raw: dict, prefix: str, errors: dict, relation_needed: bool = True) -> dict:
    """Return one person to tell ({name, relation, channel, address, language}), recording
    what is wrong under `prefix.field` in `errors`."""
    name = str(raw.get("name") or "").strip()
    relation = str(raw.get("relation") or "").strip()
    channel = str(raw.get("channel") or "").strip()
    address = str(raw.get("address") or "").strip()
    language = str(raw.get("language") or "en").strip()
    if not name:
        errors[f"{prefix}.name"] = _("Write their name.")
    elif len(name) > MAX_NAME:
        errors[f"{prefix}.name"] = _("Keep the name under %(max)d characters.") % {"max": MAX_NAME}
    if relation_needed and relation not in RELATIONS:
        errors[f"{prefix}.relation"] = _("Choose who they are to you.")
    if channel not in CHANNELS:
        errors[f"{prefix}.channel"] = _("Choose how to reach them: text, Signal or email.")
    elif not address:
        errors[f"{prefix}.address"] = _("Write their phone number or email.")
    else:
        try:
            address = addresses.normalize(channel, address)
        except ValidationError as error:
            errors[f"{prefix}.address"] = " ".join(error.messages)
    if language not in languages.codes():
        errors[f"{prefix}.language"] = languages.error()
    person = {"name": name, "channel": channel, "address": address, "language": language}
    if relation_needed:
        person["relation"] = relation
    return person
