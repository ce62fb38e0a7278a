"""Eclipse, noon-turn and orbit-normal attitude laws (kompas.models.yaw via satellite_attitude)."""

from __future__ import annotations

import numpy as np
import pytest

from kompas.constants import GPS
from kompas.models.attitude import AU_M, nominal_yaw_frame, orbit_angles, satellite_attitude
from kompas.models.yaw import model_yaw, nominal_yaw, nominal_yaw_rate, shadow_half_angle
from kompas.tables.satellites import max_yaw_rate_rad_s

DEG = np.pi / 180


def _orbit(beta_deg, mu, a=26_560e3, gm=GPS.gm):
    """Inertial states on a circular orbit with the Sun along +x; mu from midnight (rad)."""
    b = beta_deg * DEG
    s = np.array([1.0, 0.0, 0.0])
    e_n = np.array([np.sin(b), 0.0, np.cos(b)])  # s . e_n = sin(beta)
    u = s - np.sin(b) * e_n
    u /= np.linalg.norm(u)
    w = np.cross(e_n, u)
    mu = np.atleast_1d(mu)
    mn = mu - np.pi  # from noon
    rate = np.sqrt(gm / a**3)
    r = a * (np.cos(mn)[:, None] * u + np.sin(mn)[:, None] * w)
    v = a * rate * (-np.sin(mn)[:, None] * u + np.cos(mn)[:, None] * w)
    return r, v, s * AU_M, rate


def test_orbit_angles_and_nominal_frame():
    mu = np.radians(np.arange(-179.0, 180.0, 7.0))
    r, v, sun, rate = _orbit(30.0, mu)
    ang = orbit_angles(r, v, sun, omega_e=0.0, from_satellite=False)
    np.testing.assert_allclose(ang.beta, 30 * DEG, atol=1e-12)
    np.testing.assert_allclose(np.angle(np.exp(1j * (ang.mu - mu))), 0.0, atol=1e-12)
    np.testing.assert_allclose(ang.mu_rate, rate, rtol=1e-12)
    axes, psi = satellite_attitude(r, v, sun, np.full(mu.size, "nominal"), omega_e=0.0)
    np.testing.assert_allclose(axes, nominal_yaw_frame(r, sun), atol=1e-12)
    # Kouba (2009) eq. 2 with the geocentric Sun direction: equal up to the Sun's parallax (~2e-4 rad)
    np.testing.assert_allclose(np.angle(np.exp(1j * (psi - nominal_yaw(30 * DEG, mu)))), 0.0, atol=5e-4)
    # at mu = 90 deg and beta = 0 the x axis points along track, towards the Sun
    r0, v0, sun0, _ = _orbit(0.0, np.pi / 2)
    ax0, psi0 = satellite_attitude(r0, v0, sun0, ["gps_iir"], omega_e=0.0)
    assert abs(psi0[0]) < 1e-3 and ax0[0, 0] @ np.array([1.0, 0, 0]) > 0.999


def _yaw_series(law, beta_deg, centre, half_deg=40.0, step_s=1.0, a=26_560e3):
    _, _, _, rate = _orbit(beta_deg, 0.0, a)
    d = np.arange(-half_deg * DEG, half_deg * DEG, rate * step_s)
    r, v, sun, rate = _orbit(beta_deg, centre + d, a)
    _, psi = satellite_attitude(r, v, sun, np.full(d.size, law), omega_e=0.0)
    return d, np.unwrap(psi), rate


@pytest.mark.parametrize("law", ["gps_iir", "gps_iif", "glonass", "gps_iia"])
def test_noon_turn_respects_max_yaw_rate(law):
    rmax = max_yaw_rate_rad_s(law)
    d, psi, rate = _yaw_series(law, 0.5, np.pi)
    nominal_peak = np.abs(nominal_yaw_rate(0.5 * DEG, np.pi + d, rate)).max()
    assert nominal_peak > 3 * rmax  # the nominal law would be far too fast
    # 1 s steps; beta drifts by the Sun's parallax during the turn (the law holds it fixed): 2e-4 relative
    assert np.abs(np.diff(psi)).max() <= rmax * 1.001
    # the turn is over and the nominal law back well after noon; it is nominal well before
    wrapped = np.angle(np.exp(1j * (psi - nominal_yaw(0.5 * DEG, np.pi + d))))
    assert abs(wrapped[0]) < 1e-3 and abs(wrapped[-1]) < 1e-3
    assert np.abs(wrapped).max() > 1.0  # and it did differ during the turn


def test_iif_shadow_constant_rate_and_glonass_hold():
    beta = 3.0
    h = shadow_half_angle(beta * DEG, 26_560e3)
    assert 13.0 * DEG < h < 14.5 * DEG  # GPS shadow ~ +-13.9 deg of orbit angle
    d, psi, rate = _yaw_series("gps_iif", beta, 0.0, half_deg=20.0)
    inside = np.abs(d) < h - 2 * rate
    steps = np.diff(psi)[inside[:-1] & inside[1:]]
    assert np.ptp(steps) < 1e-4 * np.abs(steps).mean()  # constant yaw rate in the shadow
    total = np.mod(nominal_yaw(beta * DEG, h) - nominal_yaw(beta * DEG, -h), 2 * np.pi)
    assert steps.mean() == pytest.approx(total / (2 * h / rate), rel=1e-3)  # beta drifts by parallax
    assert abs(np.diff(psi)).max() < 0.2 * DEG  # continuous at entry and exit
    # GLONASS-M: at most 0.25 deg/s, then holds the exit yaw until the shadow ends
    d, psi, rate = _yaw_series("glonass", 1.0, 0.0, half_deg=20.0)
    assert np.abs(np.diff(psi)).max() <= max_yaw_rate_rad_s("glonass") * 1.001
    h = shadow_half_angle(1.0 * DEG, 26_560e3)  # GLONASS radius differs; only the hold matters here
    late = (d > 0.5 * h) & (d < 0.9 * h)
    assert np.ptp(psi[late]) < 1e-5  # held (up to the parallax drift of beta)


def test_orbit_normal_modes():
    for beta, law, normal in [
        (2.0, "bds2_igso_meo", True),
        (-3.5, "bds2_igso_meo", True),
        (10.0, "bds2_igso_meo", False),
        (30.0, "bds2_geo", True),
        (30.0, "bds3_geo", True),
        (15.0, "qzss_on", True),
        (25.0, "qzss_on", False),
        (23.4, "qzss_geo", True),  # QZS-3 at a solstice: its beta is the Sun's declination
    ]:
        r, v, sun, _ = _orbit(beta, np.radians(50.0), a=42_164e3)
        axes, psi = satellite_attitude(r, v, sun, [law], omega_e=0.0)
        ang = orbit_angles(r, v, sun, omega_e=0.0)
        if normal:
            assert psi[0] == 0.0
            np.testing.assert_allclose(axes[0, 0], ang.e_t[0], atol=1e-12)  # x along track
            np.testing.assert_allclose(axes[0, 1], -ang.e_n[0], atol=1e-12)  # y = -orbit normal
        else:
            np.testing.assert_allclose(axes, nominal_yaw_frame(r, sun), atol=1e-12)


def test_galileo_foc_cosine_turn():
    beta = 1.0
    d, psi, rate = _yaw_series("galileo_foc", beta, np.pi, half_deg=25.0, a=29_600e3)
    nominal = nominal_yaw(beta * DEG, np.pi + d)
    start = np.argmin(np.abs(d + 10 * DEG))
    psi0 = nominal[start]
    assert np.angle(np.exp(1j * (psi[start] - psi0))) == pytest.approx(0.0, abs=1e-3)
    end = np.flatnonzero(d <= -10 * DEG + 2828 * rate)[-1]  # last sample of the 2828 s turn
    s = -np.sign(beta)
    assert np.angle(np.exp(1j * (psi[end] - (np.pi * s - psi0)))) == pytest.approx(0.0, abs=2e-3)
    # peak rate of the cosine: 2 pi/5656 s * |psi0 - 90 s| = 0.093 deg/s, a quarter of the nominal peak
    peak = 2 * np.pi / 5656 * abs(psi0 - np.pi / 2 * s)
    assert np.abs(np.diff(psi)[: end - 1]).max() == pytest.approx(peak, rel=1e-3)
    assert np.abs(nominal_yaw_rate(beta * DEG, np.pi + d, rate)).max() > 4 * peak


@pytest.mark.parametrize("beta_deg", [-25.0, -1.5, 0.7, 12.0, 60.0])
def test_nominal_yaw_rate_is_the_derivative_of_eq2(beta_deg):
    """Kouba (2009) eq. 3 = d/dt of eq. 2 atan2(-tan beta, sin mu), by central differences."""
    b, rate, h = beta_deg * DEG, 1.46e-4, 1e-6
    mu = np.radians(np.arange(-175.0, 180.0, 12.5))
    num = (np.arctan2(-np.tan(b), np.sin(mu + h)) - np.arctan2(-np.tan(b), np.sin(mu - h))) / (2 * h) * rate
    np.testing.assert_allclose(nominal_yaw_rate(b, mu, rate), num, rtol=1e-6, atol=1e-15)


@pytest.mark.parametrize("law, beta_deg", [("galileo_foc", 1.0), ("galileo_foc", -3.0), ("bds3_cast", 2.0)])
def test_cosine_turn_law_from_its_first_second(law, beta_deg):
    """EGSC Galileo FOC law at t = 0.5 s and 1500 s after the start (orbit angle -10 deg from noon):
    psi = 90 s + (psi0 - 90 s) cos(2 pi t / 5656 s), s = -sign(beta), psi0 the nominal yaw at the start."""
    b, rate = beta_deg * DEG, 1.2397e-4  # Galileo orbit angular rate (14 h 05 min period)
    t = np.array([0.5, 1500.0])
    mu = np.pi - 10 * DEG + rate * t
    s = -np.sign(beta_deg)
    psi0 = np.arctan2(-np.tan(b), np.sin(np.pi - 10 * DEG))
    want = np.pi / 2 * s + (psi0 - np.pi / 2 * s) * np.cos(2 * np.pi * t / 5656.0)
    got = model_yaw([law, law], b, mu, rate, 29_600e3)
    np.testing.assert_allclose(np.angle(np.exp(1j * (got - want))), 0.0, atol=1e-9)
    # the nominal law has already moved away within the first half second
    assert abs(np.arctan2(-np.tan(b), np.sin(mu[0])) - want[0]) > 1e-6
