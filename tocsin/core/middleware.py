"""Know who is asking (staff session or member link) and speak their language; refuse a
query string no view could use."""

from django.conf import settings
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _

from tocsin.accounts.models import Person

from .access import MEMBER_SESSION_KEY


class PersonLanguageMiddleware:
    """Set request.person, and use their chosen language unless the switcher chose another.

    Order of precedence: the language switcher (cookie), the person's stored language,
    the browser's Accept-Language (already applied by LocaleMiddleware).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        person = None
        if request.user.is_authenticated:
            person = request.user
        elif (person_id := request.session.get(MEMBER_SESSION_KEY)) is not None:
            person = Person.objects.filter(pk=person_id, is_active=True).first()
        request.person = person
        if person is not None and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
            translation.activate(person.language)
            request.LANGUAGE_CODE = person.language
        return self.get_response(request)


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
