"""Two clauses side by side, word by word: what the left one has that the right one lacks is
marked deleted on the left, what the right one adds is marked inserted on the right.

The marks are <del> and <ins> (a screen reader says them, print shows them struck through
and underlined), never colour alone.
"""

import difflib
import re
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .models import TEXT_LANGUAGES, Clause

# A word with the space after it, so the marked text reads as it was written.
TOKEN = re.compile(r"\S+\s*|\s+")


@dataclass(frozen=True)
class Comparison:
    language: str
    left: SafeString
    right: SafeString
    removed: int
    added: int
    same: bool


def _normal(token: str) -> str:
    return token.strip().lower()


def _marked(tokens: list[str], tag: str) -> str:
    if not tokens:
        return ""
    text = "".join(tokens)
    trailing = text[len(text.rstrip()) :]
    return f"<{tag}>{escape(text.rstrip())}</{tag}>{trailing}"


def compare_texts(left: str, right: str) -> tuple[SafeString, SafeString, int, int]:
    """Return both texts as HTML with their differences marked, and how many words each side
    removed and added."""
    a, b = TOKEN.findall(left), TOKEN.findall(right)
    matcher = difflib.SequenceMatcher(None, [_normal(t) for t in a], [_normal(t) for t in b])
    left_html: list[str] = []
    right_html: list[str] = []
    removed = added = 0
    for operation, a1, a2, b1, b2 in matcher.get_opcodes():
        if operation == "equal":
            left_html.append(escape("".join(a[a1:a2])))
            right_html.append(escape("".join(b[b1:b2])))
            continue
        left_html.append(_marked(a[a1:a2], "del"))
        right_html.append(_marked(b[b1:b2], "ins"))
        removed += len([t for t in a[a1:a2] if t.strip()])
        added += len([t for t in b[b1:b2] if t.strip()])
    return mark_safe("".join(left_html)), mark_safe("".join(right_html)), removed, added  # noqa: S308


def common_languages(left: Clause, right: Clause) -> list[str]:
    return [code for code in TEXT_LANGUAGES if code in left.texts() and code in right.texts()]


def compare(left: Clause, right: Clause, language: str) -> Comparison:
    """Compare the two clauses' texts in `language` (an empty text when one lacks it)."""
    left_html, right_html, removed, added = compare_texts(
        left.texts().get(language, ""), right.texts().get(language, "")
    )
    return Comparison(language, left_html, right_html, removed, added, not (removed or added))


def language_for(left: Clause, right: Clause, wanted: str, preferred: str) -> str:
    """Return the language to compare in: the one asked for, else the reader's, else the
    first both are written in, else the first either is."""
    shared = common_languages(left, right)
    for candidate in (wanted, preferred):
        if candidate in shared:
            return candidate
    if shared:
        return shared[0]
    written = [code for code in TEXT_LANGUAGES if code in left.texts() or code in right.texts()]
    return wanted if wanted in written else (written[0] if written else TEXT_LANGUAGES[0])
