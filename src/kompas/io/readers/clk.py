"""RINEX clock files (versions 2.00-3.04).

Format: "RINEX Extensions to Handle Clock Information", version 3.04 (IGS, 2017), and the 2.00/3.00
documents before it. Columns below are 0-based Python slices.

Layouts
    Versions before 3.04 have 60-column header records (label from column 60) and 4-character
    station names; data records are ``A2,1X,A4,1X,I4,4I3,F10.6,I3`` followed by the values
    (kind ``[0:2]``, name ``[3:7]``, year ``[8:12]``, month ... minute in 3-column fields,
    seconds ``[24:34]``, number of values ``[34:37]``). Version 3.04 widens the header to 65
    columns (label from column 65) and the names to 9 characters (``AR WAB200CHE``), which
    shifts every data field by 5 columns. The layout is chosen by the version in the header.
Values
    A record holds 1-6 values: clock bias (s), bias sigma, rate (s/s), rate sigma, acceleration
    (1/s), acceleration sigma. Two are on the record line and the rest on one continuation line.
    They are read as blank-separated E-format numbers (``E19.12`` in the standard), which is
    robust to writers that shift the value columns; a Fortran ``D`` exponent is accepted.

The result is one long table sorted by (kind, name, time): record kinds ``AS`` (satellite),
``AR`` (receiver), ``CR`` (calibration), ``DR`` (discontinuity), ``MS`` (monitor). Epochs are
read in the ``TIME SYSTEM ID`` scale (GPS when absent) and stored as GPST nanoseconds; clock values
are unchanged.

Problems: a data record with a field that is not a number, an impossible epoch (years 1980-2200),
an unknown record type, a number of values outside 1-6 or more values than announced, a clock bias of
a second or more (:data:`MAX_CLOCK_S`), a continuation line where none is due or an ``AS`` name that is
not a satellite is dropped with one
:class:`~kompas.errors.DroppedRecordWarning` for the file (``strict=True``: a FormatError naming the
line); header errors are FormatErrors. A record with fewer values than it announces (a missing or short
continuation line) draws a :class:`TruncatedFileWarning` and the missing values are NaN. A file that
ends inside a line (no final newline and an incomplete number, or a record line cut before its
values) loses that line, with the same warning.
"""

from __future__ import annotations

import os
import re
import warnings
from dataclasses import dataclass, field

import numpy as np

from ...errors import FormatError, KompasWarning, SignalError, TimeError, caller_stacklevel
from ...satsys import sat_id
from ...time import normalize_scale
from .._open import file_name, read_bytes
from .._text import (
    NUMERIC_CHARS,
    SPACE_LIKE,
    Diagnostics,
    Lines,
    blank_rows,
    calendar_ns_or_bad,
    file_sat_index,
    float_field,
    int_field,
    parse_float,
    parse_int,
)

__all__ = ["ClockData", "read_clk", "RECORD_KINDS"]

RECORD_KINDS = ("AR", "AS", "CR", "DR", "MS")
"""Data record types: receiver, satellite, calibration, discontinuity, monitor station."""

_VALUE_NAMES = ("bias_s", "bias_sigma_s", "rate", "rate_sigma", "accel", "accel_sigma")
_MAX_VALUES = 6
_ON_RECORD_LINE = 2
_MAX_VALUE_WIDTH = 160  # 4 x E19.12 with room for wider writers
MAX_CLOCK_S = 1.0
"""Smallest clock bias magnitude taken as a damaged record: satellite and receiver clocks are kept within
about a millisecond of their system time (the shared files' largest is 6.2 ms), so a second or more
(300,000 km of range) is no clock."""
_COMPLETE_NUMBER = re.compile(rb"[0-9][EeDd][-+][0-9]{2,}$")  # a cut "E-0" is not complete


@dataclass(frozen=True, eq=False, repr=False)
class ClockData:
    """A RINEX clock file as one long table sorted by (kind, name, time); SI units, GPST ns.

    Attributes
    ----------
    kind : (N,) <U2
        Record type (:data:`RECORD_KINDS`).
    name : (N,) <U9
        Satellite id (``"G01"``) for ``AS`` records, station or receiver name otherwise.
    sat : (N,) int16
        Satellite index for ``AS`` records, -1 for the others.
    time_ns : (N,) int64
        Epoch, GPST nanoseconds.
    bias_s, bias_sigma_s : (N,) float64
        Clock bias and its sigma, seconds.
    rate, rate_sigma : (N,) float64
        Clock rate and its sigma, s/s (NaN when the record has fewer values).
    accel, accel_sigma : (N,) float64
        Clock acceleration and its sigma, 1/s.
    version : float
    file_type : str
        ``"C"``.
    satellite_system : str
        Header system letter (``"G"``, ``"M"`` ...; blank in early files).
    time_system : str
        kompas scale name of ``TIME SYSTEM ID`` (``"GPST"`` by default).
    agency, analysis_center : str
        The ``ANALYSIS CENTER`` record (3-character code and name).
    data_types : tuple of str
        ``# / TYPES OF DATA`` (``("AR", "AS")``).
    leap_seconds : int or None
    station_coords : dict
        ``SOLN STA NAME / NUM``: name -> (x, y, z) metres (millimetres in the file).
    station_domes : dict
        name -> DOMES number.
    trf : str
        Reference frame of the station coordinates (``# OF SOLN STA / TRF``).
    n_stations_header, n_sats_header : int or None
        ``# OF SOLN STA / TRF`` and ``# OF SOLN SATS`` counts.
    prn_list : tuple of str
        ``PRN LIST``.
    clock_refs : tuple of str
        Names of the ``ANALYSIS CLK REF`` clocks.
    station_name : str
        ``STATION NAME / NUM`` (files from one receiver).
    pcvs_applied : dict
        ``SYS / PCVS APPLIED``: system letter -> (program, source), e.g. ``("GINS V11.1", "igs14_2108.atx")``:
        the antenna calibrations the clocks are consistent with.
    """

    kind: np.ndarray
    name: np.ndarray
    sat: np.ndarray
    time_ns: np.ndarray
    bias_s: np.ndarray
    bias_sigma_s: np.ndarray
    rate: np.ndarray
    rate_sigma: np.ndarray
    accel: np.ndarray
    accel_sigma: np.ndarray
    version: float = 3.0
    file_type: str = "C"
    satellite_system: str = ""
    time_system: str = "GPST"
    agency: str = ""
    analysis_center: str = ""
    data_types: tuple[str, ...] = ()
    leap_seconds: int | None = None
    station_coords: dict[str, tuple[float, float, float]] = field(default_factory=dict)
    station_domes: dict[str, str] = field(default_factory=dict)
    trf: str = ""
    n_stations_header: int | None = None
    n_sats_header: int | None = None
    prn_list: tuple[str, ...] = ()
    clock_refs: tuple[str, ...] = ()
    station_name: str = ""
    pcvs_applied: dict[str, tuple[str, str]] = field(default_factory=dict)
    comments: tuple[str, ...] = ()
    path: str | None = None

    def __len__(self) -> int:
        return int(self.time_ns.size)

    def _dense(self, kind: str, keys: np.ndarray):
        """Dense (time, key) grid of the biases of ``kind`` records; a repeated cell keeps its last record."""
        m = self.kind == kind
        t, ti = np.unique(self.time_ns[m], return_inverse=True)
        k, ki = np.unique(keys[m], return_inverse=True)
        bias = np.full((t.size, k.size), np.nan)
        bias[ti, ki] = self.bias_s[m]
        return t, k, bias

    def satellite_clocks(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The ``AS`` biases as a dense grid.

        Returns
        -------
        time_ns : (E,) int64
            Every epoch that has an ``AS`` record, increasing.
        sats : (S,) int16
            Satellite indices, increasing.
        bias_s : (E, S) float64
            NaN where a satellite has no record at an epoch.
        """
        t, sats, bias = self._dense("AS", self.sat)
        return t, sats.astype(np.int16), bias

    def receiver_clocks(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The ``AR`` biases as a dense grid: ``(time_ns (E,), names (R,), bias_s (E, R))``."""
        return self._dense("AR", self.name)

    def __repr__(self) -> str:
        kinds, counts = np.unique(self.kind, return_counts=True)
        per = ", ".join(f"{k} {c}" for k, c in zip(kinds.tolist(), counts.tolist(), strict=True))
        return (
            f"ClockData(version={self.version}, agency={self.agency!r}, {len(self)} records"
            f"{' (' + per + ')' if per else ''}, time_system={self.time_system!r})"
        )


# ----------------------------------------------------------------------------------------------
# Header


@dataclass
class _Header:
    label_col: int = 60
    name_width: int = 4
    end_line: int = -1  # 0-based line of END OF HEADER
    meta: dict = field(default_factory=dict)


def _int_at(path, k: int, text: str, what: str) -> int:
    try:
        return parse_int(text, what)
    except ValueError as exc:
        raise FormatError(path, k + 1, str(exc)) from None


def _version_line(first: str, path) -> _Header:
    if "RINEX VERSION / TYPE" not in first:
        raise FormatError(
            path, 1, f"not a RINEX clock file: no 'RINEX VERSION / TYPE' label in {first[:40]!r}"
        )
    try:
        version = parse_float(first[:9], "RINEX version")
    except ValueError as exc:
        raise FormatError(path, 1, str(exc)) from None
    wide = version >= 3.04
    h = _Header(label_col=65 if wide else 60, name_width=9 if wide else 4)
    ftype = first[20:22].strip()[:1]  # column 20 (21 in 3.04); GRG writes "CLOCK DATA" from 20
    if ftype != "C":
        raise FormatError(path, 1, f"file type {ftype!r} is not 'C' (clock data)")
    # satellite system: column 40 (42 in 3.04)
    h.meta.update(version=version, file_type="C", satellite_system=first[40:43].strip()[:1])
    h.meta.update(
        comments=[], prn_list=[], clock_refs=[], station_coords={}, station_domes={}, pcvs_applied={}
    )
    return h


def _header_record(h: _Header, k: int, label: str, body: str, path) -> None:
    """One header record (0-based line ``k``) into ``h.meta``."""
    meta, w = h.meta, h.name_width
    if label == "COMMENT":
        meta["comments"].append(body.rstrip())
    elif label == "TIME SYSTEM ID":
        ts = body[3:6].strip() or "GPS"
        try:
            meta["time_system"] = normalize_scale(ts)
        except TimeError:
            raise FormatError(path, k + 1, f"unknown time system {ts!r}") from None
    elif label in ("LEAP SECONDS", "LEAP SECONDS GNSS"):
        meta["leap_seconds"] = _int_at(path, k, body[:6], "leap seconds")
    elif label == "# / TYPES OF DATA":
        meta["data_types"] = tuple(body[6:].split())
    elif label == "SYS / PCVS APPLIED" and body[:1].strip():
        meta["pcvs_applied"][body[0]] = (body[2:19].strip(), body[20:60].strip())
    elif label == "ANALYSIS CENTER":
        meta.update(agency=body[:3].strip(), analysis_center=body[5:].strip())
    elif label == "ANALYSIS CLK REF" and body[:w].strip():
        meta["clock_refs"].append(body[:w].strip())
    elif label == "# OF SOLN STA / TRF":
        meta.update(n_stations_header=_int_at(path, k, body[:6], "number of stations"), trf=body[10:].strip())
    elif label == "SOLN STA NAME / NUM":
        name, rest = body[:w].strip(), body[w:].split()
        if len(rest) < 3:
            raise FormatError(path, k + 1, "SOLN STA NAME / NUM needs a name and x, y, z in millimetres")
        meta["station_coords"][name] = tuple(
            _int_at(path, k, v, "station coordinate (mm)") * 1e-3 for v in rest[-3:]
        )
        meta["station_domes"][name] = " ".join(rest[:-3])
    elif label == "# OF SOLN SATS":
        meta["n_sats_header"] = _int_at(path, k, body[:6], "number of satellites")
    elif label == "PRN LIST":
        meta["prn_list"] += [p for p in body.split() if re.fullmatch(r"[A-Z][0-9]{2}", p)]
    elif label == "STATION NAME / NUM":
        meta["station_name"] = body[:w].strip()


def _header(lines: Lines, path) -> _Header:
    h = _version_line(lines.text(0) if len(lines) else "", path)
    for k in range(1, len(lines)):
        text = lines.text(k)
        cut = h.label_col
        if text[cut:].strip() not in _LABELS and text[60:].strip() in _LABELS:
            cut = 60  # a writer that kept the 60-column header in a 3.04 file
        label, body = text[cut:].strip(), text[:cut]
        if label == "END OF HEADER":
            h.end_line = k
            break
        _header_record(h, k, label, body, path)
    else:
        raise FormatError(path, len(lines), "no END OF HEADER line")
    for key in ("comments", "prn_list", "clock_refs"):
        h.meta[key] = tuple(h.meta[key])
    return h


_LABELS = {
    "RINEX VERSION / TYPE", "PGM / RUN BY / DATE", "COMMENT", "SYS / # / OBS TYPES", "TIME SYSTEM ID",
    "LEAP SECONDS", "LEAP SECONDS GNSS", "SYS / DCBS APPLIED", "SYS / PCVS APPLIED", "# / TYPES OF DATA",
    "STATION NAME / NUM", "STATION CLK REF", "ANALYSIS CENTER", "# OF CLK REF", "ANALYSIS CLK REF",
    "# OF SOLN STA / TRF", "SOLN STA NAME / NUM", "# OF SOLN SATS", "PRN LIST", "END OF HEADER",
}  # fmt: skip


# ----------------------------------------------------------------------------------------------
# Data records


def read_clk(path: str | os.PathLike, *, strict: bool = False) -> ClockData:
    """Read a RINEX clock file (2.00-3.04; plain or compressed).

    Parameters
    ----------
    path : str or os.PathLike
    strict : bool
        Refuse (FormatError naming the line) a malformed data record instead of dropping it.

    Returns
    -------
    ClockData

    Raises
    ------
    FormatError
        Not a clock file, no ``END OF HEADER``, a header field that does not parse. The message
        names the line.

    Warns
    -----
    DroppedRecordWarning
        For data records that cannot be read -- a field that is not a number, an impossible epoch
        (years 1980-2200), an unknown record type, a number of values outside 1-6 or more values
        than announced, a continuation line where none is due, an ``AS`` record whose name is not a
        satellite: they are skipped, the others are read.
    TruncatedFileWarning
        Records with fewer values than announced, or a last line cut inside a number or before its
        values (no final end of line).
    KompasWarning
        A file with no data record (the table is empty).
    """
    name = file_name(path)
    lines = Lines.from_bytes(read_bytes(path))
    ctx = Diagnostics(name, strict=strict)
    with ctx.last_resort("clock data"):
        clk = _data(lines, _header(lines, name), ctx)
    ctx.emit()
    return clk


def _body_rows(lines: Lines, h: _Header, vstart: int, ctx: Diagnostics) -> tuple[np.ndarray, np.ndarray]:
    """0-based lines of the data records and continuation lines (blank lines and a cut last line out)
    and their first ``vstart`` columns."""
    buf, starts, ends = lines.buf, lines.starts, lines.ends
    rows = np.arange(h.end_line + 1, len(lines))
    g = lines.grid(vstart, rows)
    maybe_blank = np.flatnonzero(blank_rows(g))
    blank = [i for i in maybe_blank if not bytes(buf[starts[rows[i]] : ends[rows[i]]]).strip()]
    if blank:  # blank lines are allowed between records
        rows, g = np.delete(rows, blank), np.delete(g, blank, axis=0)
    # a file that stops inside its last line: drop that line rather than read a cut number or id
    if rows.size and not lines.complete_last:
        last = int(rows[-1])
        tail = bytes(buf[starts[last] : ends[last]]).rstrip()
        is_rec = tail[:2].decode("latin-1") in RECORD_KINDS
        if _COMPLETE_NUMBER.search(tail) is None or (is_rec and len(tail) <= vstart):
            ctx.truncated(f"the last line ({last + 1}) is cut")
            rows, g = rows[:-1], g[:-1]
    return rows, g


class _Bad:
    """Records to drop (first reason of each)."""

    def __init__(self, ctx: Diagnostics, rec_rows: np.ndarray):
        self.ctx, self.rows = ctx, rec_rows
        self.mask = np.zeros(rec_rows.size, bool)

    def add(self, which: np.ndarray, message, line=None) -> None:
        """Drop the records where ``which``; ``message(i)`` and ``line(i)`` (0-based) describe one."""
        for i in np.flatnonzero(which & ~self.mask):
            at = int(self.rows[i]) if line is None else int(line(i))
            self.ctx.drop(at + 1, message(i) if callable(message) else message)
        self.mask |= which


def _fields(gr: np.ndarray, rec_rows: np.ndarray, shift: int, bad: _Bad, scale: str):
    """Epochs (GPST ns) and numbers of values of the record lines; bad ones marked."""
    kw = {"path": None, "rows": rec_rows, "bad": "mask"}
    cal = []
    for a, b, w in (
        (8, 12, "year"),
        (12, 15, "month"),
        (15, 18, "day"),
        (18, 21, "hour"),
        (21, 24, "minute"),
    ):
        v, wrong = int_field(gr, a + shift, b + shift, what=w, **kw)
        bad.add(
            wrong,
            lambda i, w=w, a=a, b=b: (
                f"epoch {w} {bytes(gr[i, a + shift : b + shift]).decode('latin-1')!r} is not an integer"
            ),
        )
        cal.append(v)
    sec, wrong = float_field(gr, 24 + shift, 34 + shift, what="epoch second", **kw)
    bad.add(wrong, "epoch second is not a number")
    nval, wrong = int_field(gr, 34 + shift, 37 + shift, what="number of values", **kw)
    bad.add(wrong, "number of values is not an integer")
    bad.add(
        (nval < 1) | (nval > _MAX_VALUES), lambda i: f"number of values {nval[i]} is outside 1-{_MAX_VALUES}"
    )
    ok = ~bad.mask
    time_ns = np.zeros(rec_rows.size, np.int64)
    ns, wrong, why = calendar_ns_or_bad(*(c[ok] for c in cal), np.where(ok, sec, 0.0)[ok], scale)
    time_ns[ok] = ns
    idx = np.flatnonzero(ok)
    reason = {int(idx[j]): m for j, m in why.items()}
    bad.add(np.isin(np.arange(rec_rows.size), idx[wrong]), lambda i: f"invalid epoch: {reason[int(i)]}")
    return time_ns, nval


def _data(lines: Lines, h: _Header, ctx: Diagnostics) -> ClockData:
    meta, name = h.meta, ctx.path
    shift = 5 if h.name_width == 9 else 0
    vstart = 37 + shift  # values start after the number-of-values field
    rows, g = _body_rows(lines, h, vstart, ctx)
    pair = g[:, 0].astype(np.int32) * 256 + g[:, 1]
    is_rec = np.isin(pair, [ord(k[0]) * 256 + ord(k[1]) for k in RECORD_KINDS])
    is_cont = ~is_rec & NUMERIC_CHARS[g[:, 0]]
    starts = ~is_cont  # an unknown line starts a record too: its continuation lines go with it
    rec_of_line = np.cumsum(starts) - 1
    if (rec_of_line < 0).any():
        orphans = np.flatnonzero(rec_of_line < 0)
        ctx.drop(int(rows[orphans[0]]) + 1, f"{orphans.size} continuation line(s) before the first record")
        keep = rec_of_line >= 0
        rows, g, is_rec, starts, rec_of_line = (
            rows[keep],
            g[keep],
            is_rec[keep],
            starts[keep],
            rec_of_line[keep],
        )
    rec_rows = rows[starts]
    if rec_rows.size == 0:
        warnings.warn(
            f"{name}: no data records found after the header", KompasWarning, stacklevel=caller_stacklevel()
        )
        return _empty(meta, name)
    bad = _Bad(ctx, rec_rows)
    gr = g[starts]
    kinds = ", ".join(RECORD_KINDS)
    bad.add(~is_rec[starts], lambda i: f"unknown record {lines.text(rec_rows[i])[:20]!r}: expected {kinds}")
    time_ns, nval = _fields(gr, rec_rows, shift, bad, meta.get("time_system", "GPST"))
    kind_s = np.ascontiguousarray(gr[:, :2]).view("S2").ravel()
    name_s = np.ascontiguousarray(gr[:, 3 : 3 + h.name_width]).view(f"S{h.name_width}").ravel()
    names_u, name_inv = np.unique(name_s, return_inverse=True)
    names_txt = np.char.strip(np.char.decode(names_u, "latin-1"))
    sat_of_name = np.full(names_u.size, -1, np.int16)
    is_as = (kind_s == b"AS") & ~bad.mask
    for u in np.unique(name_inv[is_as]):  # one step per distinct satellite
        try:
            sat_of_name[u] = file_sat_index(str(names_txt[u]))
            names_txt[u] = sat_id(sat_of_name[u])
        except SignalError as exc:
            bad.add(is_as & (name_inv == u), f"AS record: {exc}")
    sat = np.where(kind_s == b"AS", sat_of_name[name_inv], -1).astype(np.int16)
    # continuation lines belong to the record line just before them
    cont = np.flatnonzero(~starts)
    undue = rec_of_line[cont][nval[rec_of_line[cont]] <= _ON_RECORD_LINE]
    what = "continuation line where none is due (the record has at most 2 values)"
    bad.add(np.isin(np.arange(rec_rows.size), undue), what)
    values = _values(lines, rows, starts, vstart, rec_of_line, nval, bad, ctx)
    far = np.abs(values[:, 0]) >= MAX_CLOCK_S  # False for a missing (NaN) bias
    bad.add(far, lambda i: f"clock bias {values[i, 0]:g} s: clocks are within milliseconds, not seconds")
    return _table(meta, name, ~bad.mask, kind_s, names_txt, name_inv, sat, time_ns, values)


def _table(meta, name, keep, kind_s, names_txt, name_inv, sat, time_ns, values) -> ClockData:
    """One table sorted by (kind, name, time) of the records where ``keep``."""
    kind_s, name_inv, sat, time_ns, values = (
        kind_s[keep],
        name_inv[keep],
        sat[keep],
        time_ns[keep],
        values[keep],
    )
    kinds_u, kind_code = np.unique(kind_s, return_inverse=True)
    names_sorted, name_code = np.unique(names_txt, return_inverse=True)
    order = np.lexsort((time_ns, name_code[name_inv], kind_code))
    cols = {v: values[order, j] for j, v in enumerate(_VALUE_NAMES)}
    return ClockData(
        kind=np.char.decode(kinds_u, "latin-1").astype("U2")[kind_code[order]],
        name=names_sorted.astype("U9")[name_code[name_inv[order]]],
        sat=sat[order],
        time_ns=np.asarray(time_ns, np.int64)[order],
        path=name,
        **cols,
        **meta,
    )


def _values(lines: Lines, rows, starts, vstart, rec_of_line, nval, bad: _Bad, ctx) -> np.ndarray:
    """(n_records, 6) values; NaN where a record has fewer than 6.

    The value part of every line (after ``vstart`` on record lines, all of a continuation line)
    is gathered into one character grid; tokens are the runs of non-blanks, found in 2-D and read
    in file order, so the tokens of a record and its continuation line are consecutive.
    """
    line_starts, ends = lines.starts[rows], lines.ends[rows]
    lo = np.where(starts, np.minimum(line_starts + vstart, ends), line_starts)
    for r in np.flatnonzero(ends - lo > _MAX_VALUE_WIDTH):  # (a bounded grid even for a runaway line)
        if bytes(lines.buf[lo[r] + _MAX_VALUE_WIDTH : ends[r]]).strip():
            what = f"line longer than {vstart + _MAX_VALUE_WIDTH} columns"
            bad.add(np.arange(nval.size) == rec_of_line[r], what, lambda i, r=r: rows[r])
    width = int(np.clip((ends - lo).max(), 1, _MAX_VALUE_WIDTH))
    vg = Lines(lines.buf, lo, ends).grid(width)
    non_numeric = ~NUMERIC_CHARS[vg].all(axis=1)
    for r in np.flatnonzero(non_numeric):
        text = lines.text(rows[r])[lo[r] - line_starts[r] :].strip()
        bad.add(
            np.arange(nval.size) == rec_of_line[r], f"values {text!r} are not numbers", lambda i, r=r: rows[r]
        )
    ink = ~SPACE_LIKE[vg] & ~non_numeric[:, None]
    first = ink.copy()
    first[:, 1:] &= ~ink[:, :-1]
    last = ink.copy()
    last[:, :-1] &= ~ink[:, 1:]
    r, c0 = np.nonzero(first)  # row-major: file order
    c1 = np.nonzero(last)[1]
    tw = int((c1 - c0).max()) + 1 if r.size else 1
    tokens = np.full((r.size, tw), 32, np.uint8)
    for j in range(tw):
        col = c0 + j
        tokens[:, j] = np.where(col <= c1, vg[r, np.minimum(col, width - 1)], 32)
    vals, wrong = float_field(tokens, 0, tw, path=None, what="clock value", bad="mask")
    tok_rec = rec_of_line[r]
    bad.add(np.isin(np.arange(nval.size), tok_rec[wrong]), "a clock value is not a number")
    count = np.bincount(tok_rec, minlength=nval.size)
    bad.add(count > nval, lambda i: f"the record announces {nval[i]} values but holds {count[i]}")
    short = (count < nval) & ~bad.mask
    if short.any():
        i = int(np.argmax(short))
        ctx.truncated(
            f"{int(short.sum())} record(s) hold fewer values than they announce (first at line "
            f"{int(bad.rows[i]) + 1}: {count[i]} of {nval[i]}); missing values are NaN"
        )
    offset = np.concatenate(([0], np.cumsum(count)[:-1]))
    out = np.full((nval.size, _MAX_VALUES), np.nan)
    fits = np.arange(tok_rec.size) - offset[tok_rec] < _MAX_VALUES
    out[tok_rec[fits], (np.arange(tok_rec.size) - offset[tok_rec])[fits]] = vals[fits]
    return out


def _empty(meta: dict, path: str) -> ClockData:
    f = np.zeros(0)
    cols = {v: f.copy() for v in _VALUE_NAMES}
    return ClockData(
        kind=np.zeros(0, "U2"),
        name=np.zeros(0, "U9"),
        sat=np.zeros(0, np.int16),
        time_ns=np.zeros(0, np.int64),
        path=path,
        **cols,
        **meta,
    )
