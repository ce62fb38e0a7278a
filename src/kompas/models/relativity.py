"""Relativistic corrections: the periodic satellite clock term and the Shapiro signal delay.

Periodic clock correction (:func:`periodic_clock_correction_s`)
    IS-GPS-200N sec. 20.3.3.3.3.1: the eccentricity term ``dt_r = F e sqrt(A) sin E`` with
    F = -2 sqrt(GM)/c^2 equals ``-2 (r . v) / c^2`` for a Keplerian orbit (r, v in an inertial frame; the
    ECEF state gives the same scalar product up to omega_E x r . r = 0, so ECEF r and v may be used). It
    must be added to satellite clocks from precise products (IGS convention: clocks without it) and is
    already inside broadcast GLONASS clocks. The value is in seconds; the range correction is
    ``c dt_r``. Independent of GM, so one formula serves every constellation.
Shapiro delay (:func:`shapiro_delay_m`)
    IERS Conventions 2010 eq. 11.17 for a signal passing the Earth:
    ``dt = (2 GM / c^3) ln((r_s + r_r + rho) / (r_s + r_r - rho))`` (in metres: ``2 GM / c^2 ln(...)``),
    r_s, r_r the geocentric distances of satellite and receiver, rho their distance. GM is the value
    of the satellite's system (kompas.constants; the differences between systems are 1e-8 relative,
    far below anything measurable, but the constant is taken per system as every other one).
"""

from __future__ import annotations

import numpy as np

from ..constants import C_LIGHT, SYSTEM_CONSTANTS

__all__ = ["periodic_clock_correction_s", "shapiro_delay_m"]


def periodic_clock_correction_s(sat_pos, sat_vel) -> np.ndarray:
    """Relativistic periodic clock correction ``-2 r.v / c^2``, seconds (IS-GPS-200N 20.3.3.3.3.1).

    Parameters
    ----------
    sat_pos, sat_vel : array_like, shape (..., 3)
        Satellite position (m) and velocity (m/s), ECEF or inertial (same result).

    Returns
    -------
    numpy.ndarray, shape (...)
        Correction to add to the satellite clock offset, s (up to about 23 ns for e = 0.01 GPS orbits).
    """
    r = np.asarray(sat_pos, dtype=np.float64)
    v = np.asarray(sat_vel, dtype=np.float64)
    return -2.0 * np.sum(r * v, axis=-1) / C_LIGHT**2


def shapiro_delay_m(sat_pos, rcv_pos, system: str | np.ndarray = "G") -> np.ndarray:
    """Shapiro (gravitational) delay of the signal, metres (IERS Conventions 2010 eq. 11.17).

    Parameters
    ----------
    sat_pos, rcv_pos : array_like, shape (..., 3)
        Satellite and receiver positions, m.
    system : str or array of str, shape (...)
        RINEX system letter(s) choosing GM (kompas.constants.SYSTEM_CONSTANTS).

    Returns
    -------
    numpy.ndarray, shape (...)
        Delay to add to the geometric range, m (about 13 mm at zenith to 19 mm at the horizon for GPS).
    """
    rs = np.asarray(sat_pos, dtype=np.float64)
    rr = np.asarray(rcv_pos, dtype=np.float64)
    sys = np.asarray(system)
    gm = (
        np.vectorize(lambda s: SYSTEM_CONSTANTS[str(s)].gm, otypes=[float])(sys)
        if sys.ndim
        else (SYSTEM_CONSTANTS[str(sys)].gm)
    )
    a = np.linalg.norm(rs, axis=-1)
    b = np.linalg.norm(rr, axis=-1)
    rho = np.linalg.norm(rs - rr, axis=-1)
    return 2.0 * gm / C_LIGHT**2 * np.log((a + b + rho) / (a + b - rho))
