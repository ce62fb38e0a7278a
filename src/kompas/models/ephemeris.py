"""Low-precision Sun and Moon positions in ECEF for tides, attitude and eclipse tests.

Sun
    :func:`kompas.models.attitude.sun_position_ecef` (USNO series, about 0.017 deg), re-exported here.
Moon
    O. Montenbruck and E. Gill, *Satellite Orbits*, Springer 2000, sec. 3.3.2, eq. 3.47-3.49: the mean
    arguments l (Moon's mean anomaly), l' (Sun's mean anomaly), F (argument of latitude) and D (mean
    elongation) linear in T (Julian centuries of TT since J2000), the ecliptic longitude
    ``L0 + 22640" sin l + 769" sin 2l - 4586" sin(l - 2D) + ...`` (14 terms), latitude (8 terms) and
    distance ``385000 - 20905 cos l - ... km`` (9 terms); a few arcminutes and about 500 km. The book's
    ``-1.3972 T`` deg precession term, which refers the longitude to the equinox of J2000, is left out so
    that the coordinates are of date, like those of the Sun; they are rotated to the equator with the
    mean obliquity of date and to ECEF with GMST (:func:`kompas.models.attitude.gmst_rad`), neglecting
    nutation (< 20") and polar motion (< 1").

TT is taken as GPST + 51.184 s (TT = TAI + 32.184 s, IERS Conventions 2010 sec. 10.1; TAI = GPST + 19 s).
"""

from __future__ import annotations

import numpy as np

from ..time import NS, gtime_from_calendar
from .attitude import gmst_rad, sun_position_ecef

__all__ = ["sun_position_ecef", "moon_position_ecef", "julian_centuries_tt"]

_ARCSEC = np.pi / (180.0 * 3600.0)
_DEG = np.pi / 180.0
_TT_MINUS_GPST_S = 51.184  # 32.184 s + 19 s (IERS Conventions 2010 sec. 10.1)
# J2000.0 (JD 2451545.0 TT) = 2000-01-01 12:00:00 TT = 11:59:08.816 GPST
_J2000_TT_GPST_NS = int(gtime_from_calendar(2000, 1, 1, 11, 59, 8.816))


def julian_centuries_tt(t_gpst_ns) -> np.ndarray:
    """Julian centuries of TT since J2000.0 (JD 2451545.0 TT) for GPST instants."""
    t = np.asarray(t_gpst_ns, dtype=np.int64)
    return (t - _J2000_TT_GPST_NS) / (36525.0 * 86400.0 * NS)


def moon_position_ecef(t_gpst_ns) -> np.ndarray:
    """Geocentric position of the Moon in ECEF, m (Montenbruck & Gill 2000 eq. 3.47, see module doc).

    Parameters
    ----------
    t_gpst_ns : int or array_like of int64, shape (N,)
        Instants, GPST ns.

    Returns
    -------
    numpy.ndarray, shape (N, 3)
        ECEF Moon position, m (a scalar input gives shape (1, 3)).
    """
    t_ns = np.atleast_1d(np.asarray(t_gpst_ns, dtype=np.int64))
    tc = julian_centuries_tt(t_ns)
    lm = (134.96292 + 477198.86753 * tc) * _DEG  # l, Moon's mean anomaly
    ls = (357.52543 + 35999.04944 * tc) * _DEG  # l', Sun's mean anomaly
    f = (93.27283 + 483202.01873 * tc) * _DEG  # F, mean argument of latitude
    d = (297.85027 + 445267.11135 * tc) * _DEG  # D, mean elongation from the Sun
    l0 = (218.31617 + 481267.88088 * tc) * _DEG  # mean longitude (of date: no -1.3972 T)
    dlon = (
        22640 * np.sin(lm)
        + 769 * np.sin(2 * lm)
        - 4586 * np.sin(lm - 2 * d)
        + 2370 * np.sin(2 * d)
        - 668 * np.sin(ls)
        - 412 * np.sin(2 * f)
        - 212 * np.sin(2 * lm - 2 * d)
        - 206 * np.sin(lm + ls - 2 * d)
        + 192 * np.sin(lm + 2 * d)
        - 165 * np.sin(ls - 2 * d)
        + 148 * np.sin(lm - ls)
        - 125 * np.sin(d)
        - 110 * np.sin(lm + ls)
        - 55 * np.sin(2 * f - 2 * d)
    ) * _ARCSEC
    lon = l0 + dlon
    arg = f + dlon + (412 * np.sin(2 * f) + 541 * np.sin(ls)) * _ARCSEC
    lat = (
        18520 * np.sin(arg)
        - 526 * np.sin(f - 2 * d)
        + 44 * np.sin(lm + f - 2 * d)
        - 31 * np.sin(-lm + f - 2 * d)
        - 25 * np.sin(-2 * lm + f)
        - 23 * np.sin(ls + f - 2 * d)
        + 21 * np.sin(-lm + f)
        + 11 * np.sin(-ls + f - 2 * d)
    ) * _ARCSEC
    r_km = (
        385000
        - 20905 * np.cos(lm)
        - 3699 * np.cos(2 * d - lm)
        - 2956 * np.cos(2 * d)
        - 570 * np.cos(2 * lm)
        + 246 * np.cos(2 * lm - 2 * d)
        - 205 * np.cos(ls - 2 * d)
        - 171 * np.cos(lm + 2 * d)
        - 152 * np.cos(lm + ls - 2 * d)
    )
    r = r_km * 1e3
    eps = (23.43929111 - 0.0130042 * tc) * _DEG  # mean obliquity of date (IAU 1976, first two terms)
    xe = r * np.cos(lat) * np.cos(lon)
    ye = r * np.cos(lat) * np.sin(lon)
    ze = r * np.sin(lat)
    x = xe
    y = np.cos(eps) * ye - np.sin(eps) * ze
    z = np.sin(eps) * ye + np.cos(eps) * ze
    th = gmst_rad(t_ns)
    c, s = np.cos(th), np.sin(th)
    return np.stack([c * x + s * y, -s * x + c * y, z], axis=-1)
