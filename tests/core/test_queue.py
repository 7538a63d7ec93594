"""The same task code runs on each queue Tocsin supports: SQLite, Redis and PostgreSQL."""

import os
import uuid

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from tocsin.core.queue import build_huey


def run_one_job(huey):
    """Enqueue a job, take it off the queue as a worker would, and return its result."""

    @huey.task()
    def add(a, b):
        return a + b

    pending = add(2, 3)
    task = huey.dequeue()
    assert task is not None, "the job never reached the queue"
    huey.execute(task)
    return pending(blocking=True, timeout=5)


def test_a_job_runs_through_the_sqlite_queue(tmp_path):
    huey = build_huey(f"sqlite:///{tmp_path / 'queue.sqlite3'}", name=f"t{uuid.uuid4().hex}")
    assert run_one_job(huey) == 5


@pytest.mark.redis
def test_a_job_runs_through_the_redis_queue():
    huey = build_huey(os.environ["TOCSIN_TEST_REDIS_URL"], name=f"t{uuid.uuid4().hex}")
    try:
        assert run_one_job(huey) == 5
    finally:
        huey.storage.flush_all()


@pytest.mark.postgres
def test_a_job_runs_through_the_postgres_queue():
    huey = build_huey(os.environ["TOCSIN_TEST_DATABASE_URL"], name=f"t{uuid.uuid4().hex[:8]}")
    try:
        assert run_one_job(huey) == 5
    finally:
        huey.storage.flush_all()


@pytest.mark.postgres
def test_the_postgresql_pass_really_runs_on_postgresql(db):
    assert connection.vendor == "postgresql"


def test_it_refuses_an_unknown_queue_url():
    with pytest.raises(ImproperlyConfigured, match="TOCSIN_QUEUE_URL"):
        build_huey("amqp://127.0.0.1")
