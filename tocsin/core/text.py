"""Small fixes to rendered sentences."""

import re

# Exactly two periods: a value that ends in its own period ("11:25 a.m.", "Carmen R.")
# put before the period that ends the sentence. An ellipsis ("...") is left alone.
_DOUBLE_PERIOD = re.compile(r"(?<!\.)\.\.(?!\.)")


def one_period(text: str) -> str:
    """Return `text` with each sentence ending in one period, not two."""
    return _DOUBLE_PERIOD.sub(".", text)
