"""What apps add to Tocsin's two processes, registered in their AppConfig.ready(), so that
`tocsin serve` and `tocsin worker` name no app.

- A serve guard takes the host `serve` is asked to listen on and raises CommandError when
  serving there must not start (the demo's published passwords: tocsin/demo/apps.py).
- A worker companion starts something that runs beside the worker's general lane and
  returns what to stop() when the worker ends (the Signal receive websockets:
  tocsin/response/apps.py).
"""

from collections.abc import Callable
from typing import Protocol


class Stoppable(Protocol):
    def stop(self) -> None: ...


_serve_guards: list[Callable[[str], None]] = []
_worker_companions: list[Callable[[], Stoppable]] = []


def add_serve_guard(guard: Callable[[str], None]) -> None:
    if guard not in _serve_guards:
        _serve_guards.append(guard)


def serve_guards() -> list[Callable[[str], None]]:
    return list(_serve_guards)


def add_worker_companion(start: Callable[[], Stoppable]) -> None:
    if start not in _worker_companions:
        _worker_companions.append(start)


def worker_companions() -> list[Callable[[], Stoppable]]:
    return list(_worker_companions)
