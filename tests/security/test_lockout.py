"""The lock-out as a weapon: an attacker who knows a dispatcher's email tries to keep the
console dark during a raid by failing sign-ins, from one address or from many.

Everything goes through the real sign-in page, as the attacker and the dispatcher would, each
from their own address (REMOTE_ADDR, which uvicorn sets from the trusted proxy's header).
"""

import re
import time

import pytest
from django.test import Client

from tests.conftest import make_person
from tests.staff.conftest import code_for
from tocsin.accounts.roles import Role
from tocsin.staff.services import second_factor

DANA_EMAIL = "dana@mna.test"
DANA_PASSWORD = "night shift 4242"
CONSOLE = "/staff/o/mna/console/"
ATTACKER = "203.0.113.66"
DANA_AT_HOME = "198.51.100.23"


@pytest.fixture
def dana(org):
    """A dispatcher with an enrolled authenticator app."""
    person = make_person(
        org, Role.DISPATCHER, email=DANA_EMAIL, password=DANA_PASSWORD, name="Dana Dispatcher"
    )
    device = second_factor.pending_authenticator(person)
    device.confirmed = True
    device.save()
    return person, device


def from_address(address: str) -> Client:
    return Client(REMOTE_ADDR=address)


def sign_in(client: Client, email: str, password: str, **extra):
    return client.post("/staff/login/", {"email": email, "password": password, **extra})


def masked(response) -> str:
    """The page without what differs between any two requests: CSRF tokens, CSP nonces and
    numbers."""
    text = response.content.decode()
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)
    text = re.sub(r'nonce="[^"]+"', "", text)
    return re.sub(r"\d+", "N", text)


def hammer(address: str, email: str, times: int) -> list:
    attacker = from_address(address)
    return [sign_in(attacker, email, f"guess number {n}") for n in range(times)]


def test_it_lets_the_dispatcher_in_from_her_address_while_an_attacker_hammers_from_another(
    dana,
):
    _dana, device = dana
    hammer(ATTACKER, DANA_EMAIL, 50)

    desk = from_address(DANA_AT_HOME)
    first = sign_in(desk, DANA_EMAIL, DANA_PASSWORD, next=CONSOLE)
    assert first.status_code == 302
    assert first["Location"].startswith("/staff/second-factor/")
    second = desk.post("/staff/second-factor/", {"code": code_for(device), "next": CONSOLE})

    assert second.status_code == 302
    assert second["Location"] == CONSOLE
    assert desk.get(CONSOLE).status_code == 200


def test_it_slows_the_attackers_address_for_seconds_and_refuses_even_the_right_password(dana):
    answers = hammer(ATTACKER, DANA_EMAIL, 50)

    assert [answer.status_code for answer in answers[:4]] == [200] * 4
    assert all(answer.status_code == 429 for answer in answers[5:])
    refused = sign_in(from_address(ATTACKER), DANA_EMAIL, DANA_PASSWORD)
    assert refused.status_code == 429
    wait = int(re.search(r"Try again in (\d+) second", refused.content.decode()).group(1))
    assert 0 < wait <= 60, "a wait of seconds, not a 15-minute lock-out"


def test_the_attacker_cannot_tell_a_dispatchers_email_from_one_nobody_uses(dana):
    on_dana = hammer(ATTACKER, DANA_EMAIL, 12)
    on_nobody = hammer("203.0.113.67", "nobody-here@mna.test", 12)

    assert [a.status_code for a in on_dana] == [a.status_code for a in on_nobody]
    for dana_answer, nobody_answer in zip(on_dana, on_nobody, strict=True):
        assert masked(dana_answer).replace(DANA_EMAIL, "EMAIL") == masked(nobody_answer).replace(
            "nobody-here@mna.test", "EMAIL"
        )


def test_a_union_halls_shared_address_locks_out_nobody_but_the_account_that_failed(dana, admin):
    hall = "192.0.2.10"
    hammer(hall, "admin@mna.test", 8)

    volunteer = from_address(hall)
    response = sign_in(volunteer, DANA_EMAIL, DANA_PASSWORD)

    assert response.status_code == 302
    assert response["Location"].startswith("/staff/second-factor/")


def test_it_counts_the_addresses_of_one_ipv6_network_as_one_address(dana):
    answers = [
        sign_in(from_address(f"2001:db8:5:7::{n:x}"), DANA_EMAIL, f"guess {n}") for n in range(1, 9)
    ]

    assert [a.status_code for a in answers[:4]] == [200] * 4
    assert all(a.status_code == 429 for a in answers[4:])
    assert sign_in(from_address("2001:db8:5:8::1"), DANA_EMAIL, "one more").status_code == 200


def test_it_slows_guesses_spread_over_many_addresses_per_account_but_lets_a_code_through(dana):
    _dana, device = dana
    spread = [sign_in(from_address(f"10.9.{n}.1"), DANA_EMAIL, f"guess {n}") for n in range(1, 31)]

    # Each address is fresh, yet after the account's allowance the guesses are not checked.
    assert spread[0].status_code == 200
    assert spread[-1].status_code == 429
    slowed = sign_in(from_address("10.9.200.1"), DANA_EMAIL, DANA_PASSWORD)
    assert slowed.status_code == 429
    assert 'name="code"' in slowed.content.decode()

    # The dispatcher types her password with her authenticator's code: she is in at once.
    desk = from_address(DANA_AT_HOME)
    response = sign_in(desk, DANA_EMAIL, DANA_PASSWORD, code=code_for(device), next=CONSOLE)
    assert response.status_code == 302
    assert response["Location"] == CONSOLE
    assert desk.get(CONSOLE).status_code == 200


def test_a_wrong_code_with_the_right_password_tells_the_attacker_nothing(dana):
    _dana, device = dana
    wrong_code = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"

    with_right_password = sign_in(
        from_address("10.8.0.1"), DANA_EMAIL, DANA_PASSWORD, code=wrong_code
    )
    with_wrong_password = sign_in(
        from_address("10.8.0.2"), DANA_EMAIL, "not her password", code=wrong_code
    )

    assert with_right_password.status_code == with_wrong_password.status_code == 200
    assert masked(with_right_password) == masked(with_wrong_password)


def test_the_account_wide_slow_down_passes_and_a_password_alone_works_again(dana, settings):
    settings.TOCSIN_SIGN_IN_FIRST_WAIT = 2
    for n in range(1, 21):
        sign_in(from_address(f"10.7.{n}.1"), DANA_EMAIL, f"guess {n}")
    assert sign_in(from_address("10.7.99.1"), DANA_EMAIL, DANA_PASSWORD).status_code == 429

    time.sleep(2.1)
    response = sign_in(from_address("10.7.99.1"), DANA_EMAIL, DANA_PASSWORD)

    assert response.status_code == 302
    assert response["Location"].startswith("/staff/second-factor/")


def test_a_new_password_lifts_the_slow_down_of_a_second_factor_someone_else_failed(
    dana, smtp_server, django_capture_on_commit_callbacks
):
    """Someone who learnt Dana's password fails her second factor until django-otp makes
    every code wait for minutes; Dana chooses a new password and is in at once."""
    _dana, device = dana
    thief = from_address(ATTACKER)
    sign_in(thief, DANA_EMAIL, DANA_PASSWORD)
    for attempt in range(12):
        thief.post("/staff/second-factor/", {"code": f"{attempt:06d}"})

    desk = from_address(DANA_AT_HOME)
    with django_capture_on_commit_callbacks(execute=True):
        desk.post("/staff/password/", {"email": DANA_EMAIL})
    [message] = smtp_server.wait_for(1)
    link = next(word for word in message["body"].split() if "/staff/password/" in word)
    path = "/" + link.split("/", 3)[3]
    new_password = "a brand new lantern 9"
    desk.post(path, {"new_password1": new_password, "new_password2": new_password})
    response = sign_in(desk, DANA_EMAIL, new_password, code=code_for(device), next=CONSOLE)

    assert response.status_code == 302
    assert response["Location"] == CONSOLE
    assert thief.get(CONSOLE).status_code == 302  # the old password's session is gone


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_on_her_phone_in_spanish_dana_signs_in_with_her_code_while_her_account_is_slowed(
    phone_in, live_server
):
    from tests.conftest import make_org

    org = make_org()
    person = make_person(
        org, Role.DISPATCHER, email=DANA_EMAIL, password=DANA_PASSWORD, name="Dana", language="es"
    )
    device = second_factor.pending_authenticator(person)
    device.confirmed = True
    device.save()
    for n in range(1, 25):
        sign_in(from_address(f"10.6.{n}.1"), DANA_EMAIL, f"guess {n}")
    page = phone_in("es")

    page.goto(live_server.url + "/staff/login/?next=" + CONSOLE)
    page.get_by_label("Correo electrónico").fill(DANA_EMAIL)
    page.get_by_label("Contraseña").fill(DANA_PASSWORD)
    page.get_by_role("button", name="Iniciar sesión").click()

    assert page.get_by_text("El inicio de sesión en esta cuenta va más lento").is_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, "the page fits a phone's width"
    page.get_by_label("Contraseña").fill(DANA_PASSWORD)
    page.get_by_label("Código de su aplicación de autenticación, o un código de respaldo").fill(
        code_for(device)
    )
    page.get_by_role("button", name="Iniciar sesión").click()

    page.wait_for_url(re.compile(re.escape(CONSOLE) + "$"))


def test_each_further_guess_on_a_slowed_account_doubles_its_wait_from_any_address(dana, settings):
    """Reusing addresses that already failed does not make the account's slow-down any
    shorter: every guess it lets through doubles the wait for the next."""
    settings.TOCSIN_SIGN_IN_FIRST_WAIT = 1
    for n in range(1, 21):
        sign_in(from_address(f"10.5.{n}.1"), DANA_EMAIL, f"guess {n}")

    waits = []
    for _round in range(2):
        time.sleep(waits[-1] + 0.1 if waits else 1.1)
        answer = sign_in(from_address("10.5.1.1"), DANA_EMAIL, "yet another guess")
        assert answer.status_code == 429
        text = answer.content.decode()
        waits.append(int(re.search(r"try again in (\d+) second", text).group(1)))

    assert waits == [2, 4]
