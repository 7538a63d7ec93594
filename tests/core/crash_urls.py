"""Tocsin's URLs and one view that fails, to see the 500 page (tests/core/test_error_pages.py)."""

from django.core.exceptions import PermissionDenied
from django.urls import path

from tocsin import urls


def crash(request):
    raise RuntimeError("a bug")


def denied(request):
    raise PermissionDenied


urlpatterns = [path("crash/", crash), path("denied/", denied), *urls.urlpatterns]
handler404 = urls.handler404
handler500 = urls.handler500
