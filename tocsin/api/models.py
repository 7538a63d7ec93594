"""API tokens: a bearer token acts as its person, with that person's roles.

Only the token's SHA-256 hash is stored. The token itself is printed once, when the operator
creates it on the command line (`tocsin api-token EMAIL`), and cannot be recovered.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from tocsin.core.ids import short_code


class ApiToken(models.Model):
    # The random, public part of the token: it names the token in listings and in the audit
    # log, and finds the row without scanning hashes.
    public_id = models.CharField(max_length=12, unique=True, default=short_code, editable=False)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    name = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"API token {self.public_id}"

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None
