"""The joining flow's session: the person typing their confirmation code, the contact
just sent a code, and signing a member in once their link or code is good.

Who may reach a member's own pages (`member_view`) is tocsin.accounts.access.
"""

from django.http import HttpRequest

from tocsin.accounts.access import MEMBER_SESSION_KEY
from tocsin.accounts.models import Person

# The person who just joined and is typing their confirmation code, before any member link.
JOINING_SESSION_KEY = "tocsin_joining_person"
# The not-yet-confirmed contact that was just sent a code from the member-link page (0: none).
CLAIM_SESSION_KEY = "tocsin_claim_contact"


def sign_in_member(request: HttpRequest, person: Person) -> None:
    """Hold the person in this browser's session, under a fresh session key."""
    request.session.cycle_key()
    request.session[MEMBER_SESSION_KEY] = person.pk
    request.session.pop(JOINING_SESSION_KEY, None)
