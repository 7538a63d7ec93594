"""Public identifiers: random, never sequential."""

import secrets

# No 0/O, 1/I/L: codes get read aloud over the phone and typed from posters.
_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"


def short_code(length: int = 10) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))
