"""Anyone who wants to know who is in the network (an employer, an informant) types a phone
number or an email into Tocsin's public forms and watches the answer.

Every form answers the same whether or not the address is in Tocsin: the same pages, texts,
statuses and fields, after the same database and Argon2 work. The address's owner is the one
who is told, through the real channel servers.
"""

import re
import time

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import make_person
from tocsin.accounts.access import MEMBER_SESSION_KEY
from tocsin.accounts.models import ContactPoint, Person
from tocsin.accounts.roles import Role
from tocsin.accounts.services.people import add_contact, find_contact

ROSA_EMAIL = "rosa@example.org"
ROSA_PHONE = "+1 612 555 0123"
IRIS_PHONE = "+1 612 555 0178"  # imported from the union's list, never confirmed
CODE = re.compile(r"\b(\d{6})\b")


@pytest.fixture
def rosa(org, site):
    """A member who joined and confirmed her email and her phone."""
    person = make_person(org, name="Rosa Reyes", language="es", site=site)
    add_contact(person, ContactPoint.Channel.EMAIL, ROSA_EMAIL, confirmed=True)
    add_contact(person, ContactPoint.Channel.SMS, ROSA_PHONE, confirmed=True)
    return person


@pytest.fixture
def iris(org):
    person = make_person(org, name="Iris Imported")
    add_contact(person, ContactPoint.Channel.SMS, IRIS_PHONE)
    return person


@pytest.fixture
def channels(smtp_server, sms_gateway):
    return {"email": smtp_server, "sms": sms_gateway}


def texts(server) -> list[str]:
    """What a channel server received: email bodies or text messages."""
    return [message.get("body") or message.get("text") for message in server.messages]


def masked(response) -> str:
    """The page without what differs between any two requests: CSRF tokens, CSP nonces and
    numbers (a contact's last digits, a row's id)."""
    text = response.content.decode()
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)
    text = re.sub(r'nonce="[^"]+"', "", text)
    text = re.sub(r"[\w.+-]*…?@example\.org", "EMAIL", text)
    return re.sub(r"\d+", "N", text)


def headers_that_matter(response) -> dict:
    return {
        name: re.sub(r"\d+", "N", response.get(name, ""))
        for name in ("Content-Type", "Location", "Cache-Control", "Content-Language")
    }


def join_data(**contacts) -> dict:
    data = {
        "display_name": "Pat",
        "language": "en",
        "email": "",
        "sms": "",
        "signal": "",
        "follow_site": "on",
        "radius_m": "500",
        "kinds": ["1", "2", "4"],
        "consent": "on",
    }
    data.update(contacts)
    return data


def statements(queries) -> list[str]:
    """The SQL a request ran, without its values: what work it did, not on what."""
    shapes = []
    for query in queries:
        sql = re.sub(r"'[^']*'|\b\d+\b|%s|\?", "V", query["sql"])
        shapes.append(re.sub(r"\s+", " ", sql))
    return shapes


def join_as_stranger(site, capture, **contacts):
    """Join from a fresh browser; return the answer to the form and the confirm page."""
    stranger = Client()
    url = reverse("joining:join_site", kwargs={"site": site.code})
    with CaptureQueriesContext(connection) as queries, capture(execute=True):
        answer = stranger.post(url, join_data(**contacts))
    return stranger, answer, stranger.get(reverse("joining:confirm")), queries


@pytest.mark.parametrize(
    ("channel", "known", "unknown"),
    [("email", ROSA_EMAIL, "stranger@example.org"), ("sms", ROSA_PHONE, "+1 612 555 0199")],
)
def test_the_join_form_answers_the_same_for_a_members_address_and_an_unknown_one(
    site, rosa, channels, django_capture_on_commit_callbacks, channel, known, unknown
):
    capture = django_capture_on_commit_callbacks
    _a, on_member, member_confirm, member_work = join_as_stranger(site, capture, **{channel: known})
    _b, on_unknown, unknown_confirm, unknown_work = join_as_stranger(
        site, capture, **{channel: unknown}
    )

    assert on_member.status_code == on_unknown.status_code == 302
    assert headers_that_matter(on_member) == headers_that_matter(on_unknown)
    assert masked(on_member) == masked(on_unknown)
    assert member_confirm.status_code == unknown_confirm.status_code == 200
    assert masked(member_confirm) == masked(unknown_confirm)
    assert 'name="code"' in member_confirm.content.decode()
    assert statements(member_work.captured_queries) == statements(unknown_work.captured_queries)

    # The member is told, on her own channel, with her own link; the stranger gets a code.
    server = channels[channel]
    server.wait_for(2)
    to_member = [
        t for m, t in zip(server.messages, texts(server), strict=True) if known_to(m, known)
    ]
    assert len(to_member) == 1
    assert "Tocsin" in to_member[0] and "/me/link/" in to_member[0]
    assert not CODE.search(to_member[0].split("/me/link/")[0])
    to_stranger = [
        t for m, t in zip(server.messages, texts(server), strict=True) if not known_to(m, known)
    ]
    assert len(to_stranger) == 1 and CODE.search(to_stranger[0])
    assert find_contact(channel, known).person == rosa


def known_to(message, address) -> bool:
    recipient = message.get("to")
    recipients = recipient if isinstance(recipient, list) else [recipient]
    digits = re.sub(r"\D", "", address)
    return any(r == address or (digits and re.sub(r"\D", "", r) == digits) for r in recipients)


def test_the_members_link_from_the_notice_opens_her_own_page(
    site, rosa, sms_gateway, django_capture_on_commit_callbacks
):
    join_as_stranger(site, django_capture_on_commit_callbacks, sms=ROSA_PHONE)
    [notice] = sms_gateway.wait_for(1)
    link = next(word for word in notice["text"].split() if "/me/link/" in word)

    her_phone = Client()
    her_phone.get("/" + link.split("/", 3)[3])

    assert her_phone.session[MEMBER_SESSION_KEY] == rosa.pk
    assert "intentar unirse a Tocsin" in notice["text"]  # in Rosa's language


def test_typing_codes_for_a_members_address_answers_as_for_an_unknown_one(
    site, rosa, channels, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    on_member, *_ = join_as_stranger(site, capture, sms=ROSA_PHONE)
    on_unknown, *_ = join_as_stranger(site, capture, sms="+1 612 555 0199")

    for attempt in range(7):
        answers = [
            browser.post(
                reverse("joining:confirm"),
                {"contact": row_of(browser), "code": f"{attempt:06d}"},
            )
            for browser in (on_member, on_unknown)
        ]
        assert answers[0].status_code == answers[1].status_code
        assert masked(answers[0]) == masked(answers[1])
    assert "no longer works" in answers[0].content.decode()
    assert MEMBER_SESSION_KEY not in on_member.session


def row_of(browser) -> str:
    page = browser.get(reverse("joining:confirm")).content.decode()
    return re.search(r'name="contact" value="(\d+)"', page).group(1)


def test_asking_for_a_new_code_answers_the_same(
    site, rosa, channels, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    on_member, *_ = join_as_stranger(site, capture, sms=ROSA_PHONE)
    on_unknown, *_ = join_as_stranger(site, capture, sms="+1 612 555 0199")

    with capture(execute=True):
        answers = [
            browser.post(reverse("joining:resend_code"), {"contact": row_of(browser)}, follow=True)
            for browser in (on_member, on_unknown)
        ]

    assert masked(answers[0]) == masked(answers[1])
    assert "less than a minute ago" in answers[0].content.decode()


def test_rosa_is_told_at_most_three_times_an_hour_however_many_joins_try_her_number(
    site, rosa, sms_gateway, django_capture_on_commit_callbacks
):
    for _attempt in range(6):
        join_as_stranger(site, django_capture_on_commit_callbacks, sms=ROSA_PHONE)

    assert len(sms_gateway.wait_for(3)) == 3
    time.sleep(0.3)
    assert len(sms_gateway.messages) == 3


def test_adding_a_members_number_on_my_own_page_answers_as_for_a_new_one(
    org, site, rosa, sms_gateway, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    pages = []
    for number in (ROSA_PHONE, "+1 612 555 0199"):
        stranger, *_ = join_as_stranger(site, capture, email=f"pat{number[-2:]}@example.org")
        joiner = Person.objects.order_by("-pk").first()
        from tests.conftest import member_client

        member_client(stranger, joiner)
        with capture(execute=True):
            added = stranger.post(
                reverse("joining:contacts"), {"action": "add", "channel": "sms", "address": number}
            )
        pages.append((added, stranger.get(reverse("joining:contacts"))))

    (added_taken, page_taken), (added_new, page_new) = pages
    assert added_taken.status_code == added_new.status_code == 302
    assert masked(page_taken) == masked(page_new)
    notices = [m for m in sms_gateway.wait_for(2) if known_to(m, ROSA_PHONE)]
    assert len(notices) == 1 and "/me/link/" in notices[0]["text"]


def test_the_member_link_page_and_its_code_answer_the_same_for_an_imported_number(
    org, rosa, iris, sms_gateway, django_capture_on_commit_callbacks, monkeypatch
):
    """An employer checks whether a worker is on the union's imported list."""
    capture = django_capture_on_commit_callbacks
    checks = []
    verify = Argon2PasswordHasher.verify

    def counted(self, password, encoded):
        checks.append(1)
        return verify(self, password, encoded)

    monkeypatch.setattr(Argon2PasswordHasher, "verify", counted)
    runs = {}
    for number in (IRIS_PHONE, "+1 612 555 0199", ROSA_PHONE):
        employer = Client()
        # The jobs run after the request, as the worker would: Iris's number gets its code.
        with capture(execute=True), CaptureQueriesContext(connection) as work:
            asked = employer.post(reverse("joining:member_link_request"), {"address": number})
        answers, checks[:] = [], []
        for attempt in range(7):
            answers.append(
                employer.post(
                    reverse("joining:member_code"), {"contact": "0", "code": f"{attempt:06d}"}
                )
            )
        runs[number] = (asked, statements(work.captured_queries), answers, len(checks))

    assert len(sms_gateway.wait_for(2)) == 2  # Iris's code, Rosa's link
    first, *others = runs.values()
    for other in others:
        assert masked(first[0]) == masked(other[0])
        assert first[1] == other[1], "the same database work for every address"
        assert [masked(a) for a in first[2]] == [masked(a) for a in other[2]]
        assert first[3] == other[3], "the same number of Argon2 checks"


def test_the_password_link_form_does_the_same_work_for_a_dispatchers_email_and_an_unknown_one(
    org, smtp_server, django_capture_on_commit_callbacks
):
    make_person(org, Role.DISPATCHER, email="dana@mna.test", password="night shift 4242")
    runs = []
    for email in ("dana@mna.test", "nobody@mna.test"):
        with (
            CaptureQueriesContext(connection) as work,
            django_capture_on_commit_callbacks(execute=False),
        ):
            answer = Client().post(reverse("staff:password_reset"), {"email": email})
        runs.append((answer.status_code, answer["Location"], statements(work.captured_queries)))

    assert runs[0] == runs[1]
