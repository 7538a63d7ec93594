import logging

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog

from tests.conftest import make_person
from tocsin.accounts.roles import Role

from .conftest import ADMIN_EMAIL, ADMIN_PASSWORD, sign_in

WRONG = "Wrong email or password."


def test_it_signs_in_a_responder_and_shows_their_organizations(client, responder, org):
    response = sign_in(client, "observer@mna.test", "legal observer 42")

    assert response.status_code == 302
    assert response["Location"] == "/staff/"
    home = client.get("/staff/")
    assert home.status_code == 200
    assert org.name in home.content.decode()
    assert "responder" in home.content.decode()


def test_it_accepts_the_email_in_any_case_and_with_spaces(client, responder):
    response = sign_in(client, "  Observer@MNA.test ", "legal observer 42")

    assert response.status_code == 302


def test_it_sends_an_admin_to_the_second_factor_after_the_password(client, admin):
    response = sign_in(client, next="/staff/o/mna/members/")

    assert response.status_code == 302
    assert response["Location"].startswith("/staff/second-factor/")
    assert "next=%2Fstaff%2Fo%2Fmna%2Fmembers%2F" in response["Location"]


def test_it_refuses_a_wrong_password(client, admin):
    response = sign_in(client, password="wrong horse 42")

    assert response.status_code == 200
    assert WRONG in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_it_gives_an_unknown_email_the_same_refusal(client, admin):
    response = sign_in(client, email="nobody@mna.test")

    assert WRONG in response.content.decode()


def test_it_gives_a_member_without_a_password_the_same_refusal(client, org):
    make_person(org, Role.MEMBER, email="rosa@mna.test", name="Rosa")

    response = sign_in(client, email="rosa@mna.test", password="")
    assert "_auth_user_id" not in client.session
    response = sign_in(client, email="rosa@mna.test", password="anything at all")

    assert WRONG in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_it_refuses_a_person_with_a_password_but_only_the_member_role(client, org):
    make_person(org, Role.MEMBER, email="former@mna.test", password="former steward 42")

    response = sign_in(client, email="former@mna.test", password="former steward 42")

    assert WRONG in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_it_pauses_the_address_after_five_failures_even_with_the_right_password(client, admin):
    for attempt in range(4):
        assert sign_in(client, password=f"wrong {attempt}").status_code == 200
    fifth = sign_in(client, password="wrong again")
    assert fifth.status_code == 429

    response = sign_in(client)

    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_it_pauses_one_account_without_pausing_the_others_on_the_same_network(
    client, admin, responder
):
    for attempt in range(5):
        sign_in(client, password=f"wrong {attempt}")

    response = sign_in(client, "observer@mna.test", "legal observer 42")

    assert response.status_code == 302


def test_it_forgets_earlier_failures_after_a_successful_sign_in(client, admin):
    for attempt in range(4):
        sign_in(client, password=f"wrong {attempt}")
    assert sign_in(client).status_code == 302
    client.post("/staff/logout/")

    for attempt in range(4):
        assert sign_in(client, password=f"wrong {attempt}").status_code == 200


def test_it_never_stores_or_logs_the_typed_email(client, admin, caplog):
    caplog.set_level(logging.DEBUG)
    for attempt in range(6):
        sign_in(client, email="Admin@MNA.test", password=f"wrong {attempt}")
    sign_in(client, email="stranger@elsewhere.test", password="wrong")

    rows = [
        *AccessAttempt.objects.values(),
        *AccessFailureLog.objects.values(),
        *AccessLog.objects.values(),
    ]
    assert rows
    stored = repr(rows).lower()
    assert "admin@mna.test" not in stored
    assert "stranger@elsewhere.test" not in stored
    assert "correct horse" not in stored
    assert "admin@mna.test" not in caplog.text.lower()
    assert "stranger@elsewhere.test" not in caplog.text.lower()


def test_it_signs_out_with_a_post(admin_client):
    response = admin_client.post("/staff/logout/")

    assert response.status_code == 302
    assert admin_client.get("/staff/").status_code == 302


def test_it_does_not_follow_a_next_link_to_another_site(client, responder):
    response = sign_in(
        client, "observer@mna.test", "legal observer 42", next="https://evil.example/"
    )

    assert response["Location"] == "/staff/"


def test_it_links_an_admin_to_the_organization_screens(admin_client, org):
    page = admin_client.get("/staff/").content.decode()

    assert f"/staff/o/{org.slug}/members/" in page
    assert f"/staff/o/{org.slug}/sites/" in page


@pytest.mark.parametrize("password", ["", "x" * 600])
def test_it_answers_bad_input_without_an_error(client, admin, password):
    response = client.post("/staff/login/", {"email": "not an email", "password": password})

    assert response.status_code == 200
    assert "Email" in response.content.decode()


def test_the_admin_fixture_password_works(client, admin):
    assert sign_in(client, ADMIN_EMAIL, ADMIN_PASSWORD).status_code == 302
