"""What a local channel server received: kept in memory, and in a JSONL file for the demo."""

import json
import threading
import time
from pathlib import Path


class Inbox:
    """The messages a server has received, with a way for a test to wait for them."""

    noun = "messages"

    def __init__(self, jsonl_path: Path | str | None = None):
        self.messages: list[dict] = []
        self.jsonl_path = Path(jsonl_path) if jsonl_path else None
        self.received = threading.Condition()

    def keep(self, message: dict) -> None:
        """Keep one received message, append it to the JSONL file, and wake any waiter."""
        with self.received:
            self.messages.append(message)
            if self.jsonl_path is not None:
                self.jsonl_path.parent.mkdir(parents=True, exist_ok=True)
                with self.jsonl_path.open("a", encoding="utf-8") as file:
                    file.write(json.dumps(message, ensure_ascii=False) + "\n")
            self.received.notify_all()

    def clear(self) -> None:
        with self.received:
            self.messages.clear()

    def wait_for(self, count: int = 1, timeout: float = 10.0) -> list[dict]:
        """Return the messages once at least `count` have arrived, or raise TimeoutError."""
        deadline = time.monotonic() + timeout
        with self.received:
            while len(self.messages) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(
                        f"expected {count} {self.noun}, received {len(self.messages)}"
                    )
                self.received.wait(remaining)
            return list(self.messages)
