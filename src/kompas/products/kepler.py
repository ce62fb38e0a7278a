"""Keplerian broadcast ephemerides: GPS, QZSS, NavIC, Galileo and BeiDou (MEO/IGSO and GEO).

Pure, vectorised functions: each row is one query evaluated with the ephemeris record chosen for
it; the caller (:mod:`kompas.products.broadcast`) does the choosing. Every system uses its own GM
and Earth rotation rate (:mod:`kompas.constants`).

References
----------
IS-GPS-200N Table 20-IV (LNAV user algorithm) and sec. 20.3.3.3.3.1 (clock, relativity);
IS-GPS-200N Table 30-II (CNAV: A = A_ref + dA, A_dot, delta n0 dot);
Galileo OS SIS ICD 2.0 sec. 5.1.1 and 5.1.4;
BDS-SIS-ICD-B1I-3.0 sec. 5.2.4.12 Table 5-11 (MEO/IGSO and GEO user algorithms);
BDS-SIS-ICD-B1C-1.0 sec. 7.8 (CNAV1/CNAV2: A_dot, delta n0 dot).
"""

from __future__ import annotations

import numpy as np

from ..constants import BDS_GEO_INCLINATION_RAD

__all__ = ["solve_kepler", "kepler_state"]

KEPLER_TOL_RAD = 1e-13
_MAX_ITER = 30


def solve_kepler(m_rad: np.ndarray, e: np.ndarray) -> np.ndarray:
    """Eccentric anomaly E from M = E - e sin E, Newton's method to |dE| < 1e-13 rad.

    Parameters
    ----------
    m_rad : numpy.ndarray
        Mean anomaly, rad.
    e : numpy.ndarray
        Eccentricity (< 1).

    Returns
    -------
    numpy.ndarray
        Eccentric anomaly, rad. Rows that do not converge (impossible for e < 0.9) are NaN.
    """
    m = np.asarray(m_rad, dtype=np.float64)
    e = np.asarray(e, dtype=np.float64)
    ecc = m.copy()
    for _ in range(_MAX_ITER):
        d = (ecc - e * np.sin(ecc) - m) / (1.0 - e * np.cos(ecc))
        ecc = ecc - d
        if np.all(np.abs(d) < KEPLER_TOL_RAD) or not np.any(np.isfinite(d)):
            break
    else:
        ecc = np.where(np.abs(d) < KEPLER_TOL_RAD, ecc, np.nan)
    return ecc


def kepler_state(eph: dict, tk_s: np.ndarray, tc_s: np.ndarray, gm, omega_e, f_rel, geo: np.ndarray):
    """Positions, velocities and clocks from Keplerian elements (one row per query).

    Parameters
    ----------
    eph : dict of numpy.ndarray
        Rows of :class:`kompas.tables.nav.KeplerEph` fields, one per query: ``sqrt_a_sqrtm, e, i0_rad,
        omega0_rad, omega_rad, m0_rad, delta_n_radps, idot_radps, omega_dot_radps, cuc_rad, cus_rad,
        crc_m, crs_m, cic_rad, cis_rad, toe_s, af0_s, af1_sps, af2_sps2`` and, for CNAV rows,
        ``a_dot_mps, delta_n_dot_radps2`` (NaN elsewhere: treated as 0).
    tk_s : numpy.ndarray
        Time from the ephemeris epoch t - toe, s.
    tc_s : numpy.ndarray
        Time from the clock epoch t - toc, s.
    gm, omega_e, f_rel : numpy.ndarray or float
        Per-row GM (m^3/s^2), Earth rotation rate (rad/s) and relativistic constant F (s/m^0.5) of the
        row's system.
    geo : numpy.ndarray of bool
        Rows of BeiDou GEO satellites (BDS-SIS-ICD-B1I-3.0 Table 5-11 GEO algorithm).

    Returns
    -------
    pos : numpy.ndarray, shape (N, 3)
        ECEF position, m, in the frame of the evaluation time.
    vel : numpy.ndarray, shape (N, 3)
        ECEF velocity, m/s.
    clk : numpy.ndarray
        Clock bias af0 + af1 tc + af2 tc^2 plus the relativistic term F e sqrt(A) sin E, s.
    clk_rate : numpy.ndarray
        Its time derivative, s/s.
    """
    g = {k: np.asarray(v, dtype=np.float64) for k, v in eph.items()}
    tk = np.asarray(tk_s, dtype=np.float64)
    a_dot = np.nan_to_num(g.get("a_dot_mps", np.zeros_like(tk)))
    dn_dot = np.nan_to_num(g.get("delta_n_dot_radps2", np.zeros_like(tk)))
    a0 = g["sqrt_a_sqrtm"] ** 2
    a = a0 + a_dot * tk
    n0 = np.sqrt(gm / a0**3)
    n = n0 + g["delta_n_radps"] + 0.5 * dn_dot * tk
    m = g["m0_rad"] + n * tk
    e = g["e"]
    ecc = solve_kepler(m, e)
    sin_e, cos_e = np.sin(ecc), np.cos(ecc)
    one_m_ecos = 1.0 - e * cos_e
    sq = np.sqrt(1.0 - e * e)
    nu = np.arctan2(sq * sin_e, cos_e - e)
    phi = nu + g["omega_rad"]
    s2, c2 = np.sin(2.0 * phi), np.cos(2.0 * phi)
    u = phi + g["cus_rad"] * s2 + g["cuc_rad"] * c2
    r = a * one_m_ecos + g["crs_m"] * s2 + g["crc_m"] * c2
    inc = g["i0_rad"] + g["cis_rad"] * s2 + g["cic_rad"] * c2 + g["idot_radps"] * tk
    # rates (IS-GPS-200N Table 20-IV, velocity equations); M = M0 + n tk changes at n + dn_dot tk / 2
    e_dot = (n + 0.5 * dn_dot * tk) / one_m_ecos
    nu_dot = e_dot * sq / one_m_ecos
    u_dot = nu_dot * (1.0 + 2.0 * (g["cus_rad"] * c2 - g["cuc_rad"] * s2))
    r_dot = a * e * sin_e * e_dot + a_dot * one_m_ecos + 2.0 * (g["crs_m"] * c2 - g["crc_m"] * s2) * nu_dot
    i_dot = g["idot_radps"] + 2.0 * (g["cis_rad"] * c2 - g["cic_rad"] * s2) * nu_dot
    xp, yp = r * np.cos(u), r * np.sin(u)
    xp_dot = r_dot * np.cos(u) - yp * u_dot
    yp_dot = r_dot * np.sin(u) + xp * u_dot
    # longitude of the ascending node: Earth-fixed for MEO/IGSO, inertial-like for BDS GEO
    om_e = np.broadcast_to(np.asarray(omega_e, dtype=np.float64), tk.shape)
    om_rate = np.where(geo, g["omega_dot_radps"], g["omega_dot_radps"] - om_e)
    om = g["omega0_rad"] + om_rate * tk - om_e * g["toe_s"]
    so, co, si, ci = np.sin(om), np.cos(om), np.sin(inc), np.cos(inc)
    x = xp * co - yp * ci * so
    y = xp * so + yp * ci * co
    z = yp * si
    vx = xp_dot * co - yp_dot * ci * so + yp * si * so * i_dot - y * om_rate
    vy = xp_dot * so + yp_dot * ci * co - yp * si * co * i_dot + x * om_rate
    vz = yp_dot * si + yp * ci * i_dot
    pos = np.stack([x, y, z], axis=-1)
    vel = np.stack([vx, vy, vz], axis=-1)
    if np.any(geo):
        pos[geo], vel[geo] = _geo_rotate(pos[geo], vel[geo], tk[geo], om_e[geo])
    tc = np.asarray(tc_s, dtype=np.float64)
    rel = f_rel * e * g["sqrt_a_sqrtm"] * sin_e
    clk = g["af0_s"] + g["af1_sps"] * tc + g["af2_sps2"] * tc * tc + rel
    clk_rate = g["af1_sps"] + 2.0 * g["af2_sps2"] * tc + f_rel * e * g["sqrt_a_sqrtm"] * cos_e * e_dot
    return pos, vel, clk, clk_rate


def _geo_rotate(pos_gk, vel_gk, tk, omega_e):
    """BDS GEO: [X Y Z] = Rz(omega_e tk) Rx(-5 deg) [X_GK Y_GK Z_GK] (BDS-SIS-ICD-B1I-3.0 Table 5-11).

    Rx(p) = [[1, 0, 0], [0, cos p, sin p], [0, -sin p, cos p]];
    Rz(p) = [[cos p, sin p, 0], [-sin p, cos p, 0], [0, 0, 1]].
    """
    cx, sx = np.cos(BDS_GEO_INCLINATION_RAD), np.sin(BDS_GEO_INCLINATION_RAD)
    rx = np.array([[1.0, 0.0, 0.0], [0.0, cx, sx], [0.0, -sx, cx]])
    p1 = pos_gk @ rx.T
    v1 = vel_gk @ rx.T
    th = omega_e * tk
    c, s = np.cos(th), np.sin(th)
    x = c * p1[:, 0] + s * p1[:, 1]
    y = -s * p1[:, 0] + c * p1[:, 1]
    # d/dt of Rz(omega_e t) p = Rz v + omega_e dRz/dth p
    vx = c * v1[:, 0] + s * v1[:, 1] + omega_e * (-s * p1[:, 0] + c * p1[:, 1])
    vy = -s * v1[:, 0] + c * v1[:, 1] + omega_e * (-c * p1[:, 0] - s * p1[:, 1])
    return np.stack([x, y, p1[:, 2]], axis=-1), np.stack([vx, vy, v1[:, 2]], axis=-1)
