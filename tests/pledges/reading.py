"""How the pledge attacker tests read everything a person reaches: every GET screen and API
read with the objects they have, answers with what changes on every request (CSRF tokens,
nonces, times) taken out, so that two worlds can be compared."""

import re

from django.urls import reverse

from tests.routes import GUARDED
from tocsin.api.main import api

VOLATILE = [
    (re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"'), "CSRF"),
    (re.compile(r'nonce="[^"]+"'), "NONCE"),
    (re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)?"), "TIME"),
    (re.compile(r"\b\d{1,2}:\d{2}(:\d{2})?\b"), "TIME"),
]


def normalized(text: str) -> str:
    for pattern, replacement in VOLATILE:
        text = pattern.sub(replacement, text)
    return text


def staff_screens(objects):
    """Every GET screen with only the arguments we have objects for."""
    for name, arguments in (param.values for param in GUARDED):
        if set(arguments) <= set(objects) and not name.startswith(("joining:", "hotline:plan")):
            yield reverse(name, kwargs={arg: objects[arg] for arg in arguments})


def api_reads(objects):
    for path, methods in api.get_openapi_schema()["paths"].items():
        if "get" not in methods:
            continue
        arguments = re.findall(r"{(\w+)}", path)
        if not set(arguments) <= set(objects):
            continue
        yield re.sub(r"{(\w+)}", lambda m: objects[m.group(1)], path)
