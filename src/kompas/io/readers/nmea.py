"""NMEA-0183 GGA and RMC sentences: a small reader (format: :mod:`kompas.io.writers.nmea`)."""

from __future__ import annotations

import datetime
import os
import re

import numpy as np

from ...errors import FormatError
from .._open import file_name, read_text
from .._text import Diagnostics, calendar_ns_or_bad, calendar_problem, parse_float
from ..writers.nmea import nmea_checksum

__all__ = ["read_nmea"]

_SENTENCE = re.compile(r"\$([A-Z]{2})([A-Z]{3}),(.*)\*([0-9A-Fa-f]{2})")


def read_nmea(path: str | os.PathLike) -> dict:
    """Read the GGA sentences of an NMEA file, dated by the RMC sentences.

    Every sentence's checksum is verified. A GGA takes its date from the RMC with the same time of day
    (or the last RMC before it, a day later when the GGA's time of day is more than 12 h before that
    RMC's: UTC midnight passed); files without RMC are not supported. Other sentence types are skipped.

    Returns
    -------
    dict
        ``time_ns`` (E,) int64 GPST ns (UTC read, leap seconds from kompas's table); ``lat_rad``,
        ``lon_rad`` (E,) radians; ``height_m`` (E,) altitude plus geoid separation, m (the
        ellipsoidal height); ``altitude_m`` and ``geoid_sep_m`` (E,) the two fields, m; ``gga_quality``
        (E,) uint8 (the GGA indicator, not RTKLIB Q); ``nsat`` (E,) int16; ``hdop`` (E,);
        ``talker`` (E,) str. Position fields of GGA without a fix are NaN.

    Raises
    ------
    FormatError
        On a checksum mismatch, a malformed sentence or field. A last line cut short (no end of line,
        no checksum) draws a :class:`TruncatedFileWarning` and is dropped; an impossible RMC date or
        GGA time a :class:`DroppedRecordWarning` (with the GGA sentences it dates).
    """
    name = file_name(path)
    ctx = Diagnostics(name)
    with ctx.last_resort("NMEA file"):
        out = _read_nmea(read_text(path), name, ctx)
    ctx.emit()
    return out


def _fnum(tok, name, lineno, what):
    """An NMEA number field (no exponent); an empty field is NaN."""
    try:
        return parse_float(tok, what, np.nan, exponent=False)
    except ValueError as exc:
        raise FormatError(name, lineno, str(exc)) from None


def _ll(tok, hemi, deg_width, name, lineno, what):
    if tok == "" and hemi == "":
        return np.nan
    if not re.fullmatch(rf"\d{{{deg_width}}}\d{{2}}(?:\.\d*)?", tok) or hemi not in ("N", "S", "E", "W"):
        raise FormatError(
            name, lineno, f"expected {what} as d..mm.mmm and a hemisphere, found {tok!r},{hemi!r}"
        )
    v = int(tok[:deg_width]) + float(tok[deg_width:]) / 60.0
    return -v if hemi in ("S", "W") else v


_HMS = re.compile(r"(\d{2})(\d{2})(\d{2}(?:\.\d*)?)")  # UTC time hhmmss.ss


def _hms(tok, name, lineno):
    m = _HMS.fullmatch(tok)
    if m is None:
        raise FormatError(name, lineno, f"expected UTC time hhmmss.ss, found {tok!r}")
    return int(m.group(1)), int(m.group(2)), float(m.group(3))


_BAD_DATE = (0, 0, 0)  # an RMC date that is not one: the GGA sentences it dates are dropped


def _seconds_of_day(tok: str) -> float | None:
    m = _HMS.fullmatch(tok)
    return None if m is None else int(m.group(1)) * 3600 + int(m.group(2)) * 60 + float(m.group(3))


def _roll_date(date, gga_sod, rmc_sod):
    """The date of a GGA written after the RMC that dates it: a day later when its time of day is more
    than 12 h before the RMC's (UTC midnight passed in between; RTKLIB's decode_nmeagga does the same)."""
    if date == _BAD_DATE or gga_sod is None or rmc_sod is None or gga_sod >= rmc_sod - 43200.0:
        return date
    d = datetime.date(*date) + datetime.timedelta(days=1)
    return d.year, d.month, d.day


def _sentence(line: str, name, lineno: int):
    """(talker, type, fields) of a sentence whose checksum is right; None when it is not one."""
    m = _SENTENCE.fullmatch(line)
    if m is None:
        return None
    body = line[1 : line.rindex("*")]
    if not body.isascii():  # NMEA 0183 sentences are printable ASCII
        raise FormatError(name, lineno, f"non-ASCII character in the sentence {line[:40]!r}")
    if nmea_checksum(body) != m.group(4).upper():
        msg = f"checksum {m.group(4)} does not match the sentence (expected {nmea_checksum(body)})"
        raise FormatError(name, lineno, msg)
    return m.group(1), m.group(2), m.group(3).split(",")


def _rmc_date(f: list[str], name, lineno: int, ctx):
    if len(f) < 9:
        raise FormatError(name, lineno, f"RMC needs at least 10 fields, found {len(f) + 1}")
    dm = re.fullmatch(r"(\d{2})(\d{2})(\d{2})", f[8])
    if dm is None:
        raise FormatError(name, lineno, f"expected the RMC date ddmmyy, found {f[8]!r}")
    dd, mm, yy = (int(x) for x in dm.groups())
    date = (2000 + yy if yy < 80 else 1900 + yy, mm, dd)  # NMEA two-digit years: 1980-2079
    if (problem := calendar_problem(*date, 0, 0, 0.0)) is not None:
        ctx.drop(lineno, f"RMC date {f[8]!r}: {problem}; the GGA sentences it dates are dropped")
        return _BAD_DATE
    return date


def _gga(f: list[str], talker: str, date, name, lineno: int, ctx):
    """[time, hms, lat, lon, quality, nsat, hdop, altitude, geoid separation, talker, date, line] or None."""
    if len(f) < 13:
        raise FormatError(name, lineno, f"GGA needs at least 14 fields, found {len(f) + 1}")
    hms = _hms(f[0], name, lineno)
    if (problem := calendar_problem(2000, 1, 1, *hms)) is not None:
        ctx.drop(lineno, f"GGA time {f[0]!r}: {problem}")
        return None
    lat = _ll(f[1], f[2], 2, name, lineno, "latitude")
    lon = _ll(f[3], f[4], 3, name, lineno, "longitude")
    if not re.fullmatch(r"\d", f[5]) or not re.fullmatch(r"\d*", f[6]):
        raise FormatError(
            name, lineno, f"expected quality digit and satellite count, found {f[5]!r},{f[6]!r}"
        )
    alt = _fnum(f[8], name, lineno, "altitude")
    sep = _fnum(f[10], name, lineno, "geoid separation")
    hdop = _fnum(f[7], name, lineno, "HDOP")
    return [f[0], hms, lat, lon, int(f[5]), int(f[6] or 0), hdop, alt, sep, talker, date, lineno]


def _read_nmea(text, name, ctx):
    lines = text.split("\n")
    complete_last = text.endswith("\n")
    if lines and lines[-1] == "":
        lines.pop()
    date, rmc_sod = None, None
    rmc_dates = {}
    gga = []
    for i, raw in enumerate(lines):
        lineno, line = i + 1, raw.strip()
        if not line:
            continue
        s = _sentence(line, name, lineno)
        if s is None:
            if i == len(lines) - 1 and not complete_last and line.startswith("$"):
                ctx.truncated(f"line {lineno} is cut short; dropped")
                break
            raise FormatError(name, lineno, f"expected an NMEA sentence $TTSSS,...*hh, found {line[:40]!r}")
        talker, kind, f = s
        if kind == "RMC":
            date = _rmc_date(f, name, lineno, ctx)
            rmc_sod = _seconds_of_day(f[0])
            if f[0]:
                rmc_dates[(f[0], len(gga))] = date
        elif kind == "GGA" and (g := _gga(f, talker, date, name, lineno, ctx)) is not None:
            gga.append([*g, rmc_sod])
    # a GGA is often written before the RMC of the same epoch: date it from that RMC when one matches
    for k, g in enumerate(gga):
        d = rmc_dates.get((g[0], k + 1))
        if d is None and g[10] is not None:  # dated by an earlier RMC: past midnight when the clock wrapped
            d = _roll_date(g[10], _seconds_of_day(g[0]), g[12])
        if d is None:
            raise FormatError(name, g[11], "GGA without a date: no RMC sentence before or beside it")
        g[10] = d
    return _nmea_table([g for g in gga if g[10] != _BAD_DATE], ctx)


def _nmea_table(gga: list, ctx) -> dict:
    cal = np.array([[*g[10], *g[1]] for g in gga], dtype=np.float64).reshape(len(gga), 6)
    # the fields are range-checked per sentence; a second 60 away from a leap second of UTC is dropped here
    t, bad, why = calendar_ns_or_bad(*(cal[:, j].astype(np.int64) for j in range(5)), cal[:, 5], "UTC")
    for k, reason in why.items():
        g = gga[k]
        ctx.drop(g[11], f"GGA time {g[0]!r} on {g[10][0]:04d}-{g[10][1]:02d}-{g[10][2]:02d}: {reason}")
    gga, t = [g for g, b in zip(gga, bad, strict=True) if not b], t[~bad]
    col = lambda j: np.array([g[j] for g in gga], dtype=np.float64)  # noqa: E731
    alt, sep = col(7), col(8)
    return {
        "time_ns": t,
        "lat_rad": np.radians(col(2)),
        "lon_rad": np.radians(col(3)),
        "height_m": alt + np.where(np.isnan(sep) & ~np.isnan(alt), 0.0, sep),
        "altitude_m": alt,
        "geoid_sep_m": sep,
        "gga_quality": np.array([g[4] for g in gga], dtype=np.uint8),
        "nsat": np.array([g[5] for g in gga], dtype=np.int16),
        "hdop": col(6),
        "talker": np.array([g[9] for g in gga], dtype="<U2"),
    }
