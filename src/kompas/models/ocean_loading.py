"""Ocean tide loading displacement from the 11 main constituents of a BLQ file.

IERS Conventions 2010 sec. 7.1.2, eq. 7.16: ``dc = sum_j f_j A_cj cos(omega_j t + chi_j + u_j - Phi_cj)``
for each of the up, west and south components. This module uses the **11 main waves** of the BLQ
file (M2 S2 N2 K2 K1 O1 P1 Q1 Mf Mm Ssa) and their astronomical arguments ``omega_j t + chi_j`` from
the IERS routine ARG2 (Schwiderski 1983: speeds in rad/s, multipliers of the mean longitudes of the
Sun h0, the Moon s0 and the lunar perigee p0, and a multiple of pi/2), with the lunar nodal factors
``f_j`` and angles ``u_j`` of the classical harmonic analysis (Schureman 1958; Pugh 1987, Tides, Surges
and Mean Sea-Level, Table 4.3; N2 takes M2's, Q1 O1's; S2, P1 and Ssa none): over the 18.6-year cycle
of the Moon's node they modulate M2 by up to 3.7 % and 2.1 deg, K1 by 11 % and 8.9 deg, O1 by 19 % and
10.8 deg. RTKLIB's ``tide_oload`` leaves them out (f = 1, u = 0).

Against the IERS routine HARDISP (342 constituents by admittance interpolation; its Python port
pyhardisp 0.2.4), 2020-06-25 at 5-min steps, the largest vertical differences are 0.6 mm at WTZR and
1.8 mm at SCOA (3.6 mm there without the nodal factors); the rest is the minor waves.

Time argument: ARG2 takes the UT day of year; UTC is used (UT1 - UTC < 0.9 s changes M2 by < 1e-4 rad).
"""

from __future__ import annotations

import numpy as np

from ..frames import ecef_to_geodetic, enu_rotation
from ..time import NS, gps_utc_offset_s, gpst_to_calendar, gtime_from_calendar

__all__ = ["ARG2_SPEEDS", "tidal_arguments", "nodal_factors", "ocean_loading_enu", "ocean_loading"]

ARG2_SPEEDS = np.array(
    [
        1.40519e-4,
        1.45444e-4,
        1.37880e-4,
        1.45842e-4,
        0.72921e-4,
        0.67598e-4,
        0.72523e-4,
        0.64959e-4,
        0.053234e-4,
        0.026392e-4,
        0.003982e-4,
    ]
)
"""Angular speeds of M2 S2 N2 K2 K1 O1 P1 Q1 Mf Mm Ssa, rad/s (IERS ARG2)."""

# ARG2 multipliers of h0, s0, p0 and of 2 pi (IERS ARG2, ANGFAC)
_ANGFAC = np.array(
    [
        [2.0, -2.0, 0.0, 0.00],
        [0.0, 0.0, 0.0, 0.00],
        [2.0, -3.0, 1.0, 0.00],
        [2.0, 0.0, 0.0, 0.00],
        [1.0, 0.0, 0.0, 0.25],
        [1.0, -2.0, 0.0, -0.25],
        [-1.0, 0.0, 0.0, -0.25],
        [1.0, -3.0, 1.0, -0.25],
        [0.0, 2.0, 0.0, 0.00],
        [0.0, 1.0, -1.0, 0.00],
        [2.0, 0.0, 0.0, 0.00],
    ]
)
_DTR = np.pi / 180.0
_DAY_NS = 86_400 * NS


def _arguments(year, day_of_year, seconds_of_day):
    """ARG2 angles (..., 11) for integer year, integer day of year (1 = Jan 1) and seconds of the day."""
    icapd = day_of_year + 365 * (year - 1975) + (year - 1973) // 4
    capt = (27392.500528 + 1.000000035 * icapd) / 36525.0
    h0 = (279.69668 + (36000.768930485 + 3.03e-4 * capt) * capt) * _DTR
    s0 = (((1.9e-6 * capt - 0.001133) * capt + 481267.88314137) * capt + 270.434358) * _DTR
    p0 = (((-1.2e-5 * capt - 0.010325) * capt + 4069.0340329577) * capt + 334.329653) * _DTR
    ang = (
        ARG2_SPEEDS * seconds_of_day[..., None]
        + _ANGFAC[:, 0] * h0[..., None]
        + _ANGFAC[:, 1] * s0[..., None]
        + _ANGFAC[:, 2] * p0[..., None]
        + _ANGFAC[:, 3] * 2.0 * np.pi
    )
    return np.mod(ang, 2.0 * np.pi)


def tidal_arguments(t_gpst_ns) -> np.ndarray:
    """Astronomical arguments of the 11 BLQ constituents, rad in [0, 2 pi) (IERS ARG2, UTC time).

    Parameters
    ----------
    t_gpst_ns : array_like of int64, shape (...)
        Instants, GPST ns.

    Returns
    -------
    numpy.ndarray, shape (..., 11)
        Arguments of M2 S2 N2 K2 K1 O1 P1 Q1 Mf Mm Ssa.
    """
    t = np.asarray(t_gpst_ns, dtype=np.int64)
    year, _, _, hh, mm, ss = gpst_to_calendar(t, "UTC")
    jan1 = gtime_from_calendar(year, 1, 1, scale="UTC", check=False)
    # whole UTC days since January 1 (leap seconds inside the year removed by the leap table)
    leaps = (gps_utc_offset_s(t).astype(np.int64) - gps_utc_offset_s(jan1).astype(np.int64)) * NS
    doy = (t - jan1 - leaps) // _DAY_NS + 1
    sod = hh * 3600.0 + mm * 60.0 + ss
    return _arguments(np.asarray(year, dtype=np.int64), doy, np.asarray(sod, dtype=np.float64))


# nodal factor f = c0 + c1 cos N + c2 cos 2N + c3 cos 3N and angle u = d1 sin N + d2 sin 2N + d3 sin 3N
# (deg) of M2 S2 N2 K2 K1 O1 P1 Q1 Mf Mm Ssa (Pugh 1987, Table 4.3)
_NODAL_F = np.array(
    [
        [1.0004, -0.0373, 0.0002, 0.0],
        [1.0, 0.0, 0.0, 0.0],
        [1.0004, -0.0373, 0.0002, 0.0],
        [1.0241, 0.2863, 0.0083, -0.0015],
        [1.0060, 0.1150, -0.0088, 0.0006],
        [1.0089, 0.1871, -0.0147, 0.0014],
        [1.0, 0.0, 0.0, 0.0],
        [1.0089, 0.1871, -0.0147, 0.0014],
        [1.0430, 0.4140, 0.0, 0.0],
        [1.0, -0.1300, 0.0, 0.0],
        [1.0, 0.0, 0.0, 0.0],
    ]
)
_NODAL_U_DEG = np.array(
    [
        [-2.14, 0.0, 0.0],
        [0.0, 0.0, 0.0],
        [-2.14, 0.0, 0.0],
        [-17.74, 0.68, -0.04],
        [-8.86, 0.68, -0.07],
        [10.80, -1.34, 0.19],
        [0.0, 0.0, 0.0],
        [10.80, -1.34, 0.19],
        [-23.7, 2.7, -0.4],
        [0.0, 0.0, 0.0],
        [0.0, 0.0, 0.0],
    ]
)
_J2000_GPST_NS = 630_763_148_816_000_000  # 2000-01-01 12:00 TT = 11:59:08.816 GPST


def nodal_factors(t_gpst_ns):
    """Lunar nodal factors ``f`` and angles ``u`` (rad) of the 11 BLQ waves (module docstring).

    Parameters
    ----------
    t_gpst_ns : array_like of int64, shape (...)
        Instants, GPST ns.

    Returns
    -------
    f, u : numpy.ndarray, shape (..., 11)
    """
    t_cy = (np.asarray(t_gpst_ns, dtype=np.int64) - _J2000_GPST_NS) / (36525.0 * _DAY_NS)
    node = np.radians(125.0445 - 1934.1363 * t_cy)[..., None]  # mean longitude of the Moon's node
    k = np.arange(4)
    f = (_NODAL_F * np.cos(k * node[..., None])).sum(-1)
    u = (_NODAL_U_DEG * np.sin(k[1:] * node[..., None])).sum(-1)
    return f, np.radians(u)


def ocean_loading_enu(amplitude_m, phase_rad, t_gpst_ns) -> np.ndarray:
    """Ocean-loading displacement in local east, north, up, metres (IERS 2010 eq. 7.16, 11 waves with
    their nodal factors).

    Parameters
    ----------
    amplitude_m, phase_rad : array_like, shape (..., 3, 11)
        BLQ amplitudes (m) and Greenwich phase lags (rad), rows up, west, south
        (:class:`kompas.io.readers.blq.OceanLoadingCoefficients`).
    t_gpst_ns : array_like of int64, shape (...)
        Instants, GPST ns; broadcast against the leading axes of the coefficients.

    Returns
    -------
    numpy.ndarray, shape (..., 3)
        East, north, up displacement, m.
    """
    amp = np.asarray(amplitude_m, dtype=np.float64)
    ph = np.asarray(phase_rad, dtype=np.float64)
    chi = tidal_arguments(t_gpst_ns)[..., None, :]  # (..., 1, 11)
    f, u = nodal_factors(t_gpst_ns)
    d = (f[..., None, :] * amp * np.cos(chi + u[..., None, :] - ph)).sum(-1)  # (..., 3): up, west, south
    return np.stack([-d[..., 1], -d[..., 2], d[..., 0]], axis=-1)


def ocean_loading(rcv_ecef, amplitude_m, phase_rad, t_gpst_ns) -> np.ndarray:
    """Ocean-loading displacement of a station in ECEF, metres (see :func:`ocean_loading_enu`).

    Parameters
    ----------
    rcv_ecef : array_like, shape (..., 3)
        Station position, m (defines the local east/north/up frame).
    amplitude_m, phase_rad : array_like, shape (..., 3, 11)
        BLQ coefficients of the station.
    t_gpst_ns : array_like of int64, shape (...)
        Instants, GPST ns.
    """
    llh = ecef_to_geodetic(np.asarray(rcv_ecef, dtype=np.float64))
    enu = ocean_loading_enu(amplitude_m, phase_rad, t_gpst_ns)
    rot = enu_rotation(llh[..., 0], llh[..., 1])  # rows east, north, up
    return np.einsum("...ji,...j->...i", rot, enu)
