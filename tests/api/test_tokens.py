"""API tokens: printed once by `tocsin api-token`, stored hashed, refused when revoked."""

import hashlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.factories import Api
from tocsin.api.models import ApiToken
from tocsin.api.services.tokens import issue_token, revoke_token


def run_api_token(*args) -> str:
    out = StringIO()
    call_command("api-token", *args, stdout=out, stderr=StringIO())
    return out.getvalue().strip()


def test_it_prints_a_token_that_works_and_stores_only_its_hash(admin, org):
    token = run_api_token("admin@mna.test", "--name", "payroll sync")

    stored = ApiToken.objects.get(person=admin)
    assert stored.name == "payroll sync"
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in {stored.token_hash, stored.public_id, stored.name}
    assert stored.public_id in token
    response = Api(token).get("/organizations")
    assert response.status_code == 200
    assert [o["slug"] for o in response.json()] == [org.slug]
    stored.refresh_from_db()
    assert stored.last_used_at is not None


def test_it_prints_a_new_token_each_time(admin):
    assert run_api_token("admin@mna.test") != run_api_token("admin@mna.test")
    assert ApiToken.objects.filter(person=admin).count() == 2


def test_it_refuses_an_unknown_email_with_a_clear_error(db):
    with pytest.raises(CommandError, match="No one signs in with"):
        run_api_token("nobody@example.test")
    assert not ApiToken.objects.exists()


def test_it_revokes_a_token_from_the_command_line(admin):
    token = run_api_token("admin@mna.test")
    public_id = ApiToken.objects.get().public_id
    assert public_id in run_api_token("admin@mna.test", "--list")

    run_api_token("admin@mna.test", "--revoke", public_id)

    assert Api(token).get("/organizations").status_code == 401
    assert "revoked" in run_api_token("admin@mna.test", "--list")


def test_it_answers_401_with_json_for_a_revoked_token(admin):
    api_token, secret = issue_token(admin)
    revoke_token(api_token)

    response = Api(secret).get("/organizations")

    assert response.status_code == 401
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "token" in response.json()["detail"]


@pytest.mark.parametrize(
    "header",
    [
        None,
        "Bearer",
        "Bearer not-a-token",
        "Bearer tocsin_abc_def",
        "Basic YWRtaW46cGFzc3dvcmQ=",
        "Bearer " + "tocsin_" + "x" * 500,
    ],
)
def test_it_answers_401_for_a_missing_or_invalid_token(admin, org, client, header):
    headers = {"Authorization": header} if header else {}

    response = client.get(f"/api/v1/organizations/{org.slug}", headers=headers)

    assert response.status_code == 401
    assert "detail" in response.json()


def test_it_refuses_a_token_whose_secret_part_is_wrong(admin):
    _api_token, secret = issue_token(admin)

    assert Api(secret[:-2] + "xx").get("/organizations").status_code == 401


def test_it_refuses_the_token_of_a_deactivated_person(admin):
    _api_token, secret = issue_token(admin)
    admin.is_active = False
    admin.save(update_fields=["is_active"])

    assert Api(secret).get("/organizations").status_code == 401


def test_it_ignores_a_signed_in_session_without_a_token(admin_client, org):
    response = admin_client.get(f"/api/v1/organizations/{org.slug}")

    assert response.status_code == 401


def test_it_answers_in_the_language_the_client_asks_for(client, org):
    response = client.get(f"/api/v1/organizations/{org.slug}", headers={"Accept-Language": "es"})

    assert response.status_code == 401
    assert response.json()["detail"].startswith("Envía un token de API válido")
