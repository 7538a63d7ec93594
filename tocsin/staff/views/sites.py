"""An organization's sites: a list that works without JavaScript, and a map when it can."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tocsin.accounts.access import org_context, org_view
from tocsin.accounts.models import Membership, Site, Unit
from tocsin.accounts.roles import Role
from tocsin.accounts.services import sites as site_services

from ..access import get_site_of
from ..forms import LinkSiteForm, SiteForm
from . import apply_errors

SEARCH_LIMIT = 20


@org_view(Role.ADMIN)
def site_list(request: HttpRequest, membership: Membership, org: str) -> HttpResponse:
    organization = membership.organization
    query = request.GET.get("q", "").strip()[:200]
    found = []
    if query:
        found = list(
            Site.objects.filter(name__icontains=query)
            .exclude(organizations=organization)
            .order_by("name")[:SEARCH_LIMIT]
        )
    return render(
        request,
        "staff/sites.html",
        org_context(
            membership,
            sites=organization.sites.prefetch_related(
                Prefetch("units", Unit.objects.filter(organization=organization), "own_units")
            ).order_by("name"),
            query=query,
            found=found,
            section="sites",
        ),
    )


@org_view(Role.ADMIN)
def site_new(request: HttpRequest, membership: Membership, org: str) -> HttpResponse:
    form = SiteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            site = site_services.create_site(
                membership.person, membership.organization, **form.cleaned_data
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Site added."))
            return redirect("staff:site", org=org, site=site.code)
    return render(
        request,
        "staff/site_form.html",
        org_context(membership, form=form, section="sites"),
        status=400 if form.errors else 200,
    )


@org_view(Role.ADMIN)
def site_detail(request: HttpRequest, membership: Membership, org: str, site: str) -> HttpResponse:
    current = get_site_of(membership.organization, site)
    initial = {name: getattr(current, name) for name in site_services.SITE_FIELDS}
    form = SiteForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            site_services.update_site(
                membership.person, membership.organization, current, **form.cleaned_data
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("staff:site", org=org, site=site)
    return render(
        request,
        "staff/site_form.html",
        org_context(
            membership,
            form=form,
            site=current,
            others=current.organizations.exclude(pk=membership.organization.pk),
            section="sites",
        ),
        status=400 if form.errors else 200,
    )


@org_view(Role.ADMIN)
@require_POST
def site_link(request: HttpRequest, membership: Membership, org: str) -> HttpResponse:
    """Mark this organization present at a site already in Tocsin (found by name)."""
    form = LinkSiteForm(request.POST)
    site = None
    if form.is_valid():
        site = Site.objects.filter(code=form.cleaned_data["code"]).first()
    if site is None:
        messages.error(request, _("Site: there is no such site."))
        return redirect("staff:sites", org=org)
    site_services.link_site(membership.person, membership.organization, site)
    messages.success(request, _("%(site)s added to this organization.") % {"site": site.name})
    return redirect("staff:sites", org=org)


@org_view(Role.ADMIN)
@require_POST
def site_unlink(request: HttpRequest, membership: Membership, org: str, site: str) -> HttpResponse:
    current = get_site_of(membership.organization, site)
    site_services.unlink_site(membership.person, membership.organization, current)
    messages.success(
        request, _("%(site)s removed from this organization.") % {"site": current.name}
    )
    return redirect("staff:sites", org=org)
