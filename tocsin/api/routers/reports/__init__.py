"""Reports of enforcement activity: anyone may send one, with or without a token.

A report with a token is filed as that person's and counts against their own rate limit;
without one, as nobody's, counted against the client's network. Either way the answer is a
receipt that says "received" and nothing else: never the incident the report joined or
opened, nor its state. Someone reporting to probe (an agent who wants to learn whether they
were reported, or broadcast) learns nothing from it. Dispatchers see the incident in their
console.
"""

import math

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Status

from tocsin.accounts.models import Organization
from tocsin.api.access import reporter_of
from tocsin.api.schemas import Error, FieldErrors
from tocsin.response.services.reports import ReportInput, TooManyReports, submit_report

from .schemas import ReportIn, ReportReceived

# No guard: the view reads the token itself, when one is sent.
router = Router(tags=["reports"], auth=None)

# A bearer token is optional here: the empty requirement means "or none".
OPTIONAL_BEARER: dict[str, list[dict[str, list[str]]]] = {"security": [{"BearerToken": []}, {}]}


@router.post(
    "/reports",
    response={201: ReportReceived, 400: Error, 401: Error, 422: FieldErrors, 429: Error},
    openapi_extra=OPTIONAL_BEARER,
)
def create_report(request: HttpRequest, response: HttpResponse, payload: ReportIn) -> Status:
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
