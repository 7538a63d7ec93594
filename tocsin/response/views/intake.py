"""Taking in reports: the public report pages of a site and of an organization, a member's
report from their own page, and a phone call typed in by a dispatcher or hotline volunteer.

Which organization a site's report goes to is decided here; see
docs/decisions/0005-report-routing.md.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from tocsin.accounts.access import member_view, org_context, org_view
from tocsin.accounts.models import Membership, Organization, Person, Site
from tocsin.accounts.roles import Role, has_role
from tocsin.core import languages
from tocsin.core.access import public
from tocsin.core.tiles import map_settings

from ..forms import ReportForm
from ..models import Report
from ..services.reports import TooManyReports, submit_report

CALL_TAKERS = Role.DISPATCHER | Role.HOTLINE


def page_language() -> str:
    return languages.supported(get_language())


def organization_for_site(site: Site, preferred: str = "") -> Organization:
    """Return the organization a report from the site goes to, or 404 if none is present.

    The one named by `preferred` (a slug) if it is present, else the first present one (by
    name) with an active dispatcher, else the first present one.
    """
    present = list(site.organizations.order_by("name", "pk"))
    if not present:
        raise Http404
    for organization in present:
        if preferred and organization.slug == preferred:
            return organization
    staffed = set(
        Membership.objects.filter(
            has_role(Role.DISPATCHER),
            organization__in=present,
            active=True,
            person__is_active=True,
        ).values_list("organization_id", flat=True)
    )
    return next((org for org in present if org.pk in staffed), present[0])


def take_report(
    form: ReportForm, organization: Organization, source: str, **who
) -> tuple[Report | None, int]:
    """Validate the posted form and file its report; return the report (None if refused)
    and the status to answer with. A robot's report (the hidden field filled) is dropped,
    and answered as if it were taken."""
    if form.is_spam:
        return None, 200
    if not form.is_valid():
        return None, 400
    try:
        report = submit_report(organization, form.report_input(page_language()), source, **who)
    except TooManyReports as error:
        form.add_error(None, error.messages)
        return None, 429
    except ValidationError as error:
        form.add_service_errors(error)
        return None, 400
    return report, 200


def report_page(
    request: HttpRequest,
    organization: Organization,
    thanks_url: str,
    this_site: Site | None = None,
    sites=(),
) -> HttpResponse:
    posted = request.method == "POST"
    form = ReportForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        this_site=this_site,
        sites=sites,
    )
    status = 200
    if posted:
        _report, status = take_report(
            form,
            organization,
            Report.Source.WEB,
            rate_source=request.META.get("REMOTE_ADDR", ""),
        )
        if status == 200:
            return redirect(thanks_url)
    centre = this_site or (sites[0] if sites else None)
    context = {
        "form": form,
        "organization": organization,
        "this_site": this_site,
        "place_name": this_site.name if this_site else organization.name,
        **map_settings((centre.lat, centre.lng) if centre else None, sites or []),
    }
    return render(request, "response/report.html", context, status=status)


def with_query(url: str, request: HttpRequest) -> str:
    """Return `url` keeping the organization the page was asked for (`?o=`), if any."""
    chosen = request.GET.get("o", "")
    return f"{url}?{urlencode({'o': chosen})}" if chosen else url


@public
def report_site(request: HttpRequest, site: str) -> HttpResponse:
    place = get_object_or_404(Site, code=site)
    organization = organization_for_site(place, request.GET.get("o", ""))
    thanks = reverse("response:report_site_thanks", kwargs={"site": place.code})
    return report_page(request, organization, with_query(thanks, request), this_site=place)


@public
def report_org(request: HttpRequest, org: str) -> HttpResponse:
    organization = get_object_or_404(Organization, slug=org)
    thanks = reverse("response:report_org_thanks", kwargs={"org": organization.slug})
    return report_page(request, organization, thanks, sites=list(organization.sites.all()))


def thanks_page(request: HttpRequest, again_url: str) -> HttpResponse:
    return render(request, "response/report_thanks.html", {"again_url": again_url})


@public
def report_site_thanks(request: HttpRequest, site: str) -> HttpResponse:
    place = get_object_or_404(Site, code=site)
    again = reverse("response:report_site", kwargs={"site": place.code})
    return thanks_page(request, with_query(again, request))


@public
def report_org_thanks(request: HttpRequest, org: str) -> HttpResponse:
    organization = get_object_or_404(Organization, slug=org)
    return thanks_page(request, reverse("response:report_org", kwargs={"org": organization.slug}))


def reporting_membership(person: Person) -> Membership:
    """Return the membership a member's report goes under: the first with a site, else the
    first; 404 for a person in no organization."""
    memberships = person.memberships.filter(active=True).select_related("organization", "site")
    membership = (
        memberships.filter(site__isnull=False).order_by("joined_at", "pk").first()
        or memberships.order_by("joined_at", "pk").first()
    )
    if membership is None:
        raise Http404
    return membership


@member_view
def report_member(request: HttpRequest, person: Person) -> HttpResponse:
    membership = reporting_membership(person)
    organization = membership.organization
    sites = list(organization.sites.all())
    posted = request.method == "POST"
    form = ReportForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        sites=sites,
        initial={"site": membership.site.code if membership.site else ""},
    )
    status = 200
    if posted:
        _report, status = take_report(
            form,
            organization,
            Report.Source.MEMBER,
            rate_source=str(person.public_id),
            reporter=person,
        )
        if status == 200:
            return redirect("response:report_member_thanks")
    centre = membership.site or (sites[0] if sites else None)
    context = {
        "form": form,
        "organization": organization,
        "place_name": organization.name,
        "member_page": True,
        **map_settings((centre.lat, centre.lng) if centre else None, sites or []),
    }
    return render(request, "response/report.html", context, status=status)


@member_view
def report_member_thanks(request: HttpRequest, person: Person) -> HttpResponse:
    return render(
        request,
        "response/report_thanks.html",
        {"again_url": reverse("response:report_member"), "member_page": True},
    )


@org_view(CALL_TAKERS)
def report_call(request: HttpRequest, membership: Membership, org: str) -> HttpResponse:
    """A dispatcher or hotline volunteer types in what a caller says; no rate limit."""
    organization = membership.organization
    sites = list(organization.sites.all())
    posted = request.method == "POST"
    form = ReportForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        sites=sites,
        call=True,
        initial={"language": page_language()},
    )
    status = 200
    if posted:
        report, status = take_report(
            form, organization, Report.Source.PHONE, entered_by=membership.person
        )
        if report is not None and membership.has(Role.DISPATCHER):
            return redirect(
                reverse(
                    "response:incident",
                    kwargs={"org": organization.slug, "incident": report.incident.public_id},
                )
            )
        if report is not None:
            # A hotline volunteer does not see incidents: the dispatchers take it from here.
            messages.success(request, _("Report saved. The dispatchers see it now."))
            return redirect("response:report_call", org=organization.slug)
        status = 400 if status == 200 else status
    centre = sites[0] if sites else None
    context = {
        "form": form,
        **org_context(membership),
        "section": "report_call",
        **map_settings((centre.lat, centre.lng) if centre else None, sites or []),
    }
    return render(request, "response/report_call.html", context, status=status)
