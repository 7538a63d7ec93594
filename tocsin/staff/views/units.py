"""An organization's bargaining units."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tocsin.accounts.access import org_role_required
from tocsin.accounts.roles import Role
from tocsin.accounts.services import units as unit_services

from ..access import get_unit_of
from ..forms import UnitForm
from . import apply_errors


@org_role_required(Role.ADMIN)
def unit_list(request, org):
    organization = request.organization
    units = organization.units.prefetch_related("sites").order_by("name")
    return render(
        request,
        "staff/units.html",
        {"organization": organization, "units": units, "section": "units"},
    )


def _save_unit(request, org, unit=None):
    organization = request.organization
    initial = {"name": unit.name, "sites": list(unit.sites.all())} if unit else None
    form = UnitForm(request.POST or None, organization=organization, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if unit is None:
                unit_services.create_unit(
                    request.user, organization, data["name"], list(data["sites"])
                )
            else:
                unit_services.update_unit(request.user, unit, data["name"], list(data["sites"]))
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("staff:units", org=org)
    return render(
        request,
        "staff/unit_form.html",
        {"organization": organization, "form": form, "unit": unit, "section": "units"},
        status=400 if form.errors else 200,
    )


@org_role_required(Role.ADMIN)
def unit_new(request, org):
    return _save_unit(request, org)


@org_role_required(Role.ADMIN)
def unit_detail(request, org, unit):
    return _save_unit(request, org, get_unit_of(request.organization, unit))


@org_role_required(Role.ADMIN)
@require_POST
def unit_delete(request, org, unit):
    current = get_unit_of(request.organization, unit)
    unit_services.delete_unit(request.user, current)
    messages.success(request, _("Unit %(unit)s deleted.") % {"unit": current.name})
    return redirect("staff:units", org=org)
