"""Walk the project's URL patterns: every route with its namespace, and the guarded ones
(not marked `@public`) as test parameters, by route. tests/core/test_access.py walks them
with another organization's objects."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tocsin.core.access import is_public

# The APIs answer tokens, not sessions: tests/api/test_access.py and, for the OSDI read API,
# tests/exchange/test_osdi.py walk them with another organization's token.
SKIPPED_PREFIXES = ("api/v1/", "api/osdi/", "static/")


def walk(patterns, prefix="", namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), namespace, entry


def guarded_patterns():
    for route, namespace, entry in walk(get_resolver().url_patterns):
        if route.startswith(SKIPPED_PREFIXES) or not entry.name:
            continue
        if is_public(entry.callback):
            continue
        yield pytest.param(namespace + entry.name, list(entry.pattern.converters), id=route)


GUARDED = list(guarded_patterns())
