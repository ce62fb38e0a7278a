"""Solid Earth tide and pole tide station displacements (IERS Conventions 2010, ch. 7.1).

Solid Earth tide (:func:`solid_earth_tide`)
    IERS Conventions 2010 (Petit & Luzum eds., IERS TN 36) sec. 7.1.1, the model of Mathews, Dehant and
    Gipson (1997, J. Geophys. Res. 102(B9):20469-20477) as the IERS routine DEHANTTIDEINEL evaluates it:

    * step 1, in the time domain: degree-2 and degree-3 displacement with nominal Love/Shida numbers
      h2 = 0.6078, l2 = 0.0847 (with the latitude dependence h2 - 0.0006 (1 - 3/2 cos^2 phi),
      l2 + 0.0002 (1 - 3/2 cos^2 phi), eq. 7.2), h3 = 0.292, l3 = 0.015 (eq. 7.5-7.6); the out-of-phase
      corrections for the diurnal (h_I = -0.0025, l_I = -0.0007) and semidiurnal (h_I = -0.0022,
      l_I = -0.0007) bands (eq. 7.10-7.11); the latitude-dependent l^(1) terms (0.0012 diurnal, 0.0024
      semidiurnal, eq. 7.8-7.9); mass ratios Sun/Earth 332946.0482, Moon/Earth 0.0123000371 and
      R_E = 6378136.6 m (Table 1.1);
    * step 2, in the frequency domain: the corrections of Table 7.3a (diurnal band, 31 lines with the
      routine's values, e.g. K1 12.00 / -0.80 mm) and Table 7.3b (long-period band, 5 lines), with Doodson
      arguments from the mean longitudes s, h, p, N', p_s of eq. 5.43-style polynomials in T (TT centuries)
      and tau from the UT hour, as in the routine's STEP2DIU/STEP2LON.

    The permanent tide is *not* removed (conventional tide-free positions, as DEHANTTIDEINEL), so the
    displacement has a non-zero mean of up to -12 cm (radial) at the poles and +6 cm at the equator.
    This is an independent numpy re-implementation (vectorised over stations and epochs), not the IERS
    software; it reproduces the routine's three published test cases to 1e-12 m
    (tests/reference/test_tides.py).

Pole tide (:func:`pole_tide`)
    IERS Conventions 2010 sec. 7.1.4 eq. 7.26 with the conventional secular pole of the 2018 update of
    ch. 7 (IERS Conventions Centre, "Updates to Chapter 7", 2018, eq. 7.25 revised):
    x_s = 55.0 + 1.677 (t - 2000) mas, y_s = 320.5 + 3.460 (t - 2000) mas; m1 = x_p - x_s,
    m2 = -(y_p - y_s) (arcsec); S_r = -33 sin 2theta (m1 cos lambda + m2 sin lambda),
    S_theta = -9 cos 2theta (m1 cos lambda + m2 sin lambda), S_lambda = 9 cos theta (m1 sin lambda - m2
    cos lambda) mm, theta the co-latitude, S_theta positive southward.
"""

from __future__ import annotations

import numpy as np

from ..time import MJD_GPS_EPOCH, NS, gps_utc_offset_s

__all__ = ["solid_earth_tide", "pole_tide", "secular_pole_arcsec"]

# IERS Conventions 2010 Table 1.1 (and DEHANTTIDEINEL)
_MASS_RATIO_SUN = 332946.0482
_MASS_RATIO_MOON = 0.0123000371
_RE = 6378136.6
_DEG = np.pi / 180.0

# Table 7.3a as DEHANTTIDEINEL's STEP2DIU evaluates it: multipliers of (s, h, p, N', p_s) added to tau,
# then in-phase / out-of-phase radial and transverse amplitudes in mm
_STEP2_DIURNAL = np.array(
    [
        [-3, 0, 2, 0, 0, -0.01, 0, 0, 0],
        [-3, 2, 0, 0, 0, -0.01, 0, 0, 0],
        [-2, 0, 1, -1, 0, -0.02, 0, 0, 0],
        [-2, 0, 1, 0, 0, -0.08, 0, -0.01, 0.01],
        [-2, 2, -1, 0, 0, -0.02, 0, 0, 0],
        [-1, 0, 0, -1, 0, -0.10, 0, 0, 0],
        [-1, 0, 0, 0, 0, -0.51, 0, -0.02, 0.03],
        [-1, 2, 0, 0, 0, 0.01, 0, 0, 0],
        [0, -2, 1, 0, 0, 0.01, 0, 0, 0],
        [0, 0, -1, 0, 0, 0.02, 0, 0, 0],
        [0, 0, 1, 0, 0, 0.06, 0, 0, 0],
        [0, 0, 1, 1, 0, 0.01, 0, 0, 0],
        [0, 2, -1, 0, 0, 0.01, 0, 0, 0],
        [1, -3, 0, 0, 1, -0.06, 0, 0, 0],
        [1, -2, 0, -1, 0, 0.01, 0, 0, 0],
        [1, -2, 0, 0, 0, -1.23, -0.07, 0.06, 0.01],
        [1, -1, 0, 0, -1, 0.02, 0, 0, 0],
        [1, -1, 0, 0, 1, 0.04, 0, 0, 0],
        [1, 0, 0, -1, 0, -0.22, 0.01, 0.01, 0],
        [1, 0, 0, 0, 0, 12.00, -0.80, -0.67, -0.03],
        [1, 0, 0, 1, 0, 1.73, -0.12, -0.10, 0],
        [1, 0, 0, 2, 0, -0.04, 0, 0, 0],
        [1, 1, 0, 0, -1, -0.50, -0.01, 0.03, 0],
        [1, 1, 0, 0, 1, 0.01, 0, 0, 0],
        [0, 1, 0, 1, -1, -0.01, 0, 0, 0],
        [1, 2, -2, 0, 0, -0.01, 0, 0, 0],
        [1, 2, 0, 0, 0, -0.11, 0.01, 0.01, 0],
        [2, -2, 1, 0, 0, -0.01, 0, 0, 0],
        [2, 0, -1, 0, 0, -0.02, 0, 0, 0],
        [3, 0, 0, 0, 0, 0, 0, 0, 0],
        [3, 0, 0, 1, 0, 0, 0, 0, 0],
    ]
)
# Table 7.3b (STEP2LON): multipliers of (s, h, p, N', p_s), then dR_ip, dT_ip, dR_op, dT_op in mm
_STEP2_LONG = np.array(
    [
        [0, 0, 0, 1, 0, 0.47, 0.23, 0.16, 0.07],
        [0, 2, 0, 0, 0, -0.20, -0.12, -0.11, -0.05],
        [1, 0, -1, 0, 0, -0.11, -0.08, -0.09, -0.04],
        [2, 0, 0, 0, 0, -0.13, -0.11, -0.15, -0.07],
        [2, 0, 0, 1, 0, -0.05, -0.05, -0.06, -0.03],
    ]
)


def _station_frame(xsta):
    """r, sin/cos of geocentric latitude and longitude of stations (..., 3)."""
    r = np.linalg.norm(xsta, axis=-1)
    p = np.hypot(xsta[..., 0], xsta[..., 1])
    return r, xsta[..., 2] / r, p / r, xsta[..., 1] / p, xsta[..., 0] / p


def _local_to_ecef(dr, de, dn, sphi, cphi, slam, clam):
    """Radial/east/north (geocentric) displacement -> ECEF (..., 3)."""
    return np.stack(
        [
            dr * clam * cphi - de * slam - dn * sphi * clam,
            dr * slam * cphi + de * clam - dn * sphi * slam,
            dr * sphi + dn * cphi,
        ],
        axis=-1,
    )


def _step1_in_phase(xsta, xsun, xmon):
    """Degree-2 and -3 displacement with latitude-dependent h2, l2 (IERS 2010 eq. 7.5-7.6)."""
    rsta, _, cphi, _, _ = _station_frame(xsta)
    out = np.zeros_like(xsta)
    h2 = 0.6078 - 0.0006 * (1.0 - 1.5 * cphi**2)
    l2 = 0.0847 + 0.0002 * (1.0 - 1.5 * cphi**2)
    h3, l3 = 0.292, 0.015
    for body, ratio in ((xsun, _MASS_RATIO_SUN), (xmon, _MASS_RATIO_MOON)):
        rb = np.linalg.norm(body, axis=-1)
        sc = np.einsum("...i,...i->...", xsta, body) / (rsta * rb)
        fac2 = ratio * _RE * (_RE / rb) ** 3
        fac3 = fac2 * _RE / rb
        p2 = 3.0 * (h2 / 2.0 - l2) * sc**2 - h2 / 2.0
        p3 = 2.5 * (h3 - 3.0 * l3) * sc**3 + 1.5 * (l3 - h3) * sc
        x2 = 3.0 * l2 * sc
        x3 = 1.5 * l3 * (5.0 * sc**2 - 1.0)
        ub, us = body / rb[..., None], xsta / rsta[..., None]
        out += (fac2 * x2 + fac3 * x3)[..., None] * ub + (fac2 * p2 + fac3 * p3)[..., None] * us
    return out


def _step1_corrections(xsta, xsun, xmon):
    """Out-of-phase (eq. 7.10-7.11) and l^(1) (eq. 7.8-7.9) corrections of step 1, ECEF (..., 3)."""
    _, sphi, cphi, slam, clam = _station_frame(xsta)
    cos2phi = cphi**2 - sphi**2
    c2l, s2l = clam**2 - slam**2, 2.0 * clam * slam
    dr = np.zeros(xsta.shape[:-1])
    de = np.zeros_like(dr)
    dn = np.zeros_like(dr)
    for body, ratio in ((xsun, _MASS_RATIO_SUN), (xmon, _MASS_RATIO_MOON)):
        rb = np.linalg.norm(body, axis=-1)
        fac = ratio * _RE * (_RE / rb) ** 3 / rb**2
        x, y, z = body[..., 0], body[..., 1], body[..., 2]
        d_sin = z * (x * slam - y * clam)  # diurnal terms
        d_cos = z * (x * clam + y * slam)
        s_sin = (x**2 - y**2) * s2l - 2.0 * x * y * c2l  # semidiurnal terms
        s_cos = (x**2 - y**2) * c2l + 2.0 * x * y * s2l
        # out of phase: diurnal h_I = -0.0025, l_I = -0.0007; semidiurnal h_I = -0.0022, l_I = -0.0007
        dr += fac * (-3.0 * -0.0025 * sphi * cphi * d_sin - 0.75 * -0.0022 * cphi**2 * s_sin)
        dn += fac * (-3.0 * -0.0007 * cos2phi * d_sin + 1.5 * -0.0007 * sphi * cphi * s_sin)
        de += fac * (-3.0 * -0.0007 * sphi * d_cos - 1.5 * -0.0007 * cphi * s_cos)
        # l^(1): 0.0012 diurnal, 0.0024 semidiurnal
        dn += fac * 3.0 * (-0.0012 * sphi**2 * d_cos - 0.0024 / 2.0 * sphi * cphi * s_cos)
        de += fac * 3.0 * (0.0012 * sphi * cos2phi * d_sin - 0.0024 / 2.0 * sphi**2 * cphi * s_sin)
    return _local_to_ecef(dr, de, dn, sphi, cphi, slam, clam)


# Polynomial coefficients (degrees, increasing powers of TT centuries) of the mean longitudes used by
# DEHANTTIDEINEL's STEP2DIU/STEP2LON: Moon s, precession of the equinox pr, Sun h, lunar perigee p,
# lunar node N' (zns) and solar perigee p_s
_POLY_DEG = {
    "s": (218.31664563, 481267.88194, -0.0014663889, 0.00000185139),
    "pr": (0.0, 1.396971278, 0.000308889, 0.000000021, 0.000000007),
    "h": (280.46645, 36000.7697489, 0.00030322222, 0.000000020, -0.00000000654),
    "p": (83.35324312, 4069.01363525, -0.01032172222, -0.0000124991, 0.00000005263),
    "zns": (234.95544499, 1934.13626197, -0.00207561111, -0.00000213944, 0.00000001650),
    "ps": (282.93734098, 1.71945766667, 0.00045688889, -0.00000001778, -0.00000000334),
}


def _fundamental_deg(tc):
    """Mean longitudes s, pr, h, p, N', p_s in degrees at TT centuries ``tc`` (DEHANTTIDEINEL step 2)."""
    return tuple(
        np.polynomial.polynomial.polyval(tc, _POLY_DEG[k]) for k in ("s", "pr", "h", "p", "zns", "ps")
    )


def _step2(xsta, fhr, tc):
    """Frequency-dependent corrections, diurnal (Table 7.3a) and long-period (Table 7.3b), ECEF."""
    _, sphi, cphi, slam, clam = _station_frame(xsta)
    zla = np.arctan2(xsta[..., 1], xsta[..., 0])
    s, pr, h, p, zns, ps = _fundamental_deg(tc)
    tau = fhr * 15.0 + 280.4606184 + (36000.7700536 + (0.00038793 - 0.0000000258 * tc) * tc) * tc - s
    args = np.stack([np.mod(v, 360.0) for v in (s + pr, h, p, zns, ps)], axis=-1)  # (..., 5)
    tau = np.mod(tau, 360.0)
    d = _STEP2_DIURNAL
    th = (tau[..., None] + args @ d[:, :5].T) * _DEG + zla[..., None]  # (..., 31)
    s2pc = (2.0 * sphi * cphi)[..., None]
    dr = (d[:, 5] * s2pc * np.sin(th) + d[:, 6] * s2pc * np.cos(th)).sum(-1)
    c2 = (cphi**2 - sphi**2)[..., None]
    dn = (d[:, 7] * c2 * np.sin(th) + d[:, 8] * c2 * np.cos(th)).sum(-1)
    de = (d[:, 7] * sphi[..., None] * np.cos(th) - d[:, 8] * sphi[..., None] * np.sin(th)).sum(-1)
    out = _local_to_ecef(dr, de, dn, sphi, cphi, slam, clam)
    lp = _STEP2_LONG
    thl = (args @ lp[:, :5].T) * _DEG  # (..., 5)
    p20 = ((3.0 * sphi**2 - 1.0) / 2.0)[..., None]
    dr = (lp[:, 5] * p20 * np.cos(thl) + lp[:, 7] * p20 * np.sin(thl)).sum(-1)
    dn = (lp[:, 6] * s2pc * np.cos(thl) + lp[:, 8] * s2pc * np.sin(thl)).sum(-1)
    out += _local_to_ecef(dr, np.zeros_like(dr), dn, sphi, cphi, slam, clam)
    return out * 1e-3


def _utc_hour_and_tt_centuries(t_gpst_ns):
    """UTC hour of day and TT Julian centuries since J2000 the way DEHANTTIDEINEL forms them."""
    t = np.asarray(t_gpst_ns, dtype=np.int64)
    leap = gps_utc_offset_s(t).astype(np.int64)
    utc_ns = t - leap * NS  # UTC "calendar" ns since 1980-01-06
    day_ns = 86_400 * NS
    fhr = (utc_ns % day_ns) / (3600.0 * NS)
    mjd0 = MJD_GPS_EPOCH + utc_ns // day_ns
    jd_utc = (mjd0 + 2400000.5 - 2451545.0) + fhr / 24.0
    dtt = (leap + 19) + 32.184  # TAI - UTC + 32.184 s
    return fhr, (jd_utc + dtt / 86400.0) / 36525.0


def solid_earth_tide(rcv_ecef, sun_ecef, moon_ecef, t_gpst_ns) -> np.ndarray:
    """Solid Earth tide displacement of stations, ECEF metres (IERS Conventions 2010 sec. 7.1.1).

    Parameters
    ----------
    rcv_ecef : array_like, shape (..., 3)
        Station positions, m (ITRF/ECEF).
    sun_ecef, moon_ecef : array_like, shape (..., 3)
        Geocentric Sun and Moon positions in the same frame, m (e.g.
        :func:`kompas.models.ephemeris.sun_position_ecef` / ``moon_position_ecef``); broadcast together.
    t_gpst_ns : array_like of int64, shape (...)
        Instants, GPST ns (the UTC hour and TT centuries of step 2 are derived with the leap table).

    Returns
    -------
    numpy.ndarray, shape (..., 3)
        Displacement to add to the (tide-free) station coordinates, m. See the module docstring for
        what is modelled (permanent tide not removed).
    """
    xsta, xsun, xmon = np.broadcast_arrays(
        *(np.asarray(a, dtype=np.float64) for a in (rcv_ecef, sun_ecef, moon_ecef))
    )
    fhr, tc = _utc_hour_and_tt_centuries(t_gpst_ns)
    fhr = np.broadcast_to(fhr, xsta.shape[:-1])
    tc = np.broadcast_to(tc, xsta.shape[:-1])
    return _step1_in_phase(xsta, xsun, xmon) + _step1_corrections(xsta, xsun, xmon) + _step2(xsta, fhr, tc)


def secular_pole_arcsec(t_gpst_ns) -> tuple[np.ndarray, np.ndarray]:
    """Conventional secular pole (x_s, y_s), arcsec (IERS Conventions 2010, 2018 update of sec. 7.1.4)."""
    years = (np.asarray(t_gpst_ns, dtype=np.int64) - _Y2000_NS) / (365.25 * 86400.0 * NS)
    return (55.0 + 1.677 * years) * 1e-3, (320.5 + 3.460 * years) * 1e-3


_Y2000_NS = 630_720_013 * NS  # 2000-01-01 00:00:13 GPST = 2000-01-01 00:00 UTC


def pole_tide(rcv_ecef, t_gpst_ns, xp_arcsec=None, yp_arcsec=None) -> np.ndarray:
    """Solid Earth pole tide displacement, ECEF metres (IERS Conventions 2010 sec. 7.1.4, 2018 update).

    Parameters
    ----------
    rcv_ecef : array_like, shape (..., 3)
        Station positions, m.
    t_gpst_ns : array_like of int64, shape (...)
        Instants, GPST ns.
    xp_arcsec, yp_arcsec : array_like, optional
        Polar motion (IERS EOP x_p, y_p), arcsec. When not given the pole is taken at the secular pole,
        so the displacement is zero (up to 25 mm radial are then missed): pass EOP values for the effect.

    Returns
    -------
    numpy.ndarray, shape (..., 3)
        Displacement, m (radial up to about 25 mm, horizontal up to 7 mm).
    """
    x = np.asarray(rcv_ecef, dtype=np.float64)
    xs, ys = secular_pole_arcsec(t_gpst_ns)
    xp = xs if xp_arcsec is None else np.asarray(xp_arcsec, dtype=np.float64)
    yp = ys if yp_arcsec is None else np.asarray(yp_arcsec, dtype=np.float64)
    m1, m2 = xp - xs, -(yp - ys)
    _, sphi, cphi, slam, clam = _station_frame(x)
    # co-latitude theta: sin(theta) = cos(phi), cos(theta) = sin(phi)
    sin2t, cos2t = 2.0 * sphi * cphi, sphi**2 - cphi**2
    a = m1 * clam + m2 * slam
    s_r = -33.0 * sin2t * a
    s_theta = -9.0 * cos2t * a  # positive south
    s_lambda = 9.0 * sphi * (m1 * slam - m2 * clam)  # east
    return _local_to_ecef(s_r, s_lambda, -s_theta, sphi, cphi, slam, clam) * 1e-3
