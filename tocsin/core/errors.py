"""The pages a person meets when something is wrong: Tocsin's own, in their language.

Django's handlers render 400.html, 403.html, 403_csrf.html and 500.html from
tocsin/core/templates; the 404 handler here also lets a view say which page explains a
link that no longer works (an alert's link after it expired), by raising LinkNotValid.
"""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render


class LinkNotValid(Http404):
    """A personal link that is forged or expired: answered 404 with `template`, a page that
    says how to get a new one."""

    def __init__(self, template: str, context: dict | None = None):
        super().__init__(template)
        self.template = template
        self.context = context or {}


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The project's handler404: the link's own page for a LinkNotValid, else 404.html."""
    if isinstance(exception, LinkNotValid):
        return render(request, exception.template, exception.context, status=404)
    return render(request, "404.html", status=404)
