"""NMEA-0183 GGA and RMC sentences: writer and a small reader.

Format: NMEA 0183 version 4.11 sentence structure (``$`` talker + type, comma-separated fields, ``*``
and the two-hex-digit checksum, CR LF). The checksum is the exclusive OR of every character between
``$`` and ``*``.

GGA  ``$GNGGA,hhmmss.ss,ddmm.mmmmmmm,N,dddmm.mmmmmmm,E,q,nn,hdop,alt,M,sep,M,age,station*hh``
RMC  ``$GNRMC,hhmmss.ss,A,ddmm.mmmmmmm,N,dddmm.mmmmmmm,E,speed,course,ddmmyy,magvar,E,mode*hh``

Times are UTC (from GPST with kompas's leap-second table); an inserted leap second is written as
second 60. GGA quality indicators from RTKLIB Q codes: fix -> 4 (RTK fixed), float -> 5 (RTK float),
SBAS and DGPS -> 2 (differential), single -> 1, PPP -> 3 (RTKLIB's choice for PPP), none -> 0;
a code outside these is written as 0 in GGA and as status V, mode N in RMC. The age of the differential
data (GGA field 13) is written for solutions relative to a base (fix, float, DGPS), empty otherwise.
"""

from __future__ import annotations

import re
from functools import reduce

import numpy as np

from ...errors import ConfigError
from ...geoid import egm96_undulation_m
from ...solution import Quality, Solution, require_solution
from ...time import gpst_to_calendar
from ._sink import write_text

__all__ = ["write_nmea", "nmea_checksum", "GGA_QUALITY"]

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


def _checked_options(talker, sentences, time_decimals, minute_decimals, geoid="egm96"):
    """The talker and sentence kinds of :func:`write_nmea`, ConfigError for a bad option."""
    if geoid not in ("egm96", "none"):
        raise ConfigError(f"geoid must be egm96 or none, not {geoid!r}")
    talker = str(talker)
    if not re.fullmatch(r"[A-Z]{2}", talker):
        raise ConfigError(f"talker must be two capital letters, not {talker!r}")
    kinds = [str(s).upper() for s in sentences]
    if not kinds or any(k not in ("GGA", "RMC") for k in kinds):
        raise ConfigError(f"sentences must be GGA and/or RMC, not {sentences!r}")
    for n, v in (("time_decimals", time_decimals), ("minute_decimals", minute_decimals)):
        if not isinstance(v, int | np.integer) or not 0 <= v <= 9:
            raise ConfigError(f"{n} must be an integer 0-9, not {v!r}")
    return talker, kinds


def _heights(llh, geoid: str) -> tuple[list, list]:
    """GGA altitude (height above the geoid) and separation N per epoch, m; N rounded to the written
    millimetre first, so that altitude + separation rounds to the ellipsoidal height."""
    sep = egm96_undulation_m(llh[:, 0], llh[:, 1]) if geoid == "egm96" else np.zeros(len(llh))
    sep = np.round(sep, 3)
    return (llh[:, 2] - sep).tolist(), sep.tolist()


def _hdop_age(solution, qa) -> tuple[list, list]:
    """GGA's HDOP and age of the differential data (field 13, s: for solutions relative to a base, as
    RTKLIB writes it) per epoch, as text."""
    hdop = solution.hdop if solution.hdop is not None else np.full(len(solution), np.nan)
    hdop = [f"{v:.1f}" if np.isfinite(v) else "" for v in np.asarray(hdop, dtype=np.float64).tolist()]
    age = np.full(len(solution), np.nan) if solution.age_s is None else np.asarray(solution.age_s, float)
    relative = np.isin(qa, (Quality.FIX, Quality.FLOAT, Quality.DGPS)) & np.isfinite(age)
    return hdop, [f"{a:.1f}" if r else "" for a, r in zip(age.tolist(), relative.tolist(), strict=True)]


def write_nmea(
    solution: Solution,
    path_or_file,
    *,
    talker: str = "GN",
    sentences=("GGA", "RMC"),
    time_decimals: int = 2,
    minute_decimals: int = 7,
    skip_invalid: bool = False,
    geoid: str = "egm96",
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
        Decimals of the minutes of latitude and longitude (7, as RTKLIB writes them: ``ddmm.mmmmmmm``,
        0.2 mm in latitude, so that RTK positions keep their millimetres; 5: 1.9 cm).
    skip_invalid : bool
        Leave out epochs without a solution; otherwise they are written with time only, GGA quality 0
        and RMC status ``V``, as receivers do.
    geoid : {"egm96", "none"}
        GGA altitude h - N and separation N of EGM96 (:func:`kompas.geoid.egm96_undulation_m`, as RTKLIB
        writes them), or N = 0 (altitude h). Either way altitude + separation is the ellipsoidal height.

    Notes
    -----
    RMC speed and course are empty: a :class:`Solution` carries no velocity. Magnetic variation is empty.
    """
    require_solution(solution, "write_nmea")
    talker, kinds = _checked_options(talker, sentences, time_decimals, minute_decimals, geoid)
    t = np.asarray(solution.time_ns, dtype=np.int64)
    unit = 10 ** (9 - time_decimals)
    t = (t + unit // 2) // unit * unit  # round before splitting so 59.999 carries into the minute
    y, mo, d, hh, mi, ss = (np.asarray(a).tolist() for a in gpst_to_calendar(t, "UTC"))
    llh = solution.llh()
    lat, lon = np.degrees(llh[:, 0]).tolist(), np.degrees(llh[:, 1]).tolist()
    h, sep = _heights(llh, geoid)
    qa = np.asarray(solution.quality)
    ok = ((qa != Quality.NONE) & np.all(np.isfinite(llh), axis=1)).tolist()
    q = qa.astype(np.int64).tolist()
    hdop, age_txt = _hdop_age(solution, qa)
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
            fix = (
                f"{la},{ns_},{lo},{ew},{qi},{nsat[k]:02d},{hdop[k]},{h[k]:.3f},M,{sep[k]:.3f},M,{age_txt[k]},"
            )
            gga = f"{talker}GGA,{hms},{fix}"
            # a code NMEA has no indicator for is invalid in RMC as in GGA (quality 0)
            status, mode = ("A", _RMC_MODE[q[k]]) if q[k] in _RMC_MODE else ("V", "N")
        else:
            la = ns_ = lo = ew = ""
            gga = f"{talker}GGA,{hms},,,,,0,00,,,,,,,"
            status, mode = "V", "N"
        date = f"{d[k]:02d}{mo[k]:02d}{y[k] % 100:02d}"
        rmc = f"{talker}RMC,{hms},{status},{la},{ns_},{lo},{ew},,,{date},,,{mode}"
        for kind in kinds:
            out.append(_sentence(gga if kind == "GGA" else rmc))
    write_text(path_or_file, "".join(out))


# ----------------------------------------------------------------------------------------------
# reader
