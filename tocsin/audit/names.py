"""What the audit log calls an object besides its id: each feature registers a function that
names its objects, so the audit app never imports the features above it.

A namer takes the organization and the ids on one page of the log and returns {id: name},
in the active language. Names are made when the log is read, never stored: the log itself
keeps ids only.
"""

from collections.abc import Callable, Iterable

Namer = Callable[[object, list[str]], dict[str, str]]

NAMERS: dict[str, Namer] = {}


def register_namer(object_type: str, namer: Namer) -> None:
    """Let the log name the objects of `object_type` (a model's name, as entries store it)."""
    NAMERS[object_type] = namer


def names_for(organization, objects: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """Return {(object_type, object_id): name} for the objects a namer knows."""
    wanted: dict[str, list[str]] = {}
    for object_type, object_id in objects:
        if object_type in NAMERS and object_id:
            wanted.setdefault(object_type, []).append(object_id)
    names: dict[tuple[str, str], str] = {}
    for object_type, ids in wanted.items():
        for object_id, name in NAMERS[object_type](organization, ids).items():
            names[(object_type, object_id)] = name
    return names
