"""GNSS time scales on one representation: int64 nanoseconds of GPS time.

Every instant inside kompas is ``gpst_ns``: the number of nanoseconds of GPS time (GPST)
elapsed since 1980-01-06T00:00:00 GPST. It holds every RINEX (1e-7 s) and SP3 (1e-8 s)
epoch exactly, differences are exact, and it converts to ``datetime64[ns]`` by one addition.

Time scales (the scale is metadata; the count is always GPST):

========== ===================================================================
GPST       GPS time, IS-GPS-200 sec. 3.3.4 (continuous, no leap seconds).
GST        Galileo system time; steered to GPST, GST = GPST (Galileo OS SIS ICD
           sec. 5.1.2). Weeks are counted from 1999-08-22 (GPS week 1024).
BDT        BeiDou time, BDS-SIS-ICD-B1I-3.0 sec. 4.1.1: starts 2006-01-01 00:00:00
           UTC, no leap seconds, so BDT = GPST - 14 s.
GLONASST   GLONASS time, ICD GLONASS FDMA Ed. 5.1 sec. 3.3.3: UTC(SU) + 3 h,
           with UTC's leap seconds. The "GLO" of RINEX, SP3 and clock files is
           not this scale but UTC (RINEX 3.04 sec. 8.1).
UTC        Coordinated Universal Time; GPST - UTC from the IERS table shipped in
           ``kompas/data/leap_seconds.txt`` (37 s TAI - UTC since 2017-01-01).
TAI        International Atomic Time; TAI = GPST + 19 s.
========== ===================================================================

``GTime`` is a thin frozen wrapper for users; kernels work on raw int64 arrays with the
vectorised functions of this module.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from importlib import resources

import numpy as np

from .errors import TimeError

__all__ = [
    "NS",
    "DAY_NS",
    "WEEK_NS",
    "SCALES",
    "GTime",
    "time_span",
    "gtime_from_calendar",
    "gpst_mjd",
    "MJD_GPS_EPOCH",
    "gpst_to_calendar",
    "week_tow",
    "gpst_from_week_tow",
    "glonass_day",
    "to_datetime64",
    "from_datetime64",
    "gps_utc_offset_s",
    "leap_table",
    "normalize_scale",
    "FILE_TIME_SYSTEMS",
]

NS = 1_000_000_000
"""Nanoseconds per second."""
DAY_NS = 86_400 * NS
WEEK_NS = 7 * DAY_NS

# Days from 1970-01-01 to 1980-01-06 (the GPS epoch, IS-GPS-200 sec. 6.2.4).
_GPS_EPOCH_UNIX_DAYS = 3657
_GPS_EPOCH_UNIX_NS = _GPS_EPOCH_UNIX_DAYS * DAY_NS

# TAI - GPST = 19 s exactly (IS-GPS-200 sec. 3.3.4: GPST was UTC at 1980-01-06, TAI - UTC = 19 s).
_TAI_MINUS_GPST_S = 19
# BDT = GPST - 14 s (BDS-SIS-ICD-B1I-3.0 sec. 4.1.1: BDT epoch 2006-01-01 00:00:00 UTC, GPST - UTC = 14 s).
_GPST_MINUS_BDT_S = 14
# GLONASST = UTC(SU) + 3 h (ICD GLONASS FDMA Ed. 5.1 sec. 3.3.3).
_GLONASST_MINUS_UTC_S = 3 * 3600

SCALES = ("GPST", "GST", "BDT", "GLONASST", "UTC", "TAI")

# Accepted spellings: the scale names above plus the time-system identifiers of RINEX, SP3 and RINEX
# clock files (RINEX 3.05 sec. 3.3). Their "GLO" is "the GLONASS UTC time system": epochs with the hours
# of UTC, not the UTC(SU) + 3 h of GLONASS system time (RINEX 3.04 sec. 8.1 and Table A2 "GLO (=UTC
# time system)"; RINEX 2.11 Table A1; SP3 line 13, IGSMAIL-5399), so it is UTC here.
_SCALE_ALIASES = {
    "GPST": "GPST", "GPS": "GPST", "QZS": "GPST", "QZSST": "GPST", "IRN": "GPST", "IRNWT": "GPST",
    "GST": "GST", "GAL": "GST",
    "BDT": "BDT", "BDS": "BDT",
    "GLONASST": "GLONASST", "GLONASS": "GLONASST", "GLO": "UTC",
    "UTC": "UTC",
    "TAI": "TAI",
}  # fmt: skip


# kompas scale -> the time-system id RINEX, SP3 and clock files write for it. The files' epochs are on the
# clock that id names (normalize_scale of it): GLONASST times are written as "GLO", on UTC hours.
FILE_TIME_SYSTEMS = {"GPST": "GPS", "GST": "GAL", "BDT": "BDT", "GLONASST": "GLO", "UTC": "UTC", "TAI": "TAI"}


def normalize_scale(scale: str) -> str:
    """Return the canonical name of a time scale (``"GPS"`` -> ``"GPST"``, ``"BDS"`` -> ``"BDT"``).

    Raises
    ------
    TimeError
        If the scale is unknown.
    """
    try:
        return _SCALE_ALIASES[str(scale).strip().upper()]
    except KeyError:
        raise TimeError(f"unknown time scale {scale!r}; expected one of {', '.join(SCALES)}") from None


# ----------------------------------------------------------------------------------------------
# Calendar arithmetic (proleptic Gregorian; H. Hinnant, "chrono-compatible low-level date algorithms")


def _days_from_civil(y, m, d):
    """Days since 1970-01-01 for arrays of year, month, day (int64)."""
    y = np.asarray(y, dtype=np.int64)
    m = np.asarray(m, dtype=np.int64)
    d = np.asarray(d, dtype=np.int64)
    y = y - (m <= 2)
    era = y // 400
    yoe = y - era * 400
    doy = (153 * np.where(m > 2, m - 3, m + 9) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def _civil_from_days(z):
    """Year, month, day arrays for days since 1970-01-01."""
    z = np.asarray(z, dtype=np.int64) + 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    y = yoe + era * 400
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = np.where(mp < 10, mp + 3, mp - 9)
    y = y + (m <= 2)
    return y, m, d


def _days_in_month(y, m):
    y = np.asarray(y, dtype=np.int64)
    m = np.asarray(m, dtype=np.int64)
    nxt_y = np.where(m == 12, y + 1, y)
    nxt_m = np.where(m == 12, 1, m + 1)
    return _days_from_civil(nxt_y, nxt_m, 1) - _days_from_civil(y, m, 1)


# ----------------------------------------------------------------------------------------------
# Leap seconds


@dataclass(frozen=True)
class _LeapTable:
    utc_cal_ns: np.ndarray  # UTC calendar instants (ns since 1980-01-06, no leaps) where a value starts
    gps_utc_s: np.ndarray  # GPST - UTC valid from that instant, seconds
    gpst_ns: np.ndarray  # the same instants in GPST


def _load_leap_table() -> _LeapTable:
    text = resources.files("kompas").joinpath("data/leap_seconds.txt").read_text()
    rows = []
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if line:
            y, m, d, tai_utc = (int(v) for v in line.split())
            rows.append((y, m, d, tai_utc))
    arr = np.array(rows, dtype=np.int64)
    cal = (_days_from_civil(arr[:, 0], arr[:, 1], arr[:, 2]) - _GPS_EPOCH_UNIX_DAYS) * DAY_NS
    gps_utc = arr[:, 3] - _TAI_MINUS_GPST_S
    return _LeapTable(cal, gps_utc, cal + gps_utc * NS)


_LEAPS = _load_leap_table()


def leap_table() -> list[tuple[str, int]]:
    """The shipped leap-second table as ``[(ISO date, GPST - UTC seconds), ...]``."""
    out = []
    for cal, off in zip(_LEAPS.utc_cal_ns, _LEAPS.gps_utc_s, strict=True):
        y, m, d = _civil_from_days(cal // DAY_NS + _GPS_EPOCH_UNIX_DAYS)
        out.append((f"{int(y):04d}-{int(m):02d}-{int(d):02d}", int(off)))
    return out


def _check_utc_range(idx):
    if np.any(idx < 0):
        raise TimeError("UTC before 1972-01-01 is not supported (TAI - UTC was not an integer)")


def _as_ns(t, what: str = "times") -> np.ndarray:
    """Instants as int64 GPST nanoseconds. Integers pass, a :class:`GTime` (or an array of them) gives its
    own; floats, ``datetime64`` and strings are a :class:`TimeError` naming ``what``: cast to int64 they
    would read as nanoseconds of 1980."""
    if isinstance(t, GTime):
        return np.asarray(t.gpst_ns, dtype=np.int64)
    a = np.asarray(t)
    if a.dtype.kind == "O" and a.size and all(isinstance(x, GTime) for x in a.flat):
        return np.array([x.gpst_ns for x in a.flat], dtype=np.int64).reshape(a.shape)
    if a.dtype.kind not in "iu" and a.size:
        hint = " (kompas.time.from_datetime64 converts datetime64)" if a.dtype.kind in "MU" else ""
        raise TimeError(f"{what} must be integer GPST nanoseconds, not {a.dtype}{hint}")
    return a.astype(np.int64)


def gps_utc_offset_s(t_gpst_ns) -> np.ndarray:
    """GPST - UTC in whole seconds at GPS instants (18 s from 2017-01-01).

    Parameters
    ----------
    t_gpst_ns : int or array_like of int64
        Instants in GPST nanoseconds.
    """
    t = _as_ns(t_gpst_ns)
    idx = np.searchsorted(_LEAPS.gpst_ns, t, side="right") - 1
    _check_utc_range(idx)
    return _LEAPS.gps_utc_s[idx]


def _utc_cal_to_gpst(cal_ns, key_ns):
    """UTC calendar ns -> GPST ns; the leap count is looked up at ``key_ns`` (start of the minute)."""
    idx = np.searchsorted(_LEAPS.utc_cal_ns, key_ns, side="right") - 1
    _check_utc_range(idx)
    return cal_ns + _LEAPS.gps_utc_s[idx] * NS


def _gpst_to_utc_cal(t):
    """GPST ns -> (UTC calendar ns, in_leap_second mask).

    Inside an inserted leap second (23:59:60 UTC) the calendar value returned is that of
    23:59:59 plus the fraction, and the mask is True.
    """
    idx = np.searchsorted(_LEAPS.gpst_ns, t, side="right") - 1
    _check_utc_range(idx)
    cal = t - _LEAPS.gps_utc_s[idx] * NS
    nxt = np.minimum(idx + 1, len(_LEAPS.gpst_ns) - 1)
    in_leap = (idx + 1 < len(_LEAPS.gpst_ns)) & (t >= _LEAPS.gpst_ns[nxt] - NS)
    cal = np.where(in_leap, cal - NS, cal)
    return cal, in_leap


# ----------------------------------------------------------------------------------------------
# Scale conversion on "calendar nanoseconds" (ns since 1980-01-06 00:00:00 read in the scale's clock)


def _cal_to_gpst(cal_ns, scale, key_ns=None):
    cal_ns = np.asarray(cal_ns, dtype=np.int64)
    if scale in ("GPST", "GST"):
        return cal_ns
    if scale == "BDT":
        return cal_ns + _GPST_MINUS_BDT_S * NS
    if scale == "TAI":
        return cal_ns - _TAI_MINUS_GPST_S * NS
    if key_ns is None:
        key_ns = cal_ns
    if scale == "UTC":
        return _utc_cal_to_gpst(cal_ns, key_ns)
    # GLONASST
    shift = _GLONASST_MINUS_UTC_S * NS
    return _utc_cal_to_gpst(cal_ns - shift, np.asarray(key_ns) - shift)


def _gpst_to_cal(t, scale):
    """GPST ns -> (calendar ns in ``scale``, in_leap_second mask)."""
    t = _as_ns(t)
    if scale in ("GPST", "GST"):
        return t, np.zeros(t.shape, bool)
    if scale == "BDT":
        return t - _GPST_MINUS_BDT_S * NS, np.zeros(t.shape, bool)
    if scale == "TAI":
        return t + _TAI_MINUS_GPST_S * NS, np.zeros(t.shape, bool)
    cal, leap = _gpst_to_utc_cal(t)
    if scale == "GLONASST":
        cal = cal + _GLONASST_MINUS_UTC_S * NS
    return cal, leap


# ----------------------------------------------------------------------------------------------
# Vectorised public functions


_MAX_SECONDS = 300 * 366 * 86400.0
"""Largest magnitude of seconds converted to nanoseconds: int64 ns spans 292 years either way."""


def _seconds_to_ns(second):
    """Float seconds -> int64 ns, rounded to the nearest ns (exact for RINEX/SP3 resolutions); TimeError for
    NaN, infinities and values beyond the int64 range (they would wrap silently)."""
    s = np.asarray(second, dtype=np.float64)
    if not np.all(np.abs(s) <= _MAX_SECONDS):  # False for NaN too
        bad = s[~(np.abs(s) <= _MAX_SECONDS)].ravel()[0]
        raise TimeError(f"seconds must be finite and within +-{_MAX_SECONDS:.3g} s, not {bad}")
    return np.rint(s * 1e9).astype(np.int64)


def _integer_fields(values, names):
    """Calendar fields as int64 arrays; TimeError for NaN or a fraction (2020.5 would truncate silently)."""
    out = []
    for v, name in zip(values, names, strict=True):
        a = np.asarray(v)
        if a.dtype.kind == "f" and not np.all(np.isfinite(a) & (a == np.floor(a))):
            raise TimeError(
                f"{name} must be a whole number, not {a[~(np.isfinite(a) & (a == np.floor(a)))].ravel()[0]}"
            )
        if a.dtype.kind not in "iuf":
            raise TimeError(f"{name} must be a number, not {v!r}")
        out.append(a.astype(np.int64))
    return out


CALENDAR_YEARS = (1900, 2200)
"""Years the calendar conversions accept (int64 nanoseconds from 1980 reach 1688-2272; GNSS data sit well
inside): outside, a date would wrap to another century without a word."""


def gtime_from_calendar(year, month, day, hour=0, minute=0, second=0.0, scale="GPST", check=True):
    """Calendar fields read in ``scale`` -> GPST nanoseconds (vectorised).

    Parameters
    ----------
    year, month, day, hour, minute : array_like of int
        Calendar fields; arrays broadcast together.
    second : array_like of float
        Seconds of the minute, rounded to the nearest nanosecond. 60 <= second < 61 is
        accepted in UTC and GLONASST during an inserted leap second only.
    scale : str
        One of ``GPST, GST, BDT, GLONASST, UTC, TAI`` (or a RINEX time-system id).
    check : bool
        Validate the fields (month 1-12, day within the month, ...). Readers that have
        already validated may switch it off.

    Returns
    -------
    numpy.ndarray of int64
        GPST nanoseconds since 1980-01-06.

    Raises
    ------
    TimeError
        On an impossible date or time, or a leap second where there was none.
    """
    scale = normalize_scale(scale)
    year, month, day, hour, minute = np.broadcast_arrays(
        *_integer_fields((year, month, day, hour, minute), ("year", "month", "day", "hour", "minute"))
    )
    sec_ns = _seconds_to_ns(second)
    if check:
        lo, hi = CALENDAR_YEARS
        if np.any((year < lo) | (year > hi)):
            raise TimeError(
                f"year must be within {lo}..{hi}, not {year[(year < lo) | (year > hi)].ravel()[0]}"
            )
        bad = (month < 1) | (month > 12) | (day < 1) | (hour < 0) | (hour > 23) | (minute < 0)
        bad |= (minute > 59) | (sec_ns < 0)
        if np.any(bad):
            i = np.flatnonzero(np.broadcast_to(bad, np.broadcast(bad, sec_ns).shape).ravel())[0]
            raise TimeError(f"invalid calendar fields (first bad element at index {i})")
        bad_day = day > _days_in_month(year, month)
        if np.any(bad_day):
            raise TimeError("day beyond the end of its month")
    days = _days_from_civil(year, month, day) - _GPS_EPOCH_UNIX_DAYS
    key = days * DAY_NS + (hour * 3600 + minute * 60) * NS
    cal = key + sec_ns
    if check:
        # a second below 60 that rounds to 60 s (59.9999999996) carries into the next minute
        over = (sec_ns >= 60 * NS) & (np.asarray(second, dtype=float) >= 60.0)
        if np.any(over):
            ok = np.zeros(over.shape, bool)
            if scale in ("UTC", "GLONASST"):
                shift = _GLONASST_MINUS_UTC_S * NS if scale == "GLONASST" else 0
                nxt_min = np.broadcast_to(key - shift + 60 * NS, over.shape)
                is_leap_minute = np.isin(nxt_min, _LEAPS.utc_cal_ns[1:])
                ok = is_leap_minute & (sec_ns < 61 * NS)
            if np.any(over & ~ok):
                raise TimeError(
                    f"second >= 60 is only valid during a leap second of UTC/GLONASST (scale {scale})"
                )
    return _cal_to_gpst(cal, scale, key)


def gpst_to_calendar(t_gpst_ns, scale="GPST"):
    """GPST nanoseconds -> calendar fields read in ``scale`` (vectorised).

    Returns
    -------
    tuple of numpy.ndarray
        ``(year, month, day, hour, minute, second)``; ``second`` is float seconds and is
        60.x during an inserted UTC leap second.
    """
    scale = normalize_scale(scale)
    cal, leap = _gpst_to_cal(t_gpst_ns, scale)
    days = cal // DAY_NS
    rem = cal - days * DAY_NS
    y, m, d = _civil_from_days(days + _GPS_EPOCH_UNIX_DAYS)
    hh = rem // (3600 * NS)
    mm = (rem // (60 * NS)) % 60
    ss_ns = rem % (60 * NS) + np.where(leap, NS, 0)
    return y, m, d, hh, mm, ss_ns / 1e9


_WEEK_ORIGIN_NS = {
    # Calendar ns (in the system's own scale) of week 0, day 0.
    "GPS": 0,  # 1980-01-06 GPST, IS-GPS-200 sec. 6.2.4
    "QZS": 0,  # QZSST week = GPS week, IS-QZSS-PNT sec. 5.1.1
    "GAL": 1024 * WEEK_NS,  # GST week 0 = GPS week 1024 (1999-08-22), Galileo OS SIS ICD sec. 5.1.2
    "BDS": (int(_days_from_civil(2006, 1, 1)) - _GPS_EPOCH_UNIX_DAYS) * DAY_NS,  # 2006-01-01 BDT
}
_WEEK_SCALE = {"GPS": "GPST", "QZS": "GPST", "GAL": "GST", "BDS": "BDT"}


def _week_system(system):
    s = str(system).strip().upper()
    s = {
        "G": "GPS",
        "E": "GAL",
        "C": "BDS",
        "J": "QZS",
        "GALILEO": "GAL",
        "BEIDOU": "BDS",
        "QZSS": "QZS",
    }.get(s, s)
    if s not in _WEEK_ORIGIN_NS:
        raise TimeError(
            f"no week numbering for system {system!r}; use GPS, GAL, BDS or QZS "
            "(GLONASS counts days: see glonass_day)"
        )
    return s


def week_tow(t_gpst_ns, system="GPS"):
    """Week number and time of week in a system's own scale (vectorised).

    Parameters
    ----------
    t_gpst_ns : array_like of int64
        GPST nanoseconds.
    system : {"GPS", "GAL", "BDS", "QZS"}
        GPS and QZSS weeks from 1980-01-06; Galileo weeks as broadcast (GPS week - 1024);
        BeiDou weeks from 2006-01-01 00:00:00 BDT.

    Returns
    -------
    week : numpy.ndarray of int64
    tow : numpy.ndarray of float64
        Seconds into the week in the system's scale (BDT for BDS).
    """
    s = _week_system(system)
    cal, _ = _gpst_to_cal(t_gpst_ns, _WEEK_SCALE[s])
    rel = cal - _WEEK_ORIGIN_NS[s]
    week = rel // WEEK_NS
    return week, (rel - week * WEEK_NS) / 1e9


def gpst_from_week_tow(week, tow, system="GPS"):
    """Week number and time of week (in the system's own scale) -> GPST nanoseconds.

    Parameters
    ----------
    week : array_like of int
    tow : array_like of float
        Seconds, rounded to the nearest nanosecond.
    system : {"GPS", "GAL", "BDS", "QZS"}
    """
    s = _week_system(system)
    (wk,) = _integer_fields((week,), ("week",))
    if np.any(np.abs(wk) > 15000):  # beyond 2262: int64 nanoseconds would wrap
        raise TimeError(f"week must be within -15000..15000, not {wk[np.abs(wk) > 15000].ravel()[0]}")
    cal = _WEEK_ORIGIN_NS[s] + wk * WEEK_NS + _seconds_to_ns(tow)
    return _cal_to_gpst(cal, _WEEK_SCALE[s])


def glonass_day(t_gpst_ns):
    """GLONASS four-year interval, day number and time of day in GLONASST (vectorised).

    ICD GLONASS FDMA Ed. 5.1 sec. 4.5 (N4, N_T): N4 counts four-year intervals from 1996
    (N4 = 1 for 1996-1999); N_T counts days from 1 at January 1 of the leap year opening it.

    Returns
    -------
    n4 : numpy.ndarray of int64
    nt : numpy.ndarray of int64
    tod : numpy.ndarray of float64
        Seconds since 00:00 GLONASST. During an inserted UTC leap second (02:59:60 GLONASST)
        the count reads 10800.x, as the following second does.
    """
    cal, leap = _gpst_to_cal(t_gpst_ns, "GLONASST")
    days = cal // DAY_NS
    tod = (cal - days * DAY_NS + np.where(leap, NS, 0)) / 1e9
    days_1996 = days + _GPS_EPOCH_UNIX_DAYS - int(_days_from_civil(1996, 1, 1))
    n4 = days_1996 // 1461 + 1
    nt = days_1996 - (n4 - 1) * 1461 + 1
    return n4, nt, tod


MJD_GPS_EPOCH = 44244
"""Modified Julian date of the GPS epoch, 1980-01-06 0h (IS-GPS-200 sec. 3.3.4)."""


def gpst_mjd(t_gpst_ns):
    """Modified Julian date of GPS times (days, float; GPST, no leap seconds: for models that need the
    date to a fraction of a day, not for time transfer)."""
    return MJD_GPS_EPOCH + _as_ns(t_gpst_ns) / DAY_NS


def to_datetime64(t_gpst_ns, scale="GPST"):
    """GPST nanoseconds -> ``datetime64[ns]`` reading the clock of ``scale``.

    ``datetime64`` has no leap seconds: an instant inside an inserted UTC leap second is
    shown as 23:59:59 plus its fraction (the repeated-second convention of POSIX clocks).
    """
    cal, _ = _gpst_to_cal(t_gpst_ns, normalize_scale(scale))
    return (cal + _GPS_EPOCH_UNIX_NS).astype("datetime64[ns]")


def from_datetime64(dt, scale="GPST"):
    """``datetime64`` values (or ISO strings) read on the clock of ``scale`` -> GPST nanoseconds (int64)."""
    if np.asarray(dt).dtype.kind in "iufb":
        raise TimeError(
            "from_datetime64 takes datetime64 values or ISO strings, not numbers (GPST nanoseconds are "
            "kompas times already)"
        )
    d = np.asarray(dt, dtype="datetime64[ns]")
    if np.any(np.isnat(d)):
        raise TimeError("NaT (not a time) has no GPS time")
    unix_ns = d.astype(np.int64)
    return _cal_to_gpst(unix_ns - _GPS_EPOCH_UNIX_NS, normalize_scale(scale))


# ----------------------------------------------------------------------------------------------
# GTime: the user-facing scalar


@dataclass(frozen=True, order=True, slots=True)
class GTime:
    """One instant, stored as int64 nanoseconds of GPS time since 1980-01-06.

    Examples
    --------
    >>> t = GTime.from_calendar(2020, 6, 25)
    >>> t.week_tow("GPS")
    (2111, 345600.0)
    >>> t.week_tow("BDS")
    (755, 345586.0)
    >>> str(t + 1.5)
    '2020-06-25T00:00:01.5 GPST'
    """

    gpst_ns: int

    def __post_init__(self):
        v = self.gpst_ns
        if isinstance(v, np.integer):
            v = int(v)
        if not isinstance(v, int) or isinstance(v, bool):
            raise TimeError(f"GTime needs integer nanoseconds, got {type(self.gpst_ns).__name__}")
        if not -(2**63) <= v < 2**63:
            raise TimeError("instant out of the int64 nanosecond range")
        object.__setattr__(self, "gpst_ns", v)

    # -- construction
    @classmethod
    def from_calendar(cls, year, month, day, hour=0, minute=0, second=0.0, scale="GPST") -> GTime:
        """An instant from calendar fields read on the clock of ``scale``.

        See :func:`gtime_from_calendar` for the fields and accepted scales.
        """
        t = gtime_from_calendar(year, month, day, hour, minute, second, scale)
        if np.ndim(t):
            raise TimeError(
                f"GTime is one instant, the fields give {np.size(t)}: gtime_from_calendar takes arrays"
            )
        return cls(int(t))

    @classmethod
    def from_datetime64(cls, dt, scale="GPST") -> GTime:
        """An instant from a ``numpy.datetime64`` or ``datetime.datetime`` (naive) read in ``scale``."""
        if isinstance(dt, _dt.datetime):
            if dt.tzinfo is not None:
                raise TimeError("pass a naive datetime and say its scale with scale=")
            dt = np.datetime64(dt, "ns")
        return cls(int(from_datetime64(dt, scale)))

    @classmethod
    def from_week_tow(cls, week, tow, system="GPS") -> GTime:
        """An instant from a week number and time of week of ``system`` (GPS, GAL, BDS, QZS)."""
        return cls(int(gpst_from_week_tow(week, tow, system)))

    # -- views
    def week_tow(self, system="GPS") -> tuple[int, float]:
        """``(week, seconds of week)`` in ``system``'s own scale; see :func:`week_tow`."""
        w, s = week_tow(self.gpst_ns, system)
        return int(w), float(s)

    def glonass_day(self) -> tuple[int, int, float]:
        """``(N4, N_T, seconds of day)`` in GLONASST; see :func:`glonass_day`."""
        n4, nt, tod = glonass_day(self.gpst_ns)
        return int(n4), int(nt), float(tod)

    def to_calendar(self, scale="GPST") -> tuple[int, int, int, int, int, float]:
        """``(year, month, day, hour, minute, second)`` on the clock of ``scale``."""
        y, m, d, hh, mm, ss = gpst_to_calendar(self.gpst_ns, scale)
        return int(y), int(m), int(d), int(hh), int(mm), float(ss)

    def to_datetime64(self, scale="GPST") -> np.datetime64:
        """``numpy.datetime64[ns]`` on the clock of ``scale``; see :func:`to_datetime64`."""
        return to_datetime64(self.gpst_ns, scale)[()]

    def isoformat(self, scale="GPST") -> str:
        """ISO 8601 text on the clock of ``scale`` with the nanoseconds that are not zero."""
        scale = normalize_scale(scale)
        cal, leap = _gpst_to_cal(self.gpst_ns, scale)
        cal, leap = int(cal), bool(leap)
        days, rem = divmod(cal, DAY_NS)
        y, m, d = (int(v) for v in _civil_from_days(days + _GPS_EPOCH_UNIX_DAYS))
        secs, frac = divmod(rem, NS)
        hh, mm, ss = secs // 3600, (secs // 60) % 60, secs % 60 + (1 if leap else 0)
        text = f"{y:04d}-{m:02d}-{d:02d}T{hh:02d}:{mm:02d}:{ss:02d}"
        if frac:
            text += "." + f"{frac:09d}".rstrip("0")
        return text

    def __str__(self) -> str:
        return f"{self.isoformat()} GPST"

    def __repr__(self) -> str:
        return f"GTime({self.isoformat()!r} GPST, gpst_ns={self.gpst_ns})"

    # -- arithmetic
    def __add__(self, seconds):
        if isinstance(seconds, GTime):
            return NotImplemented
        return GTime(self.gpst_ns + _scalar_seconds_to_ns(seconds))

    __radd__ = __add__

    def __sub__(self, other):
        if isinstance(other, GTime):
            return (self.gpst_ns - other.gpst_ns) / 1e9
        return GTime(self.gpst_ns - _scalar_seconds_to_ns(other))


def _duration_ns(d) -> int:
    """Whole nanoseconds of a ``numpy.timedelta64`` (any unit down to ns) or ``datetime.timedelta``."""
    if isinstance(d, _dt.timedelta):
        return (d.days * 86400 + d.seconds) * NS + d.microseconds * 1000
    if np.isnat(d):
        raise TimeError("cannot add NaT to a GTime")
    if np.datetime_data(d.dtype)[0] in ("Y", "M", "generic"):  # no fixed length (numpy takes mean months)
        raise TypeError(f"can add a timedelta64 of fixed units (W, D, h, m, s ... ns) to a GTime, not {d!r}")
    ns = d.astype("timedelta64[ns]")
    if ns.astype(np.int64) // NS != d.astype("timedelta64[s]").astype(np.int64):  # wrapped around int64
        raise TimeError(f"{d!r} is beyond the int64 nanosecond range")
    return int(ns.astype(np.int64))


def time_span(t_ns) -> str:
    """Earliest and latest of GPST instants (ns) as ``"ISO .. ISO"``, for messages."""
    t = _as_ns(t_ns)
    if t.size == 0:
        return "(no epochs)"
    return f"{GTime(int(t.min())).isoformat()} .. {GTime(int(t.max())).isoformat()}"


def _scalar_seconds_to_ns(seconds) -> int:
    if isinstance(seconds, bool):
        raise TypeError("cannot add a bool to a GTime")
    if isinstance(seconds, np.timedelta64 | _dt.timedelta):  # before np.integer: timedelta64 is one
        return _duration_ns(seconds)
    if isinstance(seconds, int | np.integer):
        return int(seconds) * NS
    if isinstance(seconds, float | np.floating):
        if not abs(seconds) <= _MAX_SECONDS:  # NaN and infinities too
            raise TimeError(f"can add finite seconds within +-{_MAX_SECONDS:.3g} s to a GTime, not {seconds}")
        return round(float(seconds) * 1e9)
    raise TypeError(f"can add seconds (int or float) to a GTime, not {type(seconds).__name__}")


def gpst_iso_text(value) -> str:
    """An instant given by a user, as the ISO text of a GPST date-time, checked.

    Parameters
    ----------
    value : str, GTime, datetime, numpy.datetime64 or int
        An ISO date-time in GPST (``2020-06-25T10:00:00``), a :class:`GTime`, a ``datetime`` or
        ``datetime64`` read as GPST, or whole GPST nanoseconds (kompas's instants; also numpy's integers
        and 0-d arrays, as :func:`gtime_from_calendar` returns).

    Returns
    -------
    str
        The ISO text (``T`` between date and time).

    Raises
    ------
    ValueError
        For a time zone (GPST has none), a float, a bool, a string of digits (numpy would read it as a
        year) or anything that is no date-time.
    """
    if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iuf":
        value = value.item()  # gtime_from_calendar's 0-d array of GPST ns
    if isinstance(value, bool | float | np.floating) or (isinstance(value, str) and value.strip().isdigit()):
        # numpy would read a string of digits as a year (GPST ns of 2020 became 1895, silently)
        raise ValueError(f"must be an ISO date-time like 2020-06-25T10:00:00 or GPST ns, not {value!r}")
    if isinstance(value, int | np.integer):
        value = GTime(int(value))
    text = (value.isoformat() if isinstance(value, GTime) else str(value)).strip().replace(" ", "T")
    clock = text.split("T", 1)[1] if "T" in text else ""
    # GPST has no zone: "Z" or "+02:00" would be UTC-based, and numpy would drop the offset with a warning
    if clock[-1:] in ("Z", "z") or "+" in clock or "-" in clock:
        raise ValueError(f"is GPS time without a time zone, like 2020-06-25T10:00:00, not {value!r}")
    try:
        when = np.datetime64(text, "ns")
    except ValueError:
        when = np.datetime64("NaT")
    if np.isnat(when):  # numpy reads '' and 'NaT' as not-a-time
        raise ValueError(f"must be an ISO date-time like 2020-06-25T10:00:00, not {value!r}")
    return text
