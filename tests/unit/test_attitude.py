"""Sun position, sidereal time and the nominal yaw-steering frame (kompas.models.attitude)."""

from __future__ import annotations

import numpy as np
import pytest

from kompas import gtime_from_calendar
from kompas.models.attitude import AU_M, gmst_rad, nominal_yaw_frame, sun_position_ecef


def _utc(*fields):
    return int(gtime_from_calendar(*fields, scale="UTC"))


def _dec_deg(v):
    return np.degrees(np.arcsin(v[..., 2] / np.linalg.norm(v, axis=-1)))


def test_gmst_against_meeus_examples():
    # Meeus, Astronomical Algorithms (2nd ed.), Example 12.a: 1987 April 10, 0h UT -> 13h10m46.3668s;
    # Example 12.b: 1987 April 10, 19h21m00s UT -> 8h34m57.0896s. UT1 - UTC (< 0.9 s) is ignored: 0.004 deg.
    t = [_utc(1987, 4, 10, 0, 0, 0.0), _utc(1987, 4, 10, 19, 21, 0.0)]
    want = np.array([13 + 10 / 60 + 46.3668 / 3600, 8 + 34 / 60 + 57.0896 / 3600]) * 15.0
    got = np.degrees(gmst_rad(t))
    np.testing.assert_allclose(got, want, atol=0.005)


def test_sun_declination_zero_at_march_equinox_2020():
    # March equinox 2020-03-20 03:50 UTC (USNO, "Earth's Seasons"): apparent declination 0
    s = sun_position_ecef(_utc(2020, 3, 20, 3, 50, 0.0))
    assert s.shape == (1, 3)
    assert abs(_dec_deg(s[0])) < 0.1


def test_sun_at_june_solstice_2020():
    # June solstice 2020-06-20 21:44 UTC (USNO): declination = obliquity of date 23.4367 deg
    # (IAU 2006: 84381.406" - 46.837" T, T = 0.2047), right ascension 6 h.
    t = _utc(2020, 6, 20, 21, 44, 0.0)
    s = sun_position_ecef(t)[0]
    assert _dec_deg(s) == pytest.approx(23.4367, abs=0.02)
    # right ascension = ECEF longitude + Greenwich sidereal time (GMST tested above)
    ra = np.degrees(np.arctan2(s[1], s[0]) + gmst_rad(t)) % 360.0
    assert ra == pytest.approx(90.0, abs=0.05)


def test_sun_distance_at_perihelion_and_aphelion_2020():
    # 2020-01-05 07:48 UTC perihelion 147,091,144 km; 2020-07-04 11:35 UTC aphelion 152,095,295 km
    # (USNO / Meeus-style published values); the series is good to about 1e-4 relative.
    t = [_utc(2020, 1, 5, 7, 48, 0.0), _utc(2020, 7, 4, 11, 35, 0.0)]
    r = np.linalg.norm(sun_position_ecef(t), axis=1)
    np.testing.assert_allclose(r, [147_091_144e3, 152_095_295e3], rtol=1e-4)
    assert 0.98 * AU_M < r[0] < r[1] < 1.02 * AU_M


def test_sun_turns_once_per_solar_day_westwards_in_ecef():
    t0 = _utc(2020, 6, 25, 0, 0, 0.0)
    t = t0 + np.arange(0, 86_400, 3_600) * 1_000_000_000
    lon = np.unwrap(np.arctan2(*sun_position_ecef(t)[:, 1::-1].T))
    # 15 deg per hour towards the west (within the equation-of-time drift)
    np.testing.assert_allclose(np.diff(np.degrees(lon)), -15.0, atol=0.01)


def _random_geometry(n, seed=1):
    rng = np.random.default_rng(seed)
    d = rng.normal(size=(n, 3))
    sat = 26_560e3 * d / np.linalg.norm(d, axis=1, keepdims=True)
    s = rng.normal(size=(n, 3))
    sun = AU_M * s / np.linalg.norm(s, axis=1, keepdims=True)
    return sat, sun


def test_yaw_frame_is_orthonormal_right_handed_and_follows_the_igs_convention():
    sat, sun = _random_geometry(500)
    frame = nominal_yaw_frame(sat, sun)
    assert frame.shape == (500, 3, 3)
    eye = np.einsum("nic,njc->nij", frame, frame)
    np.testing.assert_allclose(eye, np.broadcast_to(np.eye(3), eye.shape), atol=1e-12)
    np.testing.assert_allclose(np.linalg.det(frame), 1.0, atol=1e-12)
    x, y, z = frame[:, 0], frame[:, 1], frame[:, 2]
    # z towards the Earth centre
    np.testing.assert_allclose(z, -sat / np.linalg.norm(sat, axis=1, keepdims=True), atol=1e-15)
    e_sun = (sun - sat) / np.linalg.norm(sun - sat, axis=1, keepdims=True)
    # y perpendicular to the Sun direction, the Sun in the +x half plane
    np.testing.assert_allclose(np.sum(y * e_sun, axis=1), 0.0, atol=1e-12)
    assert np.all(np.sum(x * e_sun, axis=1) > 0)
    # y = z x e_sun (not its opposite)
    assert np.all(np.sum(np.cross(z, e_sun) * y, axis=1) > 0)


def test_yaw_frame_hand_example():
    # satellite on +X, Sun far along +Y: z = -X, y = z x Y = -Z, x = y x z = +Y (towards the Sun)
    frame = nominal_yaw_frame([[26_560e3, 0.0, 0.0]], [0.0, AU_M, 0.0])[0]
    np.testing.assert_allclose(frame[2], [-1, 0, 0], atol=1e-15)
    np.testing.assert_allclose(frame[1], [0, 0, -1], atol=1e-4)
    np.testing.assert_allclose(frame[0], [0, 1, 0], atol=1e-4)


def test_yaw_frame_undefined_when_sun_on_the_z_axis_is_nan():
    frame = nominal_yaw_frame([[26_560e3, 0.0, 0.0], [0.0, 26_560e3, 0.0]], [[-AU_M, 0.0, 0.0], [AU_M, 0, 0]])
    assert np.all(np.isnan(frame[0]))
    assert np.all(np.isfinite(frame[1]))
