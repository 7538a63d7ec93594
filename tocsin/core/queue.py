"""Build the Huey instance from TOCSIN_QUEUE_URL: the same task code on SQLite, Redis or PostgreSQL."""

from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured
from huey import Huey, PostgresHuey, PriorityRedisHuey, SqliteHuey


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
