"""Template filters for text prepared in every language ahead of rendering."""

from django import template
from django.conf import settings
from django.utils.translation import get_language

from tocsin.core import languages

register = template.Library()


@register.filter
def in_current_language(texts: dict | None) -> str:
    """Return the entry of {language: text} for the language being rendered, else the default."""
    if not isinstance(texts, dict):
        return ""
    language = languages.supported(get_language())
    return texts.get(language) or texts.get(settings.LANGUAGE_CODE) or ""


@register.simple_tag
def language_codes() -> str:
    """Return the codes of the languages Tocsin speaks, joined, for help text."""
    return ", ".join(languages.codes())
