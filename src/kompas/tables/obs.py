"""The observation table: one long, sorted struct-of-arrays with O(1) epoch slices.

One row per (epoch, satellite, signal) holding the pseudorange, carrier phase, Doppler and
signal strength of that signal (NaN where the file has no value). Rows are sorted by time,
satellite index and signal id; ``epoch_offsets`` (CSR style) gives the rows of epoch ``k`` as
``slice(epoch_offsets[k], epoch_offsets[k + 1])``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

import numpy as np

from ..errors import ConfigError, KompasError
from ..satsys import (
    SYSTEM_LETTERS,
    GlonassChannels,
    rinex2_signal,
    sat_id,
    sat_index,
    sat_letter,
    sat_system,
    signal_code,
    signal_id,
    system_code,
)
from ..time import _as_ns, time_span, to_datetime64

__all__ = ["ObsHeader", "ObsTable"]

_KINDS = "CLDS"
_ROW_FIELDS = ("time_ns", "sat", "signal", "code_m", "phase_cyc", "doppler_hz", "cn0_dbhz", "lli", "ssi")


def _check_joinable(parts) -> None:
    """Parts of one receiver's record in time order (ConfigError otherwise): joined in another order, or
    twice, a table's epochs would repeat or go back in time, which the recipes take as data."""
    if not parts:
        raise ConfigError("ObsTable.concat needs at least one table")
    names = {p.header.marker_name for p in parts if p.header is not None and p.header.marker_name}
    if len(names) > 1:
        raise ConfigError(
            f"ObsTable.concat joins one receiver's tables, not those of {', '.join(sorted(names))}"
        )
    times = np.concatenate([p.epoch_time_ns for p in parts])
    if times.size and np.any(np.diff(times) <= 0):
        raise ConfigError("ObsTable.concat needs consecutive tables in time order, without repeated epochs")


@dataclass(frozen=True)
class ObsHeader:
    """Header of a RINEX observation file (RINEX 3.05 Table A2 names, SI units).

    Attributes
    ----------
    version : float
    system : str
        File system letter (``"M"`` for mixed).
    marker_name, marker_number, marker_type, observer, agency : str
    receiver_number, receiver_type, receiver_version : str
    antenna_number, antenna_type : str
        ``antenna_type`` is the 20-character IGS type with radome, right-stripped.
    approx_position_m : numpy.ndarray, shape (3,)
        ``APPROX POSITION XYZ``, m (NaN when absent); *not* a reference coordinate.
    antenna_delta_hen_m : numpy.ndarray, shape (3,)
        ``ANTENNA: DELTA H/E/N``: antenna reference point above the marker (up, east, north), m.
    obs_types : dict[str, tuple[str, ...]]
        Observation codes per system as written in the file (RINEX 2 codes such as ``"C1"`` for
        version 2 files).
    glonass_channels : GlonassChannels
        From ``GLONASS SLOT / FRQ #`` (empty when absent).
    glonass_cpb_m : dict[str, float]
        ``GLONASS COD/PHS/BIS`` code-phase biases, m.
    phase_shifts : tuple
        ``(system, code, shift_cycles, sats)`` per ``SYS / PHASE SHIFT`` record.
    scale_factors : dict[tuple[str, str], float]
        ``SYS / SCALE FACTOR``: (system, code) -> factor the file's values were multiplied by.
    time_system : str
        Time system of the epochs (``GPS``, ``GLO``, ``GAL``, ``BDT``, ``QZS``, ``IRN``).
    time_of_first_obs_ns, time_of_last_obs_ns : int or None
        GPST nanoseconds.
    interval_s : float or None
        ``INTERVAL``; None when absent or 0.
    leap_seconds : int or None
    signal_strength_unit : str
    rcv_clock_offset_applied : bool
    comments : tuple[str, ...]
    n_lines : int
        Number of header lines (the first data line is ``n_lines + 1``).
    """

    version: float
    system: str
    marker_name: str = ""
    marker_number: str = ""
    marker_type: str = ""
    observer: str = ""
    agency: str = ""
    receiver_number: str = ""
    receiver_type: str = ""
    receiver_version: str = ""
    antenna_number: str = ""
    antenna_type: str = ""
    approx_position_m: np.ndarray = field(default_factory=lambda: np.full(3, np.nan))
    antenna_delta_hen_m: np.ndarray = field(default_factory=lambda: np.zeros(3))
    obs_types: dict = field(default_factory=dict)
    glonass_channels: GlonassChannels = field(default_factory=GlonassChannels)
    glonass_cpb_m: dict = field(default_factory=dict)
    phase_shifts: tuple = ()
    scale_factors: dict = field(default_factory=dict)
    time_system: str = "GPS"
    time_of_first_obs_ns: int | None = None
    time_of_last_obs_ns: int | None = None
    interval_s: float | None = None
    leap_seconds: int | None = None
    signal_strength_unit: str = ""
    rcv_clock_offset_applied: bool = False
    comments: tuple = ()
    program: str = ""
    run_by: str = ""
    date: str = ""
    n_lines: int = 0


def _id_list(value) -> list:
    """Satellite ids or signal codes given to :meth:`ObsTable.select` -> a list: one text is one id (or
    several, ``"C19,G05"``; it was read as its characters), texts are upper-cased, indices pass."""
    items = value.replace(";", ",").split(",") if isinstance(value, str) else list(value)
    return [
        x.strip().upper() if isinstance(x, str) else x for x in items if not isinstance(x, str) or x.strip()
    ]


@dataclass(frozen=True, eq=False)
class ObsTable:
    """Observations of one receiver.

    Attributes
    ----------
    time_ns : numpy.ndarray of int64, shape (N,)
        Epoch of each row, GPST nanoseconds (receiver time tags, converted from the file's time
        system).
    sat : numpy.ndarray of int16
        Satellite index (:func:`kompas.satsys.sat_index`).
    signal : numpy.ndarray of uint8
        Signal id (:func:`kompas.satsys.signal_id`), e.g. the id of ``"2I"`` for BDS B1I.
    code_m : numpy.ndarray of float64
        Pseudorange, m.
    phase_cyc : numpy.ndarray of float64
        Carrier phase, cycles.
    doppler_hz : numpy.ndarray of float64
        Doppler, Hz.
    cn0_dbhz : numpy.ndarray of float32
        Signal strength in the header's unit (``SIGNAL STRENGTH UNIT``, normally dB-Hz).
        The file's three decimals are restored exactly by the exporters.
    lli : numpy.ndarray of uint8
        Loss-of-lock indicator of the phase (0 when blank).
    ssi : numpy.ndarray of uint8
        Signal-strength indicator 1-9 of the phase (of the code when there is no phase; 0 blank).
    epoch_time_ns : numpy.ndarray of int64, shape (E,)
        Every data epoch (flags 0 and 1), including epochs without any value.
    epoch_offsets : numpy.ndarray of int64, shape (E + 1,)
        Row range of each epoch.
    epoch_flag : numpy.ndarray of uint8, shape (E,)
        0 OK, 1 power failure since the previous epoch.
    epoch_clock_s : numpy.ndarray of float64, shape (E,)
        Receiver clock offset written on the epoch line, s (NaN when absent).
    header : ObsHeader
    events : tuple
        ``(line, flag, epoch text, records)`` of event epochs (flags 2-6), in file order.
    obs_code_layouts : tuple of dict
        The observation codes per system in force (a new layout starts when an event record
        redefines them); ``[0]`` is the header's.
    path : str or None
    sources : tuple of str
        The files of a session read as one (:mod:`kompas.io.readers.obs_files`), in time order; empty
        for a table of one file (``path`` names it). :attr:`files` gives either.
    """

    time_ns: np.ndarray
    sat: np.ndarray
    signal: np.ndarray
    code_m: np.ndarray
    phase_cyc: np.ndarray
    doppler_hz: np.ndarray
    cn0_dbhz: np.ndarray
    lli: np.ndarray
    ssi: np.ndarray
    epoch_time_ns: np.ndarray
    epoch_offsets: np.ndarray
    epoch_flag: np.ndarray
    epoch_clock_s: np.ndarray
    header: object
    events: tuple = ()
    obs_code_layouts: tuple = ()
    path: str | None = None
    sources: tuple = ()

    # -- basic views
    def __len__(self) -> int:
        return int(self.time_ns.size)

    def __repr__(self) -> str:
        """One line: marker, epochs and their span, observations, satellites per system, source files."""
        import os

        letters, counts = np.unique(sat_letter(np.unique(self.sat)), return_counts=True)
        sats = " ".join(f"{x}{n}" for x, n in zip(letters.tolist(), counts.tolist(), strict=True))
        span = f" {time_span(self.epoch_time_ns)} GPST" if self.n_epochs else ""
        name = getattr(self.header, "marker_name", "") or ""
        marker = f"{name}: " if name else ""
        files = self.files
        more = f" and {len(files) - 1} more" if len(files) > 1 else ""
        source = f", {os.path.basename(str(files[0]))}{more}" if files else ""
        epochs = f"{self.n_epochs} epoch{'s' if self.n_epochs != 1 else ''}{span}"
        rows = f"{len(self)} observation{'s' if len(self) != 1 else ''}"
        return f"ObsTable({marker}{epochs}, {rows}, satellites {sats or 'none'}{source})"

    @property
    def files(self) -> tuple:
        """The files the table was read from (empty for a table made in memory)."""
        return self.sources or ((self.path,) if self.path is not None else ())

    @property
    def n_epochs(self) -> int:
        return int(self.epoch_time_ns.size)

    def epoch_rows(self, k: int) -> slice:
        """Row slice of epoch ``k`` (O(1)): ``obs.code_m[obs.epoch_rows(k)]``."""
        return slice(int(self.epoch_offsets[k]), int(self.epoch_offsets[k + 1]))

    def epochs(self, start: int, stop: int) -> ObsTable:
        """Epochs ``start <= k < stop`` as a table of views into this one (O(1), no copy)."""
        n = self.n_epochs
        a, b = max(0, min(int(start), n)), max(0, min(int(stop), n))
        b = max(a, b)
        r0, r1 = int(self.epoch_offsets[a]), int(self.epoch_offsets[b])
        rows = {f: getattr(self, f)[r0:r1] for f in _ROW_FIELDS}
        return replace(
            self,
            **rows,
            epoch_time_ns=self.epoch_time_ns[a:b],
            epoch_offsets=self.epoch_offsets[a : b + 1] - r0,
            epoch_flag=self.epoch_flag[a:b],
            epoch_clock_s=self.epoch_clock_s[a:b],
        )

    @classmethod
    def concat(cls, parts) -> ObsTable:
        """Consecutive tables of one receiver as one (rows and epochs joined; header of the first)."""
        parts = [p for p in parts]
        _check_joinable(parts)
        if len(parts) == 1:
            return parts[0]
        rows = {f: np.concatenate([getattr(p, f) for p in parts]) for f in _ROW_FIELDS}
        counts = np.concatenate([np.diff(p.epoch_offsets) for p in parts])
        first = parts[0]
        layouts = []  # every part's RINEX 2 layouts: to_xarray names its variables from them
        for p in parts:
            layouts += [lay for lay in p.obs_code_layouts if lay not in layouts]
        return replace(
            first,
            **rows,
            obs_code_layouts=tuple(layouts),
            epoch_time_ns=np.concatenate([p.epoch_time_ns for p in parts]),
            epoch_offsets=np.concatenate([[0], np.cumsum(counts)]).astype(np.int64),
            epoch_flag=np.concatenate([p.epoch_flag for p in parts]),
            epoch_clock_s=np.concatenate([p.epoch_clock_s for p in parts]),
            events=tuple(e for p in parts for e in p.events),
        )

    def take_epochs(self, epochs, rows=None) -> ObsTable:
        """A copy with the epochs where ``epochs`` (bool, (E,)) is True, or with the epochs of ``epochs``
        given as indices; ``rows`` is the matching row mask (computed from the offsets when omitted).

        Raises
        ------
        ConfigError
            A mask of another length, an index outside the epochs, a row mask that does not match.
        """
        epochs = np.asarray(epochs)
        if epochs.dtype.kind in "iu":  # epoch indices: the mask they select
            out = (epochs < -self.n_epochs) | (epochs >= self.n_epochs)
            if out.any():
                raise ConfigError(
                    f"take_epochs: epoch index {epochs[out].flat[0]} outside 0..{self.n_epochs - 1}"
                )
            mask = np.zeros(self.n_epochs, bool)
            mask[epochs] = True
            epochs = mask
        epochs = epochs.astype(bool)
        if epochs.shape != (self.n_epochs,):
            raise ConfigError(
                f"take_epochs needs a mask of the {self.n_epochs} epochs, got shape {epochs.shape}"
            )
        counts = np.diff(self.epoch_offsets)[epochs]
        if rows is None:
            rows = np.repeat(epochs, np.diff(self.epoch_offsets))
        else:  # a mask that also drops rows within kept epochs would shift rows between epochs
            rows = np.asarray(rows, dtype=bool)
            if rows.shape != (len(self),) or int(rows.sum()) != int(counts.sum()):
                raise ConfigError(
                    "take_epochs: rows must be the row mask of the epochs kept (keep_rows drops rows within "
                    f"epochs); got {int(rows.sum())} of {rows.size} rows for {int(counts.sum())} rows in "
                    f"{int(epochs.sum())} epochs"
                )
        return replace(
            self,
            **{f: getattr(self, f)[rows] for f in _ROW_FIELDS},
            epoch_time_ns=self.epoch_time_ns[epochs],
            epoch_offsets=np.concatenate([[0], np.cumsum(counts)]).astype(np.int64),
            epoch_flag=self.epoch_flag[epochs],
            epoch_clock_s=self.epoch_clock_s[epochs],
        )

    def keep_rows(self, rows) -> ObsTable:
        """A copy with the rows where ``rows`` (bool, (R,)) is True; every epoch stays, an epoch whose rows
        all go stays empty."""
        rows = np.asarray(rows, dtype=bool)
        if rows.shape != (len(self),):
            raise ConfigError(f"keep_rows needs a mask of the {len(self)} rows, got shape {rows.shape}")
        epoch_of_row = np.repeat(np.arange(self.n_epochs), np.diff(self.epoch_offsets))
        counts = np.bincount(epoch_of_row[rows], minlength=self.n_epochs)
        return replace(
            self,
            **{f: getattr(self, f)[rows] for f in _ROW_FIELDS},
            epoch_offsets=np.concatenate([[0], np.cumsum(counts)]).astype(np.int64),
        )

    def epoch(self, k: int) -> ObsTable:
        """Epoch ``k`` as a one-epoch table (O(1) view); ``obs.epoch(0).to_pandas()``.

        Raises
        ------
        ConfigError
            ``k`` not an integer (``0.7`` read as epoch 0 before).
        IndexError
            ``k`` outside the epochs (negative ``k`` count from the end, as a sequence's index).
        """
        if isinstance(k, bool) or not isinstance(k, int | np.integer):
            raise ConfigError(f"epoch index must be an integer, not {k!r}")
        if not -self.n_epochs <= k < self.n_epochs:
            raise IndexError(f"epoch {k} outside 0..{self.n_epochs - 1}")
        k = k % self.n_epochs
        return self.epochs(k, k + 1)

    def observables(self, bands, priority=None):
        """Per (epoch, satellite) the best tracking mode of each band: see
        :func:`kompas.tables.observables.observables_by_band`.

        Parameters
        ----------
        bands : mapping
            Band digits per system letter, e.g. ``{"C": (2, 6), "R": (1, 2)}``.
        priority : mapping, optional
            Accepted signals per system letter in order of preference (``{"C": ("2I", "2X")}``).
        """
        from .observables import observables_by_band

        return observables_by_band(self, bands, priority)

    @property
    def satellites(self) -> np.ndarray:
        """Satellite indices present, sorted."""
        return np.unique(self.sat)

    @property
    def systems(self) -> str:
        """System letters present, in kompas order (``"GRECJSI"``)."""
        present = set(np.unique(sat_system(self.sat)).tolist())
        return "".join(letter for i, letter in enumerate(SYSTEM_LETTERS, start=1) if i in present)

    @property
    def station(self):
        """The station's :class:`~kompas.tables.station.StationInfo` (from the header)."""
        from .station import StationInfo

        h = self.header
        if h is None:
            return StationInfo()
        return StationInfo(
            marker_name=h.marker_name,
            marker_number=h.marker_number,
            receiver_type=h.receiver_type,
            receiver_version=h.receiver_version,
            antenna_type=h.antenna_type,
            antenna_delta_hen_m=np.asarray(h.antenna_delta_hen_m, dtype=float),
            approx_position_m=np.asarray(h.approx_position_m, dtype=float),
        )

    def interval_s(self) -> float | None:
        """The most common spacing of the epochs, s (None with fewer than two epochs)."""
        if self.n_epochs < 2:
            return None
        d = np.diff(self.epoch_time_ns)
        vals, counts = np.unique(d, return_counts=True)
        return float(vals[np.argmax(counts)]) / 1e9

    def codes_by_system(self) -> dict[str, list[str]]:
        """Observation codes with at least one value, per system (``{"C": ["C2I", "L2I", ...]}``)."""
        key = sat_system(self.sat).astype(np.int64) * 256 + self.signal
        present: dict[str, list[str]] = {}
        cols = (self.code_m, self.phase_cyc, self.doppler_hz, self.cn0_dbhz)
        for kind, col in zip(_KINDS, cols, strict=True):  # one unique per kind, not a mask per signal
            keys = np.unique(key[np.isfinite(col)])
            for k, code in zip(keys.tolist(), signal_code(keys % 256).tolist(), strict=True):
                present.setdefault(SYSTEM_LETTERS[k // 256 - 1], []).append(kind + code)
        return {
            letter: sorted(present[letter], key=lambda c: (c[1:], _KINDS.index(c[0])))
            for letter in SYSTEM_LETTERS
            if letter in present
        }

    # -- selection
    def select(
        self,
        systems: str | Iterable[str] | None = None,
        sats: str | Iterable | None = None,
        signals: str | Iterable[str] | None = None,
        start_ns: int | None = None,
        end_ns: int | None = None,
    ) -> ObsTable:
        """A new table with the rows that match every given criterion.

        Parameters
        ----------
        systems : str or iterable of str, optional
            System letters, e.g. ``"CR"``.
        sats : str or iterable, optional
            Satellite ids (``"C19"``, any case) or indices; one id, or several, as text: ``"C19,G05"``.
        signals : str or iterable of str, optional
            Signals (``"2I"``) or observation codes (``"C2I"``; the whole signal row is kept); one, or
            several as text: ``"2I,6I"``.
        start_ns, end_ns : int or GTime, optional
            Time window in GPST ns, ``start <= t < end`` (``datetime64`` is a ``TimeError``:
            :func:`kompas.time.from_datetime64` converts it).
        """
        m = np.ones(len(self), dtype=bool)
        em = np.ones(self.n_epochs, dtype=bool)
        if systems is not None:
            codes = [int(system_code(s)) for s in "".join(systems).upper() if s in SYSTEM_LETTERS]
            if len(codes) != len([s for s in "".join(systems) if s.strip() and s != ","]):
                raise KompasError(
                    f"unknown system letter in {systems!r}; expected letters of {SYSTEM_LETTERS}"
                )
            m &= np.isin(sat_system(self.sat), codes)
        if sats is not None:
            s = np.asarray(_id_list(sats))
            idx = sat_index(s) if s.dtype.kind in "US" else s.astype(np.int16)
            m &= np.isin(self.sat, idx)
        if signals is not None:
            m &= np.isin(self.signal, np.atleast_1d(signal_id(_id_list(signals))))
        if start_ns is not None:
            start_ns = _as_ns(start_ns, "start_ns")
            m &= self.time_ns >= start_ns
            em &= self.epoch_time_ns >= start_ns
        if end_ns is not None:
            end_ns = _as_ns(end_ns, "end_ns")
            m &= self.time_ns < end_ns
            em &= self.epoch_time_ns < end_ns
        rows = {f: getattr(self, f)[m] for f in _ROW_FIELDS}
        etime = self.epoch_time_ns[em]
        e_of_row = np.searchsorted(etime, rows["time_ns"])
        offsets = np.concatenate([[0], np.cumsum(np.bincount(e_of_row, minlength=etime.size))]).astype(
            np.int64
        )
        return replace(
            self,
            **rows,
            epoch_time_ns=etime,
            epoch_offsets=offsets,
            epoch_flag=self.epoch_flag[em],
            epoch_clock_s=self.epoch_clock_s[em],
        )

    # -- export
    def _cn0_f8(self) -> np.ndarray:
        # RINEX signal strengths have 3 decimals: rounding the float32 recovers the file's value exactly
        return np.round(self.cn0_dbhz.astype(np.float64), 3)

    def _long_columns(self) -> dict:
        return {
            "time": to_datetime64(self.time_ns),
            "sv": sat_id(self.sat) if len(self) else np.zeros(0, "U3"),
            "signal": signal_code(self.signal) if len(self) else np.zeros(0, "U2"),
            "code_m": self.code_m,
            "phase_cyc": self.phase_cyc,
            "doppler_hz": self.doppler_hz,
            "cn0_dbhz": self._cn0_f8(),
            "lli": self.lli,
            "ssi": self.ssi,
        }

    def to_pandas(self):
        """Long ``pandas.DataFrame``: time (datetime64, GPST), sv, signal and the value columns."""
        import pandas as pd

        return pd.DataFrame(self._long_columns())

    def to_polars(self):
        """The long table of :meth:`to_pandas` as a ``polars.DataFrame`` (polars is imported only here;
        missing values stay NaN, as in the arrays)."""
        import polars as pl

        return pl.DataFrame(self._long_columns(), nan_to_null=False)

    def to_xarray(self):
        """Dense ``xarray.Dataset`` in georinex's layout: dims (time, sv), one variable per code.

        Variable names are the file's observation codes (``"C2I"``; RINEX 2 files keep ``"C1"``,
        ``"P2"``...). Times are GPST (``datetime64[ns]``).
        """
        import xarray as xr

        v2 = self.header.version < 3
        svs = np.unique(self.sat)
        t_idx = np.searchsorted(self.epoch_time_ns, self.time_ns)
        s_idx = np.searchsorted(svs, self.sat)
        shape = (self.n_epochs, svs.size)
        cols = {"C": self.code_m, "L": self.phase_cyc, "D": self.doppler_hz, "S": self._cn0_f8()}
        sys_code = sat_system(self.sat)
        names: dict[str, set[tuple[int, str, int]]] = {}
        # RINEX 3/4 codes name themselves: those with values; RINEX 2 codes ("P2") come from the file's
        # layouts (every one: a file may change its types), each system's meaning from rinex2_signal
        layouts = self.obs_code_layouts if v2 else (self.codes_by_system(),)
        for sys_letter, codes in ((k, c) for layout in layouts for k, c in layout.items()):
            for code in codes:
                if v2:
                    m = rinex2_signal(sys_letter, code, codes)  # None: no meaning for the system (NavIC)
                    if m is None:
                        continue
                    kind, sig = m
                else:
                    kind, sig = code[0], code[1:]
                names.setdefault(code, set()).add((int(system_code(sys_letter)), kind, int(signal_id(sig))))
        data = {}
        for code, targets in names.items():
            arr = np.full(shape, np.nan)
            for sc, kind, sig in targets:
                rows = (sys_code == sc) & (self.signal == sig)
                arr[t_idx[rows], s_idx[rows]] = cols[kind][rows]
            if np.isfinite(arr).any():
                data[code] = (("time", "sv"), arr)
        return xr.Dataset(
            data,
            coords={
                "time": to_datetime64(self.epoch_time_ns),
                "sv": sat_id(svs),
            },
            attrs={"version": self.header.version, "time_system": self.header.time_system},
        )
