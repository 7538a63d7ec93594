"""The languages Tocsin speaks: one list, read from settings.LANGUAGES (TOCSIN_LANGUAGES).

Every picker, form, model check, API schema and message reads this list, so adding a
language is a catalog per app and one setting, never code (docs/decisions/0019-languages.md).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

# Languages Django itself does not describe. Django's LANG_INFO is extended with these in
# settings, so get_language_info(), {% language %} and the pickers know their names.
EXTRA_LANG_INFO = {
    "so": {"bidi": False, "code": "so", "name": "Somali", "name_local": "Soomaali"},
}


def codes() -> list[str]:
    """Return the codes of every language Tocsin speaks, the default first."""
    return [code for code, _name in settings.LANGUAGES]


def choices() -> list[tuple[str, str]]:
    """Return (code, name in that language) for every language, for pickers and forms."""
    return [(code, capfirst(get_language_info(code)["name_local"])) for code in codes()]


def supported(language: str | None, default: str | None = None) -> str:
    """Return the language if Tocsin speaks it ("es-mx" as "es"), else the default."""
    spoken = codes()
    for candidate in (language or "", (language or "").split("-")[0]):
        if candidate in spoken:
            return candidate
    return default or settings.LANGUAGE_CODE


def error() -> str:
    """Return the error for a language Tocsin does not speak, naming those it does."""
    names = ", ".join(name for _code, name in choices())
    return _("Choose one of these languages: %(languages)s.") % {"languages": names}


def validate(language: str) -> None:
    """Refuse a language Tocsin does not speak (checked against settings, not the database)."""
    if language not in codes():
        raise ValidationError(error(), code="invalid_choice")
