"""Broadcast ionospheric models: GPS Klobuchar and the BeiDou (B1I/B3I) Klobuchar variant.

Both return the group delay of a code measurement in metres (positive: the pseudorange is too
long; a carrier phase is advanced by the same amount) on the model's reference frequency; scale
to another carrier with :func:`scale_to_frequency`. The eight coefficients are the ones a RINEX
navigation header carries (``GPSA``/``GPSB``, ``BDSA``/``BDSB``; RINEX 3.05 sec. 5.2 and Table
A5), in the units of the broadcast message: alpha_n in s/semicircle^n, beta_n in s/semicircle^n.

The two algorithms differ and must not be mixed:

========================  ===================================  =====================================
step                      GPS (IS-GPS-200N 20.3.3.5.2.5)        BDS (BDS-SIS-ICD-B1I-3.0 5.2.4.7)
========================  ===================================  =====================================
pierce point              350 km, approximate earth-centred     375 km on a sphere of R = 6378 km,
                          angle 0.0137 / (E + 0.11) - 0.022     psi = pi/2 - E - asin(R cos E/(R+h))
latitude of polynomials   geomagnetic (pole 78.3 N, 291.0 E)    geographic, absolute value
period                    PER >= 72000 s                        72000 s <= A4 <= 172800 s
day-time term             F (5e-9 + AMP (1 - x^2/2 + x^4/24))   5e-9 + A2 cos(2 pi (t - 50400)/A4)
                          for |x| < 1.57                        for |t - 50400| < A4/4
obliquity                 F = 1 + 16 (0.53 - E)^3               1 / sqrt(1 - (R cos E/(R + h))^2)
reference frequency       L1, 1575.42 MHz                       B1I, 1561.098 MHz
========================  ===================================  =====================================

Both return 0 for satellites at or below the horizon (elevation ``<= 0``), as RTKLIB 2.4.3
``ionmodel()`` does; otherwise the ICD formulas hold for every elevation.
"""

from __future__ import annotations

import numpy as np

from ..constants import C_LIGHT

__all__ = [
    "F_GPS_L1_HZ",
    "F_BDS_B1I_HZ",
    "klobuchar_gps",
    "klobuchar_bds",
    "scale_to_frequency",
]

F_GPS_L1_HZ = 1575.42e6
"""GPS L1 carrier, Hz (IS-GPS-200N sec. 3.3.1.1): the frequency of :func:`klobuchar_gps`."""
F_BDS_B1I_HZ = 1561.098e6
"""BeiDou B1I carrier, Hz (BDS-SIS-ICD-B1I-3.0 sec. 4.2.1): the frequency of :func:`klobuchar_bds`."""

_NIGHT_S = 5.0e-9  # constant night-time vertical delay, s (both ICDs)
_PEAK_S = 50400.0  # 14:00 local time, the maximum of the day-time cosine, s
_DAY_S = 86400.0

# BDS-SIS-ICD-B1I-3.0 sec. 5.2.4.7: spherical Earth and pierce-point height
_BDS_R_M = 6378.0e3
_BDS_H_M = 375.0e3


def _poly(coef, x):
    """c0 + c1 x + c2 x^2 + c3 x^3 with the coefficients on the last axis of ``coef`` (shape (..., 4))."""
    c = np.asarray(coef, dtype=np.float64)
    if c.shape[-1:] != (4,):
        raise ValueError(f"Klobuchar coefficients need a last axis of length 4, got shape {c.shape}")
    return c[..., 0] + x * (c[..., 1] + x * (c[..., 2] + x * c[..., 3]))


def klobuchar_gps(alpha, beta, lat_rad, lon_rad, az_rad, el_rad, t_gps_tow_s) -> np.ndarray:
    """GPS broadcast (Klobuchar) ionospheric delay on L1.

    IS-GPS-200N sec. 20.3.3.5.2.5 and Figure 20-4, in semicircles as the ICD writes it:

    1. earth-centred angle ``psi = 0.0137 / (E + 0.11) - 0.022`` (E elevation, semicircles);
    2. pierce-point latitude ``phi_i = phi_u + psi cos A``, clipped to +-0.416;
       longitude ``lambda_i = lambda_u + psi sin A / cos(phi_i)``;
    3. geomagnetic latitude ``phi_m = phi_i + 0.064 cos(lambda_i - 1.617)`` (pole at 78.3 N,
       291.0 E);
    4. local time ``t = 4.32e4 lambda_i + t_GPS`` reduced to [0, 86400) s;
    5. ``AMP = sum alpha_n phi_m^n`` (0 if negative), ``PER = sum beta_n phi_m^n`` (at least
       72000 s), ``x = 2 pi (t - 50400) / PER``, obliquity ``F = 1 + 16 (0.53 - E)^3``;
    6. ``T_iono = F (5e-9 + AMP (1 - x^2/2 + x^4/24))`` if ``|x| < 1.57``, else ``F 5e-9``; times c.

    Parameters
    ----------
    alpha : array_like, shape (..., 4)
        alpha_0..3 (RINEX ``GPSA``): s, s/semicircle, s/semicircle^2, s/semicircle^3. A leading
        shape broadcasts against the other arguments (e.g. one set per satellite).
    beta : array_like, shape (..., 4)
        beta_0..3 (RINEX ``GPSB``): s, s/semicircle, s/semicircle^2, s/semicircle^3.
    lat_rad, lon_rad : array_like
        Geodetic latitude and longitude of the receiver, rad.
    az_rad, el_rad : array_like
        Azimuth (clockwise from north) and elevation of the satellite, rad.
    t_gps_tow_s : array_like
        GPS time of the measurement, s (time of week; any whole number of days added is harmless).

    Returns
    -------
    numpy.ndarray
        Slant ionospheric group delay on L1 (1575.42 MHz), m; 0 where the elevation is ``<= 0``.
    """
    el = np.asarray(el_rad, dtype=np.float64)
    az = np.asarray(az_rad, dtype=np.float64)
    e_sc = el / np.pi
    psi = 0.0137 / (e_sc + 0.11) - 0.022
    phi_i = np.clip(np.asarray(lat_rad, dtype=np.float64) / np.pi + psi * np.cos(az), -0.416, 0.416)
    lam_i = np.asarray(lon_rad, dtype=np.float64) / np.pi + psi * np.sin(az) / np.cos(phi_i * np.pi)
    phi_m = phi_i + 0.064 * np.cos((lam_i - 1.617) * np.pi)
    t = np.mod(4.32e4 * lam_i + np.asarray(t_gps_tow_s, dtype=np.float64), _DAY_S)

    amp = np.maximum(_poly(alpha, phi_m), 0.0)
    per = np.maximum(_poly(beta, phi_m), 72000.0)
    x = 2.0 * np.pi * (t - _PEAK_S) / per
    f = 1.0 + 16.0 * (0.53 - e_sc) ** 3
    x2 = x * x
    vertical = np.where(np.abs(x) < 1.57, _NIGHT_S + amp * (1.0 - x2 / 2.0 + x2 * x2 / 24.0), _NIGHT_S)
    return np.where(el > 0.0, C_LIGHT * f * vertical, 0.0)


def klobuchar_bds(alpha, beta, lat_rad, lon_rad, az_rad, el_rad, t_bdt_sow_s) -> np.ndarray:
    """BeiDou broadcast ionospheric delay on B1I (the BDS variant of the Klobuchar model).

    BDS-SIS-ICD-B1I-3.0 sec. 5.2.4.7 (the same in BDS-SIS-ICD-B3I-1.0), angles in radians:

    1. pierce point (IPP) on a shell at h = 375 km over a sphere of R = 6378 km:
       ``psi = pi/2 - E - asin(R cos E / (R + h))``,
       ``phi_M = asin(sin phi_u cos psi + cos phi_u sin psi cos A)``,
       ``lambda_M = lambda_u + asin(sin psi sin A / cos phi_M)`` (geographic coordinates);
    2. local time of the IPP ``t = t_BDT + lambda_M 43200 / pi`` reduced to [0, 86400) s;
    3. ``A2 = sum alpha_n |phi_M / pi|^n`` (0 if negative), ``A4 = sum beta_n |phi_M / pi|^n``
       limited to 72000..172800 s;
    4. vertical delay ``5e-9 + A2 cos(2 pi (t - 50400) / A4)`` if ``|t - 50400| < A4 / 4``,
       else ``5e-9`` s;
    5. slant delay: vertical ``/ sqrt(1 - (R cos E / (R + h))^2)``; times c.

    Parameters
    ----------
    alpha : array_like, shape (..., 4)
        alpha_0..3 (RINEX ``BDSA``): s, s/semicircle, s/semicircle^2, s/semicircle^3. BeiDou
        satellites broadcast their own sets: give shape (n, 4) to use one per satellite.
    beta : array_like, shape (..., 4)
        beta_0..3 (RINEX ``BDSB``): s, s/semicircle, s/semicircle^2, s/semicircle^3.
    lat_rad, lon_rad : array_like
        Geodetic latitude and longitude of the receiver, rad (used as geographic coordinates).
    az_rad, el_rad : array_like
        Azimuth (clockwise from north) and elevation of the satellite, rad.
    t_bdt_sow_s : array_like
        BDT of the measurement, s (seconds of week; whole days added are harmless).

    Returns
    -------
    numpy.ndarray
        Slant ionospheric group delay on B1I (1561.098 MHz), m; 0 where the elevation is ``<= 0``.
        For B2I/B3I multiply by ``(f_B1I / f)^2`` (ICD sec. 5.2.4.7), see :func:`scale_to_frequency`.
    """
    el = np.asarray(el_rad, dtype=np.float64)
    az = np.asarray(az_rad, dtype=np.float64)
    lat = np.asarray(lat_rad, dtype=np.float64)
    ratio_cos = _BDS_R_M / (_BDS_R_M + _BDS_H_M) * np.cos(el)
    psi = 0.5 * np.pi - el - np.arcsin(ratio_cos)
    phi_m = np.arcsin(np.sin(lat) * np.cos(psi) + np.cos(lat) * np.sin(psi) * np.cos(az))
    # the argument can leave [-1, 1] by rounding only near the poles; kept as the ICD writes it, although
    # a line of sight passing over the pole gets lambda_M 180 deg off (IONEX pierce points use atan2)
    lam_m = np.asarray(lon_rad, dtype=np.float64) + np.arcsin(
        np.clip(np.sin(psi) * np.sin(az) / np.cos(phi_m), -1.0, 1.0)
    )
    t = np.mod(np.asarray(t_bdt_sow_s, dtype=np.float64) + lam_m * 43200.0 / np.pi, _DAY_S)

    abs_phi = np.abs(phi_m) / np.pi
    a2 = np.maximum(_poly(alpha, abs_phi), 0.0)
    a4 = np.clip(_poly(beta, abs_phi), 72000.0, 172800.0)
    dt = t - _PEAK_S
    vertical = np.where(np.abs(dt) < a4 / 4.0, _NIGHT_S + a2 * np.cos(2.0 * np.pi * dt / a4), _NIGHT_S)
    obliquity = 1.0 / np.sqrt(1.0 - ratio_cos * ratio_cos)
    return np.where(el > 0.0, C_LIGHT * vertical * obliquity, 0.0)


def scale_to_frequency(delay_m, f_ref_hz, f_hz) -> np.ndarray:
    """Move a first-order ionospheric group delay from one carrier to another.

    The first-order delay is ``40.3 TEC / f^2`` (IS-GPS-200N sec. 20.3.3.3.3.2;
    BDS-SIS-ICD-B1I-3.0 sec. 5.2.4.7), so ``delay(f) = delay(f_ref) (f_ref / f)^2``.

    Parameters
    ----------
    delay_m : array_like
        Delay on ``f_ref_hz``, m.
    f_ref_hz, f_hz : array_like
        Frequency the delay refers to and the frequency wanted, Hz.

    Returns
    -------
    numpy.ndarray
        Delay on ``f_hz``, m.
    """
    r = np.asarray(f_ref_hz, dtype=np.float64) / np.asarray(f_hz, dtype=np.float64)
    return np.asarray(delay_m, dtype=np.float64) * r * r
