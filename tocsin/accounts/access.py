"""Who may reach a view, by who they are: a signed-in person with a role in the
organization, or whoever opened a member link in this browser.

Views that are open to anyone say so with `tocsin.core.access.public`; the access test in
tests/core/test_access.py walks every URL pattern and API operation to check the rest.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest
from django.shortcuts import redirect

from tocsin.accounts.models import Membership, Organization, Person
from tocsin.accounts.roles import Role

MEMBER_SESSION_KEY = "tocsin_member_person"


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


def member_from_session(request: HttpRequest) -> Person | None:
    person_id = request.session.get(MEMBER_SESSION_KEY)
    if not isinstance(person_id, int):
        return None
    return Person.objects.filter(pk=person_id, is_active=True).first()


def member_required(view):
    """Refuse anyone without a member-link session: send them to ask for a link.

    Sets request.member. A staff sign-in is not enough: a member page shows only the
    person of the member link, never someone chosen by URL.
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):
        person = member_from_session(request)
        if person is None:
            request.session.pop(MEMBER_SESSION_KEY, None)
            return redirect("joining:member_link_request")
        request.member = person
        return view(request, *args, **kwargs)

    return wrapped
