"""What the playbook tests share: English left on a page that should be in another language,
and the local servers of every channel."""

import html
import re
from pathlib import Path

import pytest

import tocsin
from tests.translations import MEMBER_APPS, entries

PLACEHOLDER = re.compile(r"%\([A-Za-z_]+\)[sd]|%[sd]|\{[A-Za-z_]*\}")
_PATTERNS: dict[str, list[re.Pattern]] = {}


def english_patterns(language: str) -> list[re.Pattern]:
    """Every English sentence of the member catalogs (three words or more outside their
    placeholders) that `language` says differently: one that reaches its reader is a
    string left untranslated."""
    if language not in _PATTERNS:
        patterns = []
        for app in MEMBER_APPS:
            catalog = Path(tocsin.__file__).parent / app / "locale" / language / "LC_MESSAGES"
            for msgid, plural, msgstrs in entries(catalog / "django.po"):
                for english in filter(None, (msgid, plural)):
                    pieces = PLACEHOLDER.split(english)
                    if "<" in english or english in msgstrs or len(" ".join(pieces).split()) < 3:
                        continue
                    pattern = ".+?".join(re.escape(" ".join(piece.split())) for piece in pieces)
                    patterns.append(re.compile(pattern.replace("%%", "%")))
        _PATTERNS[language] = patterns
    return _PATTERNS[language]


def page_text(content: bytes | str) -> str:
    """Return a page's words as a reader sees them, on one line."""
    text = content.decode() if isinstance(content, bytes) else content
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", text, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).split())


def english_in(content: bytes | str, language: str) -> list[str]:
    """Return the English sentences of the member catalogs found in a page or a message."""
    text = page_text(content)
    return [pattern.pattern for pattern in english_patterns(language) if pattern.search(text)]


@pytest.fixture
def inboxes(servers, push_service, vapid):
    """The local server of every channel, by channel."""
    return {**servers, "push": push_service}
