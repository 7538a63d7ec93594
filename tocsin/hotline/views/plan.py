"""A member's own emergency plan, and the "I am being detained" trigger, from the member's
link. Nobody at the union sees the plan from here; the hotline reads it from a case."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from tocsin.joining.access import member_required

from ..forms import PlanForm, TriggerForm
from ..models import EmergencyPlan
from ..services import plans


def member_organizations(person):
    return [
        m.organization
        for m in person.memberships.filter(active=True).select_related("organization")
    ]


@never_cache
@member_required
def plan_edit(request: HttpRequest) -> HttpResponse:
    person = request.member
    plan = EmergencyPlan.objects.filter(person=person).first()
    organizations = member_organizations(person)
    initial = {"organization": plan.organization.slug} if plan else {}
    form = PlanForm(
        request.POST or None,
        organizations=organizations,
        content=plan.content if plan else None,
        has_pin=plan is not None,
        initial=initial,
    )
    if request.method == "POST" and organizations and form.is_valid():
        try:
            plans.save_plan(
                person, form.chosen_organization(), form.plan_input(), form.cleaned_data["pin"]
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Your emergency plan is saved."))
            return redirect("hotline:plan")
    context = {"form": form, "plan": plan, "organizations": organizations}
    return render(request, "hotline/plan.html", context, status=400 if form.errors else 200)


@never_cache
@member_required
def plan_trigger(request: HttpRequest) -> HttpResponse:
    """Press "I am being detained", give the PIN: the case opens and everyone is told."""
    person = request.member
    plan = EmergencyPlan.objects.filter(person=person).first()
    if plan is None:
        return redirect("hotline:plan")
    form = TriggerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case = plans.trigger_plan(
                person, form.cleaned_data["pin"], form.cleaned_data["taken_where"]
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            return render(request, "hotline/triggered.html", {"case": case, "plan": plan})
    status = 400 if form.errors else 200
    return render(request, "hotline/trigger.html", {"form": form, "plan": plan}, status=status)


urlpatterns = [
    path("me/plan/", plan_edit, name="plan"),
    path("me/plan/detained/", plan_trigger, name="plan_trigger"),
]
