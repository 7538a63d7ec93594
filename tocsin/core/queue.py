"""Build the Huey instance from TOCSIN_QUEUE_URL: the same task code on SQLite, Redis or PostgreSQL."""

from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured
from huey import Huey, PostgresHuey, PriorityRedisHuey, SqliteHuey


def build_huey(url: str, immediate: bool = False, name: str = "tocsin") -> Huey:
    """Return a Huey for the queue URL (sqlite:///path, redis://host/db, postgres://…)."""
    scheme = urlsplit(url).scheme
    if scheme == "sqlite":
        # sqlite:////abs/path is absolute, sqlite:///rel/path relative, as for DATABASE_URL.
        path = url.removeprefix("sqlite://")[1:]
        return SqliteHuey(name, filename=path or "queue.sqlite3", immediate=immediate)
    if scheme in {"redis", "rediss"}:
        return PriorityRedisHuey(name, url=url, immediate=immediate)
    if scheme in {"postgres", "postgresql"}:
        return PostgresHuey(
            name, dsn=url.replace("postgres://", "postgresql://", 1), immediate=immediate
        )
    raise ImproperlyConfigured(
        f"TOCSIN_QUEUE_URL must start with sqlite://, redis:// or postgres://, not {scheme!r}."
    )
