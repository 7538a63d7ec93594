"""Geography on h3 cells stored as integers, so any database can index them.

Sites and points live in one resolution-9 cell (~0.1 km2). An area (a point and a radius)
is stored as a *compacted* set of cells of mixed resolutions; a point is inside the area
when one of its cell's ancestors (resolutions 0-9) is in that set. A 5 km area is then a
few hundred rows, not thousands, and matching is one `cell IN (10 integers)` query.
"""

import math
from decimal import Decimal

import h3

RESOLUTION = 9


def validate_latlng(lat: float | Decimal, lng: float | Decimal) -> list[tuple[str, str]]:
    """Return (field, reason) pairs for coordinates out of range; empty when valid."""
    errors = []
    if not (-90 <= float(lat) <= 90):
        errors.append(("lat", "Latitude must be between -90 and 90."))
    if not (-180 <= float(lng) <= 180):
        errors.append(("lng", "Longitude must be between -180 and 180."))
    return errors


def cell_for(lat: float | Decimal, lng: float | Decimal) -> int:
    """Return the resolution-9 cell holding a point, as an integer."""
    return h3.str_to_int(h3.latlng_to_cell(float(lat), float(lng), RESOLUTION))


def ancestors(cell: int) -> list[int]:
    """Return a resolution-9 cell and all its parents down to resolution 0."""
    text = h3.int_to_str(cell)
    return [h3.str_to_int(h3.cell_to_parent(text, res)) for res in range(RESOLUTION, -1, -1)]


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    return h3.great_circle_distance((lat1, lng1), (lat2, lng2), unit="m")


def cells_within(lat: float | Decimal, lng: float | Decimal, radius_m: int) -> list[int]:
    """Return the compacted cells whose resolution-9 children have their centre within radius_m.

    The centre cell is always included, so even a tiny radius covers the point itself.
    """
    lat, lng = float(lat), float(lng)
    centre = h3.latlng_to_cell(lat, lng, RESOLUTION)
    # Centres of neighbouring res-9 cells are about sqrt(3) edge lengths apart.
    spacing = h3.average_hexagon_edge_length(RESOLUTION, unit="m") * math.sqrt(3)
    k = max(1, math.ceil(radius_m / spacing) + 1)
    inside = {
        cell
        for cell in h3.grid_disk(centre, k)
        if distance_m(lat, lng, *h3.cell_to_latlng(cell)) <= radius_m
    }
    inside.add(centre)
    return sorted(h3.str_to_int(cell) for cell in h3.compact_cells(list(inside)))


def res9_cells_within(lat: float | Decimal, lng: float | Decimal, radius_m: int) -> list[int]:
    """Return every resolution-9 cell of cells_within: what a site's own cell is compared to."""
    compacted = [h3.int_to_str(cell) for cell in cells_within(lat, lng, radius_m)]
    return [h3.str_to_int(cell) for cell in h3.uncompact_cells(compacted, RESOLUTION)]
