"""Map tiles from the operator's own PMTiles archive (version 3), read on the server.

The browser asks Tocsin for /tiles/<z>/<x>/<y> like any tile server and gets one image; it
never learns of the archive, and nothing leaves for a third party (decision 0017). The format:
https://github.com/protomaps/PMTiles/blob/main/spec/v3/spec.md
"""

import gzip
import struct
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings

MAGIC = b"PMTiles"
HEADER_LENGTH = 127
# Compression codes of the header: 1 none, 2 gzip (3 brotli and 4 zstd are not read here).
NONE, GZIP = 1, 2
# Tile types Leaflet can draw as images, with their content type (1 is vector MVT).
IMAGE_TYPES = {2: "image/png", 3: "image/jpeg", 4: "image/webp", 5: "image/avif"}
MAX_ZOOM = 26  # 4**26 tile ids still fit a u64, far beyond any street map
DEPTH = 4  # root plus three levels of leaf directories, as the spec allows


class TilesError(Exception):
    """The archive is missing, unreadable, or not one Tocsin can serve."""


@dataclass(frozen=True)
class Header:
    root_offset: int
    root_length: int
    leaf_offset: int
    data_offset: int
    internal_compression: int
    tile_compression: int
    tile_type: int
    min_zoom: int
    max_zoom: int

    @property
    def content_type(self) -> str:
        return IMAGE_TYPES[self.tile_type]


@dataclass(frozen=True)
class Entry:
    tile_id: int
    offset: int
    length: int
    run_length: int


def tile_id(z: int, x: int, y: int) -> int:
    """Return the tile's position on the archive's Hilbert curve, after all lower zooms."""
    before = ((1 << (2 * z)) - 1) // 3
    size = 1 << z
    distance = 0
    step = size >> 1
    while step > 0:
        rx = 1 if x & step else 0
        ry = 1 if y & step else 0
        distance += step * step * ((3 * rx) ^ ry)
        if ry == 0:
            if rx == 1:
                x, y = size - 1 - x, size - 1 - y
            x, y = y, x
        step >>= 1
    return before + distance


def read_varint(data: bytes, position: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if position >= len(data):
            raise TilesError("a directory ends inside a number")
        byte = data[position]
        position += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, position
        shift += 7
        if shift > 63:
            raise TilesError("a directory number is too long")


def parse_header(data: bytes) -> Header:
    if len(data) < HEADER_LENGTH or data[:7] != MAGIC:
        raise TilesError("not a PMTiles archive")
    if data[7] != 3:
        raise TilesError(f"PMTiles version {data[7]}; Tocsin reads version 3")
    offsets = struct.unpack_from("<8Q", data, 8)
    internal, tile_compression, tile_type, min_zoom, max_zoom = struct.unpack_from("<5B", data, 97)
    if internal not in (NONE, GZIP) or tile_compression not in (NONE, GZIP):
        raise TilesError("compressed with brotli or zstd; Tocsin reads gzip or none")
    if tile_type not in IMAGE_TYPES:
        raise TilesError(
            "vector tiles (MVT) or an unknown type; Tocsin draws image tiles (PNG, JPEG, WebP)"
        )
    return Header(
        root_offset=offsets[0],
        root_length=offsets[1],
        leaf_offset=offsets[4],
        data_offset=offsets[6],
        internal_compression=internal,
        tile_compression=tile_compression,
        tile_type=tile_type,
        min_zoom=min_zoom,
        max_zoom=max_zoom,
    )


def parse_directory(data: bytes) -> list[Entry]:
    count, position = read_varint(data, 0)
    columns: list[list[int]] = []
    for _column in range(4):
        values = []
        for _index in range(count):
            value, position = read_varint(data, position)
            values.append(value)
        columns.append(values)
    ids, runs, lengths, offsets = columns
    entries: list[Entry] = []
    last_id = 0
    for index in range(count):
        last_id += ids[index]
        if offsets[index] == 0 and index > 0:
            offset = entries[-1].offset + entries[-1].length
        else:
            offset = offsets[index] - 1
        entries.append(Entry(last_id, offset, lengths[index], runs[index]))
    return entries


def find(entries: list[Entry], wanted: int) -> Entry | None:
    """Return the entry holding the tile id (a run of tiles, or a leaf directory), if any."""
    low, high = 0, len(entries) - 1
    while low <= high:
        middle = (low + high) // 2
        if entries[middle].tile_id < wanted:
            low = middle + 1
        elif entries[middle].tile_id > wanted:
            high = middle - 1
        else:
            return entries[middle]
    if high >= 0:
        entry = entries[high]
        if entry.run_length == 0 or wanted - entry.tile_id < entry.run_length:
            return entry
    return None


class Archive:
    """One PMTiles file, opened per read; directories are parsed once and kept."""

    def __init__(self, path: Path):
        self.path = path
        self.leaves: dict[tuple[int, int], list[Entry]] = {}
        try:
            with path.open("rb") as file:
                self.header = parse_header(file.read(HEADER_LENGTH))
                self.root = self.directory(file, self.header.root_offset, self.header.root_length)
        except OSError as error:
            raise TilesError(f"cannot read {path}: {error.strerror}") from error
        except (struct.error, EOFError, gzip.BadGzipFile) as error:
            raise TilesError(f"{path} is damaged: {error}") from error

    def read(self, file, offset: int, length: int) -> bytes:
        file.seek(offset)
        data = file.read(length)
        if len(data) != length:
            raise TilesError(f"{self.path} ends early")
        return data

    def directory(self, file, offset: int, length: int) -> list[Entry]:
        data = self.read(file, offset, length)
        if self.header.internal_compression == GZIP:
            data = gzip.decompress(data)
        return parse_directory(data)

    def tile(self, z: int, x: int, y: int) -> bytes | None:
        """Return the tile's image bytes, or None when the archive does not hold it."""
        if not (self.header.min_zoom <= z <= min(self.header.max_zoom, MAX_ZOOM)):
            return None
        if not (0 <= x < 1 << z and 0 <= y < 1 << z):
            return None
        wanted = tile_id(z, x, y)
        entries = self.root
        try:
            with self.path.open("rb") as file:
                for _level in range(DEPTH):
                    entry = find(entries, wanted)
                    if entry is None:
                        return None
                    if entry.run_length > 0:
                        data = self.read(file, self.header.data_offset + entry.offset, entry.length)
                        if self.header.tile_compression == GZIP:
                            data = gzip.decompress(data)
                        return data
                    entries = self.leaf(file, entry.offset, entry.length)
        except OSError as error:
            raise TilesError(f"cannot read {self.path}: {error.strerror}") from error
        except (struct.error, EOFError, gzip.BadGzipFile) as error:
            raise TilesError(f"{self.path} is damaged: {error}") from error
        return None

    def leaf(self, file, offset: int, length: int) -> list[Entry]:
        key = (offset, length)
        found = self.leaves.get(key)
        if found is None:
            found = self.directory(file, self.header.leaf_offset + offset, length)
            if len(self.leaves) > 256:
                self.leaves.clear()
            self.leaves[key] = found
        return found


@lru_cache(maxsize=4)
def open_archive(path: str, modified: float, size: int) -> Archive:
    return Archive(Path(path))


def archive() -> Archive | None:
    """Return the configured archive (reopened when the file changes), or None for no tiles."""
    name = settings.TOCSIN_MAP_TILES_FILE
    if not name:
        return None
    try:
        stat = Path(name).stat()
    except OSError as error:
        raise TilesError(f"TOCSIN_MAP_TILES_FILE {name}: {error.strerror}") from error
    return open_archive(str(name), stat.st_mtime, stat.st_size)


def tiles_url() -> str:
    """Return the tile URL template the maps use: Tocsin's own, another server's, or ''."""
    if settings.TOCSIN_MAP_TILES_FILE:
        return "/tiles/{z}/{x}/{y}"
    return settings.TOCSIN_MAP_TILES_URL


def map_config() -> dict:
    """What every map needs to draw its background: the tiles (or none) and their credit."""
    max_zoom = 19
    if settings.TOCSIN_MAP_TILES_FILE:
        try:
            found = archive()
        except TilesError:
            found = None
        if found is None:
            return {"tiles": "", "attribution": "", "maxNativeZoom": max_zoom}
        max_zoom = found.header.max_zoom
    url = tiles_url()
    return {
        "tiles": url,
        "attribution": settings.TOCSIN_MAP_TILES_ATTRIBUTION if url else "",
        "maxNativeZoom": max_zoom,
    }
