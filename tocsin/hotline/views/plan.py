"""A member's own emergency plan, and the "I am being detained" trigger, from the member's
link. The plan is shown and changed only after its PIN. Nobody at the union sees the plan
from here; the hotline reads it from a case."""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from tocsin.accounts.access import member_view
from tocsin.accounts.models import Person
from tocsin.core.access import public

from ..forms import PlanForm, PlanPinForm, TriggerForm
from ..models import EmergencyPlan
from ..services import plans

# How long a plan opened with its PIN can still be saved from the page it was shown on.
PLAN_OPEN_FOR = timedelta(minutes=15)
OPEN_SALT = "tocsin.hotline.plan-open"
OPEN_FIELD = "opened"
EMERGENCY_SALT = "tocsin.hotline.emergency"


def member_organizations(person):
    return [
        m.organization
        for m in person.memberships.filter(active=True).select_related("organization")
    ]


@never_cache
@member_view
def plan_edit(request: HttpRequest, person: Person) -> HttpResponse:
    """Write a first plan; see or change one only after its PIN.

    A correct PIN shows the plan in that one response, with a signed mark in its form that
    lets a change be saved within PLAN_OPEN_FOR; nothing is kept in the session, so a
    member link (or a session taken from it) shows nothing of the plan without the PIN.
    """
    plan = EmergencyPlan.objects.filter(person=person).first()
    if plan is None:
        return plan_page(request, person, None)
    if request.method == "POST" and OPEN_FIELD in request.POST:
        if is_open(request.POST[OPEN_FIELD], plan):
            return plan_page(request, person, plan)
        context = {"form": PlanPinForm(), "plan": plan, "closed": True}
        return render(request, "hotline/plan_pin.html", context, status=400)
    form = PlanPinForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            # A wrong PIN counts as on the trigger: the third in a row locks both.
            plans.open_own_plan(person, form.cleaned_data["pin"])
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            return plan_page(request, person, plan, opening=True)
    status = 400 if form.errors else 200
    return render(request, "hotline/plan_pin.html", {"form": form, "plan": plan}, status=status)


def plan_page(request: HttpRequest, person, plan, opening: bool = False) -> HttpResponse:
    """The plan's form: empty for a first plan, filled once the PIN opened it; saves a POST
    of it (not the POST of the PIN that opened it)."""
    organizations = member_organizations(person)
    initial = {"organization": plan.organization.slug} if plan else {}
    data = request.POST if request.method == "POST" and not opening else None
    form = PlanForm(
        data,
        organizations=organizations,
        content=plan.content if plan else None,
        has_pin=plan is not None,
        initial=initial,
    )
    if data is not None and organizations and form.is_valid():
        try:
            plans.save_plan(
                person, form.chosen_organization(), form.plan_input(), form.cleaned_data["pin"]
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Your emergency plan is saved."))
            return redirect("hotline:plan")
    context = {
        "form": form,
        "plan": plan,
        "organizations": organizations,
        "open_field": OPEN_FIELD,
        "opened": open_mark(plan) if plan else "",
    }
    return render(request, "hotline/plan.html", context, status=400 if form.errors else 200)


def open_mark(plan: EmergencyPlan) -> str:
    """Return the mark that lets the opened plan be saved for a while; a new PIN voids it."""
    return signing.dumps(plan.pk, salt=f"{OPEN_SALT}:{plan.pin_hash}")


def is_open(mark: str, plan: EmergencyPlan) -> bool:
    try:
        found = signing.loads(mark, salt=f"{OPEN_SALT}:{plan.pin_hash}", max_age=PLAN_OPEN_FOR)
    except signing.BadSignature:  # also SignatureExpired
        return False
    return found == plan.pk


def emergency_token(plan: EmergencyPlan) -> str:
    """Return the token of the plan's trigger button: signed, never expiring, naming the
    plan and its person (a deleted plan's token finds nothing). It opens the trigger's form
    and nothing else; setting the plan off still needs its PIN (decision 0021)."""
    return signing.Signer(salt=EMERGENCY_SALT).sign_object([plan.pk, str(plan.person.public_id)])


def emergency_path(plan: EmergencyPlan) -> str:
    return reverse("hotline:plan_trigger_link", kwargs={"token": emergency_token(plan)})


def plan_for_emergency_token(token: str) -> EmergencyPlan | None:
    try:
        plan_id, person_id = signing.Signer(salt=EMERGENCY_SALT).unsign_object(token)
    except (signing.BadSignature, TypeError, ValueError):
        return None
    return (
        EmergencyPlan.objects.select_related("person", "organization")
        .filter(pk=plan_id, person__public_id=person_id, person__is_active=True)
        .first()
    )


@never_cache
@member_view
def plan_trigger(request: HttpRequest, person: Person) -> HttpResponse:
    """Press "I am being detained", give the PIN: the case opens and everyone is told."""
    plan = EmergencyPlan.objects.filter(person=person).first()
    if plan is None:
        return redirect("hotline:plan")
    return trigger_page(request, person, plan)


@public
@never_cache
@require_http_methods(["GET", "POST"])
def plan_trigger_link(request: HttpRequest, token: str) -> HttpResponse:
    """The same trigger from the plan's own button, with no member session needed: a
    session that ended while the page was open must not stand between a detained member
    and their plan. The PIN is asked as always, and wrong PINs lock it as always."""
    plan = plan_for_emergency_token(token)
    if plan is None:
        return redirect("joining:member_link_request")
    with translation.override(
        request.LANGUAGE_CODE
        if settings.LANGUAGE_COOKIE_NAME in request.COOKIES
        else plan.person.language
    ):
        return trigger_page(request, plan.person, plan)


def trigger_page(request: HttpRequest, person, plan: EmergencyPlan) -> HttpResponse:
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
