"""What the reports router reads and answers."""

from typing import Annotated, Literal

from ninja import Field, Schema

from tocsin.api.schemas import AwareMoment, Code, Input, Language, Latitude, Longitude, text
from tocsin.response.services.reports import MAX_COUNT, MAX_SHORT_TEXT, MAX_TEXT

Count = Annotated[int, Field(ge=0, le=MAX_COUNT)]


class ReportIn(Input):
    organization: Annotated[str, text(60, 1)] = Field(
        description="the slug of the organization to report to"
    )
    site: Code | None = Field(None, description="the code of one of the organization's sites")
    lat: Latitude | None = None
    lng: Longitude | None = None
    location: Annotated[str, text(MAX_SHORT_TEXT)] = Field("", description="where, in words")
    agents: Count | None = Field(None, description="how many agents")
    vehicles: Count | None = Field(None, description="how many vehicles")
    activity: Annotated[str, text(MAX_TEXT)] = Field("", description="what the agents are doing")
    uniform: Annotated[str, text(MAX_SHORT_TEXT)] = Field(
        "", description="what they wear, badges, markings"
    )
    equipment: Annotated[str, text(MAX_SHORT_TEXT)] = Field(
        "", description="weapons, vehicles, tools"
    )
    seen_at: AwareMoment | None = Field(None, description="when it was seen; now if not given")
    callback: Annotated[str, text(120)] = Field(
        "", description="how a dispatcher can call the reporter back"
    )
    language: Language = Field("en", description="the reporter's language")


class ReportReceived(Schema):
    receipt: str = Field(description="a random code for the reporter's own notes")
    status: Literal["received"] = Field(description="always `received`")
