"""What each app's retention rules erase, registered in its AppConfig.ready(), so that
`tocsin erase-expired` runs them all and names no app.

An eraser erases what is past its organization's retention period now and returns how many
rows it erased; `said` turns that count into the line the command prints.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Eraser:
    erase: Callable[[], int]
    said: Callable[[int], str]


_erasers: list[Eraser] = []


def add_eraser(eraser: Eraser) -> None:
    if eraser not in _erasers:
        _erasers.append(eraser)


def erasers() -> list[Eraser]:
    """Return the registered erasers, in the order of INSTALLED_APPS."""
    return list(_erasers)
