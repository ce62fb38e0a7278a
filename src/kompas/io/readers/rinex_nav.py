"""Read RINEX 2, 3 and 4 navigation files (broadcast ephemerides) into struct-of-arrays tables.

Supported
    RINEX 2.01-2.12 GPS (``N``), GLONASS (``G``) and GEO/SBAS (``H``) files (RINEX 2.11 Tables A3/A4
    and A10/A11, and the GEO navigation tables), and the RINEX 2 files converters write for Galileo
    (``E``, teqc/gfzrnx RINEX 2.12; ``L``, older gfzrnx) and BeiDou (``C``) with the RINEX 3 record
    of that system after the RINEX 2 PRN and epoch (:mod:`._nav_header`); RINEX 3.00-3.05 mixed
    and single-system files (RINEX 3.05 Appendix, the navigation record table of each system);
    RINEX 4.00-4.02 frames ``> EPH``, ``> STO``, ``> EOP``, ``> ION`` (RINEX 4.01 Appendix, one
    table per message type): GPS LNAV/CNAV/CNV2, Galileo INAV/FNAV, BeiDou D1/D2/CNV1/CNV2/CNV3,
    GLONASS FDMA, QZSS LNAV/CNAV/CNV2, SBAS and NavIC LNAV. Frames of other types (e.g. RINEX 4.02
    GLONASS L1OC, NavIC L1NV) are skipped with one warning. Record layouts: :mod:`._nav_layouts`.

Tables (see each class): :class:`KeplerEph` (GPS, Galileo, BeiDou, QZSS, NavIC; every message type in
one table with a ``msg`` column), :class:`GlonassEph`, :class:`SbasEph`, :class:`StoTable`,
:class:`EopTable`, :class:`IonTable`, and the header (:class:`NavHeader`). Times are int64 GPST
nanoseconds (``*_ns``); a time a record does not carry is :data:`NAT_NS` (the int64 minimum, which is
``NaT`` when viewed as ``datetime64[ns]``). Quantities are SI (m, s, rad); a field a message type does
not carry is NaN. Integer-like broadcast values (IODE, health, flags, indices) stay float64 so that
"absent" can be NaN.

Time scales of the record epochs (RINEX 3.05 / 4.01, "Time" sections): GPS, QZSS, NavIC and
SBAS epochs are GPST, Galileo GST (= GPST), BeiDou BDT (converted: BDT + 14 s = GPST), GLONASS UTC
(converted through the leap-second table). The same rule is applied to the epochs of RINEX 4 STO, EOP
and ION frames (the time system of the frame's satellite system).

Choices where the format leaves room
    * Blank lines between records are skipped; lines of spaces right after a record short of orbit
      lines are its last orbit lines, of blank fields (as RTKLIB reads them). A blank field the format
      allows to be blank is NaN.
      A record with a field that does not parse, a blank field it cannot do without (clock, orbit,
      week, GLONASS state and frequency number), an impossible epoch or an out-of-range week or time
      of week is dropped with a :class:`~kompas.errors.DroppedRecordWarning`; the other records are
      read (:mod:`._nav_records`). Header errors are :class:`~kompas.errors.FormatError`.
    * A file that ends inside its last record (too few lines, a last line cut inside a 19-character
      field, or a last line without its end of line that stops before its last named field) gives a
      :class:`~kompas.errors.TruncatedFileWarning`; the complete records before it are returned.
    * A header without ``END OF HEADER`` (seen in the wild) ends at the first line that has the shape
      of a data record; a :class:`~kompas.errors.FormatWarning` says so and the records are read.
      ``strict=True`` turns this and every other repair or dropped record into a FormatError.
    * The Galileo week of RINEX 3/4 records is aligned to the GPS week (RINEX 3.05 Galileo record
      table: "GAL week #, aligned to GPS week"), and so is the NavIC week; BeiDou weeks are BDT weeks.
    * ``toe`` is built from the record's week and ``toe_s``; if the writer put the week of ``toc``
      and ``toe`` lies across a week boundary (``|toe - toc| > 302400 s``) the week is moved by one to
      the instant nearest ``toc`` (the common receiver practice; ``week`` reports the corrected value).
    * GPS/QZSS CNAV and CNAV-2 carry no ``toe`` in RINEX 4 (the third orbit line starts with
      ``t_op``; the week after ``t_tm`` is ``WN_op``): ``toe = toc`` (the CNAV ephemeris and clock
      sets share their epoch, IS-GPS-200 sec. 30.3.3), and ``t_tm`` counts from the week of ``toc``.
      BeiDou CNAV-1/2/3 carry ``toe`` and ``t_op`` without a week: the instants nearest ``toc`` are
      taken, and ``t_tm`` counts from the week of ``toe``.
    * RINEX 3 BeiDou records do not say D1 or D2: GEO PRNs (:data:`kompas.constants.BDS_GEO_PRNS`)
      broadcast D2, the others D1 (BDS-SIS-ICD-B1I-3.0 sec. 5.1), and ``msg`` is set accordingly.
      RINEX 3 Galileo records are ``FNAV`` when data-source bit 1 (F/NAV E5a-I) is set, ``INAV`` when
      bit 0 or 2 is set (RINEX 3.05 Galileo table), else ``""``.
    * ``0.9999e9`` ("not known") in transmission time and GLONASS delta-tau becomes NaT / NaN.
    * QZSS LNAV's fit-interval field is a flag (0: 2 h, 1: more than 2 h): ``fit_interval_h`` is 2.0
      for flag 0 and NaN for flag 1.
    * Tables are sorted by satellite, then epoch; records with the same satellite and epoch (e.g.
      Galileo INAV and FNAV) are all kept, in file order.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import fields as dc_fields

import numpy as np

from ...errors import FormatError, KompasError, KompasWarning, caller_stacklevel
from ...tables.nav import (
    NAT_NS,
    EopTable,
    GlonassEph,
    IonTable,
    KeplerEph,
    NavData,
    SbasEph,
    StoTable,
    empty_table,
)
from ...time import DAY_NS, WEEK_NS, from_datetime64, gpst_from_week_tow, to_datetime64, week_tow
from .._open import file_name, read_text
from ._nav_header import NavContext, parse_header
from ._nav_layouts import KEPLER_NAMES, UNKNOWN
from ._nav_records import Parsed, parse_group, scan_v2, scan_v3, scan_v4

__all__ = ["read_nav"]

_ARCSEC = np.pi / 648000.0
_DAY_S = 86400.0
_GPS_EPOCH_UNIX_NS = 3657 * DAY_NS  # 1970-01-01 -> 1980-01-06 (datetime64 counts from 1970)


def _near(ref_ns: np.ndarray, tow_s: np.ndarray, system: str, period_ns: int = WEEK_NS) -> np.ndarray:
    """The instant with time of week ``tow_s`` (system's week) nearest ``ref_ns``; NaN -> NaT."""
    ok = np.isfinite(tow_s) & (np.abs(tow_s) < UNKNOWN)
    w, _ = week_tow(ref_ns, system)
    t = gpst_from_week_tow(w, np.where(ok, tow_s, 0.0), system)
    d = t - ref_ns
    t = t - np.where(d > period_ns // 2, period_ns, 0) + np.where(d < -period_ns // 2, period_ns, 0)
    return np.where(ok, t, NAT_NS)


def _week_time(week: np.ndarray, tow_s: np.ndarray, system: str) -> np.ndarray:
    ok = np.isfinite(tow_s) & (np.abs(tow_s) < UNKNOWN)
    t = gpst_from_week_tow(week, np.where(ok, tow_s, 0.0), system)
    return np.where(ok, t, NAT_NS)


# ----------------------------------------------------------------------------------------------
# Building the tables


def _kepler_columns(parsed: list[Parsed]) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Every Kepler field of every record (NaN where a layout lacks it) and which records have a week."""
    n = sum(len(p) for p in parsed)
    names = {f.name for f in dc_fields(KeplerEph)} | {"ttm", "top", "fit", "data_sources", "wn_op"}
    cols = {name: np.full(n, np.nan) for name in names}
    has_week = np.zeros(n, bool)
    o = 0
    for p in parsed:
        k, lay = len(p), p.group.layout
        for name, slot in lay.slots().items():
            cols[name][o : o + k] = p.vals[:, slot]
        has_week[o : o + k] = "week" in lay.required
        o += k
    return cols, has_week


def _galileo_msg(letters, msg, data_sources):
    """Galileo records that do not say INAV or FNAV: from the data-source bits (RINEX 3.05 table)."""
    m = (letters == "E") & (msg == "")
    if m.any():
        ds = np.nan_to_num(data_sources[m]).astype(np.int64)
        msg[m] = np.where((ds & 2) != 0, "FNAV", np.where((ds & 5) != 0, "INAV", ""))
    return msg


def _kepler_times(cols, has_week, toc, bds):
    """toe, ttm and t_op instants and the week of every record (see the module docstring)."""
    n = toc.size
    week = np.where(has_week, np.nan_to_num(cols["week"]), 0).astype(np.int64)
    toe, ttm, top = (np.full(n, NAT_NS, np.int64) for _ in range(3))
    toe_s = cols["toe_s"]
    for is_bds, wsys in ((False, "GPS"), (True, "BDS")):
        sel = bds == is_bds
        m = sel & has_week  # toe from the week, moved to the week nearest toc if needed
        if m.any():
            t = _week_time(week[m], toe_s[m], wsys)
            if not is_bds:  # a GPS week written modulo 1024 (some writers; RINEX wants it continuous)
                valid = t != NAT_NS
                d = np.where(valid, toc[m] - np.where(valid, t, toc[m]), 0)
                roll = np.rint(d / (1024 * WEEK_NS)).astype(np.int64)
                week[m] += 1024 * roll
                t = np.where(valid, t + roll * (1024 * WEEK_NS), t)
            d = t - toc[m]
            shift = np.where(d > WEEK_NS // 2, -1, np.where(d < -WEEK_NS // 2, 1, 0))
            toe[m] = t + shift * WEEK_NS
            ttm[m] = _week_toward(_week_time(week[m], cols["ttm"][m], wsys), toc[m])
            week[m] = week[m] + shift
        m = sel & ~has_week  # GPS/QZSS CNAV: toe = toc; BeiDou CNAV: toe nearest toc
        if m.any():
            toe[m] = _near(toc[m], toe_s[m], wsys) if is_bds else toc[m]
            w, s = week_tow(toe[m], wsys)
            week[m], toe_s[m] = w, s
            ttm[m] = _week_toward(_week_time(w, cols["ttm"][m], wsys), toc[m])
            if is_bds:
                top[m] = _near(toc[m], cols["top"][m], wsys)
            else:
                wn, tp = cols["wn_op"][m], cols["top"][m]
                ok = np.isfinite(wn) & np.isfinite(tp)
                t = _week_time(np.where(ok, wn, 0).astype(np.int64), np.where(ok, tp, np.nan), wsys)
                top[m] = np.where(ok, t, NAT_NS)
    return toe, ttm, top, week, toe_s


def _week_toward(t: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """``t`` moved by whole weeks to within half a week of ``ref`` (NaT kept): a transmission time written
    in the week of toe (597600 s for a Sunday-00:00 toe sent on Saturday at 22:00) where RINEX 3.05 wants
    it in the reported week (-7200 s), as RTKLIB's ``adjweek`` reads both."""
    ok = t != NAT_NS
    d = np.where(ok, t - ref, 0)
    return np.where(ok, t - np.rint(d / WEEK_NS).astype(np.int64) * WEEK_NS, t)


def _build_kepler(parsed: list[Parsed]) -> KeplerEph:
    parsed = [p for p in parsed if len(p)]
    if not parsed:
        return empty_table(KeplerEph)
    cols, has_week = _kepler_columns(parsed)
    sat, letters, msg, toc = (
        np.concatenate([getattr(p, a) for p in parsed]) for a in ("sat", "letters", "msg", "toc")
    )
    msg = _galileo_msg(letters, msg, cols["data_sources"])
    toe, ttm, top, week, toe_s = _kepler_times(cols, has_week, toc, letters == "C")
    qzs_lnav = (letters == "J") & (msg == "LNAV")
    fit = np.where(qzs_lnav, np.where(cols["fit"] == 0, 2.0, np.nan), cols["fit"])
    cols.update(
        sat=sat, msg=msg, toc_ns=toc, toe_ns=toe, toe_s=toe_s, week=week.astype(np.int32), ttm_ns=ttm,
        top_ns=top, fit_interval_h=fit,
    )  # fmt: skip
    order = np.lexsort((toc, sat))
    return KeplerEph(**{f.name: cols[f.name][order] for f in dc_fields(KeplerEph)})


def _state(p: Parsed, scale: float = 1000.0):
    """Position, velocity and acceleration (km, km/s, km/s^2 in the file) -> m, m/s, m/s^2."""
    return tuple(np.column_stack([p.col(q + c) for c in "xyz"]) * scale for q in ("", "v", "a"))


def _utc_nearest(ref_ns: np.ndarray, t_s: np.ndarray, period_ns: int) -> np.ndarray:
    """UTC time of day/week ``t_s`` -> GPST instant nearest ``ref_ns`` (period: day or week)."""
    ok = np.isfinite(t_s) & (np.abs(t_s) < UNKNOWN)
    cal = to_datetime64(ref_ns, "UTC").astype(np.int64) - _GPS_EPOCH_UNIX_NS  # UTC clock since 1980-01-06
    base = (cal // period_ns) * period_ns
    # modulo the period: some writers give seconds of the week where the day is meant, or negatives
    cand = base + np.rint(np.mod(np.where(ok, t_s, 0.0), period_ns / 1e9) * 1e9).astype(np.int64)
    d = cand - cal
    cand = cand - np.where(d > period_ns // 2, period_ns, 0) + np.where(d < -period_ns // 2, period_ns, 0)
    out = from_datetime64((cand + _GPS_EPOCH_UNIX_NS).astype("datetime64[ns]"), "UTC")
    return np.where(ok, out, NAT_NS)


def _build_glonass(p: Parsed | None, v2: bool) -> GlonassEph:
    if p is None or not len(p):
        z, z3 = np.zeros(0), np.zeros((0, 3))
        return GlonassEph(
            np.zeros(0, np.int16), np.zeros(0, np.int64), z, z, z, np.zeros(0, np.int64), z3, z3, z3, z,
            np.zeros(0, np.int8), z, z, z, z, z,
        )  # fmt: skip
    toc, tk = p.toc, p.col("tk")
    # the time of day nearest the epoch in either version (RINEX 3 wants seconds of the UTC week, some
    # writers give the day's; RTKLIB's decode_geph takes both modulo a day the same way)
    tof = _utc_nearest(toc, tk, DAY_NS)
    tk_s = np.where(tof == NAT_NS, np.nan, tk % _DAY_S)
    if not v2:  # seconds of the UTC day from the resolved instant
        utc_cal = to_datetime64(np.where(tof == NAT_NS, 0, tof), "UTC").astype(np.int64)
        tk_s = np.where(tof == NAT_NS, np.nan, (utc_cal % DAY_NS) / 1e9)
    pos, vel, acc = _state(p)
    k = p.col("freq_channel").astype(np.int8)  # integral and in range (checked when parsed)
    dtau = p.col("delta_tau_s")
    dtau = np.where(np.abs(dtau) >= UNKNOWN, np.nan, dtau)
    o = np.lexsort((toc, p.sat))
    return GlonassEph(
        p.sat[o], toc[o], p.col("minus_tau_n_s")[o], p.col("gamma_n")[o], tk_s[o], tof[o], pos[o], vel[o],
        acc[o], p.col("health")[o], k[o], p.col("age_days")[o], p.col("status_flags")[o], dtau[o],
        p.col("urai")[o], p.col("health_flags")[o],
    )  # fmt: skip


def _build_sbas(p: Parsed | None) -> SbasEph:
    if p is None or not len(p):
        z, z3 = np.zeros(0), np.zeros((0, 3))
        return SbasEph(
            np.zeros(0, np.int16), np.zeros(0, np.int64), z, z, np.zeros(0, np.int64), z3, z3, z3, z, z, z
        )
    ttm = _near(p.toc, p.col("ttm"), "GPS")
    pos, vel, acc = _state(p)
    o = np.lexsort((p.toc, p.sat))
    return SbasEph(
        p.sat[o], p.toc[o], p.col("af0_s")[o], p.col("af1_sps")[o], ttm[o], pos[o], vel[o], acc[o],
        p.col("health")[o], p.col("ura")[o], p.col("iodn")[o],
    )  # fmt: skip


def _build_sto(p: Parsed | None) -> StoTable:
    if p is None or not len(p):
        z, u = np.zeros(0), np.zeros(0, "<U18")
        return StoTable(np.zeros(0, np.int16), np.zeros(0, "<U1"), np.zeros(0, "<U4"), np.zeros(0, np.int64),
                        np.zeros(0, "<U4"), u, u, z, z, z, z)  # fmt: skip
    extra = p.extra()
    kind = np.array([e[0] for e in extra], dtype="<U4")
    sbas = np.array([e[1] for e in extra], dtype="<U18")
    utc = np.array([e[2] for e in extra], dtype="<U18")
    o = np.lexsort((p.toc, p.sat))
    return StoTable(
        p.sat[o], p.letters[o], p.msg[o], p.toc[o], kind[o], sbas[o], utc[o], p.col("ttm_s")[o],
        p.col("a0_s")[o], p.col("a1_sps")[o], p.col("a2_sps2")[o],
    )  # fmt: skip


def _build_eop(p: Parsed | None) -> EopTable:
    if p is None or not len(p):
        z = np.zeros(0)
        return EopTable(np.zeros(0, np.int16), np.zeros(0, "<U1"), np.zeros(0, "<U4"), np.zeros(0, np.int64),
                        z, z, z, z, z, z, z, z, z, z)  # fmt: skip
    o = np.lexsort((p.toc, p.sat))
    a, d, c = _ARCSEC, _DAY_S, p.col
    return EopTable(
        p.sat[o], p.letters[o], p.msg[o], p.toc[o],
        (c("xp") * a)[o], (c("dxp") * a / d)[o], (c("ddxp") * a / d**2)[o],
        (c("yp") * a)[o], (c("dyp") * a / d)[o], (c("ddyp") * a / d**2)[o],
        c("ttm_s")[o], c("dut1")[o], (c("ddut1") / d)[o], (c("dddut1") / d**2)[o],
    )  # fmt: skip


def _build_ion(parsed: list[Parsed]) -> IonTable:
    parsed = [p for p in parsed if len(p)]
    if not parsed:
        return IonTable(np.zeros(0, np.int16), np.zeros(0, "<U1"), np.zeros(0, "<U4"), np.zeros(0, "<U5"),
                        np.zeros(0, np.int64), np.zeros((0, 9)))  # fmt: skip
    parts = []
    for p in parsed:
        slots = p.group.layout.slots()
        coef = np.full((len(p), 9), np.nan)
        for j in range(9):
            if f"c{j}" in slots:
                coef[:, j] = p.col(f"c{j}")
        model = np.full(len(p), p.group.layout.name, dtype="<U5")
        parts.append((p.sat, p.letters, p.msg, model, p.toc, coef))
    sat, letters, msg, model, ref, coef = (np.concatenate([q[k] for q in parts]) for k in range(6))
    o = np.lexsort((ref, sat))
    return IonTable(sat[o], letters[o], msg[o], model[o], ref[o], coef[o])


# ----------------------------------------------------------------------------------------------
# Entry point


def read_nav(path: str | os.PathLike, *, strict: bool = False) -> NavData:
    """Read a RINEX 2, 3 or 4 navigation file.

    Parameters
    ----------
    path : str or os.PathLike
        The file (plain or gz/Z/bz2/zip compressed).
    strict : bool
        Refuse (FormatError naming the line) what the default mode repairs or drops with a warning:
        the variants of the tolerance policy (:mod:`kompas.io._text`) and malformed records.

    Returns
    -------
    NavData
        Header and the tables :class:`KeplerEph`, :class:`GlonassEph`, :class:`SbasEph`,
        :class:`StoTable`, :class:`EopTable`, :class:`IonTable` (empty tables where the file has
        nothing of that kind).

    Raises
    ------
    FormatError
        If the file is not a RINEX navigation file or its header does not parse (with the line).
    FileNotFoundError
        If the file does not exist.

    Warns
    -----
    DroppedRecordWarning
        For records that do not parse (the others are read).
    TruncatedFileWarning
        If the file ends inside a record (the complete records before it are returned).
    FormatWarning
        For each kind of repaired variant (a missing ``END OF HEADER``, shifted ``DELTA-UTC``
        integers, a blank inside a number).
    KompasWarning
        For skipped frames or records of unsupported types.
    """
    name = file_name(path)
    text = read_text(path)
    lines = [line[:-1] if line.endswith("\r") else line for line in text.split("\n")]
    if lines and lines[-1] == "":
        lines.pop()
    ctx = NavContext(name, lines, text.endswith("\n"), strict=strict)
    try:
        nav = _read(ctx)
    except KompasError:
        raise
    except (ValueError, IndexError, KeyError, TypeError, OverflowError, UnicodeError) as exc:
        # a safety net: every expected problem is diagnosed above with its line
        raise FormatError(name, None, f"unreadable navigation data ({type(exc).__name__}: {exc})") from exc
    ctx.emit()
    return nav


def _read(ctx: NavContext) -> NavData:
    header, start = parse_header(ctx)
    v2 = header.version < 3.0
    if v2:
        groups = scan_v2(ctx, start, header.system)
    elif header.version < 4.0:
        groups = scan_v3(ctx, start)
    else:
        groups = scan_v4(ctx, start)
    if ctx.skipped:
        what = ", ".join(f"{n} {k}" for k, n in sorted(ctx.skipped.items()))
        warnings.warn(
            f"{ctx.path}: skipped unsupported content: {what}", KompasWarning, stacklevel=caller_stacklevel()
        )
    parsed = {key: parse_group(ctx, g, v2) for key, g in groups.items() if len(g)}
    return NavData(
        header=header,
        kepler=_build_kepler([p for k, p in parsed.items() if k in KEPLER_NAMES]),
        glonass=_build_glonass(parsed.get("GLO"), v2),
        sbas=_build_sbas(parsed.get("SBAS")),
        sto=_build_sto(parsed.get("STO_STO")),
        eop=_build_eop(parsed.get("EOP_EOP")),
        ion=_build_ion([p for k, p in parsed.items() if k.startswith("ION_")]),
        path=None if ctx.path is None else str(ctx.path),
    )
