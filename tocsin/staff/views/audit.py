"""The organization's audit log, for its admins: who read or changed what, and when.

The log itself is tocsin/audit (under accounts: every app writes to it); its screens live
here, with the other admin screens, because they need the organization's access check.
"""

import json
from dataclasses import dataclass
from datetime import datetime

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from tocsin.accounts.access import org_context, org_view
from tocsin.accounts.models import Membership
from tocsin.accounts.roles import Role
from tocsin.audit.forms import AuditFilterForm
from tocsin.audit.labels import action_label
from tocsin.audit.models import AuditEntry
from tocsin.audit.names import names_for
from tocsin.audit.services import record
from tocsin.core.csv import csv_response, csv_time

PAGE_SIZE = 50
CSV_HEADER = ["at", "actor", "action", "object_type", "object_id", "detail"]


@dataclass
class LogRow:
    at: datetime
    who: str
    person_id: str
    action: str
    what: str
    object_type: str
    object_id: str
    detail: list[tuple[str, str]]
    name: str = ""


def who_of(entry: AuditEntry) -> str:
    """Return who acted: their name, the label kept when they were erased, or Tocsin itself."""
    if entry.actor is not None:
        return entry.actor.display_name
    return entry.actor_label or _("Tocsin")


def shown(value) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(shown(item) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    return str(value)


def row_of(entry: AuditEntry) -> LogRow:
    detail = entry.detail if isinstance(entry.detail, dict) else {"detail": entry.detail}
    return LogRow(
        at=entry.at,
        who=who_of(entry),
        person_id=str(entry.actor.public_id) if entry.actor is not None else "",
        action=entry.action,
        what=action_label(entry.action),
        object_type=entry.object_type,
        object_id=entry.object_id,
        detail=[(str(key), shown(value)) for key, value in sorted(detail.items())],
    )


def filtered_entries(
    request: HttpRequest, membership: Membership
) -> tuple[AuditFilterForm, QuerySet[AuditEntry]]:
    """Return the filter form and the organization's entries it selects, newest first."""
    form = AuditFilterForm(request.GET or None)
    entries = AuditEntry.objects.filter(organization=membership.organization)
    entries = form.filtered(entries.select_related("actor").order_by("-at", "-id"))
    return form, entries


@never_cache
@org_view(Role.ADMIN)
def audit_log(request: HttpRequest, membership: Membership, org: str) -> HttpResponse:
    form, entries = filtered_entries(request, membership)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    rows = [row_of(entry) for entry in page]
    names = names_for(membership.organization, [(row.object_type, row.object_id) for row in rows])
    for row in rows:
        row.name = names.get((row.object_type, row.object_id), "")
    return render(
        request,
        "audit/log.html",
        org_context(
            membership,
            form=form,
            page=page,
            rows=rows,
            query=query.urlencode(),
            time_zone=timezone.get_current_timezone_name(),
            section="audit",
        ),
    )


@never_cache
@org_view(Role.ADMIN)
def audit_log_csv(request: HttpRequest, membership: Membership, org: str) -> HttpResponse:
    """The filtered log as CSV, newest first as on screen; the export is itself recorded."""
    _form, entries = filtered_entries(request, membership)
    rows = [
        [
            csv_time(entry.at),
            who_of(entry),
            entry.action,
            entry.object_type,
            entry.object_id,
            json.dumps(entry.detail, sort_keys=True, ensure_ascii=False),
        ]
        for entry in entries.iterator(chunk_size=2000)
    ]
    record(membership.person, "audit.log.exported", membership.organization, rows=len(rows))
    today = timezone.localdate().isoformat()
    return csv_response(CSV_HEADER, rows, f"{membership.organization.slug}-audit-log-{today}.csv")
