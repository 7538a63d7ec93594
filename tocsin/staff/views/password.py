"""Choose a password through an emailed link: ask for the link, then open it and set one."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from tocsin.core.access import public

from .. import throttle
from ..forms import NewPasswordForm, PasswordLinkForm
from ..services import passwords


@public
@sensitive_post_parameters("email")
@never_cache
def password_reset(request: HttpRequest) -> HttpResponse:
    """Ask for a link by email; the answer is the same whether or not the email is known."""
    form = PasswordLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        passwords.request_password_link(form.cleaned_data["email"])
        return redirect("staff:password_reset_sent")
    return render(
        request,
        "staff/password_reset.html",
        {"form": form, "hours": passwords.password_link_hours()},
    )


@public
@never_cache
def password_reset_sent(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "staff/password_reset_sent.html",
        {"limit": passwords.PASSWORD_LINKS_PER_HOUR},
    )


@public
@sensitive_post_parameters("new_password1", "new_password2")
@never_cache
def password_set(request: HttpRequest, person: str, token: str) -> HttpResponse:
    """Set a new password with a valid link; any other link gets a page that explains."""
    target = passwords.person_from_password_token(person, token)
    if target is None:
        return render(request, "staff/password_link_invalid.html", status=400)
    form = NewPasswordForm(target, request.POST or None)
    if request.method == "POST" and form.is_valid():
        passwords.set_password(target, form.cleaned_data["new_password1"])
        if target.login_index:
            # The link proved who is at this address: forget its failures, as a successful
            # sign-in does. Other addresses' failures stay: they were someone else's guesses.
            throttle.forget_address(request, target.login_index)
        messages.success(
            request, _("Your password is set. Sign in with your email and your new password.")
        )
        return redirect("staff:login")
    status = 400 if request.method == "POST" else 200
    return render(request, "staff/password_set.html", {"form": form}, status=status)
