"""Every refusal answers JSON that names the field and the reason; never a 500 page.

Field errors share the shape of ninja's own validation errors, so a client handles one
format: {"detail": [{"loc": ["body", "payload", "lat"], "msg": "...", "type": "..."}]}.
"""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError

BODY = ("body", "payload")


def field_errors(error: ValidationError, source: tuple[str, ...] = BODY) -> list[dict]:
    """Flatten a Django ValidationError into ninja-style entries, one per field and reason."""
    entries = []
    by_field = error.error_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: [error]}
    for field, errors in by_field.items():
        loc = list(source) if field == NON_FIELD_ERRORS else [*source, field]
        for message in ValidationError(errors).messages:
            entries.append({"loc": loc, "msg": message, "type": "value_error"})
    return entries


def install(api: NinjaAPI) -> None:
    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = api.create_response(
            request,
            {"detail": _("Send a valid API token: Authorization: Bearer <token>.")},
            status=401,
        )
        response["WWW-Authenticate"] = 'Bearer realm="tocsin"'
        return response

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return api.create_response(request, {"detail": _("Not found.")}, status=404)

    @api.exception_handler(ValidationError)
    def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return api.create_response(request, {"detail": field_errors(exc)}, status=422)

    @api.exception_handler(IntegrityError)
    def conflict(request: HttpRequest, exc: IntegrityError) -> HttpResponse:
        # Services check uniqueness first; this answers the race between two requests.
        detail = [
            {
                "loc": list(BODY),
                "msg": _("This conflicts with data changed at the same time. Try again."),
                "type": "conflict",
            }
        ]
        return api.create_response(request, {"detail": detail}, status=409)
