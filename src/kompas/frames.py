"""Earth-fixed frames: ECEF <-> geodetic, local east/north/up, azimuth and elevation.

All functions are vectorised: positions carry a trailing ``(..., 3)`` axis; angles are in
radians. Any :class:`kompas.constants.Ellipsoid` may be used; WGS-84 is the default.

Notes on datums: WGS-84 (G2139), CGCS2000, PZ-90.11, GTRF and ITRF agree at the few-cm level,
far below single-point-positioning noise; kompas therefore treats broadcast orbits of every
system as one ECEF frame and differs between systems only in the constants each ICD's user
algorithm prescribes (see :mod:`kompas.constants`).
"""

from __future__ import annotations

import math

import numpy as np

from .constants import WGS84, Ellipsoid
from .errors import ConfigError

__all__ = [
    "ecef_to_geodetic",
    "geodetic_to_ecef",
    "enu_rotation",
    "geodetic_point",
    "enu_rotation_point",
    "ecef_to_enu",
    "enu_to_ecef",
    "azimuth_elevation",
    "sagnac_rotate",
    "near_earth_surface",
    "check_radians",
]

NEAR_SURFACE_M = (6.0e6, 7.0e6)
"""Geocentric distances of a receiver on or near the ground (and of the aircraft kompas positions), m: an
a priori, base or truth position outside them is a mistake (0 0 0, a wrong unit, a swapped sign of
exponent), and the geodetic conversion of a point near the geocentre is meaningless."""


def near_earth_surface(xyz) -> bool:
    """Whether ECEF positions (..., 3), m, are all finite and within :data:`NEAR_SURFACE_M` of the
    geocentre (False for any other shape)."""
    x = np.asarray(xyz, dtype=float)
    if x.ndim == 0 or x.shape[-1] != 3 or x.size == 0:
        return False
    r = np.linalg.norm(x, axis=-1)
    return bool(np.all((r > NEAR_SURFACE_M[0]) & (r < NEAR_SURFACE_M[1])))  # NaN fails the comparisons


def _triples(x, name: str) -> np.ndarray:
    """``x`` as float64 with a trailing axis of 3 (ConfigError otherwise: a transposed (3, N) array or
    an (N, 4) one would give numbers without meaning)."""
    a = np.asarray(x, dtype=np.float64) if x is not None else None
    if a is None or a.ndim == 0 or a.shape[-1] != 3:
        shape = "None" if a is None else a.shape
        raise ConfigError(f"{name} must have a last axis of 3 (shape (3,) or (..., 3)), got {shape}")
    return a


def check_radians(angle, name: str = "latitude", symbol: str = "lat") -> None:
    """Latitudes or elevations beyond +-pi/2 are degrees given as radians (ConfigError; NaN passes)."""
    if np.any(np.abs(angle) > 0.5 * np.pi + 1e-9):
        raise ConfigError(f"{name} must be in radians (|{symbol}| <= pi/2), got {np.nanmax(np.abs(angle)):g}")


def geodetic_to_ecef(llh, ellipsoid: Ellipsoid = WGS84) -> np.ndarray:
    """Geodetic latitude, longitude, height -> ECEF.

    Parameters
    ----------
    llh : array_like, shape (..., 3)
        Latitude (rad), longitude (rad), ellipsoidal height (m).
    ellipsoid : Ellipsoid

    Returns
    -------
    numpy.ndarray, shape (..., 3)
        ECEF x, y, z in metres.
    """
    llh = _triples(llh, "llh")
    lat, lon, h = llh[..., 0], llh[..., 1], llh[..., 2]
    check_radians(lat)
    sl, cl = np.sin(lat), np.cos(lat)
    n = ellipsoid.a / np.sqrt(1.0 - ellipsoid.e2 * sl * sl)
    return np.stack(
        [(n + h) * cl * np.cos(lon), (n + h) * cl * np.sin(lon), (n * (1.0 - ellipsoid.e2) + h) * sl],
        axis=-1,
    )


def ecef_to_geodetic(xyz, ellipsoid: Ellipsoid = WGS84) -> np.ndarray:
    """ECEF -> geodetic latitude, longitude, height, in closed form.

    Heikkinen's exact solution (M. Heikkinen, "Geschlossene Formeln zur Berechnung räumlicher
    geodätischer Koordinaten aus rechtwinkligen Koordinaten", ZfV 107, 1982), then one
    fixed-point refinement of the latitude (``tan(lat) = (z + e2 N sin(lat)) / p``) that removes
    the closed form's rounding error; the height is taken in a form without the 1/cos(lat)
    singularity, so poles are exact.

    Parameters
    ----------
    xyz : array_like, shape (..., 3)
        ECEF coordinates, m. Points within 1 km of the Earth's centre are not supported.
    ellipsoid : Ellipsoid

    Returns
    -------
    numpy.ndarray, shape (..., 3)
        Latitude (rad, -pi/2..pi/2), longitude (rad, -pi..pi), ellipsoidal height (m).
    """
    xyz = _triples(xyz, "xyz")
    x, y, z = xyz[..., 0], xyz[..., 1], xyz[..., 2]
    a, b, e2 = ellipsoid.a, ellipsoid.b, ellipsoid.e2
    ep2 = (a * a - b * b) / (b * b)
    p = np.hypot(x, y)
    f_ = 54.0 * b * b * z * z
    g = p * p + (1.0 - e2) * z * z - e2 * (a * a - b * b)
    c = e2 * e2 * f_ * p * p / (g * g * g)
    s = np.cbrt(1.0 + c + np.sqrt(c * c + 2.0 * c))
    k = s + 1.0 + 1.0 / s
    pp = f_ / (3.0 * k * k * g * g)
    q = np.sqrt(1.0 + 2.0 * e2 * e2 * pp)
    r0 = -(pp * e2 * p) / (1.0 + q) + np.sqrt(
        np.maximum(
            0.5 * a * a * (1.0 + 1.0 / q) - pp * (1.0 - e2) * z * z / (q * (1.0 + q)) - 0.5 * pp * p * p, 0.0
        )
    )
    v = np.sqrt((p - e2 * r0) ** 2 + (1.0 - e2) * z * z)
    z0 = b * b * z / (a * v)
    lat = np.arctan2(z + ep2 * z0, p)
    sl, cl = np.sin(lat), np.cos(lat)
    n = a / np.sqrt(1.0 - e2 * sl * sl)
    lat = np.arctan2(z + e2 * n * sl, p)
    sl, cl = np.sin(lat), np.cos(lat)
    n = a / np.sqrt(1.0 - e2 * sl * sl)
    h = p * cl + z * sl - a * a / n
    lon = np.arctan2(y, x)
    return np.stack([lat, lon, h], axis=-1)


def enu_rotation(lat, lon) -> np.ndarray:
    """Rotation matrices from ECEF to local east/north/up.

    Parameters
    ----------
    lat, lon : array_like
        Geodetic latitude and longitude, rad.

    Returns
    -------
    numpy.ndarray, shape (..., 3, 3)
        ``R`` with ``enu = R @ d_ecef``; rows are the east, north and up unit vectors.
    """
    lat = np.asarray(lat, dtype=np.float64)
    lon = np.asarray(lon, dtype=np.float64)
    check_radians(lat)
    sl, cl, so, co = np.sin(lat), np.cos(lat), np.sin(lon), np.cos(lon)
    zero = np.zeros_like(sl * so)
    east = np.stack([-so + zero, co + zero, zero], axis=-1)
    north = np.stack([-sl * co, -sl * so, cl + zero], axis=-1)
    up = np.stack([cl * co, cl * so, sl + zero], axis=-1)
    return np.stack([east, north, up], axis=-2)


def geodetic_point(xyz, ellipsoid: Ellipsoid = WGS84) -> tuple[float, float, float]:
    """:func:`ecef_to_geodetic` of one point, bit for bit, as floats.

    A filter converts one position several times an epoch, where the vectorised function's thirty-odd
    array operations on one element cost more than the arithmetic. The same operations in the same
    order: Python floats for what IEEE 754 rounds exactly (``+ - * /``, ``sqrt``; squares written as
    products, as numpy computes ``x ** 2``) and numpy's own functions for the others.

    Parameters
    ----------
    xyz : array_like, shape (3,)
        ECEF coordinates, m.
    ellipsoid : Ellipsoid

    Returns
    -------
    lat, lon, h : float
        rad, rad, m (within 100 km of the geocentre or NaN: :func:`ecef_to_geodetic`'s own values).
    """
    x, y, z = (float(v) for v in xyz)
    # NaN, or deep inside the Earth: Heikkinen's g turns negative within ~17 km of the centre, and the
    # scalar roots and divisions would raise where the array function gives NaN or its own values
    if not x * x + y * y + z * z >= 1.0e10:
        lat, lon, h = ecef_to_geodetic(np.array([x, y, z]), ellipsoid).tolist()
        return lat, lon, h
    a, b, e2 = ellipsoid.a, ellipsoid.b, ellipsoid.e2
    ep2 = (a * a - b * b) / (b * b)
    p = float(np.hypot(x, y))
    f_ = 54.0 * b * b * z * z
    g = p * p + (1.0 - e2) * z * z - e2 * (a * a - b * b)
    c = e2 * e2 * f_ * p * p / (g * g * g)
    s = float(np.cbrt(1.0 + c + math.sqrt(c * c + 2.0 * c)))
    k = s + 1.0 + 1.0 / s
    pp = f_ / (3.0 * k * k * g * g)
    q = math.sqrt(1.0 + 2.0 * e2 * e2 * pp)
    rad = 0.5 * a * a * (1.0 + 1.0 / q) - pp * (1.0 - e2) * z * z / (q * (1.0 + q)) - 0.5 * pp * p * p
    r0 = -(pp * e2 * p) / (1.0 + q) + math.sqrt(float(np.maximum(rad, 0.0)))
    t = p - e2 * r0
    v = math.sqrt(t * t + (1.0 - e2) * z * z)
    z0 = b * b * z / (a * v)
    lat = float(np.arctan2(z + ep2 * z0, p))
    sl = float(np.sin(lat))
    n = a / math.sqrt(1.0 - e2 * sl * sl)
    lat = float(np.arctan2(z + e2 * n * sl, p))
    sl, cl = float(np.sin(lat)), float(np.cos(lat))
    n = a / math.sqrt(1.0 - e2 * sl * sl)
    h = p * cl + z * sl - a * a / n
    return lat, float(np.arctan2(y, x)), h


def enu_rotation_point(lat: float, lon: float) -> np.ndarray:
    """:func:`enu_rotation` at one point, bit for bit (as :func:`geodetic_point`), shape (3, 3)."""
    sl, cl, so, co = (float(f(v)) for f, v in ((np.sin, lat), (np.cos, lat), (np.sin, lon), (np.cos, lon)))
    # "+ 0.0" as enu_rotation's "+ zero": a -0.0 becomes +0.0
    return np.array(
        [[-so + 0.0, co + 0.0, 0.0], [-sl * co, -sl * so, cl + 0.0], [cl * co, cl * so, sl + 0.0]]
    )


def _ref_rotation(ref_xyz, ellipsoid):
    llh = ecef_to_geodetic(ref_xyz, ellipsoid)
    return enu_rotation(llh[..., 0], llh[..., 1])


def ecef_to_enu(xyz, ref_xyz, ellipsoid: Ellipsoid = WGS84) -> np.ndarray:
    """ECEF points -> east/north/up of the vector from a reference point.

    Parameters
    ----------
    xyz : array_like, shape (..., 3)
        Points, m.
    ref_xyz : array_like, shape (..., 3)
        Reference points (broadcast against ``xyz``), m; the local frame is the ellipsoid normal there.
    ellipsoid : Ellipsoid
        The ellipsoid whose normal defines "up" (default WGS 84).

    Returns
    -------
    numpy.ndarray, shape (..., 3)
        East, north, up, m.
    """
    xyz = _triples(xyz, "xyz")
    ref = _triples(ref_xyz, "ref_xyz")
    r = _ref_rotation(ref, ellipsoid)
    return np.einsum("...ij,...j->...i", r, xyz - ref)


def enu_to_ecef(enu, ref_xyz, ellipsoid: Ellipsoid = WGS84) -> np.ndarray:
    """Local east/north/up offsets from a reference point -> ECEF points (inverse of :func:`ecef_to_enu`)."""
    enu = _triples(enu, "enu")
    ref = _triples(ref_xyz, "ref_xyz")
    r = _ref_rotation(ref, ellipsoid)
    return ref + np.einsum("...ji,...j->...i", r, enu)


def azimuth_elevation(sat_xyz, rcv_xyz, ellipsoid: Ellipsoid = WGS84) -> tuple[np.ndarray, np.ndarray]:
    """Azimuth and elevation of satellites seen from receivers.

    Parameters
    ----------
    sat_xyz : array_like, shape (..., 3)
        Satellite ECEF positions, m.
    rcv_xyz : array_like, shape (..., 3)
        Receiver ECEF positions (broadcast against ``sat_xyz``), m.
    ellipsoid : Ellipsoid
        The ellipsoid of the horizon (default WGS 84).

    Returns
    -------
    az : numpy.ndarray
        Azimuth, rad, clockwise from north, in [0, 2 pi).
    el : numpy.ndarray
        Elevation above the ellipsoidal horizon, rad, in [-pi/2, pi/2].
    """
    enu = ecef_to_enu(sat_xyz, rcv_xyz, ellipsoid)
    e, n, u = enu[..., 0], enu[..., 1], enu[..., 2]
    az = np.mod(np.arctan2(e, n), 2.0 * np.pi)
    el = np.arctan2(u, np.hypot(e, n))
    return az, el


def sagnac_rotate(xyz, dt_s, omega_e) -> np.ndarray:
    """Rotate ECEF positions about the z axis by ``omega_e * dt_s`` (Earth rotation during signal flight).

    A satellite position computed in the ECEF frame of transmission time is expressed in the
    frame of reception time by rotating it by the angle the Earth turned during the flight
    (IS-GPS-200N sec. 20.3.3.4.3.3.2).

    Parameters
    ----------
    xyz : array_like, shape (..., 3)
        Positions at transmission, ECEF of transmission time, m.
    dt_s : array_like
        Signal flight time, s.
    omega_e : float
        The system's Earth rotation rate, rad/s (see :mod:`kompas.constants`).
    """
    xyz = _triples(xyz, "xyz")
    th = omega_e * np.asarray(dt_s, dtype=np.float64)
    c, s = np.cos(th), np.sin(th)
    x, y = xyz[..., 0], xyz[..., 1]
    return np.stack([c * x + s * y, -s * x + c * y, xyz[..., 2] + 0.0 * th], axis=-1)
