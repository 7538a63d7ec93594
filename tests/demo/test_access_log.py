"""The web server's access log never holds a member-link token or what someone searched for."""

import logging

from django.core import signing

from tocsin.core.logs import RedactAccessLog, redact_path


def test_it_blanks_a_member_link_token():
    token = signing.dumps({"p": "person", "c": 1}, salt="tocsin.joining.member-link")
    assert redact_path(f"/me/link/{token}/") == "/me/link/…/"


def test_it_blanks_any_signed_value_in_a_path():
    token = signing.dumps("x")
    assert redact_path(f"/some/{token}") == "/some/…"


def test_it_blanks_the_query_string():
    assert redact_path("/staff/o/mna/members/?q=maria%40example.org") == "/staff/o/mna/members/?…"


def test_it_keeps_ordinary_paths():
    assert redact_path("/join/s/abc234defg/poster/") == "/join/s/abc234defg/poster/"
    assert redact_path("/healthz") == "/healthz"


def test_it_rewrites_uvicorn_access_records():
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/me/link/abc:def:ghi/?next=x", "1.1", 200),
        None,
    )
    assert RedactAccessLog().filter(record)
    assert record.getMessage() == '127.0.0.1:5000 - "GET /me/link/…/?… HTTP/1.1" 200'
