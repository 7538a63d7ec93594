"""The organization's audit log, for its admins: who read or changed what, and when."""

import uuid
from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from tocsin.audit.models import AuditEntry

from ..auth import ORG_ADMIN
from ..schemas import text
from .common import READ

router = Router(tags=["audit"], auth=ORG_ADMIN)


class AuditEntryOut(Schema):
    at: datetime
    actor: uuid.UUID | None = Field(description="the public id of who acted; null for Tocsin")
    actor_label: str = Field(description="who acted, kept when that person is erased")
    action: str = Field(description="a dotted name: hotline.case.read")
    object_type: str
    object_id: str
    detail: dict[str, Any] = Field(description="states, counts and ids")

    @staticmethod
    def resolve_actor(entry: AuditEntry) -> uuid.UUID | None:
        return entry.actor.public_id if entry.actor else None

    @staticmethod
    def resolve_detail(entry: AuditEntry) -> dict[str, Any]:
        return entry.detail if isinstance(entry.detail, dict) else {"detail": entry.detail}


@router.get("/organizations/{org}/audit", response={200: list[AuditEntryOut], **READ})
@paginate(LimitOffsetPagination, max_limit=500)
def list_audit_entries(
    request: HttpRequest,
    org: str,
    object_id: text(64) | None = Query(
        None, alias="object", description="the exact id of a case, incident, person…"
    ),
    action: text(80) | None = Query(
        None, description="the start of an action's name: hotline. or hotline.case.read"
    ),
):
    """List the organization's audit entries, newest first, optionally for one object or
    actions whose names start with `action`; 100 at a time unless `limit` says (up to 500)."""
    entries = AuditEntry.objects.filter(organization=request.organization)
    if object_id:
        entries = entries.filter(object_id=object_id)
    if action:
        entries = entries.filter(action__startswith=action)
    return entries.select_related("actor").order_by("-at", "-id")
