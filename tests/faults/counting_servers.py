"""A local channel server in a process of its own that counts what each recipient received.

python -m tests.faults.counting_servers smtp|signal|sms PORT

The server is the benchmark's (tocsin.bench.servers.start: Tocsin's own local servers, the
SMTP one without MIME parsing), in its own process so that tens of thousands of messages
load neither the test's process nor each other. The benchmark's runner counts only totals;
this one counts per recipient, so a test can say who got a message twice. It prints
"ready" once listening, moves what arrived into its counts every half second, and on end
of input prints one JSON line: {"requests": n, "recipients": {address: messages}}.
"""

import json
import sys
import threading
import time
from collections import Counter

DRAIN_SECONDS = 0.5


def recipients_of(message: dict) -> list[str]:
    """Return whom one received message went to: SMTP lists them, Signal and SMS name one."""
    to = message["to"]
    return list(to) if isinstance(to, list | tuple) else [to]


def main() -> None:
    import django

    django.setup()
    from tocsin.bench.servers import start

    kind, port = sys.argv[1], int(sys.argv[2])
    server, messages, lock, requests = start(kind, port, None)
    counts: Counter = Counter()
    stopping = threading.Event()

    def drain() -> None:
        with lock:
            arrived = list(messages)
            messages.clear()
        for message in arrived:
            counts.update(recipients_of(message))

    def drain_forever() -> None:
        while not stopping.wait(DRAIN_SECONDS):
            drain()

    threading.Thread(target=drain_forever, daemon=True).start()
    print("ready", flush=True)
    sys.stdin.read()  # until the test closes our input
    stopping.set()
    time.sleep(0.1)
    server.stop()
    drain()
    print(json.dumps({"requests": requests(), "recipients": counts}), flush=True)


if __name__ == "__main__":
    main()
