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
from ..frames import azimuth_elevation
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


def sky_grid(product, epoch_time_ns, rcv_ecef, systems: str, extra_sats=()) -> SkyGrid:
    """Azimuth/elevation of every satellite of ``systems`` with broadcast records, at every epoch.

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
    """
    nav_sats = [np.asarray(t.sat) for t in (product.kepler, product.glonass) if len(t.sat)]
    sats = np.unique(np.concatenate([*nav_sats, np.asarray(extra_sats, dtype=np.int16)]).astype(np.int16))
    codes = [SYSTEM_LETTERS.index(x) + 1 for x in systems]
    sats = sats[np.isin(sat_system(sats), codes)]
    n_e, n_s = np.size(epoch_time_ns), sats.size
    if n_e == 0 or n_s == 0:
        empty = np.full((n_e, n_s), np.nan)
        return SkyGrid(sats, empty, empty.copy())
    s = np.broadcast_to(sats[None, :], (n_e, n_s)).ravel()
    t = np.broadcast_to(np.asarray(epoch_time_ns)[:, None], (n_e, n_s)).ravel()
    st = product.state(s, t)
    az, el = azimuth_elevation(st.pos_m, np.asarray(rcv_ecef, dtype=float))
    bad = ~st.ok
    az[bad], el[bad] = np.nan, np.nan
    return SkyGrid(sats, az.reshape(n_e, n_s), el.reshape(n_e, n_s))


def station_position(obs, product, n_epochs: int = 60):
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
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", KompasWarning)  # a header check, not a positioning run
        sol = spp(sub, product, systems=systems)
    ok = sol.ok
    if not ok.any():
        return np.full(3, np.nan), 0
    return np.median(sol.pos_m[ok], axis=0), int(ok.sum())
