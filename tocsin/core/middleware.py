"""Refuse a query string no view could use (who is asking: tocsin/accounts/middleware.py)."""

from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


class RefuseNulMiddleware:
    """Refuse a query parameter holding a NUL character, naming it, before any view runs;
    a path holding one is not found.

    No identifier, filter or search holds one, and PostgreSQL refuses it in a query (a 500
    if it got that far). Forms and API bodies refuse NUL themselves; this covers the URL.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path:
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": _("Not found.")}, status=404)
            raise Http404
        names = sorted(
            {name for name, values in request.GET.lists() if "\x00" in "".join([name, *values])}
        )
        if not names:
            return self.get_response(request)
        message = _("This may not contain a NUL character.")
        if request.path.startswith("/api/"):
            detail = [
                {"loc": ["query", name.replace("\x00", "")], "msg": message, "type": "value_error"}
                for name in names
            ]
            return JsonResponse({"detail": detail}, status=422)
        listed = ", ".join(name.replace("\x00", "") for name in names)
        return render(request, "400.html", {"problem": f"{listed}: {message}"}, status=400)
