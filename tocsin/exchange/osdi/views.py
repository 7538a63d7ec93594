"""The OSDI read API's views, each behind one guard, and the URL patterns that serve them.

The API's tokens are tocsin.api's (decision 0002), and exchange sits beside api in the
layers, so it cannot import them: the project's urls.py, above both, hands `urlpatterns_for`
the function that reads a token (tocsin.api.services.tokens.person_for_token).

A token is read from `Authorization: Bearer …` or OSDI's own `OSDI-API-Token` header. No
token or a bad one: 401. An organization the token's person is not an active member of, or
any object not in it: 404, as for one that does not exist. A member who is neither an
organizer nor an admin: 403.
"""

import math
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.db.models import Count, Q
from django.http import Http404, HttpRequest, JsonResponse
from django.urls import URLPattern, path
from django.utils.translation import gettext as _

from tocsin.accounts.access import get_membership_for
from tocsin.accounts.models import Membership, Person
from tocsin.accounts.roles import Role
from tocsin.audit.services import record
from tocsin.campaigns.models import Rsvp
from tocsin.core.ids import as_uuid

from .. import privacy
from . import resources
from .resources import curies, href

HAL = "application/hal+json"
PER_PAGE = 25
MAX_PER_PAGE = 100
ANY_ROLE = Role(sum(Role))

TokenReader = Callable[[str], Person | None]


def hal(data: dict, status: int = 200) -> JsonResponse:
    response = JsonResponse(data, status=status, content_type=HAL)
    response["Cache-Control"] = "no-store"
    return response


def error(
    status: int, code: str, description: str, properties: list[str] | None = None
) -> JsonResponse:
    """Return an OSDI error description (errors.md) with the HTTP status."""
    return hal(
        {
            "request_type": "atomic",
            "response_code": status,
            "resource_status": [
                {
                    "response_code": status,
                    "error_descriptions": [
                        {
                            "error_code": code,
                            "description": description,
                            "properties": properties or [],
                        }
                    ],
                }
            ],
        },
        status=status,
    )


def token_of(request: HttpRequest) -> str:
    scheme, _space, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token:
        return token.strip()
    return request.headers.get("OSDI-API-Token", "").strip()


class BadParameter(ValueError):
    def __init__(self, name: str, description: str) -> None:
        super().__init__(description)
        self.name = name


def number(request: HttpRequest, name: str, default: int, most: int | None = None) -> int:
    raw = request.GET.get(name, "")
    if raw == "":
        return default
    if not raw.isascii() or not raw.isdigit() or len(raw) > 9 or int(raw) < 1:
        raise BadParameter(name, _("%(name)s must be a whole number from 1.") % {"name": name})
    value = int(raw)
    if most is not None and value > most:
        raise BadParameter(
            name, _("%(name)s may be %(most)s at most.") % {"name": name, "most": most}
        )
    return value


def collection(
    request: HttpRequest, rel: str, rows: list[dict], total: int, page: int, per_page: int
) -> dict:
    """Return a HAL collection page with OSDI's counts and self, next and previous links."""
    pages = max(math.ceil(total / per_page), 1)
    base = request.path

    def page_href(number: int) -> dict[str, str]:
        return {"href": f"{resources.base_url()}{base}?page={number}&per_page={per_page}"}

    links: dict[str, Any] = {
        "self": page_href(page),
        rel: [row["_links"]["self"] for row in rows],
        "curies": curies(),
    }
    if page < pages:
        links["next"] = page_href(page + 1)
    if page > 1:
        links["prev"] = links["previous"] = page_href(min(page - 1, pages))
    return {
        "total_pages": pages,
        "per_page": per_page,
        "page": page,
        "total_records": total,
        "_links": links,
        "_embedded": {rel: rows},
    }


def organizer_api(read_token: TokenReader):
    """Return the guard of every OSDI view: it reads the token, loads the caller's
    membership in the `org` URL argument's organization (organizer or admin), reads the
    page parameters, and hands the view (request, membership, page, per_page, **kwargs)."""

    def guard(view):
        @wraps(view)
        def wrapped(request: HttpRequest, org: str, **kwargs):
            if request.method not in ("GET", "HEAD"):
                return error(405, "METHOD_NOT_ALLOWED", _("This API only reads."))
            token = token_of(request)
            person = read_token(token) if token else None
            if person is None:
                response = error(401, "UNAUTHORIZED", _("Send an API token."))
                response["WWW-Authenticate"] = "Bearer"
                return response
            try:
                membership = get_membership_for(person, org, ANY_ROLE)
            except Http404:
                return error(404, "NOT_FOUND", _("Not found."))
            if not membership.has(Role.ORGANIZER) and not membership.has(Role.ADMIN):
                return error(
                    403, "FORBIDDEN", _("Your role in this organization does not allow this.")
                )
            membership.person = person
            try:
                page = number(request, "page", 1)
                per_page = number(request, "per_page", PER_PAGE, MAX_PER_PAGE)
            except BadParameter as bad:
                return error(400, "INVALID_PARAMETER", str(bad), [bad.name])
            try:
                return view(request, membership, page, per_page, **kwargs)
            except Http404:
                return error(404, "NOT_FOUND", _("Not found."))

        wrapped.tocsin_osdi = True  # type: ignore[attr-defined]
        return wrapped

    return guard


def window(page: int, per_page: int) -> slice:
    return slice((page - 1) * per_page, page * per_page)


def entry_point(request: HttpRequest, membership: Membership, page: int, per_page: int):
    org = membership.organization.slug
    return hal(
        {
            "motd": _("Tocsin's OSDI read API for %(organization)s.")
            % {"organization": membership.organization.name},
            "vendor_name": "Tocsin",
            "product_name": "Tocsin",
            "osdi_version": "1.0",
            "max_pagesize": MAX_PER_PAGE,
            "namespace": resources.NAMESPACE,
            "_links": {
                "curies": curies(),
                "self": {**href("aep", org=org), "title": "This API entry point"},
                "osdi:people": {**href("people", org=org), "title": "The organization's members"},
                "osdi:events": {**href("events", org=org), "title": "The organization's events"},
            },
        }
    )


def people(request: HttpRequest, membership: Membership, page: int, per_page: int):
    organization = membership.organization
    memberships = privacy.shared_memberships(organization)
    total = memberships.count()
    shown = [resources.person(organization, m) for m in memberships[window(page, per_page)]]
    record(
        membership.person,
        "exchange.osdi.people_read",
        organization,
        page=page,
        count=len(shown),
    )
    return hal(collection(request, "osdi:people", shown, total, page, per_page))


def shared_membership(membership: Membership, key: str) -> Membership:
    """Return the shared membership of the person whose public id is `key`, or 404."""
    found = (
        privacy.shared_memberships(membership.organization)
        .filter(person__public_id=as_uuid(key))
        .first()
    )
    if found is None:
        raise Http404
    return found


def person(request: HttpRequest, membership: Membership, page: int, per_page: int, person: str):
    found = shared_membership(membership, person)
    record(
        membership.person,
        "exchange.osdi.person_read",
        found.person,
        organization=membership.organization,
    )
    return hal(resources.person(membership.organization, found))


def with_accepted(events):
    return events.annotate(accepted=Count("rsvps", filter=Q(rsvps__status=Rsvp.Status.GOING)))


def events(request: HttpRequest, membership: Membership, page: int, per_page: int):
    organization = membership.organization
    found = with_accepted(privacy.shared_events(organization))
    total = found.count()
    shown = [
        resources.event(organization, event, event.accepted)
        for event in found[window(page, per_page)]
    ]
    return hal(collection(request, "osdi:events", shown, total, page, per_page))


def shared_event(membership: Membership, code: str):
    found = (
        with_accepted(privacy.shared_events(membership.organization)).filter(code=code[:12]).first()
    )
    if found is None:
        raise Http404
    return found


def event(request: HttpRequest, membership: Membership, page: int, per_page: int, event: str):
    found = shared_event(membership, event)
    return hal(resources.event(membership.organization, found, found.accepted))


def attendance_page(request, membership: Membership, rsvps, page: int, per_page: int):
    organization = membership.organization
    total = rsvps.count()
    shown = [resources.attendance(organization, rsvp) for rsvp in rsvps[window(page, per_page)]]
    record(
        membership.person,
        "exchange.osdi.attendances_read",
        organization,
        page=page,
        count=len(shown),
    )
    return hal(collection(request, "osdi:attendances", shown, total, page, per_page))


def event_attendances(request, membership: Membership, page: int, per_page: int, event: str):
    found = shared_event(membership, event)
    rsvps = privacy.shared_attendances(membership.organization).filter(event=found)
    return attendance_page(request, membership, rsvps, page, per_page)


def person_attendances(request, membership: Membership, page: int, per_page: int, person: str):
    found = shared_membership(membership, person)
    rsvps = privacy.shared_attendances(membership.organization).filter(person=found.person)
    return attendance_page(request, membership, rsvps, page, per_page)


def event_attendance(
    request, membership: Membership, page: int, per_page: int, event: str, person: str
):
    found = shared_event(membership, event)
    someone = shared_membership(membership, person)
    rsvp = (
        privacy.shared_attendances(membership.organization)
        .filter(event=found, person=someone.person)
        .first()
    )
    if rsvp is None:
        raise Http404
    record(
        membership.person,
        "exchange.osdi.attendance_read",
        someone.person,
        organization=membership.organization,
        event=found.code,
    )
    return hal(resources.attendance(membership.organization, rsvp))


def urlpatterns_for(read_token: TokenReader) -> list[URLPattern]:
    """Return the OSDI API's URL patterns, reading tokens with `read_token`."""
    guard = organizer_api(read_token)
    return [
        path("<slug:org>/", guard(entry_point), name="aep"),
        path("<slug:org>/people", guard(people), name="people"),
        path("<slug:org>/people/<str:person>", guard(person), name="person"),
        path(
            "<slug:org>/people/<str:person>/attendances",
            guard(person_attendances),
            name="person_attendances",
        ),
        path("<slug:org>/events", guard(events), name="events"),
        path("<slug:org>/events/<str:event>", guard(event), name="event"),
        path(
            "<slug:org>/events/<str:event>/attendances",
            guard(event_attendances),
            name="event_attendances",
        ),
        path(
            "<slug:org>/events/<str:event>/attendances/<str:person>",
            guard(event_attendance),
            name="event_attendance",
        ),
    ]
