"""An organization's bargaining units."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tocsin.accounts.access import org_context, org_view
from tocsin.accounts.models import Membership, Unit
from tocsin.accounts.roles import Role
from tocsin.accounts.services import units as unit_services

from ..access import get_unit_of
from ..forms import UnitForm
from . import apply_errors


@org_view(Role.ADMIN)
def unit_list(request: HttpRequest, membership: Membership, org: str) -> HttpResponse:
    organization = membership.organization
    units = organization.units.prefetch_related("sites").order_by("name")
    return render(
        request,
        "staff/units.html",
        org_context(membership, units=units, section="units"),
    )


def _save_unit(
    request: HttpRequest, membership: Membership, org: str, unit: Unit | None = None
) -> HttpResponse:
    organization = membership.organization
    initial = {"name": unit.name, "sites": list(unit.sites.all())} if unit else None
    form = UnitForm(request.POST or None, organization=organization, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if unit is None:
                unit_services.create_unit(
                    membership.person, organization, data["name"], list(data["sites"])
                )
            else:
                unit_services.update_unit(
                    membership.person, unit, data["name"], list(data["sites"])
                )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("staff:units", org=org)
    return render(
        request,
        "staff/unit_form.html",
        org_context(membership, form=form, unit=unit, section="units"),
        status=400 if form.errors else 200,
    )


@org_view(Role.ADMIN)
def unit_new(request: HttpRequest, membership: Membership, org: str) -> HttpResponse:
    return _save_unit(request, membership, org)


@org_view(Role.ADMIN)
def unit_detail(request: HttpRequest, membership: Membership, org: str, unit: str) -> HttpResponse:
    return _save_unit(request, membership, org, get_unit_of(membership.organization, unit))


@org_view(Role.ADMIN)
@require_POST
def unit_delete(request: HttpRequest, membership: Membership, org: str, unit: str) -> HttpResponse:
    current = get_unit_of(membership.organization, unit)
    unit_services.delete_unit(membership.person, current)
    messages.success(request, _("Unit %(unit)s deleted.") % {"unit": current.name})
    return redirect("staff:units", org=org)
