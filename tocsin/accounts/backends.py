"""Sign in with an email address, looked up by its blind index."""

import re
from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from .models import Person
from .services.people import login_index_for

LOGIN_INDEX = re.compile(r"[0-9a-f]{64}")


class EmailBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        email: str | None = None,
        **kwargs: Any,
    ) -> Person | None:
        email = email or username
        if not email or not password:
            return None
        try:
            index = login_index_for(email)
        except Exception:
            return None
        person = Person.objects.filter(login_index=index).first()
        if person is None:
            Person().set_password(password)  # Spend the same time as a real check.
            return None
        if person.check_password(password) and self.user_can_authenticate(person):
            return person
        return None


def axes_username(request, credentials) -> str:
    """Identify sign-in attempts by the email's blind index, never the typed address."""
    raw = (credentials or {}).get("email") or (credentials or {}).get("username") or ""
    if not raw and request is not None:
        raw = request.POST.get("email", "")
    if LOGIN_INDEX.fullmatch(raw):
        # After a successful sign-in axes passes the person's USERNAME_FIELD, which is
        # already the blind index.
        return raw[:32]
    try:
        return login_index_for(raw)[:32]
    except Exception:
        return "invalid"
