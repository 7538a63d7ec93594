"""Tell every server process's live streams, the moment a change commits, that it happened.

A writer calls `announce(topic)` (a topic is an organization's id) inside its transaction;
once the transaction commits, the signal goes out to every process of the installation:

- on PostgreSQL, `NOTIFY tocsin_changes, '<topic>'`: each server process keeps one
  connection that LISTENs (psycopg 3, asynchronous), however many streams it serves, and
  several machines hear it alike;
- on SQLite (one machine: server processes and a worker), one byte appended to
  `VAR_DIR/changes.signal`; each server process looks at the file's size and time every
  50 ms while streams are open (a `stat`, never a query).

A stream waits with `async with listening(topics) as heard: await heard.changed(timeout)`,
which holds no thread. While no signal is live (`heard.live` is False: TOCSIN_CONSOLE_SIGNAL
is off, or the listener lost its connection) the stream polls as before (tocsin.core.sse).
Decision 0020 says why.
"""

import asyncio
import contextlib
import logging
import os
import weakref
from collections.abc import AsyncIterator
from functools import partial
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction

logger = logging.getLogger(__name__)

CHANNEL = "tocsin_changes"
SIGNAL_FILE = "changes.signal"
# How often a server process looks at the signal file, and the file's size when it starts
# over (an append past it truncates first: the size still changes).
FILE_TICK_SECONDS = 0.05
FILE_MAX_BYTES = 4096
# After the listener loses PostgreSQL, how long before it tries again.
RECONNECT_SECONDS = 2.0


def on_postgres() -> bool:
    return connections[DEFAULT_DB_ALIAS].vendor == "postgresql"


def signal_path() -> Path:
    return Path(settings.VAR_DIR) / SIGNAL_FILE


def announce(topic: int) -> None:
    """Say, once the current transaction commits (at once outside one), that something of
    `topic` changed. A signal that fails is logged, never raised: the streams' minute
    refresh shows the change all the same."""
    if settings.TOCSIN_CONSOLE_SIGNAL:
        transaction.on_commit(partial(send, topic), robust=True)


def send(topic: int) -> None:
    if on_postgres():
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT pg_notify(%s, %s)", [CHANNEL, str(topic)])
        return
    path = signal_path()
    with contextlib.suppress(FileNotFoundError):
        if path.stat().st_size >= FILE_MAX_BYTES:
            os.truncate(path, 0)
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(descriptor, b".")
    finally:
        os.close(descriptor)


class Hub:
    """One event loop's listener and the streams it wakes."""

    def __init__(self) -> None:
        self.subscriptions: set[Subscription] = set()
        self.live = False
        self.task: asyncio.Task | None = None

    def start(self) -> None:
        if self.task is None or self.task.done():
            listen = listen_postgres if on_postgres() else watch_file
            self.task = asyncio.get_running_loop().create_task(listen(self))

    def wake(self, topic: int | None) -> None:
        """Wake the streams of `topic` (every stream when None)."""
        for subscription in list(self.subscriptions):
            if topic is None or topic in subscription.topics:
                subscription.event.set()

    def set_live(self, live: bool) -> None:
        if live and not self.live:
            self.wake(None)  # anything may have changed while nobody listened
        self.live = live


hubs: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Hub]" = weakref.WeakKeyDictionary()


def hub() -> Hub:
    loop = asyncio.get_running_loop()
    found = hubs.get(loop)
    if found is None:
        found = hubs[loop] = Hub()
    return found


class Subscription:
    """One stream's ear: woken by a change of its topics."""

    def __init__(self, hub: Hub | None, topics: set[int]) -> None:
        self.hub, self.topics = hub, topics
        self.event = asyncio.Event()

    @property
    def live(self) -> bool:
        return self.hub is not None and self.hub.live

    async def changed(self, timeout: float) -> bool:
        """Wait up to `timeout` seconds for a change of the topics; return whether one came."""
        try:
            await asyncio.wait_for(self.event.wait(), max(0.0, timeout))
        except TimeoutError:
            return False
        self.event.clear()  # before the look: a change during it wakes the next wait
        return True


@contextlib.asynccontextmanager
async def listening(topics: set[int]) -> AsyncIterator[Subscription]:
    """Listen for changes of `topics` while the block runs."""
    if not settings.TOCSIN_CONSOLE_SIGNAL:
        yield Subscription(None, topics)
        return
    shared = hub()
    subscription = Subscription(shared, topics)
    shared.subscriptions.add(subscription)
    shared.start()
    try:
        yield subscription
    finally:
        shared.subscriptions.discard(subscription)


def listener_parameters() -> dict:
    """Return how Django connects to PostgreSQL, for a connection of the listener's own."""
    parameters = connections[DEFAULT_DB_ALIAS].get_connection_params()
    for django_only in ("cursor_factory", "context", "prepare_threshold"):
        parameters.pop(django_only, None)
    return parameters


async def listen_postgres(hub: Hub) -> None:
    """LISTEN on one connection for as long as the process runs; reconnect when it drops."""
    import psycopg

    while True:
        try:
            async with await psycopg.AsyncConnection.connect(
                autocommit=True, **listener_parameters()
            ) as connection:
                await connection.execute(f"LISTEN {CHANNEL}")
                hub.set_live(True)
                async for notice in connection.notifies():
                    hub.wake(int(notice.payload) if notice.payload.isdigit() else None)
        except (psycopg.Error, OSError) as error:
            logger.warning("The change listener lost PostgreSQL: %s", type(error).__name__)
        hub.set_live(False)
        await asyncio.sleep(RECONNECT_SECONDS)


def file_state(path: Path) -> tuple[int, int, int] | None:
    try:
        found = path.stat()
    except FileNotFoundError:
        return None
    return found.st_ino, found.st_size, found.st_mtime_ns


async def watch_file(hub: Hub) -> None:
    """Look at the signal file every FILE_TICK_SECONDS while streams are open; stop when the
    last one closes (the next stream starts it again)."""
    path = signal_path()
    last = file_state(path)
    hub.set_live(True)
    try:
        while hub.subscriptions:
            await asyncio.sleep(FILE_TICK_SECONDS)
            now = file_state(path)
            if now != last:
                last = now
                hub.wake(None)
    finally:
        hub.set_live(False)
