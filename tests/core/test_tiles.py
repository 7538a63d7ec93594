"""Tocsin serves the operator's own map tiles from a PMTiles archive (issue "Step 8 —
Field-correct", item 6), and names an archive it cannot use instead of failing a page."""

import gzip

import pytest
from django.core.checks import run_checks
from django.urls import reverse
from pmtiles.tile import Compression

from tocsin.core.tiles import map_config

from .tile_archives import MVT, png, tile_of, tiles_around, write_archive

HCMC = (44.9727, -93.2622)


def tile_url(z: int, x: int, y: int) -> str:
    return reverse("map_tile", kwargs={"z": z, "x": x, "y": y})


@pytest.fixture
def archive(tmp_path, settings):
    tiles = tiles_around(*HCMC, range(10, 17), reach=1)
    tiles[tile_of(*HCMC, 15)] = png(9, 99, 199)
    path = write_archive(tmp_path / "metro.pmtiles", tiles)
    settings.TOCSIN_MAP_TILES_FILE = str(path)
    settings.TOCSIN_MAP_TILES_URL = ""
    return tiles


def test_it_serves_a_tile_of_the_operators_archive_to_anyone(client, archive):
    answer = client.get(tile_url(*tile_of(*HCMC, 15)))

    assert answer.status_code == 200
    assert answer["Content-Type"] == "image/png"
    assert answer.content == png(9, 99, 199)
    assert "public" in answer["Cache-Control"]


def test_it_answers_404_for_a_tile_the_archive_does_not_hold(client, archive):
    _z, x, y = tile_of(*HCMC, 15)

    assert client.get(tile_url(15, x + 5, y)).status_code == 404  # outside the extract
    assert client.get(tile_url(17, x, y)).status_code == 404  # above its zooms
    assert client.get(tile_url(3, 9, 0)).status_code == 404  # no such tile at zoom 3
    assert client.get(tile_url(99, 0, 0)).status_code == 404


def test_it_reads_an_archive_whose_entries_sit_in_leaf_directories(client, settings, tmp_path):
    tiles = tiles_around(*HCMC, range(12, 17), reach=2)
    odd = {zxy: png(zxy[1] % 256, zxy[2] % 256, zxy[0]) for zxy in tiles}
    settings.TOCSIN_MAP_TILES_FILE = str(
        write_archive(tmp_path / "leaves.pmtiles", odd, leaf_size=7)
    )

    for zxy, image in odd.items():
        assert client.get(tile_url(*zxy)).content == image


def test_it_serves_the_image_of_a_tile_stored_gzipped(client, settings, tmp_path):
    image = png(40, 50, 60)
    zxy = tile_of(*HCMC, 14)
    settings.TOCSIN_MAP_TILES_FILE = str(
        write_archive(
            tmp_path / "gzipped.pmtiles", {zxy: gzip.compress(image)}, compression=Compression.GZIP
        )
    )

    answer = client.get(tile_url(*zxy))

    assert answer.status_code == 200
    assert answer.content == image


def test_without_an_archive_there_are_no_tiles_to_serve(client, settings):
    settings.TOCSIN_MAP_TILES_FILE = ""

    assert client.get(tile_url(*tile_of(*HCMC, 15))).status_code == 404
    assert map_config()["tiles"] == ""


def test_the_maps_ask_tocsin_for_tiles_up_to_the_archives_zoom(archive):
    assert map_config() == {
        "tiles": "/tiles/{z}/{x}/{y}",
        "attribution": "© OpenStreetMap contributors",
        "maxNativeZoom": 16,
    }


@pytest.mark.django_db
def test_a_vector_archive_is_named_by_the_checks_and_the_maps_go_plain(client, settings, tmp_path):
    settings.TOCSIN_MAP_TILES_FILE = str(
        write_archive(tmp_path / "vector.pmtiles", {(0, 0, 0): b"\x1a\x00"}, kind=MVT)
    )

    [warning] = [found for found in run_checks() if found.id == "tocsin.W011"]
    assert "vector tiles" in warning.msg
    assert map_config()["tiles"] == ""
    assert client.get(tile_url(0, 0, 0)).status_code == 404


@pytest.mark.django_db
def test_a_brotli_archive_is_named_by_the_checks(client, settings, tmp_path):
    settings.TOCSIN_MAP_TILES_FILE = str(
        write_archive(
            tmp_path / "brotli.pmtiles", {(0, 0, 0): png(1, 2, 3)}, compression=Compression.BROTLI
        )
    )

    [warning] = [found for found in run_checks() if found.id == "tocsin.W011"]
    assert "brotli" in warning.msg
    assert map_config()["tiles"] == ""
    assert client.get(tile_url(0, 0, 0)).status_code == 404


@pytest.mark.django_db
def test_a_missing_archive_is_named_by_the_checks(client, settings, tmp_path):
    settings.TOCSIN_MAP_TILES_FILE = str(tmp_path / "nowhere.pmtiles")

    [warning] = [found for found in run_checks() if found.id == "tocsin.W011"]
    assert "nowhere.pmtiles" in warning.msg
    assert client.get(tile_url(0, 0, 0)).status_code == 404


@pytest.mark.django_db
def test_a_file_that_is_not_an_archive_is_named_by_the_checks(settings, tmp_path):
    (tmp_path / "map.png").write_bytes(png(1, 2, 3))
    settings.TOCSIN_MAP_TILES_FILE = str(tmp_path / "map.png")

    [warning] = [found for found in run_checks() if found.id == "tocsin.W011"]
    assert "not a PMTiles archive" in warning.msg
