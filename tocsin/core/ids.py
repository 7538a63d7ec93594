"""Public identifiers: random, never sequential."""

import secrets
import uuid

from django.http import Http404

# No 0/O, 1/I/L: codes get read aloud over the phone and typed from posters.
_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"


def short_code(length: int = 10) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def as_uuid(value) -> uuid.UUID:
    """Return the public id a URL or a request names, or 404 when it is not one: a mistyped
    or made-up id is a page that does not exist, not an error."""
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise Http404 from None
