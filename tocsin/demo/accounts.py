"""The demo's sign-in accounts and their fixed, published passwords, and the guard against them.

These passwords are printed by `make demo` and written in this file, so anyone can read
them: `tocsin serve` refuses to listen beyond this machine (or in production) while any
demo account still signs in with one.
"""

import ipaddress
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.management.base import CommandError

from tocsin.accounts.roles import Role
from tocsin.accounts.services.people import find_person_by_login

from . import world


@dataclass(frozen=True)
class DemoAccount:
    email: str
    password: str
    display_name: str
    role: Role
    # Organization slugs; empty means every demo organization.
    organizations: tuple[str, ...]


DEMO_ACCOUNTS = [
    DemoAccount(f"admin@{world.EMAIL_DOMAIN}", "tocsin-demo-admin", "Demo Admin", Role.ADMIN, ()),
    DemoAccount(
        f"dispatch@{world.EMAIL_DOMAIN}",
        "tocsin-demo-dispatch",
        "Demo Dispatcher",
        Role.DISPATCHER,
        (world.MNA, world.SEIU_26),
    ),
    DemoAccount(
        f"hotline@{world.EMAIL_DOMAIN}",
        "tocsin-demo-hotline",
        "Demo Hotline",
        Role.HOTLINE,
        (world.MNA,),
    ),
    DemoAccount(
        f"organizer@{world.EMAIL_DOMAIN}",
        "tocsin-demo-organizer",
        "Demo Organizer",
        Role.ORGANIZER,
        (world.ATU_1005, world.NNU),
    ),
]

DEMO_PASSWORDS = tuple(account.password for account in DEMO_ACCOUNTS)


def accounts_with_demo_passwords() -> list[str]:
    """Return the emails of demo accounts that still sign in with a published demo password.

    Only the demo accounts are checked: every check costs a full Argon2 hash, and these are
    the accounts the demo created with those passwords.
    """
    found = []
    for account in DEMO_ACCOUNTS:
        person = find_person_by_login(account.email)
        if person is None or not person.has_usable_password():
            continue
        # Its own password first: one hash in the usual case of an untouched demo account.
        candidates = [account.password, *(p for p in DEMO_PASSWORDS if p != account.password)]
        if any(check_password(password, person.password) for password in candidates):
            found.append(account.email)
    return found


def account_lines(emails: list[str] | None = None) -> list[str]:
    """Return the demo accounts (all, or those of `emails`) and their passwords, to print."""
    lines = ["Demo accounts (sign in at /staff/login/):"]
    for account in DEMO_ACCOUNTS:
        if emails is not None and account.email not in emails:
            continue
        lines.append(f"  {account.email:<28} password {account.password:<22} {account.role.slug}")
    return lines


def is_loopback(host: str) -> bool:
    """Return whether `host` can only be reached from this machine."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def refuse_demo_passwords(host: str) -> None:
    """Refuse to serve beyond this machine, or in production, while demo passwords work."""
    if is_loopback(host) and not settings.PRODUCTION:
        return
    emails = accounts_with_demo_passwords()
    if not emails:
        return
    where = "in production" if settings.PRODUCTION else f"on {host}"
    raise CommandError(
        f"Refusing to serve {where}: these demo accounts still have their published demo "
        f"passwords: {', '.join(emails)}. Anyone who has read the demo can sign in as them. "
        "Change those passwords first (`tocsin changepassword EMAIL`), or serve on 127.0.0.1 "
        "only."
    )
