"""IONEX single-layer model: pierce point, rotated-map interpolation and delay, checked by hand."""

import numpy as np
import pytest

from kompas.models.ionex_model import K_IONO, ionex_delay, ionex_pierce_point, ionex_vtec

LAT = np.radians(np.array([10.0, 5.0, 0.0]))  # descending, as IONEX files write them
LON = np.radians(np.array([0.0, 5.0, 10.0, 15.0]))
T = np.array([0, 7200, 14400], dtype=np.int64) * 1_000_000_000
TEC = np.array([np.arange(12.0).reshape(3, 4), 10 + np.arange(12.0).reshape(3, 4), np.full((3, 4), 50.0)])


def test_nodes_and_bilinear():
    v = ionex_vtec(TEC, T, LAT, LON, [0, 0], np.radians([5.0, 7.5]), np.radians([5.0, 7.5]))
    assert v[0] == pytest.approx(TEC[0, 1, 1])  # a node at a map epoch
    # halfway between lat 10/5 and lon 5/10: mean of the four nodes
    assert v[1] == pytest.approx(TEC[0, :2, 1:3].mean())
    assert np.isnan(ionex_vtec(TEC, T, LAT, LON, [0], np.radians([20.0]), np.radians([5.0]))[0])
    assert np.isnan(ionex_vtec(TEC, T, LAT, LON, [T[-1] + 1], np.radians([5.0]), np.radians([5.0]))[0])


def test_a_node_without_a_value_counts_only_where_it_has_weight():
    tec = TEC.copy()
    tec[0, 1, 1] = np.nan  # a 9999 node at lat 5, lon 5
    # on the lat 10 row between lon 0 and 5: the two nodes of that row, not NaN from the row beside it
    v = ionex_vtec(tec, T, LAT, LON, [0, 0, 0], np.radians([10.0, 7.5, 5.0]), np.radians([2.5, 10.0, 7.5]))
    assert v[0] == pytest.approx(TEC[0, 0, :2].mean()) and v[1] == pytest.approx(TEC[0, :2, 2].mean())
    assert np.isnan(v[2])  # a point the missing node weighs: no value


def test_rotated_maps_in_time():
    # an hour after the first map: each map is read 15 deg east/west of the point (IONEX 1.0 eq. 3)
    t = np.array([3600 * 1_000_000_000])
    lat, lon = np.radians([5.0]), np.radians([0.0])
    v = ionex_vtec(TEC, T, LAT, LON, t, lat, lon)
    e1 = TEC[0, 1, 3]  # map 1 at lon 0 + 15 deg
    # map 2 at lon 0 - 15 deg is outside a regional grid: NaN propagates
    assert np.isnan(v[0])
    v = ionex_vtec(TEC, T, LAT, LON, t, lat, np.radians([7.5]))  # map 1 at 22.5 (outside), map 2 at -7.5
    assert np.isnan(v[0])
    glob_lon = np.radians(np.arange(-180.0, 181.0, 90.0))
    tec = np.stack([np.tile(np.array([0.0, 10.0, 20.0, 30.0, 0.0]), (3, 1)), np.full((3, 5), 40.0)])
    v = ionex_vtec(tec, T[:2], LAT, glob_lon, t, lat, np.radians([0.0]))
    # map 1 read at lon 15 (between 0 -> 20 and 90 -> 30): 20 + 10 * 15/90; map 2 flat 40; weight 1/2
    assert v[0] == pytest.approx(0.5 * (20.0 + 10.0 * 15.0 / 90.0) + 0.5 * 40.0)
    assert e1 == 7.0


def test_pierce_point_and_delay():
    r, h = 6371e3, 450e3
    lat_p, _, zp = ionex_pierce_point(np.radians(45.0), 0.0, 0.0, np.radians(90.0), r, h)
    assert lat_p == pytest.approx(np.radians(45.0)) and zp == pytest.approx(0.0, abs=1e-12)
    lat_p, _, zp = ionex_pierce_point(np.radians(45.0), 0.0, 0.0, np.radians(30.0), r, h)
    z = np.radians(60.0)
    zp_hand = np.arcsin(r / (r + h) * np.sin(z))
    assert zp == pytest.approx(zp_hand) and lat_p == pytest.approx(np.radians(45.0) + z - zp_hand)
    flat = np.full((2, 3, 4), 20.0)
    f = 1575.42e6
    d = ionex_delay(
        flat, T[:2], LAT, LON, r, h, [0], np.radians([5.0]), np.radians([5.0]), [0.0], [np.pi / 2], [f]
    )
    assert d[0] == pytest.approx(K_IONO * 20.0 / f**2)  # 3.25 m at zenith on L1 for 20 TECU
    big_lat, big_lon = np.radians(np.arange(80.0, -81.0, -20.0)), np.radians(np.arange(-180.0, 181.0, 30.0))
    big = np.full((2, big_lat.size, big_lon.size), 20.0)
    low = ionex_delay(big, T[:2], big_lat, big_lon, r, h, [0], np.radians([5.0]), np.radians([5.0]), [0.0],
                      [np.radians(10.0)], [f])  # fmt: skip
    assert low[0] / d[0] == pytest.approx(1.0 / np.cos(np.arcsin(r / (r + h) * np.cos(np.radians(10.0)))))


def test_real_gim_at_its_nodes(kompas_data):
    import kompas

    ix = kompas.read_ionex(kompas_data / "ionex" / "jplg0010.17i.gz")
    k, i, j = 3, 20, 30
    v = ionex_vtec(
        ix.tec_tecu, ix.time_ns, ix.lat_rad, ix.lon_rad, [ix.time_ns[k]], [ix.lat_rad[i]], [ix.lon_rad[j]]
    )
    assert v[0] == pytest.approx(ix.tec_tecu[k, i, j])


def test_grid_edges_and_first_interval():
    v = ionex_vtec(TEC, T, LAT, LON, [0, 0, 0], np.radians([0.0, 10.0, 7.5]), np.radians([15.0, 2.5, 15.0]))
    assert v[0] == TEC[0, 2, 3]  # the last node of both axes
    assert v[1] == pytest.approx(0.5 * (TEC[0, 0, 0] + TEC[0, 0, 1]))  # between the first two columns
    assert v[2] == pytest.approx(0.5 * (TEC[0, 0, 3] + TEC[0, 1, 3]))  # on the last column
    # just outside each side of the grid: no value
    out = ionex_vtec(
        TEC, T, LAT, LON, [0] * 4, np.radians([-0.5, 10.5, 5.0, 5.0]), np.radians([5.0, 5.0, -0.5, 15.5])
    )
    assert np.isnan(out).all()


def _global_maps():
    """Three global maps 2 h apart on a 15 deg longitude grid, each its own function of longitude (periodic:
    the -180 and 180 deg columns are the same meridian)."""
    lat = np.radians(np.array([10.0, 0.0, -10.0]))
    lon_deg = np.arange(-180.0, 180.1, 15.0)
    x = np.radians(lon_deg)
    rows = [20.0 + 8.0 * np.cos(x), 30.0 + 5.0 * np.sin(x), 15.0 + 6.0 * np.cos(x - 0.7)]
    return np.stack([np.tile(r, (3, 1)) for r in rows]), lat, np.radians(lon_deg), lon_deg


def test_rotated_interpolation_between_each_pair_of_maps():
    tec, lat, lon, lon_deg = _global_maps()
    node = {x: i for i, x in enumerate(lon_deg)}
    hour = 3_600_000_000_000
    # an hour after map 0: map 0 read 15 deg east, map 1 15 deg west, half each (IONEX 1.0 eq. 3)
    v1 = ionex_vtec(tec, T, lat, lon, [hour], [0.0], np.radians([30.0]))[0]
    assert v1 == pytest.approx(0.5 * tec[0, 1, node[45.0]] + 0.5 * tec[1, 1, node[15.0]])
    # an hour after map 1: maps 1 and 2
    v3 = ionex_vtec(tec, T, lat, lon, [3 * hour], [0.0], np.radians([30.0]))[0]
    assert v3 == pytest.approx(0.5 * tec[1, 1, node[45.0]] + 0.5 * tec[2, 1, node[15.0]])
    # half an hour after map 1 at 172.5 deg: map 1 read at 180 deg, map 2 at 150 deg (w = 1/4)
    v = ionex_vtec(tec, T, lat, lon, [int(2.5 * hour)], [0.0], np.radians([172.5]))[0]
    assert v == pytest.approx(0.75 * tec[1, 1, node[180.0]] + 0.25 * tec[2, 1, node[150.0]])
    # across the date line: an hour after map 0 at 172.5 deg, map 0 is read at 187.5 = -172.5 deg
    v = ionex_vtec(tec, T, lat, lon, [hour], [0.0], np.radians([172.5]))[0]
    e1 = 0.5 * (tec[0, 1, node[-180.0]] + tec[0, 1, node[-165.0]])
    e2 = 0.5 * (tec[1, 1, node[150.0]] + tec[1, 1, node[165.0]])
    assert v == pytest.approx(0.5 * e1 + 0.5 * e2)


def test_delay_is_zero_below_the_horizon():
    flat = np.full((2, 3, 4), 20.0)
    d = ionex_delay(flat, T[:2], LAT, LON, 6371e3, 450e3, [0, 0], np.radians([5.0, 5.0]), np.radians([5.0, 5.0]),
                    [0.0, 0.0], np.radians([-2.0, 0.0]), [1575.42e6] * 2)  # fmt: skip
    assert d.tolist() == [0.0, 0.0]


def test_pierce_point_from_the_pole_by_hand():
    # at the North Pole every direction is south: the pierce point lies psi from the pole along the meridian
    # lon + az, so lat' = 90 deg - psi and lon' = lon + az for |az| <= 90 deg (sin(dlon) = sin(az) exactly;
    # rounding can push the formula's argument just past +-1)
    r, h = 6371e3, 450e3
    el = np.linspace(0.05, 1.5, 400)
    az = np.tile([0.5 * np.pi, -0.5 * np.pi], 200)
    lat_p, lon_p, zp = ionex_pierce_point(np.full(400, 0.5 * np.pi), 0.3, az, el, r, h)
    z = 0.5 * np.pi - el
    zp_hand = np.arcsin(r / (r + h) * np.sin(z))
    np.testing.assert_allclose(zp, zp_hand, rtol=1e-14)
    np.testing.assert_allclose(lat_p, 0.5 * np.pi - (z - zp_hand), atol=1e-12)
    # asin near +-1 turns rounding of sin(dlon) into ~sqrt(eps) of longitude: compare the sines
    np.testing.assert_allclose(np.sin(lon_p - 0.3), np.sin(az), atol=1e-12)
    np.testing.assert_allclose(lon_p, 0.3 + az, atol=1e-5)


def test_a_point_rounded_just_past_the_east_edge_reads_the_edge_column():
    # degrees(radians(15)) rounds a hair above 15: still on the last column (within the grid's 1e-9 tolerance)
    lon = np.nextafter(np.radians(15.0), 1.0)
    assert np.degrees(lon) > 15.0
    v = ionex_vtec(TEC, T, LAT, LON, [0, 0], np.radians([5.0, 7.5]), [lon, lon])
    assert v[0] == pytest.approx(TEC[0, 1, 3], abs=1e-12)
    assert v[1] == pytest.approx(0.5 * (TEC[0, 0, 3] + TEC[0, 1, 3]), abs=1e-12)


@pytest.mark.filterwarnings("error")
def test_infinite_or_missing_coordinates_are_nan_without_a_numpy_warning():
    # a regional map: no longitude wrap, so infinities reach the node index (its cast would warn)
    lat = np.radians([np.inf, -np.inf, 5.0, 5.0, np.nan])
    lon = np.radians([5.0, 5.0, np.inf, -np.inf, 5.0])
    v = ionex_vtec(TEC, T, LAT, LON, np.zeros(5, dtype=np.int64), lat, lon)
    assert np.isnan(v).all()
    glob_lon = np.radians(np.arange(-180.0, 181.0, 90.0))  # a global map wraps the longitude first
    v = ionex_vtec(np.full((3, 3, 5), 7.0), T, LAT, glob_lon, np.zeros(5, dtype=np.int64), lat, lon)
    assert np.isnan(v).all()


def test_pierce_point_beyond_the_pole_from_ny_alesund():
    # NYA1 (78.93 N): looking north at 10 deg elevation the 450-km pierce point lies beyond the pole, on
    # the meridian lon + 180 deg; every point is checked against the destination on the sphere, psi along
    # the great circle of azimuth az from the station (RTKLIB ionppp takes the same branch)
    r, h = 6371e3, 450e3
    lat, lon = np.radians(78.93), np.radians(11.87)
    az = np.radians([0.0, 20.0, 30.0, -25.0, 90.0, 180.0])
    el = np.radians([10.0, 7.0, 5.0, 8.0, 10.0, 10.0])
    lat_p, lon_p, zp = ionex_pierce_point(lat, lon, az, el, r, h)
    psi = (0.5 * np.pi - el) - zp
    up = np.array([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])
    east = np.array([-np.sin(lon), np.cos(lon), 0.0])
    north = np.cross(up, east)
    d = np.cos(az)[:, None] * north + np.sin(az)[:, None] * east
    p = np.cos(psi)[:, None] * up + np.sin(psi)[:, None] * d
    got = np.stack([np.cos(lat_p) * np.cos(lon_p), np.cos(lat_p) * np.sin(lon_p), np.sin(lat_p)], axis=1)
    np.testing.assert_allclose(got, p, atol=1e-12)
    assert np.degrees(lon_p[0]) % 360 == pytest.approx(191.87, abs=1e-9)
