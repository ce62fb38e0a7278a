"""Header of RINEX 2/3/4 navigation files -> :class:`kompas.tables.nav.NavHeader`.

References: RINEX 2.11 Tables A3 (GPS), A10 (GLONASS) and the GEO header table; RINEX 3.05 and
4.02 navigation header tables. RINEX 2 files of other systems than GPS, GLONASS and GEO are not in
the 2.11 document; converters write them with the GPS record layout of their own system:
``E`` (teqc and gfzrnx, RINEX 2.12 Galileo), ``L`` (gfzrnx's older letter for Galileo) and ``C``
(BeiDou). Their ``ION ALPHA``/``ION BETA`` records are kept under the system's own ionosphere name
(``GAL`` for Galileo's three coefficients, ``BDSA``/``BDSB``) and ``DELTA-UTC`` as ``GAUT``/``BDUT``.

Repairs (tolerance policy of :mod:`kompas.io._text`; a ``FormatWarning`` each, an error when strict)
    * no ``END OF HEADER``: the header ends before the first line shaped like a data record;
    * ``DELTA-UTC: A0,A1,T,W`` whose two integers (I9, I9) are shifted out of their columns: read
      as the two blank-separated integers of columns 42-60 when there are exactly two.
"""

from __future__ import annotations

import re

import numpy as np

from ...errors import FormatError
from ...satsys import SYSTEM_LETTERS
from ...tables.nav import IonoCorr, LeapSeconds, NavHeader, TimeCorr
from .._text import Diagnostics

__all__ = ["parse_header", "RINEX2_TYPES"]

RINEX2_TYPES = {"N": "G", "G": "R", "H": "S", "E": "E", "L": "E", "C": "C"}
"""RINEX 2 navigation file type -> satellite system of its records."""

# RINEX 2 header records whose meaning depends on the file's system: (ion alpha, ion beta, utc)
_R2_NAMES = {"G": ("GPSA", "GPSB", "GPUT"), "E": ("GAL", "GAL", "GAUT"), "C": ("BDSA", "BDSB", "BDUT")}

_HEADER_LABELS = {
    "RINEX VERSION / TYPE", "PGM / RUN BY / DATE", "COMMENT", "ION ALPHA", "ION BETA",
    "DELTA-UTC: A0,A1,T,W", "CORR TO SYSTEM TIME", "D-UTC A0,A1,T,W,S,U", "LEAP SECONDS",
    "IONOSPHERIC CORR", "TIME SYSTEM CORR", "END OF HEADER", "MERGED FILE", "DOI", "LICENSE OF USE",
    "STATION INFORMATION",
}  # fmt: skip
_R2_START = re.compile(r"[ \d]\d(?:[ \d]{2}\d){5}[ \d]{2}\d\.\d")
_R3_START = re.compile(r"[A-Z][ \d]\d \d{4}(?: [ \d]\d){5}")


class NavContext(Diagnostics):
    """Diagnostics of a navigation file plus its lines (0-based indices here, 1-based in messages)."""

    def __init__(self, path, lines: list[str], complete_last: bool, strict: bool = False):
        super().__init__(path, strict=strict)
        self.lines = lines
        self.complete_last = complete_last
        self.skipped: dict[str, int] = {}

    def err(self, idx: int | None, message: str):
        """FormatError at 0-based line ``idx``."""
        return self.error(None if idx is None else idx + 1, message)

    def skip(self, what: str) -> None:
        self.skipped[what] = self.skipped.get(what, 0) + 1


def _version_line(ctx: NavContext) -> tuple[float, str, str]:
    lines = ctx.lines
    if not lines or lines[0][60:].strip() != "RINEX VERSION / TYPE":
        first = lines[0][:80] if lines else ""
        raise ctx.err(0, f"expected a 'RINEX VERSION / TYPE' first line, found {first!r}")
    line = lines[0]
    version = ctx.float(line[:9], 1, "RINEX version")
    if not 2.0 <= version < 5.0:
        raise ctx.err(0, f"unsupported RINEX version {version:g} (2.x, 3.x and 4.x are read)")
    ftype = line[20:21].upper()
    if version < 3.0:
        if ftype not in RINEX2_TYPES:
            raise ctx.err(0, f"not a RINEX 2 navigation file: file type {ftype!r} (expected one of NGHELC)")
        return version, ftype, RINEX2_TYPES[ftype]
    if ftype not in ("N", "G", "H"):  # some 3.0x writers kept RINEX 2's G (GLONASS) and H (GEO)
        raise ctx.err(0, f"not a RINEX navigation file: file type {ftype!r} (expected N)")
    system = line[40:41].upper().strip() or {"N": "G", "G": "R", "H": "S"}[ftype]
    if system not in SYSTEM_LETTERS + "M":
        raise ctx.err(0, f"unknown satellite system {system!r} in the version line")
    return version, ftype, system


def _delta_utc(ctx: NavContext, i: int, content: str, name: str) -> TimeCorr:
    """RINEX 2 ``DELTA-UTC: A0,A1,T,W`` (3X,2D19.12,2I9); integers shifted off their columns repaired."""
    label = "DELTA-UTC: A0,A1,T,W"
    a0 = ctx.float(content[3:22], i + 1, label, np.nan)
    a1 = ctx.float(content[22:41], i + 1, label, np.nan)
    err = None
    try:
        t = ctx.int(content[41:50], i + 1, label, -1)
        w = ctx.int(content[50:59], i + 1, label, -1)
    except FormatError as exc:
        err = exc
    # a W that runs into column 60 reads as I9 without its last digit: shifted, like a field that fails
    if err is None and not content[59:60].strip():
        return TimeCorr(name, a0, a1, float(t), w)
    tokens = content[41:60].split()
    if len(tokens) != 2 or not all(re.fullmatch(r"\d+", x) for x in tokens):
        raise err or ctx.err(i, f"{label}: expected T and W, two I9 integers in columns 42-59")
    t, w = int(tokens[0]), int(tokens[1])
    ctx.repair(i + 1, label, "T and W read as the two integers of columns 42-60 (shifted off I9, I9)")
    return TimeCorr(name, a0, a1, float(t), w)


def _record(ctx: NavContext, i: int, label: str, content: str, acc: dict, system: str) -> None:
    """One header record into the accumulator ``acc``."""
    num = lambda text, blank=np.nan: ctx.float(text, i + 1, label, blank)  # noqa: E731
    integer = lambda text, blank=-1: ctx.int(text, i + 1, label, blank)  # noqa: E731
    alpha, beta, utc = _R2_NAMES.get(system, _R2_NAMES["G"])
    if label == "PGM / RUN BY / DATE":
        acc.update(program=content[0:20].strip(), run_by=content[20:40].strip(), date=content[40:60].strip())
    elif label == "COMMENT":
        acc["comments"].append(content.rstrip())
    elif label in ("ION ALPHA", "ION BETA"):
        coef = np.array([num(content[2 + 12 * k : 14 + 12 * k]) for k in range(4)])
        acc["iono"].append(IonoCorr(alpha if label == "ION ALPHA" else beta, coef))
    elif label == "IONOSPHERIC CORR":
        coef = np.array([num(content[5 + 12 * k : 17 + 12 * k]) for k in range(4)])
        mark, sv = content[54:55].strip(), content[56:58].strip()
        acc["iono"].append(IonoCorr(content[0:4].strip(), coef, mark, sv))
    elif label == "DELTA-UTC: A0,A1,T,W":
        acc["tcorr"].append(_delta_utc(ctx, i, content, utc))
    elif label == "CORR TO SYSTEM TIME":
        ymd = tuple(integer(content[6 * k : 6 * k + 6]) for k in range(3))
        acc["tcorr"].append(TimeCorr("GLUT", num(content[21:40]), 0.0, ref_date=ymd))
    elif label == "TIME SYSTEM CORR":
        a0, a1, t_ref, week = (
            num(content[5:22]),
            num(content[22:38]),
            num(content[38:45]),
            integer(content[45:50]),
        )
        source, utc_id = content[51:56].strip(), integer(content[57:59])
        acc["tcorr"].append(TimeCorr(content[0:4].strip(), a0, a1, t_ref, week, source, utc_id))
    elif label == "LEAP SECONDS":
        acc["leap"] = LeapSeconds(
            integer(content[0:6], 0), integer(content[6:12]), integer(content[12:18]),
            integer(content[18:24]), content[24:27].strip(),
        )  # fmt: skip
    else:
        acc["other"].setdefault(label, []).append(content.rstrip())


def _looks_like_data(line: str, label: str, version: float) -> bool:
    return label not in _HEADER_LABELS and bool(
        line.startswith(">")
        or (version < 3 and _R2_START.match(line))
        or (version >= 3 and _R3_START.match(line))
    )


def parse_header(ctx: NavContext) -> tuple[NavHeader, int]:
    """The header and the 0-based index of the first body line."""
    version, ftype, system = _version_line(ctx)
    lines = ctx.lines
    acc: dict = {"program": "", "run_by": "", "date": "", "comments": [], "iono": [], "tcorr": [],
                 "leap": None, "other": {}}  # fmt: skip
    start = None
    for i in range(1, len(lines)):
        line = lines[i]
        label = line[60:].strip()
        if label == "END OF HEADER":
            start = i + 1
            break
        if not line.strip():
            continue
        if _looks_like_data(line, label, version):
            what = "the header is taken to end before this line, which has the shape of a data record"
            ctx.repair(i + 1, "no END OF HEADER", what)
            start = i
            break
        _record(ctx, i, label, line[:60], acc, system)
    if start is None:
        ctx.repair(None, "no END OF HEADER", "no END OF HEADER and no data records")
        start = len(lines)
    return _header(acc, version, ftype, system), start


def _header(acc: dict, version: float, ftype: str, system: str) -> NavHeader:
    # per name: the first record without a time mark, else the first record
    iono_dict: dict[str, np.ndarray] = {}
    for rec in acc["iono"]:
        if not rec.time_mark:
            iono_dict.setdefault(rec.name, rec.coef)
    for rec in acc["iono"]:
        iono_dict.setdefault(rec.name, rec.coef)
    tdict: dict[str, TimeCorr] = {}
    for rec in acc["tcorr"]:
        tdict.setdefault(rec.name, rec)
    return NavHeader(
        version=version,
        file_type=ftype,
        system=system,
        program=acc["program"],
        run_by=acc["run_by"],
        date=acc["date"],
        comments=tuple(acc["comments"]),
        iono_corr=iono_dict,
        iono_corr_records=tuple(acc["iono"]),
        time_corr=tdict,
        time_corr_records=tuple(acc["tcorr"]),
        leap_seconds=acc["leap"],
        other={k: tuple(v) for k, v in acc["other"].items()},
    )
