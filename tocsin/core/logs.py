"""Keep secrets, contact details and typed text out of every log line.

A personal link carries its secret in the path (`/a/<token>/`, `/me/link/<token>/`,
`/ballot/<token>/`, `/staff/password/<person>/<token>/`, `…/check-in/<secret>/`): whoever
reads it from a log can act as the person it was sent to. Which segment is secret is
decided by the URL patterns, not by the token's shape: a URL argument named in
SECRET_ARGUMENTS is blanked wherever its route appears in a log line, whatever follows it
(`/a/…/stop/`, a 404 for `/a/…/nonsense`, the redirect of `/a/…`), percent-encoded or not,
in any case, inside a full URL or a traceback. A query string carries what someone typed
(a search for a name), so its values are blanked too. As a second net, anything shaped like
a Django signed value, an email address, an E.164 phone number, a bearer token or a session
or CSRF cookie is blanked wherever it appears.

The redaction runs on every record a Tocsin process makes, at two places, so that no
logger or handler can bypass it:

- the record factory (`install_record_factory`), when the record is made, whatever logger
  made it and whatever handler will write it (one a library adds later included);
- the `RedactSecrets` filter on every handler of Tocsin's logging configuration and of
  uvicorn's (`configure_logging`, `uvicorn_log_config`), which also blanks, wherever they
  appear, the secret values of the request a `django.request` or `django.security` record
  is about (an exception's message may quote them).
"""

import logging
import logging.config
import re
import threading
from collections.abc import Iterable
from functools import lru_cache
from urllib.parse import quote, unquote

REDACTED = "…"
# URL arguments whose value is a secret: a signed link, a reset token, a QR's secret.
# Name a new one so (CONTRIBUTING.md); tests/core/test_logs.py fails on an unknown name.
SECRET_ARGUMENTS = frozenset({"token", "secret"})
# What a path segment may hold in a log line: it ends at a slash, a space, a quote, `?`, `#`.
_SEGMENT = r"[^/\s?#\"'<>]+"
_PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>\w+)>")
_REGEX_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>")
# A path followed by its query string: the query's values are blanked.
_QUERY = re.compile(r"(?P<path>/[^\s?#\"'<>]*)\?[^\s#\"'<>]+")
# The second net: shapes that are secret or personal wherever they appear.
_SHAPES = [
    # A Django signed value (payload:timestamp:signature), `:` written as is or as %3A.
    (re.compile(r"[\w.-]+(?::|%3A)[\w-]{4,}(?::|%3A)[\w-]{20,}", re.IGNORECASE), REDACTED),
    (re.compile(r"[\w.+-]+(?:@|%40)[\w-]+(?:\.[\w-]+)+", re.IGNORECASE), REDACTED),
    (re.compile(r"(?:\+|%2B)[1-9]\d{7,14}\b", re.IGNORECASE), REDACTED),
    (re.compile(r"(?P<keep>Bearer\s+)[^\s'\",;]+", re.IGNORECASE), rf"\g<keep>{REDACTED}"),
    (
        re.compile(r"(?P<keep>\b(?:sessionid|csrftoken|csrfmiddlewaretoken)=)[^;\s'\"&]+"),
        rf"\g<keep>{REDACTED}",
    ),
]
# Any piece this long of a request's own secret values is blanked (a shorter one, such as a
# forged "1", would blank ordinary text; its path is blanked all the same).
_MIN_VALUE = 10
_WITHHELD = "(a log line was withheld: it could not be redacted)"
_state = threading.local()


# The routes that carry a secret.


def _piece(pattern) -> tuple[str, str | None]:
    """Return a URL pattern as regex text (each argument any one segment, secret ones as
    groups), and that text cut after its last secret argument (None when it has none)."""
    from django.urls.resolvers import RegexPattern

    text = str(pattern)
    if isinstance(pattern, RegexPattern):
        text = text.removeprefix("^").removesuffix("\\Z").removesuffix("$")
        secret = any(m["name"] in SECRET_ARGUMENTS for m in _REGEX_GROUP.finditer(text))
        text = _REGEX_GROUP.sub(lambda m: "(" if m["name"] in SECRET_ARGUMENTS else "(?:", text)
        return text, (text if secret else None)
    pieces, end, cut = [], 0, 0
    for match in _PARAMETER.finditer(text):
        pieces.append(re.escape(text[end : match.start()]))
        secret = match["name"] in SECRET_ARGUMENTS
        pieces.append(f"({_SEGMENT})" if secret else f"(?:{_SEGMENT})")
        end = match.end()
        if secret:
            cut = len(pieces)  # nothing after the last secret matters: cut the route there
    pieces.append(re.escape(text[end:]))
    return "".join(pieces), ("".join(pieces[:cut]) if cut else None)


def _walk(patterns, prefix: tuple = ()):
    from django.urls import URLResolver

    for entry in patterns:
        chain = (*prefix, entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, chain)
        else:
            yield chain


@lru_cache(maxsize=8)
def secret_routes(urlconf: str | None = None) -> tuple[re.Pattern, ...]:
    """Return one regex per route with a secret argument, matching the route's path up to
    its last secret argument (so `/a/<token>/` stands for `/a/<token>/stop/` and for any
    404 under it), the secrets as groups, in any case."""
    from django.urls import get_resolver

    found: dict[str, re.Pattern] = {}
    for chain in _walk(get_resolver(urlconf).url_patterns):
        before = ""
        for pattern in chain:
            text, cut = _piece(pattern)
            if cut is not None:
                regex = "/" + before + cut
                found.setdefault(regex, re.compile(regex, re.IGNORECASE))
                break
            before += text
    return tuple(found.values())


def _routes() -> tuple[re.Pattern, ...]:
    """The secret routes of the current URLconf; none before Django's apps are loaded (no
    request is served before then)."""
    from django.apps import apps
    from django.conf import settings
    from django.urls import get_urlconf

    if not apps.ready:
        return ()
    return secret_routes(get_urlconf() or settings.ROOT_URLCONF)


def _is_public_route(path: str) -> bool:
    """Whether `path` is a route whose arguments are all public (`/ballot/receipt/` matches
    the shape of `/ballot/<token>/` but is the receipt page)."""
    from django.urls import resolve

    try:
        match = resolve(path)
    except Exception:  # not a route (Resolver404), or an odd path: never taken as public
        return False
    return not SECRET_ARGUMENTS & set(match.kwargs)


def _blank_routes(text: str) -> str:
    for route in _routes():
        text = route.sub(_blank_match, text)
    return text


def _blank_match(match: re.Match) -> str:
    """Return the matched route with each secret group blanked."""
    whole = match.group(0)
    if _is_public_route(unquote(whole) + "/"):
        return whole
    pieces, end = [], match.start()
    for index in range(1, match.re.groups + 1):
        if match.start(index) < 0:
            continue
        pieces.append(match.string[end : match.start(index)])
        pieces.append(REDACTED)
        end = match.end(index)
    pieces.append(match.string[end : match.end()])
    return "".join(pieces)


def _blank_encoded_words(text: str) -> str:
    """Decode each percent-encoded word and blank it when its decoded form holds a secret
    route (`/%61/<token>/` is `/a/<token>/`, `%253A` is `%3A` encoded twice)."""
    if "%" not in text:
        return text

    def word(match: re.Match) -> str:
        original = decoded = match.group(0)
        for _level in range(3):
            once = unquote(decoded)
            if once == decoded:
                break
            decoded = once
        if decoded == original:
            return original
        blanked = _blank_routes(decoded)
        return blanked if blanked != decoded else original

    return re.sub(r"[^\s\"'<>]*%[0-9A-Fa-f]{2}[^\s\"'<>]*", word, text)


def _blank_values(text: str, values: Iterable[str]) -> str:
    """Blank every run of `text` that is a piece (at least _MIN_VALUE long) of a value: an
    exception may quote a secret whole, or its start, or its end."""
    hidden = [False] * len(text)
    for value in values:
        for start in range(len(value) - _MIN_VALUE + 1):
            window = value[start : start + _MIN_VALUE]
            found = text.find(window)
            while found >= 0:
                hidden[found : found + _MIN_VALUE] = [True] * _MIN_VALUE
                found = text.find(window, found + 1)
    if not any(hidden):
        return text
    pieces, index = [], 0
    while index < len(text):
        if hidden[index]:
            while index < len(text) and hidden[index]:
                index += 1
            pieces.append(REDACTED)
        else:
            pieces.append(text[index])
            index += 1
    return "".join(pieces)


def redact(text: str, values: Iterable[str] = ()) -> str:
    """Return `text` with secrets blanked: any piece of the given values, the secret
    segments of every route, query strings, and what is shaped like a secret or a contact
    address."""
    text = _blank_values(text, values)
    text = _blank_routes(text)
    text = _blank_encoded_words(text)
    text = _QUERY.sub(rf"\g<path>?{REDACTED}", text)
    for shape, replacement in _SHAPES:
        text = shape.sub(replacement, text)
    return text


def redact_path(path: str) -> str:
    """Return a request path (with its query string) with its secrets blanked."""
    return redact(path)


def request_secrets(request) -> list[str]:
    """Return the secret URL arguments of a request, as they are and percent-encoded."""
    from django.urls import resolve

    match = getattr(request, "resolver_match", None)
    if match is None:
        try:
            match = resolve(getattr(request, "path_info", ""))
        except Exception:  # not a route: its path is blanked by shape all the same
            return []
    forms: set[str] = set()
    for name, value in match.kwargs.items():
        if name not in SECRET_ARGUMENTS or not isinstance(value, str):
            continue
        for form in (value, quote(value, safe=""), quote(value)):
            if len(form) >= _MIN_VALUE:
                forms.add(form)
    return sorted(forms)


# Records.


def _redact_argument(value, values: list[str]):
    if isinstance(value, str):
        return redact(value, values)
    if value is None or isinstance(value, (bool, int, float)):
        return value
    text = str(value)
    clean = redact(text, values)
    return value if clean == text else clean


def _format(msg, args) -> str:
    text = str(msg)
    return text % args if args else text


def redact_record(record: logging.LogRecord, values: list[str] | None = None) -> None:
    """Blank the secrets of a record's message, arguments, exception and stack, in place.

    The arguments are redacted one by one where that is enough, so that a formatter that
    reads them (uvicorn's access lines) still finds them; otherwise the message is replaced
    by its redacted text. An exception is rendered here and kept only as redacted text, so
    that no handler renders it again from the frames.
    """
    values = values or []
    try:
        try:
            message = record.getMessage()
        except Exception:  # a broken record must not print its arguments
            record.msg, record.args = redact(str(record.msg), values), ()
            message = None
        if message is not None:
            clean = redact(message, values)
            if clean != message:
                msg = redact(record.msg, values) if isinstance(record.msg, str) else record.msg
                args = record.args
                if isinstance(args, tuple):
                    args = tuple(_redact_argument(arg, values) for arg in args)
                elif isinstance(args, dict):
                    args = {key: _redact_argument(arg, values) for key, arg in args.items()}
                try:
                    kept = _format(msg, args)
                except Exception:
                    kept = None
                if kept is not None and redact(kept, values) == kept:
                    record.msg, record.args = msg, args
                else:
                    record.msg, record.args = clean, ()
                    record.__dict__.pop("color_message", None)
        if record.exc_info:
            if not record.exc_text:
                record.exc_text = logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
        if record.exc_text:
            record.exc_text = redact(record.exc_text, values)
        if record.stack_info:
            record.stack_info = redact(record.stack_info, values)
    except Exception:  # withhold the line rather than write a secret
        record.msg, record.args = _WITHHELD, ()
        record.exc_info = record.exc_text = record.stack_info = None
        record.__dict__.pop("color_message", None)


class RedactSecrets(logging.Filter):
    """Blank secrets in every record a handler writes (see the module's docstring)."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        values = request_secrets(request) if request is not None else []
        if values or not getattr(record, "tocsin_redacted", False):
            _redacting(record, values)
        return True


def _redacting(record: logging.LogRecord, values: list[str]) -> None:
    # Resolving a path may import the URLconf, which may log: that inner record is made
    # without redaction rather than recursing (the URLconf's import logs no request).
    if getattr(_state, "busy", False):
        return
    _state.busy = True
    try:
        redact_record(record, values)
        record.tocsin_redacted = True
    finally:
        _state.busy = False


def install_record_factory() -> None:
    """Make every log record of this process redacted as it is made, once."""
    current = logging.getLogRecordFactory()
    if getattr(current, "tocsin_redacts", False):
        return

    def factory(*args, **kwargs) -> logging.LogRecord:
        record = current(*args, **kwargs)
        _redacting(record, [])
        return record

    factory.tocsin_redacts = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


def add_filter_to_every_handler() -> None:
    """Put a RedactSecrets filter on every handler of every logger that has one."""
    loggers = [logging.getLogger(), *logging.Logger.manager.loggerDict.values()]
    for logger in loggers:
        for handler in getattr(logger, "handlers", []):
            if not any(isinstance(f, RedactSecrets) for f in handler.filters):
                handler.addFilter(RedactSecrets())


def configure_logging(config: dict) -> None:
    """Configure logging from settings.LOGGING (Django's LOGGING_CONFIG names this), then
    redact on every handler and in the record factory."""
    install_record_factory()
    logging.config.dictConfig(config)
    add_filter_to_every_handler()


ACCESS_FORMAT = '%(levelprefix)s "%(request_line)s" %(status_code)s'


def uvicorn_log_config() -> dict:
    """Return uvicorn's own logging configuration with the redacting filter on every handler
    and access lines that keep no client address."""
    from uvicorn.config import LOGGING_CONFIG

    config = {
        key: (dict(value) if isinstance(value, dict) else value)
        for key, value in LOGGING_CONFIG.items()
    }
    config["filters"] = {"redact": {"()": "tocsin.core.logs.RedactSecrets"}}
    # No client address: beside the time of a `POST /report/…` it says who reported.
    config["formatters"] = {name: dict(spec) for name, spec in config["formatters"].items()}
    config["formatters"]["access"]["fmt"] = ACCESS_FORMAT
    config["handlers"] = {
        name: {**handler, "filters": [*handler.get("filters", []), "redact"]}
        for name, handler in config["handlers"].items()
    }
    return config
