"""Run one local channel server in a process of its own, counting what it receives.

python -m tocsin.bench.servers smtp|signal|sms|push PORT [PUSH_STATE_FILE]

The server is Tocsin's own (tocsin.delivery.local_servers), speaking the real protocol; the
SMTP one counts each message without parsing its MIME (see counting_smtp_handler).
It prints "ready" once listening, drops what it received every half second after counting
it (a million kept messages would measure the server's memory, not the engine's), and on
end of input prints {"received": n, "requests": n} and stops.
"""

import json
import sys
import threading
import time

from tocsin.delivery.local_servers.push import LocalPushService
from tocsin.delivery.local_servers.signal import LocalSignalServer
from tocsin.delivery.local_servers.sms import LocalSmsGateway
from tocsin.delivery.local_servers.smtp import CapturingHandler, CapturingSMTPServer

DRAIN_SECONDS = 0.5


class AliasedSubscriptions(dict):
    """The push service's subscriptions, where "<id>.<n>" is another endpoint of "<id>".

    The benchmark makes a pool of real subscriptions (each with its own ECDH key pair) and
    gives every push contact its own endpoint on one of them: each push is still signed,
    encrypted for that key pair, VAPID-checked and decrypted by the service.
    """

    def get(self, endpoint_id, default=None):
        return super().get(endpoint_id.partition(".")[0], default)


def counting_smtp_handler():
    """The capture server's handler, minus parsing each message into text, HTML and headers:
    the benchmark drops what it received unread, so it keeps only sender and recipients.
    The SMTP conversation (EHLO, MAIL, RCPT with its refusals, DATA) is the server's own."""

    class CountingHandler(CapturingHandler):
        async def handle_DATA(self, server, session, envelope) -> str:
            with self.received:
                self.messages.append({"from": envelope.mail_from, "to": list(envelope.rcpt_tos)})
            return "250 Message accepted for delivery"

    return CountingHandler


def start(kind: str, port: int, state_path: str | None):
    """Return (server, its message list, the lock that guards it, a request counter)."""
    if kind == "smtp":
        server = CapturingSMTPServer(port=port, handler_class=counting_smtp_handler()).start()
        handler = server.handler
        return server, handler.messages, handler.received, lambda: handler.connections
    if kind in {"signal", "sms"}:
        # The bench measures sending; status callbacks would load the server it measures.
        gateway = (
            LocalSignalServer(port=port)
            if kind == "signal"
            else LocalSmsGateway(port=port, status_callbacks=False)
        )
        gateway.start()
        return gateway, gateway.messages, gateway.received, lambda: gateway.requests
    if kind == "push":
        service = LocalPushService(port=port, state_path=state_path)
        service.subscriptions = AliasedSubscriptions(service.subscriptions)
        service.state_path = None  # nothing is subscribed from here on
        service.start()
        return service, service.messages, service.received, lambda: service.requests
    raise SystemExit(f"unknown server kind {kind!r}")


def main() -> None:
    import django

    django.setup()
    kind, port = sys.argv[1], int(sys.argv[2])
    state_path = sys.argv[3] if len(sys.argv) > 3 else None
    server, messages, lock, requests = start(kind, port, state_path)
    received = 0
    stopping = threading.Event()

    def drain() -> int:
        nonlocal received
        with lock:
            received += len(messages)
            messages.clear()
        return received

    def drain_forever() -> None:
        while not stopping.wait(DRAIN_SECONDS):
            drain()

    threading.Thread(target=drain_forever, daemon=True).start()
    print("ready", flush=True)
    sys.stdin.read()  # until the benchmark closes our input
    stopping.set()
    time.sleep(0.1)
    server.stop()
    print(json.dumps({"received": drain(), "requests": requests()}), flush=True)


if __name__ == "__main__":
    main()
