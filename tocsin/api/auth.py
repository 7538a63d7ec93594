"""Bearer-token authentication, and the organization check that runs before any view.

Operations under /organizations/{org}/ are guarded by `ORG_MEMBER` or `ORG_ADMIN`: they
authenticate the token, then load the caller's membership in the organization named by
the `org` path argument, before ninja parses the request body or calls the view. An
outsider therefore gets 404 whatever they send; a member without the role gets 403.
"""

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import AuthorizationError, ConfigError
from ninja.security import HttpBearer

from tocsin.accounts.access import get_membership_for
from tocsin.accounts.models import Person
from tocsin.accounts.roles import Role

from .services.tokens import person_for_token

ANY_ROLE = Role(sum(Role))


class BearerToken(HttpBearer):
    """Authenticate `Authorization: Bearer <token>`; the request acts as the token's person.

    With `organization_role`, also require an active membership holding that role in the
    organization of the `org` path argument, and set request.membership and
    request.organization.
    """

    def __init__(self, organization_role: Role | None = None) -> None:
        super().__init__()
        self.organization_role = organization_role

    def __call__(self, request: HttpRequest) -> Person | None:
        # HttpBearer.__call__ logs a malformed header in DEBUG; a token must never be logged.
        scheme, _space, token = request.headers.get(self.header, "").partition(" ")
        if scheme.lower() != self.openapi_scheme or not token:
            return None
        return self.authenticate(request, token)

    def authenticate(self, request: HttpRequest, token: str) -> Person | None:
        person = person_for_token(token)
        if person is None:
            return None
        request.person = person
        if self.organization_role is not None:
            self.check_organization(request, person, self.organization_role)
        return person

    @staticmethod
    def check_organization(request: HttpRequest, person: Person, role: Role) -> None:
        match = request.resolver_match
        if match is None or "org" not in match.kwargs:
            raise ConfigError("An organization role guards only paths with an {org} argument.")
        # Raises Http404 for anyone who is not an active member: the API answers 404.
        membership = get_membership_for(person, match.kwargs["org"], ANY_ROLE)
        if not membership.has(role):
            raise AuthorizationError(
                message=_("Your role in this organization does not allow this.")
            )
        request.membership = membership
        request.organization = membership.organization


# The guards routers and operations use.
ANY_PERSON = BearerToken()
ORG_MEMBER = BearerToken(organization_role=ANY_ROLE)
ORG_ADMIN = BearerToken(organization_role=Role.ADMIN)
