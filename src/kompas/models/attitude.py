"""Sun position and the nominal yaw-steering attitude of GNSS satellites.

Sun
    Low-precision analytic coordinates from the U.S. Naval Observatory, "Computing Approximate
    Solar Coordinates" (aa.usno.navy.mil/faq/sun_approx; the same series as the Astronomical
    Almanac's low-precision formulas, sec. C): apparent ecliptic longitude, distance and mean
    obliquity of date, about 1 arcminute (0.017 deg) within two centuries of 2000. The equatorial
    coordinates of date are turned to ECEF by Greenwich mean sidereal time, USNO "Computing
    Greenwich Apparent Sidereal Time" (aa.usno.navy.mil/faq/GAST): GMST = 18.697374558 +
    24.06570982441908 D hours. Ignored, all far below what attitude models need: the equation of
    the equinoxes (< 1.2 s of time, 0.005 deg), UT1 - UTC (< 0.9 s, 0.004 deg), TT - UT in the
    solar arguments (0.001 deg) and polar motion (< 1e-5 rad).

Nominal yaw attitude
    IGS convention for the satellite body frame (Kouba 2009, "A simplified yaw-attitude model for
    eclipsing GPS satellites", GPS Solutions 13:1-12, eq. 1; Montenbruck et al. 2015, "GNSS
    satellite geometry and attitude models", Adv. Space Res. 56:1015-1029, sec. 2 and 4):
    the z axis points from the satellite to the Earth centre, y = z x e_sun / |z x e_sun| is
    perpendicular to the Sun direction (along the solar-panel axis), and x = y x z completes the
    right-handed frame so that the Sun lies in the x-z half plane with x >= 0 (towards the Sun).
    Antenna phase-centre offsets of ANTEX are given in this frame for every constellation.

Eclipse, noon-turn and orbit-normal attitude
    :func:`satellite_attitude` applies the per-block laws of :mod:`kompas.models.yaw` (GPS IIA/IIR/IIF/
    III, GLONASS-M, Galileo IOV/FOC, BeiDou-2 GEO/IGSO/MEO orbit-normal modes, BeiDou-3, QZSS) on top
    of the nominal law; :func:`nominal_yaw_frame` alone is the nominal law for every satellite, whose
    x and y axes are wrong during those manoeuvres (the z axis is always right).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..constants import OMEGA_EARTH_IERS
from ..time import NS, gps_utc_offset_s, gtime_from_calendar
from .yaw import model_yaw

__all__ = [
    "AU_M",
    "gmst_rad",
    "sun_position_ecef",
    "nominal_yaw_frame",
    "OrbitAngles",
    "orbit_angles",
    "yaw_frame",
    "satellite_attitude",
]

AU_M = 149_597_870_700.0
"""Astronomical unit, m (IAU 2012 Resolution B2)."""

_DAY_NS = 86_400 * NS
_DEG = np.pi / 180.0
# J2000.0 = 2000 January 1.5 (JD 2451545.0), read as UTC here (the USNO formulas take UT).
_J2000_GPST_NS = int(gtime_from_calendar(2000, 1, 1, 12, 0, 0, scale="UTC"))
_J2000_GPS_UTC_S = int(gps_utc_offset_s(_J2000_GPST_NS))


def _days_since_j2000_ut(t_gpst_ns) -> np.ndarray:
    """Days of UT (approximated by UTC) since J2000.0 for GPST instants: D = JD(UT) - 2451545.0."""
    t = np.asarray(t_gpst_ns, dtype=np.int64)
    # UTC elapsed = GPST elapsed minus the leap seconds inserted in between (from the leap table).
    leaps_ns = (gps_utc_offset_s(t).astype(np.int64) - _J2000_GPS_UTC_S) * NS
    return (t - _J2000_GPST_NS - leaps_ns) / _DAY_NS


def gmst_rad(t_gpst_ns) -> np.ndarray:
    """Greenwich mean sidereal time, radians in [0, 2 pi).

    USNO "Computing Greenwich Apparent Sidereal Time": GMST = 18.697374558 + 24.06570982441908 D
    hours, D days of UT since J2000.0; loss of precision 0.1 s per century. UT1 is taken as UTC.

    Parameters
    ----------
    t_gpst_ns : int or array_like of int64
        Instants, GPST nanoseconds.
    """
    d = _days_since_j2000_ut(t_gpst_ns)
    # split D into whole days and fraction so the 24.0657 h/day product keeps full precision
    whole = np.floor(d)
    hours = 18.697374558 + 0.06570982441908 * whole + 24.06570982441908 * (d - whole)
    return np.mod(hours, 24.0) * (np.pi / 12.0)


def sun_position_ecef(t_gpst_ns) -> np.ndarray:
    """Geocentric position of the Sun in ECEF, metres (low precision, ~0.017 deg, see module doc).

    Parameters
    ----------
    t_gpst_ns : int or array_like of int64, shape (N,)
        Instants, GPST nanoseconds.

    Returns
    -------
    numpy.ndarray, shape (N, 3)
        Earth-centred Earth-fixed Sun position, m (a scalar input gives shape (1, 3)).
    """
    d = np.atleast_1d(_days_since_j2000_ut(t_gpst_ns))
    g = np.mod(357.529 + 0.98560028 * d, 360.0) * _DEG  # mean anomaly
    q = np.mod(280.459 + 0.98564736 * d, 360.0) * _DEG  # mean longitude
    lam = q + (1.915 * np.sin(g) + 0.020 * np.sin(2.0 * g)) * _DEG  # apparent ecliptic longitude
    r = (1.00014 - 0.01671 * np.cos(g) - 0.00014 * np.cos(2.0 * g)) * AU_M
    eps = (23.439 - 0.00000036 * d) * _DEG  # mean obliquity of date
    # equatorial coordinates of date (ecliptic latitude taken as 0)
    x = r * np.cos(lam)
    y = r * np.cos(eps) * np.sin(lam)
    z = r * np.sin(eps) * np.sin(lam)
    th = gmst_rad(np.atleast_1d(np.asarray(t_gpst_ns, dtype=np.int64)))
    c, s = np.cos(th), np.sin(th)
    return np.stack([c * x + s * y, -s * x + c * y, z], axis=-1)


def nominal_yaw_frame(sat_pos_ecef, sun_ecef) -> np.ndarray:
    """Body axes of the nominal yaw-steering attitude (IGS convention), as ECEF unit vectors.

    Parameters
    ----------
    sat_pos_ecef : array_like, shape (N, 3)
        Satellite centre-of-mass positions, m (ECEF).
    sun_ecef : array_like, shape (N, 3) or (3,)
        Sun positions, m, in the same frame and at the same instants (:func:`sun_position_ecef`).

    Returns
    -------
    numpy.ndarray, shape (N, 3, 3)
        ``R[i, k]`` is body axis ``k`` (0: x, 1: y, 2: z) of row ``i`` in ECEF, so a body-frame
        vector ``b`` is ``R[i].T @ b`` in ECEF (``np.einsum("nkc,nk->nc", R, b)``).
        z = -r / |r| (towards the Earth centre); y = z x e_sun normalised, e_sun the unit vector
        from the satellite to the Sun; x = y x z. Rows where the Sun is within 1e-9 rad of the
        z axis (attitude undefined) are NaN. Kouba (2009) eq. 1; see the module docstring for the
        satellites and seasons this nominal law does not describe.
    """
    r = np.atleast_2d(np.asarray(sat_pos_ecef, dtype=np.float64))
    sun = np.broadcast_to(np.asarray(sun_ecef, dtype=np.float64), r.shape)
    ez = -r / np.linalg.norm(r, axis=-1, keepdims=True)
    es = sun - r
    es = es / np.linalg.norm(es, axis=-1, keepdims=True)
    ey = np.cross(ez, es)
    ny = np.linalg.norm(ey, axis=-1, keepdims=True)
    degenerate = ny[:, 0] < 1e-9
    ey = ey / np.where(degenerate[:, None], 1.0, ny)
    ex = np.cross(ey, ez)
    frame = np.stack([ex, ey, ez], axis=1)
    frame[degenerate] = np.nan
    return frame


@dataclass(frozen=True, eq=False)
class OrbitAngles:
    """Orbit geometry of satellites relative to the Sun (Kouba 2009 sec. 2).

    Attributes
    ----------
    beta : numpy.ndarray (N,)
        Sun elevation above the orbital plane, rad (positive towards the orbit normal r x v).
    mu : numpy.ndarray (N,)
        Orbit angle from orbit midnight in the direction of motion, rad in (-pi, pi] (noon = pi).
    mu_rate : numpy.ndarray (N,)
        Orbit angular rate |r x v| / r^2 (inertial), rad/s.
    radius : numpy.ndarray (N,)
        Geocentric distance, m.
    e_r, e_t, e_n : numpy.ndarray (N, 3)
        Radial, along-track (e_n x e_r) and orbit-normal unit vectors, ECEF.
    """

    beta: np.ndarray
    mu: np.ndarray
    mu_rate: np.ndarray
    radius: np.ndarray
    e_r: np.ndarray
    e_t: np.ndarray
    e_n: np.ndarray


def _unit(v):
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def orbit_angles(
    sat_pos, sat_vel, sun_ecef, omega_e: float = OMEGA_EARTH_IERS, from_satellite=True
) -> OrbitAngles:
    """Beta, mu and the orbit frame of satellites from ECEF states (inertial velocity v + omega x r).

    With ``from_satellite`` (default) the Sun direction is the one seen from the satellite, so that
    ``atan2(-tan beta, sin mu)`` is exactly the nominal yaw of :func:`nominal_yaw_frame`; otherwise the
    geocentric direction (beta and mu then differ by the Sun's parallax, up to 3e-4 rad).

    Parameters
    ----------
    sat_pos, sat_vel : array_like, shape (N, 3)
        ECEF position (m) and velocity (m/s).
    sun_ecef : array_like, shape (N, 3) or (3,)
        Geocentric Sun position, m.
    omega_e : float
        Earth rotation rate, rad/s (0 when the states are already inertial).
    from_satellite : bool
        Sun direction seen from the satellite (True) or from the geocentre.
    """
    r = np.atleast_2d(np.asarray(sat_pos, dtype=np.float64))
    v = np.atleast_2d(np.asarray(sat_vel, dtype=np.float64))
    v = v + np.cross(np.array([0.0, 0.0, omega_e]), r)
    sun = np.broadcast_to(np.asarray(sun_ecef, dtype=np.float64), r.shape)
    h = np.cross(r, v)
    rad = np.linalg.norm(r, axis=-1)
    e_r, e_n = r / rad[:, None], _unit(h)
    e_t = np.cross(e_n, e_r)
    s = _unit(sun - r) if from_satellite else _unit(sun)
    sn = np.sum(s * e_n, -1)
    beta = np.arcsin(np.clip(sn, -1.0, 1.0))
    u = _unit(s - sn[:, None] * e_n)  # noon direction in the orbital plane
    mu_noon = np.arctan2(np.sum(np.cross(u, e_r) * e_n, -1), np.sum(e_r * u, -1))
    mu = np.mod(mu_noon, 2.0 * np.pi) - np.pi  # from midnight, (-pi, pi]
    return OrbitAngles(beta, mu, np.linalg.norm(h, axis=-1) / rad**2, rad, e_r, e_t, e_n)


def yaw_frame(angles: OrbitAngles, yaw_rad) -> np.ndarray:
    """Body axes (N, 3, 3) for yaw angles: ``x = cos(psi) e_t - sin(psi) e_n``, ``z = -e_r``, y = z x x."""
    psi = np.asarray(yaw_rad, dtype=np.float64)[:, None]
    ez = -angles.e_r
    ex = np.cos(psi) * angles.e_t - np.sin(psi) * angles.e_n
    return np.stack([ex, np.cross(ez, ex), ez], axis=1)


def satellite_attitude(sat_pos, sat_vel, sun_ecef, law, omega_e: float = OMEGA_EARTH_IERS):
    """Body axes of satellites with their eclipse/noon-turn/orbit-normal attitude laws.

    Parameters
    ----------
    sat_pos, sat_vel : array_like, shape (N, 3)
        ECEF position (m) and velocity (m/s) of the centres of mass.
    sun_ecef : array_like, shape (N, 3) or (3,)
        Geocentric Sun position, m (:func:`sun_position_ecef`).
    law : array_like of int or str, shape (N,)
        Attitude laws (:attr:`kompas.tables.satellites.SatelliteInfo.law` or names such as
        ``"gps_iif"``; see :mod:`kompas.models.yaw`).
    omega_e : float
        Earth rotation rate for the inertial velocity, rad/s.

    Returns
    -------
    axes : numpy.ndarray, shape (N, 3, 3)
        ``axes[i, k]`` is body axis k (x, y, z) of row i in ECEF, as :func:`nominal_yaw_frame`; rows on
        the nominal law equal that frame to rounding (beta and mu use the Sun seen from the satellite).
    yaw : numpy.ndarray, shape (N,)
        Yaw angle, rad (:mod:`kompas.models.yaw` convention).
    """
    ang = orbit_angles(sat_pos, sat_vel, sun_ecef, omega_e)
    psi = model_yaw(law, ang.beta, ang.mu, ang.mu_rate, ang.radius)
    return yaw_frame(ang, psi), psi
