"""Structure, for a unit's organizers: its members' ratings (list, with history, and a new
rating) and its dashboard numbers (how many at each score, coverage, structure tests).

Anyone who does not organize the unit gets 404, whatever they send: the organization's
admins, organizers of other units, members, outsiders (see tocsin/structure/access.py).
Every read of ratings is audited.
"""

from datetime import date, datetime
from typing import Literal

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from tocsin.accounts.models import Membership, Person
from tocsin.audit.services import record
from tocsin.core.ids import as_uuid
from tocsin.structure.access import get_unit_for, unit_members
from tocsin.structure.dashboard import dashboard
from tocsin.structure.models import Assessment
from tocsin.structure.services import ratings as rating_services
from tocsin.structure.services import scale as scale_services

from ..access import BEARER, path_argument
from ..auth import ANY_PERSON
from ..schemas import Input
from .common import READ, WRITE

router = Router(tags=["structure"], auth=ANY_PERSON)

Score = Literal[1, 2, 3, 4, 5]
MAX_LIST = 2000


def unit_organizer(request: HttpRequest) -> Person | None:
    """Authenticate the token; set request.unit (and request.membership) to the `unit` path
    argument's unit of the `org` organization if the person organizes it, else answer 404."""
    person = ANY_PERSON(request)
    if person is not None:
        membership = (
            Membership.objects.select_related("organization", "person")
            .filter(person=person, organization__slug=path_argument(request, "org"), active=True)
            .first()
        )
        if membership is None:
            raise Http404
        request.membership = membership
        request.unit = get_unit_for(membership, path_argument(request, "unit"))
    return person


class AssessmentIn(Input):
    member: str = Field(description="the member's public id")
    score: Score = Field(description="1 (strongest support) to 5 (opposed)")


class AssessmentOut(Schema):
    id: str
    member: str
    score: int
    label: str
    rated_by: str | None
    rated_at: datetime

    @staticmethod
    def resolve_id(assessment: Assessment) -> str:
        return assessment.code

    @staticmethod
    def resolve_member(assessment: Assessment) -> str:
        return str(assessment.person.public_id)

    @staticmethod
    def resolve_rated_by(assessment: Assessment) -> str | None:
        return str(assessment.rated_by.public_id) if assessment.rated_by else None


class LevelOut(Schema):
    score: int
    label: str
    count: int


class CoverageOut(Schema):
    covered: int = Field(description="members with an assigned organizer")
    total: int
    percent: int


class TestOut(Schema):
    id: str
    name: str
    target_percent: int
    max_score: int
    by_date: date
    count: int = Field(description="members whose current score is at most max_score")
    percent: int
    needed: int = Field(description="members still to reach max_score for the target")
    status: Literal["met", "on_track", "behind", "missed"]


class StructureOut(Schema):
    unit: str
    name: str
    members: int
    rated: int
    levels: list[LevelOut]
    coverage: CoverageOut
    tests: list[TestOut]


def labelled(unit, assessments: list[Assessment]) -> list[Assessment]:
    """Give each rating the words of its score, as the organization's scale says them."""
    labels = scale_services.labels_for(unit.organization)
    for assessment in assessments:
        assessment.label = labels[assessment.score]
    return assessments


def member_in_unit(request: HttpRequest, public_id: str) -> Person:
    try:
        uuid = as_uuid(public_id)
    except Http404:
        raise ValidationError({"member": _("Give a member's id.")}) from None
    membership = unit_members(request.unit).filter(person__public_id=uuid).first()
    if membership is None:
        raise ValidationError({"member": _("That person is not a member of this unit.")})
    return membership.person


@router.get(
    "/organizations/{org}/units/{unit}/assessments",
    response={200: list[AssessmentOut], **READ},
    auth=unit_organizer,
    openapi_extra=BEARER,
)
def list_assessments(
    request: HttpRequest, org: str, unit: str, member: str | None = None, limit: int = 500
):
    """Every rating in the unit, newest first (the first for each member is their current
    one); `member` narrows it to one member's history. At most `limit` (500, up to 2000).
    Each read is audited."""
    found = request.unit
    record(request.auth, "structure.unit.read", found, what="api")
    ratings = Assessment.objects.filter(unit=found).select_related("person", "rated_by")
    if member is not None:
        try:
            ratings = ratings.filter(person__public_id=as_uuid(member))
        except Http404:
            raise ValidationError({"member": _("Give a member's id.")}) from None
    return labelled(
        found, list(ratings.order_by("-rated_at", "-id")[: max(1, min(limit, MAX_LIST))])
    )


@router.post(
    "/organizations/{org}/units/{unit}/assessments",
    response={201: AssessmentOut, **WRITE},
    auth=unit_organizer,
    openapi_extra=BEARER,
)
def create_assessment(request: HttpRequest, org: str, unit: str, payload: AssessmentIn):
    """Rate a member's support; the new rating becomes their current one."""
    person = member_in_unit(request, payload.member)
    assessment = rating_services.rate(request.auth, request.unit, person, payload.score)
    return Status(201, labelled(request.unit, [assessment])[0])


@router.get(
    "/organizations/{org}/units/{unit}/structure",
    response={200: StructureOut, **READ},
    auth=unit_organizer,
    openapi_extra=BEARER,
)
def get_structure(request: HttpRequest, org: str, unit: str):
    """The unit's dashboard numbers: members at each score, coverage by organizers, and
    each structure test's progress. Each read is audited."""
    record(request.auth, "structure.unit.read", request.unit, what="api_dashboard")
    board = dashboard(request.unit)
    return {
        "unit": request.unit.code,
        "name": request.unit.name,
        "members": board.total,
        "rated": board.rated,
        "levels": [
            {"score": score, "label": label, "count": count}
            for score, label, count, _share in board.levels
        ],
        "coverage": {
            "covered": board.covered,
            "total": board.total,
            "percent": board.coverage_percent,
        },
        "tests": [
            {
                "id": p.test.code,
                "name": p.test.name,
                "target_percent": p.test.target_percent,
                "max_score": p.test.max_score,
                "by_date": p.test.by_date,
                "count": p.count,
                "percent": p.percent,
                "needed": p.needed,
                "status": p.status,
            }
            for p in board.tests
        ],
    }
