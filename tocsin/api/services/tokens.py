"""Issue, check and revoke API tokens. Only a token's SHA-256 hash is ever stored."""

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from tocsin.accounts.models import Person
from tocsin.audit.services import record

from ..models import ApiToken

PREFIX = "tocsin"
# Writing last_used_at on every request would turn every read into a write.
LAST_USED_PRECISION = timedelta(minutes=1)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def issue_token(
    person: Person, name: str = "", actor: Person | None = None
) -> tuple[ApiToken, str]:
    """Create a token for `person`; return it and the secret, which is shown only this once."""
    api_token = ApiToken(person=person, name=name.strip()[:100])
    secret = f"{PREFIX}_{api_token.public_id}_{secrets.token_urlsafe(32)}"
    api_token.token_hash = hash_token(secret)
    api_token.save()
    record(actor, "api.token.created", person, token=api_token.public_id)
    return api_token, secret


def person_for_token(secret: str) -> Person | None:
    """Return the active person a valid, unrevoked token belongs to, or None."""
    prefix, _sep, rest = secret.strip().partition("_")
    public_id, _sep, _random = rest.partition("_")
    if prefix != PREFIX or not public_id or len(secret) > 200:
        return None
    api_token = (
        ApiToken.objects.select_related("person")
        .filter(public_id=public_id, revoked_at__isnull=True, person__is_active=True)
        .first()
    )
    if api_token is None or not hmac.compare_digest(api_token.token_hash, hash_token(secret)):
        return None
    now = timezone.now()
    if api_token.last_used_at is None or now - api_token.last_used_at > LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
    return api_token.person


@transaction.atomic
def revoke_token(api_token: ApiToken, actor: Person | None = None) -> None:
    """Revoke a token for good; requests that carry it get 401 from now on."""
    if api_token.revoked_at is None:
        api_token.revoked_at = timezone.now()
        api_token.save(update_fields=["revoked_at"])
        record(actor, "api.token.revoked", api_token.person, token=api_token.public_id)
