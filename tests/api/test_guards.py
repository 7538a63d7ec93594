"""Each operation's view reads back what its own guard loaded (tocsin/api/access.py).

A view that read another guard's object (`CASE_READER.of(request)` under `ANY_PERSON`)
would answer 500 on every call: this fails first, naming the operation.
"""

import inspect
import re

from tocsin.api import access
from tocsin.api.auth import BearerToken
from tocsin.api.main import api

GUARDS = {name: guard for name, guard in vars(access).items() if isinstance(guard, BearerToken)}


def operations():
    for _prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                guards = operation.auth_callbacks or [router.auth]
                yield f"{'/'.join(operation.methods)} {path}", guards, operation.view_func


def test_each_view_reads_what_its_guard_loaded():
    wrong = []
    for name, guards, view in operations():
        read = set(re.findall(r"\b([A-Z_]+)\.of\(request\)", inspect.getsource(view)))
        for guard_name in read:
            if not all(
                isinstance(guard, BearerToken) and guard.granted is GUARDS[guard_name].granted
                for guard in guards
            ):
                wrong.append(f"{name} reads {guard_name}")

    assert wrong == []


def test_every_guard_guards_an_operation():
    used = {
        guard
        for _name, guards, view in operations()
        for guard in guards
        if isinstance(guard, BearerToken)
    }

    assert {name for name, guard in GUARDS.items() if guard not in used} == set()
