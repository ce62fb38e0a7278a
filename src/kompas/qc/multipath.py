"""Code multipath MP per signal and band pair, with the level removed per ambiguity arc.

For a code signal ``i`` (any tracking mode logged, e.g. ``C2I``, ``C1C``, ``C1W``) and another band
``j`` of the same satellite (teqc's MP1/MP2 generalised to every pair, Estey & Meertens 1999)::

    MP_ij = P_i - (1 + 2/(a - 1)) Phi_i + 2/(a - 1) Phi_j,   a = f_i^2 / f_j^2

with the phases ``Phi`` in metres (the phase of band ``i`` and ``j`` chosen by
:meth:`~kompas.tables.obs.ObsTable.observables`; GLONASS with each satellite's channel). It holds code
multipath and noise plus a constant per arc (ambiguities, hardware delays): the mean over each arc in
which neither phase slipped (:func:`kompas.preprocess.detect_slips`) is removed, over all epochs of the
arc as gnssmultipath does, and arcs shorter than ``min_arc`` epochs are dropped (their mean absorbs the
multipath itself).

BeiDou-2 satellite-induced code bias: IGSO and MEO satellites of BDS-2 show elevation-dependent code
variations (up to 1.5 m over the elevation range on B1I MEO) that MP shows as a trend with elevation.
:func:`~kompas.models.bds2_code.bds2_code_correction` gives Wanninger & Beer (2015, GPS Solutions
19:639-648, Table 1) piecewise linear corrections at 10-degree nodes, *added* to the pseudorange. Which
row is which band (checked on data): :data:`~kompas.models.bds2_code.WB2015_BANDS`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..constants import C_LIGHT
from ..estimators.grouped import sorted_starts
from ..models.bds2_code import WB2015_BANDS, WB2015_IGSO_M, WB2015_MEO_M, bds2_code_correction
from ..satsys import sat_system, signal_band

__all__ = [
    "WB2015_IGSO_M",
    "WB2015_MEO_M",
    "WB2015_BANDS",
    "bds2_code_correction",
    "MpSeries",
    "code_multipath",
]


@dataclass(frozen=True)
class MpSeries:
    """MP values, one per (epoch, satellite, code signal, partner band), level removed per arc.

    The integer fields are as narrow as their values allow (MP runs to 4 values per observation row, so
    each byte per value counts): band digits fit a uint8, epoch indices an int32.

    Attributes
    ----------
    sat : numpy.ndarray of int16
    signal : numpy.ndarray of uint8
        Code signal id.
    partner : numpy.ndarray of uint8
        Band digit of the second phase.
    epoch : numpy.ndarray of int32
        Index into the epochs of the table (int64 for a table of 2^31 epochs or more).
    el, az : numpy.ndarray of float64
        Rad.
    mp_m : numpy.ndarray of float64
        m.
    """

    sat: np.ndarray
    signal: np.ndarray
    partner: np.ndarray
    epoch: np.ndarray
    el: np.ndarray
    az: np.ndarray
    mp_m: np.ndarray

    def __len__(self) -> int:
        return int(self.sat.size)


_KEY = 1024


def code_multipath(obs, ob, flags, el, az, glo_channels=None, min_arc: int = 10, bds2_correction=False,
                   bds2_rows=None, clock_jumps=None):  # fmt: skip
    """MP of every code signal of ``obs`` against every other band of ``ob`` (module docstring).

    Parameters
    ----------
    obs : ObsTable
        The raw table (every tracking mode's code).
    ob : Observables
        Its observables by band (after clock-jump repair), the phases of the combination.
    flags : SlipFlags
        Slips and arcs of ``ob``.
    el, az : numpy.ndarray, shape (R,)
        Elevation and azimuth of each row of ``ob``, rad.
    glo_channels : GlonassChannels, optional
    min_arc : int
        Shortest arc kept, epochs.
    bds2_correction : bool
        Add :func:`bds2_code_correction` to BDS-2 IGSO/MEO codes first.
    bds2_rows : tuple of int, optional
        Band digit of each row of the correction tables (default :data:`WB2015_BANDS`; the row check swaps
        them).
    clock_jumps : ClockJumps, optional
        The receiver clock jumps repaired in ``ob`` (:func:`kompas.preprocess.detect_clock_jumps`): the
        raw codes of ``obs`` get the same repair, else each millisecond jump of the code would enter MP as
        300 km against the repaired phases.

    Returns
    -------
    MpSeries
    """
    code_rows, code_epoch, r_ob = _code_rows_in(obs, ob)
    p = _repaired_codes(obs, code_rows, code_epoch, clock_jumps)
    sig = obs.signal[code_rows]
    if bds2_correction:
        p = p + bds2_code_correction(obs.sat[code_rows], signal_band(sig), el[r_ob], bds2_rows)
    del code_rows, code_epoch  # each code row's arrays from here: its code, signal and ob row
    parts = _mp_parts(ob, flags, p, sig, r_ob, glo_channels)
    del p, sig, r_ob  # the parts hold what the level removal needs
    if not parts:
        z = np.zeros(0)
        ep = _index_dtype(ob.epoch_time_ns.size)
        return MpSeries(z.astype(np.int16), z.astype(np.uint8), z.astype(np.uint8), z.astype(ep), z, z, z)
    return _level_removed(parts, min_arc, ob, el, az)


def _index_dtype(n: int):
    """The narrowest of int32 and int64 that holds every index below ``n``."""
    return np.int32 if n <= np.iinfo(np.int32).max else np.int64


def _code_rows_in(obs, ob):
    """The rows of ``obs`` with a code whose (epoch, satellite) has a row in ``ob``: their indices, their
    epochs and the row of ``ob`` of each (int32 where ``ob`` allows: it is kept per MP value)."""
    code_rows = np.flatnonzero(np.isfinite(obs.code_m))
    code_epoch = np.repeat(np.arange(obs.n_epochs), np.diff(obs.epoch_offsets))[code_rows]
    key_obs = code_epoch * _KEY + obs.sat[code_rows]
    key_ob = ob.epoch * _KEY + ob.sat
    order = np.argsort(key_ob)
    pos = np.searchsorted(key_ob[order], key_obs)
    pos = np.clip(pos, 0, max(key_ob.size - 1, 0))
    hit = key_ob.size > 0
    r_ob = order[pos] if hit else pos
    found = (key_ob[r_ob] == key_obs) if hit else np.zeros(key_obs.size, bool)
    return code_rows[found], code_epoch[found], r_ob[found].astype(_index_dtype(len(ob)), copy=False)


def _own_column(band, r_ob, band_i):
    """Column of ``band`` (rows ``r_ob``) holding each code's own band (the first; 0 where none does), and
    whether one does: one column at a time, not a (codes, bands) table."""
    col = np.zeros(r_ob.size, dtype=np.int8)  # a column index: fewer than 10 bands
    has = np.zeros(r_ob.size, dtype=bool)
    for j in range(band.shape[1]):
        eq = band[r_ob, j] == band_i
        col[eq & ~has] = j
        has |= eq
    return col, has


def _mp_parts(ob, flags, p, sig, r_ob, chans):
    """MP of the code rows (codes ``p``, m, with signals ``sig`` in the rows ``r_ob`` of ``ob``) against
    each other band column of their ``ob`` row, one part per column.

    Each part is a list ``[r, mp, partner, signal, group]``: the ``ob`` row, MP (m, level not removed),
    the partner band (uint8), the code signal and the (arc pair, signal) group of the level removal. Only
    these per-value arrays outlive the call (a row's frequencies and bands are gathered column by column
    from the ``ob`` rows, not as (codes, bands) tables).
    """
    band = ob.band.astype(np.uint8)  # (R, B): band digits, computed (as int64) on each access
    freq = ob.frequency_hz(chans)
    col_i, has_i = _own_column(band, r_ob, signal_band(sig))
    fi = freq[r_ob, col_i]
    li = ob.phase_cyc[r_ob, col_i] * C_LIGHT / fi
    arc_i = flags.arc[r_ob, col_i]
    base = has_i & np.isfinite(p) & np.isfinite(li) & (arc_i >= 0)
    del has_i
    n_arc = int(flags.arc.max()) + 1 if flags.arc.size else 1
    parts = []
    for j in range(band.shape[1]):
        k = np.flatnonzero(base & (col_i != j) & (band[r_ob, j] > 0))
        if k.size == 0:
            continue
        r = r_ob[k]
        fj = freq[r, j]
        lj = ob.phase_cyc[r, j] * C_LIGHT / fj
        with np.errstate(divide="ignore", invalid="ignore"):
            g = 2.0 / (fi[k] ** 2 / fj**2 - 1.0)
            mp = p[k] - (1.0 + g) * li[k] + g * lj
        arc_j = flags.arc[r, j]
        ok = np.isfinite(mp) & (fi[k] != fj) & (arc_j >= 0)
        k, r = k[ok], r[ok]
        # arcs are numbered uniquely over bands, so the arc pair also tells the partner band apart
        group = (arc_i[k] * n_arc + arc_j[ok]) * 256 + sig[k]
        parts.append([r, mp[ok], band[r, j], sig[k], group])
    return parts


def _repaired_codes(obs, code_rows, code_epoch, clock_jumps):
    """Codes of the rows (at the epochs ``code_epoch``) with the accumulated receiver clock jumps removed,
    as the phases of ``ob``."""
    p = obs.code_m[code_rows]
    if clock_jumps is None or not len(clock_jumps):
        return p
    jc = np.zeros(obs.n_epochs)
    np.add.at(jc, clock_jumps.epoch, clock_jumps.code_s)
    return p - C_LIGHT * np.cumsum(jc)[code_epoch]


def _joined(parts, m: int) -> np.ndarray:
    """Field ``m`` of every part as one array; the parts let go of it (the memory of one field at a time)."""
    out = np.concatenate([pt[m] for pt in parts])
    for pt in parts:
        pt[m] = None
    return out


def _level_removed(parts, min_arc, ob, el, az):
    """Subtract the mean of each (arc pair, signal) group (one sort); drop groups shorter than ``min_arc``.

    ``parts`` come from :func:`_mp_parts` and are consumed: each field is joined when it is needed and the
    sort's temporaries go before the next field comes, so that at most a few per-value arrays live at once.
    """
    grp = _joined(parts, 4)
    order = np.argsort(grp)
    # the group starts from the sorted keys per block, not from a sorted copy of them
    start = sorted_starts(grp, order) if grp.size else np.zeros(0, np.int64)
    n = grp.size
    del grp
    cnt = np.diff(np.r_[start, n])
    mp = _joined(parts, 1)
    mean = np.add.reduceat(mp[order], start) / cnt if n else np.zeros(0)
    inv = np.empty(n, dtype=np.int64)
    inv[order] = np.repeat(np.arange(start.size), cnt)
    del order
    keep = cnt[inv] >= min_arc
    mp = mp[keep] - mean[inv[keep]]
    del inv
    r = _joined(parts, 0)[keep]
    signal = _joined(parts, 3)[keep]
    partner = _joined(parts, 2)[keep]
    epoch = ob.epoch[r].astype(_index_dtype(ob.epoch_time_ns.size), copy=False)
    return MpSeries(ob.sat[r], signal, partner, epoch, el[r], az[r], mp)


def system_of(sat) -> np.ndarray:
    """System code of satellites (helper for grouping)."""
    return sat_system(sat)
