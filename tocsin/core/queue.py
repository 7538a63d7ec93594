"""Build the Huey instance from TOCSIN_QUEUE_URL: the same task code on SQLite, Redis or PostgreSQL."""

import logging
from functools import partial
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from huey import Huey, PostgresHuey, PriorityRedisHuey, SqliteHuey

log = logging.getLogger(__name__)


def sqlite_path(url: str) -> str:
    """Return the file of a sqlite:// URL: sqlite:////abs/path is absolute, sqlite:///rel relative."""
    return url.removeprefix("sqlite://")[1:] or "queue.sqlite3"


def build_huey(
    url: str, immediate: bool = False, name: str = "tocsin", results: bool = True
) -> Huey:
    """Return a Huey for the queue URL (sqlite:///path, redis://host/db, postgres://…)."""
    scheme = urlsplit(url).scheme
    if scheme == "sqlite":
        return SqliteHuey(name, filename=sqlite_path(url), immediate=immediate, results=results)
    if scheme in {"redis", "rediss"}:
        return PriorityRedisHuey(name, url=url, immediate=immediate, results=results)
    if scheme in {"postgres", "postgresql"}:
        return PostgresHuey(
            name,
            dsn=url.replace("postgres://", "postgresql://", 1),
            immediate=immediate,
            results=results,
        )
    raise ImproperlyConfigured(
        f"TOCSIN_QUEUE_URL must start with sqlite://, redis:// or postgres://, not {scheme!r}."
    )


def enqueue_on_commit(task, *args, priority: int | None = None) -> None:
    """Enqueue `task(*args)` once the current transaction commits, and never fail for it.

    The database is the record of what must be done; the queue only makes it happen sooner.
    A queue that is down when the transaction commits (Redis restarting, the SQLite queue
    file locked) must not turn a stored report or a pressed Send into an error page: the
    failure is logged without the job's arguments, and the sweeper that owns that kind of
    work (resume_stalled for alerts) finds the stored state and does it later.
    """
    transaction.on_commit(partial(enqueue_now, task, *args, priority=priority))


def enqueue_now(task, *args, priority: int | None = None) -> bool:
    """Enqueue `task(*args)` now; return False, logging why, if the queue refused it.

    In immediate mode (tests, TOCSIN_QUEUE_IMMEDIATE) the job runs here and now, and its own
    errors are its caller's: only a queue's refusal is forgiven.
    """
    call = partial(task, *args) if priority is None else partial(task, *args, priority=priority)
    if task.huey.immediate:
        call()
        return True
    try:
        call()
    except Exception as error:  # every backend raises its own: redis, sqlite3, psycopg
        log.warning(
            "queue unavailable, %s left for its sweeper: %s", job_name(task), type(error).__name__
        )
        return False
    return True


def job_name(task) -> str:
    """Return a job's function name, for logs (a Huey task wrapper keeps it as .func)."""
    return getattr(getattr(task, "func", task), "__name__", repr(task))


def answer_to_earlier_name(task, identifier: str) -> None:
    """Let a job queued under `identifier`, the "module.function" a task had before it moved,
    run `task`.

    Huey finds a queued job's code by that name, so a job moved to another module in an
    upgrade would leave every copy queued before the restart unrunnable: the worker logs it
    and drops it. Huey has no public way to give a task a second name; its registry is a
    plain dict of name to task class (huey/registry.py, `string_to_task`).
    """
    task.huey._registry._registry.setdefault(identifier, task.task_class)
