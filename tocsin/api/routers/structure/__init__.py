"""Structure, for a unit's organizers: its members' ratings (list, with history, and a new
rating) and its dashboard numbers (how many at each score, coverage, structure tests).

Anyone who does not organize the unit gets 404, whatever they send: the organization's
admins, organizers of other units, members, outsiders (see tocsin/structure/access.py).
Every read of ratings is audited.
"""

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status

from tocsin.accounts.models import Person, Unit
from tocsin.api.access import ANY_PERSON, UNIT_ORGANIZER
from tocsin.api.routers.common import READ, WRITE, annotate
from tocsin.audit.services import record
from tocsin.core.ids import as_uuid
from tocsin.structure import services
from tocsin.structure.access import unit_members
from tocsin.structure.dashboard import dashboard
from tocsin.structure.models import Assessment

from .schemas import AssessmentIn, AssessmentOut, StructureOut

router = Router(tags=["structure"], auth=ANY_PERSON)

MAX_LIST = 2000


def labelled(unit: Unit, assessments: list[Assessment]) -> list[Assessment]:
    """Give each rating the words of its score, as the organization's scale says them."""
    labels = services.labels_for(unit.organization)
    for assessment in assessments:
        annotate(assessment, label=labels[assessment.score])
    return assessments


def member_in_unit(unit: Unit, public_id: str) -> Person:
    try:
        uuid = as_uuid(public_id)
    except Http404:
        raise ValidationError({"member": _("Give a member's id.")}) from None
    membership = unit_members(unit).filter(person__public_id=uuid).first()
    if membership is None:
        raise ValidationError({"member": _("That person is not a member of this unit.")})
    return membership.person


@router.get(
    "/organizations/{org}/units/{unit}/assessments",
    response={200: list[AssessmentOut], **READ},
    auth=UNIT_ORGANIZER,
)
def list_assessments(
    request: HttpRequest, org: str, unit: str, member: str | None = None, limit: int = 500
) -> list[Assessment]:
    """Every rating in the unit, newest first (the first for each member is their current
    one); `member` narrows it to one member's history. At most `limit` (500, up to 2000).
    Each read is audited."""
    access = UNIT_ORGANIZER.of(request)
    found = access.unit
    record(access.person, "structure.unit.read", found, what="api")
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
    auth=UNIT_ORGANIZER,
)
def create_assessment(request: HttpRequest, org: str, unit: str, payload: AssessmentIn) -> Status:
    """Rate a member's support; the new rating becomes their current one."""
    access = UNIT_ORGANIZER.of(request)
    person = member_in_unit(access.unit, payload.member)
    assessment = services.rate(access.person, access.unit, person, payload.score)
    return Status(201, labelled(access.unit, [assessment])[0])


@router.get(
    "/organizations/{org}/units/{unit}/structure",
    response={200: StructureOut, **READ},
    auth=UNIT_ORGANIZER,
)
def get_structure(request: HttpRequest, org: str, unit: str) -> dict:
    """The unit's dashboard numbers: members at each score, coverage by organizers, and
    each structure test's progress. Each read is audited."""
    access = UNIT_ORGANIZER.of(request)
    found = access.unit
    record(access.person, "structure.unit.read", found, what="api_dashboard")
    board = dashboard(found)
    return {
        "unit": found.code,
        "name": found.name,
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
