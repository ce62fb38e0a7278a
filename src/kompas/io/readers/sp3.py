"""SP3 precise orbit and clock files (SP3-a, -b, -c and -d).

Format: "The Extended Standard Product 3 Orbit Format (SP3-d)", IGS/NGS, 2016 (SP3-c, 2010; SP3-a,
Remondi 1989). Columns below are 1-based as in the format document.

Header
    ``#`` line 1: version (col 2), position/velocity flag (3), first epoch (4-31), number of epochs
    (33-39), data used (41-45), coordinate system (47-51), orbit type (53-55), agency (57-60).
    ``##`` line 2: GPS week (4-7), seconds of week (9-23), epoch interval (25-38), MJD (40-44).
    ``+`` lines: number of satellites (4-6) and 17 satellite ids per line (10-60); SP3-d allows more
    than five lines (more than 85 satellites). ``++`` lines: accuracy exponents, 2**e mm.
    ``%c``: file type (4-5) and time system (10-12). ``%f``: base for the position/velocity (4-13)
    and clock/rate (15-26) standard deviations. ``%i``: unused. ``/*``: comments (SP3-d: any number,
    up to 80 columns).
Records
    ``*`` epoch (year 4-7 ... seconds 21-31). ``P`` position: satellite (2-4), x y z km (5-46, 3 x
    F14.6), clock microseconds (47-60), std exponents x y z (62-63, 65-66, 68-69) and clock (71-73),
    flags clock event ``E`` (75), clock prediction ``P`` (76), maneuver ``M`` (79), orbit
    prediction ``P`` (80). ``V`` velocity: dm/s and clock rate 1e-4 microseconds/s in the same
    columns. ``EP``/``EV`` correlation records are skipped. ``EOF`` ends the file.

Missing values: a position (or velocity) of three components of exactly 0.000000, or with a value of
magnitude >= 999999 (the 999999.999999 "bad" marker), is NaN as a whole vector (one 0.000000 among
non-zero components is a coordinate: a satellite crossing a plane of the frame); a clock or
clock rate of magnitude >= 999999 is NaN. A blank clock field is read as missing too.

Epochs are read in the file's time system (``%c``, default GPS: SP3-a has no ``%c`` line) and
stored as GPST nanoseconds. Clock values are not changed: they stay referred to that system.

Damaged files: an epoch that is not one, is impossible (years 1980-2200) or is not after the one
before it is dropped with its records; a ``P``/``V`` record with a field that is not a number, of a
satellite absent from the header list, or a second one in one epoch is dropped; an unknown record
line is skipped -- with one :class:`~kompas.errors.DroppedRecordWarning` for the file, the other
records read (``strict=True``: a FormatError). Header errors are FormatErrors; blank lines before the
first header line are skipped with a :class:`~kompas.errors.FormatWarning`.

Truncation rule: a file that does not end with ``EOF`` draws a :class:`TruncatedFileWarning`.
Its last line is dropped when it is shorter than a full record (a cut number is never read) or, with
no end of line, shorter than 80 columns (60 in SP3-a) or an epoch line; its last epoch is dropped
unless every header satellite has its ``P`` line there (and its ``V`` line in a velocity file).
Epochs before the last one are kept as they are.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass, fields, replace

import numpy as np

from ...errors import FormatError, KompasError, KompasWarning, SignalError, TimeError, caller_stacklevel
from ...satsys import sat_id, sat_index
from ...time import normalize_scale
from .._open import file_name, read_bytes
from .._text import (
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

__all__ = ["Sp3", "read_sp3"]

SIMULATED_MARK = "kompas.sim truth (SIMULATED)"
"""Opening of the first comment of the SP3 files :mod:`kompas.sim` writes from its truth."""

_KM = 1e3  # km -> m
_US = 1e-6  # microseconds -> s
_DM = 0.1  # dm/s -> m/s
_RATE = 1e-10  # 1e-4 microseconds/s -> s/s
_BAD = 999999.0  # magnitude of the "bad value" marker 999999.999999

_WIDTH = 80
_P_MIN_LEN = 60  # a P/V record ends with its clock field in column 60
_EPOCH_MIN_LEN = 31


@dataclass(frozen=True, eq=False, repr=False)
class Sp3:
    """An SP3 file as dense ``(epoch, satellite)`` arrays, SI units, GPST nanoseconds.

    Attributes
    ----------
    time_ns : (E,) int64
        Epochs, GPST ns, strictly increasing.
    sats : (S,) int16
        Satellite indices (:func:`kompas.satsys.sat_index`) in header order.
    pos_m : (E, S, 3) float64
        ECEF position in the file's frame, metres; NaN where missing.
    clk_s : (E, S) float64
        Clock offset, seconds, in the file's time system; NaN where missing.
    vel_mps : (E, S, 3) float64 or None
        Velocity, m/s (velocity files only).
    clk_rate : (E, S) float64 or None
        Clock rate, s/s (velocity files only).
    pos_sdev_m, clk_sdev_s : (E, S, 3), (E, S)
        Standard deviations from the record exponents and the ``%f`` bases; NaN when absent.
    vel_sdev_mps, clk_rate_sdev : (E, S, 3), (E, S) or None
        The same for velocity records.
    clk_event, clk_pred, maneuver, orb_pred : (E, S) bool
        Record flags (columns 75, 76, 79, 80).
    accuracy_m : (S,) float64
        Header accuracy 2**e mm in metres; NaN where the exponent is 0 (unknown) or absent.
    version : str
        ``"a"``, ``"b"``, ``"c"`` or ``"d"``.
    pv_flag : str
        ``"P"`` or ``"V"``.
    time_system : str
        The file's time scale as a kompas scale name (``"GPST"``, ``"GLONASST"``, ``"UTC"`` ...).
    interval_s : float
        Epoch interval from header line 2.
    n_epochs_header : int
        Number of epochs the header announces (trimmed files may hold fewer).
    """

    time_ns: np.ndarray
    sats: np.ndarray
    pos_m: np.ndarray
    clk_s: np.ndarray
    vel_mps: np.ndarray | None
    clk_rate: np.ndarray | None
    pos_sdev_m: np.ndarray
    clk_sdev_s: np.ndarray
    vel_sdev_mps: np.ndarray | None
    clk_rate_sdev: np.ndarray | None
    clk_event: np.ndarray
    clk_pred: np.ndarray
    maneuver: np.ndarray
    orb_pred: np.ndarray
    accuracy_m: np.ndarray
    version: str
    pv_flag: str
    data_used: str
    frame: str
    orbit_type: str
    agency: str
    file_type: str
    time_system: str
    gps_week: int
    seconds_of_week: float
    interval_s: float
    n_epochs_header: int
    base_pos: float
    base_clk: float
    comments: tuple[str, ...]
    path: str | None = None

    @property
    def simulated(self) -> bool:
        """Whether this is the truth of :mod:`kompas.sim` (a comment opens with :data:`SIMULATED_MARK`): its
        positions are antenna phase centres, with no offset from the centre of mass to correct."""
        return any(c.startswith(SIMULATED_MARK) for c in self.comments)

    @property
    def sat_ids(self) -> np.ndarray:
        """Satellite ids (``"G01"``) in the order of :attr:`sats`."""
        return sat_id(self.sats) if self.sats.size else np.array([], dtype="U3")

    def __len__(self) -> int:
        return int(self.time_ns.size)

    def select(self, sats) -> Sp3:
        """A copy restricted to ``sats`` (ids like ``"C19"`` or indices), in the order given.

        Raises
        ------
        KompasError
            If a satellite is not in the file.
        """
        want = np.atleast_1d(np.asarray(sats))
        idx = np.atleast_1d(sat_index(want) if want.dtype.kind in "US" else want.astype(np.int16))
        col_of = {int(v): i for i, v in enumerate(self.sats)}
        absent = [int(v) for v in idx if int(v) not in col_of]
        if absent:
            raise KompasError(f"satellite(s) {list(sat_id(absent))} not in this SP3 file")
        cols = np.array([col_of[int(v)] for v in idx], dtype=np.int64)
        new = {f: (None if getattr(self, f) is None else getattr(self, f)[:, cols]) for f in _PER_SAT}
        return replace(self, sats=self.sats[cols], accuracy_m=self.accuracy_m[cols], **new)

    def __repr__(self) -> str:
        span = ""
        if len(self):
            from ...time import GTime

            span = f", {GTime(int(self.time_ns[0]))} .. {GTime(int(self.time_ns[-1]))}"
        return (
            f"Sp3(version={self.version!r}, agency={self.agency!r}, {len(self)} epochs x "
            f"{self.sats.size} satellites{span}, time_system={self.time_system!r}, "
            f"velocities={self.vel_mps is not None})"
        )


_SP3_FIELDS = {f.name for f in fields(Sp3)}
# fields whose second axis is the satellite axis
_PER_SAT = (
    "pos_m", "clk_s", "vel_mps", "clk_rate", "pos_sdev_m", "clk_sdev_s", "vel_sdev_mps",
    "clk_rate_sdev", "clk_event", "clk_pred", "maneuver", "orb_pred",
)  # fmt: skip


# ----------------------------------------------------------------------------------------------
# Header


def _num(path, line_no, text, a, b, what, kind=float):
    try:
        return parse_float(text[a:b], what) if kind is float else parse_int(text[a:b], what)
    except ValueError as exc:
        raise FormatError(path, line_no, str(exc)) from None


def _first_lines(texts: list[str], path) -> dict:
    """The ``#`` and ``##`` lines."""
    first = texts[0] if texts else ""
    if not (len(first) >= 3 and first[0] == "#" and first[1] in "abcd" and first[2] in "PV"):
        raise FormatError(
            path,
            1,
            "the first line must be the SP3 '#a'/'#c'/'#d' header line (version, position/velocity flag, "
            f"first epoch, number of epochs); found {first[:30]!r}: the '#a/#c/#d' line is missing",
        )
    h: dict = {"version": first[1], "pv_flag": first[2]}
    h["n_epochs_header"] = _num(path, 1, first, 32, 39, "number of epochs", int)
    h.update(data_used=first[40:45].strip(), frame=first[46:51].strip(), orbit_type=first[52:55].strip(),
             agency=first[56:60].strip())  # fmt: skip
    if len(texts) < 2 or not texts[1].startswith("##"):
        raise FormatError(path, 2, "expected the SP3 '##' line (GPS week, seconds of week, epoch interval)")
    second = texts[1]
    h["gps_week"] = _num(path, 2, second, 3, 7, "GPS week", int)
    h["seconds_of_week"] = _num(path, 2, second, 8, 23, "seconds of week")
    h["interval_s"] = _num(path, 2, second, 24, 38, "epoch interval")
    return h


def _sorted_lines(texts: list[str], path) -> dict[str, list[tuple[int, str]]]:
    """The header lines after the first two, by kind: '+', '++', '%c', '%f', '/*' (1-based lines)."""
    out: dict[str, list[tuple[int, str]]] = {"+": [], "++": [], "%c": [], "%f": [], "/*": []}
    for k, text in enumerate(texts[2:], start=3):
        kind = next((p for p in ("++", "+", "%c", "%f", "/*", "%i") if text.startswith(p)), None)
        if kind is None and text.strip():
            raise FormatError(
                path,
                k,
                f"unexpected header line {text[:20]!r}: expected '+', '++', '%c', '%f', '%i' or '/*' lines "
                "before the first '*' epoch line",
            )
        if kind is not None and kind != "%i":
            out[kind].append((k, text))
    return out


def _satellites(plus: list[tuple[int, str]], path) -> np.ndarray:
    if not plus:
        raise FormatError(path, 3, "no '+' satellite-list line in the header")
    k0, t0 = plus[0]
    nsat = _num(path, k0, t0, 1, 9, "number of satellites", int)
    ids = [(k, t[j : j + 3]) for k, t in plus for j in range(9, 60, 3)]
    if nsat < 0 or nsat > len(ids):
        raise FormatError(
            path, k0, f"the header announces {nsat} satellites but its '+' lines hold {len(ids)}"
        )
    ids = ids[:nsat]
    try:
        sats = (
            np.atleast_1d(file_sat_index(np.array([s for _, s in ids], dtype="U3")))
            if ids
            else np.zeros(0, np.int16)
        )
    except SignalError:
        for k, s in ids:
            try:
                file_sat_index(s)
            except SignalError as exc:
                raise FormatError(path, k, f"satellite list: {exc}") from None
        raise
    if np.unique(sats).size != sats.size:
        dup = sat_id(np.flatnonzero(np.bincount(sats) > 1)[0])
        raise FormatError(path, k0, f"satellite {dup} appears twice in the header list")
    return sats.astype(np.int16)


def _accuracy(acc: list[tuple[int, str]], nsat: int, path) -> np.ndarray:
    """``++`` accuracy exponents -> 2**e mm in metres (NaN for 0 = unknown or absent)."""
    codes = [t[j : j + 3] for _, t in acc for j in range(9, 60, 3)][:nsat]
    accuracy = np.full(nsat, np.nan)
    for i, c in enumerate(codes):
        if c.strip():
            try:
                e = parse_int(c, "accuracy code")
            except ValueError as exc:
                raise FormatError(path, acc[i // 17][0], str(exc)) from None
            if e > 0:
                accuracy[i] = 2.0**e * 1e-3
    return accuracy


def _header(texts: list[str], path) -> dict:
    """Parse the header lines (everything before the first ``*`` line)."""
    h = _first_lines(texts, path)
    lines = _sorted_lines(texts, path)
    h["sats"] = _satellites(lines["+"], path)
    h["accuracy_m"] = _accuracy(lines["++"], h["sats"].size, path)
    pc, pf = lines["%c"], lines["%f"]
    h["file_type"] = pc[0][1][3:5].strip() if pc else ""
    ts = pc[0][1][9:12].strip() if pc else ""
    if ts in ("", "ccc"):
        ts = "GPS"
    try:
        h["time_system"] = normalize_scale(ts)
    except TimeError:
        raise FormatError(path, pc[0][0], f"unknown time system {ts!r} in the '%c' line") from None
    h["base_pos"] = h["base_clk"] = 0.0
    if pf:
        k, t = pf[0]
        if t[3:13].strip():
            h["base_pos"] = _num(path, k, t, 3, 13, "base for position std")
        if t[14:26].strip():
            h["base_clk"] = _num(path, k, t, 14, 26, "base for clock std")
    h["comments"] = tuple(t[3:].rstrip() for _, t in lines["/*"])
    return h


# ----------------------------------------------------------------------------------------------
# Records


def _sdev(exp: np.ndarray, base: float, scale: float) -> np.ndarray:
    """``base**exp * scale`` where the exponent is present (>= 0) and the base is known (> 0)."""
    out = np.full(exp.shape, np.nan)
    if base > 0:
        ok = exp >= 0
        out[ok] = base ** exp[ok].astype(np.float64) * scale
    return out


def _columns_of(g, rows, eps, sats, kind, bad) -> np.ndarray:
    """Header column of each ``P``/``V`` record; a record of an unknown satellite, or a second one of
    a satellite in one epoch, is dropped (``bad``)."""
    ids = np.ascontiguousarray(g[:, 1:4]).view("S3").ravel()
    uniq, inv = np.unique(ids, return_inverse=True)
    col_of = {int(v): i for i, v in enumerate(sats)}
    col_of_uniq = np.full(uniq.size, -1, np.int64)
    for u, text in enumerate(np.char.decode(uniq, "latin-1")):  # one step per distinct satellite
        try:
            idx = int(file_sat_index(text))
        except SignalError as exc:
            bad.add(inv == u, f"{kind} record: {exc}")
            continue
        if idx not in col_of:
            bad.add(inv == u, f"{kind} record for satellite {sat_id(idx)}, which is not in the header list")
            continue
        col_of_uniq[u] = col_of[idx]
    col = col_of_uniq[inv]
    key = np.where(bad.mask, -1 - np.arange(col.size), eps * max(sats.size, 1) + col)
    _, first = np.unique(key, return_index=True)
    again = np.ones(key.size, bool)
    again[first] = False
    bad.add(again, lambda i: f"second {kind} record for {sat_id(sats[col[i]])} in one epoch")
    return col


_SDEV_COLS = ((61, 63), (64, 66), (67, 69), (70, 73))  # std exponents x, y, z, clock


def _records(g, rows, eps, sats, kind, ctx):
    """Parse ``P`` or ``V`` records (rows ``rows`` of the file, grid ``g``) in file units.

    Returns the kept records (mask), their header column, the (n, 3) vector and its validity, the
    clock (rate) and its validity, and the std exponents (-1 where blank).
    """
    bad = _Bad(ctx, rows)
    col = _columns_of(g, rows, eps, sats, kind, bad)
    what = "position" if kind == "P" else "velocity"
    comps = []
    for j, c in enumerate("xyz"):
        v, wrong = float_field(g, 4 + 14 * j, 18 + 14 * j, path=None, what=f"{what} {c}", bad="mask")
        bad.add(wrong, f"{what} {c} is not a number")
        comps.append(v)
    vec = np.stack(comps, axis=-1)
    # a coordinate of exactly 0 is real (a satellite crossing the equator, to the 1 mm of the format): a
    # vector is missing when all three are 0.000000 (RTKLIB readsp3b keeps any non-zero one)
    vec_ok = ~(np.all(vec == 0.0, axis=-1) | np.any(np.abs(vec) >= _BAD, axis=-1))
    clk, wrong = float_field(g, 46, 60, path=None, what="clock", blank_ok=True, bad="mask")
    bad.add(wrong, f"{'clock' if kind == 'P' else 'clock rate'} is not a number")
    clk_ok = np.abs(clk) < _BAD  # False for NaN (blank) too
    exps = []
    for a, b in _SDEV_COLS:
        e, wrong = int_field(g, a, b, path=None, what="std exponent", blank=-1, bad="mask")
        bad.add(wrong, "std exponent is not an integer")
        exps.append(e)
    return ~bad.mask, col, vec, vec_ok, clk, clk_ok, exps


class _Bad:
    """Records to drop (first reason of each), reported through the file's Diagnostics."""

    def __init__(self, ctx: Diagnostics, rows: np.ndarray):
        self.ctx, self.rows = ctx, rows
        self.mask = np.zeros(rows.size, bool)

    def add(self, which: np.ndarray, message) -> None:
        for i in np.flatnonzero(which & ~self.mask):
            self.ctx.drop(int(self.rows[i]) + 1, message(i) if callable(message) else message)
        self.mask |= which


def _dense(shape, e, s, values, ok=None, fill=np.nan):
    """A ``shape`` array holding ``values`` at ``[e, s]`` (where ``ok``) and ``fill`` elsewhere."""
    out = np.full(shape, fill, dtype=np.asarray(values).dtype)
    if ok is not None:
        e, s, values = e[ok], s[ok], values[ok]
    out[e, s] = values
    return out


def read_sp3(path: str | os.PathLike, *, strict: bool = False) -> Sp3:
    """Read an SP3-a/b/c/d orbit file (plain or compressed, see :func:`kompas.io._open.read_bytes`).

    Parameters
    ----------
    path : str or os.PathLike
    strict : bool
        Refuse (FormatError naming the line) what the default mode repairs or drops with a warning.

    Returns
    -------
    Sp3

    Raises
    ------
    FormatError
        Empty file; missing or malformed ``#``/``##`` lines or another header error. The message
        names the line.

    Warns
    -----
    DroppedRecordWarning
        For records that cannot be read, which are skipped: an epoch that is not one, is impossible
        (years 1980-2200) or is not after the one before it (with its records); a ``P``/``V``
        record with a field that is not a number, of a satellite absent from the header list, or a
        second one in the same epoch; an unknown record type.
    TruncatedFileWarning
        When the file does not end with ``EOF`` (see the module docstring for what is kept).
    FormatWarning
        Blank lines before the first header line (skipped).
    KompasWarning
        When satellites lack records in some epochs (their values are NaN), when the file has no
        epoch, or when text follows ``EOF``.
    """
    name = file_name(path)
    ctx = Diagnostics(name, strict=strict)
    data = read_bytes(path)
    with ctx.last_resort("SP3 data"):
        sp3 = _read(Lines.from_bytes(data), ctx)
    ctx.emit()
    return sp3


def _classify(lines: Lines, g: np.ndarray, n_head: int, ctx: Diagnostics):
    """Kind of every body line (0 blank/skipped, 1 epoch, 2 P, 3 V, 4 EOF); unknown lines dropped."""
    rows = np.arange(n_head, len(lines))
    g = g[n_head:]
    c0, c1, c2 = g[:, 0], g[:, 1], g[:, 2]
    kind = np.zeros(rows.size, np.int8)
    kind[c0 == ord("*")] = 1
    kind[c0 == ord("P")] = 2
    kind[c0 == ord("V")] = 3
    is_e = c0 == ord("E")
    kind[is_e & (c1 == ord("O")) & (c2 == ord("F"))] = 4
    skip = (
        (is_e & ((c1 == ord("P")) | (c1 == ord("V")))) | ((c0 == ord("/")) & (c1 == ord("*"))) | blank_rows(g)
    )
    truncated = not np.any(kind == 4)
    if not truncated:
        end = int(np.argmax(kind == 4))
        after = np.flatnonzero((kind[end + 1 :] != 0) | ~skip[end + 1 :])
        if after.size:
            line = rows[end + 1 + after[0]] + 1
            warnings.warn(
                f"{ctx.path}: text after EOF (line {line}) ignored",
                KompasWarning,
                stacklevel=caller_stacklevel(),
            )
        rows, g, kind, skip = rows[:end], g[:end], kind[:end], skip[:end]
    for k in np.flatnonzero((kind == 0) & ~skip):
        found = lines.text(rows[k])[:20]
        ctx.drop(int(rows[k]) + 1, f"unknown record {found!r}: expected '*', 'P', 'V', 'EP', 'EV' or 'EOF'")
    return rows, g, kind, truncated


def _head(lines: Lines, g: np.ndarray, ctx: Diagnostics) -> tuple[dict, int]:
    """Header fields and the first body line (0-based); blank lines before the header are a repair."""
    nonblank = np.flatnonzero(~blank_rows(g)) if len(lines) else np.zeros(0, np.int64)
    h0 = int(nonblank[0]) if nonblank.size else 0
    if h0:
        ctx.repair(1, "blank lines before the header", f"{h0} blank line(s) before the '#' line skipped")
    # the header ends at the first epoch line (or at EOF in a file without epochs)
    ends_head = (g[h0:, 0] == ord("*")) | (
        (g[h0:, 0] == ord("E")) & (g[h0:, 1] == ord("O")) & (g[h0:, 2] == ord("F"))
    )
    n_head = h0 + (int(np.argmax(ends_head)) if ends_head.any() else len(lines) - h0)
    try:
        h = _header([lines.text(i) for i in range(h0, n_head)], ctx.path)
    except FormatError as exc:
        if not h0 or exc.line is None:
            raise
        raise FormatError(ctx.path, exc.line + h0, exc.message) from None
    return h, n_head


def _truncate(lines, rows, kind, nsat, has_vel, sp3a, ctx) -> None:
    """A file without EOF: never read a cut last line; drop a last epoch that misses records."""
    note = ""
    used = np.flatnonzero(kind > 0)
    if used.size:  # never read a cut number: drop a last line shorter than its record
        last = int(used[-1])
        need = _EPOCH_MIN_LEN if kind[last] == 1 else _P_MIN_LEN
        length = lines.lengths[rows[last]]
        # without its end of line, a record line is whole only with its 80 columns (60 in SP3-a)
        unsure = not lines.complete_last and (kind[last] == 1 or length < (_P_MIN_LEN if sp3a else _WIDTH))
        if length < need or unsure:
            note = f"; its last line ({int(rows[last]) + 1}) is cut"
            kind[last] = 0
    ep_rows = np.flatnonzero(kind == 1)
    n_ep = ep_rows.size
    if n_ep:
        tail = kind[ep_rows[-1] :]
        n_p, n_v = np.count_nonzero(tail == 2), np.count_nonzero(tail == 3)
        if n_p < nsat or (has_vel and n_v < nsat):
            note += (
                f"; its last epoch (line {int(rows[ep_rows[-1]]) + 1}, {n_p} of {nsat} satellites) is dropped"
            )
            kind[ep_rows[-1] :] = 0
            n_ep -= 1
    ctx.truncated(f"no EOF line: the file is truncated{note}; read {n_ep} complete epochs")


def _epochs(g, rows, kind, scale, ctx) -> tuple[np.ndarray, np.ndarray]:
    """GPST ns of the valid epochs and, per body line, its epoch among them (-1: a dropped epoch)."""
    ep_rows = np.flatnonzero(kind == 1)
    ge, er = g[ep_rows], rows[ep_rows]
    bad = _Bad(ctx, er)
    cal = []
    for a, b, w in ((3, 7, "year"), (8, 10, "month"), (11, 13, "day"), (14, 16, "hour"), (17, 19, "minute")):
        v, wrong = int_field(ge, a, b, path=None, what=w, bad="mask")
        bad.add(wrong, f"epoch {w} is not an integer")
        cal.append(v)
    sec, wrong = float_field(ge, 20, 31, path=None, what="epoch second", bad="mask")
    bad.add(wrong, "epoch second is not a number")
    ns, wrong, why = calendar_ns_or_bad(*cal, np.where(bad.mask, 0.0, sec), scale)
    bad.add(wrong & ~bad.mask, lambda i: f"invalid epoch: {why[int(i)]}")
    t = np.where(bad.mask, np.iinfo(np.int64).min, ns)
    prev_max = np.concatenate(([np.iinfo(np.int64).min], np.maximum.accumulate(t)[:-1]))[: t.size]
    bad.add(~bad.mask & (t <= prev_max), "epoch is not after the one before it (duplicate or out of order)")
    keep = ~bad.mask
    new_index = np.append(np.where(keep, np.cumsum(keep) - 1, -1), -1)  # (the -1 at the end: no epoch)
    ep_of = np.cumsum(kind == 1) - 1
    line_epoch = new_index[np.where(ep_of >= 0, ep_of, -1)]
    return ns[keep], line_epoch


def _read(lines: Lines, ctx: Diagnostics) -> Sp3:
    name = ctx.path
    g = lines.grid(_WIDTH)
    h, n_head = _head(lines, g, ctx)
    sats = h["sats"]
    nsat = sats.size
    rows, g, kind, truncated = _classify(lines, g, n_head, ctx)
    has_vel = h["pv_flag"] == "V" or bool(np.any(kind == 3))
    if truncated:
        _truncate(lines, rows, kind, nsat, has_vel, h["version"] == "a", ctx)
    time_ns, line_epoch = _epochs(g, rows, kind, h["time_system"], ctx)
    n_ep = time_ns.size
    if n_ep == 0:
        warnings.warn(f"{name}: no epoch records", KompasWarning, stacklevel=caller_stacklevel())
    shape = (n_ep, nsat)
    out, n_pos = {}, 0
    for k, what in ((2, "P"), (3, "V")):
        sel = np.flatnonzero((kind == k) & (line_epoch >= 0))
        if k == 3 and not has_vel:
            out.update(vel_mps=None, clk_rate=None, vel_sdev_mps=None, clk_rate_sdev=None)
            continue
        e = line_epoch[sel]
        keep, s, vec, vec_ok, clk, clk_ok, exps = _records(g[sel], rows[sel], e, sats, what, ctx)
        e, s, vec, vec_ok, clk, clk_ok = e[keep], s[keep], vec[keep], vec_ok[keep], clk[keep], clk_ok[keep]
        exps = [x[keep] for x in exps]
        if k == 2:
            n_pos = e.size
            out.update(_positions(shape, e, s, vec, vec_ok, clk, clk_ok, exps, h, g[sel][keep]))
        else:
            out.update(_velocities(shape, e, s, vec, vec_ok, clk, clk_ok, exps, h))
    missing = n_ep * nsat - n_pos
    if missing:
        warnings.warn(
            f"{name}: {missing} (epoch, satellite) position records are absent; their values are NaN",
            KompasWarning,
            stacklevel=caller_stacklevel(),
        )
    meta = {k: v for k, v in h.items() if k in _SP3_FIELDS}
    return Sp3(time_ns=np.asarray(time_ns, np.int64), path=name, **meta, **out)


def _positions(shape, e, s, pos, pos_ok, clk, clk_ok, exps, h, gp) -> dict:
    ex, ey, ez, ec = exps
    base_pos, base_clk = h["base_pos"], h["base_clk"]
    # the "bad" values (>= 999999, up to 1e308) go out before the scaling, which would overflow on them
    pos, clk = np.where(pos_ok[:, None], pos, np.nan), np.where(clk_ok, clk, np.nan)
    out = {
        "pos_m": _dense((*shape, 3), e, s, pos * _KM, pos_ok),
        "clk_s": _dense(shape, e, s, clk * _US, clk_ok),
        "pos_sdev_m": _dense(
            (*shape, 3), e, s, np.stack([_sdev(x, base_pos, 1e-3) for x in (ex, ey, ez)], -1), pos_ok
        ),
        "clk_sdev_s": _dense(shape, e, s, _sdev(ec, base_clk, 1e-12), clk_ok),
    }
    flags = (("clk_event", 74, "E"), ("clk_pred", 75, "P"), ("maneuver", 78, "M"), ("orb_pred", 79, "P"))
    for field, col, char in flags:
        out[field] = _dense(shape, e, s, gp[:, col] == ord(char), fill=False)
    return out


def _velocities(shape, e, s, vel, vel_ok, rate, rate_ok, exps, h) -> dict:
    ex, ey, ez, ec = exps
    vsd = np.stack([_sdev(x, h["base_pos"], 1e-7) for x in (ex, ey, ez)], -1)  # 1e-4 mm/s
    return {
        "vel_mps": _dense((*shape, 3), e, s, vel * _DM, vel_ok),
        "clk_rate": _dense(shape, e, s, rate * _RATE, rate_ok),
        "vel_sdev_mps": _dense((*shape, 3), e, s, vsd, vel_ok),
        "clk_rate_sdev": _dense(shape, e, s, _sdev(ec, h["base_clk"], 1e-16), rate_ok),  # 1e-4 ps/s
    }
