"""Slow down whoever guesses a password, without locking the account's owner out (decision 0014).

django-axes records each failed sign-in under the account (the blind index of the email that
was typed, whether or not anyone signs in with it) and the address it came from, and forgets
a record a day after its last failure. axes itself never locks anything here
(`AXES_LOCK_OUT_AT_FAILURE = False`); this module reads its records before a password is
checked, and says how long the request must wait:

- **Per account and address.** After `AXES_FAILURE_LIMIT` failures (5) from one address, that
  address waits before its next guess on that account: 15 seconds after the fifth failure,
  doubling with each further one, at most 15 minutes. Other addresses are not slowed, so
  an attacker slows only themselves, and the volunteers behind a union hall's one public
  address are slowed only on the account that failed.
- **Per account, across addresses.** When failures from many addresses add up to
  `TOCSIN_SIGN_IN_ACCOUNT_LIMIT` (each address counting at most `AXES_FAILURE_LIMIT`, so one
  address alone never gets there), a password *alone* is checked only once per wait for the
  whole account (15 seconds, doubling with every further failure on the account, at most 15
  minutes). A password typed with a valid code from the person's authenticator app (or a
  backup code) does not wait: it proves what the attacker cannot.

An address is the IPv4 address, or the /64 network of an IPv6 address (one subscriber's
network, which one person can fill with addresses at will). Every answer depends only on
what was typed and where from, never on whether the account exists.
"""

import ipaddress
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from axes.utils import reset as reset_attempts
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.db.models import Max, Sum
from django.http import HttpRequest
from django.utils import timezone

from tocsin.accounts.backends import axes_username


def client_address(request: HttpRequest) -> str | None:
    """Return the address sign-in failures are counted under (AXES_CLIENT_IP_CALLABLE).

    uvicorn has already put the client's address in REMOTE_ADDR, from the trusted proxy's
    X-Forwarded-For in production (docs/deployment.md).
    """
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False).network_address)
    return str(address)


def wait_after(failures: int, limit: int) -> timedelta:
    """Return how long to wait after the last of `failures` when `limit` are free."""
    if failures < limit:
        return timedelta(0)
    first = settings.TOCSIN_SIGN_IN_FIRST_WAIT
    longest = settings.TOCSIN_SIGN_IN_LONGEST_WAIT
    # Cap the exponent before raising: a long attack must not overflow the float.
    seconds = min(first * 2 ** min(failures - limit, 32), longest)
    return timedelta(seconds=seconds)


@dataclass(frozen=True)
class Verdict:
    """How long, in whole seconds, before this sign-in may be checked."""

    address_wait: int  # this address, on this account: nothing is checked before it ends
    account_wait: int  # the account, from anywhere: a password with a code skips it

    def allows(self, with_code: bool) -> bool:
        return self.address_wait == 0 and (with_code or self.account_wait == 0)


def _seconds_left(last: datetime | None, wait: timedelta, now: datetime) -> int:
    if last is None or not wait:
        return 0
    return max(0, math.ceil((last + wait - now).total_seconds()))


def verdict(request: HttpRequest, email: str) -> Verdict:
    """Say whether a sign-in with this email, from this request's address, may be checked now."""
    now = timezone.now()
    limit = settings.AXES_FAILURE_LIMIT
    rows = (
        AccessAttempt.objects.filter(
            username=axes_username(request, {"email": email}),
            attempt_time__gte=now - (get_cool_off(request) or timedelta(0)),
        )
        .values("ip_address")
        .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
    )
    here = client_address(request)
    address_failures, address_last = 0, None
    spread, total, account_last = 0, 0, None
    for row in rows:
        if row["ip_address"] == here:
            address_failures, address_last = row["failures"], row["last"]
        # One address counts at most `limit` towards the account's slow-down, so that one
        # address alone never starts it; once started, every failure makes it longer.
        spread += min(row["failures"], limit)
        total += row["failures"]
        account_last = max(account_last or row["last"], row["last"])
    account_limit = settings.TOCSIN_SIGN_IN_ACCOUNT_LIMIT
    account_wait = wait_after(total, account_limit) if spread >= account_limit else timedelta(0)
    return Verdict(
        address_wait=_seconds_left(address_last, wait_after(address_failures, limit), now),
        account_wait=_seconds_left(account_last, account_wait, now),
    )


def record_failure(request: HttpRequest, email: str) -> None:
    """Count a refused sign-in whose password was right (a wrong code, a role that may not
    sign in) exactly as a wrong password is counted, so the count tells nothing."""
    user_login_failed.send(sender=__name__, credentials={"email": email}, request=request)


def forget_address(request: HttpRequest, account_index: str) -> None:
    """Forget the failures of this address on this account (its owner has just proved who
    they are); the failures from other addresses stay, and keep slowing whoever made them."""
    address = client_address(request)
    if address is None:
        return  # axes would read "no address" as "every address"
    reset_attempts(ip=address, username=axes_username(request, {"email": account_index}))
