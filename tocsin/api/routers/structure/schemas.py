"""What the structure router reads and answers."""

from datetime import date, datetime
from typing import Literal

from ninja import Field, Schema

from tocsin.api.schemas import Input
from tocsin.structure.models import Assessment

Score = Literal[1, 2, 3, 4, 5]


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
