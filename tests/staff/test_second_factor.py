import re

from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tocsin.audit.models import AuditEntry

from .conftest import code_for, sign_in

MEMBERS = "/staff/o/mna/members/"


def test_it_sends_an_admin_without_totp_to_enrol_and_keeps_the_member_list_closed(client, admin):
    sign_in(client)

    response = client.get(MEMBERS)

    assert response.status_code == 302
    assert response["Location"].startswith("/staff/second-factor/")
    enrol = client.get(response["Location"]).content.decode()
    assert "Set up your second factor" in enrol
    assert "<svg" in enrol
    assert "Marisol" not in enrol
    assert client.get("/staff/").status_code == 302


def test_it_enrols_an_authenticator_with_a_real_code_and_shows_ten_backup_codes(client, admin):
    sign_in(client)
    page = client.get("/staff/second-factor/").content.decode()
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page).group(1)
    device = TOTPDevice.objects.get(user=admin)
    assert secret.replace(" ", "") in device.config_url

    response = client.post("/staff/second-factor/", {"code": code_for(device), "next": MEMBERS})

    assert response.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-7]+)</code></li>", response.content.decode())
    assert len(codes) == 10
    assert set(
        StaticToken.objects.filter(device__user=admin).values_list("token", flat=True)
    ) == set(codes)
    assert TOTPDevice.objects.get(user=admin).confirmed
    assert AuditEntry.objects.filter(action="accounts.second_factor.enrolled").exists()
    assert client.get(MEMBERS).status_code == 200


def test_it_keeps_the_same_secret_while_enrolment_is_pending(client, admin):
    sign_in(client)
    first = client.get("/staff/second-factor/").content.decode()
    second = client.get("/staff/second-factor/").content.decode()

    assert re.search(r'id="totp-secret">([^<]+)<', first).group(1) == re.search(
        r'id="totp-secret">([^<]+)<', second
    ).group(1)


def test_it_refuses_a_wrong_code_at_enrolment(client, admin):
    sign_in(client)
    client.get("/staff/second-factor/")
    device = TOTPDevice.objects.get(user=admin)
    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"

    response = client.post("/staff/second-factor/", {"code": wrong})

    assert "This code is not right" in response.content.decode()
    assert not TOTPDevice.objects.get(user=admin).confirmed
    assert client.get(MEMBERS).status_code == 302


def test_it_asks_an_enrolled_admin_for_a_current_code(client, enrolled_admin):
    _admin, device, _codes = enrolled_admin
    sign_in(client)

    page = client.get("/staff/second-factor/").content.decode()
    assert "backup codes" in page
    assert "<svg" not in page
    response = client.post("/staff/second-factor/", {"code": code_for(device), "next": MEMBERS})

    assert response["Location"] == MEMBERS
    assert client.get(MEMBERS).status_code == 200


def test_it_refuses_the_same_totp_code_twice(client, enrolled_admin):
    _admin, device, _codes = enrolled_admin
    code = code_for(device)
    sign_in(client)
    client.post("/staff/second-factor/", {"code": code})
    client.post("/staff/logout/")
    sign_in(client)

    response = client.post("/staff/second-factor/", {"code": code})

    assert response.status_code == 200
    assert client.get(MEMBERS).status_code == 302


def test_it_accepts_a_backup_code_once(client, enrolled_admin):
    _admin, _device, codes = enrolled_admin
    sign_in(client)

    response = client.post("/staff/second-factor/", {"code": codes[0].upper()})
    assert response.status_code == 302
    assert client.get(MEMBERS).status_code == 200
    assert AuditEntry.objects.filter(action="accounts.second_factor.backup_code_used").exists()

    client.post("/staff/logout/")
    sign_in(client)
    assert client.post("/staff/second-factor/", {"code": codes[1]}).status_code == 302

    client.post("/staff/logout/")
    sign_in(client)
    response = client.post("/staff/second-factor/", {"code": codes[0]})
    assert "This code is not right" in response.content.decode()
    assert client.get(MEMBERS).status_code == 302


def test_it_does_not_ask_a_responder_for_a_second_factor(client, responder):
    sign_in(client, "observer@mna.test", "legal observer 42")

    assert client.get("/staff/second-factor/")["Location"] == "/staff/"
    assert client.get("/staff/").status_code == 200


def test_it_sends_an_anonymous_visitor_to_sign_in(client):
    response = client.get("/staff/second-factor/")

    assert response["Location"].startswith("/staff/login/")


def test_an_admin_resets_a_dispatchers_lost_second_factor(admin_client, org):
    from tests.conftest import make_person
    from tocsin.accounts.roles import Role
    from tocsin.staff.services import second_factor

    dispatcher = make_person(org, Role.DISPATCHER, email="d@mna.test", password="dispatch 4242")
    second_factor.pending_authenticator(dispatcher)
    TOTPDevice.objects.filter(user=dispatcher).update(confirmed=True)
    second_factor.replace_backup_codes(dispatcher)
    url = f"/staff/o/{org.slug}/members/{dispatcher.public_id}/"
    assert "Reset second factor" in admin_client.get(url).content.decode()

    admin_client.post(url + "second-factor/")

    assert not TOTPDevice.objects.filter(user=dispatcher).exists()
    assert not StaticToken.objects.filter(device__user=dispatcher).exists()
    entry = AuditEntry.objects.get(action="accounts.second_factor.reset")
    assert entry.organization == org
