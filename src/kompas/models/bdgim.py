"""BeiDou-3 broadcast ionosphere: BDGIM (BeiDou Global Ionospheric delay correction Model).

Reference: BDS-SIS-ICD-B1C-1.0 (2017) sec. 7.12 "BDGIM" (the same model for B-CNAV2 in
BDS-SIS-ICD-B2a-1.0); model description: Yuan, Wang, Li, Huo, "The BeiDou global broadcast
ionospheric delay correction model (BDGIM) and its preliminary performance evaluation results",
NAVIGATION 66(1), 2019. The nine broadcast coefficients alpha_1..alpha_9 (TECU) come in B-CNAV1/
B-CNAV2 and in RINEX 4 navigation files as ``> ION Cnn CNVX`` records (RINEX 4.00 sec. 5.3, BDGIM
message; RINEX 3.05 has no BDGIM header label). The ICD's non-broadcast coefficients were
transcribed from the BDGIM designers' demonstrator (Li and Wang, AIRCAS, ``bdgim_c``, 2021).

Model, per ray:

1. ionospheric pierce point (IPP) on a shell at H = 400 km over a sphere of R = 6378 km:
   ``psi = pi/2 - E - asin(R cos E / (R + H))``,
   ``phi_g = asin(sin phi_u cos psi + cos phi_u sin psi cos A)``,
   ``lambda_g = lambda_u + atan2(sin psi sin A cos phi_u, cos psi - sin phi_u sin phi_g)``;
2. Earth-fixed geomagnetic coordinates with the north pole at 80.27 N, 72.58 W, then sun-fixed:
   ``phi' = asin(sin phi_M sin phi_g + cos phi_M cos phi_g cos(lambda_g - lambda_M))``,
   ``lambda' = atan2(cos phi_g sin(lambda_g - lambda_M) cos phi_M, sin phi_M sin phi' - sin phi_g)``,
   ``lambda'' = lambda' - atan2(sin(S - lambda_M), sin phi_M cos(S - lambda_M))`` with the mean
   sun's longitude ``S = pi (1 - 2 (t - int t))``, t in MJD (UTC);
3. ``VTEC = A0 + sum_i alpha_i A_i``: ``A_i`` are the normalised spherical harmonics of degree /
   order (0,0) (1,0) (1,1) (1,-1) (2,0) (2,1) (2,-1) (2,2) (2,-2) at (phi', lambda''), and the
   background ``A0 = sum_j beta_j B_j`` uses 17 harmonics of degree 3..5 whose coefficients
   ``beta_j`` are predicted from a fixed table of 13 periods, evaluated at the odd UTC hour
   (centre of the 2-hour window) that contains t;
4. slant delay on B1C: ``40.28e16 / f^2 * MF * VTEC`` with the mapping function
   ``MF = 1 / sqrt(1 - (R cos E / (R + H))^2)``.

The harmonics are ``N_nm P_n|m|(sin phi') cos(m lambda'')`` for m >= 0 and
``N_nm P_n|m|(sin phi') sin(|m| lambda'')`` for m < 0, ``P_nm`` without the Condon-Shortley phase
and ``N_nm = sqrt((2n + 1) (2 - delta_0m) (n - m)! / (n + m)!)`` (so each has mean square 1 over
the sphere).
"""

from __future__ import annotations

from math import factorial

import numpy as np

from ..errors import ConfigError
from ..time import MJD_GPS_EPOCH, NS, gps_utc_offset_s

__all__ = ["F_BDS_B1C_HZ", "bdgim_vtec", "bdgim_delay"]

F_BDS_B1C_HZ = 1575.42e6
"""BeiDou B1C carrier, Hz (BDS-SIS-ICD-B1C-1.0 sec. 4.2.1): the frequency of :func:`bdgim_delay`."""

_R_KM = 6378.0  # mean Earth radius of the model, km (ICD sec. 7.12)
_H_KM = 400.0  # height of the ionospheric shell, km (ICD sec. 7.12)
_POLE_LAT = np.radians(80.27)  # geomagnetic north pole, latitude (ICD sec. 7.12)
_POLE_LON = np.radians(-72.58)  # geomagnetic north pole, east longitude (ICD sec. 7.12)
_K_IONO = 40.28e16  # first-order delay constant of the ICD, m/s^2 per TECU (ICD sec. 7.12)
_DAY_NS = 86_400 * NS

# degree, order of the broadcast terms alpha_1..alpha_9 and of the 17 predicted terms (ICD sec. 7.12)
_BRD_NM = ((0, 0), (1, 0), (1, 1), (1, -1), (2, 0), (2, 1), (2, -1), (2, 2), (2, -2))
_NONBRD_NM = ((3, 0), (3, 1), (3, -1), (3, 2), (3, -2), (3, 3), (3, -3), (4, 0), (4, 1), (4, -1), (4, 2),
              (4, -2), (5, 0), (5, 1), (5, -1), (5, 2), (5, -2))  # fmt: skip
# periods of the predicted terms, days (ICD sec. 7.12): constant, diurnal and its harmonics,
# half-month, month, 1/3 year, half year, year, solar cycle (11 years) and its harmonics
_PERIODS_DAYS = np.array(
    [1.0, 0.5, 0.33, 14.6, 27.0, 121.6, 182.51, 365.25, 4028.71, 2014.35, 1342.90, 1007.18]
)
# predicted-term coefficients (ICD sec. 7.12), one row per term of _NONBRD_NM:
# a_0, then a_k (cos) and b_k (sin) for each period of _PERIODS_DAYS; TECU
_NONBRD_COEF = np.array([
    [-0.61, -0.51, 0.23, -0.06, 0.02, 0.01, 0.00, -0.01, -0.00, 0.00, 0.01, -0.19, -0.09,
     -0.18, 0.15, 1.09, 0.50, -0.34, 0.00, -0.13, 0.05, -0.06, 0.03, -0.03, 0.04],
    [-1.31, -0.43, -0.20, -0.05, -0.08, -0.03, -0.02, 0.00, -0.02, 0.00, 0.00, -0.02, 0.07,
     0.06, -0.31, -0.14, -0.08, -0.09, -0.11, 0.07, 0.03, 0.13, -0.02, 0.08, -0.02],
    [-2.00, 0.34, -0.31, 0.06, -0.06, 0.01, -0.03, 0.01, 0.01, 0.03, 0.00, 0.12, 0.03,
     -0.55, 0.13, -0.21, -0.38, -1.22, -0.22, -0.37, 0.07, -0.07, 0.04, -0.01, -0.04],
    [-0.03, -0.01, 0.16, 0.17, -0.11, -0.01, -0.05, -0.00, 0.00, 0.01, 0.01, -0.10, 0.06,
     -0.02, 0.05, 0.52, 0.36, 0.05, 0.01, 0.05, 0.02, 0.03, -0.01, 0.04, -0.00],
    [0.15, 0.17, -0.03, 0.15, 0.15, 0.05, -0.01, 0.01, -0.01, 0.02, -0.00, 0.06, 0.09,
     0.09, -0.09, 0.27, 0.14, 0.15, 0.02, 0.06, -0.01, 0.02, -0.03, 0.01, -0.01],
    [-0.48, 0.02, 0.02, 0.00, -0.14, -0.03, -0.07, -0.00, 0.01, 0.01, 0.00, 0.00, 0.01,
     -0.08, -0.03, -0.00, 0.04, -0.29, -0.03, -0.11, 0.03, -0.05, 0.02, -0.02, 0.00],
    [-0.40, -0.06, 0.04, 0.11, 0.01, 0.05, -0.03, -0.01, -0.00, 0.00, 0.00, -0.02, 0.02,
     0.00, 0.06, 0.11, 0.00, -0.17, -0.01, -0.07, 0.02, -0.05, 0.01, -0.02, 0.01],
    [2.28, 0.30, 0.18, -0.05, 0.01, -0.03, -0.01, -0.01, -0.02, -0.02, -0.00, -0.08, 0.00,
     0.86, -0.36, 0.17, 0.25, 1.58, 0.49, 0.46, -0.04, 0.01, 0.04, -0.04, 0.07],
    [-0.16, 0.44, 0.34, -0.16, 0.04, -0.01, 0.02, 0.00, 0.00, 0.00, 0.00, -0.02, -0.04,
     -0.18, 0.08, 0.23, 0.17, -0.06, -0.03, -0.00, -0.01, 0.00, 0.00, 0.00, 0.00],
    [-0.21, -0.28, 0.45, 0.02, -0.14, -0.00, -0.01, 0.00, 0.00, 0.00, 0.00, -0.07, -0.02,
     -0.05, 0.05, 0.35, 0.27, -0.15, -0.02, -0.04, -0.01, 0.00, 0.00, 0.00, 0.00],
    [-0.10, -0.31, 0.19, 0.11, -0.05, -0.08, 0.03, 0.00, 0.00, 0.00, 0.00, 0.01, -0.01,
     -0.07, 0.06, -0.05, -0.03, 0.00, 0.01, 0.01, 0.02, 0.00, 0.00, 0.00, 0.00],
    [-0.13, -0.17, -0.25, 0.04, 0.08, -0.04, -0.10, 0.00, 0.00, 0.00, 0.00, 0.03, 0.01,
     0.04, -0.02, 0.02, -0.03, 0.13, 0.02, 0.07, 0.03, 0.00, 0.00, 0.00, 0.00],
    [0.21, 0.04, -0.12, 0.12, 0.08, -0.00, 0.01, 0.00, 0.00, 0.00, 0.00, 0.15, -0.10,
     0.14, -0.05, -0.60, -0.32, 0.28, 0.04, 0.09, 0.02, 0.00, 0.00, 0.00, 0.00],
    [0.68, 0.39, 0.18, 0.07, -0.01, -0.02, 0.05, 0.00, 0.00, 0.00, 0.00, 0.06, 0.00,
     -0.03, 0.06, 0.02, -0.10, -0.08, -0.04, -0.05, -0.04, 0.00, 0.00, 0.00, 0.00],
    [1.06, -0.12, 0.40, 0.02, 0.01, -0.03, -0.01, 0.00, 0.00, 0.00, 0.00, -0.05, -0.01,
     0.37, -0.20, 0.01, 0.20, 0.62, 0.16, 0.15, -0.04, 0.00, 0.00, 0.00, 0.00],
    [0.00, 0.12, -0.09, -0.14, 0.11, 0.00, 0.04, 0.00, 0.00, 0.00, 0.00, -0.03, 0.02,
     -0.11, 0.04, 0.27, 0.10, -0.01, -0.02, -0.01, -0.01, 0.00, 0.00, 0.00, 0.00],
    [-0.12, -0.00, 0.21, -0.14, -0.12, -0.03, 0.00, 0.00, 0.00, 0.00, 0.00, -0.10, 0.05,
     -0.12, 0.07, 0.32, 0.30, -0.04, -0.01, 0.01, 0.00, 0.00, 0.00, 0.00, 0.00],
])  # fmt: skip


def _normalisation(n, m):
    m = abs(m)
    return np.sqrt((2 * n + 1) * (2 - (m == 0)) * factorial(n - m) / factorial(n + m))


def _legendre(x, n_max):
    """Associated Legendre functions P_nm(x), 0 <= m <= n <= n_max, without Condon-Shortley phase.

    Returns an array (n_max + 1, n_max + 1, ...) indexed [n, m]; standard three-term recurrences.
    """
    x = np.asarray(x, dtype=np.float64)
    somx2 = np.sqrt(np.maximum((1.0 - x) * (1.0 + x), 0.0))
    p = np.zeros((n_max + 1, n_max + 1, *x.shape))
    p[0, 0] = 1.0
    for m in range(1, n_max + 1):
        p[m, m] = p[m - 1, m - 1] * (2 * m - 1) * somx2
    for m in range(n_max):
        p[m + 1, m] = x * (2 * m + 1) * p[m, m]
        for n in range(m + 2, n_max + 1):
            p[n, m] = (x * (2 * n - 1) * p[n - 1, m] - (n + m - 1) * p[n - 2, m]) / (n - m)
    return p


def _harmonics(lat, lon, nm):
    """Normalised real spherical harmonics (ICD sec. 7.12) on a new last axis, one per (n, m)."""
    n_max = max(n for n, _ in nm)
    p = _legendre(np.sin(lat), n_max)
    out = [
        _normalisation(n, m) * p[n, abs(m)] * (np.cos(m * lon) if m >= 0 else np.sin(-m * lon)) for n, m in nm
    ]
    return np.stack(out, axis=-1)


def _utc_mjd(t_gpst_ns):
    """UTC Modified Julian Date as (integer day, fraction of day), from GPST nanoseconds."""
    t = np.asarray(t_gpst_ns, dtype=np.int64)
    utc = t - np.asarray(gps_utc_offset_s(t), dtype=np.int64) * NS
    day = np.floor_divide(utc, _DAY_NS)
    return day + MJD_GPS_EPOCH, (utc - day * _DAY_NS) / _DAY_NS


def _background_coefficients(mjd_day, frac):
    """beta_1..beta_17 of the predicted terms (TECU), at the odd UTC hour of the 2-h window of t."""
    t_p = mjd_day + (2.0 * np.floor(frac * 12.0) + 1.0) / 24.0
    arg = 2.0 * np.pi * t_p[..., None] / _PERIODS_DAYS  # (..., 12)
    a0 = _NONBRD_COEF[:, 0]
    a, b = _NONBRD_COEF[:, 1::2], _NONBRD_COEF[:, 2::2]  # (17, 12)
    return a0 + np.cos(arg) @ a.T + np.sin(arg) @ b.T


def _sun_fixed_geomagnetic(lat_g, lon_g, frac):
    """Geomagnetic latitude and sun-fixed geomagnetic longitude, rad (ICD sec. 7.12)."""
    sp, cp = np.sin(_POLE_LAT), np.cos(_POLE_LAT)
    lat_m = np.arcsin(sp * np.sin(lat_g) + cp * np.cos(lat_g) * np.cos(lon_g - _POLE_LON))
    lon_m = np.arctan2(np.cos(lat_g) * np.sin(lon_g - _POLE_LON) * cp, sp * np.sin(lat_m) - np.sin(lat_g))
    sun = np.pi * (1.0 - 2.0 * frac)  # mean sun's geographic longitude
    sun_m = np.arctan2(np.sin(sun - _POLE_LON), sp * np.cos(sun - _POLE_LON))
    lon_s = lon_m - sun_m
    return lat_m, np.arctan2(np.sin(lon_s), np.cos(lon_s))


def _alpha(alpha):
    a = np.asarray(alpha, dtype=np.float64)
    if a.ndim == 0 or a.shape[-1] != 9:
        raise ConfigError(
            f"BDGIM needs nine coefficients alpha_1..alpha_9 on the last axis, got shape {a.shape}"
        )
    return a


def bdgim_vtec(alpha, ipp_lat_rad, ipp_lon_rad, t_gpst_ns) -> np.ndarray:
    """Vertical TEC of BDGIM at ionospheric pierce points, TECU.

    Parameters
    ----------
    alpha : array_like, shape (..., 9)
        Broadcast coefficients alpha_1..alpha_9, TECU (B-CNAV1/B-CNAV2; RINEX 4 ``ION`` BDGIM).
    ipp_lat_rad, ipp_lon_rad : array_like
        Geographic latitude and longitude of the pierce points, rad.
    t_gpst_ns : array_like of int64
        Time, GPST nanoseconds (the model runs on UTC MJD; the leap-second table converts).

    Returns
    -------
    numpy.ndarray
        ``A0 + sum alpha_i A_i``, TECU; may be negative where the coefficients say so (the ICD
        gives no floor).
    """
    a = _alpha(alpha)
    day, frac = _utc_mjd(t_gpst_ns)
    lat_m, lon_s = _sun_fixed_geomagnetic(
        np.asarray(ipp_lat_rad, float), np.asarray(ipp_lon_rad, float), frac
    )
    broadcast = np.sum(a * _harmonics(lat_m, lon_s, _BRD_NM), axis=-1)
    background = np.sum(_background_coefficients(day, frac) * _harmonics(lat_m, lon_s, _NONBRD_NM), axis=-1)
    return broadcast + background


def bdgim_delay(alpha, lat_rad, lon_rad, az_rad, el_rad, t_gpst_ns) -> np.ndarray:
    """BeiDou-3 broadcast ionospheric group delay on B1C from BDGIM, metres.

    Same calling convention as :func:`kompas.models.ionosphere.klobuchar_bds`: receiver position,
    satellite azimuth/elevation, time; every argument broadcasts.

    Parameters
    ----------
    alpha : array_like, shape (..., 9)
        alpha_1..alpha_9, TECU.
    lat_rad, lon_rad : array_like
        Geodetic latitude and longitude of the receiver, rad (used as spherical coordinates).
    az_rad, el_rad : array_like
        Azimuth (clockwise from north) and elevation of the satellite, rad.
    t_gpst_ns : array_like of int64
        Time of the measurement, GPST nanoseconds.

    Returns
    -------
    numpy.ndarray
        Slant group delay on B1C (1575.42 MHz), m; 0 where the elevation is ``<= 0``. For B2a,
        B2b, B3I multiply by ``(f_B1C / f)^2``
        (:func:`kompas.models.ionosphere.scale_to_frequency`).
    """
    a = _alpha(alpha)
    el = np.asarray(el_rad, dtype=np.float64)
    az = np.asarray(az_rad, dtype=np.float64)
    lat = np.asarray(lat_rad, dtype=np.float64)
    ratio_cos = _R_KM / (_R_KM + _H_KM) * np.cos(el)
    psi = 0.5 * np.pi - el - np.arcsin(ratio_cos)
    lat_g = np.arcsin(np.sin(lat) * np.cos(psi) + np.cos(lat) * np.sin(psi) * np.cos(az))
    lon_g = np.asarray(lon_rad, dtype=np.float64) + np.arctan2(
        np.sin(psi) * np.sin(az) * np.cos(lat), np.cos(psi) - np.sin(lat) * np.sin(lat_g)
    )
    vtec = bdgim_vtec(a, lat_g, lon_g, t_gpst_ns)
    mapping = 1.0 / np.sqrt(1.0 - ratio_cos * ratio_cos)
    return np.where(el > 0.0, _K_IONO / (F_BDS_B1C_HZ * F_BDS_B1C_HZ) * mapping * vtec, 0.0)
