"""Map tiles from the operator's own PMTiles archive (version 3), read on the server.

The browser asks Tocsin for /tiles/<z>/<x>/<y> like any tile server and gets one image; it
never learns of the archive, and nothing leaves for a third party (decision 0017). The format
(header, directories, tile ids) is read by Protomaps' own `pmtiles` package; this module adds
what a server needs: which archives it serves, a cache of parsed directories, clear errors.
"""

import gzip
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from pmtiles.tile import (
    Compression,
    Entry,
    HeaderDict,
    MagicNumberNotFound,
    SpecVersionUnsupported,
    TileType,
    deserialize_directory,
    deserialize_header,
    find_tile,
    zxy_to_tileid,
)

HEADER_LENGTH = 127
READABLE = (Compression.NONE, Compression.GZIP)
# Tile types Leaflet can draw as images, with their content type.
IMAGE_TYPES = {
    TileType.PNG: "image/png",
    TileType.JPEG: "image/jpeg",
    TileType.WEBP: "image/webp",
    TileType.AVIF: "image/avif",
}
MAX_ZOOM = 26  # far beyond any street map
DEPTH = 4  # root plus three levels of leaf directories, as the spec allows
DAMAGED = (EOFError, gzip.BadGzipFile, zlib.error)


class TilesError(Exception):
    """The archive is missing, unreadable, or not one Tocsin can serve."""


def checked_header(data: bytes) -> HeaderDict:
    """Return the archive's header, or say why Tocsin cannot serve it."""
    if len(data) < HEADER_LENGTH:
        raise TilesError("not a PMTiles archive")
    try:
        header = deserialize_header(data)
    except (MagicNumberNotFound, UnicodeDecodeError) as error:
        raise TilesError("not a PMTiles archive") from error
    except SpecVersionUnsupported as error:
        raise TilesError(f"PMTiles version {data[7]}; Tocsin reads version 3") from error
    except ValueError as error:
        raise TilesError("an unknown compression or tile type; not a PMTiles v3 archive") from error
    if header["internal_compression"] not in READABLE or header["tile_compression"] not in READABLE:
        raise TilesError("compressed with brotli or zstd; Tocsin reads gzip or none")
    if header["tile_type"] not in IMAGE_TYPES:
        raise TilesError(
            "vector tiles (MVT) or an unknown type; Tocsin draws image tiles (PNG, JPEG, WebP)"
        )
    return header


@contextmanager
def reading(path: Path) -> Iterator[None]:
    """Turn a failed read or a damaged directory into a TilesError naming the file."""
    try:
        yield
    except DAMAGED as error:  # before OSError: a bad gzip stream is one
        raise TilesError(f"{path} is damaged: {error}") from error
    except OSError as error:
        raise TilesError(f"cannot read {path}: {error.strerror}") from error


class Archive:
    """One PMTiles file. Every read opens the file anew (threads share no file position);
    directories are parsed once and kept."""

    def __init__(self, path: Path):
        self.path = path
        self.directory = lru_cache(maxsize=256)(self.read_directory)
        with reading(path):
            self.header = checked_header(self.read(0, HEADER_LENGTH, exact=False))
            self.directory(self.header["root_offset"], self.header["root_length"])

    @property
    def content_type(self) -> str:
        return IMAGE_TYPES[self.header["tile_type"]]

    @property
    def max_zoom(self) -> int:
        return self.header["max_zoom"]

    def read(self, offset: int, length: int, *, exact: bool = True) -> bytes:
        with self.path.open("rb") as file:
            file.seek(offset)
            data = file.read(length)
        if exact and len(data) != length:
            raise TilesError(f"{self.path} ends early")
        return data

    def read_directory(self, offset: int, length: int) -> list[Entry]:
        data = self.read(offset, length)
        if self.header["internal_compression"] == Compression.NONE:
            data = gzip.compress(data)  # the package parses gzip directories only
        return deserialize_directory(data)

    def tile(self, z: int, x: int, y: int) -> bytes | None:
        """Return the tile's image bytes, or None when the archive does not hold it."""
        if not (self.header["min_zoom"] <= z <= min(self.max_zoom, MAX_ZOOM)):
            return None
        if not (0 <= x < 1 << z and 0 <= y < 1 << z):
            return None
        wanted = zxy_to_tileid(z, x, y)
        offset, length = self.header["root_offset"], self.header["root_length"]
        with reading(self.path):
            for _level in range(DEPTH):
                entry = find_tile(self.directory(offset, length), wanted)
                if entry is None:
                    return None
                if entry.run_length > 0:
                    data = self.read(self.header["tile_data_offset"] + entry.offset, entry.length)
                    if self.header["tile_compression"] == Compression.GZIP:
                        data = gzip.decompress(data)
                    return data
                offset = self.header["leaf_directory_offset"] + entry.offset
                length = entry.length
        return None


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
        max_zoom = found.max_zoom
    url = tiles_url()
    return {
        "tiles": url,
        "attribution": settings.TOCSIN_MAP_TILES_ATTRIBUTION if url else "",
        "maxNativeZoom": max_zoom,
    }


def map_settings(centre, sites=()) -> dict:
    """What an area or pin map needs: where to start, and the places to draw for reference.

    Tiles come from the page's map configuration (map_config above)."""
    lat, lng = centre if centre else ("", "")
    return {
        "map_lat": lat,
        "map_lng": lng,
        "map_sites": [
            {"name": site.name, "lat": float(site.lat), "lng": float(site.lng)} for site in sites
        ],
    }
