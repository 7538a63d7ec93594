"""What a log line keeps of a request: no secret that a URL pattern says its path carries,
whatever the logger, the handler, the encoding or the shape of the secret; no query string,
contact address, bearer token or session cookie either.

The end-to-end proof, under a real `tocsin serve`, is tests/security/test_log_scan.py.
"""

import io
import logging
import re
from urllib.parse import quote

import pytest
from django.core import signing
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client, RequestFactory, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, path
from uvicorn.logging import AccessFormatter

from tocsin.core.logs import (
    REDACTED,
    SECRET_ARGUMENTS,
    RedactSecrets,
    redact,
    request_secrets,
    uvicorn_log_config,
)

# Every URL argument that is not a secret: a public code or id, or a slug. A new argument
# must be named `token` or `secret` when it carries a secret (tocsin/core/logs.py), or
# be added here after checking that knowing it lets nobody act as anyone.
PUBLIC_ARGUMENTS = {
    # a map tile's zoom and position: the same for everyone who looks at that place
    "z",
    "x",
    "y",
    "org",
    "site",
    "unit",
    "person",
    "alert",
    "incident",
    "report",
    "photo",
    "notice_channel",
    # a webhook's code: it names the receiver on the admin's screen, not its secret
    "webhook",
    "case",
    "task",
    "facility",
    "pledge",
    "coalition_pledge",
    "event",
    "campaign",
    "vote",
    "structure_test",
    "clause",
    "agreement",
    "circle",
}
# Shaped like Django's signed values, as Tocsin's links are, with parts long enough to find.
TOKEN = signing.dumps({"p": "3f1c2f9e-6a4b-4e55-9f0e-1d2c3b4a5f60", "c": 4711}, salt="x")


def walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


def routes() -> list[tuple[str, list[str]]]:
    return [
        (route, re.findall(r"<(?:[^>:]+:)?(\w+)>", route))
        for route in walk(get_resolver().url_patterns)
    ]


def secret_routes() -> list[str]:
    return [route for route, names in routes() if SECRET_ARGUMENTS & set(names)]


def example(route: str) -> str:
    """Fill a route: secrets with TOKEN, every other argument with a public-looking code."""
    return "/" + re.sub(
        r"<(?:[^>:]+:)?(\w+)>",
        lambda m: TOKEN if m.group(1) in SECRET_ARGUMENTS else "k3y9code",
        route,
    )


def assert_blank(line: str) -> None:
    assert REDACTED in line, line
    for part in [TOKEN, *TOKEN.split(":")]:
        assert part not in line and quote(part, safe="") not in line, line


def test_every_url_argument_is_known_to_be_secret_or_public():
    unknown = {
        (route, name)
        for route, names in routes()
        for name in names
        if name not in SECRET_ARGUMENTS | PUBLIC_ARGUMENTS
    }
    assert not unknown, "name each secret URL argument `token` or `secret`: " + repr(unknown)


def test_the_personal_links_are_the_routes_with_secrets():
    assert set(secret_routes()) == {
        "me/link/<str:token>/",
        "staff/password/<str:person>/<str:token>/",
        "a/<str:token>/",
        "a/<str:token>/stop/",
        "u/<str:token>/",
        "a/<str:token>/answer/",
        "me/events/<str:event>/check-in/<str:secret>/",
        "ballot/<str:token>/",
        "me/plan/detained/<str:token>/",
    }


@pytest.mark.parametrize("route", secret_routes())
def test_it_blanks_the_secret_of_each_personal_route_however_it_is_written(route):
    full = example(route)
    uvicorn = quote(full)  # uvicorn's access line: `:` is written %3A
    lines = [
        f'127.0.0.1:51234 - "GET {full} HTTP/1.1" 200',
        f'127.0.0.1:51234 - "GET {uvicorn} HTTP/1.1" 200',
        f'127.0.0.1:51234 - "GET {uvicorn}?next=/me/ HTTP/1.1" 302',
        f"Not Found: {full}nonsense/",  # a 404 under it
        f"Not Found: {full.rstrip('/')}",  # the redirect to its slash
        f"Not Found: {full.upper()}",
        f"Conflict: {quote(uvicorn)}",  # encoded twice
        f"sent https://tocsin.example.org{full} to them",
        f"Forbidden (CSRF cookie not set.): {full}",
        f"ValueError: {full!r} is not a ballot",
    ]
    for line in lines:
        assert_blank(redact(line))


def test_it_blanks_a_route_whose_letters_are_percent_encoded():
    assert_blank(redact(f"GET /%61/{TOKEN}/ HTTP/1.1"))
    assert_blank(redact(f"GET /m%65/link/{quote(TOKEN, safe='')}/ HTTP/1.1"))


def test_it_blanks_a_secret_of_any_shape_where_its_route_says_so():
    reset = "cy5c2k-8d3f9a1b0c7e6d5f4a3b2c1d0e9f8a7b"  # a password reset token: no colon
    assert redact(f"/staff/password/abc/{reset}/") == f"/staff/password/abc/{REDACTED}/"
    qr = "Zq8mW2xT9kPv"  # an event's check-in secret
    assert redact(f"/me/events/ev1/check-in/{qr}/") == f"/me/events/ev1/check-in/{REDACTED}/"
    assert redact("/a/1/") == f"/a/{REDACTED}/"  # even a forged one


def test_it_keeps_the_paths_that_carry_no_secret():
    for kept in (
        "/ballot/receipt/",
        "/me/link/",
        "/me/events/ev1/",
        "/staff/password/sent/",
        "/join/s/abc234defg/poster/",
        "/staff/o/mna/members/3f1c2f9e-6a4b-4e55-9f0e-1d2c3b4a5f60/",
        "/healthz",
    ):
        assert redact(f'"GET {kept} HTTP/1.1" 200') == f'"GET {kept} HTTP/1.1" 200'


def test_it_blanks_query_strings_contacts_bearer_tokens_and_session_cookies():
    assert redact("/staff/o/mna/members/?q=maria%40example.org") == "/staff/o/mna/members/?…"
    line = redact(
        "to rosa.reyes@example.org and +16125550142; Authorization: Bearer tk_abc.def; "
        "Cookie: sessionid=s3ss10n; csrftoken=c5rf"
    )
    for kept_out in ("rosa", "example.org", "6125550142", "tk_abc", "s3ss10n", "c5rf"):
        assert kept_out not in line
    assert "Bearer …" in line and "sessionid=…" in line


def test_any_signed_value_is_blanked_outside_a_route_too():
    assert_blank(redact(f"signature of {TOKEN} does not match"))
    assert_blank(redact(f"value {TOKEN.replace(':', '%3A')}"))


def test_uvicorns_access_line_is_written_blanked_by_its_own_formatter():
    logger = logging.getLogger("uvicorn.access.test")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(AccessFormatter('%(client_addr)s - "%(request_line)s" %(status_code)s'))
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.info(
            '%s - "%s %s HTTP/%s" %d',
            "127.0.0.1:5000",
            "GET",
            quote(f"/a/{TOKEN}/stop/") + "?next=x",
            "1.1",
            200,
        )
    finally:
        logger.removeHandler(handler)
    assert (
        stream.getvalue()
        == f'127.0.0.1:5000 - "GET /a/{REDACTED}/stop/?{REDACTED} HTTP/1.1" 200 OK\n'
    )


def test_a_logger_and_handler_made_later_write_no_token_either():
    logger = logging.getLogger("some.library.made.later")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)  # no filter of ours
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("fetched %s", f"https://tocsin.example.org/me/link/{TOKEN}/")
        try:
            raise ValueError(f"bad link /ballot/{TOKEN}/ for rosa@example.org")
        except ValueError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)
    written = stream.getvalue()
    assert "fetched https://tocsin.example.org/me/link/…/" in written
    assert "ValueError: bad link /ballot/…/ for …" in written
    assert_blank(written)


def test_every_handler_tocsin_and_uvicorn_configure_has_the_redacting_filter(settings):
    for name, handler in settings.LOGGING["handlers"].items():
        assert "redact" in handler.get("filters", []), name
    config = uvicorn_log_config()
    assert config["filters"]["redact"]["()"] == "tocsin.core.logs.RedactSecrets"
    for name, handler in config["handlers"].items():
        assert "redact" in handler["filters"], name
    root = logging.getLogger()
    configured = [h for h in root.handlers if type(h) is logging.StreamHandler]
    assert configured and all(
        any(isinstance(f, RedactSecrets) for f in h.filters) for h in configured
    )


def test_django_keeps_no_handler_of_its_own_that_would_write_past_the_filter():
    for name in ("django", "django.server", "django.request"):
        handlers = logging.getLogger(name).handlers
        assert not handlers, (name, handlers)


def test_a_requests_own_secret_is_blanked_wherever_a_record_about_it_quotes_it():
    request = RequestFactory().get(f"/a/{TOKEN}/")
    assert TOKEN in request_secrets(request)
    record = logging.LogRecord(
        "django.request", logging.ERROR, __file__, 1, "Failed: %s", ("x",), None
    )
    record.msg = f"Failed for {TOKEN.split(':')[2]}"  # a part of it, in the text
    record.request = request
    RedactSecrets().filter(record)
    assert record.getMessage() == "Failed for …"


def boom(request, token):
    raise ValueError(f"no delivery for {token[-20:]}")  # a piece of the secret, unshaped


urlpatterns = [path("a/<str:token>/", boom)]


@override_settings(ROOT_URLCONF=__name__)
def test_a_server_error_logs_neither_the_path_nor_the_exception_with_its_secret(db):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    handler.addFilter(RedactSecrets())
    logging.getLogger("django.request").addHandler(handler)
    try:
        response = Client(raise_request_exception=False).get(f"/a/{TOKEN}/")
    finally:
        logging.getLogger("django.request").removeHandler(handler)
    written = stream.getvalue()
    assert response.status_code == 500
    assert "ERROR django.request Internal Server Error: /a/…/" in written
    assert "ValueError: no delivery for …" in written
    assert TOKEN[-20:] not in written
    assert_blank(written)


def test_serve_refuses_the_trace_level_that_dumps_headers():
    with pytest.raises(CommandError, match="invalid choice: 'trace'"):
        call_command("serve", "--log-level", "trace")
