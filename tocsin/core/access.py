"""Who may reach a view. Every view is either marked `public` or refuses outsiders itself.

The access test in tests/core/test_access.py walks every URL pattern and API operation:
a view without the `public` mark must refuse anonymous visitors and people of other
organizations (404 for objects, 401/403/redirect-to-sign-in for collections).
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest
from django.shortcuts import redirect

from tocsin.accounts.models import Membership, Organization
from tocsin.accounts.roles import Role

MEMBER_SESSION_KEY = "tocsin_member_person"


def public(view):
    """Mark a view as open to anyone, on purpose. The access test trusts this mark."""
    view.tocsin_public = True
    return view


def is_public(view) -> bool:
    return bool(getattr(view, "tocsin_public", False))


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


def org_role_required(role: Role):
    """Load the organization named by the `org` URL argument and require `role` in it.

    Anonymous visitors are sent to sign in; people who hold a role needing a second factor
    are sent to enrol or verify it; everyone else without the role gets 404.
    Sets request.organization and request.membership.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request: HttpRequest, *args, org: str, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if request.user.needs_second_factor and not request.user.is_verified():  # type: ignore[attr-defined]
                return redirect("staff:second_factor")
            membership = get_membership_for(request.user, org, role)
            request.organization = membership.organization  # type: ignore[attr-defined]
            request.membership = membership  # type: ignore[attr-defined]
            return view(request, *args, org=org, **kwargs)

        return wrapped

    return decorator


def staff_required(view):
    """Require a signed-in person with a privileged role, and their second factor if needed."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if request.user.needs_second_factor and not request.user.is_verified():  # type: ignore[attr-defined]
            return redirect("staff:second_factor")
        return view(request, *args, **kwargs)

    return wrapped
