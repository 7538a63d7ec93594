from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from . import languages
from .access import public


@public
def home(request):
    return render(request, "core/home.html")


@public
def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"ok": True})


@public
@require_POST
def set_language(request) -> HttpResponse:
    """Switch language; a known person's choice is remembered on their profile too."""
    response = django_set_language(request)
    person = getattr(request, "person", None)
    language = request.POST.get("language")
    if person is not None and language in languages.codes() and person.language != language:
        person.language = language
        person.save(update_fields=["language"])
    return response
