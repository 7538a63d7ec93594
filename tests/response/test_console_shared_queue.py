"""Twenty consoles hear one change and fetch the queue within a moment of each other: the
queue's lines are built once for all of them (tocsin.response.services.queue), yet each
dispatcher still sees their own unread marks and their own claims."""

import re

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.conftest import make_person, verified_client
from tocsin.accounts.roles import Role

from .conftest import file_report

QUEUE = "/staff/o/{slug}/console/queue/"


def dispatchers(org, count):
    clients = []
    for n in range(count):
        person = make_person(
            org,
            Role.DISPATCHER,
            email=f"dispatch{n}@mna.test",
            password="dispatch horse 42",
            name=f"Dispatcher {n}",
        )
        clients.append((person, verified_client(Client(), person)))
    return clients


def line_of(html: str, incident) -> str:
    found = re.search(
        rf'<li class="incident[^"]*"[^>]*data-incident="{incident.public_id}".*?</li>', html, re.S
    )
    assert found, html
    return found.group(0)


def test_twenty_consoles_fetching_after_one_change_read_the_open_incidents_once(org, site):
    consoles = dispatchers(org, 20)
    file_report(org, site=site, activity="Agents at the ambulance bay")

    with CaptureQueriesContext(connection) as queries:
        pages = [client.get(QUEUE.format(slug=org.slug)) for _, client in consoles]

    assert all(page.status_code == 200 for page in pages)
    assert all("Agents at the ambulance bay" in page.content.decode() for page in pages)
    reads_of_the_queue = [
        query["sql"]
        for query in queries.captured_queries
        if query["sql"].startswith("SELECT") and 'FROM "response_incident"' in query["sql"]
    ]
    assert len(reads_of_the_queue) == 1, reads_of_the_queue


def test_each_dispatcher_sees_their_own_unread_marks_and_claims_on_the_shared_queue(org, site):
    (_, dana_client), (_, ravi_client) = dispatchers(org, 2)
    incident = file_report(org, site=site).incident
    queue = QUEUE.format(slug=org.slug)
    for client in (dana_client, ravi_client):
        assert "data-unread" in line_of(client.get(queue).content.decode(), incident)

    # Dana opens the incident and claims it: read and hers, for her only.
    dana_client.get(f"/staff/o/{org.slug}/incidents/{incident.public_id}/")
    dana_client.post(f"/staff/o/{org.slug}/incidents/{incident.public_id}/claim/")

    danas = line_of(dana_client.get(queue).content.decode(), incident)
    ravis = line_of(ravi_client.get(queue).content.decode(), incident)
    assert "data-unread" not in danas and "claimed by you" in danas
    assert "data-unread" in ravis and "claimed by Dispatcher 0" in ravis


def test_a_new_report_on_an_open_incident_shows_on_the_next_fetch(org, site):
    (_, client), (_, other) = dispatchers(org, 2)
    first = file_report(org, site=site, activity="Two vans at the loading dock")
    queue = QUEUE.format(slug=org.slug)
    assert "Two vans" in client.get(queue).content.decode()
    assert "Two vans" in other.get(queue).content.decode()

    file_report(org, site=site, activity="Agents now inside the lobby")

    html = other.get(queue).content.decode()
    assert first.incident.reports.count() == 2
    assert "Agents now inside the lobby" in line_of(html, first.incident)
    assert 'data-reports="2"' in line_of(html, first.incident)


def test_a_queue_built_for_one_organization_never_reaches_another(org, other_org, site):
    """The shared queue is kept per set of organizations a console dispatches for: a
    dispatcher of an organization that shares nothing fetches right after, and sees none of
    the first's incidents."""
    [(_, mna)] = dispatchers(org, 1)
    seiu = make_person(other_org, Role.DISPATCHER, email="d@seiu.test", password="partner horse 42")
    seiu_client = verified_client(Client(), seiu)
    file_report(org, site=site, activity="Agents at the ambulance bay")

    assert "Agents at the ambulance bay" in mna.get(QUEUE.format(slug=org.slug)).content.decode()
    theirs = seiu_client.get(QUEUE.format(slug=other_org.slug)).content.decode()
    assert "Agents at the ambulance bay" not in theirs and 'data-count="0"' in theirs
    # Nor by naming the first organization's console.
    assert seiu_client.get(QUEUE.format(slug=org.slug)).status_code == 404
