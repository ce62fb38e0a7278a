"""RINEX meteorological files (type ``M``), versions 2.x, 3.x and 4.x -> :class:`kompas.tables.met.MetTable`.

References: RINEX 2.11 (Gurtner & Estey 2007) Tables A5 (header) and A6 (data record); RINEX 3.05
(IGS/RTCM 2020) sec. 7 and the meteorological tables; RINEX 4.02 (2024) sec. 7. Columns below are
0-based Python slices.

Header
    ``# / TYPES OF OBSERV``: I6, then 9(4X,A2), continuation lines 6X,9(4X,A2).
    ``SENSOR MOD/TYPE/ACC``: model [0:20], type [20:40], accuracy F7.1 [46:53], observable [57:59].
    ``SENSOR POS XYZ/H``: X, Y, Z [0:42] (3F14.4), ellipsoidal height H [42:56], observable [57:59];
    X = Y = Z = 0 means "not known" (read as NaN).
Data records
    Epoch in GPS time: RINEX 2 ``1X,I2.2,5(1X,I2)`` (two-digit year, 80-99 -> 19xx, else 20xx),
    RINEX 3/4 ``1X,I4,5(1X,I2)``; then the values ``F7.1`` in header order, 8 on the epoch line and
    10 per continuation line (``4X,10F7.1``). A blank value is missing (no row).
Damaged files
    A record with a field that is not a number, an impossible epoch (years 1980-2200) or an epoch
    not after the one before is dropped with a :class:`~kompas.errors.DroppedRecordWarning`; a file
    that ends inside a record (too few lines, or a last line without its end of line that stops
    before its last field) loses that record with a :class:`~kompas.errors.TruncatedFileWarning`;
    blank lines before the header are skipped with a :class:`~kompas.errors.FormatWarning`.
    ``strict=True`` makes each of these a FormatError. Header errors are FormatErrors.
"""

from __future__ import annotations

import os
import re

import numpy as np

from ...errors import FormatError
from ...tables.met import MetHeader, MetSensor, MetTable
from .._open import file_name, read_text
from .._text import Diagnostics, calendar_ns_or_bad, calendar_problem, first_header_line

__all__ = ["read_met"]

_CODE = re.compile(r"[A-Z]{2}")
_FIRST_LINE_VALUES = 8
_CONT_LINE_VALUES = 10
_F7 = 7


def read_met(path: str | os.PathLike, *, strict: bool = False) -> MetTable:
    """Read a RINEX meteorological file (2.x, 3.x, 4.x; plain or compressed).

    Parameters
    ----------
    path : str or os.PathLike
    strict : bool
        Refuse (FormatError naming the line) what the default mode repairs or drops with a warning.

    Returns
    -------
    MetTable
        Every value with its epoch (GPST ns) and observable code, in the file's units (see
        :mod:`kompas.tables.met`); the header with the sensors' models, accuracies and positions.

    Raises
    ------
    FormatError
        Not a meteorological RINEX file, or a header record that does not parse (with the line).

    Warns
    -----
    DroppedRecordWarning, TruncatedFileWarning, FormatWarning
        See the module docstring.
    """
    name = file_name(path)
    text = read_text(path)
    lines = [x[:-1] if x.endswith("\r") else x for x in text.split("\n")]
    if lines and lines[-1] == "":
        lines.pop()
    ctx = Diagnostics(name, strict=strict)
    with ctx.last_resort("MET data"):
        header, start = _header(lines, ctx)
        table = _records(lines, start, header, ctx, text.endswith("\n"))
    ctx.emit()
    return table


# ----------------------------------------------------------------------------------------------
# Header


def _version(lines: list[str], ctx: Diagnostics) -> tuple[float, int]:
    first = first_header_line(lines, ctx, "the first record")
    line = lines[first]
    if line[60:].strip() != "RINEX VERSION / TYPE":
        raise ctx.error(first + 1, "expected 'RINEX VERSION / TYPE' as the first header record")
    version = ctx.float(line[0:9], first + 1, "RINEX version")
    if line[20:21] != "M":
        raise ctx.error(first + 1, f"expected file type 'M' (meteorological data), found {line[20:21]!r}")
    if not 2.0 <= version < 5.0:
        raise ctx.error(first + 1, f"unsupported RINEX version {version:g} (2.x, 3.x and 4.x are read)")
    return version, first + 1


def _sensor(sensors: dict, code: str) -> dict:
    return sensors.setdefault(code, {"code": code})


def _header_record(label: str, raw: str, ln: int, ctx: Diagnostics, acc: dict) -> None:
    if label == "PGM / RUN BY / DATE":
        acc.update(program=raw[0:20].strip(), run_by=raw[20:40].strip(), date=raw[40:60].strip())
    elif label == "COMMENT":
        acc["comments"].append(raw[:60].rstrip())
    elif label == "MARKER NAME":
        acc["marker_name"] = raw[0:60].strip()
    elif label == "MARKER NUMBER":
        acc["marker_number"] = raw[0:20].strip()
    elif label == "# / TYPES OF OBSERV":
        if raw[0:6].strip():
            acc["declared"] = (ctx.count(raw[0:6], ln, "number of observation types"), ln)
        elif acc["declared"] is None:
            raise ctx.error(ln, "continuation of # / TYPES OF OBSERV without a count")
        for code in raw[6:60].split():
            if not _CODE.fullmatch(code):
                raise ctx.error(ln, f"observation type {code!r} is not two capital letters")
            acc["codes"].append(code)
    elif label in ("SENSOR MOD/TYPE/ACC", "SENSOR POS XYZ/H"):
        code = raw[57:59].strip()
        if not _CODE.fullmatch(code):
            raise ctx.error(ln, f"{label}: expected the observation type in columns 58-59, found {code!r}")
        s = _sensor(acc["sensors"], code)
        if label == "SENSOR MOD/TYPE/ACC":
            s.update(
                model=raw[0:20].strip(),
                type=raw[20:40].strip(),
                accuracy=ctx.float(raw[46:53], ln, label, np.nan),
            )
        else:
            xyz = np.array([ctx.float(raw[14 * k : 14 * k + 14], ln, label, np.nan) for k in range(3)])
            s.update(position_m=np.full(3, np.nan) if np.all(xyz == 0.0) else xyz,
                     height_m=ctx.float(raw[42:56], ln, label, np.nan))  # fmt: skip
    else:
        acc["other"].setdefault(label, []).append(raw[:60].rstrip())


def _header(lines: list[str], ctx: Diagnostics) -> tuple[MetHeader, int]:
    version, i = _version(lines, ctx)
    acc: dict = {"program": "", "run_by": "", "date": "", "marker_name": "", "marker_number": "",
                 "comments": [], "codes": [], "declared": None, "sensors": {}, "other": {}}  # fmt: skip
    while i < len(lines):
        raw = lines[i]
        i += 1
        label = raw[60:].strip()
        if label == "END OF HEADER":
            break
        if raw.strip():
            _header_record(label, raw, i, ctx, acc)
    else:
        raise ctx.error(len(lines), "file ends before 'END OF HEADER'")
    if acc["declared"] is None:
        raise ctx.error(i, "header has no '# / TYPES OF OBSERV' record")
    n, ln = acc["declared"]
    if n != len(acc["codes"]):
        raise ctx.error(ln, f"{n} observation types declared, {len(acc['codes'])} listed")
    sensors = {c: MetSensor(**s) for c, s in acc.pop("sensors").items()}
    acc.pop("declared")
    codes = tuple(acc.pop("codes"))
    other = {k: tuple(v) for k, v in acc.pop("other").items()}
    header = MetHeader(version=version, codes=codes, sensors=sensors, other=other,
                       comments=tuple(acc.pop("comments")), **acc)  # fmt: skip
    return header, i


# ----------------------------------------------------------------------------------------------
# Data records


def _layout(version: float, n: int):
    """(epoch field spans, first value column, lines per record)."""
    if version < 3:
        spans = ((1, 3), (4, 6), (7, 9), (10, 12), (13, 15), (16, 18))
    else:
        spans = ((1, 5), (6, 8), (9, 11), (12, 14), (15, 17), (18, 20))
    extra = max(0, n - _FIRST_LINE_VALUES)
    return spans, spans[-1][1], 1 + (extra + _CONT_LINE_VALUES - 1) // _CONT_LINE_VALUES


def _value_slots(n: int, v0: int) -> list[tuple[int, int]]:
    """(line of the record, first column) of each of the ``n`` values."""
    out = [(0, v0 + _F7 * k) for k in range(min(n, _FIRST_LINE_VALUES))]
    for k in range(_FIRST_LINE_VALUES, n):
        j = k - _FIRST_LINE_VALUES
        out.append((1 + j // _CONT_LINE_VALUES, 4 + _F7 * (j % _CONT_LINE_VALUES)))
    return out


def _one_record(rec: list[str], ln: int, header: MetHeader, layout, ctx: Diagnostics):
    """(calendar fields, values) of one record; a ValueError names what does not parse."""
    spans, v0, _ = layout
    what = ("year", "month", "day", "hour", "minute", "second")
    cal = [ctx.int(rec[0][a:b], ln, w) for (a, b), w in zip(spans, what, strict=True)]
    if header.version < 3:
        cal[0] += 1900 if cal[0] >= 80 else 2000
    slots = _value_slots(len(header.codes), v0)
    values = [
        ctx.float(rec[j][c : c + _F7], ln + j, code, np.nan)
        for (j, c), code in zip(slots, header.codes, strict=True)
    ]
    return cal, values


def _records(
    lines: list[str], start: int, header: MetHeader, ctx: Diagnostics, complete_last: bool
) -> MetTable:
    n = len(header.codes)
    layout = _layout(header.version, n)
    per = layout[2]
    slots = _value_slots(n, layout[1])
    need_last = max((c + _F7 for j, c in slots if j == per - 1), default=layout[1])
    cal_rows, val_rows, first_lines = [], [], []
    i = start
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        rec = lines[i : i + per]
        if len(rec) < per or (i + per == len(lines) and not complete_last and len(rec[-1]) < need_last):
            ctx.truncated(f"line {i + 1}: the file ends inside this record; the records before it were read")
            break
        try:
            cal, values = _one_record(rec, i + 1, header, layout, ctx)
        except FormatError as exc:
            ctx.drop(exc.line, exc.message)
        else:
            if (problem := calendar_problem(*cal)) is not None:
                ctx.drop(i + 1, f"epoch: {problem}")
            else:
                cal_rows.append(cal)
                val_rows.append(values)
                first_lines.append(i + 1)
        i += per
    return _table(cal_rows, val_rows, first_lines, header, ctx)


def _table(cal_rows, val_rows, first_lines, header: MetHeader, ctx: Diagnostics) -> MetTable:
    n = len(header.codes)
    cal = np.array(cal_rows, dtype=np.float64).reshape(-1, 6)
    vals = np.array(val_rows, dtype=np.float64).reshape(-1, n)
    t, bad, why = calendar_ns_or_bad(*(cal[:, k].astype(np.int64) for k in range(5)), cal[:, 5], "GPST")
    for k in np.flatnonzero(bad):
        ctx.drop(first_lines[k], f"epoch: {why[int(k)]}")
    keep = ~bad
    prev = np.iinfo(np.int64).min
    for k in np.flatnonzero(keep):  # (a few thousand records a day)
        if t[k] <= prev:
            ctx.drop(first_lines[k], "epoch is not after the one before it (duplicate or out of order)")
            keep[k] = False
        else:
            prev = t[k]
    t, vals = t[keep], vals[keep]
    have = np.isfinite(vals)
    codes = np.array(header.codes, dtype="<U2")
    return MetTable(
        time_ns=np.repeat(t, n).reshape(-1, n)[have].astype(np.int64),
        code=np.broadcast_to(codes, vals.shape)[have],
        value=vals[have],
        header=header,
        path=ctx.path,
    )
