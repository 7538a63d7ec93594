import logging

from django.db import connection
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language as django_set_language

from . import languages
from .access import public
from .tiles import TilesError, archive

logger = logging.getLogger(__name__)


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


@public
@require_GET
def map_tile(request, z: int, x: int, y: int) -> HttpResponse:
    """One image of the operator's own tile archive (TOCSIN_MAP_TILES_FILE), or 404."""
    found = data = None
    try:
        found = archive()
        data = found.tile(z, x, y) if found else None
    except TilesError as error:
        logger.warning("Map tiles unavailable: %s", error)
        data = None
    if found is None or data is None:
        raise Http404
    response = HttpResponse(data, content_type=found.content_type)
    response["Cache-Control"] = "public, max-age=86400"
    return response
