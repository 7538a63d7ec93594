"""Small PMTiles v3 archives of image tiles for the map tests, written by the reference
writer of the `pmtiles` package (Protomaps'), so the tests hold Tocsin to the format as its
authors write it."""

import contextlib
import math
import struct
import zlib
from pathlib import Path
from unittest import mock

import pmtiles.writer
from pmtiles.tile import Compression, TileType, zxy_to_tileid
from pmtiles.writer import Writer

PNG, MVT = TileType.PNG, TileType.MVT


def png(red: int, green: int, blue: int, size: int = 256) -> bytes:
    """Return a PNG image of one colour."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + bytes((red, green, blue)) * size
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(row * size))
        + chunk(b"IEND", b"")
    )


def write_archive(
    path: Path,
    tiles: dict[tuple[int, int, int], bytes],
    *,
    leaf_size=0,
    kind=PNG,
    compression=Compression.NONE,
):
    """Write `tiles` ({(z, x, y): bytes}, already compressed as `compression` says) as a
    PMTiles v3 archive with Protomaps' writer; with leaf_size, the tile entries go into leaf
    directories of that many entries."""
    with path.open("wb") as file:
        writer = Writer(file)
        for tile_id, data in sorted((zxy_to_tileid(*zxy), data) for zxy, data in tiles.items()):
            writer.write_tile(tile_id, data)
        leaves: contextlib.AbstractContextManager = contextlib.nullcontext()
        if leaf_size:
            # The writer moves entries into leaves (of 4096) only once the root passes 16 KiB;
            # its own leaf builder makes small leaves without writing thousands of tiles.
            def small_leaves(entries, _root_limit):
                return pmtiles.writer.build_roots_leaves(entries, leaf_size)

            leaves = mock.patch.object(pmtiles.writer, "optimize_directories", small_leaves)
        with leaves:
            writer.finalize({"tile_type": kind, "tile_compression": compression}, {})
    return path


def tile_of(lat: float, lng: float, z: int) -> tuple[int, int, int]:
    """Return the (z, x, y) of the Web Mercator tile holding the point."""
    n = 1 << z
    x = int((lng + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return z, x, y


def tiles_around(lat: float, lng: float, zooms, colour=(200, 220, 200), reach=3):
    """Return tiles covering a few tiles around the point at each zoom, all one colour."""
    image = png(*colour)
    tiles = {}
    for z in zooms:
        _z, x, y = tile_of(lat, lng, z)
        for dx in range(-reach, reach + 1):
            for dy in range(-reach, reach + 1):
                if 0 <= x + dx < 1 << z and 0 <= y + dy < 1 << z:
                    tiles[(z, x + dx, y + dy)] = image
    return tiles
