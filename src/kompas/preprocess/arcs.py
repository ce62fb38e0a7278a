"""The ambiguity arcs of a :class:`~kompas.preprocess.slips.SlipFlags` as a table."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["ArcTable", "arcs"]


@dataclass(frozen=True)
class ArcTable:
    """One row per ambiguity arc (a satellite's band between two new-arc events).

    Attributes
    ----------
    arc : numpy.ndarray of int64
        Arc number (as in :attr:`SlipFlags.arc`).
    sat : numpy.ndarray of int16
    column : numpy.ndarray of int64
        Band column of the observables.
    band : numpy.ndarray of int64
        Band digit.
    first_ns, last_ns : numpy.ndarray of int64
        First and last epoch, GPST ns.
    n_obs : numpy.ndarray of int64
        Phase observations in the arc.
    start_cause : numpy.ndarray of uint8
        :class:`~kompas.preprocess.slips.Cause` bits of the arc's first cell.
    """

    arc: np.ndarray
    sat: np.ndarray
    column: np.ndarray
    band: np.ndarray
    first_ns: np.ndarray
    last_ns: np.ndarray
    n_obs: np.ndarray
    start_cause: np.ndarray

    def __len__(self) -> int:
        return int(self.arc.size)


def arcs(ob, flags) -> ArcTable:
    """List the arcs of ``flags`` (from :func:`~kompas.preprocess.detect_slips` on ``ob``)."""
    r, c = np.nonzero(flags.arc >= 0)
    ids = flags.arc[r, c]
    t = ob.time_ns[r]
    order = np.lexsort((t, ids))
    r, c, ids, t = r[order], c[order], ids[order], t[order]
    first = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]]) if ids.size else np.zeros(0, np.int64)
    last = np.r_[first[1:] - 1, ids.size - 1] if ids.size else first
    band = ob.band[r[first], c[first]] if ids.size else np.zeros(0, np.int64)
    return ArcTable(
        arc=ids[first],
        sat=ob.sat[r[first]],
        column=c[first].astype(np.int64),
        band=np.asarray(band, dtype=np.int64),
        first_ns=t[first],
        last_ns=t[last],
        n_obs=(last - first + 1).astype(np.int64),
        start_cause=flags.cause[r[first], c[first]],
    )
