"""Know who is asking (staff session or member link) and speak their language."""

from django.conf import settings
from django.utils import translation

from tocsin.accounts.access import MEMBER_SESSION_KEY
from tocsin.accounts.models import Person


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
