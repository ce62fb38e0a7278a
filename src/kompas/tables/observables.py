"""Observables by band: per epoch and satellite, the best tracking mode of each frequency band.

An :class:`~kompas.tables.obs.ObsTable` holds one row per (epoch, satellite, signal), with every
tracking mode a receiver logged (BeiDou B1I as ``2I``, ``2Q`` or ``2X``; GPS L1 as ``1C`` and ``1W``).
Estimators want one value per band: :func:`observables_by_band` picks, for each (epoch, satellite) and
each requested band of its system, the tracking mode ranked first by a priority string per band
(:data:`kompas.satsys.BAND_PRIORITY` by default), and lays the values out as ``(rows, bands)`` arrays.

Choice within a band: among the modes of the band present at that epoch, those with a pseudorange
come first, then the modes that carry a phase of that satellite somewhere in the table, then the
priority order. So a mode that logged only a phase is used only when no mode of the band has a
pseudorange, and a mode that never carries a phase gives way to one that does: a RINEX 2 file assigns
GLONASS ``L2`` to P2 (``2P``) and its ``C2`` code to ``2C``, which the priority ranks first, and without
the rule every GLONASS G2 phase of such a file would be lost (set G's SLAC, RINEX 2.11 from a NetR9).
The rule looks at the whole table, not the epoch, so a mode whose phase is missing at one epoch keeps
the band (a gap, not a change of tracking mode within an arc).

Band columns are per system: column ``j`` of a BeiDou row is the ``j``-th band of ``bands["C"]``;
systems with fewer bands leave the extra columns empty (signal 255, NaN).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np

from ..errors import SignalError
from ..satsys import (
    BAND_PRIORITY,
    SYSTEM_LETTERS,
    GlonassChannels,
    carrier_frequency,
    nominal_frequency,
    sat_system,
    signal_band,
    signal_id,
    system_code,
)

__all__ = ["Observables", "observables_by_band", "NO_SIGNAL"]

NO_SIGNAL = 255
"""Signal id of an empty band column."""

_KEY_SAT = 1024  # rows are keyed epoch * 1024 + satellite index (indices < 800)


@dataclass(frozen=True)
class Observables:
    """Dense per-(epoch, satellite) observables, one column per band.

    Attributes
    ----------
    epoch : numpy.ndarray of int64, shape (R,)
        Index into ``epoch_time_ns``.
    sat : numpy.ndarray of int16, shape (R,)
        Satellite index.
    bands : dict[str, tuple[int, ...]]
        Band digits per system letter: column ``j`` of a row of system ``X`` is band ``bands[X][j]``.
    signal : numpy.ndarray of uint8, shape (R, B)
        Signal id chosen in each column (:data:`NO_SIGNAL` where the band has no observation).
    code_m, phase_cyc, doppler_hz : numpy.ndarray of float64, shape (R, B)
        Pseudorange (m), carrier phase (cycles), Doppler (Hz); NaN where missing, and for a phase
        whose LLI bit 1 (half-cycle ambiguity) is set.
    cn0_dbhz : numpy.ndarray of float32, shape (R, B)
        Signal strength.
    lli : numpy.ndarray of uint8, shape (R, B)
        Loss-of-lock indicator of the phase; bit 0 is also set on every phase of an epoch of flag 1
        (power failure), whose phases all start new arcs, and on the first phase after one flagged
        with bit 1 (half-cycle ambiguity), which is dropped.
    epoch_time_ns : numpy.ndarray of int64, shape (E,)
        The epochs of the table the observables come from (GPST ns).
    """

    epoch: np.ndarray
    sat: np.ndarray
    bands: dict
    signal: np.ndarray
    code_m: np.ndarray
    phase_cyc: np.ndarray
    doppler_hz: np.ndarray
    cn0_dbhz: np.ndarray
    lli: np.ndarray
    epoch_time_ns: np.ndarray

    def __len__(self) -> int:
        return int(self.sat.size)

    @property
    def time_ns(self) -> np.ndarray:
        """Epoch of each row, GPST ns."""
        return self.epoch_time_ns[self.epoch]

    @property
    def band(self) -> np.ndarray:
        """Band digit of each column of each row (0 where the system has no such column), (R, B)."""
        return np.where(self.signal != NO_SIGNAL, signal_band(self.signal), 0)

    def frequency_hz(self, glo_channels: GlonassChannels | None = None) -> np.ndarray:
        """Carrier frequency of each cell, Hz (NaN for empty cells), shape (R, B).

        With ``glo_channels`` GLONASS FDMA cells get their channel's frequency; without, the channel-0
        (nominal) frequency, which is enough to scale an ionospheric delay or form combinations.
        """
        sig = self.signal.astype(np.int64)
        empty = sig == NO_SIGNAL
        sats = np.broadcast_to(self.sat[:, None], sig.shape)
        if glo_channels is None:
            f = nominal_frequency(sat_system(sats), np.where(empty, 1, signal_band(sig)))
        else:
            f = carrier_frequency(sats[~empty], sig[~empty], glo_channels)
            f = _scatter(empty, f)
        return np.where(empty, np.nan, f)

    def rows(self, keep) -> Observables:
        """The observables of the rows ``keep`` (boolean mask or indices); epochs unchanged."""
        per_row = ("epoch", "sat", "signal", "code_m", "phase_cyc", "doppler_hz", "cn0_dbhz", "lli")
        return replace(self, **{name: getattr(self, name)[keep] for name in per_row})

    def without_phase(self, letters: str, pairs=None) -> str:
        """The systems of ``letters`` with no carrier phase on any of their bands at any epoch; with ``pairs``
        (band pairs per letter, e.g. the ionosphere-free pairs), with none on both bands of a pair at once."""
        out = ""
        for x in letters:
            have = np.isfinite(self.phase_cyc[sat_system(self.sat) == system_code(x)])
            own = self.bands.get(x, ())
            sets = (pairs or {}).get(x) or [(b,) for b in own]
            cols = [[own.index(b) for b in bb] for bb in sets if all(b in own for b in bb)]
            if not any(have[:, c].all(axis=1).any() for c in cols):
                out += x
        return out

    def column(self, letter_band: Mapping[str, int]) -> np.ndarray:
        """Column index holding a band per row (-1 where the row's system does not request it).

        Parameters
        ----------
        letter_band : mapping
            Band digit per system letter, e.g. ``{"C": 6, "G": 2}``.
        """
        table = np.full(8, -1, dtype=np.int64)
        for letter, band in letter_band.items():
            bands = self.bands.get(letter, ())
            if int(band) in bands:
                table[system_code(letter)] = bands.index(int(band))
        return table[sat_system(self.sat)]

    def take(self, col: np.ndarray):
        """Per row, the values of one column: ``(signal, code_m, phase_cyc, doppler_hz, cn0, lli)``.

        Rows whose ``col`` is -1 get an empty cell.
        """
        r = np.arange(self.sat.size)
        c = np.maximum(col, 0)
        bad = col < 0
        sig = np.where(bad, NO_SIGNAL, self.signal[r, c]).astype(np.uint8)
        pick = [np.where(bad, np.nan, a[r, c]) for a in (self.code_m, self.phase_cyc, self.doppler_hz)]
        cn0 = np.where(bad, np.nan, self.cn0_dbhz[r, c]).astype(np.float32)
        lli = np.where(bad, 0, self.lli[r, c]).astype(np.uint8)
        return sig, *pick, cn0, lli


def _scatter(mask, values):
    out = np.zeros(mask.shape)
    out[~mask] = values
    return out


def _band_tables(bands: Mapping[str, tuple[int, ...]], priority: Mapping[str, tuple[str, ...]] | None):
    """col[system, signal] (band column or -1) and rank[system, signal] (255 when not accepted)."""
    col = np.full((8, 256), -1, dtype=np.int64)
    rank = np.full((8, 256), 255, dtype=np.int64)
    for letter, band_list in bands.items():
        sc = system_code(letter)
        override = None if priority is None else priority.get(letter)
        for j, band in enumerate(band_list):
            if override is not None:
                modes = [c for c in override if c[0] == str(band)]
            else:
                modes = [str(band) + a for a in BAND_PRIORITY.get((letter, str(band)), "")]
            if not modes and override is not None:
                given, used = ", ".join(override), ", ".join(map(str, band_list))
                raise SignalError(
                    f"system {letter}: the signals given ({given}) include none of band {band}, one of the "
                    f"bands processed ({used}); choose the bands as well (--if-bands; --bands of rtk and of "
                    "ppp --observables uncombined)"
                )
            if not modes:
                raise SignalError(f"system {letter} has no tracking mode in band {band} to choose from")
            for k, code in enumerate(modes):
                sid = int(signal_id(code))
                col[sc, sid], rank[sc, sid] = j, k
    return col, rank


def observables_by_band(
    table,
    bands: Mapping[str, tuple[int, ...]],
    priority: Mapping[str, tuple[str, ...]] | None = None,
) -> Observables:
    """Choose one tracking mode per (epoch, satellite, band); see the module docstring.

    Parameters
    ----------
    table : ObsTable
    bands : mapping
        Band digits per system letter, in column order, e.g. ``{"C": (2, 6), "R": (1, 2)}``; systems not
        listed are left out.
    priority : mapping, optional
        Per system letter, the accepted signals in order of preference (``{"C": ("2I", "2X", "6I")}``),
        replacing :data:`kompas.satsys.BAND_PRIORITY` for that system; signals of a band not listed are
        not used.

    Returns
    -------
    Observables
    """
    if not isinstance(bands, Mapping) or not all(isinstance(b, tuple | list) for b in bands.values()):
        raise SignalError(
            f"bands must map system letters to band digits, e.g. {{'G': (1, 2)}}, not {bands!r}"
        )
    for letter in bands:
        if letter not in SYSTEM_LETTERS:
            raise SignalError(f"unknown system letter {letter!r}")
    n_col = max((len(b) for b in bands.values()), default=0)
    col_t, rank_t = _band_tables(bands, priority)
    sysc = sat_system(table.sat).astype(np.int64)
    sig = table.signal.astype(np.int64)
    col = col_t[sysc, sig]
    idx = np.flatnonzero((col >= 0) & (rank_t[sysc, sig] < 255))
    epoch = np.repeat(np.arange(table.n_epochs), np.diff(table.epoch_offsets))
    key = epoch[idx] * _KEY_SAT + table.sat[idx]
    no_code = ~np.isfinite(table.code_m[idx])
    no_phase = ~_carries_phase(table)[idx]
    order = np.lexsort((rank_t[sysc[idx], sig[idx]] + 256 * no_phase + 512 * no_code, col[idx], key))
    idx, key = idx[order], key[order]
    kc = key * 16 + col[idx]
    first = np.r_[True, kc[1:] != kc[:-1]] if kc.size else np.zeros(0, bool)
    idx, key = idx[first], key[first]
    new_row = np.r_[True, key[1:] != key[:-1]] if key.size else np.zeros(0, bool)
    row = np.cumsum(new_row) - 1
    n_row = int(new_row.sum())
    c = col[idx]

    def grid(values, fill, dtype):
        out = np.full((n_row, n_col), fill, dtype=dtype)
        out[row, c] = values[idx]
        return out

    row_epoch = (key[new_row] // _KEY_SAT).astype(np.int64)
    row_sat = (key[new_row] % _KEY_SAT).astype(np.int16)
    phase = grid(table.phase_cyc, np.nan, np.float64)
    lli = grid(table.lli, 0, np.uint8)
    # Epoch flag 1, "power failure between previous and current epoch" (RINEX 3.05 Table A3): the
    # receiver lost every phase track, so each phase of the epoch starts a new arc like a set LLI bit 0.
    power_failure = np.asarray(table.epoch_flag)[row_epoch] == 1
    lli[power_failure[:, None] & np.isfinite(phase)] |= 1
    signal = grid(table.signal, NO_SIGNAL, np.uint8)
    in_time = np.lexsort((row_epoch, row_sat))  # rows per satellite in time, for the arcs of each column
    _flag_mode_switches(in_time, row_sat, signal, phase, lli)
    _skip_half_cycles(in_time, row_sat, phase, lli)
    return Observables(
        epoch=row_epoch,
        sat=row_sat,
        bands={k: tuple(int(b) for b in v) for k, v in bands.items()},
        signal=signal,
        code_m=grid(table.code_m, np.nan, np.float64),
        phase_cyc=phase,
        doppler_hz=grid(table.doppler_hz, np.nan, np.float64),
        cn0_dbhz=grid(table.cn0_dbhz, np.nan, np.float32),
        lli=lli,
        epoch_time_ns=table.epoch_time_ns,
    )


def _carries_phase(table) -> np.ndarray:
    """Per row: whether the row's (satellite, signal) has a carrier phase at some epoch of the table."""
    pair = table.sat.astype(np.int64) * 256 + table.signal
    with_phase = np.unique(pair[np.isfinite(table.phase_cyc)])
    return np.isin(pair, with_phase)


def _flag_mode_switches(order, sat, signal, phase, lli) -> None:
    """Set LLI bit 0 where a band's phase comes from another tracking mode than the satellite's previous
    phase of that band (its preferred mode missing at an epoch: L2W then L2L, R L1C then L1P). The modes
    are separate tracking loops whose phases differ by whole cycles (-107 to +13 cycles on WTZZ, ESBC),
    so the column's arc cannot go on across the switch. ``order``: the rows sorted by satellite, then time.
    ``lli`` is changed in place."""
    for c in range(phase.shape[1]):
        rows = order[np.isfinite(phase[order, c])]  # the phases of the column, per satellite in time
        if rows.size < 2:
            continue
        switch = (sat[rows[1:]] == sat[rows[:-1]]) & (signal[rows[1:], c] != signal[rows[:-1], c])
        lli[rows[1:][switch], c] |= 1


def _skip_half_cycles(order, sat, phase, lli) -> None:
    """Drop the phases whose LLI bit 1 is set; the next phase of the satellite and band starts an arc.

    RINEX 3.05 Table A3 (LLI of an observation): bit 1 is "half-cycle ambiguity/slip possible.
    Software not capable of handling half cycles should skip this observation." Nothing here estimates
    half cycles, so the phase is skipped (its pseudorange is kept); the receiver may add the half cycle
    once it resolves it, so the next phase kept gets LLI bit 0 and begins a new ambiguity. In RINEX 2 the
    bit means the opposite of the header's wavelength factor, which is a half cycle for the usual factor
    1. ``order``: the rows sorted by satellite, then time; ``phase`` and ``lli`` are changed in place.
    """
    half = ((lli & 2) != 0) & np.isfinite(phase)
    if not half.any():
        return
    for c in np.flatnonzero(half.any(axis=0)):
        rows = order[np.isfinite(phase[order, c])]  # the phases of the column, per satellite in time
        h = half[rows, c]
        after_half = np.r_[False, h[:-1] & (sat[rows[1:]] == sat[rows[:-1]])]
        lli[rows[after_half & ~h], c] |= 1
    phase[half] = np.nan
