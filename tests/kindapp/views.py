from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tocsin.delivery.models import Delivery


def from_alert(request: HttpRequest, delivery: Delivery) -> HttpResponse:
    """The link in a shift swap message: the shift, for its recipient to take."""
    taken = request.method == "POST"
    return render(
        request,
        "kindapp/swap.html",
        {"shift": delivery.alert.context["shift"], "person": delivery.person, "taken": taken},
    )
