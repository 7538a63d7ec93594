"""The structure screens, for a unit's organizers: the units they organize, a unit's
dashboard with a row of 1-5 buttons per member, a member's history and organizer, the
unit's structure tests and organizers, the scale's words, and a CSV.

Everyone else gets 404 (access.py), admins of the organization included. Every showing of
ratings (dashboard, history, CSV) writes an audit entry.
"""

import csv
import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from tocsin.accounts.access import org_context, org_view
from tocsin.accounts.models import Membership, Unit

from . import forms
from .access import (
    ORGANIZER,
    get_unit_for,
    member_of_unit,
    organizers_of,
    read_unit,
    units_for,
)
from .dashboard import dashboard, history, structure_chart
from .models import DEFAULT_LABELS, SCORES, Scale, StructureTest, UnitOrganizer
from .services import organizers as organizer_services
from .services import ratings as rating_services
from .services import scale as scale_services
from .services import structure_tests as test_services


def base_context(membership: Membership, **extra: Any) -> dict[str, Any]:
    return org_context(membership, section="structure", **extra)


@never_cache
@org_view(ORGANIZER)
def unit_list(request: HttpRequest, membership: Membership, org: str) -> HttpResponse:
    """The units this organizer organizes, and the organization's units nobody organizes
    yet, which any of its organizers may take on."""
    mine = list(units_for(membership))
    unorganized = [
        unit
        for unit in membership.organization.units.exclude(pk__in=[u.pk for u in mine]).order_by(
            "name", "id"
        )
        if not organizers_of(unit).exists()
    ]
    boards = [dashboard(read_unit(membership, unit.code, what="summary")) for unit in mine]
    context = base_context(
        membership,
        units=mine,
        boards=boards,
        chart=structure_chart(boards),
        labels=scale_services.labels_for(membership.organization),
        unorganized=unorganized,
    )
    return render(request, "structure/units.html", context)


@org_view(ORGANIZER)
@require_POST
def take_on(request: HttpRequest, membership: Membership, org: str, unit: str) -> HttpResponse:
    """Become the first organizer of a unit that has none."""
    found = membership.organization.units.filter(code=unit).first()
    if found is None or organizers_of(found).exists():
        raise Http404
    organizer_services.add_organizer(membership.person, found, membership.person)
    messages.success(request, _("You organize %(unit)s now.") % {"unit": found.name})
    return redirect("structure:unit", org=org, unit=found.code)


def dashboard_context(
    request: HttpRequest, membership: Membership, unit: Unit, **extra: Any
) -> dict[str, Any]:
    board = dashboard(unit)
    score = request.GET.get("score", "")
    shown = board.rows
    if score == "none":
        shown = [row for row in board.rows if row.score is None]
    elif score in {str(value) for value in SCORES}:
        shown = [row for row in board.rows if row.score == int(score)]
    else:
        score = ""
    organizers = list(organizers_of(unit))
    added = set(UnitOrganizer.objects.filter(unit=unit).values_list("person_id", flat=True))
    return base_context(
        membership,
        unit=unit,
        board=board,
        hidden_rows={row.person.pk for row in board.rows} - {row.person.pk for row in shown},
        score_filter=score,
        organizers=[(person, person.pk in added) for person in organizers],
        organizer_form=forms.OrganizerForm(organizers=organizer_services.organizers_to_add(unit)),
        **extra,
    )


@never_cache
@org_view(ORGANIZER)
def unit_dashboard(
    request: HttpRequest, membership: Membership, org: str, unit: str
) -> HttpResponse:
    found = read_unit(membership, unit, what="dashboard")
    return render(
        request, "structure/dashboard.html", dashboard_context(request, membership, found)
    )


@org_view(ORGANIZER)
@require_POST
def rate(
    request: HttpRequest, membership: Membership, org: str, unit: str, person: str
) -> HttpResponse:
    """Record a new rating from one of the dashboard's 1-5 buttons."""
    found = get_unit_for(membership, unit)
    member = member_of_unit(found, person).person
    form = forms.RateForm(request.POST)
    if form.is_valid():
        try:
            rating_services.rate(membership.person, found, member, form.cleaned_data["score"])
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                _("%(name)s: %(label)s.")
                % {
                    "name": member.display_name,
                    "label": scale_services.labels_for(found.organization)[
                        form.cleaned_data["score"]
                    ],
                },
            )
            if request.POST.get("next") == "member":
                return redirect("structure:member", org=org, unit=found.code, person=person)
            return redirect(
                reverse("structure:unit", kwargs={"org": org, "unit": found.code})
                + f"#member-{member.public_id}"
            )
    found = read_unit(membership, unit, what="dashboard")
    context = dashboard_context(request, membership, found, rate_form=form)
    return render(request, "structure/dashboard.html", context, status=400)


def member_context(
    membership: Membership, unit: Unit, theirs: Membership, **extra: Any
) -> dict[str, Any]:
    current = unit.structure_assignments.filter(person=theirs.person).first()
    extra.setdefault(
        "assign_form",
        forms.AssignForm(
            organizers=organizers_of(unit),
            initial={"organizer": str(current.organizer.public_id) if current else ""},
        ),
    )
    return base_context(
        membership,
        unit=unit,
        member=theirs.person,
        history=list(history(unit, theirs.person)),
        labels=scale_services.labels_for(unit.organization),
        **extra,
    )


@never_cache
@org_view(ORGANIZER)
def member_detail(
    request: HttpRequest, membership: Membership, org: str, unit: str, person: str
) -> HttpResponse:
    found = get_unit_for(membership, unit)
    theirs = member_of_unit(found, person)
    read_unit(membership, unit, what="member", member=str(theirs.person.public_id))
    return render(request, "structure/member.html", member_context(membership, found, theirs))


@org_view(ORGANIZER)
@require_POST
def assign(
    request: HttpRequest, membership: Membership, org: str, unit: str, person: str
) -> HttpResponse:
    found = get_unit_for(membership, unit)
    theirs = member_of_unit(found, person)
    form = forms.AssignForm(request.POST, organizers=organizers_of(found))
    if form.is_valid():
        try:
            rating_services.assign(membership.person, found, theirs.person, form.chosen())
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Their organizer is saved."))
            return redirect("structure:member", org=org, unit=found.code, person=person)
    read_unit(membership, unit, what="member", member=str(theirs.person.public_id))
    context = member_context(membership, found, theirs, assign_form=form)
    return render(request, "structure/member.html", context, status=400)


def test_form_view(
    request: HttpRequest, membership: Membership, org: str, unit: str, test: StructureTest | None
) -> HttpResponse:
    found = get_unit_for(membership, unit)
    labels = scale_services.labels_for(found.organization)
    initial = {}
    if test is not None:
        initial = {
            "name": test.name,
            "target_percent": test.target_percent,
            "max_score": test.max_score,
            "by_date": test.by_date,
        }
    form = forms.TestForm(request.POST or None, labels=labels, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = (data["name"], data["target_percent"], data["max_score"], data["by_date"])
        try:
            if test is None:
                test_services.create_test(membership.person, found, *fields)
            else:
                test_services.update_test(membership.person, test, *fields)
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The structure test is saved."))
            return redirect("structure:unit", org=org, unit=found.code)
    context = base_context(membership, unit=found, form=form, test=test)
    return render(request, "structure/test_form.html", context, status=400 if form.errors else 200)


@never_cache
@org_view(ORGANIZER)
def test_new(request: HttpRequest, membership: Membership, org: str, unit: str) -> HttpResponse:
    return test_form_view(request, membership, org, unit, None)


def get_test(membership: Membership, unit: str, code: str) -> StructureTest:
    found = get_unit_for(membership, unit)
    test = StructureTest.objects.filter(unit=found, code=str(code)).first()
    if test is None:
        raise Http404
    return test


@never_cache
@org_view(ORGANIZER)
def test_edit(
    request: HttpRequest, membership: Membership, org: str, unit: str, structure_test: str
) -> HttpResponse:
    return test_form_view(
        request, membership, org, unit, get_test(membership, unit, structure_test)
    )


@org_view(ORGANIZER)
@require_POST
def test_delete(
    request: HttpRequest, membership: Membership, org: str, unit: str, structure_test: str
) -> HttpResponse:
    test = get_test(membership, unit, structure_test)
    test_services.delete_test(membership.person, test)
    messages.success(request, _("The structure test is deleted."))
    return redirect("structure:unit", org=org, unit=unit)


@org_view(ORGANIZER)
@require_POST
def organizer_add(
    request: HttpRequest, membership: Membership, org: str, unit: str
) -> HttpResponse:
    found = get_unit_for(membership, unit)
    form = forms.OrganizerForm(request.POST, organizers=organizer_services.organizers_to_add(found))
    if form.is_valid():
        try:
            organizer_services.add_organizer(membership.person, found, form.chosen())
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Organizer added to the unit."))
            return redirect("structure:unit", org=org, unit=found.code)
    found = read_unit(membership, unit, what="dashboard")
    context = dashboard_context(request, membership, found)
    context["organizer_form"] = form
    return render(request, "structure/dashboard.html", context, status=400)


@org_view(ORGANIZER)
@require_POST
def organizer_remove(
    request: HttpRequest, membership: Membership, org: str, unit: str, person: str
) -> HttpResponse:
    found = get_unit_for(membership, unit)
    organizer = (
        organizers_of(found).filter(public_id__in=[person] if is_uuid(person) else []).first()
    )
    if organizer is None:
        raise Http404
    try:
        organizer_services.remove_organizer(membership.person, found, organizer)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("%(name)s no longer organizes this unit.") % {"name": organizer.display_name}
        )
    if organizer == membership.person:
        return redirect("structure:units", org=org)
    return redirect("structure:unit", org=org, unit=found.code)


def is_uuid(value: str) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


@never_cache
@org_view(ORGANIZER)
def unit_csv(request: HttpRequest, membership: Membership, org: str, unit: str) -> HttpResponse:
    """The dashboard's members as a CSV: name, current score and its words, last rated,
    organizer. No contact details."""
    found = read_unit(membership, unit, what="csv")
    board = dashboard(found)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="structure-{found.code}-{stamp}.csv"'
    writer = csv.writer(response)
    writer.writerow([_("Member"), _("Score"), _("Rating"), _("Last rated"), _("Organizer")])
    for row in board.rows:
        writer.writerow(
            [
                safe_cell(row.person.display_name),
                row.score or "",
                row.label,
                timezone.localtime(row.rated_at).strftime("%Y-%m-%d %H:%M") if row.rated_at else "",
                safe_cell(row.organizer.display_name) if row.organizer else "",
            ]
        )
    return response


def safe_cell(value: str) -> str:
    """Keep a spreadsheet from running a name as a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@never_cache
@org_view(ORGANIZER)
def scale(request: HttpRequest, membership: Membership, org: str) -> HttpResponse:
    """The organization's own words for 1-5."""
    current = Scale.objects.filter(organization=membership.organization).first()
    initial = {f"label_{s}": getattr(current, f"label_{s}") for s in SCORES} if current else {}
    defaults = {score: str(label) for score, label in DEFAULT_LABELS.items()}
    form = forms.ScaleForm(request.POST or None, defaults=defaults, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            scale_services.save_scale(membership.person, membership.organization, form.labels())
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The scale's words are saved."))
            return redirect("structure:units", org=org)
    context = base_context(membership, form=form)
    return render(request, "structure/scale.html", context, status=400 if form.errors else 200)
