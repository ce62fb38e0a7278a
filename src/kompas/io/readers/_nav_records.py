"""Data records of RINEX 2/3/4 navigation files: cut the body into records, parse and check their fields.

Scanning gathers, per layout (:mod:`._nav_layouts`), the 19-column fields of every record as text;
:func:`parse_group` converts a whole group at once and checks it. A record that cannot be read as
its layout says -- a field that is not a number, a required field left blank, a satellite id or an
epoch that is not one, a date out of range, a week outside 0-9999, a time of week beyond a few
weeks, a GLONASS frequency number that is not an integer, a field read of 1e12 or more
(:data:`MAX_FIELD`; spare fields are not read), too few or too many lines -- is dropped
with one :class:`~kompas.errors.DroppedRecordWarning` for the file (an error with ``strict=True``);
the other records are read. A blank inside a number that leaves one reading (``. 000000000000D+00``)
is repaired (:class:`~kompas.errors.FormatWarning`).

A file that ends inside its last record -- too few lines, a last line that stops inside a
19-column field, or a last line without its end of line that stops before the last field its
layout names -- loses that record with a :class:`~kompas.errors.TruncatedFileWarning`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from ...constants import BDS_GEO_PRNS
from ...errors import KompasError
from ...satsys import SYSTEM_LETTERS
from .._text import FLOAT, calendar_bad, calendar_ns_or_bad, calendar_problem, file_sat_index, float_field
from ._nav_header import NavContext
from ._nav_layouts import (
    BDS_D,
    EOP,
    EPH3,
    EPH4,
    FW,
    GAL,
    GLO,
    GPS_LNAV,
    ION4,
    SBAS,
    SCALE_OF,
    STO,
    TOW_MAX,
    WEEK_MAX,
    Layout,
)  # fmt: skip

__all__ = ["Group", "Parsed", "scan_v2", "scan_v3", "scan_v4", "parse_group"]


@dataclass
class Group:
    """Records of one layout gathered while scanning: their fixed-width field text and lines."""

    layout: Layout
    chunks: list[str]
    sats: list[str]
    epochs: list[str]
    msgs: list[str]
    lines: list[list[int]]  # 0-based line indices: first line, then orbit lines
    extra: list[Any]  # per-record extra data (STO text fields)

    @classmethod
    def new(cls, layout: Layout) -> Group:
        return cls(layout, [], [], [], [], [], [])

    def __len__(self) -> int:
        return len(self.chunks)

    def field_line(self, rec: int, slot: int) -> int:
        """0-based file line of field ``slot`` of record ``rec``."""
        lines = self.lines[rec]
        j = 0 if slot < 3 else 1 + (slot - 3) // 4
        return lines[min(j, len(lines) - 1)]


# ----------------------------------------------------------------------------------------------
# Scanning


def _last_line_cut(ctx: NavContext, lay: Layout, idx: list[int], prefix0: int, prefix: int) -> bool:
    """True if the last line of the file, ending this record, is cut."""
    j = len(idx) - 1
    line = ctx.lines[idx[-1]]
    p, nf = (prefix0, 3) if j == 0 else (prefix, 4)
    n = len(line.rstrip())
    if p < n < p + FW * nf and (n - p) % FW != 0:
        return True  # ends inside a 19-column field
    return not ctx.complete_last and len(line) < p + FW * lay.last_named(j)


def _blank_tail(ctx: NavContext, lay: Layout, idx: list[int]) -> None:
    """Extend a record short of orbit lines by the all-space lines right after it: orbit lines of blank
    (unknown) fields, as RTKLIB reads them; an empty line stays a separator."""
    k = idx[-1] + 1
    while len(idx) - 1 < lay.min_lines and k < len(ctx.lines) and ctx.lines[k] and not ctx.lines[k].strip():
        idx.append(k)
        k += 1


def _record_complete(ctx: NavContext, lay: Layout, idx, is_last, prefix0, prefix, what) -> bool:
    """Check the orbit-line count (and a cut last line); False: the record is not read."""
    _blank_tail(ctx, lay, idx)
    n = len(idx) - 1
    if n > lay.max_lines:
        ctx.drop(idx[lay.max_lines + 1] + 1, f"{what}: more than the {lay.max_lines} orbit lines ")
        return False
    if n < lay.min_lines or (is_last and _last_line_cut(ctx, lay, idx, prefix0, prefix)):
        if is_last:
            ctx.truncated(
                f"the file ends inside the {what} record starting at line {idx[0] + 1}; "
                "the complete records before it were read"
            )
        else:
            ctx.drop(idx[0] + 1, f"{what}: expected {lay.min_lines} orbit lines, found {n}")
        return False
    return True


def _add_record(group: Group, first: str, conts: list[str], idx: list[int], sat: str, msg: str, v2: bool):
    lay = group.layout
    p0, p = (22, 3) if v2 else (23, 4)
    parts = [first[p0 : p0 + 3 * FW].ljust(3 * FW)]
    parts += [c[p : p + 4 * FW].ljust(4 * FW) for c in conts]
    parts.append(" " * (4 * FW * (lay.max_lines - len(conts))))
    group.chunks.append("".join(parts))
    group.sats.append(sat)
    group.epochs.append(first[2:22] if v2 else first[4:23].ljust(19))
    group.msgs.append(msg)
    group.lines.append(idx)


def _split_records(ctx: NavContext, start: int, kind: str) -> list[list[int]]:
    """Line indices of each record: its first line, then its continuation lines.

    A first line is, by ``kind``: ``"v2"`` a PRN in columns 1-3, ``"v3"`` a non-blank column 1,
    ``"v4"`` a ``>`` in column 1.
    """
    lines = ctx.lines[start:]
    if kind == "v2":
        first = [bool(line[:3].strip()) for line in lines]
    elif kind == "v3":
        first = [line[:1] not in ("", " ", "\t") for line in lines]
    else:
        first = [line[:1] == ">" for line in lines]
    recs: list[list[int]] = []
    orphans = []
    for k, (line, f) in enumerate(zip(lines, first, strict=True)):
        if f:
            recs.append([start + k])
        elif line.strip():
            (recs[-1] if recs else orphans).append(start + k)
    if orphans:
        ctx.drop(orphans[0] + 1, f"{len(orphans)} continuation line(s) before the first record")
    return recs


_R2_MSG = {"G": "LNAV", "R": "FDMA", "S": "SBAS", "E": "", "C": ""}
_R2_LAYOUT = {"G": GPS_LNAV, "R": GLO, "S": SBAS, "E": GAL, "C": BDS_D}


def scan_v2(ctx: NavContext, start: int, system: str) -> dict[str, Group]:
    """RINEX 2 records: I2 PRN in columns 1-2, then the epoch; the letter comes from the file type."""
    lay = _R2_LAYOUT[system]
    group = Group.new(lay)
    lines = ctx.lines
    recs = _split_records(ctx, start, "v2")
    for r, idx in enumerate(recs):
        first = lines[idx[0]]
        prn = first[0:2]
        if not (prn.strip().isascii() and prn.strip().isdigit()):
            ctx.drop(idx[0] + 1, f"expected a PRN in columns 1-2, found {prn!r}")
            continue
        sat = f"{system}{int(prn):02d}"
        if not _record_complete(ctx, lay, idx, r == len(recs) - 1, 22, 3, sat):
            continue
        msg = _kepler_msg3(system, prn) if system in "EC" else _R2_MSG[system]
        _add_record(group, first, [lines[k] for k in idx[1:]], idx, sat, msg, v2=True)
    return {lay.name: group}


def _kepler_msg3(letter: str, prn: str) -> str:
    if letter == "C":
        try:
            return "D2" if int(prn.replace(" ", "0")) in BDS_GEO_PRNS else "D1"
        except ValueError:
            return "D1"
    return "" if letter == "E" else {"R": "FDMA", "S": "SBAS"}.get(letter, "LNAV")


def scan_v3(ctx: NavContext, start: int) -> dict[str, Group]:
    groups: dict[str, Group] = {}
    lines = ctx.lines
    recs = _split_records(ctx, start, "v3")
    for r, idx in enumerate(recs):
        first = lines[idx[0]]
        letter = first[0]
        if letter not in SYSTEM_LETTERS:
            if letter.isalpha():
                ctx.skip(f"records of unknown system {letter!r}")
            else:
                ctx.drop(idx[0] + 1, f"expected a satellite id (system letter and PRN), found {first[:3]!r}")
            continue
        lay = EPH3[letter]
        if not _record_complete(ctx, lay, idx, r == len(recs) - 1, 23, 4, first[:3]):
            continue
        group = groups.setdefault(lay.name, Group.new(lay))
        msg = _kepler_msg3(letter, first[1:3])
        _add_record(group, first, [lines[k] for k in idx[1:]], idx, first[:3], msg, False)
    return groups


def _frame_layout(ctx: NavContext, kind: str, letter: str, msg: str) -> Layout | None:
    if kind == "EPH":
        lay = EPH4.get((letter, msg))
    elif kind == "ION":
        lay = ION4.get((letter, msg))
    elif kind in ("EOP", "STO"):
        lay = {"EOP": EOP, "STO": STO}[kind] if letter in SYSTEM_LETTERS else None
    else:
        lay = None
    if lay is None:
        ctx.skip(f"{kind} {letter} {msg} frames")
    return lay


def scan_v4(ctx: NavContext, start: int) -> dict[str, Group]:
    groups: dict[str, Group] = {}
    lines = ctx.lines
    frames = _split_records(ctx, start, "v4")
    for r, idx in enumerate(frames):
        head = lines[idx[0]]
        kind, sat, msg = head[2:5].strip(), head[6:9], head[10:14].strip()
        is_last = r == len(frames) - 1
        what = f"{kind} {sat} {msg}".strip()
        body = idx[1:]
        if is_last and not body:
            ctx.truncated(f"the file ends after the frame line {idx[0] + 1} ({head.strip()!r})")
            break
        lay = _frame_layout(ctx, kind, sat[:1], msg)
        if lay is None:
            continue
        if not body:
            ctx.drop(idx[0] + 1, f"{what}: frame without a record line")
            continue
        first = lines[body[0]]
        if kind == "EPH" and first[:3].replace(" ", "0") != sat.replace(" ", "0"):
            found = first[:23]
            ctx.drop(
                body[0] + 1, f"expected the record line of {sat!r} announced by the frame, found {found!r}"
            )
            continue
        if not _record_complete(ctx, lay, body, is_last, 23, 4, what):
            continue
        key = f"{kind}_{lay.name}" if kind != "EPH" else lay.name
        group = groups.setdefault(key, Group.new(lay))
        _add_record(group, first, [lines[k] for k in body[1:]], body, sat, msg, False)
        if kind == "STO":
            group.extra.append((first[24:42].strip(), first[43:61].strip(), first[62:80].strip()))
            group.chunks[-1] = " " * (3 * FW) + group.chunks[-1][3 * FW :]  # line 1 holds text
    return groups


# ----------------------------------------------------------------------------------------------
# Parsing and checking a group


@dataclass
class Parsed:
    """The records of a group that survived the checks, in file order."""

    group: Group
    keep: np.ndarray  # (n_group,) indices into the group
    vals: np.ndarray  # (n, nslots) float64, NaN blank
    sat: np.ndarray  # (n,) int16 (0 for a frame without a satellite)
    letters: np.ndarray  # (n,) <U1
    msg: np.ndarray  # (n,) <U4
    toc: np.ndarray  # (n,) int64 GPST ns of the record epoch
    first: list[int]  # (n,) 0-based first line

    def __len__(self) -> int:
        return int(self.keep.size)

    def col(self, name: str) -> np.ndarray:
        return self.vals[:, self.group.layout.slots()[name]]

    def extra(self) -> list:
        return [self.group.extra[k] for k in self.keep.tolist()]


class _Drops:
    """Records to drop, with the first reason of each."""

    def __init__(self, ctx: NavContext, group: Group):
        self.ctx, self.group = ctx, group
        self.mask = np.zeros(len(group), bool)

    def add(self, rec: int, line_idx: int, message: str) -> None:
        if not self.mask[rec]:
            self.mask[rec] = True
            g = self.group
            who = f"{g.sats[rec].strip() or g.sats[rec][:1]} {g.epochs[rec].strip()}".strip()
            self.ctx.drop(line_idx + 1, f"record {who}: {message}")


def _repair_inner_blanks(ctx: NavContext, grid: np.ndarray, vals: np.ndarray, bad: np.ndarray, g: Group):
    """``. 000000000000D+00``: a blank inside a number whose pieces are not numbers themselves."""
    nslots = g.layout.nslots
    for k in np.flatnonzero(bad):
        text = bytes(grid[k]).decode("latin-1")
        parts = text.split()
        joined = "".join(parts)
        if len(parts) > 1 and FLOAT.fullmatch(joined) and not all(FLOAT.fullmatch(p) for p in parts):
            value = float(joined.replace("D", "E").replace("d", "e"))
            if np.isfinite(value):
                rec, slot = divmod(int(k), nslots)
                ctx.repair(g.field_line(rec, slot) + 1, "blank inside a number",
                           f"{text.strip()!r} read as {joined!r}")  # fmt: skip
                vals[k], bad[k] = value, False


def _fields(ctx: NavContext, g: Group, drops: _Drops) -> np.ndarray:
    lay = g.layout
    n = len(g)
    grid = np.frombuffer("".join(g.chunks).encode("latin-1", "replace"), np.uint8).reshape(-1, FW)
    vals, bad = float_field(grid, 0, FW, path=ctx.path, what="field", blank_ok=True, bad="mask")
    if bad.any():
        _repair_inner_blanks(ctx, grid, vals, bad, g)
    vals, bad = vals.reshape(n, lay.nslots), bad.reshape(n, lay.nslots)
    names = lay.slot_names()
    for rec, slot in zip(*np.nonzero(bad), strict=True):
        text = g.chunks[rec][slot * FW : (slot + 1) * FW]
        name = names.get(slot, "spare")
        drops.add(rec, g.field_line(rec, slot), f"field {name!r} {text!r} is not a number")
    slots = lay.slots()
    for name in sorted(lay.required, key=slots.get):
        for rec in np.flatnonzero(np.isnan(vals[:, slots[name]]) & ~bad[:, slots[name]]):
            drops.add(rec, g.field_line(rec, slots[name]), f"required field {name!r} is blank")
    return vals


# fields whose value must be in range: (name, kind); "?" marks a field that may be blank. (Transmission
# times, t_op and GLONASS t_k need no check: 0.9999E9 and above mean "not known", below it they fit.)
_RANGE_CHECKS = (("week", "week"), ("wn_op", "week?"), ("toe_s", "tow"), ("freq_channel", "int8"))


MAX_FIELD = 1.0e12
"""Magnitude from which a navigation field is a damaged number (an exponent's digit changed: ``E+03`` read as
``E+93``), not a broadcast value: the largest in the shared files are the 0.999999999999E+09 "not known"
markers of transmission times."""


def _range_checks(g: Group, vals: np.ndarray, drops: _Drops) -> None:
    slots = g.layout.slots()
    for name, kind in _RANGE_CHECKS:
        if name not in slots:
            continue
        v = vals[:, slots[name]]
        with np.errstate(invalid="ignore"):
            if kind.startswith("week"):
                ok, limit = (v == np.rint(v)) & (v >= 0) & (v <= WEEK_MAX), f"an integer 0-{WEEK_MAX}"
            elif kind.startswith("tow"):
                ok, limit = np.abs(v) <= TOW_MAX, f"a time of week within +-{TOW_MAX:.0f} s"
            else:
                ok, limit = (v == np.rint(v)) & (v >= -128) & (v <= 127), "an integer"
            if kind.endswith("?"):
                ok |= np.isnan(v)
        for rec in np.flatnonzero(~ok):
            drops.add(rec, g.field_line(rec, slots[name]), f"{name} {v[rec]!r} is not {limit}")
    # after the checks of particular fields, whose reasons say more and are quoted first
    names = g.layout.slot_names()
    named = list(names)  # a spare field is not read: whatever it holds loses no record
    with np.errstate(invalid="ignore"):
        huge = np.abs(vals[:, named]) >= MAX_FIELD
    for rec, k in zip(*np.nonzero(huge), strict=True):
        slot = named[k]
        drops.add(rec, g.field_line(rec, slot), f"field {names[slot]!r} {vals[rec, slot]:g} is beyond "
                  f"{MAX_FIELD:g} (a damaged number, not a broadcast value)")  # fmt: skip


_F51 = re.compile(r" *\d{1,2}\.\d{0,2}")
_SPANS_V2 = ((0, 3), (3, 6), (6, 9), (9, 12), (12, 15))
_SPANS_V3 = ((0, 4), (5, 7), (8, 10), (11, 13), (14, 16), (17, 19))


def _epochs(g: Group, v2: bool, drops: _Drops) -> tuple:
    """Calendar fields of every record (six arrays); records whose epoch is not one are dropped.

    RINEX 2: 'YY MM DD HH MI SS.S' (5 x I3 after the I2 PRN, then F5.1; YY 80-99 -> 19YY, else 20YY);
    RINEX 3/4: 'YYYY MM DD HH MM SS'.
    """
    n = len(g)
    width = 20 if v2 else 19
    text = "".join(s.ljust(width)[:width] for s in g.epochs)
    u = np.frombuffer(text.encode("latin-1", "replace"), np.uint8).reshape(n, width)
    dig = u.astype(np.int64) - 48
    isd, iss = (dig >= 0) & (dig <= 9), u == 32
    ok = np.ones(n, bool) if v2 else iss[:, [4, 7, 10, 13, 16]].all(axis=1)
    out = []
    for a, b in _SPANS_V2 if v2 else _SPANS_V3:
        d, s = isd[:, a:b], iss[:, a:b]
        started = np.cumsum(d, axis=1) > 0
        ok &= (d | (s & ~started)).all(axis=1) & d[:, -1]
        out.append((np.where(d, dig[:, a:b], 0) * 10 ** np.arange(b - a - 1, -1, -1)).sum(axis=1))
    if v2:
        sec = [t[15:20] for t in (x.ljust(20) for x in g.epochs)]
        good = np.array([_F51.fullmatch(t) is not None for t in sec], bool)
        ok &= good & (out[0] < 100)
        out[0] = out[0] + np.where(out[0] < 80, 2000, 1900)
        out.append(np.array([float(t) if k else np.nan for t, k in zip(sec, good.tolist(), strict=True)]))
    code = calendar_bad(*out)
    for rec in np.flatnonzero(~ok | (code != 0)):
        if ok[rec]:
            what = f"epoch: {calendar_problem(*(x[rec] for x in out))}"
        else:
            what = f"expected an epoch, found {g.epochs[rec].strip()!r}"
        drops.add(rec, g.lines[rec][0], what)
    return tuple(out)


def parse_group(ctx: NavContext, g: Group, v2: bool) -> Parsed:
    """Fields, satellites and epochs of the records of ``g``; bad records dropped (see module)."""
    drops = _Drops(ctx, g)
    vals = _fields(ctx, g, drops)
    _range_checks(g, vals, drops)
    letters = np.array([s[:1] for s in g.sats], dtype="<U1")
    sat = np.zeros(len(g), np.int16)
    has_sat = np.array([bool(s[1:].strip()) for s in g.sats], bool)
    by_id: dict[str, list[int]] = {}
    for k, (sid, h) in enumerate(zip(g.sats, has_sat.tolist(), strict=True)):
        if h:
            by_id.setdefault(sid, []).append(k)
    ids = list(by_id)
    try:  # one vectorised conversion; one by one only to find a bad id
        idx = np.atleast_1d(file_sat_index(ids)) if ids else []
    except KompasError:
        idx = []
        for sid in ids:
            try:
                idx.append(int(file_sat_index(sid)))
            except KompasError:
                idx.append(0)
                what = f"expected a satellite id (letter and PRN 01-99), found {sid!r}"
                for k in by_id[sid]:
                    drops.add(k, g.lines[k][0], what)
    for sid, v in zip(ids, idx, strict=True):
        sat[by_id[sid]] = v
    cal = _epochs(g, v2, drops)
    scales = np.array([SCALE_OF.get(c, "GPST") for c in letters.tolist()], dtype="<U4")
    toc = np.zeros(len(g), np.int64)
    for sc in np.unique(scales):
        m = (scales == sc) & ~drops.mask
        ns, bad, why = calendar_ns_or_bad(*(x[m] for x in cal), str(sc))
        toc[m] = ns
        for j, k in enumerate(np.flatnonzero(m)):
            if bad[j]:
                drops.add(k, g.lines[k][0], f"epoch: {why[j]}")
    keep = np.flatnonzero(~drops.mask)
    return Parsed(
        group=g, keep=keep, vals=vals[keep], sat=sat[keep], letters=letters[keep],
        msg=np.array(g.msgs, dtype="<U4")[keep] if len(g) else np.zeros(0, "<U4"), toc=toc[keep],
        first=[g.lines[k][0] for k in keep.tolist()],
    )  # fmt: skip
