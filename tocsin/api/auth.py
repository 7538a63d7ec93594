"""Bearer-token authentication, and what a guard loads before any view runs.

Every guard of the API (tocsin.api.access) is a `BearerToken`: it authenticates
`Authorization: Bearer <token>`, then loads what the operation acts on (the caller's
membership in the `org` path argument's organization, an incident, a case...) before ninja
parses the request body or calls the view. Whoever may not see it therefore gets 404
whatever they send; a member without the role gets 403.

Ninja keeps what the guard returned as `request.auth`; a view reads it back, typed, with
`GUARD.of(request)`.
"""

from collections.abc import Callable
from typing import Any, cast

from django.http import HttpRequest
from ninja.security import HttpBearer

from tocsin.accounts.models import Person

from .services.tokens import person_for_token


class BearerToken[Granted](HttpBearer):
    """Authenticate `Authorization: Bearer <token>`, then `load` what the operation may act
    on for the token's person (or raise Http404); the request acts as that person.

    The class's name is the security scheme's name in the OpenAPI document.
    """

    def __init__(
        self, load: Callable[[HttpRequest, Person], Granted], granted: type[Granted]
    ) -> None:
        super().__init__()
        self.load = load
        self.granted = granted

    def __call__(self, request: HttpRequest) -> Granted | None:
        # HttpBearer.__call__ logs a malformed header in DEBUG; a token must never be logged.
        scheme, _space, token = request.headers.get(self.header, "").partition(" ")
        if scheme.lower() != self.openapi_scheme or not token:
            return None
        return self.authenticate(request, token)

    def authenticate(self, request: HttpRequest, token: str) -> Granted | None:
        person = person_for_token(token)
        if person is None:
            return None
        return self.load(request, person)

    def of(self, request: HttpRequest) -> Granted:
        """Return what this guard loaded for the request: ninja keeps it as request.auth.

        Refuse loudly (500, never an answer) when the operation is guarded by another kind
        of guard: its view would read the wrong object."""
        granted = cast(Any, request).auth
        if not isinstance(granted, self.granted):
            raise TypeError(f"The operation's guard loaded {type(granted).__name__}.")
        return granted
