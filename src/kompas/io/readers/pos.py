"""RTKLIB solution files (``.pos``): the reader (layout: :mod:`kompas.io.writers.pos`)."""

from __future__ import annotations

import os
import re

import numpy as np

from ...errors import FormatError
from ...frames import enu_rotation, enu_to_ecef, geodetic_to_ecef, near_earth_surface
from ...solution import ProcessingRecord, Solution
from ...time import (
    NS,
    from_datetime64,
    gpst_from_week_tow,
    to_datetime64,
)
from .._open import file_name, read_text
from .._text import Diagnostics, calendar_ns_or_bad, parse_float, parse_int
from ..writers.pos import _SD_ENU, _SD_LLH, _SD_XYZ

__all__ = ["read_pos", "read_pos_table", "solution_from_pos"]


def _num(tok, path, lineno, what, allow_nan=False):
    """A number token (RTKLIB writes ``nan`` where a standard deviation, age or ratio is unknown)."""
    try:
        return parse_float(tok, what, nan=allow_nan)
    except ValueError as exc:
        raise FormatError(path, lineno, str(exc)) from None


def _int(tok, path, lineno, what):
    try:
        return parse_int(tok, what)
    except ValueError as exc:
        raise FormatError(path, lineno, str(exc)) from None


def read_pos(path: str | os.PathLike) -> Solution:
    """Read an RTKLIB ``.pos`` solution file as a :class:`~kompas.Solution` (see :func:`read_pos_table`).

    The header's program, input files and, in llh and xyz files, base position (``% ref pos``) fill the
    solution's processing record; DOPs and clocks are NaN (the format does not hold them).
    """
    data = read_pos_table(path)
    return solution_from_pos(data, file_name(path))


def read_pos_table(path: str | os.PathLike) -> dict:
    """Read an RTKLIB ``.pos`` solution file (llh in degrees or d m s, ECEF xyz, or an e/n/u baseline)
    column by column.

    Parameters
    ----------
    path : str or os.PathLike
        The file (any compression :func:`kompas.io._open.read_text` handles).

    Returns
    -------
    dict
        ``time_ns`` (E,) int64 GPST ns; ``coords`` ``"llh"``, ``"xyz"`` or ``"enu"``; ``llh`` (E, 3)
        latitude (rad), longitude (rad), ellipsoidal height (m), or ``xyz_m`` (E, 3) ECEF (m), or
        ``enu_m`` (E, 3) east/north/up baseline (m) from ``ref_llh`` (3,) (rad, rad, m; the ``% ref pos``
        line); ``ref_m`` (3,) the base of an llh or xyz file, ECEF m (its ``% ref pos`` line: ECEF in xyz
        files, latitude, longitude and height in llh files; absent without a line that reads so);
        ``quality`` (E,) uint8 (RTKLIB Q); ``nsat`` (E,) int16 (ns column); ``sd_m`` (E, 6)
        standard deviations in the file's column order (``sd_names``: sdn sde sdu sdne sdeu sdun, sdx sdy
        sdz sdxy sdyz sdzx, or sde sdn sdu sden sdnu sdue;
        off-diagonal terms are the signed square roots); ``age_s`` (E,); ``ratio`` (E,);
        ``time_system`` ``"GPST"``, ``"UTC"`` or ``"JST"`` (the file's, times are converted to GPST);
        ``header`` the ``%`` lines without line ends. Velocity columns (``out-outvel``) are ignored.

    Raises
    ------
    FormatError
        On an unsupported layout (NMEA), an e/n/u baseline without its reference, or a field that does
        not parse. A last line cut
        short draws a :class:`TruncatedFileWarning` and is dropped; a line whose date is impossible
        (years 1980-2200, month, day, hour, minute, second in range) a :class:`DroppedRecordWarning`.
    """
    name = file_name(path)
    ctx = Diagnostics(name)
    with ctx.last_resort("solution file"):
        out = _read_pos(read_text(path), name, ctx)
    ctx.emit()
    return out


def _header_line(line: str, lineno: int, st: dict, name) -> None:
    """A ``%`` line: the coordinate layout and the time system."""
    st["header"].append(line)
    low = line.lower()
    if "x-ecef(m)" in low:
        st["coords"] = "xyz"
    elif "latitude(" in low:
        st["coords"], st["dms"] = "llh", "latitude(d'" in low
    elif "e-baseline(m)" in low:
        st["coords"] = "enu"
    elif low.startswith("% ref pos"):  # read at the end: its layout follows the column header's
        st["ref_line"] = (lineno, line.split(":", 1)[1].split())
    if line.startswith("%  ") and st["coords"] is not None:
        words = line[1:].split()
        st["time_system"] = words[0].upper() if words else "GPST"
        if st["time_system"] not in ("GPST", "UTC", "JST"):
            raise FormatError(name, lineno, f"expected time system GPST, UTC or JST, found {words[0]!r}")


def _solution_line(tok: list[str], st: dict, name, lineno: int):
    """Time fields, position and the eight sd/age/ratio numbers, Q and ns of a solution line."""
    tf = _time_fields(tok, st["tow"], name, lineno)
    k = 2
    if st["dms"]:
        p = [_dms(tok[k : k + 3], name, lineno), _dms(tok[k + 3 : k + 6], name, lineno)]
        p.append(_num(tok[k + 6], name, lineno, "height"))
        k += 7
    else:
        p = [_num(tok[k + j], name, lineno, "position") for j in range(3)]
        k += 3
    q = _int(tok[k], name, lineno, "Q")
    ns = _int(tok[k + 1], name, lineno, "ns")
    rest = [_num(v, name, lineno, "sd/age/ratio", allow_nan=True) for v in tok[k + 2 : k + 10]]
    if not 0 <= q <= 255 or not 0 <= ns <= 32767:
        raise FormatError(name, lineno, f"Q 0-255 and ns 0-32767 expected, found {q} and {ns}")
    return tf, p + rest, q, ns


def _read_pos(text, name, ctx):
    lines = text.split("\n")
    complete_last = text.endswith("\n")
    if lines and lines[-1] == "":
        lines.pop()
    st = {"header": [], "coords": None, "time_system": "GPST", "tow": None, "dms": False, "ref_line": None}
    t_fields, stamps, vals, qs, nss = [], [], [], [], []
    for i, raw in enumerate(lines):
        lineno, line = i + 1, raw.rstrip("\r")
        if line.startswith("%"):
            _header_line(line, lineno, st, name)
            continue
        if not line.strip():
            continue
        if line.startswith("$"):
            raise FormatError(name, lineno, "NMEA sentences in a .pos file: use kompas.read_nmea")
        tok = line.split()
        if st["tow"] is None:
            st["tow"] = "/" not in tok[0]
            st["coords"] = st["coords"] or "llh"  # no header: RTKLIB's default layout is llh in degrees
        need = 2 + (7 if st["dms"] else 3) + 2 + 6 + 2
        try:
            if len(tok) < need:
                raise FormatError(name, lineno, f"expected at least {need} fields, found {len(tok)}")
            tf, v, q, ns = _solution_line(tok, st, name, lineno)
        except FormatError:
            if i == len(lines) - 1 and not complete_last:
                ctx.truncated(f"line {lineno} is cut short; dropped")
                break
            raise
        t_fields.append(tf)
        stamps.append((lineno, tok[0], tok[1]))
        vals.append(v)
        qs.append(q)
        nss.append(ns)
    if st["coords"] is None:
        raise FormatError(name, None, "no solution lines and no column header: not an RTKLIB .pos file")
    if st["coords"] == "enu":
        st["ref_llh"] = _reference(st["ref_line"], name)
    elif st["ref_line"] is not None:
        st["ref_m"] = _base(st["ref_line"][1], st["coords"], st["dms"])
    time_ns, bad, why = _times(t_fields, st["tow"], st["time_system"])
    for k in np.flatnonzero(bad):  # an impossible date drops its line, never wraps (issue 10)
        lineno, date, clock = stamps[k]
        ctx.drop(lineno, f"epoch {date} {clock}: {why[k]}")
    if bad.any():
        time_ns = time_ns[~bad]
        vals, qs, nss = ([x for x, b in zip(col, bad, strict=True) if not b] for col in (vals, qs, nss))
    return _pos_table(st, time_ns, vals, qs, nss)


def _reference(ref_line, name) -> list[float]:
    """The reference of an e/n/u baseline file: RTKLIB's ``% ref pos`` line, latitude and longitude (deg)
    and height (m)."""
    if ref_line is None:
        raise FormatError(name, None, "an e/n/u baseline file without a '% ref pos' line: no reference point")
    lineno, words = ref_line
    if len(words) != 3:
        raise FormatError(name, lineno, f"expected latitude, longitude and height, found {len(words)} fields")
    lat, lon, h = (_num(w, name, lineno, "reference position") for w in words)
    if not (-90.0 <= lat <= 90.0 and -360.0 <= lon <= 360.0 and -1.0e4 <= h <= 1.0e5):
        raise FormatError(
            name, lineno, f"expected latitude, longitude (deg) and height (m), found {' '.join(words)}"
        )
    return [lat, lon, h]


def _base(words, coords, dms) -> np.ndarray | None:
    """The base position of an llh or xyz file's ``% ref pos`` fields, ECEF m; None for fields that do
    not read as a position near the Earth's surface (RTKLIB's decode_refpos ignores such a line too; older
    kompas xyz files hold latitude, longitude and height there)."""
    try:
        if coords == "xyz" and len(words) == 3:
            xyz = np.array([parse_float(w, "reference position") for w in words])
        elif coords == "llh" and len(words) == (7 if dms else 3):
            if dms:
                lat, lon = _dms(words[:3], None, None), _dms(words[3:6], None, None)
            else:
                lat, lon = (parse_float(w, "reference position") for w in words[:2])
            h = parse_float(words[-1], "reference position")
            if not (-90.0 <= lat <= 90.0 and -360.0 <= lon <= 360.0):
                return None
            xyz = geodetic_to_ecef(np.array([np.radians(lat), np.radians(lon), h]))
        else:
            return None
    except (ValueError, FormatError):
        return None
    return xyz if near_earth_surface(xyz) else None


def _pos_table(st, time_ns, vals, qs, nss) -> dict:
    v = np.asarray(vals, dtype=np.float64).reshape(-1, 11)
    out = {"time_ns": time_ns, "coords": st["coords"]}
    if st["coords"] == "llh":
        out["llh"] = np.column_stack([np.radians(v[:, 0]), np.radians(v[:, 1]), v[:, 2]])
        out["sd_names"] = tuple(s[:-3] for s in _SD_LLH)
    elif st["coords"] == "xyz":
        out["xyz_m"] = v[:, :3].copy()
        out["sd_names"] = tuple(s[:-3] for s in _SD_XYZ)
    else:
        lat, lon, h = st["ref_llh"]
        out["ref_llh"] = np.array([np.radians(lat), np.radians(lon), h])
        out["enu_m"] = v[:, :3].copy()
        out["sd_names"] = tuple(s[:-3] for s in _SD_ENU)
    if st.get("ref_m") is not None:
        out["ref_m"] = st["ref_m"]
    out.update(
        quality=np.asarray(qs, dtype=np.uint8),
        nsat=np.asarray(nss, dtype=np.int16),
        sd_m=v[:, 3:9].copy(),
        age_s=v[:, 9].copy(),
        ratio=v[:, 10].copy(),
        time_system=st["time_system"],
        header=st["header"],
    )
    return out


def _dms(tok, name, lineno):
    d, m, s = (_num(x, name, lineno, "d m s angle") for x in tok)
    sign = -1.0 if tok[0].startswith("-") else 1.0
    return sign * (abs(d) + m / 60.0 + s / 3600.0)


_DATE = re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})")
_CLOCK = re.compile(r"(\d{1,2}):(\d{1,2}):(\d{1,2}(?:\.\d*)?)")


def _time_fields(tok, tow, name, lineno):
    if tow:
        week = _int(tok[0], name, lineno, "GPS week")
        sow = _num(tok[1], name, lineno, "time of week")
        if not 0 <= week <= 9999 or not 0 <= sow < 604800.5:
            raise FormatError(name, lineno, f"expected a GPS week and time of week, found {tok[0]} {tok[1]}")
        return (week, sow)
    d, c = _DATE.fullmatch(tok[0]), _CLOCK.fullmatch(tok[1])
    if d is None or c is None:
        raise FormatError(name, lineno, f"expected 'yyyy/mm/dd hh:mm:ss', found {tok[0]!r} {tok[1]!r}")
    return (*(int(x) for x in d.groups()), int(c.group(1)), int(c.group(2)), float(c.group(3)))


def _times(fields, tow, time_system):
    """GPST ns of the solution lines' time fields, the mask of impossible ones and why each is."""
    n = len(fields)
    if tow:
        w, s = np.asarray(fields, dtype=np.float64).reshape(n, 2).T
        t = gpst_from_week_tow(w.astype(np.int64), s, "GPS")
        if time_system == "GPST":
            return t, np.zeros(n, bool), {}
        # RTKLIB's outsol shifts the time to UTC (JST: UTC + 9 h) and then writes its week and seconds as
        # if it were GPST: read the count as a UTC calendar (no leap second is representable here)
        shift = 9 * 3600 * NS if time_system == "JST" else 0
        return from_datetime64(to_datetime64(t - shift, "GPST"), "UTC"), np.zeros(n, bool), {}
    a = np.asarray(fields, dtype=np.float64).reshape(n, 6)
    y, mo, d, hh, mi = (a[:, k].astype(np.int64) for k in range(5))
    if time_system != "JST":
        return calendar_ns_or_bad(y, mo, d, hh, mi, a[:, 5], time_system)
    # JST = UTC + 9 h: shift the calendar reading (a plain count, read as GPST) back 9 h, then read it
    # as UTC through datetime64 (a leap second inside JST files is not representable)
    cal, bad, why = calendar_ns_or_bad(y, mo, d, hh, mi, a[:, 5], "GPST")
    return from_datetime64(to_datetime64(cal - 9 * 3600 * NS, "GPST"), "UTC"), bad, why


# ----------------------------------------------------------------------------------------------
# back to a Solution


def solution_from_pos(data: dict, path: str | None = None) -> Solution:
    """A :class:`Solution` from :func:`read_pos_table` output (e.g. to compare kompas with RTKLIB).

    The covariance is rebuilt from the standard deviations (signed squares for the off-diagonal
    terms) and, for llh and e/n/u files, rotated from east/north/up to ECEF (e/n/u positions: the
    reference plus the baseline rotated to ECEF). DOPs and clocks are absent (NaN /
    empty) because ``.pos`` files do not hold them.
    """
    if data["coords"] == "llh":
        pos = geodetic_to_ecef(data["llh"])
    elif data["coords"] == "enu":  # the baseline rotated back from the reference's frame
        r_ref = enu_rotation(data["ref_llh"][0], data["ref_llh"][1])
        pos = enu_to_ecef(data["enu_m"], geodetic_to_ecef(data["ref_llh"]))
    else:
        pos = np.asarray(data["xyz_m"], dtype=np.float64)
    sd = np.asarray(data["sd_m"], dtype=np.float64)
    e = sd.shape[0]
    c = np.empty((e, 3, 3))
    sq = np.sign(sd) * sd * sd
    if data["coords"] == "llh":
        # sd order: n, e, u, ne, eu, un -> ENU matrix
        c[:, 0, 0], c[:, 1, 1], c[:, 2, 2] = sq[:, 1], sq[:, 0], sq[:, 2]
        c[:, 0, 1] = c[:, 1, 0] = sq[:, 3]
        c[:, 0, 2] = c[:, 2, 0] = sq[:, 4]
        c[:, 1, 2] = c[:, 2, 1] = sq[:, 5]
        r = enu_rotation(data["llh"][:, 0], data["llh"][:, 1])
        c = np.swapaxes(r, -1, -2) @ c @ r
    else:  # xyz (sd order x y z xy yz zx) and enu (e n u en nu ue) alike
        c[:, 0, 0], c[:, 1, 1], c[:, 2, 2] = sq[:, 0], sq[:, 1], sq[:, 2]
        c[:, 0, 1] = c[:, 1, 0] = sq[:, 3]
        c[:, 1, 2] = c[:, 2, 1] = sq[:, 4]
        c[:, 0, 2] = c[:, 2, 0] = sq[:, 5]
        if data["coords"] == "enu":
            c = r_ref.T @ c @ r_ref
    nan = np.full(e, np.nan)
    age, ratio = (np.asarray(data[k], dtype=np.float64) for k in ("age_s", "ratio"))
    # a relative solution's age and ratio (single point files hold zeros there: kept as None)
    relative = bool(np.any(np.nan_to_num(age) != 0.0) or np.any(np.nan_to_num(ratio) != 0.0))
    return Solution(
        time_ns=np.asarray(data["time_ns"], dtype=np.int64),
        pos_m=pos,
        quality=np.asarray(data["quality"], dtype=np.uint8),
        nsat=np.asarray(data["nsat"], dtype=np.int16),
        gdop=nan,
        pdop=nan.copy(),
        hdop=nan.copy(),
        vdop=nan.copy(),
        cov_m2=c,
        record=_record(data.get("header", ()), path, data.get("ref_m")),
        ratio=ratio if relative else None,
        age_s=age if relative else None,
    )


def _record(header, path, base_m=None) -> ProcessingRecord:
    """Program and input files named by the ``%`` header lines, and the base position (ECEF m) read."""
    program, inputs = "", []
    for line in header:
        key, _, value = line.lstrip("%").partition(":")
        if key.strip() == "program":
            program = value.strip()
        elif key.strip() == "inp file":
            inputs.append(value.strip())
    return ProcessingRecord(
        program=program or f"RTKLIB .pos file {path or ''}".strip(),
        inputs=tuple(inputs),
        base_m=() if base_m is None else tuple(float(v) for v in base_m),
    )
