"""Answer 503 with Retry-After, never a 500, while the database or the queue is down.

A PostgreSQL restart or a Redis that blinks is not a bug in the request: the person sending
a report must learn that it was NOT received and that trying again soon will work, not see
"Server Error (500)". Errors of a dependency (DEPENDENCY_ERRORS: the database's
OperationalError and InterfaceError, the queue's connection errors) answer 503 with
Retry-After: JSON in the API's error shape under /api/, a small page in the person's
language elsewhere. The page is rendered without the request's context, so that it reads
nothing from the database that is down (no session, no person). See decision 0016.

Two places catch them: OutageMiddleware for an error raised in a view (the usual case), and
`server_error` (the project's handler500) for one raised in a middleware, such as a staff
session read while PostgreSQL restarts.
"""

import logging
import sqlite3
import sys

import psycopg
import redis
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.views import defaults

log = logging.getLogger(__name__)

# What a dependency that is down or restarting raises: Django's wrappers of the database's
# errors, and what the queue's stores raise on their own (Redis; SQLite's and PostgreSQL's
# drivers, used by the queue and the rate limiter outside Django's connection).
DEPENDENCY_ERRORS: tuple[type[BaseException], ...] = (
    OperationalError,
    InterfaceError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    sqlite3.OperationalError,
    psycopg.OperationalError,
    psycopg.InterfaceError,
)
# Seconds a client should wait before trying again: a restart of either takes seconds.
RETRY_AFTER_SECONDS = 30


def is_outage(error: BaseException | None) -> bool:
    """Whether `error` says that the database or the queue is unreachable."""
    return isinstance(error, DEPENDENCY_ERRORS)


def outage_response(request: HttpRequest) -> HttpResponse:
    """Return the 503 that tells the client to try again in RETRY_AFTER_SECONDS."""
    language = getattr(request, "LANGUAGE_CODE", None) or translation.get_language_from_request(
        request
    )
    with translation.override(language):
        if request.path.startswith("/api/"):
            message = _(
                "Tocsin cannot reach its database or queue for a moment. Nothing was "
                "received: send it again in %(seconds)d seconds."
            ) % {"seconds": RETRY_AFTER_SECONDS}
            response: HttpResponse = JsonResponse({"detail": message}, status=503)
        else:
            page = render_to_string(
                "core/outage.html", {"LANGUAGE_CODE": language, "seconds": RETRY_AFTER_SECONDS}
            )
            response = HttpResponse(page, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class OutageMiddleware:
    """Answer a view's dependency error with the 503 of `outage_response`."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if not is_outage(exception):
            return None
        # The error's type only: a driver's message may name the server or the query.
        log.warning("dependency unavailable, answered 503: %s", type(exception).__name__)
        return outage_response(request)


def server_error(request: HttpRequest) -> HttpResponse:
    """The project's handler500: a dependency error raised outside a view (a middleware
    reading the session) is an outage too; anything else is Django's 500 page."""
    if is_outage(sys.exc_info()[1]):
        return outage_response(request)
    return defaults.server_error(request)
