"""Sign in with email and password, prove the second factor, see one's organizations."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from tocsin.accounts.access import acting_person, staff_view
from tocsin.accounts.models import Person
from tocsin.core.access import public

from .. import throttle
from ..dashboard import home_rows
from ..forms import CodeForm, SignInForm
from ..services import second_factor as factor_services


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _second_factor_url(next_url: str) -> str:
    return resolve_url("staff:second_factor") + "?" + urlencode({"next": next_url})


@public
@sensitive_post_parameters("email", "password", "code")
@never_cache
def sign_in(request: HttpRequest) -> HttpResponse:
    """Sign in people with a role above member; everyone else hears the same refusal.

    Failures slow the address that made them, and many addresses together slow a password
    alone on that account; a password with a valid code from the person's authenticator goes
    through at once (tocsin.staff.throttle, decision 0014).
    """
    next_url = _next_url(request)
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email, password = form.cleaned_data["email"], form.cleaned_data["password"]
        code = form.cleaned_data["code"]
        if not throttle.verdict(request, email).allows(with_code=bool(code)):
            return _slowed(request, form, next_url, email)
        person = authenticate(request, email=email, password=password)
        device = None
        if person is not None and person.is_privileged and code:
            device = factor_services.verify_second_factor(person, code)
        if person is not None and person.is_privileged and (device or not code):
            login(request, person)
            if device is not None:
                otp_login(request, device)
            elif person.needs_second_factor:
                return redirect(_second_factor_url(next_url))
            return redirect(next_url)
        if person is not None:
            throttle.record_failure(request, email)
        form.add_error(
            None, _("Wrong email, password or code.") if code else _("Wrong email or password.")
        )
        if not throttle.verdict(request, email).allows(with_code=bool(code)):
            return _slowed(request, form, next_url, email)
    context = {"form": form, "next": next_url, "ask_code": bool(request.POST.get("code"))}
    return render(request, "staff/sign_in.html", context)


def _slowed(request: HttpRequest, form: SignInForm, next_url: str, email: str) -> HttpResponse:
    """Answer a sign-in that must wait: how long, and (for the account's own slow-down) that
    a code from the authenticator app gets through now. The same for any email typed."""
    verdict = throttle.verdict(request, email)
    if verdict.address_wait:
        return render(request, "staff/locked_out.html", {"wait": verdict.address_wait}, status=429)
    context = {"form": form, "next": next_url, "wait": verdict.account_wait, "ask_code": True}
    return render(request, "staff/sign_in.html", context, status=429)


@public
@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    """Sign out; open to anyone on purpose, since signing out reveals and risks nothing."""
    logout(request)
    return redirect("home")


@never_cache
def second_factor(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app with backup codes, or check a code from either."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    person = acting_person(request)
    next_url = _next_url(request)
    if not person.needs_second_factor or person.is_verified():  # type: ignore[attr-defined]
        return redirect(next_url)
    form = CodeForm(request.POST or None)
    if factor_services.has_second_factor(person):
        if request.method == "POST" and form.is_valid():
            device = factor_services.verify_second_factor(person, form.cleaned_data["code"])
            if device is not None:
                otp_login(request, device)
                return redirect(next_url)
            form.add_error(
                "code",
                _("This code is not right, has expired or was already used. Try the newest one."),
            )
        return render(request, "staff/second_factor.html", {"form": form, "next": next_url})

    device = factor_services.pending_authenticator(person)
    if request.method == "POST" and form.is_valid():
        codes = factor_services.confirm_authenticator(person, device, form.cleaned_data["code"])
        if codes is not None:
            otp_login(request, device)
            return render(request, "staff/backup_codes.html", {"codes": codes, "next": next_url})
        form.add_error(
            "code", _("This code is not right. Type the six digits your app shows right now.")
        )
    context = {
        "form": form,
        "next": next_url,
        "qr": factor_services.qr_svg(device),
        "secret": factor_services.secret_text(device),
    }
    return render(request, "staff/enrol.html", context)


@staff_view
def home(request: HttpRequest, person: Person) -> HttpResponse:
    """Show the person's organizations, what needs attention in each, and their screens."""
    return render(request, "staff/home.html", {"rows": home_rows(person)})
