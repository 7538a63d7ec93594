"""An organization's own settings."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from tocsin.accounts.access import org_context, org_view
from tocsin.accounts.models import Membership, Organization
from tocsin.accounts.roles import Role
from tocsin.accounts.services.organizations import update_organization

from ..forms import OrganizationForm
from . import apply_errors


@org_view(Role.ADMIN)
def organization_settings(request: HttpRequest, membership: Membership, org: str) -> HttpResponse:
    organization = membership.organization
    initial = {
        "name": organization.name,
        "default_language": organization.default_language,
        "retention_days": organization.retention_days,
        "report_number": organization.report_number,
        "member_organizations": list(organization.member_organizations.all()),
    }
    form = OrganizationForm(request.POST or None, organization=organization, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        members = data.pop("member_organizations", None)
        try:
            update_organization(
                membership.person,
                organization,
                member_organizations=list(members) if members is not None else None,
                **data,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("staff:organization", org=org)
    return render(
        request,
        "staff/organization.html",
        org_context(
            membership,
            form=form,
            is_coalition=organization.kind == Organization.Kind.COALITION,
            section="settings",
        ),
        status=400 if form.errors else 200,
    )
