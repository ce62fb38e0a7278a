"""What a GNSS file's name says: kind, station or producer, start and span (RINEX and IGS conventions).

Three conventions are recognised (case of the extension does not matter, compression suffixes
``.gz .Z .bz2 .zip`` are ignored):

* RINEX 3/4 long names (RINEX 3.05 section 4.1, "RINEX file name description"):
  ``SSSSMRCCC_K_YYYYDDDHHMM_PPU[_FFU]_TT.FMT`` -- nine-character station id, data source ``K``,
  start (year, day of year, hour, minute), file period (``01D``, ``01H``, ``15M``), optional data
  frequency, content type (``MO`` observations, ``MN``/``GN``/``RN``/``EN``/``CN``/``JN``/``IN``/``SN``
  navigation of a mixed or one system) and ``rnx``/``crx``. Text after the content type before the dot
  (``_MO_120epoch.rnx``) is tolerated.
* IGS long product names (IGS "Guidelines for long product filenames", 2021):
  ``AAAVPPPTTT_YYYYDDDHHMM[SS]_LEN_SMP_CNT.FMT`` with content ``ORB`` (SP3), ``CLK``, ``OSB``/``DCB``/
  ``BIA`` (biases), ``GIM``/``ION`` (IONEX), ``ATT`` ...
* RINEX 2 short names (RINEX 2.11 section 4): ``ssssdddf.yyt`` -- station, day of year, session
  (``0`` a day, ``a``..``x`` one hour), two-digit year (80..99 -> 19xx), type (``o`` observations,
  ``d`` Hatanaka observations, ``n g l p h q f`` navigation, ``i`` IONEX); and IGS short product names
  ``aaawwwwd.sp3``/``.clk`` (GPS week and day of week).

Times are the nominal start of the file in the name (GPST for observation files, by the conventions'
own choice of "the first epoch"); nothing is read from the file.
"""

from __future__ import annotations

import calendar
import datetime as _dt
import glob
import os
import re
from dataclasses import dataclass

__all__ = ["FileName", "parse_name", "uncompressed_name", "name_from_header", "glob_files", "KIND_OF_CONTENT"]

_COMPRESSION = re.compile(r"\.(gz|z|bz2|zip)$", re.IGNORECASE)

_LONG_RINEX = re.compile(
    r"^(?P<site>[A-Z0-9]{4}[0-9]{2}[A-Z0-9]{3})_(?P<src>[A-Z])_(?P<start>\d{11})_(?P<period>\d{2}[SMHDYU])"
    r"(?:_(?P<freq>\d{2}[CZSMHDU]))?_(?P<type>[A-Z]{2})(?:_[^.]*)?\.(?P<fmt>rnx|crx)$",
    re.IGNORECASE,
)
_LONG_PRODUCT = re.compile(
    r"^(?P<site>[A-Z0-9]{3}[0-9][A-Z0-9]{3}[A-Z]{3})_(?P<start>\d{11}(?:\d{2})?)_(?P<period>(?:\d{2}[SMHDWLY])+)"
    r"_(?P<freq>(?:\d{2}[SMHDWLYU])+)_(?P<type>[A-Z]{3})(?:_[^.]*)?\.(?P<fmt>[A-Z0-9]{3})$",
    re.IGNORECASE,
)
_SHORT_RINEX = re.compile(
    r"^(?P<site>[A-Z0-9]{4})(?P<doy>\d{3})(?P<session>[0-9A-X])\.(?P<yy>\d{2})(?P<type>[ODNGLPHQFI])$",
    re.IGNORECASE,
)
_SHORT_PRODUCT = re.compile(
    r"^(?P<site>[A-Z]{3})(?P<week>\d{4})(?P<dow>[0-7])\.(?P<type>sp3|clk)$", re.IGNORECASE
)

KIND_OF_CONTENT = {
    # RINEX 3.05 section 4.1 content types (obs, nav), IGS long product content types
    "MO": "obs", "GO": "obs", "RO": "obs", "EO": "obs", "CO": "obs", "JO": "obs", "IO": "obs", "SO": "obs",
    "MN": "nav", "GN": "nav", "RN": "nav", "EN": "nav", "CN": "nav", "JN": "nav", "IN": "nav", "SN": "nav",
    "ORB": "orbit", "SP3": "orbit", "CLK": "clock",
    "OSB": "bias", "DCB": "bias", "BIA": "bias", "GIM": "ionex", "ION": "ionex",
    "ATT": "attitude", "ERP": "erp",
}  # fmt: skip
"""Content type of a name -> the kind of file."""

_SHORT_KIND = {"o": "obs", "d": "obs", "i": "ionex", **dict.fromkeys("nglphqf", "nav")}
_SHORT_NAV_SYSTEM = {"n": "G", "g": "R", "l": "E", "p": "M", "h": "S", "q": "J", "f": "C"}
_UNIT = {"S": 1, "M": 60, "H": 3600, "D": 86400, "W": 7 * 86400, "L": 30 * 86400, "Y": 365 * 86400}
_GPS_EPOCH = _dt.datetime(1980, 1, 6)


@dataclass(frozen=True)
class FileName:
    """What a file name says.

    Attributes
    ----------
    path : str
    kind : str
        ``obs``, ``nav``, ``orbit``, ``clock``, ``bias``, ``ionex``, ``attitude`` or ``erp``.
    site : str
        Station id (nine characters for long names, four for short ones, upper case) or the product's
        producer (``COD0MGXFIN``, ``IGS``).
    start : datetime.datetime
        Nominal start of the file (naive, GPST).
    period_s : int
        Nominal span of the file, s.
    content : str
        Content type as named (``MO``, ``CN``, ``ORB``; the RINEX 2 type letter for short names).
    system : str
        Navigation files: the system letter of the content (``M`` for mixed); ``""`` otherwise.
    """

    path: str
    kind: str
    site: str
    start: _dt.datetime
    period_s: int
    content: str
    system: str = ""

    @property
    def station(self) -> str:
        """The four-character station (or producer) code that both conventions share."""
        return self.site[:4]

    @property
    def end(self) -> _dt.datetime:
        """Nominal end (exclusive)."""
        return self.start + _dt.timedelta(seconds=self.period_s)

    @property
    def day(self) -> _dt.date:
        """Calendar day of the start."""
        return self.start.date()

    def overlap_s(self, other: FileName) -> float:
        """Seconds both files' nominal spans share (0 when disjoint)."""
        lo, hi = max(self.start, other.start), min(self.end, other.end)
        return max((hi - lo).total_seconds(), 0.0)


def _period_s(text: str) -> int:
    """``01D`` -> 86400, ``02H01M`` -> 7260; ``U`` (unspecified) counts as a day."""
    total = 0
    for num, unit in re.findall(r"(\d{2})([A-Z])", text.upper()):
        total += int(num) * _UNIT.get(unit, 86400)
    return total or 86400


def _days_in(year: int) -> int:
    return 366 if calendar.isleap(year) else 365


def _start(text: str) -> _dt.datetime | None:
    year, doy, hh, mm = int(text[:4]), int(text[4:7]), int(text[7:9]), int(text[9:11])
    ss = int(text[11:13]) if len(text) >= 13 else 0
    if not (1 <= doy <= _days_in(year) and hh < 24 and mm < 60 and ss < 60):
        return None
    return _dt.datetime(year, 1, 1) + _dt.timedelta(days=doy - 1, hours=hh, minutes=mm, seconds=ss)


def _long(base: str, path: str) -> FileName | None:
    # a RINEX long name first; the first pattern that matches decides (no fallback to the next)
    for pattern in (_LONG_RINEX, _LONG_PRODUCT):
        m = pattern.match(base)
        if m:
            content = m["type"].upper()
            kind = KIND_OF_CONTENT.get(content)
            start = _start(m["start"])
            if kind is None or start is None:
                return None
            system = content[0] if pattern is _LONG_RINEX and kind == "nav" else ""
            return FileName(path, kind, m["site"].upper(), start, _period_s(m["period"]), content, system)
    return None


def _short(base: str, path: str) -> FileName | None:
    m = _SHORT_RINEX.match(base)
    if m:
        yy, doy, t = int(m["yy"]), int(m["doy"]), m["type"].lower()
        year = 1900 + yy if yy >= 80 else 2000 + yy
        if not 1 <= doy <= _days_in(year):  # day 366 of a common year is no day (not 1 January)
            return None
        session = m["session"].lower()
        hour, period = (0, 86400) if session == "0" else (ord(session) - ord("a"), 3600)
        start = _dt.datetime(year, 1, 1) + _dt.timedelta(days=doy - 1, hours=hour)
        system = _SHORT_NAV_SYSTEM.get(t, "") if _SHORT_KIND[t] == "nav" else ""
        return FileName(path, _SHORT_KIND[t], m["site"].upper(), start, period, t, system)
    m = _SHORT_PRODUCT.match(base)
    if m:
        start = _GPS_EPOCH + _dt.timedelta(weeks=int(m["week"]), days=int(m["dow"]))
        period = 7 * 86400 if m["dow"] == "7" else 86400  # day 7: the weekly file
        if m["dow"] == "7":
            start -= _dt.timedelta(days=7)
        kind = "orbit" if m["type"].lower() == "sp3" else "clock"
        return FileName(path, kind, m["site"].upper(), start, period, m["type"].upper())
    return None


def parse_name(path: str | os.PathLike) -> FileName | None:
    """Kind, station, start and span from a file's name, or ``None`` when it follows no convention.

    Parameters
    ----------
    path : str or os.PathLike
        Any path; only the base name is looked at.

    Examples
    --------
    >>> n = parse_name("ESBC00DNK_R_20201770000_01D_30S_MO.crx.gz")
    >>> n.kind, n.site, n.start.isoformat(), n.period_s
    ('obs', 'ESBC00DNK', '2020-06-25T00:00:00', 86400)
    >>> parse_name("slac1180.21o").start.isoformat()
    '2021-04-28T00:00:00'
    """
    path = os.fspath(path)
    base = uncompressed_name(path)
    return _long(base, path) or _short(base, path)


def uncompressed_name(path: str | os.PathLike) -> str:
    """The base name without its compression suffix (``.gz .Z .bz2 .zip``)."""
    return _COMPRESSION.sub("", os.path.basename(os.fspath(path)))


def _header_fields(head: bytes) -> dict[str, str]:
    """The first value of each header label of a RINEX observation header (``label -> columns 1-60``)."""
    out: dict[str, str] = {}
    for raw in head.decode("latin-1").splitlines():
        label = raw[60:80].strip()
        if label and label not in out:
            out[label] = raw[:60]
        if label == "END OF HEADER":
            break
    return out


def _header_time(text: str) -> _dt.datetime | None:
    # RINEX 3.05 Table A2 TIME OF FIRST OBS: 5I6 (year, month, day, hour, minute), F13.7 seconds
    try:
        y, mo, d, h, mi = (int(text[6 * i : 6 * i + 6]) for i in range(5))
        sec = float(text[30:43])
        return _dt.datetime(y, mo, d, h, mi) + _dt.timedelta(seconds=int(sec))
    except ValueError:
        return None


def name_from_header(path: str | os.PathLike) -> FileName | None:
    """Station and start of an observation file whose name follows no convention, from its header.

    Reads the header only (the start of the decompressed content): ``MARKER NAME`` (its first four
    characters, upper case, as the station) and ``TIME OF FIRST OBS``; the span runs to ``TIME OF LAST
    OBS`` (rounded up to whole hours) when the header has it, else one day. ``None`` for anything else
    (no error is raised: the reader reports a broken file when the file is read).
    """
    from ._open import peek

    path = os.fspath(path)
    try:
        head = peek(path, 65536)
    except Exception:  # unreadable or undecodable: the reader will say why
        return None
    fields = _header_fields(head)
    if "CRINEX VERS   / TYPE" not in fields and fields.get("RINEX VERSION / TYPE", "")[20:21] != "O":
        return None
    start = _header_time(fields.get("TIME OF FIRST OBS", ""))
    site = "".join(ch for ch in fields.get("MARKER NAME", "").strip()[:4] if ch.isalnum()).upper()
    if start is None or not site:
        return None
    last = _header_time(fields.get("TIME OF LAST OBS", ""))
    span = int((last - start).total_seconds()) + 1 if last is not None and last > start else 86400
    period = -(-span // 3600) * 3600  # whole hours, as names count them (3571 s of epochs -> 01H)
    return FileName(path, "obs", site, start, period, "header")


def glob_files(pattern: str) -> list[str]:
    """The files a glob pattern names (``~`` expanded, ``**`` recursing), sorted; folders left out."""
    return sorted(p for p in glob.glob(os.path.expanduser(pattern), recursive=True) if os.path.isfile(p))
