"""Hold each channel account to its rate across every worker, process and machine.

A Signal number, an SMS sender or an SMTP account accepts only so many requests a second;
past that the provider answers 429 or blocks the account, which during a raid would be
worse than sending a little later. Workers run in many processes, possibly on many
machines, so the bucket lives in the store they already share: the queue's SQLite file,
its Redis or its PostgreSQL database (TOCSIN_QUEUE_URL).

Each key (a channel account, such as "signal:+15555550100") is a token bucket holding up
to `burst` tokens and refilled at `rate` tokens a second. A blocking `acquire` reserves its
tokens at once, letting the bucket go negative, and then sleeps until they would have been
there: one round trip per call and first come, first served, instead of workers polling.
Keys name accounts, not people; even so they are never logged, since an account's key
holds a phone number or an address.
"""

import contextlib
import functools
import logging
import math
import os
import sqlite3
import threading
import time
from abc import ABC, abstractmethod
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from tocsin.core.queue import sqlite_path

log = logging.getLogger(__name__)

# Beyond this, a wait means "as long as it takes" (Lua and SQL need a finite number).
UNLIMITED_WAIT = 1e9


class RateLimitTimeout(Exception):
    """The tokens would come later than the caller is willing to wait."""

    def __init__(self, retry_after: float):
        super().__init__(f"rate limited: tokens available in {retry_after:.3f}s")
        # A job can be retried with this delay instead of holding its worker.
        self.retry_after = retry_after


def refill_and_take(
    tokens: float | None,
    updated: float,
    now: float,
    rate: float,
    burst: float,
    wanted: float,
    max_wait: float,
) -> tuple[float, bool, float]:
    """Return the bucket's new level, whether `wanted` tokens were taken, and the wait.

    A missing bucket (`tokens` None) starts full. Tokens are taken when they would be
    there within `max_wait` seconds, leaving the bucket in debt until then; otherwise the
    bucket is only refilled. The Redis script repeats this arithmetic in Lua.
    """
    if tokens is None:
        tokens = burst
    tokens = min(burst, tokens + max(0.0, now - updated) * rate)
    wait = max(0.0, (wanted - tokens) / rate)
    if wait <= max_wait:
        return tokens - wanted, True, wait
    return tokens, False, wait


class RateLimiter(ABC):
    """A token bucket per key, shared by every worker that reaches the same store."""

    def acquire(
        self,
        key: str,
        rate: float,
        burst: float | None = None,
        tokens: float = 1,
        timeout: float | None = None,
    ) -> float:
        """Take `tokens` from the key's bucket, sleeping until they are there.

        Return the seconds slept. Raise RateLimitTimeout at once, without taking or
        sleeping, when the tokens would come later than `timeout` seconds from now:
        a worker is better off rescheduling its job than sleeping for nothing.
        """
        burst = self._checked(rate, burst, tokens)
        max_wait = UNLIMITED_WAIT if timeout is None else max(0.0, min(timeout, UNLIMITED_WAIT))
        taken, wait = self._take(key, float(rate), burst, float(tokens), max_wait)
        if not taken:
            raise RateLimitTimeout(wait)
        if wait > 0:
            time.sleep(wait)
        return wait

    def try_acquire(
        self, key: str, rate: float, burst: float | None = None, tokens: float = 1
    ) -> float:
        """Take `tokens` if the bucket holds them now and return 0; else return the wait.

        Nothing is taken when a wait is returned, so a caller may come back after it.
        """
        burst = self._checked(rate, burst, tokens)
        taken, wait = self._take(key, float(rate), burst, float(tokens), 0.0)
        return 0.0 if taken else wait

    @abstractmethod
    def reset(self, key: str) -> None:
        """Forget the key's bucket, so it starts full again."""

    @abstractmethod
    def forget_full(self, prefix: str, rate: float, burst: float) -> int:
        """Forget the buckets whose keys start with `prefix` and that are full again at this
        `rate` and `burst`; return how many (a store that expires them itself says 0).

        A full bucket behaves as a missing one, so nothing changes for the limit; but a key
        that names someone (a reporter's keyed hash) is then kept only while it limits.
        """

    @abstractmethod
    def close(self) -> None:
        """Close this thread's connection to the store."""

    @abstractmethod
    def _take(
        self, key: str, rate: float, burst: float, tokens: float, max_wait: float
    ) -> tuple[bool, float]:
        """Apply refill_and_take atomically in the store; return (taken, wait)."""

    @staticmethod
    def _checked(rate: float, burst: float | None, tokens: float) -> float:
        """Return the burst to use, refusing arguments that would never let a call through."""
        if not rate > 0 or not math.isfinite(rate):
            raise ValueError("rate must be a positive number of tokens per second")
        burst = float(max(1.0, rate) if burst is None else burst)
        if not 0 < tokens <= burst:
            raise ValueError("tokens must be positive and no more than the burst")
        return burst


class PerThreadConnection[C]:
    """Keep one connection per thread and per process, never shared across a fork."""

    def __init__(self, connect: Any):
        self._connect = connect
        self._local = threading.local()

    def get(self) -> C:
        """Return this thread's connection, opening one after a fork or on first use."""
        if getattr(self._local, "pid", None) != os.getpid():
            self._local.connection = self._connect()
            self._local.pid = os.getpid()
        return self._local.connection

    def discard(self) -> None:
        """Close this thread's connection, if any, so the next call opens a fresh one."""
        connection = getattr(self._local, "connection", None)
        self._local.__dict__.clear()
        if connection is not None:
            connection.close()


class SqliteRateLimiter(RateLimiter):
    """Buckets in a table of the queue's SQLite file, for workers on one machine.

    Workers sharing a SQLite file share a machine, hence a clock: time.time() is the time.
    """

    CREATE = (
        "CREATE TABLE IF NOT EXISTS tocsin_rate_limit "
        "(key TEXT PRIMARY KEY, tokens REAL NOT NULL, updated REAL NOT NULL)"
    )

    def __init__(self, path: str, busy_timeout: float = 10.0):
        self.path = path
        self.busy_timeout = busy_timeout
        self._connections: PerThreadConnection[sqlite3.Connection] = PerThreadConnection(
            self._connect
        )

    def _connect(self) -> sqlite3.Connection:
        # isolation_level=None: the transactions below are begun and ended explicitly.
        connection = sqlite3.connect(self.path, timeout=self.busy_timeout, isolation_level=None)
        connection.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")
        # WAL, as Huey's SqliteStorage sets on the same file: readers never block the writer.
        connection.execute("PRAGMA journal_mode = WAL")
        # A forgotten bucket's key is overwritten with zeros, not left in a free page.
        connection.execute("PRAGMA secure_delete = ON")
        connection.execute(self.CREATE)
        return connection

    def _take(
        self, key: str, rate: float, burst: float, tokens: float, max_wait: float
    ) -> tuple[bool, float]:
        connection = self._connections.get()
        # IMMEDIATE takes the write lock before reading, so no two workers read the same level.
        connection.execute("BEGIN IMMEDIATE")
        try:
            row = connection.execute(
                "SELECT tokens, updated FROM tocsin_rate_limit WHERE key = ?", (key,)
            ).fetchone()
            now = time.time()
            level, taken, wait = refill_and_take(
                row[0] if row else None, row[1] if row else now, now, rate, burst, tokens, max_wait
            )
            connection.execute(
                "INSERT INTO tocsin_rate_limit (key, tokens, updated) VALUES (?, ?, ?) "
                "ON CONFLICT (key) DO UPDATE SET tokens = excluded.tokens, "
                "updated = excluded.updated",
                (key, level, now),
            )
            connection.execute("COMMIT")
        except BaseException:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise
        return taken, wait

    def reset(self, key: str) -> None:
        self._connections.get().execute("DELETE FROM tocsin_rate_limit WHERE key = ?", (key,))

    def forget_full(self, prefix: str, rate: float, burst: float) -> int:
        self._checked(rate, burst, 1)
        cursor = self._connections.get().execute(
            "DELETE FROM tocsin_rate_limit WHERE substr(key, 1, ?) = ? "
            "AND tokens + max(0, ? - updated) * ? >= ?",
            (len(prefix), prefix, time.time(), rate, burst),
        )
        return cursor.rowcount

    def close(self) -> None:
        self._connections.discard()


# KEYS[1] the bucket; ARGV rate, burst, tokens, max_wait. Returns {taken, wait as a string}
# (Redis would truncate a Lua number to an integer). TIME is the server's clock, so workers
# on machines whose clocks disagree still share one bucket correctly.
REDIS_TAKE = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local wanted = tonumber(ARGV[3])
local max_wait = tonumber(ARGV[4])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'updated')
local tokens = tonumber(state[1])
local updated = tonumber(state[2])
if tokens == nil or updated == nil then
  tokens = burst
  updated = now
end
tokens = math.min(burst, tokens + math.max(0, now - updated) * rate)
local wait = math.max(0, (wanted - tokens) / rate)
local taken = 0
if wait <= max_wait then
  tokens = tokens - wanted
  taken = 1
end
redis.call('HSET', KEYS[1], 'tokens', string.format('%.9f', tokens),
  'updated', string.format('%.6f', now))
-- Once the bucket would be full again, a missing key means the same thing.
redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) / rate * 1000) + 1000)
return {taken, string.format('%.6f', wait)}
"""


class RedisRateLimiter(RateLimiter):
    """Buckets in Redis hashes, changed by one Lua script so each step is atomic."""

    def __init__(self, url: str, prefix: str = "tocsin:rate:"):
        import redis

        # redis-py's pool is thread-safe and reopens its connections after a fork.
        self.client = redis.Redis.from_url(url)
        self.prefix = prefix
        # Script runs EVALSHA and falls back to EVAL when the server lacks the script.
        self.script = self.client.register_script(REDIS_TAKE)

    def _take(
        self, key: str, rate: float, burst: float, tokens: float, max_wait: float
    ) -> tuple[bool, float]:
        taken, wait = self.script(
            keys=[self.prefix + key], args=[repr(rate), repr(burst), repr(tokens), repr(max_wait)]
        )
        return bool(taken), float(wait)

    def reset(self, key: str) -> None:
        self.client.delete(self.prefix + key)

    def forget_full(self, prefix: str, rate: float, burst: float) -> int:
        # Each bucket expires by itself once it would be full again (REDIS_TAKE's PEXPIRE).
        return 0

    def close(self) -> None:
        self.client.close()


class PostgresRateLimiter(RateLimiter):
    """Buckets in a table of the queue's PostgreSQL database, each change under a row lock.

    The time is the database's clock_timestamp(), read once the row is locked, so workers
    on machines whose clocks disagree still share one bucket correctly.
    """

    CREATE = (
        "CREATE TABLE IF NOT EXISTS tocsin_rate_limit "
        "(key text PRIMARY KEY, tokens double precision NOT NULL, "
        "updated double precision NOT NULL)"
    )

    def __init__(self, url: str):
        self.dsn = url.replace("postgres://", "postgresql://", 1)
        self._connections: PerThreadConnection[Any] = PerThreadConnection(self._connect)
        self._table_ready = False

    def _connect(self) -> Any:
        import psycopg

        connection = psycopg.connect(self.dsn, autocommit=True)
        if not self._table_ready:
            # Two workers creating the table at once: the other one won, which is fine.
            with contextlib.suppress(psycopg.errors.UniqueViolation, psycopg.errors.DuplicateTable):
                connection.execute(self.CREATE)
            self._table_ready = True
        return connection

    def _connection(self) -> Any:
        connection = self._connections.get()
        if connection.closed or connection.broken:
            self._connections.discard()
            connection = self._connections.get()
        return connection

    def _take(
        self, key: str, rate: float, burst: float, tokens: float, max_wait: float
    ) -> tuple[bool, float]:
        connection = self._connection()
        with connection.transaction():
            row = self._locked_row(connection, key)
            if row is None:
                connection.execute(
                    "INSERT INTO tocsin_rate_limit (key, tokens, updated) "
                    "VALUES (%s, %s, extract(epoch FROM clock_timestamp())::double precision) "
                    "ON CONFLICT (key) DO NOTHING",
                    (key, burst),
                )
                row = self._locked_row(connection, key)
            # Read the clock only now that the row is ours: a wait for the lock must count.
            now = connection.execute(
                "SELECT extract(epoch FROM clock_timestamp())::double precision"
            ).fetchone()[0]
            level, taken, wait = refill_and_take(row[0], row[1], now, rate, burst, tokens, max_wait)
            connection.execute(
                "UPDATE tocsin_rate_limit SET tokens = %s, updated = %s WHERE key = %s",
                (level, now, key),
            )
        return taken, wait

    @staticmethod
    def _locked_row(connection: Any, key: str) -> Any:
        return connection.execute(
            "SELECT tokens, updated FROM tocsin_rate_limit WHERE key = %s FOR UPDATE", (key,)
        ).fetchone()

    def reset(self, key: str) -> None:
        self._connection().execute("DELETE FROM tocsin_rate_limit WHERE key = %s", (key,))

    def forget_full(self, prefix: str, rate: float, burst: float) -> int:
        self._checked(rate, burst, 1)
        cursor = self._connection().execute(
            "DELETE FROM tocsin_rate_limit WHERE left(key, %s) = %s AND tokens + "
            "greatest(0, extract(epoch FROM clock_timestamp())::double precision - updated) "
            "* %s >= %s",
            (len(prefix), prefix, rate, burst),
        )
        return cursor.rowcount

    def close(self) -> None:
        self._connections.discard()


class MemoryRateLimiter(RateLimiter):
    """Buckets in this process's memory, shared by its threads and by nobody else.

    Not a limit across processes: it stands in for the shared store while that store is
    unreachable (FallbackRateLimiter), so that a limit still holds in each process.
    """

    def __init__(self):
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def _take(
        self, key: str, rate: float, burst: float, tokens: float, max_wait: float
    ) -> tuple[bool, float]:
        with self._lock:
            now = time.monotonic()
            level, updated = self._buckets.get(key, (None, now))
            level, taken, wait = refill_and_take(level, updated, now, rate, burst, tokens, max_wait)
            self._buckets[key] = (level, now)
        return taken, wait

    def reset(self, key: str) -> None:
        with self._lock:
            self._buckets.pop(key, None)

    def forget_full(self, prefix: str, rate: float, burst: float) -> int:
        self._checked(rate, burst, 1)
        with self._lock:
            now = time.monotonic()
            full = [
                key
                for key, (level, updated) in self._buckets.items()
                if key.startswith(prefix) and level + max(0.0, now - updated) * rate >= burst
            ]
            for key in full:
                del self._buckets[key]
        return len(full)

    def close(self) -> None:
        """Nothing to close: the buckets live in this process."""


class FallbackRateLimiter(RateLimiter):
    """A shared limiter that counts in this process's memory while its store is unreachable.

    For a limit that must not fail closed (a report is accepted whenever the database is
    up): when the shared store raises one of `unreachable`, each process keeps its own
    buckets (MemoryRateLimiter) and tries the store again `retry_after` seconds later, so a
    store that is down costs one failed call per process in that time, not one per request.
    While it lasts, each process holds a source to the limit by itself: with N processes, a
    source may get up to N times its burst. The delivery engine does not use this: a channel
    account over its rate is blocked by its provider, so its workers wait for the store.
    """

    def __init__(
        self,
        shared: RateLimiter,
        unreachable: tuple[type[BaseException], ...],
        retry_after: float = 5.0,
    ):
        self.shared = shared
        self.local = MemoryRateLimiter()
        self.unreachable = unreachable
        self.retry_after = retry_after
        self._store_down_until = 0.0

    def store_reachable(self) -> bool:
        """Whether the shared store is tried (False within retry_after of its last failure)."""
        return time.monotonic() >= self._store_down_until

    def _shared_or_local(self, method: str, *args: Any) -> Any:
        if self.store_reachable():
            try:
                return getattr(self.shared, method)(*args)
            except self.unreachable as error:
                self._store_down_until = time.monotonic() + self.retry_after
                # The error's type only: a driver's message may name the server.
                log.warning(
                    "rate limit store unreachable (%s): counting in this process",
                    type(error).__name__,
                )
        return getattr(self.local, method)(*args)

    def _take(
        self, key: str, rate: float, burst: float, tokens: float, max_wait: float
    ) -> tuple[bool, float]:
        return self._shared_or_local("_take", key, rate, burst, tokens, max_wait)

    def reset(self, key: str) -> None:
        self.local.reset(key)
        self._shared_or_local("reset", key)

    def forget_full(self, prefix: str, rate: float, burst: float) -> int:
        forgotten = self.local.forget_full(prefix, rate, burst)
        if self.store_reachable():
            forgotten += self._shared_or_local("forget_full", prefix, rate, burst)
        return forgotten

    def close(self) -> None:
        self.shared.close()


def limiter_from_url(url: str) -> RateLimiter:
    """Return the rate limiter that keeps its buckets in the queue at `url`.

    The URL is read as build_huey reads TOCSIN_QUEUE_URL, so the buckets live beside the
    jobs: sqlite:///path, redis://host/db or postgres://….
    """
    scheme = urlsplit(url).scheme
    if scheme == "sqlite":
        return SqliteRateLimiter(sqlite_path(url))
    if scheme in {"redis", "rediss"}:
        return RedisRateLimiter(url)
    if scheme in {"postgres", "postgresql"}:
        return PostgresRateLimiter(url)
    raise ImproperlyConfigured(
        f"TOCSIN_QUEUE_URL must start with sqlite://, redis:// or postgres://, not {scheme!r}."
    )


@functools.cache
def _limiter_for(url: str) -> RateLimiter:
    return limiter_from_url(url)


def limiter() -> RateLimiter:
    """Return this process's rate limiter for settings.TOCSIN_QUEUE_URL."""
    from django.conf import settings

    return _limiter_for(settings.TOCSIN_QUEUE_URL)
