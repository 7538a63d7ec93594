"""Fixtures of the fault suite: servers of the test's own, which the test may kill."""

import pytest

from .servers import PostgresServer, RedisServer


@pytest.fixture
def redis_server():
    """A throwaway redis-server on a free port (nothing on disk)."""
    server = RedisServer().start()
    yield server
    server.stop()


@pytest.fixture
def postgres_server():
    """A throwaway PostgreSQL cluster with an empty database `tocsin`."""
    server = PostgresServer().create()
    yield server
    server.destroy()
