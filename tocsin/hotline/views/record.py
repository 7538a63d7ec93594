"""A case as a printable page for counsel (print it, or save it as PDF from the browser).

It holds the case's facts and timeline, never the plan's care instructions or the family's
contacts. Each printing writes an audit entry.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from tocsin.accounts.access import org_context, org_view
from tocsin.accounts.models import Membership
from tocsin.accounts.roles import Role

from ..access import audit_read, get_case_for, works_on


@never_cache
@org_view(Role.MEMBER)
def case_record(request: HttpRequest, membership: Membership, org: str, case: str) -> HttpResponse:
    found = get_case_for(membership, case, received=True)
    if not works_on(membership, found):
        # Handed over: the record holds the other hotline's notes (decision 0033).
        return redirect("hotline:case", org=org, case=found.code)
    audit_read(membership, found, action="hotline.case.exported")
    context = org_context(
        membership,
        case=found,
        events=found.events.select_related("actor"),
        tasks=found.tasks.all(),
        printed_at=timezone.now(),
        printed_by=membership.person,
    )
    return render(request, "hotline/record.html", context)
