"""Answers from the link in an alert: a verifier's finding, a responder's movements, the
legal van's ETA, a check-in from the scene. The link is the person's own (a signed,
expiring delivery token), so answering needs no sign-in. The response kinds' links open
alert_page (alerts.py registers it), which shows the message with the answers it takes."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import path
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tocsin.core.access import public
from tocsin.delivery.models import Delivery
from tocsin.delivery.views import delivery_of, message_page

from .. import alerts
from ..models import Response
from ..services.responses import answers_for, at_scene, record_response

MAX_ETA = 600


def answer_context(delivery: Delivery) -> dict:
    """What the alert page shows a person who may answer it (nothing for most members)."""
    alert, person = delivery.alert, delivery.person
    choices = answers_for(alert, person)
    if not choices or alert.incident is None or not alert.incident.is_open:
        return {"answers": []}
    labels = dict(Response.Status.choices)
    on_scene = at_scene(alert.incident, person)
    shown = [
        (status, labels[status])
        for status in choices
        if status != Response.Status.CHECKED_IN or on_scene
    ]
    mine = alert.responses.filter(person=person).order_by("-at", "-pk").first()
    return {
        "answers": shown,
        "asks_eta": alert.kind == alerts.DISPATCH.name,
        "asks_photo": alert.kind == alerts.VERIFY_REQUEST.name,
        "last_answer": mine,
        "on_scene": on_scene,
    }


def alert_page(request: HttpRequest, delivery: Delivery) -> HttpResponse:
    """The page a response alert's link opens: its message, and the answers its recipient
    may give (none for most members), which post to `answer`."""
    if request.method == "POST":
        return HttpResponseNotAllowed(["GET", "HEAD"])
    return message_page(request, delivery, "response/alert_answer.html", answer_context)


@public
@require_POST
def answer(request: HttpRequest, token: str) -> HttpResponse:
    delivery = delivery_of(token)
    eta = (request.POST.get("eta_minutes") or "").strip()
    upload = request.FILES.get("photo")
    with translation.override(delivery.person.language):
        try:
            eta_minutes = int(eta) if eta else None
        except ValueError:
            messages.error(request, _("ETA: give the minutes until you arrive, as a number."))
            return redirect("delivery:alert_link", token=token)
        try:
            record_response(
                delivery.person,
                delivery.alert,
                request.POST.get("status", ""),
                eta_minutes=eta_minutes,
                note=request.POST.get("note", ""),
                photo=upload.read() if upload else None,
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Thank you. The dispatcher sees your answer now."))
    return redirect("delivery:alert_link", token=token)


urlpatterns = [path("a/<str:token>/answer/", answer, name="answer")]
