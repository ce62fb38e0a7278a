"""Frames: ECEF/geodetic/ENU against closed-form known points and an independent iteration."""

import numpy as np
import pytest

from kompas.constants import CGCS2000, PZ90_11, WGS84
from kompas.frames import (
    azimuth_elevation,
    ecef_to_enu,
    ecef_to_geodetic,
    enu_rotation,
    enu_rotation_point,
    enu_to_ecef,
    geodetic_point,
    geodetic_to_ecef,
    sagnac_rotate,
)

D = np.pi / 180


def _iterative_geodetic(xyz, ell):
    """Textbook fixed-point iteration (independent of the closed form under test)."""
    x, y, z = xyz[..., 0], xyz[..., 1], xyz[..., 2]
    p = np.hypot(x, y)
    lat = np.arctan2(z, p * (1 - ell.e2))
    for _ in range(30):
        n = ell.a / np.sqrt(1 - ell.e2 * np.sin(lat) ** 2)
        h = p / np.cos(lat) - n
        lat = np.arctan2(z, p * (1 - ell.e2 * n / (n + h)))
    return lat, np.arctan2(y, x), h


def test_known_points_wgs84():
    a, b = WGS84.a, WGS84.b
    pts = np.array([[a, 0, 0], [0, a + 1000, 0], [0, 0, b], [0, 0, -b - 250], [-a - 10, 0, 0]])
    llh = ecef_to_geodetic(pts)
    expected = np.array([[0, 0, 0], [0, 90 * D, 1000], [90 * D, 0, 0], [-90 * D, 0, 250], [0, 180 * D, 10]])
    np.testing.assert_allclose(llh[:, :2], expected[:, :2], atol=1e-12)
    np.testing.assert_allclose(llh[:, 2], expected[:, 2], atol=1e-4)


def test_geodetic_to_ecef_45deg():
    # N = a / sqrt(1 - e2 sin^2 45) ; x = N cos45, z = N (1 - e2) sin45
    n = WGS84.a / np.sqrt(1 - WGS84.e2 / 2)
    xyz = geodetic_to_ecef([45 * D, 0.0, 0.0])
    np.testing.assert_allclose(
        xyz, [n * np.sqrt(0.5), 0.0, n * (1 - WGS84.e2) * np.sqrt(0.5)], rtol=0, atol=1e-6
    )
    # semi-minor axis differs between ellipsoids: PZ-90.11 a = 6378136 m
    assert geodetic_to_ecef([0.0, 0.0, 0.0], PZ90_11)[0] == 6378136.0


@pytest.mark.parametrize("ell", [WGS84, CGCS2000, PZ90_11])
def test_round_trip_0p1_mm(ell):
    rng = np.random.default_rng(42)
    n = 50_000
    llh = np.stack(
        [rng.uniform(-np.pi / 2, np.pi / 2, n), rng.uniform(-np.pi, np.pi, n), rng.uniform(-5e3, 4.3e7, n)],
        axis=-1,
    )
    xyz = geodetic_to_ecef(llh, ell)
    back = ecef_to_geodetic(xyz, ell)
    assert np.abs(geodetic_to_ecef(back, ell) - xyz).max() < 1e-4
    assert np.abs(back[:, 2] - llh[:, 2]).max() < 1e-4
    lat, lon, h = _iterative_geodetic(xyz, ell)
    assert np.abs(back[:, 0] - lat).max() < 1e-11
    assert np.abs(back[:, 1] - lon).max() < 1e-12
    assert np.abs(h - back[:, 2]).max() < 1e-4


def test_shapes_broadcast():
    xyz = np.zeros((4, 5, 3)) + np.array([4075580.3111, 931854.0543, 4801568.2808])
    assert ecef_to_geodetic(xyz).shape == (4, 5, 3)
    assert geodetic_to_ecef(ecef_to_geodetic(xyz)).shape == (4, 5, 3)


def test_enu_axes():
    ref = geodetic_to_ecef([30 * D, 100 * D, 50.0])
    up = geodetic_to_ecef([30 * D, 100 * D, 1050.0])
    np.testing.assert_allclose(ecef_to_enu(up, ref), [0, 0, 1000.0], rtol=0, atol=1e-6)
    # 1 m east at longitude 100 deg: ECEF direction (-sin 100, cos 100, 0)
    east = ref + np.array([-np.sin(100 * D), np.cos(100 * D), 0.0])
    np.testing.assert_allclose(ecef_to_enu(east, ref), [1.0, 0, 0], atol=1e-9)
    enu = np.array([[12.0, -3.0, 7.0], [0.5, 0.25, -100.0]])
    np.testing.assert_allclose(ecef_to_enu(enu_to_ecef(enu, ref), ref), enu, atol=1e-8)


def test_azimuth_elevation():
    rcv = geodetic_to_ecef([0.0, 0.0, 0.0])
    zenith = rcv * 4
    north = rcv + np.array([0.0, 0.0, 1e6])  # along +z at the equator: due north, horizon
    east = rcv + np.array([0.0, 1e6, 0.0])
    az, el = azimuth_elevation(np.stack([zenith, north, east]), rcv)
    assert el[0] == pytest.approx(np.pi / 2)
    assert az[1] == pytest.approx(0.0) and el[1] == pytest.approx(0.0, abs=1e-12)
    assert az[2] == pytest.approx(np.pi / 2) and el[2] == pytest.approx(0.0, abs=1e-12)
    west = rcv + np.array([1e5, -1e6, 0.0])  # west and 5.7 deg up
    az, el = azimuth_elevation(west, rcv)
    assert az == pytest.approx(1.5 * np.pi) and el == pytest.approx(np.arctan2(1e5, 1e6))


def test_sagnac_rotation():
    # 0.07 s flight, GPS rate: the Earth turns 5.1e-6 rad; a GPS satellite moves ~ 130 m
    sat = np.array([26_560e3, 0.0, 0.0])
    rot = sagnac_rotate(sat, 0.07, 7.2921151467e-5)
    th = 7.2921151467e-5 * 0.07
    np.testing.assert_allclose(rot, [26_560e3 * np.cos(th), -26_560e3 * np.sin(th), 0.0], rtol=0, atol=1e-9)
    assert np.linalg.norm(rot - sat) == pytest.approx(26_560e3 * th, rel=1e-9)


@pytest.mark.parametrize(
    ("xyz", "near"),
    [
        ([4075580.3, 931854.1, 4801568.3], True),  # WTZR
        ([0.0, 0.0, 6356752.3 - 500.0], True),  # a pole, below the ellipsoid
        ([6378137.0 + 600e3, 0.0, 0.0], True),  # 600 km up: still accepted
        ([0.0, 0.0, 0.0], False),
        ([1.0, 2.0, 3.0], False),
        ([4075.5803, 931.8541, 4801.5683], False),  # kilometres
        ([1e20, 0.0, 0.0], False),
        ([np.nan, 0.0, 6.4e6], False),
        ([np.inf, 0.0, 0.0], False),
        ([6.4e6, 0.0], False),
    ],
)
def test_near_earth_surface(xyz, near):
    from kompas.frames import near_earth_surface

    assert near_earth_surface(xyz) is near


@pytest.mark.parametrize(
    ("call", "said"),
    [
        (
            lambda: geodetic_to_ecef(None),
            r"llh must have a last axis of 3 \(shape \(3,\) or \(\.\.\., 3\)\), got None",
        ),
        (lambda: geodetic_to_ecef([[0.1, 0.2, 3.0, 4.0]]), r"llh must have a last axis of 3 .*got \(1, 4\)"),
        (lambda: ecef_to_geodetic(np.zeros((3, 5))), r"xyz must have a last axis of 3 .*got \(3, 5\)"),
        (lambda: ecef_to_geodetic(7.0), r"xyz must have a last axis of 3 .*got \(\)"),
    ],
)
def test_a_wrong_shape_is_named_with_its_argument(call, said):
    from kompas.errors import ConfigError

    with pytest.raises(ConfigError, match=said):
        call()


def test_one_point_conversions_are_the_vectorised_ones_bit_for_bit():
    # the RTK filter's geometry relies on this: its outputs must not change by a bit
    rng = np.random.default_rng(7)
    pts = np.r_[
        rng.normal(size=(2000, 3)) * 6.4e6,  # anywhere, poles and equator among them
        rng.normal(size=(2000, 3)) * 2.6e7,  # satellites
        [[-1835743.1932, 6069855.0752, -681545.0509]] + rng.normal(size=(2000, 3)) * 1e3,
        [[0.0, 0.0, 6356752.3], [0.0, 0.0, -6356752.3], [6378137.0, 0.0, 0.0], [-6378137.0, -0.0, 0.0]],
        [[0.0, 0.0, 0.0], [300.0, -400.0, 500.0], [np.nan, 1.0, 2.0]],  # the vectorised function's own
        # inside the Earth, where the scalar formulas raised (roots of negatives, a zero divisor)
        [[577.36] * 3, [-24162.8, 7598.7, 34464.8]],
        rng.uniform(-1.0, 1.0, size=(2000, 3)) * 1.2e5,
    ]
    with np.errstate(all="ignore"):  # the points near the geocentre
        llh = ecef_to_geodetic(pts)
        rot = enu_rotation(llh[:, 0], llh[:, 1])
        one_point = [geodetic_point(p) for p in pts]
    for one, ref, r in zip(one_point, llh, rot, strict=True):
        one = np.array(one)
        assert (np.isnan(one) == np.isnan(ref)).all()  # (a NaN's sign bit may differ)
        assert np.where(np.isnan(one), 0, one).tobytes() == np.where(np.isnan(ref), 0, ref).tobytes()
        if np.isfinite(one[0]):  # (a NaN's sign bit may differ)
            assert enu_rotation_point(one[0], one[1]).tobytes() == r.tobytes()  # -0.0 and 0.0 differ here
