"""Keep secrets and typed text out of the web server's access log.

A member link carries a signed token in its path, and a query string carries what someone
typed (a search for a name or an email). The access log keeps the method, the path with
those parts blanked, and the status.
"""

import logging
import re

REDACTED = "…"
# A segment after /link/, or any segment shaped like a Django signed value (a:b:c).
_SECRET_SEGMENT = re.compile(r"(?<=/link/)[^/?#]+|(?<=/)[\w-]+(?::[\w-]+){2,}(?=/|$|\?)")


def redact_path(path: str) -> str:
    """Return the request path with signed tokens and the query string's values blanked."""
    path, question, _query = path.partition("?")
    path = _SECRET_SEGMENT.sub(REDACTED, path)
    return path + (f"?{REDACTED}" if question else "")


class RedactAccessLog(logging.Filter):
    """Blank the path's secrets in uvicorn's access records (client, method, path, …)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], redact_path(args[2]), *args[3:])
        return True


def uvicorn_log_config() -> dict:
    """Return uvicorn's own logging configuration with the redacting filter on access lines."""
    from uvicorn.config import LOGGING_CONFIG

    config = {
        key: (dict(value) if isinstance(value, dict) else value)
        for key, value in LOGGING_CONFIG.items()
    }
    config["filters"] = {"redact": {"()": "tocsin.core.logs.RedactAccessLog"}}
    config["handlers"] = {name: dict(handler) for name, handler in config["handlers"].items()}
    config["handlers"]["access"]["filters"] = ["redact"]
    return config
