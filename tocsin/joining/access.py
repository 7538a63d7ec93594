"""Who may reach a member's own pages: whoever opened a member link in this browser."""

from functools import wraps

from django.http import HttpRequest
from django.shortcuts import redirect

from tocsin.accounts.models import Person
from tocsin.core.access import MEMBER_SESSION_KEY

# The person who just joined and is typing their confirmation code, before any member link.
JOINING_SESSION_KEY = "tocsin_joining_person"
# The not-yet-confirmed contact that was just sent a code from the member-link page (0: none).
CLAIM_SESSION_KEY = "tocsin_claim_contact"


def sign_in_member(request: HttpRequest, person: Person) -> None:
    """Hold the person in this browser's session, under a fresh session key."""
    request.session.cycle_key()
    request.session[MEMBER_SESSION_KEY] = person.pk
    request.session.pop(JOINING_SESSION_KEY, None)


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
