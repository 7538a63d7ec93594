"""On SQLite (the embedded default) one writer holds the database at a time: a report being
stored, a chunk of deliveries marked sent. Counting an alert's audience only reads, and in
WAL mode a reader does not wait for the writer; a dispatcher's broadcast preview must not
stall behind a fan-out's writes."""

import sqlite3
import threading
import time

import pytest
from django.db import connection

from tests.conftest import make_person
from tocsin.accounts.services.subscriptions import follow_site
from tocsin.delivery.audience import audience_size, preview
from tocsin.delivery.models import Alert


@pytest.mark.django_db(transaction=True)
def test_counting_an_audience_does_not_wait_for_the_writer(org, site):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's one writer; PostgreSQL readers never wait for writers")
    for n in range(3):
        follow_site(make_person(org, name=f"Nurse {n}"), org, site)
    alert = Alert.objects.create(
        organization=org, kind=Alert.Kind.VERIFIED, audience={"sites": [site.code]}
    )
    holding, release = threading.Event(), threading.Event()

    def writer() -> None:
        other = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        holding.set()
        release.wait(30)
        other.execute("ROLLBACK")
        other.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert holding.wait(10)
        begin = time.monotonic()
        size = audience_size(alert)
        counted = preview(alert)
        seconds = time.monotonic() - begin
    finally:
        release.set()
        thread.join()

    assert size == counted.people == 3
    assert seconds < 2, f"the count waited {seconds:.1f} s for the writer"
