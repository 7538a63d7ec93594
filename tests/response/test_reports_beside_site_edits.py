"""Reports keep coming in while an admin edits their site, on PostgreSQL: no request fails
on a deadlock (issue 14, item 8), every report is stored and every edit stands.

Filing a report locks the organization and then refers to the site; saving a site locks the
site and then refers to the organization (its audit entry). With both rows locked against
key-share, the two waited for each other and PostgreSQL cancelled one: a failed request
(a 500, later a 503 "cannot reach the database") to the reporter or to the admin.
"""

import threading
import time
from collections import Counter
from collections.abc import Callable

import pytest
from django.db import connection, connections, transaction
from django.db.models import QuerySet
from django.test import Client
from django.urls import reverse

from tests.factories import Api, token_for
from tocsin.accounts.models import Organization, Site
from tocsin.audit.models import AuditEntry
from tocsin.response.models import Report

# Long enough that, before the fix, reports and edits met in a deadlock every time.
SECONDS = 4.0
REPORTERS = 4
EDITORS = 2


def answering(api: Api) -> Api:
    """The API client, answering a server error as a 500 (as a real client sees it)."""
    api.client.raise_request_exception = False
    return api


def for_a_while(send, answers: list, failures: list) -> None:
    """Call `send(n)` for n = 0, 1, ... until the time is up, noting each answer's status
    (and any exception, as a failure), then close this thread's database connection."""
    deadline = time.monotonic() + SECONDS
    n = 0
    try:
        while time.monotonic() < deadline:
            answers.append(send(n))
            n += 1
    except Exception as error:
        failures.append(repr(error))
    finally:
        connections.close_all()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_reports_and_site_edits_at_once_all_succeed(settings, org, site, admin):
    # The sources' rate limit is another promise: here every report must get through.
    settings.TOCSIN_REPORT_BURST = 100_000
    admin_api = answering(Api(token_for(admin)))
    page = reverse("response:report_site", kwargs={"site": site.code})
    sent = Counter()
    answers: dict[str, list] = {}
    failures: list[str] = []
    edits: dict[str, list[str]] = {"name": [], "address": []}

    def report_by_api(n):
        answer = answering(Api()).post(
            "/reports",
            {"organization": org.slug, "site": site.code, "agents": n % 9 + 1, "activity": "Vans"},
        )
        sent["api", answer.status_code] += 1
        return answer.status_code, answer.status_code == 201

    def report_on_page(n):
        answer = Client(raise_request_exception=False).post(
            page, {"activity": "Agents at the ambulance bay", "agents": str(n % 9 + 1), "seen": "0"}
        )
        sent["page", answer.status_code] += 1
        return answer.status_code, answer.status_code == 302

    def edit(field):
        def send(n):
            value = f"{field} edit {n}"
            answer = admin_api.patch(f"/organizations/{org.slug}/sites/{site.code}", {field: value})
            if answer.status_code == 200:
                edits[field].append(value)
            return answer.status_code, answer.status_code == 200

        return send

    senders = {f"reporter {i}": (report_by_api, report_on_page)[i % 2] for i in range(REPORTERS)}
    senders |= {f"editor {field}": edit(field) for field in list(edits)[:EDITORS]}
    threads = []
    for name, send in senders.items():
        answers[name] = []
        threads.append(threading.Thread(target=for_a_while, args=(send, answers[name], failures)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=SECONDS + 30)

    refused = {
        name: Counter(status for status, ok in statuses if not ok)
        for name, statuses in answers.items()
    }
    assert not failures
    assert {name: dict(statuses) for name, statuses in refused.items() if statuses} == {}
    filed = sent["api", 201] + sent["page", 302]
    edited = len(edits["name"]) + len(edits["address"])
    assert filed > 20 and edited > 10, (sent, edited)
    # Every acknowledged report is stored; every edit stands, in the order it was answered.
    assert Report.objects.filter(organization=org).count() == filed
    assert AuditEntry.objects.filter(action="accounts.site.updated").count() == edited
    saved = Site.objects.get(pk=site.pk)
    assert (saved.name, saved.address) == (edits["name"][-1], edits["address"][-1])


# A deadlock the lock order cannot rule out (some other code locking the same rows in another
# order) cancels one transaction; the report and the edit are then run once more.


def lock_waiters() -> int:
    """Return how many other database sessions are waiting for a lock."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE NOT granted AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def meet_in_a_deadlock(first: QuerySet, second: QuerySet, send: Callable[[], int]) -> int:
    """Lock `first`'s row, as other code might (a plain FOR UPDATE); `send` a request in
    another thread and, once it waits for that row, lock `second`'s, which the request holds.
    PostgreSQL cancels the request, the first to wait; this transaction then ends. Return the
    request's status."""
    statuses: list[int] = []

    def request():
        try:
            statuses.append(send())
        finally:
            connections.close_all()

    sender = threading.Thread(target=request)
    with transaction.atomic():
        with connection.cursor() as cursor:
            # This session waits patiently: the request is the one PostgreSQL cancels.
            cursor.execute("SET LOCAL deadlock_timeout = '10s'")
        list(first.select_for_update())
        sender.start()
        deadline = time.monotonic() + 10
        while not lock_waiters() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert lock_waiters(), "the request never waited for the row"
        list(second.select_for_update())
    sender.join(timeout=30)
    return statuses[0]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_report_cancelled_by_a_deadlock_is_filed_on_the_second_try(caplog, org, site):
    def report():
        answer = answering(Api()).post(
            "/reports", {"organization": org.slug, "site": site.code, "activity": "Vans"}
        )
        return answer.status_code

    status = meet_in_a_deadlock(
        Site.objects.filter(pk=site.pk), Organization.objects.filter(pk=org.pk), report
    )

    assert status == 201
    assert Report.objects.filter(organization=org, site=site).count() == 1
    assert "file_report met another transaction and runs again" in caplog.text


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_site_edit_cancelled_by_a_deadlock_stands_on_the_second_try(caplog, org, site, admin):
    def edit():
        answer = answering(Api(token_for(admin))).patch(
            f"/organizations/{org.slug}/sites/{site.code}", {"name": "HCMC, east entrance"}
        )
        return answer.status_code

    status = meet_in_a_deadlock(
        Organization.objects.filter(pk=org.pk), Site.objects.filter(pk=site.pk), edit
    )

    assert status == 200
    assert Site.objects.get(pk=site.pk).name == "HCMC, east entrance"
    assert AuditEntry.objects.filter(action="accounts.site.updated").count() == 1
    assert "update_site met another transaction and runs again" in caplog.text
