"""A local's playbook screens: its numbers, and a note per site where it is present."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from tocsin.accounts.access import org_context, org_view
from tocsin.accounts.models import Membership
from tocsin.accounts.roles import Role

from ..forms import PlaybookForm, SiteNoteForm
from ..models import LocalPlaybook, SiteNote
from ..services import save_playbook, save_site_note

EDITORS = Role.ADMIN | Role.ORGANIZER


@org_view(EDITORS)
def playbooks(request: HttpRequest, membership: Membership, org: str) -> HttpResponse:
    organization = membership.organization
    current = LocalPlaybook.objects.filter(organization=organization).first()
    initial = (
        {"hotline_number": current.hotline_number, "more_url": current.more_url} if current else {}
    )
    form = PlaybookForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            save_playbook(membership.person, organization, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Saved."))
            return redirect("playbooks:playbooks", org=org)
    noted = set(
        SiteNote.objects.filter(organization=organization).values_list("site_id", flat=True)
    )
    return render(
        request,
        "playbooks/staff/playbooks.html",
        org_context(
            membership,
            form=form,
            sites=[(site, site.pk in noted) for site in organization.sites.order_by("name")],
            section="playbooks",
        ),
        status=400 if form.errors else 200,
    )


@org_view(EDITORS)
def site_note(request: HttpRequest, membership: Membership, org: str, site: str) -> HttpResponse:
    organization = membership.organization
    place = get_object_or_404(organization.sites.all(), code=site)
    current = SiteNote.objects.filter(organization=organization, site=place).first()
    initial: dict = {}
    if current is not None:
        initial = {f"note_{code}": text for code, text in current.notes.items()}
        initial["roles"] = current.roles
    form = SiteNoteForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            save_site_note(
                membership.person,
                organization,
                place,
                notes=form.notes(),
                roles=form.cleaned_data["roles"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Saved."))
            return redirect("playbooks:site_note", org=org, site=place.code)
    return render(
        request,
        "playbooks/staff/site_note.html",
        org_context(membership, form=form, site=place, section="playbooks"),
        status=400 if form.errors else 200,
    )
