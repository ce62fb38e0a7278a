"""Header of RINEX 2/3/4 observation files -> :class:`kompas.tables.obs.ObsHeader`.

References: RINEX 2.11 Table A1; RINEX 3.05 Table A2; RINEX 4.02 Table A2. Columns are 0-based
Python slices. Fields go through :mod:`kompas.io._text` (strict numbers, checked calendars).

Repairs (tolerance policy of :mod:`kompas.io._text`, each a ``FormatWarning``, an error when strict)
    * blank lines before ``RINEX VERSION / TYPE``;
    * ``GLONASS SLOT / FRQ #`` items written without their separating blank (``R11 -5R19 +3``).
"""

from __future__ import annotations

import re
import warnings

import numpy as np

from ...errors import KompasError, KompasWarning, caller_stacklevel
from ...satsys import SYSTEM_LETTERS, GlonassChannels
from ...tables.obs import ObsHeader
from ...time import gtime_from_calendar, normalize_scale
from .._text import Diagnostics, calendar_problem, first_header_line

__all__ = ["parse_header", "normalize_ts", "cal_fields", "default_time_system", "records_not_applied"]


def default_time_system(system: str) -> str:
    # RINEX 3.05 Table A2 "TIME OF FIRST OBS": GPS for GPS/mixed files, else the system's own time
    return {"R": "GLO", "E": "GAL", "C": "BDT", "J": "QZS", "I": "IRN"}.get(system, "GPS")


_CAL_NAMES = ("year", "month", "day", "hour", "minute")


def cal_fields(ctx: Diagnostics, text: str, ln: int, cols) -> tuple:
    """Year..minute integers and float seconds from six (start, end) column ranges."""
    out = [ctx.int(text[a:b], ln, what) for (a, b), what in zip(cols[:5], _CAL_NAMES, strict=True)]
    out.append(ctx.float(text[cols[5][0] : cols[5][1]], ln, "second"))
    return tuple(out)


def _three_numbers(ctx: Diagnostics, raw: str, ln: int, label: str) -> np.ndarray:
    """Three F14.4 numbers; blank-separated values in shifted columns (seen in real writers) too."""
    tokens = raw[:60].split()
    if len(tokens) == 3:
        return np.array([ctx.float(t, ln, label) for t in tokens])
    return np.array([ctx.float(raw[k : k + 14], ln, label) for k in (0, 14, 28)])


def normalize_ts(ts: str, ctx: Diagnostics, lineno) -> str:
    """Validate a RINEX time-system id and return it (``GPS``, ``GLO``, ...)."""
    ts = ts.upper()
    try:
        normalize_scale(ts)
    except KompasError:
        raise ctx.error(lineno, f"unknown time system {ts!r}") from None
    return ts


_GLO_ITEM = re.compile(r"\s*R(\d{2})\s*([+-]?\d{1,2})")


def _glo_line(ctx: Diagnostics, raw: str, ln: int) -> dict[int, int]:
    """One ``GLONASS SLOT / FRQ #`` record: ``I3,1X,8(A1,I2.2,1X,I2,1X)`` (RINEX 3.05 Table A2)."""
    body = raw[4:60]
    items = [body[j : j + 7] for j in range(0, 56, 7)]
    out: dict[int, int] = {}
    try:
        for item in items:
            if item.strip():
                sat, ch = item[:4].strip(), item[4:].strip()
                if not re.fullmatch(r"R\d{2}", sat) or not re.fullmatch(r"[+-]?\d{1,2}", ch):
                    raise ValueError(item)
                out[int(sat[1:])] = int(ch)
        return out
    except ValueError:
        pass
    # items without their separating blank: one reading when the items tile the field exactly
    pos, end, loose = 0, len(body.rstrip()), {}
    while pos < end:
        m = _GLO_ITEM.match(body, pos)
        if m is None:
            raise ctx.error(ln, f"malformed GLONASS SLOT / FRQ # record {body.rstrip()!r}")
        loose[int(m[1])] = int(m[2])
        pos = m.end()
    ctx.repair(ln, "GLONASS SLOT / FRQ #", "items without the separating blank read as slot/channel pairs")
    return loose


def _glo_channels(mapping: dict[int, int], ctx: Diagnostics, lineno) -> GlonassChannels:
    try:
        return GlonassChannels(mapping)
    except KompasError as exc:
        raise ctx.error(lineno, str(exc)) from None


def _header_time(ctx: Diagnostics, lineno: int, fields: tuple, scale: str) -> int:
    """TIME OF FIRST/LAST OBS -> GPST ns; a field out of range is a FormatError naming it."""
    problem = calendar_problem(*fields)
    if problem is not None:
        raise ctx.error(lineno, f"invalid epoch: {problem}")
    try:
        return int(gtime_from_calendar(*fields, scale=scale))
    except KompasError as exc:
        raise ctx.error(lineno, f"invalid epoch {fields}: {exc}") from None


class _State:
    """What the header loop gathers besides the plain ObsHeader keywords."""

    def __init__(self):
        self.obs_types: dict[str, list[str]] = {}
        self.pending: tuple | None = None  # (system, declared count, line) of a multi-line type list
        self.comments: list[str] = []
        self.shifts: list = []
        self.glo: dict[int, int] = {}
        self.cpb: dict[str, float] = {}
        self.scale: dict[tuple[str, str], float] = {}
        self.scale_all: dict[str, float] = {}  # system -> factor of a record naming no type (all)
        self.scale_last: tuple[str, float] | None = None  # what a continuation line continues
        self.tfirst = self.tlast = None
        self.ts_first = ""
        self.half_cycle: list[tuple[int, str]] = []  # (line, what) of RINEX 2 wavelength factors 2

    def check_pending(self, ctx):
        p = self.pending
        if p and len(self.obs_types[p[0]]) != p[1]:
            system = "" if p[0] == "*" else f"system {p[0]}: "
            raise ctx.error(
                p[2], f"{system}{p[1]} observation types declared, {len(self.obs_types[p[0]])} listed"
            )


def _text_record(kw: dict, label: str, raw: str) -> bool:
    """Records that are plain text; True when ``label`` was one of them."""
    if label == "PGM / RUN BY / DATE":
        kw.update(program=raw[0:20].strip(), run_by=raw[20:40].strip(), date=raw[40:60].strip())
    elif label == "MARKER NAME":
        kw["marker_name"] = raw[0:60].strip()
    elif label == "MARKER NUMBER":
        kw["marker_number"] = raw[0:20].strip()
    elif label == "MARKER TYPE":
        kw["marker_type"] = raw[0:20].strip()
    elif label == "OBSERVER / AGENCY":
        kw.update(observer=raw[0:20].strip(), agency=raw[20:60].strip())
    elif label == "REC # / TYPE / VERS":
        kw.update(receiver_number=raw[0:20].strip(), receiver_type=raw[20:40].strip(),
                  receiver_version=raw[40:60].strip())  # fmt: skip
    elif label == "ANT # / TYPE":
        kw.update(antenna_number=raw[0:20].strip(), antenna_type=raw[20:40].rstrip())
    elif label == "SIGNAL STRENGTH UNIT":
        kw["signal_strength_unit"] = raw[0:20].strip()
    else:
        return False
    return True


_OBS_CODE = re.compile(r"[A-Z][0-9A-Z]{1,2}")  # RINEX 2 'C1', 'P2'; RINEX 3/4 'C1C', 'L2W'


def _codes(ctx: Diagnostics, ln: int, items) -> list[str]:
    out = [c for c in items if c]
    for c in out:
        if not _OBS_CODE.fullmatch(c):
            raise ctx.error(ln, f"observation type {c!r} is not a RINEX observation code")
    return out


def _obs_types(st: _State, ctx: Diagnostics, label: str, raw: str, ln: int) -> None:
    if label == "SYS / # / OBS TYPES":
        if raw[0:1] != " ":
            st.check_pending(ctx)
            sys_ = raw[0:1]
            st.obs_types[sys_] = []
            st.pending = (sys_, ctx.count(raw[3:6], ln, "number of observation types"), ln)
        elif st.pending is None:
            raise ctx.error(ln, "continuation of SYS / # / OBS TYPES without a system")
        types = st.obs_types[st.pending[0]]
        types.extend(_codes(ctx, ln, (raw[7 + 4 * k : 10 + 4 * k].strip() for k in range(13))))
    else:  # "# / TYPES OF OBSERV" (RINEX 2)
        if raw[0:6].strip():
            st.obs_types["*"] = []
            st.pending = ("*", ctx.count(raw[0:6], ln, "number of observation types"), ln)
        elif st.pending is None:
            raise ctx.error(ln, "continuation of # / TYPES OF OBSERV without a count")
        st.obs_types["*"].extend(_codes(ctx, ln, (raw[6 + 6 * k : 12 + 6 * k].strip() for k in range(9))))


def _numeric_record(st: _State, kw: dict, ctx: Diagnostics, label: str, raw: str, ln: int) -> None:
    if label in ("APPROX POSITION XYZ", "ANTENNA: DELTA H/E/N"):
        key = "approx_position_m" if label.startswith("APPROX") else "antenna_delta_hen_m"
        kw[key] = _three_numbers(ctx, raw, ln, label)
    elif label == "SYS / PHASE SHIFT":
        sats = tuple(x for x in (raw[19 + 4 * k : 22 + 4 * k].strip() for k in range(10)) if x)
        if raw[0:1].strip():
            st.shifts.append((raw[0:1], raw[2:5].strip(), ctx.float(raw[6:14], ln, "phase shift", 0.0), sats))
        elif sats and st.shifts:  # a continuation line (18X, 10(1X, A3)): more satellites of the last one
            letter, code, shift, before = st.shifts[-1]
            st.shifts[-1] = (letter, code, shift, before + sats)
    elif label == "SYS / SCALE FACTOR":
        # A1, 1X, I4 factor, 2X, I2 count (blank or 0: every type of the system), 12(1X, A3); more
        # types on continuation lines 10X, 12(1X, A3) (RINEX 3.05 Table A2)
        codes = [c for c in (raw[11 + 4 * k : 14 + 4 * k].strip() for k in range(12)) if c]
        if raw[0:1].strip():
            st.scale_last = (raw[0:1], ctx.float(raw[2:6], ln, "scale factor"))
            if not codes:  # resolved at the end: the types may be listed after this record
                st.scale_all[raw[0:1]] = st.scale_last[1]
        if st.scale_last is not None:
            st.scale.update({(st.scale_last[0], c): st.scale_last[1] for c in codes})
    elif label == "GLONASS SLOT / FRQ #":
        st.glo.update(_glo_line(ctx, raw, ln))
    elif label == "GLONASS COD/PHS/BIS":
        for k in range(4):
            code = raw[1 + 13 * k : 4 + 13 * k].strip()
            if code:
                st.cpb[code] = ctx.float(
                    raw[5 + 13 * k : 13 + 13 * k], ln, f"GLONASS code-phase bias {code}", np.nan
                )
    elif label in ("TIME OF FIRST OBS", "TIME OF LAST OBS"):
        # F13.7 seconds then 5X, A3; some writers shift the seconds one column right, so the
        # column after the field (a blank in the standard layout) is read too
        f = cal_fields(ctx, raw, ln, ((0, 6), (6, 12), (12, 18), (18, 24), (24, 30), (30, 44)))
        if label == "TIME OF FIRST OBS":
            st.tfirst, st.ts_first = (f, ln), raw[44:60].strip()[:3]
        else:
            st.tlast = (f, ln)
    elif label == "INTERVAL":
        iv = ctx.float(raw[0:10], ln, "INTERVAL")
        kw["interval_s"] = iv if iv > 0 else None
    elif label == "WAVELENGTH FACT L1/2":
        # RINEX 2.11 Table A1: 2I6 factors (1 full cycles, 2 half cycles from squaring, 0 in L2 no L2),
        # I6 count, 7(3X, A1, I2) satellites (none: the default of all)
        fac = [ctx.int(raw[6 * k : 6 * k + 6], ln, f"L{k + 1} wavelength factor", 1) for k in (0, 1)]
        if 2 in fac:
            sats = " ".join(raw[21 + 6 * k : 24 + 6 * k].strip() for k in range(7)).split()
            bands = "/".join(f"L{k + 1}" for k in (0, 1) if fac[k] == 2)
            st.half_cycle.append((ln, f"{bands} of {' '.join(sats) if sats else 'every satellite'}"))
    elif label == "LEAP SECONDS":
        kw["leap_seconds"] = ctx.int(raw[0:6], ln, "LEAP SECONDS")
    elif label == "RCV CLOCK OFFS APPL":
        kw["rcv_clock_offset_applied"] = ctx.int(raw[0:6], ln, "RCV CLOCK OFFS APPL", 0) == 1


def _version_line(ctx: Diagnostics, head: str, ln: int) -> dict:
    if head[60:80].strip() != "RINEX VERSION / TYPE":
        raise ctx.error(ln, "expected 'RINEX VERSION / TYPE' as the first header record")
    version = ctx.float(head[0:9], ln, "RINEX version")
    if head[20:21] != "O":
        raise ctx.error(ln, f"expected file type 'O' (observation data), found {head[20:21]!r}")
    if not (2.0 <= version < 5.0):
        raise ctx.error(ln, f"unsupported RINEX version {version}")
    return {"version": version, "system": head[40:41].strip() or "G"}


def parse_header(lines: list[bytes], ctx: Diagnostics) -> tuple[ObsHeader, int]:
    """Parse the header; return it and the index of the first body line."""
    first = first_header_line(lines, ctx, "RINEX VERSION / TYPE")
    kw = _version_line(ctx, lines[first].decode("latin-1"), first + 1)
    st = _State()
    i, end = first + 1, None
    while i < len(lines):
        raw = lines[i].decode("latin-1")
        label = raw[60:80].strip()
        ln = i = i + 1
        if label == "END OF HEADER":
            end = i
            break
        if label == "COMMENT":
            st.comments.append(raw[:60].rstrip())
        elif label in ("SYS / # / OBS TYPES", "# / TYPES OF OBSERV"):
            _obs_types(st, ctx, label, raw, ln)
        elif not _text_record(kw, label, raw):
            _numeric_record(st, kw, ctx, label, raw, ln)
    if end is None:
        raise ctx.error(len(lines), "file ends before 'END OF HEADER'")
    return _finish(kw, st, ctx, end), end


def _finish(kw: dict, st: _State, ctx: Diagnostics, end: int) -> ObsHeader:
    st.check_pending(ctx)
    if st.half_cycle:
        line, what = st.half_cycle[0]
        warnings.warn(
            f"{ctx.path}, line {line}: WAVELENGTH FACT L1/2 declares half-cycle phases ({what}), which are "
            "processed as full-cycle phases: their ambiguities are half-integers, so do not fix them to "
            "integers (RTK, PPP-AR)",
            KompasWarning,
            stacklevel=caller_stacklevel(),
        )
    obs_types = st.obs_types
    if kw["version"] < 3:
        types = obs_types.pop("*", None)
        if types is None:
            raise ctx.error(end, "header has no '# / TYPES OF OBSERV' record")
        # every system: the codes RINEX 2 does not define for one (NavIC: none) are dropped with a warning
        obs_types = {s: list(types) for s in SYSTEM_LETTERS}
    elif not obs_types:
        raise ctx.error(end, "header has no 'SYS / # / OBS TYPES' record")
    ts = normalize_ts(
        st.ts_first or default_time_system(kw["system"]), ctx, st.tfirst[1] if st.tfirst else end
    )
    kw["time_system"] = ts
    for letter, fac in st.scale_all.items():
        for code in obs_types.get(letter, ()):
            st.scale.setdefault((letter, code), fac)
    for key, tv in (("time_of_first_obs_ns", st.tfirst), ("time_of_last_obs_ns", st.tlast)):
        if tv is not None:
            kw[key] = _header_time(ctx, tv[1], tv[0], ts)
    kw.update(
        obs_types={s: tuple(v) for s, v in obs_types.items()},
        glonass_channels=_glo_channels(st.glo, ctx, end),
        glonass_cpb_m=st.cpb,
        phase_shifts=tuple(st.shifts),
        scale_factors=st.scale,
        comments=tuple(st.comments),
        n_lines=end,
    )
    return ObsHeader(**kw)


# Header records an event of flag 3 (new site occupation) or 4 (header records follow) may carry that
# change what the observations after it mean (RINEX 3.05 Table A3, epoch flags 3 and 4). The reader
# applies new observation types there; these it does not: the whole file keeps its header's values.
_NOT_APPLIED = (
    "MARKER NAME", "ANTENNA: DELTA H/E/N", "ANTENNA: DELTA X/Y/Z", "ANT # / TYPE", "REC # / TYPE / VERS",
    "SYS / SCALE FACTOR", "SYS / PHASE SHIFT", "GLONASS SLOT / FRQ #", "GLONASS COD/PHS/BIS",
)  # fmt: skip


def records_not_applied(events, header: ObsHeader, ctx: Diagnostics) -> list[tuple[int, str, str]]:
    """``(line, epoch, label)`` of the in-body header records (events of flags 3 and 4) that would change
    the file's marker, antenna or observation scaling and that the reader does not apply; a record that
    repeats the header's marker name or antenna height (read as the header's) is left out."""
    out = []
    for line, flag, when, records in events:
        if flag not in (3, 4):
            continue
        for raw in records:
            label = raw[60:80].strip()
            if label not in _NOT_APPLIED:
                continue
            if label == "MARKER NAME" and raw[:60].strip() == header.marker_name:
                continue
            if label == "ANTENNA: DELTA H/E/N":
                try:
                    if np.allclose(_three_numbers(ctx, raw, line, label), header.antenna_delta_hen_m):
                        continue
                except KompasError:  # unreadable: named as not applied
                    pass
            out.append((line, when, label))
    return out
