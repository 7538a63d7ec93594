"""The fault suite's own servers do what the fault tests rely on: they die when killed and
come back on the same address."""

import psycopg
import pytest
import redis

from .servers import port_open


@pytest.mark.fault
def test_a_killed_redis_loses_what_it_held_and_comes_back_on_its_port(redis_server):
    client = redis.Redis.from_url(redis_server.url)
    client.set("alarm", "ringing")
    redis_server.kill()
    assert not port_open(redis_server.port)
    with pytest.raises(redis.ConnectionError):
        redis.Redis.from_url(redis_server.url).get("alarm")
    redis_server.start()
    assert redis.Redis.from_url(redis_server.url).get("alarm") is None


@pytest.mark.fault
def test_a_restarted_postgres_keeps_its_data_and_ends_every_session(postgres_server):
    session = psycopg.connect(postgres_server.url.replace("postgres://", "postgresql://"))
    session.execute("create table bell (rung int)")
    session.execute("insert into bell values (1)")
    session.commit()
    postgres_server.stop()
    postgres_server.start()
    with pytest.raises(psycopg.OperationalError):
        session.execute("select 1")
    again = psycopg.connect(postgres_server.url.replace("postgres://", "postgresql://"))
    assert again.execute("select rung from bell").fetchall() == [(1,)]
    again.close()
