"""Merging the epochs of several SP3 or RINEX clock files of one product onto one grid.

Consecutive files of one analysis centre (a day and the next) share their boundary epochs; those
values should agree, so the largest difference of every cell given twice is returned for the caller to
check against :data:`MERGE_TOL_M`. Files of different centres do not agree in their clocks: each
centre has its own clock datum (tens of ns apart), which :class:`~kompas.products.mix.PreciseMix`
handles by serving each system from one centre.
"""

from __future__ import annotations

import numpy as np

from ..errors import KompasError

__all__ = ["MERGE_TOL_M", "grid_interval_ns", "merge_grids", "merge_clock_series", "mode_interval_ns"]

_NS = 1_000_000_000
MERGE_TOL_M = 1.0
"""Largest difference (m; clocks times c) of a cell given by two merged files that passes silently:
boundary epochs of one centre's consecutive files agree to a few cm."""
_MAX_GRID_FACTOR = 4  # refuse merged files so far apart that the dense grid would be mostly empty


def grid_interval_ns(t: np.ndarray, header_interval_s: float | None, what: str) -> int:
    """Epoch spacing of one file, ns: the smallest difference of its epochs (header value if one epoch)."""
    if t.size >= 2:
        return int(np.diff(t).min())
    if header_interval_s is not None and header_interval_s > 0:
        return round(header_interval_s * _NS)
    raise KompasError(f"{what}: a single epoch and no epoch interval; cannot interpolate")


def merge_grids(times, sats, values, intervals, what):
    """Merge per-file ``(E_i,)`` times, ``(S_i,)`` sats and ``(E_i, S_i, ...)`` values on one dense grid.

    Returns ``(t (E,), sats (S,), values (S, E, ...) as float64, interval_ns, overlap_diff)``: the
    grid epochs (missing ones are NaN rows), the union of satellites, and the largest absolute
    difference of each cell given by several files (first file wins).
    """
    h = intervals[0]
    if any(x != h for x in intervals):
        raise KompasError(
            f"{what}: inconsistent epoch spacing between files ({sorted({x / _NS for x in intervals})} s); "
            "interpolate them separately"
        )
    t_all = np.unique(np.concatenate(times))
    t0 = int(t_all[0])
    if np.any((t_all - t0) % h):
        raise KompasError(f"{what}: epochs are not on a common {h / _NS:g} s grid")
    n_ep = int((t_all[-1] - t0) // h) + 1
    if n_ep > _MAX_GRID_FACTOR * t_all.size + 16:
        raise KompasError(f"{what}: files are too far apart in time to be merged ({n_ep} grid epochs)")
    all_sats = np.unique(np.concatenate(sats)).astype(np.int16)
    tail = values[0].shape[2:]
    grid = np.full((all_sats.size, n_ep, *tail), np.nan)
    have = np.zeros((all_sats.size, n_ep), bool)
    diffs = []
    for t, s, v in zip(times, sats, values, strict=True):
        rows = ((t - t0) // h).astype(np.int64)
        cols = np.searchsorted(all_sats, s)
        new = np.moveaxis(np.asarray(v, dtype=np.float64), 1, 0)  # (S_i, E_i, ...)
        new_ok = ~np.isnan(new).reshape(new.shape[0], new.shape[1], -1).any(-1)
        old_ok = have[np.ix_(cols, rows)]
        both = old_ok & new_ok
        if np.any(both):
            old = grid[np.ix_(cols, rows)]
            diffs.append(np.abs(old[both] - new[both]).reshape(int(both.sum()), -1).max(-1))
        fill = new_ok & ~old_ok
        ci, ri = np.nonzero(fill)
        grid[cols[ci], rows[ri]] = new[ci, ri]
        have[cols[ci], rows[ri]] = True
    t_grid = t0 + h * np.arange(n_ep, dtype=np.int64)
    return t_grid, all_sats, grid, h, (np.concatenate(diffs) if diffs else np.zeros(0))


def mode_interval_ns(t: np.ndarray) -> int:
    """Most frequent spacing of an epoch grid (ties: the smallest), ns."""
    d = np.diff(t)
    d = d[d > 0]
    if d.size == 0:
        raise KompasError("clock product with fewer than two epochs; cannot interpolate")
    vals, counts = np.unique(d, return_counts=True)
    return int(vals[np.argmax(counts)])


def merge_clock_series(dense):
    """Merge per-file ``(t (E_i,), sats (S_i,), bias_s (E_i, S_i))`` clock series on their union of epochs.

    Returns ``(t (E,), sats (S,), bias_s (S, E), overlap_diff_s)``: earlier files win (``dense`` in
    order), and ``overlap_diff_s`` holds the absolute difference of every (epoch, satellite) given by
    more than one file. Not a dense grid: gaps are found later from the spacing.
    """
    ct = np.unique(np.concatenate([d[0] for d in dense]))
    cs = np.unique(np.concatenate([d[1] for d in dense])).astype(np.int16)
    cv = np.full((cs.size, ct.size), np.nan)
    diffs = []
    for tt, ss, bb in dense:
        rows = np.searchsorted(ct, tt)
        cols = np.searchsorted(cs, ss)
        cur = cv[np.ix_(cols, rows)]
        new = np.asarray(bb, dtype=np.float64).T
        both = np.isfinite(cur) & np.isfinite(new)
        if both.any():
            diffs.append(np.abs(cur[both] - new[both]))
        cv[np.ix_(cols, rows)] = np.where(np.isnan(cur), new, cur)
    return ct, cs, cv, (np.concatenate(diffs) if diffs else np.zeros(0))
