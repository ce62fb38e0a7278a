"""Bias-SINEX 1.00 reader: observable-specific (OSB) and differential (DSB) signal biases.

Format: *SINEX_BIAS - Solution (Software/technique) INdependent EXchange Format for GNSS Biases,
Version 1.00* (S. Schaer, IGS Bias and Calibration Working Group, 2016). Sections used:
header line (``%=BIA``), ``FILE/REFERENCE``, ``FILE/COMMENT``, ``BIAS/DESCRIPTION`` and
``BIAS/SOLUTION``; other blocks are skipped.

``BIAS/SOLUTION`` columns (1-based, as in the spec's ``*BIAS SVN_ PRN STATION__ ...`` line)::

    2-5 BIAS  7-10 SVN  12-14 PRN  16-24 STATION  26-29 OBS1  31-34 OBS2
    36-49 BIAS_START  51-64 BIAS_END  66-69 UNIT  71-91 ESTIMATED_VALUE  93-103 STD_DEV
    105-125 ESTIMATED_SLOPE  127-137 STD_DEV (slope)

Times ``YYYY:DDD:SSSSS`` (or the older ``YY:DDD:SSSSS``) are read in the file's ``TIME_SYSTEM``
(``G`` = GPS time when absent) and stored as GPST nanoseconds; ``0000:000:00000`` is an open end.
A bias applies for ``start <= t < end``; when windows of one bias overlap, the one that starts
last wins. A blank ``BIAS_END`` is the format's "time stamp" mode: "piece-wise linear interpolation is
assumed for times in between" (Bias-SINEX 1.00 summary of changes); such a row is stored with an open
end and marked in ``stamp``, and the lookups interpolate between it and the next stamp of the same bias
(after the last stamp its value holds).

Units: rows in ``ns`` are converted to seconds; rows in ``cyc`` (phase biases) stay in cycles and keep
their unit; the lookups turn them into seconds with the carrier frequency when it is given. Slopes
(``ESTIMATED_SLOPE``) are read but not applied (the format names no reference epoch for them); a file
with a slope says so in a warning.
"""

from __future__ import annotations

import math
import os
import re
import warnings
from dataclasses import dataclass, field

import numpy as np

from ...errors import KompasError, KompasWarning, SignalError, TruncatedFileWarning, caller_stacklevel
from ...satsys import SYSTEM_LETTERS, sat_index
from ...time import NS, _as_ns, from_datetime64, normalize_scale
from .._open import file_name, read_text
from .._text import REQUIRED, LineParser, parse_float, parse_int

__all__ = ["BiasData", "read_bias", "OPEN_END_NS"]

OPEN_END_NS = np.iinfo(np.int64).max
"""``end_ns`` of a bias whose validity has no end."""

_SYSTEMS = SYSTEM_LETTERS
_TIME_RE = re.compile(r"^(\d{2}|\d{4}):(\d{3}):(\d{5})$")
# TIME_SYSTEM values of Bias-SINEX 1.00 (BIAS/DESCRIPTION): a system letter, UTC or TAI.
_TIME_SYSTEMS = {"G": "GPST", "E": "GST", "C": "BDT", "R": "GLONASST", "J": "GPST", "I": "GPST"}
_UNIT_SCALE = {"ns": 1e-9, "cyc": 1.0}


@dataclass(frozen=True, eq=False)
class BiasData:
    """The biases of a Bias-SINEX file as one long table (struct of arrays, one row per record).

    Attributes
    ----------
    kind : numpy.ndarray of <U3
        ``"OSB"``, ``"DSB"`` or ``"ISB"``.
    svn : numpy.ndarray of <U4
        SVN field (``"G080"``; only the system letter for station rows, e.g. ``"G"``).
    sat : numpy.ndarray of int16
        Satellite index from the PRN field (``kompas.satsys.sat_index``); -1 when the PRN field
        holds no satellite number (station biases valid for a whole system).
    system : numpy.ndarray of <U1
        System letter from the PRN field (or the SVN field when the PRN field is blank).
    station : numpy.ndarray of <U9
        Station name; empty for satellite biases.
    obs1, obs2 : numpy.ndarray of <U4
        RINEX 3 observation codes (``"C1C"``, ``"L2W"``); ``obs2`` is empty for OSB rows.
    start_ns, end_ns : numpy.ndarray of int64
        Validity window in GPST nanoseconds; ``end_ns`` is :data:`OPEN_END_NS` when open.
    unit : numpy.ndarray of <U3
        ``"s"`` for rows given in ns in the file (converted), ``"cyc"`` for rows in cycles.
    value, std : numpy.ndarray of float64
        Estimated bias and its standard deviation in ``unit`` (seconds or cycles); ``std`` is NaN
        when blank.
    slope_per_s, slope_std_per_s : numpy.ndarray of float64
        Optional slope and its standard deviation, in ``unit`` per second as the format defines
        them; NaN when absent.
    description : dict[str, str]
        ``BIAS/DESCRIPTION`` keywords; a keyword given several times has its values joined with
        newlines.
    clock_reference : dict[str, tuple[str, ...]]
        ``SATELLITE_CLOCK_REFERENCE_OBSERVABLES`` per system letter (``{"G": ("C1W", "C2W")}``).
    time_system : str
        Scale of the file's epochs (``"GPST"``, ``"GST"``, ``"BDT"``, ``"GLONASST"``, ``"UTC"``, ``"TAI"``).
    reference : dict[str, str]
        ``FILE/REFERENCE`` entries (``DESCRIPTION``, ``OUTPUT``, ``SOFTWARE``...).
    comments : tuple of str
        ``FILE/COMMENT`` lines.
    version : str
        Format version of the header line (``"1.00"``).
    agency, data_agency : str
        File and data agency codes of the header line.
    created_ns, file_start_ns, file_end_ns : int or None
        Header creation time and data span in GPST ns (None when ``0000:000:00000``).
    bias_mode : str
        ``"A"`` absolute or ``"R"`` relative (header line).
    n_declared : int
        Number of estimates declared in the header line (not enforced).
    path : str or None
        The file read.
    stamp : numpy.ndarray of bool or None
        Rows of the "time stamp" mode (blank ``BIAS_END``), interpolated linearly to the next stamp.
    """

    kind: np.ndarray
    svn: np.ndarray
    sat: np.ndarray
    system: np.ndarray
    station: np.ndarray
    obs1: np.ndarray
    obs2: np.ndarray
    start_ns: np.ndarray
    end_ns: np.ndarray
    unit: np.ndarray
    value: np.ndarray
    std: np.ndarray
    slope_per_s: np.ndarray
    slope_std_per_s: np.ndarray
    description: dict
    clock_reference: dict
    time_system: str
    reference: dict
    comments: tuple
    version: str
    agency: str
    data_agency: str
    created_ns: int | None
    file_start_ns: int | None
    file_end_ns: int | None
    bias_mode: str
    n_declared: int
    path: str | None = None
    stamp: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.kind)

    def __repr__(self) -> str:
        kinds = {str(k): int(n) for k, n in zip(*np.unique(self.kind, return_counts=True), strict=True)}
        return f"BiasData({len(self)} rows {kinds}, time_system={self.time_system!r}, path={self.path!r})"

    # -- lookups
    def osb(self, sat, obs, t_gpst_ns, station: str | None = None, *, frequency_hz=None):
        """Observable-specific bias of satellites (or of a station's receiver) at given times.

        Parameters
        ----------
        sat : int, str or array_like
            Satellite indices or ids (``"C19"``).
        obs : str or array_like of str
            RINEX 3 observation codes (``"C2I"``, ``"L1C"``).
        t_gpst_ns : int, GTime or array_like of int64
            Instants in GPST nanoseconds. ``sat``, ``obs`` and ``t_gpst_ns`` broadcast together.
        station : str, optional
            None for the satellite bias; a station name for that station's receiver bias: a row
            for the very satellite (GLONASS frequency-dependent receiver biases) is preferred,
            otherwise the row of the satellite's system (blank PRN number).
        frequency_hz : float or array_like, optional
            Carrier frequency of each query (broadcast with the others): rows given in cycles are
            turned into seconds (cycles / frequency); NaN where a query has no frequency.

        Returns
        -------
        numpy.ndarray of float64
            The bias in seconds, from the latest-starting row whose validity window holds ``t``; NaN
            where no row applies (no row for that satellite and observable, or none whose window
            holds ``t``). 0-d inputs give a 0-d array.

        Raises
        ------
        SignalError
            If a matching row is given in cycles and ``frequency_hz`` is not given.
        TimeError
            Times that are not integer nanoseconds (``datetime64``: :func:`kompas.time.from_datetime64`).
        """
        return self._lookup("OSB", sat, obs, None, t_gpst_ns, station, frequency_hz)

    def dsb(self, sat, obs1, obs2, t_gpst_ns, station: str | None = None, *, frequency_hz=None):
        """Differential bias ``B(obs1) - B(obs2)`` of satellites (or a station) in seconds.

        A row given for the reversed pair ``(obs2, obs1)`` is used with its sign changed.
        Arguments and result as in :meth:`osb`.
        """
        direct = self._lookup("DSB", sat, obs1, obs2, t_gpst_ns, station, frequency_hz)
        if not np.any(np.isnan(direct)):
            return direct
        reverse = self._lookup("DSB", sat, obs2, obs1, t_gpst_ns, station, frequency_hz)
        return np.where(np.isnan(direct), -reverse, direct)

    def _lookup(self, kind, sat, obs1, obs2, t, station, frequency_hz=None):
        sat = np.asarray(sat)
        if sat.dtype.kind in "US":
            sat = sat_index(sat)
        sat, ob1, ob2, t, freq = np.broadcast_arrays(
            sat.astype(np.int64),
            np.char.strip(np.asarray(obs1, dtype="U4")),
            np.char.strip(np.asarray("" if obs2 is None else obs2, dtype="U4")),
            _as_ns(t, "t_gpst_ns"),
            np.asarray(np.nan if frequency_hz is None else frequency_hz, dtype=np.float64),
        )
        qpair = np.char.add(np.char.add(ob1, "/"), ob2)
        rows = self.kind == kind
        if station is None:
            rows &= (self.station == "") & (self.sat >= 0)
            idx, nxt = _latest(self, rows, self.sat.astype(np.int64), qpair, sat, t)
        else:
            rows &= np.char.upper(self.station) == station.strip().upper()
            idx, nxt = _latest(self, rows & (self.sat >= 0), self.sat.astype(np.int64), qpair, sat, t)
            need = idx < 0
            if np.any(need):
                sys_code = _system_codes(self.system)
                idx2, nxt2 = _latest(self, rows & (self.sat < 0), sys_code, qpair, sat // 100, t)
                idx, nxt = np.where(need, idx2, idx), np.where(need, nxt2, nxt)
        hit = idx >= 0
        if not len(self) or not hit.any():
            return np.full(idx.shape, np.nan)
        at = np.where(hit, idx, 0)
        value = np.where(hit, self.value[at], np.nan)
        if self.stamp is not None:  # time stamps: linear to the next stamp of the same bias
            lin = hit & self.stamp[at] & (nxt >= 0)
            nx = np.where(lin, nxt, at)
            span = np.where(lin, self.start_ns[nx] - self.start_ns[at], 1).astype(np.float64)
            frac = np.where(lin, (t - self.start_ns[at]) / span, 0.0)
            value = np.where(lin, value + (self.value[nx] - value) * frac, value)
        cyc = hit & (self.unit[at] == "cyc")
        if frequency_hz is None and np.any(cyc):
            bad = int(at[cyc].ravel()[0])
            raise SignalError(
                f"{kind} {self.obs1[bad]} {self.obs2[bad]} of {self.svn[bad]} {self.station[bad]} is "
                f"given in cycles: its carrier frequency is needed (frequency_hz)"
            )
        # a query without a usable frequency gets no bias from a row in cycles
        per = np.where(cyc & (freq > 0), freq, np.where(cyc, np.nan, 1.0))
        return np.where(cyc, value / per, value)

    def to_pandas(self):
        """The bias table as a ``pandas.DataFrame`` (pandas is imported only here)."""
        import pandas as pd

        cols = ("kind", "svn", "sat", "system", "station", "obs1", "obs2", "start_ns", "end_ns", "unit",
                "value", "std", "slope_per_s", "slope_std_per_s")  # fmt: skip
        return pd.DataFrame({c: getattr(self, c) for c in cols})


def _system_codes(letters: np.ndarray) -> np.ndarray:
    """System letters -> Constellation codes (0 for an empty letter)."""
    lut = {c: i + 1 for i, c in enumerate(_SYSTEMS)}
    return np.array([lut.get(s, 0) for s in letters], dtype=np.int64)


def _latest(bd: BiasData, rows: np.ndarray, row_key: np.ndarray, qpair, qkey, t):
    """Row index of the latest-starting row with the query's key and pair whose window holds ``t``, else
    -1; and the index of the row of that key and pair starting next (-1 where none)."""
    out = np.full(t.shape, -1, dtype=np.int64)
    nxt = np.full(t.shape, -1, dtype=np.int64)
    cand = np.flatnonzero(rows)
    if cand.size == 0 or t.size == 0:
        return out, nxt
    rpair = np.char.add(np.char.add(bd.obs1[cand], "/"), bd.obs2[cand])
    vocab, rcode = np.unique(rpair, return_inverse=True)
    qcode = np.searchsorted(vocab, qpair)
    known = (qcode < len(vocab)) & (vocab[np.minimum(qcode, len(vocab) - 1)] == qpair)
    npair = len(vocab)
    dt = np.dtype([("k", "<i8"), ("t", "<i8")])
    table = np.empty(cand.size, dtype=dt)
    table["k"] = row_key[cand] * npair + rcode
    table["t"] = bd.start_ns[cand]
    order = np.argsort(table, order=("k", "t"), kind="stable")
    table = table[order]
    q = np.empty(t.size, dtype=dt)
    q["k"] = (qkey.ravel() * npair + np.minimum(qcode, npair - 1).ravel()).astype(np.int64)
    q["t"] = t.ravel()
    tq = t.ravel()
    end = bd.end_ns[cand[order]]
    pos = np.searchsorted(table, q, side="right") - 1
    ok = np.zeros(tq.size, dtype=bool)
    # step back past rows of the key that ended before t to the latest-starting one still open at t:
    # an earlier, longer window (a day's row under an hour's) holds where the later one has ended
    todo = known.ravel() & (pos >= 0)
    while todo.any():
        safe = np.maximum(pos, 0)
        todo &= table["k"][safe] == q["k"]
        hit = todo & (tq < end[safe])
        ok |= hit
        todo &= ~hit
        pos = np.where(todo, pos - 1, pos)
        todo &= pos >= 0
    safe = np.maximum(pos, 0)
    rows_idx = cand[order[safe]]
    out.ravel()[:] = np.where(ok, rows_idx, -1)
    after = np.minimum(pos + 1, table.size - 1)
    more = ok & (pos + 1 < table.size) & (table["k"][after] == q["k"])
    nxt.ravel()[:] = np.where(more, cand[order[after]], -1)
    return out, nxt


# ----------------------------------------------------------------------------------------------
# Parsing


def _float(text: str, what: str, blank_ok: bool = False) -> float:
    return parse_float(text, what, math.nan if blank_ok else REQUIRED)


def _sinex_time(text: str, what: str) -> tuple[int, int, int]:
    """``YYYY:DDD:SSSSS`` -> (year, doy, sod); (0, 0, 0) for the open/unknown epoch."""
    m = _TIME_RE.match(text.strip())
    if not m:
        raise ValueError(f"expected {what} as YYYY:DDD:SSSSS, found {text.strip()!r}")
    y, doy, sod = (int(g) for g in m.groups())
    if (y, doy, sod) == (0, 0, 0):
        return 0, 0, 0
    if len(m.group(1)) == 2:  # SINEX two-digit years: 50..99 -> 19xx, 00..49 -> 20xx
        y += 1900 if y >= 50 else 2000
    if not 1980 <= y <= 2200 or not 1 <= doy <= 366 or sod > 86400:
        raise ValueError(f"{what} {text.strip()!r} is not a valid YYYY:DDD:SSSSS epoch")
    return y, doy, sod


def _to_gpst(ydoy: np.ndarray, scale: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(n, 3) year/doy/sod rows read in ``scale`` -> (GPST ns, open mask, bad-day mask)."""
    ydoy = np.asarray(ydoy, dtype=np.int64).reshape(-1, 3)
    open_ = ydoy[:, 0] == 0
    y = np.where(open_, 2000, ydoy[:, 0])
    doy = np.where(open_, 1, ydoy[:, 1])
    sod = np.where(open_, 0, ydoy[:, 2])
    jan1 = (y - 1970).astype("datetime64[Y]")
    day = jan1.astype("datetime64[D]") + (doy - 1).astype("timedelta64[D]")
    bad = (day.astype("datetime64[Y]") != jan1) & ~open_  # day 366 of a common year
    stamp = day.astype("datetime64[ns]") + (sod * NS).astype("timedelta64[ns]")
    return np.where(open_, 0, from_datetime64(stamp, scale)), open_, bad


@dataclass
class _Body:
    """What the blocks of a Bias-SINEX file hold, gathered line by line."""

    rows: list = field(default_factory=list)
    times: list = field(default_factory=list)
    line_nos: list = field(default_factory=list)
    description: dict = field(default_factory=dict)
    clock_ref: dict = field(default_factory=dict)
    reference: dict = field(default_factory=dict)
    comments: list = field(default_factory=list)
    time_system_line: tuple | None = None

    def add(self, block: str, line: str, n: int) -> None:
        """One data line of a block other than BIAS/SOLUTION (unknown blocks are skipped)."""
        if block == "BIAS/DESCRIPTION":
            key, val = line[1:40].strip(), line[40:].strip()
            if key == "TIME_SYSTEM":
                self.time_system_line = (n, val)
            if key == "SATELLITE_CLOCK_REFERENCE_OBSERVABLES":
                parts = val.split()
                if parts:
                    self.clock_ref[parts[0]] = tuple(parts[1:])
            self.description[key] = f"{self.description[key]}\n{val}" if key in self.description else val
        elif block == "FILE/REFERENCE":
            self.reference[line[1:19].strip()] = line[19:].strip()
        elif block == "FILE/COMMENT":
            self.comments.append(line[1:].rstrip())


class _BiasParser(LineParser):
    CLOSING = ("%=ENDBIA",)

    def __init__(self, path: str | None, text: str):
        super().__init__(path, text)
        self._tcache: dict[str, tuple[int, int, int]] = {}

    def _parse(self) -> BiasData:
        head = self._head()
        body = self._blocks()
        scale = self._scale(body.time_system_line)
        start, end, stamp = self._validity(body, scale)
        hts, hopen, hbad = _to_gpst(np.array(head["times"]), scale)
        if np.any(hbad):
            raise self.error("header epoch: day of year beyond the end of the year", 1)
        hts = [None if o else int(v) for v, o in zip(hts, hopen, strict=True)]

        kind, svn, sat, system, station, obs1, obs2, unit, value, std, slope, slope_std = _unpack(body.rows)
        sloped = np.flatnonzero(np.nan_to_num(np.asarray(slope, dtype=np.float64)) != 0.0)
        if sloped.size:
            warnings.warn(
                f"{self.path}, line {body.line_nos[int(sloped[0])]}: {sloped.size} bias rows carry a slope "
                "(ESTIMATED_SLOPE), which is not applied (the format names no reference epoch for it): "
                "their values hold over their windows",
                KompasWarning,
                stacklevel=caller_stacklevel(),
            )
        return BiasData(
            kind=np.array(kind, dtype="U3"),
            svn=np.array(svn, dtype="U4"),
            sat=np.array(sat, dtype=np.int16),
            system=np.array(system, dtype="U1"),
            station=np.array(station, dtype="U9"),
            obs1=np.array(obs1, dtype="U4"),
            obs2=np.array(obs2, dtype="U4"),
            start_ns=start,
            end_ns=end,
            unit=np.array(unit, dtype="U3"),
            value=np.array(value, dtype=np.float64),
            std=np.array(std, dtype=np.float64),
            slope_per_s=np.array(slope, dtype=np.float64),
            slope_std_per_s=np.array(slope_std, dtype=np.float64),
            description=body.description,
            clock_reference=body.clock_ref,
            time_system=scale,
            reference=body.reference,
            comments=tuple(body.comments),
            version=head["version"],
            agency=head["agency"],
            data_agency=head["data_agency"],
            created_ns=hts[0],
            file_start_ns=hts[1],
            file_end_ns=hts[2],
            bias_mode=head["bias_mode"],
            n_declared=head["n_declared"],
            path=self.path,
            stamp=stamp if stamp.any() else None,
        )

    def _head(self) -> dict:
        """The ``%=BIA`` line: version, agencies, bias mode, declared count, the three header epochs."""
        lines = self.lines
        self.n = 1
        if not lines or not lines[0].startswith("%=BIA"):
            raise self.error("expected the Bias-SINEX header line starting with '%=BIA'")
        head = lines[0].split()
        if len(head) < 9:
            raise self.error(f"header line has {len(head)} fields, expected 9")
        version, agency, data_agency, bias_mode = head[1], head[2], head[4], head[7]
        _float(version, "format version")
        if bias_mode not in ("A", "R"):
            raise self.error(f"bias mode must be 'A' or 'R', found {bias_mode!r}")
        n_declared = parse_int(head[8], "number of bias records")
        times = [_sinex_time(head[k], "header epoch") for k in (3, 5, 6)]
        return {"version": version, "agency": agency, "data_agency": data_agency, "bias_mode": bias_mode,
                "n_declared": n_declared, "times": times}  # fmt: skip

    def _blocks(self) -> _Body:
        """Walk the ``+BLOCK`` ... ``-BLOCK`` sections up to ``%=ENDBIA`` (a cut last record is dropped)."""
        lines = self.lines
        body = _Body()
        block = None
        ended = False
        last = len(lines)
        while last > 1 and not lines[last - 1].strip():
            last -= 1
        for i in range(1, len(lines)):
            line = lines[i]
            self.n = i + 1
            if not line.strip() or line.startswith("*"):
                continue
            if line.startswith("%=ENDBIA"):
                ended = True
                break
            if line.startswith("+"):
                if block is not None:
                    raise self.error(f"block {line[1:].strip()!r} starts inside block {block!r}")
                block = line[1:].strip()
                continue
            if line.startswith("-"):
                if line[1:].strip() != block:
                    raise self.error(f"end of block {line[1:].strip()!r} but the open block is {block!r}")
                block = None
                continue
            if not line.startswith(" ") or block is None:
                raise self.error(
                    f"expected a data line (starting with a blank) inside a block, found {line[:40]!r}"
                )
            if block == "BIAS/SOLUTION":
                try:
                    row, tt = self._row(line)
                except (ValueError, IndexError, KompasError) as exc:
                    if self.n == last and not ended:
                        # the file was cut inside this last record
                        break
                    raise self.error(str(exc)) from None
                body.rows.append(row)
                body.times.append(tt)
                body.line_nos.append(self.n)
            else:
                body.add(block, line, self.n)
        if not ended:
            warnings.warn(
                TruncatedFileWarning(
                    f"{self.path}: file ends without %=ENDBIA"
                    + (f" inside block {block}" if block else "")
                    + f"; returning the {len(body.rows)} complete bias records"
                ),
                stacklevel=caller_stacklevel(),
            )
        return body

    def _scale(self, time_system_line) -> str:
        """Time scale of the epochs: ``TIME_SYSTEM`` of BIAS/DESCRIPTION, GPST without one."""
        if time_system_line is None:
            return "GPST"
        self.n, val = time_system_line
        code = val.strip().upper()
        try:
            return _TIME_SYSTEMS.get(code) or normalize_scale(code)
        except KompasError:
            raise self.error(f"unknown TIME_SYSTEM {val!r}; expected G, R, E, C, J, UTC or TAI") from None

    def _validity(self, body: _Body, scale: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(start, end, stamp) of every record, GPST ns: an open end is :data:`OPEN_END_NS`, an open start
        an error; ``stamp`` marks the rows without BIAS_END (time stamps)."""
        tarr = np.array(body.times, dtype=np.int64).reshape(-1, 6)
        stamp = tarr[:, 3] == -1
        tarr[stamp, 3] = 0
        start, sopen, sbad = _to_gpst(tarr[:, :3], scale)
        end, eopen, ebad = _to_gpst(tarr[:, 3:], scale)
        bad = sbad | ebad | sopen
        if np.any(bad):
            k = int(np.flatnonzero(bad)[0])
            what = "BIAS_START is open (0000:000:00000)"
            if not sopen[k]:
                what = "day of year beyond the end of the year"
            raise self.error(what, body.line_nos[k])
        return start, np.where(eopen, OPEN_END_NS, end), stamp

    def _time(self, text: str, what: str) -> tuple[int, int, int]:
        # most rows of a file share a few epochs: parse each text once
        got = self._tcache.get(text)
        if got is None:
            got = self._tcache[text] = _sinex_time(text, what)
        return got

    def _row(self, line: str):
        kind = line[1:5].strip()
        if len(kind) != 3 or not kind.isalpha() or not kind.isupper():
            raise ValueError(f"expected a bias type such as OSB or DSB in columns 2-5, found {line[1:5]!r}")
        svn = line[6:10].strip()
        prn = line[11:14]
        station = line[15:24].strip()
        obs1 = line[25:29].strip()
        obs2 = line[30:34].strip()
        letter = prn[:1].strip() or svn[:1]
        if letter and letter not in _SYSTEMS:
            raise ValueError(f"unknown system letter {letter!r} in the PRN/SVN fields")
        sat = -1
        if prn[1:].strip():
            num = prn[1:3]
            if not (num.isdigit() and num.isascii()) or num == "00" or not letter:
                raise ValueError(f"expected a satellite such as 'G01' in the PRN field, found {prn!r}")
            sat = 100 * (_SYSTEMS.index(letter) + 1) + int(num)  # as kompas.satsys.sat_index
        elif not station:
            raise ValueError("satellite bias row without a PRN number")
        if not obs1 or (kind == "DSB" and not obs2):
            raise ValueError(f"{kind} row needs OBS1{' and OBS2' if kind == 'DSB' else ''}")
        start = self._time(line[35:49], "BIAS_START")
        end_text = line[50:64]
        end = self._time(end_text, "BIAS_END") if end_text.strip() else (-1, 0, 0)  # a time stamp
        unit = line[65:69].strip()
        if unit not in _UNIT_SCALE:
            raise ValueError(f"UNIT must be 'ns' or 'cyc', found {unit!r}")
        k = _UNIT_SCALE[unit]
        raw = _float(line[70:91], "ESTIMATED_VALUE")
        if abs(raw) > MAX_BIAS:
            raise ValueError(f"ESTIMATED_VALUE {raw:g} {unit}: a bias is within +-{MAX_BIAS:g} {unit}")
        value = raw * k
        raw_std = _float(line[92:103], "STD_DEV", blank_ok=True)
        if raw_std < 0:  # False for a blank (NaN) one
            raise ValueError(f"STD_DEV {raw_std:g} {unit} is negative")
        std = raw_std * k
        slope = _float(line[104:125], "ESTIMATED_SLOPE", blank_ok=True) * k
        slope_std = _float(line[126:137], "slope STD_DEV", blank_ok=True) * k
        row = (kind, svn, sat, letter, station, obs1, obs2, "s" if unit == "ns" else unit,
               (value, std, slope, slope_std))  # fmt: skip
        return row, (*start, *end)


MAX_BIAS = 1.0e5
"""Largest ESTIMATED_VALUE magnitude read as a bias, in the row's unit (ns or cycles): code and phase
biases are nanoseconds (the shared CODE files' largest is 480 ns) and cycles; 1e5 ns is 30 km of range."""


def _unpack(rows: list[tuple]):
    """Row tuples -> one column per field (the four numbers split into their own columns)."""
    cols = list(zip(*rows, strict=True)) if rows else [()] * 9
    kind, svn, sat, system, station, obs1, obs2, unit, nums = cols
    nums = np.array(nums, dtype=np.float64).reshape(-1, 4)
    return kind, svn, sat, system, station, obs1, obs2, unit, nums[:, 0], nums[:, 1], nums[:, 2], nums[:, 3]


def read_bias(path: str | os.PathLike) -> BiasData:
    """Read a Bias-SINEX 1.00 file (plain or compressed).

    Parameters
    ----------
    path : str or os.PathLike
        The ``.BIA``/``.BSX`` file.

    Returns
    -------
    BiasData
        One row per ``BIAS/SOLUTION`` record; ns converted to seconds; times in GPST ns.

    Raises
    ------
    FormatError
        A header or record that does not follow Bias-SINEX 1.00 (with its line number).

    Warns
    -----
    TruncatedFileWarning
        The file ends before ``%=ENDBIA`` (a cut last record is dropped).
    """
    return _BiasParser(file_name(path), read_text(path)).parse()
