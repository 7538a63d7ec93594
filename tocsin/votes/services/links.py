"""The ballot link: an opaque token, the vote's and the person's ids sealed with AES-SIV,
and the elector it names while the vote is open.
"""

import base64
import binascii
import struct
from functools import cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESSIV
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.urls import reverse

from tocsin.accounts.models import Person

from ..models import Elector, Vote

BALLOT_LINK_PURPOSE = b"tocsin.votes.ballot-link"


@cache
def ballot_link_ciphers(secrets: tuple[str, ...]) -> list[AESSIV]:
    """One cipher per secret key, newest first, each with a key of its own for this use."""
    return [
        AESSIV(HKDF(SHA256(), 64, salt=None, info=BALLOT_LINK_PURPOSE).derive(secret.encode()))
        for secret in secrets
    ]


def ciphers() -> list[AESSIV]:
    return ballot_link_ciphers((settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS))


def ballot_token(vote: Vote, person: Person) -> str:
    """Return the person's ballot link token for the vote: 43 characters that name nobody.

    The ids are encrypted and authenticated (AES-SIV under a key derived from the secret
    key), so the link says whose ballot it is only to the server, and the same person gets
    the same link each time (from the message and from their votes page)."""
    sealed = ciphers()[0].encrypt(struct.pack(">QQ", vote.pk, person.pk), [BALLOT_LINK_PURPOSE])
    return base64.urlsafe_b64encode(sealed).rstrip(b"=").decode()


def ballot_path(vote: Vote, person: Person) -> str:
    return reverse("votes:ballot", kwargs={"token": ballot_token(vote, person)})


def ids_in_token(token: str) -> tuple[int, int] | None:
    """Return the vote's and the person's ids a ballot token seals, or None if forged."""
    try:
        sealed = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        return None
    if len(sealed) != 32:
        return None
    for cipher in ciphers():
        try:
            vote_id, person_id = struct.unpack(">QQ", cipher.decrypt(sealed, [BALLOT_LINK_PURPOSE]))
        except InvalidTag:
            continue
        return vote_id, person_id
    return None


def elector_for_token(token: str) -> tuple[Vote, Person] | None:
    """Return the vote and the elector a ballot token names, or None when it is forged, or
    names someone not on the roll, or the vote has closed (the link expires at the close)."""
    ids = ids_in_token(token)
    if ids is None:
        return None
    vote = Vote.objects.select_related("organization", "unit").filter(pk=ids[0]).first()
    if vote is None or vote.is_closed:
        return None
    elector = (
        Elector.objects.select_related("person")
        .filter(vote=vote, person_id=ids[1], person__is_active=True)
        .first()
    )
    if elector is None:
        return None
    return vote, elector.person
