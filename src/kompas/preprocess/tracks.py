"""Tracks and segments: rows of one satellite (and band) in time order, cut at data gaps.

The preprocessing works on *series*: the values of one satellite and one band (or band pair) over
time. :class:`Series` sorts the chosen rows of an :class:`~kompas.tables.observables.Observables` by
satellite and epoch once and cuts them into segments (a new satellite, or a gap longer than the
allowed one). Every operation afterwards is a whole-array numpy operation over all segments at once:
windowed sums with cumulative sums clamped to the segment bounds, neighbour look-ups with shifted
indices masked at the bounds, robust scales per segment with one sort. No loop runs per epoch or per
satellite.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Series", "default_max_gap_s"]


def require_observables(ob, who: str) -> None:
    """Refuse anything but :class:`~kompas.tables.observables.Observables` (bands as columns), naming how
    to get them from an observation table."""
    from ..errors import ConfigError
    from ..tables.observables import Observables

    if not isinstance(ob, Observables):
        hint = " (obs.observables(bands) gives them from an ObsTable)" if hasattr(ob, "observables") else ""
        raise ConfigError(f"{who} needs Observables, bands as columns, not {type(ob).__name__}{hint}")


def default_max_gap_s(interval_s: float) -> float:
    """Longest interruption that keeps an arc: 5 sampling intervals and never less than 60 s.

    RTKLIB resets an ambiguity after ``maxout = 5`` missing epochs (rtkpos.c, ``opt->maxout``); the 60 s
    floor keeps 1-Hz data from cutting arcs at a few missing seconds, where the combinations still
    bridge the gap.
    """
    return max(5.0 * float(interval_s), 60.0)


@dataclass(frozen=True)
class Series:
    """Rows of one quantity in (satellite, time) order, cut into segments.

    Attributes
    ----------
    rows : numpy.ndarray of int64, shape (n,)
        Row indices into the observables, sorted by satellite then epoch.
    t_s : numpy.ndarray, shape (n,)
        Epoch time of each element, s since the first epoch of the table.
    seg : numpy.ndarray of int64, shape (n,)
        Segment number (0, 1, ...), non-decreasing.
    start, stop : numpy.ndarray of int64, shape (n,)
        Bounds ``[start, stop)`` of each element's segment, positions in the series.
    new_sat, gap : numpy.ndarray of bool, shape (n,)
        The element opens its satellite's first segment, or follows a gap longer than ``max_gap_s``.
    """

    rows: np.ndarray
    t_s: np.ndarray
    seg: np.ndarray
    start: np.ndarray
    stop: np.ndarray
    new_sat: np.ndarray
    gap: np.ndarray

    @classmethod
    def build(cls, sat, time_ns, mask, max_gap_s: float, extra_break=None) -> Series:
        """Series of the rows where ``mask`` is True.

        Parameters
        ----------
        sat, time_ns : numpy.ndarray, shape (R,)
            Satellite index and epoch (GPST ns) of every row of the observables.
        mask : numpy.ndarray of bool, shape (R,)
        max_gap_s : float
            A longer interruption between two elements of one satellite starts a new segment.
        extra_break : numpy.ndarray of bool, shape (R,), optional
            Rows that start a new segment anyway (e.g. a loss-of-lock flag).
        """
        idx = np.flatnonzero(mask)
        t_idx = time_ns[idx]
        if np.all(t_idx[1:] >= t_idx[:-1]):
            # rows in time order (as observables are): a stable sort by satellite (radix sort of int16)
            order = np.argsort(sat[idx], kind="stable")
        else:
            order = np.lexsort((t_idx, sat[idx]))
        rows = idx[order]
        s = sat[rows]
        t0 = int(time_ns.min()) if time_ns.size else 0
        t_s = (time_ns[rows] - t0) * 1e-9
        n = rows.size
        new_sat = np.ones(n, dtype=bool)
        new_sat[1:] = s[1:] != s[:-1]
        dt = np.diff(t_s, prepend=-np.inf)
        gap = ~new_sat & (dt > max_gap_s)
        return cls._cut(rows, t_s, new_sat, gap, extra_break)

    @classmethod
    def _cut(cls, rows, t_s, new_sat, gap, extra_break) -> Series:
        brk = new_sat | gap
        if extra_break is not None:
            brk = brk | extra_break[rows]
        seg = np.cumsum(brk) - 1
        first = np.flatnonzero(brk)
        last = np.r_[first[1:], rows.size]
        return cls(rows, t_s, seg, first[seg], last[seg], new_sat, gap)

    def with_breaks(self, extra_break) -> Series:
        """The same elements cut also where ``extra_break`` (shape (R,), by row) is True; no new sort."""
        return self._cut(self.rows, self.t_s, self.new_sat, self.gap, extra_break)

    def __len__(self) -> int:
        return int(self.rows.size)

    @property
    def n_segments(self) -> int:
        return int(self.seg[-1]) + 1 if self.seg.size else 0

    def shift(self, x, k: int, fill=np.nan) -> np.ndarray:
        """``x`` at position ``i + k`` of the same segment (``fill`` outside it)."""
        x = np.asarray(x)
        n = x.size
        j = np.arange(n) + k
        ok = (j >= self.start) & (j < self.stop)
        out = np.full(n, fill, dtype=np.result_type(x.dtype, np.asarray(fill).dtype))
        out[ok] = x[j[ok]]
        return out

    def window_mean(self, x, before: int, after: int):
        """Means of ``x`` over ``[i - before, i)`` and ``[i, i + after)`` within the segment (NaN-free input).

        Returns
        -------
        mean_b, n_b, mean_a, n_a : numpy.ndarray
            Means and counts of the windows before and after each element (mean NaN where empty).
        """
        c = np.concatenate([[0.0], np.cumsum(x)])
        i = np.arange(x.size)
        lo = np.maximum(i - before, self.start)
        hi = np.minimum(i + after, self.stop)
        n_b, n_a = i - lo, hi - i
        with np.errstate(invalid="ignore", divide="ignore"):
            mean_b = (c[i] - c[lo]) / n_b
            mean_a = (c[hi] - c[i]) / n_a
        return mean_b, n_b, mean_a, n_a
