from tocsin.core import geo

HCMC = (44.9727, -93.2622)
VA_MINNEAPOLIS = (44.9006, -93.2036)
ANISHINABE = (44.9496, -93.2450)  # about 2.9 km from HCMC


def covers(cells, lat, lng):
    return bool(set(cells) & set(geo.ancestors(geo.cell_for(lat, lng))))


def test_an_area_covers_points_inside_its_radius_and_not_outside():
    area = geo.cells_within(*HCMC, radius_m=3500)
    assert covers(area, *HCMC)
    assert covers(area, *ANISHINABE)
    assert not covers(area, *VA_MINNEAPOLIS)  # about 9 km away


def test_a_small_area_still_covers_its_own_point():
    assert covers(geo.cells_within(*HCMC, radius_m=10), *HCMC)


def test_a_five_km_area_is_compacted_to_few_rows():
    assert len(geo.cells_within(*HCMC, radius_m=5000)) < 400


def test_it_rejects_coordinates_out_of_range():
    assert [field for field, _ in geo.validate_latlng(91, 0)] == ["lat"]
    assert [field for field, _ in geo.validate_latlng(0, -181)] == ["lng"]
    assert geo.validate_latlng(44.97, -93.26) == []
