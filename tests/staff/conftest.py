"""Fixtures for the sign-in and admin screens: real TOTP codes, people of every kind."""

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import make_person
from tocsin.accounts.roles import Role
from tocsin.staff.services import second_factor

ADMIN_EMAIL = "admin@mna.test"
ADMIN_PASSWORD = "correct horse 42"


def code_for(device: TOTPDevice, offset_steps: int = 0) -> str:
    """Return the code an authenticator app would show now for this device."""
    device.refresh_from_db()
    value = totp(
        device.bin_key,
        step=device.step,
        t0=device.t0 - offset_steps * device.step,
        digits=device.digits,
        drift=device.drift,
    )
    return f"{value:0{device.digits}d}"


def sign_in(client, email=ADMIN_EMAIL, password=ADMIN_PASSWORD, **extra):
    return client.post("/staff/login/", {"email": email, "password": password, **extra})


@pytest.fixture
def responder(org):
    return make_person(
        org, Role.RESPONDER, email="observer@mna.test", password="legal observer 42", name="Luz"
    )


@pytest.fixture
def enrolled_admin(admin):
    """The admin with a confirmed authenticator and ten backup codes; returns them."""
    device = second_factor.pending_authenticator(admin)
    device.confirmed = True
    device.save()
    codes = second_factor.replace_backup_codes(admin)
    return admin, device, codes


@pytest.fixture
def password_client(client, admin):
    """A client signed in with the admin's password only: no second factor yet."""
    client.force_login(admin)
    return client


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    """Run the callbacks (queued sends) a request leaves for after its commit."""
    return django_capture_on_commit_callbacks
