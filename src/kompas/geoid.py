"""EGM96 geoid undulation: the height of the WGS 84 geoid above the ellipsoid, for heights "above mean
sea level" (NMEA GGA).

EGM96: F. G. Lemoine et al., "The Development of the Joint NASA GSFC and the National Imagery and Mapping
Agency (NIMA) Geopotential Model EGM96", NASA/TP-1998-206861, 1998. The undulations are package data
(``kompas/data/egm96_30m.npz``, built by ``tools/make_egm96_table.py`` from NGA's 15-minute grid: every
second node, 0.5 degree, 1 cm), interpolated bilinearly as NGA's interpolation program and RTKLIB's
``geoidh`` (embedded 1-degree EGM96 table) do. Against the full 15-minute grid the table is off by 0.13 m
RMS and 3.9 m at most (steep slopes at ocean trenches and high mountains); the model itself (degree 360)
is good to about 1 m. Orthometric height H = h - N.
"""

from __future__ import annotations

import io
from functools import lru_cache
from importlib import resources

import numpy as np

__all__ = ["egm96_undulation_m"]


@lru_cache(maxsize=1)
def _table() -> tuple[np.ndarray, float, float, float]:
    """(undulations (361, 720) m, first latitude, first longitude, step), degrees."""
    raw = resources.files("kompas").joinpath("data/egm96_30m.npz").read_bytes()
    with np.load(io.BytesIO(raw), allow_pickle=False) as z:
        n = z["n_cm"].astype(np.float64) / 100.0
        n.flags.writeable = False
        return n, float(z["lat0_deg"]), float(z["lon0_deg"]), float(z["step_deg"])


def egm96_undulation_m(lat_rad, lon_rad) -> np.ndarray:
    """Geoid undulation N of EGM96, bilinear in the 0.5-degree table (module docstring).

    Parameters
    ----------
    lat_rad, lon_rad : array_like
        Geodetic latitude and longitude (WGS 84), rad; broadcast together; any longitude (wrapped).

    Returns
    -------
    numpy.ndarray
        N, m (geoid above the ellipsoid); NaN where an input is not finite.
    """
    n, lat0, lon0, step = _table()
    lat = np.degrees(np.asarray(lat_rad, dtype=np.float64))
    lon = np.degrees(np.asarray(lon_rad, dtype=np.float64))
    lat, lon = np.broadcast_arrays(lat, lon)
    ok = np.isfinite(lat) & np.isfinite(lon)
    fi = (np.clip(np.where(ok, lat, 0.0), -90.0, 90.0) - lat0) / step
    fj = np.mod(np.where(ok, lon, 0.0) - lon0, 360.0) / step
    i = np.minimum(np.floor(fi).astype(np.int64), n.shape[0] - 2)
    j = np.floor(fj).astype(np.int64) % n.shape[1]
    j1 = (j + 1) % n.shape[1]  # the column after 179.5 deg is -180 deg
    a, c = fi - i, fj - np.floor(fj)
    value = (1 - a) * ((1 - c) * n[i, j] + c * n[i, j1]) + a * ((1 - c) * n[i + 1, j] + c * n[i + 1, j1])
    return np.where(ok, value, np.nan)
