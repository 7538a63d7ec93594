"""What the case page says: a family update to one person is "1 person", and each line of
the timeline says what it is about, not only "Note" or "Task"."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import make_person, verified_client
from tocsin.accounts.roles import Role
from tocsin.hotline.models import Case
from tocsin.hotline.services import cases

from .conftest import SISTER_PHONE, case_url


@pytest.fixture
def case(org, hotline, plan):
    return cases.open_case(
        hotline, org, cases.CaseInput(name="Miguel Rivera"), Case.OpenedVia.CALL, plan=plan
    )


def timeline(page) -> str:
    html = page.content.decode()
    section = html.split('id="case-timeline"', 1)[1].split("</ol>", 1)[0]
    return " ".join(re.sub(r"<[^>]+>", " ", section).split())


def test_an_update_to_one_person_is_on_its_way_to_1_person(hotline_client, org, case, sent):
    with sent():
        page = hotline_client.post(
            case_url(org, case, "update"),
            {"recipients": ["0"], "text": "Miguel está en Sherburne."},
            follow=True,
        )

    assert "The update is on its way to 1 person." in page.content.decode()
    assert "1 people" not in page.content.decode()
    assert SISTER_PHONE  # the plan's one person: Lucía, by SMS


def test_the_timeline_says_what_changed_and_which_task(hotline_client, org, case, hotline):
    hotline_client.post(
        case_url(org, case, "details"), {"agency": "ice", "locator": "A123-456-789"}
    )
    hotline_client.post(
        case_url(org, case, "tasks"),
        {"title": "Call the consulate", "due_at": "2026-12-03T09:00"},
    )
    task = case.tasks.get()
    hotline_client.post(case_url(org, case, f"tasks/{task.code}/done"))

    lines = timeline(
        hotline_client.get(reverse("hotline:case", kwargs={"org": org.slug, "case": case.code}))
    )

    assert "Note · Hana Hotline: details changed: locator details, agency" in lines
    assert "Task · Hana Hotline: Call the consulate (due Dec. 3, 2026, 9 a.m.)" in lines
    assert "Task · Hana Hotline: done: Call the consulate" in lines


def test_a_name_ending_in_an_initial_ends_its_sentence_with_one_period(org, case):
    carmen = make_person(
        org, Role.HOTLINE, email="carmen@mna.test", password="carmen horse 42", name="Carmen R."
    )

    page = verified_client(Client(), carmen).get(case_url(org, case, "record"))

    assert "by Carmen R. Confidential" in page.content.decode()
    assert "Carmen R.." not in page.content.decode()
