"""Kepler user algorithms: solver precision, two-body geometry, velocities, clocks, BDS GEO rotation."""

import numpy as np
import pytest

from kompas.constants import BDS_GEO_INCLINATION_RAD, BEIDOU, GALILEO, GPS
from kompas.products.kepler import kepler_state, solve_kepler

ZERO = ("cuc_rad", "cus_rad", "crc_m", "crs_m", "cic_rad", "cis_rad", "delta_n_radps", "idot_radps")


def _eph(n=1, **kw):
    base = dict(
        sqrt_a_sqrtm=5153.6, e=0.01, i0_rad=0.96, omega0_rad=1.0, omega_rad=0.5, m0_rad=0.3,
        omega_dot_radps=-8e-9, toe_s=345600.0, af0_s=1e-4, af1_sps=1e-11, af2_sps2=0.0,
    )  # fmt: skip
    base.update({k: 0.0 for k in ZERO})
    base.update(kw)
    return {k: np.full(n, v, dtype=float) for k, v in base.items()}


def test_kepler_solver_precision():
    rng = np.random.default_rng(3)
    m = rng.uniform(-np.pi, np.pi, 10_000)
    for emax in (0.02, 0.3, 0.7):
        e = rng.uniform(0, emax, m.size)
        ecc = solve_kepler(m, e)
        assert np.max(np.abs(ecc - e * np.sin(ecc) - m)) < 1e-13


def test_kepler_solver_marks_rows_it_cannot_converge(monkeypatch):
    import kompas.products.kepler as kepler

    m, e = np.array([0.3, 0.3]), np.array([0.0, 0.6])
    monkeypatch.setattr(kepler, "_MAX_ITER", 1)
    ecc = kepler.solve_kepler(m, e)
    # e = 0: exact after one step (|dE| = 0 < tol); e = 0.6 needs more: NaN, never a half-solved value
    assert ecc[0] == 0.3 and np.isnan(ecc[1])


def test_kepler_elements_without_the_cnav_terms_are_those_with_zero_rates():
    eph = _eph(2)
    tk = np.array([-3600.0, 5400.0])
    geo = np.zeros(2, bool)
    plain = kepler_state(eph, tk, tk, GPS.gm, GPS.omega_e, GPS.f_rel, geo)
    cnav = dict(eph, a_dot_mps=np.full(2, np.nan), delta_n_dot_radps2=np.zeros(2))
    nan_rates = kepler_state(cnav, tk, tk, GPS.gm, GPS.omega_e, GPS.f_rel, geo)
    for a, b in zip(plain, nan_rates, strict=True):
        np.testing.assert_array_equal(a, b)
    moving = kepler_state(dict(eph, a_dot_mps=np.full(2, 0.01)), tk, tk, GPS.gm, GPS.omega_e, GPS.f_rel, geo)
    assert np.all(np.abs(np.linalg.norm(moving[0], axis=1) - np.linalg.norm(plain[0], axis=1)) > 1.0)


def test_two_body_geometry_gps():
    """With all harmonic terms zero the result is the textbook ellipse (independent formula)."""
    tk = np.array([0.0, 600.0, -3000.0, 7000.0])
    eph = _eph(tk.size)
    pos, _, _, _ = kepler_state(eph, tk, tk, GPS.gm, GPS.omega_e, GPS.f_rel, np.zeros(tk.size, bool))
    a = 5153.6**2
    n = np.sqrt(GPS.gm / a**3)
    for k, t in enumerate(tk):
        m = 0.3 + n * t
        ecc = m
        for _ in range(50):
            ecc = m + 0.01 * np.sin(ecc)
        nu = 2 * np.arctan(np.sqrt(1.01 / 0.99) * np.tan(ecc / 2))
        r = a * (1 - 0.01**2) / (1 + 0.01 * np.cos(nu))
        assert np.linalg.norm(pos[k]) == pytest.approx(r, abs=1e-6)
        # z = r sin(u) sin(i) with u = nu + omega
        assert pos[k, 2] == pytest.approx(r * np.sin(nu + 0.5) * np.sin(0.96), abs=1e-6)


@pytest.mark.parametrize("cnav", [False, True])
@pytest.mark.parametrize(("consts", "geo"), [(GPS, False), (GALILEO, False), (BEIDOU, False), (BEIDOU, True)])
def test_velocity_matches_numerical_derivative(consts, geo, cnav):
    eph = _eph(1, cuc_rad=3e-6, cus_rad=8e-6, crc_m=250.0, crs_m=-40.0, cic_rad=1e-7, cis_rad=-6e-8,
               delta_n_radps=4.5e-9, idot_radps=-3e-10)  # fmt: skip
    if cnav:  # CNAV rates of the semi-major axis and of the mean motion correction
        eph.update(a_dot_mps=np.array([0.05]), delta_n_dot_radps2=np.array([2e-13]))
    if geo:
        eph.update(sqrt_a_sqrtm=np.array([6493.0]), i0_rad=np.array([0.08]), omega_dot_radps=np.array([2e-9]))
    g = np.array([geo])
    for t in (-1800.0, 0.0, 2400.0):
        _, v, _, rate = kepler_state(
            eph, np.array([t]), np.array([t]), consts.gm, consts.omega_e, consts.f_rel, g
        )
        p1, _, c1, _ = kepler_state(
            eph, np.array([t - 0.5]), np.array([t - 0.5]), consts.gm, consts.omega_e, consts.f_rel, g
        )
        p2, _, c2, _ = kepler_state(
            eph, np.array([t + 0.5]), np.array([t + 0.5]), consts.gm, consts.omega_e, consts.f_rel, g
        )
        # central difference over 1 s: its own error ~ r w^3 / 24 ~ 3e-6 m/s at MEO
        np.testing.assert_allclose(v[0], (p2[0] - p1[0]), atol=3e-5)  # m/s
        assert rate[0] == pytest.approx(c2[0] - c1[0], abs=1e-15)


def test_relativistic_clock_term():
    # dt_r = F e sqrt(A) sin(E); at E = pi/2 (M = pi/2 - e) it is F e sqrt(A)
    e = 0.01
    eph = _eph(1, m0_rad=np.pi / 2 - e, af0_s=0.0, af1_sps=0.0)
    _, _, clk, _ = kepler_state(
        eph, np.zeros(1), np.zeros(1), GPS.gm, GPS.omega_e, GPS.f_rel, np.zeros(1, bool)
    )
    assert clk[0] == pytest.approx(-4.442807633e-10 * 0.01 * 5153.6, rel=1e-9)  # -22.9 ns


def test_clock_polynomial():
    eph = _eph(1, e=0.0, af0_s=1e-4, af1_sps=2e-11, af2_sps2=1e-18)
    _, _, clk, rate = kepler_state(
        eph, np.zeros(1), np.array([1000.0]), GPS.gm, GPS.omega_e, GPS.f_rel, np.zeros(1, bool)
    )
    assert clk[0] == pytest.approx(1e-4 + 2e-8 + 1e-12, rel=1e-12)
    assert rate[0] == pytest.approx(2e-11 + 2e-15, rel=1e-12)


def test_bds_geo_rotation():
    """GEO: the result equals Rz(we tk) Rx(-5 deg) applied to the inertial-like orbit (BDS ICD Table 5-11)."""
    eph = _eph(1, sqrt_a_sqrtm=6493.0, e=0.0003, i0_rad=0.05)
    tk = np.array([1234.0])
    geo_pos, _, _, _ = kepler_state(eph, tk, tk, BEIDOU.gm, BEIDOU.omega_e, BEIDOU.f_rel, np.array([True]))
    # the "GK" position: same algorithm with the node not rotating with the Earth, i.e. omega_e = 0
    # in the node rate but -omega_e * toe kept: emulate by computing with omega_e and undoing
    om_e = BEIDOU.omega_e
    pk, _, _, _ = kepler_state(
        dict(eph, omega_dot_radps=eph["omega_dot_radps"] + om_e),
        tk,
        tk,
        BEIDOU.gm,
        om_e,
        BEIDOU.f_rel,
        np.array([False]),
    )  # node rate omega_dot: the GK frame
    c, s = np.cos(BDS_GEO_INCLINATION_RAD), np.sin(BDS_GEO_INCLINATION_RAD)
    rx = np.array([[1, 0, 0], [0, c, s], [0, -s, c]])
    th = om_e * tk[0]
    rz = np.array([[np.cos(th), np.sin(th), 0], [-np.sin(th), np.cos(th), 0], [0, 0, 1]])
    np.testing.assert_allclose(geo_pos[0], rz @ rx @ pk[0], rtol=0, atol=1e-6)
    # a GEO stays within ~40 km of 35,786 km altitude above the equator's radius: sanity of magnitude
    assert abs(np.linalg.norm(geo_pos[0]) - 6493.0**2) < 6493.0**2 * 0.001
