"""Who may reach a view, by who they are: a signed-in person with a role in the
organization, or whoever opened a member link in this browser.

The guards load who is asking and hand it to the view as an argument, typed, setting
nothing on the request (helios's security decorators do the same):

- `@org_view(role)`: `view(request, membership, *args, org=..., **kwargs)`, the acting
  person's `Membership` in the organization of the `org` URL argument (`membership.person`
  is the person, `membership.organization` the organization). Its pages pass
  `org_context(membership, ...)` to their template, for the organization's menu.
- `@staff_view`: `view(request, person, *args, **kwargs)`, the signed-in `Person`.
- `@member_view`: `view(request, member, *args, **kwargs)`, the `Person` of the member link.

Views that are open to anyone say so with `tocsin.core.access.public`; the access test in
tests/core/test_access.py walks every URL pattern and API operation to check the rest.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any, Concatenate, ParamSpec

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ImproperlyConfigured
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect

from tocsin.accounts.models import Membership, Organization, Person
from tocsin.accounts.roles import Role

MEMBER_SESSION_KEY = "tocsin_member_person"


P = ParamSpec("P")


def get_membership_for(person, org_slug: str, role: Role = Role.MEMBER) -> Membership:
    """Return the person's active membership in the organization holding `role`, or 404.

    A superuser operates the server but is not a member of any organization; they get no
    special pass here, so that an organization's data is seen only by its own people.
    """
    if person is None or not getattr(person, "pk", None):
        raise Http404
    if "\x00" in org_slug:  # no slug holds one, and PostgreSQL refuses it in a query
        raise Http404
    membership = (
        Membership.objects.select_related("organization")
        .filter(person=person, organization__slug=org_slug, active=True)
        .first()
    )
    if membership is None or not membership.has(role):
        raise Http404
    return membership


def get_organization_for(person, org_slug: str, role: Role = Role.MEMBER) -> Organization:
    return get_membership_for(person, org_slug, role).organization


def member_from_session(request: HttpRequest) -> Person | None:
    person_id = request.session.get(MEMBER_SESSION_KEY)
    if not isinstance(person_id, int):
        return None
    return Person.objects.filter(pk=person_id, is_active=True).first()


def acting_person(request: HttpRequest) -> Person:
    """Return the signed-in person, or 404 (a view behind a sign-in guard always has one)."""
    user = request.user
    if not isinstance(user, Person) or not user.is_authenticated:
        raise Http404
    return user


def refuse_unverified(request: HttpRequest) -> HttpResponseBase | None:
    """Send anonymous visitors to sign in and a person who needs a second factor to enrol
    or verify it; None for a signed-in person who may go on."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if request.user.needs_second_factor and not request.user.is_verified():  # type: ignore[attr-defined]
        return redirect("staff:second_factor")
    return None


def org_view(
    role: Role,
) -> Callable[
    [Callable[Concatenate[HttpRequest, Membership, P], HttpResponseBase]],
    Callable[Concatenate[HttpRequest, P], HttpResponseBase],
]:
    """Require `role` in the organization named by the `org` URL argument and hand the view
    the acting person's membership in it: `view(request, membership, *args, org=..., **kwargs)`.

    Anonymous visitors are sent to sign in; people who hold a role needing a second factor
    are sent to enrol or verify it; everyone else without the role gets 404.
    """

    def decorator(
        view: Callable[Concatenate[HttpRequest, Membership, P], HttpResponseBase],
    ) -> Callable[Concatenate[HttpRequest, P], HttpResponseBase]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponseBase:
            if (refusal := refuse_unverified(request)) is not None:
                return refusal
            org = kwargs.get("org")
            if not isinstance(org, str):
                raise ImproperlyConfigured("org_view guards only URLs with an <org> argument.")
            person = acting_person(request)
            membership = get_membership_for(person, org, role)
            membership.person = person  # the signed-in person, without a second query
            return view(request, membership, *args, **kwargs)

        return wrapped

    return decorator


def org_context(membership: Membership, /, **extra: Any) -> dict[str, Any]:
    """Return a template context for a page of the organization: the organization, and the
    acting person's membership (`acting_membership`), which its menu reads."""
    return {"organization": membership.organization, "acting_membership": membership, **extra}


def staff_view[**P](
    view: Callable[Concatenate[HttpRequest, Person, P], HttpResponseBase],
) -> Callable[Concatenate[HttpRequest, P], HttpResponseBase]:
    """Require a signed-in person, and their second factor if their roles need one, and hand
    the view that person: `view(request, person, *args, **kwargs)`."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponseBase:
        if (refusal := refuse_unverified(request)) is not None:
            return refusal
        return view(request, acting_person(request), *args, **kwargs)

    return wrapped


def member_view[**P](
    view: Callable[Concatenate[HttpRequest, Person, P], HttpResponseBase],
) -> Callable[Concatenate[HttpRequest, P], HttpResponseBase]:
    """Refuse anyone without a member-link session (send them to ask for a link), and hand
    the view the person of the link: `view(request, member, *args, **kwargs)`.

    A staff sign-in is not enough: a member page shows only the person of the member link,
    never someone chosen by URL.
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponseBase:
        member = member_from_session(request)
        if member is None:
            request.session.pop(MEMBER_SESSION_KEY, None)
            return redirect("joining:member_link_request")
        return view(request, member, *args, **kwargs)

    return wrapped
