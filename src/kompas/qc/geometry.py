"""Where the satellites are for QC: station position (header, checked by SPP) and an elevation grid.

Expected observations are counted from an ``(epochs, satellites)`` grid of azimuth and elevation of
every satellite that has a usable broadcast record (teqc's and Anubis's ``#expt``): the satellite
positions at the epoch (no light-time iteration: 0.07 s of flight moves a satellite by < 300 m, a few
thousandths of a degree of elevation).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from ..errors import KompasWarning
from ..frames import ecef_to_enu
from ..satsys import SYSTEM_LETTERS, sat_system

__all__ = ["SkyGrid", "sky_grid", "station_position"]


@dataclass(frozen=True)
class SkyGrid:
    """Azimuth and elevation of satellites at the epochs of a file.

    Attributes
    ----------
    sats : numpy.ndarray of int16, shape (S,)
        Sorted satellite indices.
    az, el : numpy.ndarray, shape (E, S)
        Radians; NaN where the satellite has no usable broadcast record.
    """

    sats: np.ndarray
    az: np.ndarray
    el: np.ndarray

    def lookup(self, epoch, sat):
        """Azimuth and elevation of rows (epoch index, satellite index); NaN for unknown satellites."""
        j = np.searchsorted(self.sats, sat)
        j = np.clip(j, 0, max(self.sats.size - 1, 0))
        known = self.sats.size > 0
        if not known:
            nan = np.full(np.shape(sat), np.nan)
            return nan, nan
        hit = self.sats[j] == sat
        az = np.where(hit, self.az[epoch, j], np.nan)
        el = np.where(hit, self.el[epoch, j], np.nan)
        return az, el


def sky_grid(product, epoch_time_ns, rcv_ecef, systems: str, extra_sats=(), node_s: float = 300.0) -> SkyGrid:
    """Azimuth/elevation of every satellite of ``systems`` with broadcast records, at every epoch.

    The broadcast states are evaluated at nodes (the first and last epoch of every ``node_s`` bucket of
    the epochs) and the receiver-to-satellite direction is interpolated linearly between them: the line
    of sight of a MEO satellite turns at most about 2e-8 rad/s^2, so over 300 s the chord is off the arc
    by at most ``(300 s)^2 / 8 x 2e-8 = 2e-4 rad`` (0.013 deg). Where a satellite's record becomes usable
    or unusable between two nodes, the epochs between them are evaluated exactly.

    Parameters
    ----------
    product : BroadcastProduct
    epoch_time_ns : numpy.ndarray of int64, shape (E,)
    rcv_ecef : array_like, shape (3,)
        Station position, m.
    systems : str
        System letters to include.
    extra_sats : array_like
        Satellites to include although the navigation data may lack them (observed ones).
    node_s : float
        Bucket length of the nodes, s (0: every epoch exactly).
    """
    nav_sats = [np.asarray(t.sat) for t in (product.kepler, product.glonass) if len(t.sat)]
    sats = np.unique(np.concatenate([*nav_sats, np.asarray(extra_sats, dtype=np.int16)]).astype(np.int16))
    codes = [SYSTEM_LETTERS.index(x) + 1 for x in systems]
    sats = sats[np.isin(sat_system(sats), codes)]
    t = np.asarray(epoch_time_ns, dtype=np.int64)
    n_e, n_s = t.size, sats.size
    rcv = np.asarray(rcv_ecef, dtype=float)
    if n_e == 0 or n_s == 0:
        empty = np.full((n_e, n_s), np.nan)
        return SkyGrid(sats, empty, empty.copy())
    nodes = _nodes(t, node_s)
    u_nodes = _directions(product, sats, t[nodes], rcv)  # (N, S, 3), NaN where unusable
    k = np.clip(np.searchsorted(nodes, np.arange(n_e), side="right") - 1, 0, max(nodes.size - 2, 0))
    k1 = np.minimum(k + 1, nodes.size - 1)
    span = (t[nodes[k1]] - t[nodes[k]]).astype(float)
    w = np.where(span > 0, (t - t[nodes[k]]) / np.where(span > 0, span, 1.0), 0.0)[:, None, None]
    u = (1.0 - w) * u_nodes[k] + w * u_nodes[k1]
    # a record's usability changes between two nodes: evaluate those epochs exactly
    ok = np.isfinite(u_nodes[:, :, 0])
    change = ok[k] != ok[k1]
    ee, ss = np.nonzero(change)
    if ee.size:
        u[ee, ss] = _directions(product, sats[ss], t[ee], rcv, paired=True)
    az = np.mod(np.arctan2(u[..., 0], u[..., 1]), 2.0 * np.pi)
    el = np.arctan2(u[..., 2], np.hypot(u[..., 0], u[..., 1]))
    return SkyGrid(sats, az, el)


def _nodes(t, node_s: float) -> np.ndarray:
    """Indices of the first and last epoch of every ``node_s`` bucket (every epoch when ``node_s`` <= 0)."""
    if node_s <= 0 or t.size < 3:
        return np.arange(t.size)
    b = (t - t[0]) // int(node_s * 1e9)
    first = np.flatnonzero(np.r_[True, b[1:] != b[:-1]])
    last = np.r_[first[1:] - 1, t.size - 1]
    return np.unique(np.concatenate([first, last]))


def _directions(product, sats, t, rcv, paired=False) -> np.ndarray:
    """Unit east/north/up vectors to the satellites, (T, S, 3) (or (N, 3) for ``paired`` rows); NaN where
    the broadcast record is unusable."""
    if paired:
        s, tt = sats, t
    else:
        s = np.broadcast_to(sats[None, :], (t.size, sats.size)).ravel()
        tt = np.broadcast_to(t[:, None], (t.size, sats.size)).ravel()
    st = product.state(s, tt)
    enu = ecef_to_enu(st.pos_m, rcv)
    enu = enu / np.linalg.norm(enu, axis=-1, keepdims=True)
    enu[~st.ok] = np.nan
    return enu if paired else enu.reshape(t.size, sats.size, 3)


def station_position(obs, product, n_epochs: int = 10):
    """SPP of a sample of epochs: the median position and the number of epochs solved.

    Parameters
    ----------
    obs : ObsTable
    product : BroadcastProduct
    n_epochs : int
        Epochs solved, spread evenly over the file (enough for a header check at the metre level).

    Returns
    -------
    pos : numpy.ndarray, shape (3,)
        Median marker position, m (NaN when no epoch was solved).
    n_solved : int
    """
    from ..spp import spp

    n = obs.n_epochs
    if n == 0:
        return np.full(3, np.nan), 0
    keep = np.zeros(n, dtype=bool)
    keep[np.unique(np.linspace(0, n - 1, min(n, n_epochs)).astype(int))] = True
    sub = obs.take_epochs(keep)
    systems = "".join(x for x in obs.systems if x in "GRECJ")
    if not systems:
        return np.full(3, np.nan), 0
    # a header check at the metre level: Klobuchar-type models for every system (NeQuick-G's integration
    # would cost more than the rest of the check)
    fast = {"E": ("GPS_KLOB",), "C3": ("BDS_KLOB",)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", KompasWarning)  # a header check, not a positioning run
        sol = spp(sub, product, systems=systems, broadcast_models=fast)
    ok = sol.ok
    if not ok.any():
        return np.full(3, np.nan), 0
    return np.median(sol.pos_m[ok], axis=0), int(ok.sum())
