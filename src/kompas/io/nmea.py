"""NMEA-0183 GGA and RMC sentences: writer and a small reader.

Format: NMEA 0183 version 4.11 sentence structure (``$`` talker + type, comma-separated fields, ``*``
and the two-hex-digit checksum, CR LF). The checksum is the exclusive OR of every character between
``$`` and ``*``.

GGA  ``$GNGGA,hhmmss.ss,ddmm.mmmmm,N,dddmm.mmmmm,E,q,nn,hdop,alt,M,sep,M,age,station*hh``
RMC  ``$GNRMC,hhmmss.ss,A,ddmm.mmmmm,N,dddmm.mmmmm,E,speed,course,ddmmyy,magvar,E,mode*hh``

Times are UTC (from GPST with kompas's leap-second table); an inserted leap second is written as
second 60. GGA quality indicators from RTKLIB Q codes: fix -> 4 (RTK fixed), float -> 5 (RTK float),
SBAS and DGPS -> 2 (differential), single -> 1, PPP -> 3 (RTKLIB's choice for PPP), none -> 0.
"""

from __future__ import annotations

import os
import re
import warnings
from functools import reduce

import numpy as np

from ..errors import ConfigError, FormatError, KompasError, TimeError, TruncatedFileWarning
from ..solution import Quality, Solution
from ..time import gpst_to_calendar, gtime_from_calendar
from ._open import read_text
from .writers import _write_text

__all__ = ["write_nmea", "read_nmea", "nmea_checksum", "GGA_QUALITY"]

GGA_QUALITY = {
    Quality.NONE: 0,
    Quality.FIX: 4,
    Quality.FLOAT: 5,
    Quality.SBAS: 2,
    Quality.DGPS: 2,
    Quality.SINGLE: 1,
    Quality.PPP: 3,
}
"""GGA fix quality indicator for each RTKLIB Q code."""

# RMC mode indicator (NMEA 2.3+): A autonomous, D differential, R RTK fixed, F RTK float, P precise, N none
_RMC_MODE = {0: "N", 1: "R", 2: "F", 3: "D", 4: "D", 5: "A", 6: "P"}


def nmea_checksum(body: str) -> str:
    """The NMEA checksum of a sentence body (the text between ``$`` and ``*``), two uppercase hex digits."""
    return f"{reduce(lambda a, c: a ^ c, body.encode('ascii'), 0):02X}"


def _sentence(body: str) -> str:
    return f"${body}*{nmea_checksum(body)}\r\n"


def _angle(value_deg, deg_width, decimals, hemis):
    """``ddmm.mmmmm`` (``deg_width`` degree digits) and hemisphere letter, rounding with carry."""
    scale = 10**decimals
    units = round(abs(value_deg) * 60.0 * scale)  # minutes x 10**decimals, carried into degrees below
    deg, rem = divmod(units, 60 * scale)
    minutes = f"{rem // scale:02d}.{rem % scale:0{decimals}d}" if decimals else f"{rem:02d}"
    return f"{deg:0{deg_width}d}{minutes}", hemis[0] if value_deg >= 0 else hemis[1]


def write_nmea(
    solution: Solution,
    path_or_file,
    *,
    talker: str = "GN",
    sentences=("GGA", "RMC"),
    time_decimals: int = 2,
    minute_decimals: int = 5,
    skip_invalid: bool = False,
) -> None:
    """Write GGA and RMC sentences, one group per epoch, CR LF line ends.

    Parameters
    ----------
    solution : Solution
        Positions (ECEF, m), quality, satellites used, HDOP.
    path_or_file : str or os.PathLike or text file
        Destination (an open file must be text mode).
    talker : str
        Two-letter talker id: ``GN`` (multi-system, default), ``GP``, ``GL``, ``GA``, ``GB``/``BD``...
    sentences : sequence of {"GGA", "RMC"}
        Sentences per epoch, in this order.
    time_decimals : int
        Decimals of the UTC seconds (``hhmmss.ss`` for 2).
    minute_decimals : int
        Decimals of the minutes of latitude and longitude (5: ``ddmm.mmmmm``, 1.9 cm in latitude; use 7
        for RTK-grade files).
    skip_invalid : bool
        Leave out epochs without a solution; otherwise they are written with time only, GGA quality 0
        and RMC status ``V``, as receivers do.

    Notes
    -----
    Altitude: kompas has no geoid model, so the GGA altitude field holds the WGS-84 ellipsoidal height
    and the geoid separation field is 0.0 (their sum, the ellipsoidal height, stays right). RMC speed
    and course are empty: a :class:`Solution` carries no velocity. Magnetic variation is empty.
    """
    talker = str(talker)
    if not re.fullmatch(r"[A-Z]{2}", talker):
        raise ConfigError(f"talker must be two capital letters, not {talker!r}")
    kinds = [str(s).upper() for s in sentences]
    if not kinds or any(k not in ("GGA", "RMC") for k in kinds):
        raise ConfigError(f"sentences must be GGA and/or RMC, not {sentences!r}")
    for n, v in (("time_decimals", time_decimals), ("minute_decimals", minute_decimals)):
        if not isinstance(v, int | np.integer) or not 0 <= v <= 9:
            raise ConfigError(f"{n} must be an integer 0-9, not {v!r}")

    t = np.asarray(solution.time_ns, dtype=np.int64)
    unit = 10 ** (9 - time_decimals)
    t = (t + unit // 2) // unit * unit  # round before splitting so 59.999 carries into the minute
    y, mo, d, hh, mi, ss = (np.asarray(a).tolist() for a in gpst_to_calendar(t, "UTC"))
    llh = solution.llh()
    lat, lon, h = np.degrees(llh[:, 0]).tolist(), np.degrees(llh[:, 1]).tolist(), llh[:, 2].tolist()
    qa = np.asarray(solution.quality)
    ok = ((qa != Quality.NONE) & np.all(np.isfinite(llh), axis=1)).tolist()
    q = qa.astype(np.int64).tolist()
    hdop = solution.hdop if solution.hdop is not None else np.full(len(solution), np.nan)
    hdop = [f"{v:.1f}" if np.isfinite(v) else "" for v in np.asarray(hdop, dtype=np.float64).tolist()]
    nsat = np.asarray(solution.nsat).astype(np.int64).tolist()
    sw = time_decimals + 3 if time_decimals else 2

    out = []
    for k in range(len(solution)):
        if skip_invalid and not ok[k]:
            continue
        hms = f"{hh[k]:02d}{mi[k]:02d}{ss[k]:0{sw}.{time_decimals}f}"
        if ok[k]:
            la, ns_ = _angle(lat[k], 2, minute_decimals, "NS")
            lo, ew = _angle(lon[k], 3, minute_decimals, "EW")
            qi = GGA_QUALITY.get(q[k], 0)
            gga = f"{talker}GGA,{hms},{la},{ns_},{lo},{ew},{qi},{nsat[k]:02d},{hdop[k]},{h[k]:.3f},M,0.0,M,,"
            status, mode = "A", _RMC_MODE.get(q[k], "A")
        else:
            la = ns_ = lo = ew = ""
            gga = f"{talker}GGA,{hms},,,,,0,00,,,,,,,"
            status, mode = "V", "N"
        date = f"{d[k]:02d}{mo[k]:02d}{y[k] % 100:02d}"
        rmc = f"{talker}RMC,{hms},{status},{la},{ns_},{lo},{ew},,,{date},,,{mode}"
        for kind in kinds:
            out.append(_sentence(gga if kind == "GGA" else rmc))
    _write_text(path_or_file, "".join(out))


# ----------------------------------------------------------------------------------------------
# reader

_SENTENCE = re.compile(r"\$([A-Z]{2})([A-Z]{3}),(.*)\*([0-9A-Fa-f]{2})")
_NUM = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)")


def read_nmea(path: str | os.PathLike) -> dict:
    """Read the GGA sentences of an NMEA file, dated by the RMC sentences.

    Every sentence's checksum is verified. A GGA takes its date from the RMC with the same time of day
    (or the last RMC before it); files without RMC are not supported. Other sentence types are skipped.

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
        no checksum) draws a :class:`TruncatedFileWarning` and is dropped.
    """
    name = os.fspath(path)
    try:
        return _read_nmea(read_text(path), name)
    except KompasError:
        raise
    except (ValueError, IndexError, OverflowError) as exc:
        raise FormatError(name, None, f"unreadable NMEA file: {exc}") from None


def _fnum(tok, name, lineno, what):
    if tok == "":
        return np.nan
    if _NUM.fullmatch(tok):
        return float(tok)
    raise FormatError(name, lineno, f"expected a number for {what}, found {tok!r}")


def _ll(tok, hemi, deg_width, name, lineno, what):
    if tok == "" and hemi == "":
        return np.nan
    if not re.fullmatch(rf"\d{{{deg_width}}}\d{{2}}(?:\.\d*)?", tok) or hemi not in ("N", "S", "E", "W"):
        raise FormatError(
            name, lineno, f"expected {what} as d..mm.mmm and a hemisphere, found {tok!r},{hemi!r}"
        )
    v = int(tok[:deg_width]) + float(tok[deg_width:]) / 60.0
    return -v if hemi in ("S", "W") else v


def _hms(tok, name, lineno):
    m = re.fullmatch(r"(\d{2})(\d{2})(\d{2}(?:\.\d*)?)", tok)
    if m is None:
        raise FormatError(name, lineno, f"expected UTC time hhmmss.ss, found {tok!r}")
    return int(m.group(1)), int(m.group(2)), float(m.group(3))


def _read_nmea(text, name):
    lines = text.split("\n")
    complete_last = text.endswith("\n")
    if lines and lines[-1] == "":
        lines.pop()
    date = None
    rmc_dates = {}
    gga = []
    for i, raw in enumerate(lines):
        lineno = i + 1
        line = raw.strip()
        if not line:
            continue
        m = _SENTENCE.fullmatch(line)
        if m is None:
            if i == len(lines) - 1 and not complete_last and line.startswith("$"):
                warnings.warn(
                    TruncatedFileWarning(f"{name}: line {lineno} is cut short; dropped"), stacklevel=3
                )
                break
            raise FormatError(name, lineno, f"expected an NMEA sentence $TTSSS,...*hh, found {line[:40]!r}")
        body = line[1 : line.rindex("*")]
        if nmea_checksum(body) != m.group(4).upper():
            raise FormatError(
                name,
                lineno,
                f"checksum {m.group(4)} does not match the sentence (expected {nmea_checksum(body)})",
            )
        f = m.group(3).split(",")
        kind = m.group(2)
        if kind == "RMC":
            if len(f) < 9:
                raise FormatError(name, lineno, f"RMC needs at least 10 fields, found {len(f) + 1}")
            dm = re.fullmatch(r"(\d{2})(\d{2})(\d{2})", f[8])
            if dm is None:
                raise FormatError(name, lineno, f"expected the RMC date ddmmyy, found {f[8]!r}")
            dd, mm, yy = (int(x) for x in dm.groups())
            date = (2000 + yy if yy < 80 else 1900 + yy, mm, dd)  # NMEA two-digit years: 1980-2079
            if f[0]:
                rmc_dates[(f[0], len(gga))] = date
        elif kind == "GGA":
            if len(f) < 13:
                raise FormatError(name, lineno, f"GGA needs at least 14 fields, found {len(f) + 1}")
            hms = _hms(f[0], name, lineno)
            lat = _ll(f[1], f[2], 2, name, lineno, "latitude")
            lon = _ll(f[3], f[4], 3, name, lineno, "longitude")
            if not re.fullmatch(r"\d", f[5]) or not re.fullmatch(r"\d*", f[6]):
                raise FormatError(
                    name, lineno, f"expected quality digit and satellite count, found {f[5]!r},{f[6]!r}"
                )
            alt = _fnum(f[8], name, lineno, "altitude")
            sep = _fnum(f[10], name, lineno, "geoid separation")
            gga.append(
                [f[0], hms, lat, lon, int(f[5]), int(f[6] or 0), _fnum(f[7], name, lineno, "HDOP"), alt, sep,
                 m.group(1), date, lineno]
            )  # fmt: skip
    # a GGA is often written before the RMC of the same epoch: date it from that RMC when one matches
    for k, g in enumerate(gga):
        d = rmc_dates.get((g[0], k + 1)) or g[10]
        if d is None:
            raise FormatError(name, g[11], "GGA without a date: no RMC sentence before or beside it")
        g[10] = d
    n = len(gga)
    cal = np.array([[*g[10], *g[1]] for g in gga], dtype=np.float64).reshape(n, 6)
    try:
        t = gtime_from_calendar(*(cal[:, j].astype(np.int64) for j in range(5)), cal[:, 5], scale="UTC")
    except TimeError as exc:
        raise FormatError(name, None, f"invalid date or time in the GGA/RMC sentences: {exc}") from None
    col = lambda j: np.array([g[j] for g in gga], dtype=np.float64)  # noqa: E731
    alt, sep = col(7), col(8)
    return {
        "time_ns": np.asarray(t, dtype=np.int64).reshape(n),
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
