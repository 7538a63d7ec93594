"""Reports of enforcement activity: anyone may send one, with or without a token.

A report with a token is filed as that person's and counts against their own rate limit;
without one, as nobody's, counted against the client's network. Either way the answer is a
receipt that says "received" and nothing else: never the incident the report joined or
opened, nor its state. Someone reporting to probe (an agent who wants to learn whether they
were reported, or broadcast) learns nothing from it. Dispatchers see the incident in their
console.
"""

import math
from typing import Annotated, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.errors import AuthenticationError

from tocsin.accounts.models import Organization, Person
from tocsin.response.services.reports import (
    MAX_COUNT,
    MAX_SHORT_TEXT,
    MAX_TEXT,
    ReportInput,
    TooManyReports,
    submit_report,
)

from ..auth import ANY_PERSON
from ..schemas import (
    AwareMoment,
    Code,
    Error,
    FieldErrors,
    Input,
    Language,
    Latitude,
    Longitude,
    text,
)

# No guard: the view reads the token itself, when one is sent.
router = Router(tags=["reports"], auth=None)

# A bearer token is optional here: the empty requirement means "or none".
OPTIONAL_BEARER = {"security": [{"BearerToken": []}, {}]}


Count = Annotated[int, Field(ge=0, le=MAX_COUNT)]


class ReportIn(Input):
    organization: text(60, 1) = Field(description="the slug of the organization to report to")
    site: Code | None = Field(None, description="the code of one of the organization's sites")
    lat: Latitude | None = None
    lng: Longitude | None = None
    location: text(MAX_SHORT_TEXT) = Field("", description="where, in words")
    agents: Count | None = Field(None, description="how many agents")
    vehicles: Count | None = Field(None, description="how many vehicles")
    activity: text(MAX_TEXT) = Field("", description="what the agents are doing")
    uniform: text(MAX_SHORT_TEXT) = Field("", description="what they wear, badges, markings")
    equipment: text(MAX_SHORT_TEXT) = Field("", description="weapons, vehicles, tools")
    seen_at: AwareMoment | None = Field(None, description="when it was seen; now if not given")
    callback: text(120) = Field("", description="how a dispatcher can call the reporter back")
    language: Language = Field("en", description="the reporter's language")


class ReportReceived(Schema):
    receipt: str = Field(description="a random code for the reporter's own notes")
    status: Literal["received"] = Field(description="always `received`")


@router.post(
    "/reports",
    response={201: ReportReceived, 400: Error, 401: Error, 422: FieldErrors, 429: Error},
    openapi_extra=OPTIONAL_BEARER,
)
def create_report(request: HttpRequest, response: HttpResponse, payload: ReportIn):
    """Report enforcement activity; a dispatcher checks it before anything is sent.

    At least one of activity, uniform, equipment, agents or vehicles must say something.
    The answer is a receipt: the same whether the report opened an incident or joined one,
    and whatever that incident's state. Too many reports from one network in a short time
    answer 429 with Retry-After.
    """
    reporter = reporter_of(request)
    organization = Organization.objects.filter(slug=payload.organization).first()
    if organization is None:
        raise ValidationError({"organization": _("There is no organization with this short name.")})
    fields = payload.model_dump(exclude={"organization", "site"})
    site = None
    if payload.site is not None:
        site = organization.sites.filter(code=payload.site).first()
        if site is None:
            raise ValidationError(
                {"site": _("No site with code %(code)s here.") % {"code": payload.site}}
            )
    try:
        report = submit_report(
            organization,
            ReportInput(site=site, **fields),
            source="api",
            # A token holder counts as themselves, from wherever they send (as on their own
            # page); anyone else as their network (services/limits.py).
            rate_source=str(reporter.public_id)
            if reporter is not None
            else request.META.get("REMOTE_ADDR") or "unknown",
            reporter=reporter,
        )
    except TooManyReports as refused:
        response["Retry-After"] = str(math.ceil(refused.retry_after))
        return Status(429, {"detail": refused.messages[0]})
    # The report's own random id: a dispatcher can find the report when its sender quotes
    # it, and it names nothing an anonymous caller can open.
    return Status(201, {"receipt": str(report.public_id), "status": "received"})


def reporter_of(request: HttpRequest) -> Person | None:
    """Return the person of the request's token, None without one; refuse a bad token."""
    if "Authorization" not in request.headers:
        return None
    person = ANY_PERSON(request)
    if person is None:
        raise AuthenticationError
    return person
