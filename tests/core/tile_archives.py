"""Small PMTiles v3 archives of image tiles, written by the format's specification (not by
Tocsin's reader), for the map tests: https://github.com/protomaps/PMTiles/blob/main/spec/v3/spec.md
"""

import gzip
import math
import struct
import zlib
from pathlib import Path

PNG, MVT = 2, 1


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


def hilbert_id(z: int, x: int, y: int) -> int:
    """The spec's tile id: the tiles of lower zooms first, then the Hilbert curve's index."""
    n = 1 << z
    d = 0
    s = n // 2
    while s > 0:
        rx = 1 if (x & s) > 0 else 0
        ry = 1 if (y & s) > 0 else 0
        d += s * s * ((3 * rx) ^ ry)
        if ry == 0:
            if rx == 1:
                x = s - 1 - x
                y = s - 1 - y
            x, y = y, x
        s //= 2
    return sum(4**level for level in range(z)) + d


def varint(value: int) -> bytes:
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def directory(entries: list[tuple[int, int, int, int]]) -> bytes:
    """Serialize (tile_id, offset, length, run_length) entries, as the spec lays them out."""
    out = bytearray(varint(len(entries)))
    last = 0
    for tile_id, _offset, _length, _run in entries:
        out += varint(tile_id - last)
        last = tile_id
    for _tile_id, _offset, _length, run in entries:
        out += varint(run)
    for _tile_id, _offset, length, _run in entries:
        out += varint(length)
    for index, (_tile_id, offset, _length, _run) in enumerate(entries):
        previous = entries[index - 1] if index else None
        if previous and offset == previous[1] + previous[2]:
            out += varint(0)
        else:
            out += varint(offset + 1)
    return bytes(out)


def write_archive(path: Path, tiles: dict[tuple[int, int, int], bytes], *, leaf_size=0, kind=PNG):
    """Write `tiles` ({(z, x, y): bytes}) as a PMTiles v3 archive with gzip directories;
    with leaf_size, the tile entries go into leaf directories of that many entries."""
    ordered = sorted((hilbert_id(*zxy), data) for zxy, data in tiles.items())
    data_section = bytearray()
    entries = []
    for tile_id, data in ordered:
        entries.append((tile_id, len(data_section), len(data), 1))
        data_section += data
    leaves = bytearray()
    if leaf_size:
        root_entries = []
        for start in range(0, len(entries), leaf_size):
            leaf = gzip.compress(directory(entries[start : start + leaf_size]))
            root_entries.append((entries[start][0], len(leaves), len(leaf), 0))
            leaves += leaf
        root = gzip.compress(directory(root_entries))
    else:
        root = gzip.compress(directory(entries))
    metadata = gzip.compress(b"{}")
    zooms = [z for z, _x, _y in tiles]
    root_offset = 127
    metadata_offset = root_offset + len(root)
    leaf_offset = metadata_offset + len(metadata)
    data_offset = leaf_offset + len(leaves)
    header = (
        b"PMTiles"
        + bytes([3])
        + struct.pack(
            "<QQQQQQQQQQQBBBBBBiiiiBii",
            root_offset,
            len(root),
            metadata_offset,
            len(metadata),
            leaf_offset,
            len(leaves),
            data_offset,
            len(data_section),
            len(entries),
            len(entries),
            len(entries),
            1,  # clustered
            2,  # internal compression: gzip
            1,  # tile compression: none
            kind,
            min(zooms),
            max(zooms),
            -1800000000,
            -850000000,
            1800000000,
            850000000,
            min(zooms),
            0,
            0,
        )
    )
    assert len(header) == 127
    path.write_bytes(header + root + metadata + leaves + data_section)
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
