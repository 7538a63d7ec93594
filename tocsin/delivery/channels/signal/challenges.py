"""Signal's rate-limit challenges: kept when a send meets one, shown to admins at once.

signal-cli-rest-api answers 429 with `challenge_tokens` and no Retry-After when Signal wants
a captcha solved before the number sends more (src/api/api.go SendV2; in normal mode the
400's text carries 'with challenge token "…"'). Nothing clears it but a person: someone
solves the captcha at https://signalcaptchas.org/challenge/generate.html and submits it with
the token to the gateway's POST /v1/accounts/{number}/rate-limit-challenge. Until then every
Signal send meets it again, which keeps it shown; one not met for SHOWN_FOR is taken as
solved.
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from tocsin.delivery.models import SignalChallenge

SHOWN_FOR = timedelta(minutes=30)


def record_challenge(tokens: list[str]) -> None:
    """Keep the challenge tokens a send met, or note that they were met again."""
    now = timezone.now()
    for token in tokens[:5]:
        SignalChallenge.objects.update_or_create(
            token=token[:200],
            defaults={"last_seen_at": now, "account": settings.TOCSIN_SIGNAL_NUMBER},
            create_defaults={
                "first_seen_at": now,
                "last_seen_at": now,
                "account": settings.TOCSIN_SIGNAL_NUMBER,
            },
        )


def open_challenges():
    """Return the challenges sends met lately, newest first."""
    return SignalChallenge.objects.filter(last_seen_at__gte=timezone.now() - SHOWN_FOR)
