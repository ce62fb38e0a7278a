"""Ionospheric delay from global ionosphere maps (IONEX): the single-layer model.

Schaer, Gurtner & Feltens, *IONEX: The IONosphere Map EXchange Format Version 1* (1998), sec. 2-3:

1. pierce point on a thin shell at height ``H`` above a sphere of radius ``R`` (both from the file):
   ``sin z' = R / (R + H) sin z`` with the zenith distance ``z`` at the receiver, and the earth-centred
   angle ``psi = z - z'`` along the azimuth;
2. vertical TEC at the pierce point by the manual's recommended interpolation in time between the two
   maps around the epoch, each map rotated by the Earth's rotation in the elapsed time (eq. 3:
   ``E(t) = (T2 - t)/(T2 - T1) E1(lat, lon + (t - T1) 360/86400) + (t - T1)/(T2 - T1) E2(lat, lon + (t -
   T2) 360/86400)``), and bilinear interpolation in latitude and longitude (eq. 2);
3. slant TEC ``= VTEC / cos z'`` and the code delay ``40.3e16 STEC / f^2`` metres (1 TECU = 1e16 e/m^2).

RTKLIB's ``iontec``/``ionppp`` follow the same steps.
"""

from __future__ import annotations

import numpy as np

__all__ = ["ionex_pierce_point", "ionex_vtec", "ionex_delay", "K_IONO"]

K_IONO = 40.3e16
"""First-order ionospheric group delay constant, m Hz^2 per TECU (40.3 m^3/s^2 x 1e16 e/m^2)."""
_EARTH_ROT_DEG_PER_S = 360.0 / 86400.0  # the maps rotate with the Sun: one turn per solar day


def ionex_pierce_point(lat_rad, lon_rad, az_rad, el_rad, radius_m, height_m):
    """Latitude and longitude (rad) of the pierce point and the zenith distance there (rad)."""
    z = 0.5 * np.pi - np.asarray(el_rad, dtype=float)
    zp = np.arcsin(radius_m / (radius_m + height_m) * np.sin(z))
    psi = z - zp
    lat = np.asarray(lat_rad, dtype=float)
    az = np.asarray(az_rad, dtype=float)
    lat_p = np.arcsin(np.sin(lat) * np.cos(psi) + np.cos(lat) * np.sin(psi) * np.cos(az))
    # the two-argument form holds also where the line of sight passes over the pole, where the usual
    # arcsin(sin(psi) sin(az) / cos(lat_p)) puts the pierce point 180 deg of longitude off
    lon_p = np.asarray(lon_rad, dtype=float) + np.arctan2(
        np.sin(psi) * np.sin(az) * np.cos(lat), np.cos(psi) - np.sin(lat) * np.sin(lat_p)
    )
    return lat_p, lon_p, zp


def _bilinear(tec, lat_grid_deg, lon_grid_deg, lat_deg, lon_deg, k):
    """Bilinear interpolation of maps ``tec[k]`` (nlat, nlon) at points; NaN outside the grid or at gaps."""
    dlat = lat_grid_deg[1] - lat_grid_deg[0]
    dlon = lon_grid_deg[1] - lon_grid_deg[0]
    span = lon_grid_deg[-1] - lon_grid_deg[0]
    # non-finite points (NaN: no elevation) are NaN throughout: infinities would warn in the wrap and the
    # weights below
    lon = np.where(np.isfinite(lon_deg), lon_deg, np.nan)
    if abs(span - 360.0) < 1e-6:  # a global map wraps
        lon = lon_grid_deg[0] + np.mod(lon - lon_grid_deg[0], 360.0)
    fi = np.where(np.isfinite(lat_deg), (lat_deg - lat_grid_deg[0]) / dlat, np.nan)
    fj = (lon - lon_grid_deg[0]) / dlon
    # and get index -1, outside the grid, instead of numpy's invalid-cast warning
    i0 = np.floor(np.nan_to_num(fi, nan=-1.0)).astype(np.int64)
    j0 = np.floor(np.nan_to_num(fj, nan=-1.0)).astype(np.int64)
    p, q = fi - i0, fj - j0
    nlat, nlon = tec.shape[1:]
    i0c, j0c = np.clip(i0, 0, nlat - 2), np.clip(j0, 0, nlon - 2)
    p = np.where(i0 == nlat - 1, 1.0, p)
    q = np.where(j0 == nlon - 1, 1.0, q)
    inside = (fi >= -1e-9) & (fi <= nlat - 1 + 1e-9) & (fj >= -1e-9) & (fj <= nlon - 1 + 1e-9)
    e00 = tec[k, i0c, j0c]
    e10 = tec[k, i0c + 1, j0c]
    e01 = tec[k, i0c, j0c + 1]
    e11 = tec[k, i0c + 1, j0c + 1]
    val = np.zeros(np.shape(p))
    for w, e in (((1 - p) * (1 - q), e00), (p * (1 - q), e10), ((1 - p) * q, e01), (p * q, e11)):
        # a node without a value (9999) counts only where it has weight: a point on a grid line takes
        # the nodes of that line alone, not NaN from the row or column beside it
        val = val + np.where(w == 0.0, 0.0, w * e)
    return np.where(inside, val, np.nan)


def ionex_vtec(tec_tecu, map_time_ns, lat_grid_rad, lon_grid_rad, t_ns, lat_rad, lon_rad):
    """Vertical TEC (TECU) at points and instants, by the IONEX 1.0 rotated-map interpolation.

    Parameters
    ----------
    tec_tecu : numpy.ndarray, shape (M, nlat, nlon)
        The maps (NaN where the file has no value).
    map_time_ns : numpy.ndarray of int64, shape (M,)
        Epochs of the maps, GPST ns (sorted).
    lat_grid_rad, lon_grid_rad : numpy.ndarray
        The grid, radians, in file order.
    t_ns : array_like of int64
        Instants, GPST ns.
    lat_rad, lon_rad : array_like
        Points (pierce points), radians.

    Returns
    -------
    numpy.ndarray
        VTEC, TECU; NaN outside the maps' time span or grid.
    """
    lat_g, lon_g = np.degrees(lat_grid_rad), np.degrees(lon_grid_rad)
    t = np.asarray(t_ns, dtype=np.int64)
    k1 = np.clip(np.searchsorted(map_time_ns, t, side="right") - 1, 0, max(map_time_ns.size - 2, 0))
    k2 = np.minimum(k1 + 1, map_time_ns.size - 1)
    t1, t2 = map_time_ns[k1], map_time_ns[k2]
    lat, lon = np.degrees(lat_rad), np.degrees(lon_rad)
    e1 = _bilinear(tec_tecu, lat_g, lon_g, lat, lon + (t - t1) * 1e-9 * _EARTH_ROT_DEG_PER_S, k1)
    e2 = _bilinear(tec_tecu, lat_g, lon_g, lat, lon + (t - t2) * 1e-9 * _EARTH_ROT_DEG_PER_S, k2)
    span = (t2 - t1).astype(float)
    w = np.where(span > 0, (t - t1) / np.where(span > 0, span, 1.0), 0.0)
    out = np.where(w <= 0.0, e1, np.where(w >= 1.0, e2, (1.0 - w) * e1 + w * e2))  # at a map epoch: that map
    covered = (t >= map_time_ns[0]) & (t <= map_time_ns[-1])
    return np.where(covered, out, np.nan)


def ionex_delay(tec_tecu, map_time_ns, lat_grid_rad, lon_grid_rad, radius_m, height_m, t_ns, lat_rad, lon_rad,
                az_rad, el_rad, freq_hz):  # fmt: skip
    """Slant ionospheric code delay (m) on ``freq_hz`` from IONEX maps (single-layer model, module docstring).

    Returns NaN where the maps do not cover the pierce point or the instant, 0 below the horizon.
    """
    lat_p, lon_p, zp = ionex_pierce_point(lat_rad, lon_rad, az_rad, el_rad, radius_m, height_m)
    vtec = ionex_vtec(tec_tecu, map_time_ns, lat_grid_rad, lon_grid_rad, t_ns, lat_p, lon_p)
    d = K_IONO * vtec / np.cos(zp) / np.asarray(freq_hz, dtype=float) ** 2
    return np.where(np.asarray(el_rad) > 0, d, 0.0)
