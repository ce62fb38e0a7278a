"""Where the simulator's recorded slips sit in an observables table, to score a detector against them.

:func:`slip_cells` places every slip of an :class:`~kompas.sim.events.EventTable` (epoch, satellite,
signal) on its cell (row, band column) of an :class:`~kompas.tables.observables.Observables` built from
the simulated observations. Slips that act on one cell at one epoch add up (two pairs drawn at the same
epoch of a satellite can cancel: then nothing happened and the cell is not a slip). A detector is scored
per cell: detected where it starts a new ambiguity arc there, a false alarm where it flags a cell of a
(epoch, satellite) without any slip.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..satsys import signal_id

__all__ = ["SlipCells", "slip_cells"]

_KEY = 1024  # satellite indices are < 1000


@dataclass(frozen=True)
class SlipCells:
    """Net slips per cell of an observables table.

    Attributes
    ----------
    row, col : numpy.ndarray of int64, shape (N,)
        Row of the observables and band column.
    size : numpy.ndarray, shape (N,)
        Net slip of the cell, cycles (never 0).
    cause : numpy.ndarray of str, shape (N,)
        Cause of the cell's event (``new-amb``, ``gf-pair``, ``mw-pair``, ``random``, ``user``); where
        several acted, the one listed first in that order (a re-acquisition, which sets the LLI, first).
    lli : numpy.ndarray of bool, shape (N,)
        The loss-of-lock indicator was set.
    n_cancelled : int
        Cells whose slips added up to zero (left out).
    n_unmatched : int
        Slips whose (epoch, satellite, signal) is not a cell of the table (another signal of the band
        chosen, or a system left out).
    """

    row: np.ndarray
    col: np.ndarray
    size: np.ndarray
    cause: np.ndarray
    lli: np.ndarray
    n_cancelled: int
    n_unmatched: int

    def __len__(self) -> int:
        return int(self.row.size)


_ORDER = ("new-amb", "gf-pair", "mw-pair", "random", "user")


def slip_cells(events, ob) -> SlipCells:
    """The slips of ``events`` on the cells of ``ob`` (module docstring).

    Parameters
    ----------
    events : EventTable
        ``SimResult.events`` (or an event table read back from truth.json).
    ob : Observables
        ``sim.obs.observables(bands)``.
    """
    sl = events.select("slip")
    key_ob = ob.epoch.astype(np.int64) * _KEY + ob.sat
    if not len(sl) or not key_ob.size:  # nothing to place, or no cell to place it on
        z = np.zeros(0, np.int64)
        return SlipCells(z, z, np.zeros(0), np.zeros(0, "U7"), np.zeros(0, bool), 0, len(sl))
    order = np.argsort(key_ob, kind="stable")
    e = np.searchsorted(ob.epoch_time_ns, sl.time_ns)
    e_ok = (e < ob.epoch_time_ns.size) & (
        ob.epoch_time_ns[np.minimum(e, ob.epoch_time_ns.size - 1)] == sl.time_ns
    )
    k = e * _KEY + sl.sat.astype(np.int64)
    row = order[np.minimum(np.searchsorted(key_ob[order], k), key_ob.size - 1)]
    hit = e_ok & (key_ob[row] == k)
    sig = signal_id(sl.signal).astype(np.int64)
    match = ob.signal[row] == sig[:, None]
    hit &= match.any(axis=1)
    col = np.argmax(match, axis=1)
    row, col, size = row[hit], col[hit], sl.size[hit]
    rank = np.array([_ORDER.index(str(c)) if str(c) in _ORDER else len(_ORDER) for c in sl.cause[hit]])
    cell = row.astype(np.int64) * 64 + col
    uniq, inv = np.unique(cell, return_inverse=True)
    net = np.bincount(inv, weights=size, minlength=uniq.size)
    first_rank = np.full(uniq.size, len(_ORDER))
    np.minimum.at(first_rank, inv, rank)
    lli = np.zeros(uniq.size, bool)
    np.logical_or.at(lli, inv, sl.lli[hit])
    keep = np.abs(net) > 0.5
    names = np.array([*_ORDER, "other"])
    return SlipCells(
        row=(uniq[keep] // 64).astype(np.int64),
        col=(uniq[keep] % 64).astype(np.int64),
        size=net[keep],
        cause=names[first_rank[keep]],
        lli=lli[keep],
        n_cancelled=int((~keep).sum()),
        n_unmatched=int((~hit).sum()),
    )
