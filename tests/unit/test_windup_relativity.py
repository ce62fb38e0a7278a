"""Phase wind-up (Wu et al. 1993) and relativistic corrections (IS-GPS-200, IERS 2010 eq. 11.17)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from kompas.constants import C_LIGHT, GLONASS, GPS
from kompas.frames import enu_rotation, geodetic_to_ecef
from kompas.models.relativity import periodic_clock_correction_s, shapiro_delay_m
from kompas.models.windup import receiver_antenna_axes, windup_cycles

RCV = geodetic_to_ecef([np.radians(45.0), np.radians(10.0), 300.0])


def _nadir_satellite():
    """A satellite on the geocentric line through the receiver, z to the Earth centre."""
    rs = RCV / np.linalg.norm(RCV) * 26_560e3
    z = -rs / np.linalg.norm(rs)
    x = np.cross(z, [0.0, 0.0, 1.0])
    x /= np.linalg.norm(x)
    y = np.cross(z, x)
    return rs, x, y


def test_yaw_rotation_changes_windup_by_psi_over_2pi():
    rs, x, y = _nadir_satellite()
    w0 = windup_cycles(rs, RCV, x, y)
    prev = w0
    for psi in np.radians(np.arange(10.0, 730.0, 10.0)):  # two full turns, unwrapped step by step
        xp = np.cos(psi) * x + np.sin(psi) * y  # body rotated by +psi about +z
        yp = -np.sin(psi) * x + np.cos(psi) * y
        w = windup_cycles(rs, RCV, xp, yp, prev_cycles=prev)
        assert w - w0 == pytest.approx(-psi / (2 * np.pi), abs=1e-9)
        prev = w


def test_receiver_rotation_changes_windup():
    rs, x, y = _nadir_satellite()
    xr, yr = receiver_antenna_axes(RCV)
    rot = enu_rotation(np.radians(45.0), np.radians(10.0))
    up = rot[2]
    np.testing.assert_allclose(np.cross(xr, yr), up, atol=1e-12)  # north x west = up
    w0 = windup_cycles(rs, RCV, x, y)
    th = np.radians(30.0)  # antenna turned by 30 deg about up (north towards west)
    xr2 = np.cos(th) * xr + np.sin(th) * yr
    yr2 = np.cos(th) * yr - np.sin(th) * xr
    w = windup_cycles(rs, RCV, x, y, rcv_x=xr2, rcv_y=yr2)
    assert abs(w - w0) == pytest.approx(30.0 / 360.0, abs=1e-9)


def test_degenerate_geometry_is_nan_without_floating_point_warnings():
    """A receiver straight behind the satellite antenna (k = -z): the satellite dipole is zero.

    Satellite on the Z axis, z to the geocentre, x = X, y = -Y (exact axes). With k along -z the
    effective dipole x' - k (k . x') - k x y' = X - X vanishes (Wu et al. 1993 eq. 8), so the angle is
    undefined: the docstring promises NaN there, computed without a 0/0 (no RuntimeWarning). The other
    row, a receiver below with axes X and Y, has both dipoles 2 X by hand: wind-up 0.
    """
    rs = np.array([0.0, 0.0, 26_560e3])
    x, y = np.array([1.0, 0.0, 0.0]), np.array([0.0, -1.0, 0.0])
    rr = np.array([[0.0, 0.0, 40_000e3], [0.0, 0.0, 6_400e3]])
    xr, yr = np.array([1.0, 0.0, 0.0]), np.array([0.0, 1.0, 0.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        w = windup_cycles(rs, rr, x, y, rcv_x=xr, rcv_y=yr)
        again = windup_cycles(rs, rr, x, y, prev_cycles=[0.3, 2.1], rcv_x=xr, rcv_y=yr)
    assert np.isnan(w[0]) and np.isnan(again[0])
    assert w[1] == 0.0 and again[1] == 2.0


def _independent_windup(rs, rr, xs, ys, xr, yr):
    """Wu et al. (1993) eq. 8-10 coded separately: dipoles from projections, angle by atan2."""
    k = (rr - rs) / np.linalg.norm(rr - rs)

    def perp(v):
        return v - np.dot(v, k) * k

    d_sat = perp(xs) - np.cross(k, ys)
    d_rcv = perp(xr) + np.cross(k, yr)
    ang = np.arctan2(np.dot(k, np.cross(d_sat, d_rcv)), np.dot(d_sat, d_rcv))
    return ang / (2 * np.pi)


def test_random_geometry_against_independent_formula():
    rng = np.random.default_rng(7)
    n = 200
    rs = rng.normal(size=(n, 3))
    rs = rs / np.linalg.norm(rs, axis=1, keepdims=True) * rng.uniform(20e6, 42e6, (n, 1))
    z = -rs / np.linalg.norm(rs, axis=1, keepdims=True)
    a = rng.normal(size=(n, 3))
    x = np.cross(z, a)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    y = np.cross(z, x)
    lat = rng.uniform(-1.4, 1.4, n)
    lon = rng.uniform(-np.pi, np.pi, n)
    rr = geodetic_to_ecef(np.stack([lat, lon, rng.uniform(0, 2000, n)], -1))
    xr, yr = receiver_antenna_axes(rr)
    got = windup_cycles(rs, rr, x, y)
    want = np.array([_independent_windup(rs[i], rr[i], x[i], y[i], xr[i], yr[i]) for i in range(n)])
    np.testing.assert_allclose(got, want, atol=1e-12)
    # a previous value one cycle away moves the result by whole cycles only
    again = windup_cycles(rs, rr, x, y, prev_cycles=got + 3.2)
    np.testing.assert_allclose(again - got, 3.0, atol=1e-12)
    assert np.isnan(windup_cycles(rs, rr, x, y, prev_cycles=np.full(n, np.nan))).sum() == 0


def _kepler_state(a, e, ecc_anom, gm):
    """Position and velocity on an ellipse in its perifocal frame (Montenbruck & Gill eq. 2.43)."""
    n = np.sqrt(gm / a**3)
    r = a * (1 - e * np.cos(ecc_anom))
    pos = np.array([a * (np.cos(ecc_anom) - e), a * np.sqrt(1 - e * e) * np.sin(ecc_anom), 0.0])
    vel = np.array([-np.sin(ecc_anom), np.sqrt(1 - e * e) * np.cos(ecc_anom), 0.0]) * a * a * n / r
    return pos, vel


@pytest.mark.parametrize("ecc_anom", [0.3, 1.2, 2.9, 4.4])
def test_periodic_clock_term_equals_icd_form(ecc_anom):
    """-2 r.v/c^2 = F e sqrt(A) sin E with F = -4.442807633e-10 s/m^0.5 (IS-GPS-200N 20.3.3.3.3.1)."""
    a, e = 26_560e3, 0.012
    pos, vel = _kepler_state(a, e, ecc_anom, GPS.gm)
    icd = GPS.f_rel * e * np.sqrt(a) * np.sin(ecc_anom)
    assert periodic_clock_correction_s(pos, vel) == pytest.approx(icd, rel=1e-9)
    assert abs(icd) < 30e-9


def test_shapiro_hand_values():
    """Zenith and horizon GPS geometry evaluated by hand (IERS 2010 eq. 11.17)."""
    rr = np.array([6_371e3, 0.0, 0.0])
    zen = np.array([26_560e3, 0.0, 0.0])
    hor = np.array([6_371e3, np.sqrt(26_560e3**2 - 6_371e3**2), 0.0])
    k = 2 * GPS.gm / C_LIGHT**2
    assert shapiro_delay_m(zen, rr) == pytest.approx(k * np.log(53_120 / 12_742), rel=1e-12)
    rho = np.linalg.norm(hor - rr)
    assert shapiro_delay_m(hor, rr) == pytest.approx(
        k * np.log((32_931e3 + rho) / (32_931e3 - rho)), rel=1e-12
    )
    assert 0.012 < shapiro_delay_m(zen, rr) < 0.013 and 0.018 < shapiro_delay_m(hor, rr) < 0.019
    both = shapiro_delay_m(np.stack([zen, zen]), rr, np.array(["G", "R"]))
    assert both[1] / both[0] == pytest.approx(GLONASS.gm / GPS.gm, rel=1e-12)


def test_shapiro_vectorised_rows_by_hand():
    """Each row of (N, 3) inputs gets its own eq. 11.17 value: zenith and horizon geometries of two stations."""
    k = 2 * GPS.gm / C_LIGHT**2
    rr = np.array([[6_371e3, 0.0, 0.0], [0.0, 6_371e3, 0.0]])
    rs = np.array([[26_560e3, 0.0, 0.0], [-np.sqrt(26_560e3**2 - 6_371e3**2), 6_371e3, 0.0]])
    rho_hor = np.sqrt(26_560e3**2 - 6_371e3**2)
    want = [k * np.log(53_120 / 12_742), k * np.log((32_931e3 + rho_hor) / (32_931e3 - rho_hor))]
    np.testing.assert_allclose(shapiro_delay_m(rs, rr, np.array(["G", "G"])), want, rtol=1e-12)
    np.testing.assert_allclose(shapiro_delay_m(rs, rr), want, rtol=1e-12)


def test_shapiro_no_satellites():
    """An epoch with no satellite in view: empty in, empty out (whatever the systems array)."""
    got = shapiro_delay_m(np.empty((0, 3)), np.empty((0, 3)), np.array([], dtype="U1"))
    assert got.shape == (0,)
