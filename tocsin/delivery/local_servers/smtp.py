"""A real SMTP server (aiosmtpd) that keeps what it receives, for tests and the demo.

server = CapturingSMTPServer(port=8025, jsonl_path=VAR_DIR / "outbox" / "email.jsonl")
server.start()          # runs in a background thread
server.wait_for(1)      # the messages received so far, once there is at least one
server.stop()
"""

import logging
import socket
from email import message_from_bytes, policy
from pathlib import Path

from aiosmtpd.controller import Controller
from django.utils import timezone

from .inbox import Inbox

# aiosmtpd logs every sender and recipient address at INFO; Tocsin never logs addresses.
logging.getLogger("mail.log").setLevel(logging.WARNING)


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


class CapturingHandler(Inbox):
    """Keep each message (sender, recipients, subject, text and HTML bodies, headers)."""

    # Recipients in these domains are refused (550), like a mailbox that does not exist.
    refused_domains = ("refused.test",)

    def __init__(self, jsonl_path: Path | None = None):
        super().__init__(jsonl_path)
        self.connections = 0  # SMTP sessions that greeted us (EHLO or HELO)

    def count_connection(self, session) -> None:
        if not getattr(session, "tocsin_counted", False):
            session.tocsin_counted = True
            self.connections += 1

    async def handle_EHLO(self, server, session, envelope, hostname, responses) -> list[str]:
        self.count_connection(session)
        session.host_name = hostname
        return responses

    async def handle_HELO(self, server, session, envelope, hostname) -> str:
        self.count_connection(session)
        session.host_name = hostname
        return f"250 {server.hostname}"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:
        if address.rpartition("@")[2].lower() in self.refused_domains:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        body_part = parsed.get_body(preferencelist=("plain", "html"))
        html_part = parsed.get_body(preferencelist=("html",))
        message = {
            "at": timezone.now().isoformat(),
            "from": envelope.mail_from,
            "to": list(envelope.rcpt_tos),
            "subject": str(parsed.get("subject", "")),
            "body": body_part.get_content() if body_part is not None else "",
            "html": html_part.get_content() if html_part is not None else "",
            "headers": {name: str(value) for name, value in parsed.items()},
        }
        self.keep(message)
        return "250 Message accepted for delivery"


class CapturingSMTPServer:
    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int | None = None,
        jsonl_path=None,
        handler_class: type[CapturingHandler] = CapturingHandler,
    ):
        self.host = host
        self.port = port or free_port(host)
        self.handler = handler_class(jsonl_path)
        self.controller = Controller(self.handler, hostname=host, port=self.port)

    @property
    def messages(self) -> list[dict]:
        return self.handler.messages

    @property
    def connections(self) -> int:
        """How many SMTP sessions have greeted this server so far."""
        return self.handler.connections

    def start(self) -> "CapturingSMTPServer":
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    def clear(self) -> None:
        self.handler.clear()

    def wait_for(self, count: int = 1, timeout: float = 10.0) -> list[dict]:
        """Return the messages once at least `count` have arrived, or raise TimeoutError."""
        return self.handler.wait_for(count, timeout)

    def mailer_settings(self) -> dict:
        """Return a MAILERS value that sends through this server."""
        return {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": self.host, "port": self.port, "timeout": 10},
            }
        }
