"""Service volume: availability, dilution of precision and accuracy estimates on a grid of users.

For every epoch and grid node (a user on the ellipsoid, or at a given height) the satellites whose
broadcast record is valid and healthy (:class:`~kompas.products.broadcast.BroadcastProduct`, status OK
under its record policy) and that stand above the elevation mask are counted, per system mix, and the
dilution of precision of that set is formed with design rows ``[-e, 1_k]`` (e the unit vector from the
user to the satellite, one receiver clock per system k of the mix, unit weights): BDT, GST, GLONASST and
GPST differ and a receiver that positions with several systems estimates a clock or inter-system bias per
system (RTKLIB's ``pntpos`` does; its ``dops`` display keeps one clock). Q = (H^T H)^-1,
PDOP = sqrt(tr Q_xyz), HDOP and VDOP from Q rotated to east/north/up, GDOP = sqrt(tr Q) over position and
the clocks of the systems present (for one system the usual GDOP). A node needs at least 3 + K satellites
of the K systems in view; fewer, or a singular geometry, give NaN DOPs (3 BeiDou + 1 GLONASS satellites
do not serve). Satellite positions are those at the epoch (no light time, 0.07 s,
which changes a DOP by about 1e-5 relative).

Accuracy estimate (1 sigma): sigma_3D = UERE PDOP, sigma_H = UERE HDOP, sigma_V = UERE VDOP, with
UERE^2 = mean over the satellites used of URA^2 (the broadcast accuracy of each record; ``default_ura_m``
per system where the record gives none, as GLONASS RINEX records before 3.05) + ``uee_m``^2 (user
equipment and atmosphere residuals, 0 by default: a signal-in-space-only figure).

The normal matrices are accumulated per system once per epoch (sums over that system's visible
satellites) and combined per mix, so four mixes cost little more than one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import ConfigError
from ..frames import enu_rotation, geodetic_to_ecef
from ..satsys import SYSTEM_LETTERS, parse_systems, sat_index, sat_system, system_code

__all__ = ["ServiceVolume", "service_volume", "grid_nodes", "MIXES", "REGIONS", "DEFAULT_URA_M", "PDOP_LIMIT"]

MIXES = {"BDS": "C", "GLONASS": "R", "BDS+GLONASS": "CR", "all": "GRECJ"}
"""System mixes of the report: BeiDou alone, GLONASS alone, both, all systems (name -> letters)."""

REGIONS = {"global": (-90.0, 90.0, -180.0, 180.0), "asia-pacific": (-55.0, 55.0, 55.0, 180.0)}
"""Map regions as (lat min, lat max, lon min, lon max), deg. Asia-Pacific: 55 S-55 N, 55-180 E, the area
of BDS's regional services (BDS-3 regional short-message and augmentation coverage, CSNO 2019
"Development of the BeiDou Navigation Satellite System (Version 4.0)" sec. 3)."""

DEFAULT_URA_M = {"G": 2.0, "R": 5.0, "E": 3.0, "C": 2.0, "J": 2.0, "I": 2.0}
"""URA for records that broadcast none, m (GLONASS: RTKLIB's ERR_EPH-like 5 m, CodeErrorModel.ephemeris_m)."""

PDOP_LIMIT = 6.0
"""PDOP threshold of the availability percentage (GPS SPS Performance Standard 2020, 3.7: PDOP <= 6)."""


def grid_nodes(step_deg: float = 5.0, region: str | tuple = "global") -> tuple[np.ndarray, np.ndarray]:
    """Latitudes and longitudes (deg) of a regular grid over a region, nodes on the boundaries.

    Global grids stop at longitude 180 - step (180 and -180 are the same meridian).
    """
    if isinstance(region, str):
        if region not in REGIONS:
            raise ConfigError(f"unknown region {region!r}; known: {', '.join(REGIONS)}")
        region = REGIONS[region]
    if not step_deg > 0:
        raise ConfigError(f"grid step must be positive, not {step_deg!r}")
    la0, la1, lo0, lo1 = (float(x) for x in region)
    lat = np.arange(la0, la1 + 1e-9, step_deg)
    full = lo1 - lo0 >= 360.0 - 1e-9
    lon = np.arange(lo0, lo1 - (step_deg if full else 0.0) + 1e-9, step_deg)
    return lat, lon


@dataclass(frozen=True, eq=False)
class ServiceVolume:
    """Per mix, epoch and grid node: satellites in view, DOPs and accuracy estimates.

    Attributes
    ----------
    lat_deg, lon_deg : numpy.ndarray, shapes (Nlat,), (Nlon,)
        Grid; nodes are ordered latitude-major (node = i_lat * Nlon + i_lon).
    time_ns : numpy.ndarray, shape (T,)
    mixes : dict
        Mix name -> system letters, in the order of the first axis below.
    nsat : numpy.ndarray of int16, shape (M, T, U)
        Satellites above the mask with a valid, healthy record.
    gdop, pdop, hdop, vdop : numpy.ndarray of float32, shape (M, T, U)
        NaN with fewer than four satellites or a singular geometry.
    uere_m : numpy.ndarray of float32, shape (M, T, U)
        UERE of the satellites used (module docstring), m.
    elmask_deg : float
    """

    lat_deg: np.ndarray
    lon_deg: np.ndarray
    time_ns: np.ndarray
    mixes: dict
    nsat: np.ndarray
    gdop: np.ndarray
    pdop: np.ndarray
    hdop: np.ndarray
    vdop: np.ndarray
    uere_m: np.ndarray
    elmask_deg: float

    def cell_summary(self, pdop_limit: float = PDOP_LIMIT) -> dict:
        """Statistics over the epochs per mix and node, each shaped (M, Nlat, Nlon).

        Keys: ``nsat_mean``, ``nsat_min``, ``pdop_mean`` (over epochs with a PDOP), ``pdop_max``,
        ``hdop_mean``, ``vdop_mean``, ``pdop_ok_pct`` (% of epochs with PDOP <= ``pdop_limit``; no
        PDOP counts as not met), ``acc3d_mean_m`` (mean UERE x PDOP), ``acc_h_mean_m``.
        """
        shape = (len(self.mixes), self.lat_deg.size, self.lon_deg.size)
        with np.errstate(invalid="ignore"), _quiet():
            out = {
                "nsat_mean": self.nsat.mean(axis=1),
                "nsat_min": self.nsat.min(axis=1),
                "pdop_mean": np.nanmean(self.pdop, axis=1),
                "pdop_max": np.nanmax(self.pdop, axis=1),
                "hdop_mean": np.nanmean(self.hdop, axis=1),
                "vdop_mean": np.nanmean(self.vdop, axis=1),
                "pdop_ok_pct": 100.0 * np.mean(np.nan_to_num(self.pdop, nan=np.inf) <= pdop_limit, axis=1),
                "acc3d_mean_m": np.nanmean(self.uere_m * self.pdop, axis=1),
                "acc_h_mean_m": np.nanmean(self.uere_m * self.hdop, axis=1),
            }
        return {k: np.asarray(v, dtype=float).reshape(shape) for k, v in out.items()}

    def rows(self, pdop_limit: float = PDOP_LIMIT) -> list[dict]:
        """The cell summary as one dict per (mix, node), for tables (CSV, Parquet, JSON)."""
        summ = self.cell_summary(pdop_limit)
        lat, lon = np.meshgrid(self.lat_deg, self.lon_deg, indexing="ij")
        out = []
        for m, name in enumerate(self.mixes):
            cols = {k: v[m].ravel() for k, v in summ.items()}
            for i, (la, lo) in enumerate(zip(lat.ravel().tolist(), lon.ravel().tolist(), strict=True)):
                out.append(
                    {"mix": name, "lat_deg": la, "lon_deg": lo, **{k: float(v[i]) for k, v in cols.items()}}
                )
        return out


class _quiet:
    """Silence numpy's 'mean of empty slice' warnings (all-NaN cells are expected: no coverage)."""

    def __enter__(self):
        import warnings

        self._w = warnings.catch_warnings()
        self._w.__enter__()
        warnings.simplefilter("ignore", RuntimeWarning)

    def __exit__(self, *exc):
        return self._w.__exit__(*exc)


def _user_geometry(lat_deg, lon_deg, height_m):
    """Node positions (U, 3) ECEF and ECEF -> ENU rotations (U, 3, 3)."""
    la, lo = np.meshgrid(np.radians(lat_deg), np.radians(lon_deg), indexing="ij")
    llh = np.stack([la.ravel(), lo.ravel(), np.full(la.size, float(height_m))], axis=-1)
    return geodetic_to_ecef(llh), enu_rotation(la.ravel(), lo.ravel())


def _system_normals(sat_pos, sat_sys, ura2, users, up, sin_mask):
    """Per system code k (1..7): normal matrices (U, 4, 4), counts (U,) and URA^2 sums (U,)."""
    d = sat_pos[None, :, :] - users[:, None, :]  # (U, S, 3)
    e = d / np.sqrt(np.einsum("usc,usc->us", d, d))[..., None]
    vis = np.matmul(e, up[:, :, None])[..., 0] >= sin_mask
    out = {}
    for k in np.unique(sat_sys).tolist():
        cols = np.flatnonzero(sat_sys == k)
        w = vis[:, cols].astype(np.float64)
        ek = e[:, cols]
        n = np.empty((users.shape[0], 4, 4))
        we = ek * w[..., None]
        n[:, :3, :3] = np.matmul(np.swapaxes(we, 1, 2), ek)
        n[:, :3, 3] = n[:, 3, :3] = -we.sum(axis=1)  # rows [-e, 1]
        n[:, 3, 3] = w.sum(axis=1)
        out[k] = (n, w.sum(axis=1), w @ ura2[cols])
    return out


def _dops(n, count, rot, absent):
    """GDOP, PDOP, HDOP, VDOP (U,) from normal matrices (U, 3 + K, 3 + K) with one receiver clock per
    system (K); NaN where fewer satellites than unknowns or singular.

    ``absent`` (U,) counts the systems without a satellite at a node: their clock rows are placeholders
    (diagonal 1, decoupled), left out of the unknowns and of GDOP, which is the square root of the trace
    of the cofactor over position and the clocks of the systems present (the usual GDOP for one system).
    """
    k = n.shape[-1] - 3
    det = np.linalg.det(n)
    ok = (count >= 3 + k - absent) & (count > 0) & (np.abs(det) > 1e-9)
    q = np.linalg.inv(np.where(ok[:, None, None], n, np.eye(3 + k)))
    qenu = rot @ q[:, :3, :3] @ np.swapaxes(rot, -1, -2)
    g = np.sqrt(np.trace(q, axis1=1, axis2=2) - absent)
    p = np.sqrt(np.trace(q[:, :3, :3], axis1=1, axis2=2))
    h = np.sqrt(qenu[:, 0, 0] + qenu[:, 1, 1])
    v = np.sqrt(np.abs(qenu[:, 2, 2]))
    return tuple(np.where(ok, x, np.nan) for x in (g, p, h, v))


def service_volume(
    product,
    times_ns,
    lat_deg,
    lon_deg,
    mixes=None,
    elmask_deg: float = 5.0,
    sats=None,
    height_m: float = 0.0,
    uee_m: float = 0.0,
    default_ura_m=None,
    progress=None,
) -> ServiceVolume:
    """Availability, DOPs and accuracy estimates on a grid over a span (module docstring).

    Parameters
    ----------
    product : BroadcastProduct
        Broadcast ephemerides and health (its record policy decides which records serve).
    times_ns : array_like of int64, shape (T,)
        Epochs, GPST ns.
    lat_deg, lon_deg : array_like, shapes (Nlat,), (Nlon,)
        Grid of geodetic latitudes and longitudes, deg (:func:`grid_nodes`).
    mixes : dict, optional
        Mix name -> system letters (default :data:`MIXES`).
    elmask_deg : float
        Elevation mask, deg.
    sats : array_like, optional
        Satellites to consider (ids or indices); default every satellite with a record.
    height_m : float
        Ellipsoidal height of the users, m.
    uee_m : float
        User equipment error added to the UERE, m.
    default_ura_m : dict, optional
        URA per system letter for records without one (default :data:`DEFAULT_URA_M`).
    progress : callable, optional
        ``progress(done_epochs, total_epochs)`` after each epoch.

    Returns
    -------
    ServiceVolume
    """
    mixes = {k: parse_systems(v, "GRECJI") for k, v in (mixes or MIXES).items()}
    if not 0.0 <= elmask_deg < 90.0:
        raise ConfigError(f"elevation mask must be in [0, 90) deg, not {elmask_deg}")
    times = np.asarray(times_ns, dtype=np.int64).ravel()
    sats = _satellites(product, sats)
    users, rot = _user_geometry(np.asarray(lat_deg, float), np.asarray(lon_deg, float), height_m)
    up = rot[:, 2, :]
    st = product.state(np.tile(sats, times.size), np.repeat(times, sats.size))
    fallback = default_ura_of(sats, default_ura_m, missing=5.0)
    shape = (len(mixes), times.size, users.shape[0])
    res = {k: np.full(shape, np.nan, dtype=np.float32) for k in ("gdop", "pdop", "hdop", "vdop", "uere")}
    nsat = np.zeros(shape, dtype=np.int16)
    codes = {name: [int(system_code(x)) for x in letters] for name, letters in mixes.items()}
    sin_mask = np.sin(np.radians(elmask_deg))
    for i in range(times.size):
        sl = slice(i * sats.size, (i + 1) * sats.size)
        ok = st.status[sl] == 0
        ura2 = np.where(np.isfinite(st.var_m2[sl]), st.var_m2[sl], fallback**2)[ok]
        per_sys = _system_normals(st.pos_m[sl][ok], sat_system(sats[ok]), ura2, users, up, sin_mask)
        _combine_mixes(per_sys, codes, i, rot, uee_m, nsat, res)
        if progress is not None:
            progress(i + 1, times.size)
    lat, lon = np.asarray(lat_deg, float), np.asarray(lon_deg, float)
    dop = (res["gdop"], res["pdop"], res["hdop"], res["vdop"])
    return ServiceVolume(lat, lon, times, mixes, nsat, *dop, res["uere"], float(elmask_deg))


def _combine_mixes(per_sys, codes, i, rot, uee_m, nsat, res) -> None:
    """Fill epoch ``i`` of every mix from the per-system normal matrices: the position blocks add up, each
    system keeps its own receiver clock (GPST, BDT, GST and GLONASST differ; a receiver estimates one
    clock or inter-system bias per system, as RTKLIB's SPP does)."""
    for m, name in enumerate(codes):
        ks = [k for k in codes[name] if k in per_sys]
        if not ks:
            continue
        n_users = per_sys[ks[0]][0].shape[0]
        n = np.zeros((n_users, 3 + len(ks), 3 + len(ks)))
        cnt = np.zeros(n_users)
        u2 = np.zeros(n_users)
        absent = np.zeros(n_users)
        for j, k in enumerate(ks):
            nk, ck, uk = per_sys[k]
            n[:, :3, :3] += nk[:, :3, :3]
            n[:, :3, 3 + j] = nk[:, :3, 3]
            n[:, 3 + j, :3] = nk[:, 3, :3]
            n[:, 3 + j, 3 + j] = np.where(ck > 0, nk[:, 3, 3], 1.0)
            absent += ck == 0
            cnt += ck
            u2 += uk
        g, p, h, v = _dops(n, cnt, rot, absent)
        nsat[m, i] = cnt
        res["gdop"][m, i], res["pdop"][m, i], res["hdop"][m, i], res["vdop"][m, i] = g, p, h, v
        res["uere"][m, i] = np.sqrt(u2 / np.maximum(cnt, 1) + uee_m**2)


def default_ura_of(sats, default_ura_m=None, missing=np.nan) -> np.ndarray:
    """Per satellite, the URA assumed for records that broadcast none, m: :data:`DEFAULT_URA_M` updated by
    ``default_ura_m`` (per system letter); ``missing`` for systems neither names."""
    table = {**DEFAULT_URA_M, **(default_ura_m or {})}
    return np.array([table.get(x, missing) for x in " " + SYSTEM_LETTERS])[sat_system(sats)]


def _satellites(product, sats) -> np.ndarray:
    """Satellite indices to consider (int16, sorted): given ones, else all with a Kepler/GLONASS record."""
    if sats is not None:
        s = np.asarray(sats)
        return np.unique(sat_index(s) if s.dtype.kind in "US" else s.astype(np.int16))
    parts = [t.sat for t in (product.kepler, product.glonass) if t is not None and len(t)]
    if not parts:
        raise ConfigError("the navigation data hold no GPS/GLONASS/Galileo/BeiDou/QZSS/NavIC record")
    return np.unique(np.concatenate(parts)).astype(np.int16)
