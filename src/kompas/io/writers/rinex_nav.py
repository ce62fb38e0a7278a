"""Write :class:`~kompas.tables.nav.NavData` as a RINEX 3.05 mixed navigation file.

The inverse of :func:`kompas.io.readers.rinex_nav.read_nav` for the RINEX 3 message types: reading the written
file gives the same table rows (values to the 13 significant digits written).

Layout (RINEX 3.05, IGS/RTCM 2020, sec. 6 and Appendix Tables A4-A11)
    * Header: ``RINEX VERSION / TYPE`` (``N: GNSS NAV DATA``, ``M: MIXED``), ``PGM / RUN BY /
      DATE``, the header comments, ``IONOSPHERIC CORR`` (every record of the header, with time marks,
      or the ``iono_corr`` dict; for a file read from RINEX 4, per system the ``> ION`` frame in force
      at the first ephemeris record), ``TIME SYSTEM CORR``, ``LEAP SECONDS``, ``END OF HEADER``.
    * Records: first line ``A1,I2.2,1X,I4,5(1X,I2.2),3D19.12``, then ``4X,4D19.12`` orbit lines,
      padded to 80 columns (readers such as RTKLIB 2.4.3 read fixed columns past a shortened line).
      Numbers are written ``%19.12E`` (``E`` exponent, 13 significant digits, which is what real
      writers emit in the 19 columns); a NaN (absent) value is 19 blanks.
    * GPS/QZSS LNAV, Galileo INAV/FNAV (data sources from the row), BeiDou D1/D2 (epoch in BDT, toe
      in BDT seconds of week, BDT week), NavIC LNAV, GLONASS FDMA (epoch in UTC, ``-tau_n``,
      ``gamma_n``, ``t_k`` as seconds of the UTC week; km, km/s, km/s^2; the RINEX 3.05 fourth orbit
      line) and SBAS (GPST; km). Epochs of other systems are GPST (Galileo: GST = GPST).
    * Transmission times are seconds of the record's week (may be negative or beyond 604800 s where
      the message was sent in another week, as RINEX 3.05 allows); unknown is ``0.9999E+09``.
    * Records are sorted by satellite, then as the tables hold them (by epoch).

Not written (one :class:`~kompas.errors.KompasWarning` lists them): RINEX 4 message types (GPS/QZSS
CNAV/CNV2, BeiDou CNV1/2/3), the RINEX 4 STO and EOP frames, and the ION frames beyond the one set per
system that the header holds (and every BDGIM frame).
"""

from __future__ import annotations

import datetime as _dt
import warnings
from collections import Counter

import numpy as np

from ...errors import KompasError, KompasWarning, caller_stacklevel
from ...satsys import sat_id
from ...tables.nav import NAT_NS, IonoCorr, KeplerEph, NavData
from ...time import gpst_from_week_tow, gpst_to_calendar, to_datetime64, week_tow
from ._sink import write_bytes

__all__ = ["write_nav"]

_VERSION = 3.05
_UNKNOWN = 0.9999e9  # RINEX "0.9999E9 if not known"
_WEEK_S = 604800
_GPS_EPOCH_UNIX_NS = 3657 * 86400 * 10**9  # 1970-01-01 -> 1980-01-06 (a Sunday)
_WEEK_NS = _WEEK_S * 10**9
_BLANK = " " * 19
_SCALE = {"G": "GPST", "J": "GPST", "I": "GPST", "S": "GPST", "E": "GPST", "C": "BDT", "R": "UTC"}
_WEEK_SYS = {"G": "GPS", "J": "GPS", "E": "GPS", "I": "GPS", "C": "BDS"}  # RINEX aligns GAL/IRN weeks
_SUPPORTED = {("G", "LNAV"), ("J", "LNAV"), ("E", "INAV"), ("E", "FNAV"), ("E", ""), ("C", "D1"),
              ("C", "D2"), ("I", "LNAV")}  # fmt: skip

# Orbit lines 1-7 of each Keplerian record (names of KeplerEph columns; None = spare, blank;
# "ttm"/"fit" are converted). RINEX 3.05 Tables A6 (GPS), A8 (Galileo), A14 (BeiDou), A12 (QZSS),
# A18 (NavIC).
_ORBIT = (
    ("crs_m", "delta_n_radps", "m0_rad"),  # after the IODE-like first field
    ("cuc_rad", "e", "cus_rad", "sqrt_a_sqrtm"),
    ("toe_s", "cic_rad", "omega0_rad", "cis_rad"),
    ("i0_rad", "crc_m", "omega_rad", "omega_dot_radps"),
)
_LNAV_L5 = ("idot_radps", "codes_l2", "week", "l2p_flag")
_LNAV_L6 = ("sv_accuracy_m", "health", "tgd_s", "iodc")
_LAYOUT = {
    "G": ("iode", _LNAV_L5, _LNAV_L6, ("ttm", "fit", None, None)),
    "J": ("iode", _LNAV_L5, _LNAV_L6, ("ttm", "fit_qzss", None, None)),
    "E": ("iode", ("idot_radps", "data_sources", "week", None),
          ("sv_accuracy_m", "health", "bgd_e5a_e1_s", "bgd_e5b_e1_s"), ("ttm", None, None, None)),
    "C": ("aode", ("idot_radps", None, "week", None), ("sv_accuracy_m", "health", "tgd1_s", "tgd2_s"),
          ("ttm", "aodc", None, None)),
    "I": ("iode", ("idot_radps", None, "week", None), ("sv_accuracy_m", "health", "tgd_s", None),
          ("ttm", None, None, None)),
}  # fmt: skip
_REQUIRED = ("af0_s", "af1_sps", "af2_sps2", "crs_m", "delta_n_radps", "m0_rad", "cuc_rad", "e", "cus_rad",
             "sqrt_a_sqrtm", "toe_s", "cic_rad", "omega0_rad", "cis_rad", "i0_rad", "crc_m", "omega_rad",
             "omega_dot_radps", "idot_radps")  # fmt: skip


def _d19(v: float) -> str:
    """One D19.12 field (written with ``E``); NaN -> blanks."""
    if v != v:
        return _BLANK
    s = f"{v:19.12E}"
    if len(s) != 19:
        raise KompasError(f"value {v!r} does not fit a 19-character RINEX navigation field")
    return s


def _record(head: str, first: list[float], lines: list[list[float]]) -> str:
    out = [head + "".join(_d19(v) for v in first)]
    out += ["    " + "".join(_d19(v) for v in ln) for ln in lines]
    return "\n".join(out)


def _epoch_text(sats: np.ndarray, t_ns: np.ndarray, scale: str) -> list[str]:
    """'G01 2020 06 24 20 00 00' per record: the epoch read in ``scale`` (whole seconds)."""
    if t_ns.size == 0:
        return []
    y, mo, d, h, mi, s = gpst_to_calendar(t_ns, scale)
    s_ns = np.rint(np.asarray(s) * 1e9).astype(np.int64)
    if np.any(s_ns % 10**9):
        k = int(np.flatnonzero(s_ns % 10**9)[0])
        raise KompasError(
            f"{sat_id(sats[k : k + 1])[0]}: epoch {int(t_ns[k])} ns is not a whole second in {scale} "
            "(RINEX navigation epochs have integer seconds)"
        )
    ids = sat_id(sats)
    return [
        f"{sid} {a:4d} {b:02d} {c:02d} {e:02d} {f:02d} {g // 10**9:02d}"
        for sid, a, b, c, e, f, g in zip(
            ids.tolist(), y.tolist(), mo.tolist(), d.tolist(), h.tolist(), mi.tolist(), s_ns.tolist(),
            strict=True,
        )
    ]  # fmt: skip


def _sow(t_ns: np.ndarray, week: np.ndarray, system: str) -> np.ndarray:
    """Seconds of ``t_ns`` counted from the start of ``week`` (system's weeks); NaT -> 0.9999e9."""
    nat = t_ns == NAT_NS
    start = gpst_from_week_tow(week, np.zeros(week.size), system)
    return np.where(nat, _UNKNOWN, (np.where(nat, start, t_ns) - start) / 1e9)


def _column(k: KeplerEph, rows: np.ndarray, special: dict, name: str | None) -> np.ndarray:
    if name is None:
        return np.full(rows.size, np.nan)
    return special[name] if name in special else getattr(k, name)[rows]


def _kepler_records(k: KeplerEph, rows: np.ndarray, letter: str) -> list[tuple[int, str]]:
    if rows.size == 0:
        return []
    for name in _REQUIRED:
        v = getattr(k, name)[rows]
        if not np.all(np.isfinite(v)):
            r = rows[np.flatnonzero(~np.isfinite(v))[0]]
            raise KompasError(f"{sat_id(k.sat[r : r + 1])[0]}: required field {name!r} is NaN")
    first, l5, l6, l7 = _LAYOUT[letter]
    week = k.week[rows].astype(np.int64)
    fit = k.fit_interval_h[rows]
    special = {
        "week": week.astype(np.float64),
        "ttm": _sow(k.ttm_ns[rows], week, _WEEK_SYS[letter]),
        "fit": fit,
        "fit_qzss": np.where(fit == 2.0, 0.0, 1.0),  # QZSS flag: 0 = 2 hours, 1 = more
    }
    heads = _epoch_text(k.sat[rows], k.toc_ns[rows], _SCALE[letter])
    clock = np.column_stack([k.af0_s[rows], k.af1_sps[rows], k.af2_sps2[rows]]).tolist()
    layout = ((first, *_ORBIT[0]), *_ORBIT[1:], l5, l6, l7)
    lines = [np.column_stack([_column(k, rows, special, n) for n in ln]).tolist() for ln in layout]
    sats = k.sat[rows].tolist()
    return [(sats[i], _record(heads[i], clock[i], [ln[i] for ln in lines])) for i in range(rows.size)]


def _utc_week_seconds(t_ns: np.ndarray) -> np.ndarray:
    """Seconds of the UTC week (from Sunday 00:00 UTC) of GPST instants; NaT -> 0.9999e9."""
    nat = t_ns == NAT_NS
    cal = to_datetime64(np.where(nat, 0, t_ns), "UTC").astype(np.int64) - _GPS_EPOCH_UNIX_NS
    return np.where(nat, _UNKNOWN, (cal % _WEEK_NS) / 1e9)


def _glonass_records(nav: NavData) -> list[tuple[int, str]]:
    g = nav.glonass
    n = len(g)
    if n == 0:
        return []
    heads = _epoch_text(g.sat, g.toc_ns, "UTC")
    km = 1e-3  # the file's km, km/s, km/s^2
    first = np.column_stack([g.minus_tau_n_s, g.gamma_n, _utc_week_seconds(g.tof_ns)]).tolist()
    ax = [
        np.column_stack([g.pos_m[:, j] * km, g.vel_mps[:, j] * km, g.acc_mps2[:, j] * km, extra]).tolist()
        for j, extra in enumerate((g.health, g.freq_channel.astype(np.float64), g.age_days))
    ]
    dtau = np.where(np.isnan(g.delta_tau_s), 0.999999999999e9, g.delta_tau_s)  # RINEX "not known"
    l4 = np.column_stack([g.status_flags, dtau, g.urai, g.health_flags]).tolist()
    sats = g.sat.tolist()
    return [(sats[i], _record(heads[i], first[i], [ax[0][i], ax[1][i], ax[2][i], l4[i]])) for i in range(n)]


def _sbas_records(nav: NavData) -> list[tuple[int, str]]:
    s = nav.sbas
    n = len(s)
    if n == 0:
        return []
    heads = _epoch_text(s.sat, s.toc_ns, "GPST")
    nat = s.ttm_ns == NAT_NS
    _, tow = week_tow(np.where(nat, s.toc_ns, s.ttm_ns), "GPS")
    ttm = np.where(nat, _UNKNOWN, tow)
    km = 1e-3
    first = np.column_stack([s.af0_s, s.af1_sps, ttm]).tolist()
    ax = [
        np.column_stack([s.pos_m[:, j] * km, s.vel_mps[:, j] * km, s.acc_mps2[:, j] * km, extra]).tolist()
        for j, extra in enumerate((s.health, s.ura, s.iodn))
    ]
    sats = s.sat.tolist()
    return [(sats[i], _record(heads[i], first[i], [ax[0][i], ax[1][i], ax[2][i]])) for i in range(n)]


# ----------------------------------------------------------------------------------------------
# Header


def _rec(content: str, label: str) -> str:
    if len(content) > 60:
        raise KompasError(f"RINEX header record {label!r}: content longer than 60 columns: {content!r}")
    return f"{content:<60s}{label:<20s}"


def _d12(v: float) -> str:
    return " " * 12 if v != v else f"{v:12.4E}"


# RINEX 4 ION frames that have a RINEX 3 header record: (system, model) -> record names (RINEX 3.05 A5)
_ION_RECORDS = {
    ("G", "KLOB"): ("GPSA", "GPSB"),
    ("J", "KLOB"): ("QZSA", "QZSB"),
    ("C", "KLOB"): ("BDSA", "BDSB"),
    ("I", "KLOB"): ("IRNA", "IRNB"),
    ("E", "NEQG"): ("GAL",),
}


def _iono_records(nav: NavData) -> tuple[list[IonoCorr], int]:
    """The ``IONOSPHERIC CORR`` records to write, and how many ``> ION`` frames they come from.

    The header's own records (or ``iono_corr`` dict) when it has them; for a file read from RINEX 4, which
    holds the broadcast ionosphere in frames, per system the frame in force at the first ephemeris record
    (the last one sent before it, else the first one sent; RINEX 3 holds one set per system).
    """
    h, ion = nav.header, nav.ion
    own = list(h.iono_corr_records) or [IonoCorr(k, np.asarray(v)) for k, v in (h.iono_corr or {}).items()]
    if own or not len(ion):
        return own, 0
    times = nav.record_times_ns()
    t_ref = int(times.min()) if times.size else int(ion.ttm_ns.min())
    out, used = [], 0
    for (system, model), names in _ION_RECORDS.items():
        rows = np.flatnonzero((ion.system == system) & (ion.model == model))
        if not rows.size:
            continue
        before = rows[ion.ttm_ns[rows] <= t_ref]
        coef = ion.coef[
            before[np.argmax(ion.ttm_ns[before])] if before.size else rows[np.argmin(ion.ttm_ns[rows])]
        ]
        if len(names) == 2:  # Klobuchar: alpha0..3, beta0..3
            out += [IonoCorr(names[0], coef[0:4]), IonoCorr(names[1], coef[4:8])]
        else:  # NeQuick-G: a_i0..a_i2, the fourth field blank
            out.append(IonoCorr(names[0], np.append(coef[0:3], np.nan)))
        used += 1
    return out, used


def _header(nav: NavData, iono: list[IonoCorr], program: str, now: _dt.datetime | None) -> list[str]:
    h = nav.header
    now = now or _dt.datetime.now(_dt.UTC)
    if len(program) > 20:
        raise KompasError(f"program name {program!r} is longer than 20 characters")
    out = [
        _rec(f"{_VERSION:9.2f}{'':11s}{'N: GNSS NAV DATA':<20s}{'M: MIXED':<20s}", "RINEX VERSION / TYPE"),
        _rec(f"{program:<20s}{'':20s}" + now.strftime("%Y%m%d %H%M%S UTC"), "PGM / RUN BY / DATE"),
    ]
    out += [_rec(c, "COMMENT") for c in h.comments]
    for rec in iono:
        coef = np.full(4, np.nan)
        c = np.asarray(rec.coef, dtype=np.float64).ravel()[:4]
        coef[: c.size] = c
        tail = f" {rec.time_mark:1s} {rec.sv:>2s}" if (rec.time_mark or rec.sv) else ""
        out.append(_rec(f"{rec.name:<4s} " + "".join(_d12(v) for v in coef) + tail, "IONOSPHERIC CORR"))
    tcorr = list(h.time_corr_records) or list((h.time_corr or {}).values())
    for t in tcorr:
        if t.ref_date is not None:  # RINEX 2 CORR TO SYSTEM TIME: no reference week/seconds
            t_ref, week = "", ""
        else:
            t_ref = "" if t.t_ref_s != t.t_ref_s else f"{round(t.t_ref_s):7d}"
            week = "" if t.week < 0 else f"{t.week:5d}"
        utc = "" if t.utc_id < 0 else f"{t.utc_id:2d}"
        a1 = 0.0 if t.a1_sps != t.a1_sps else t.a1_sps
        content = f"{t.name:<4s} {t.a0_s:17.10E}{a1:16.9E}{t_ref:>7s}{week:>5s} {t.source:<5s} {utc:>2s}"
        out.append(_rec(content.rstrip(), "TIME SYSTEM CORR"))
    leap = h.leap_seconds
    if leap is not None:
        parts = [f"{leap.current:6d}"] + [
            " " * 6 if v < 0 else f"{v:6d}" for v in (leap.future, leap.week, leap.day)
        ]
        out.append(_rec(("".join(parts) + f"{leap.system:3s}").rstrip(), "LEAP SECONDS"))
    out.append(_rec("", "END OF HEADER"))
    return out


# ----------------------------------------------------------------------------------------------


def write_nav(
    nav: NavData, path_or_file, *, program: str = "kompas", _now: _dt.datetime | None = None
) -> None:
    """Write broadcast ephemerides as a RINEX 3.05 mixed navigation file (sec. 6, Tables A4-A18).

    Parameters
    ----------
    nav : NavData
        As read by :func:`kompas.io.readers.rinex_nav.read_nav`: times GPST ns, SI units (GLONASS and SBAS
        states are written back in km, km/s, km/s^2; angles stay radians, as RINEX has them).
    path_or_file : str or os.PathLike or file
        Destination path (gzip-compressed when it ends in ``.gz``) or an open file (text or binary).
    program : str
        Written in ``PGM / RUN BY / DATE`` (at most 20 characters).

    Raises
    ------
    KompasError
        If a record lacks a value RINEX requires (clock, orbit), an epoch is not a whole second in
        its time system, or a value does not fit 19 characters.

    Warns
    -----
    KompasWarning
        Once, listing the records and frames not written (RINEX 4 message types, STO/EOP/ION).
    """
    k = nav.kepler
    letters = np.array([s[0] for s in sat_id(k.sat)]) if len(k) else np.zeros(0, "<U1")
    msg = np.asarray(k.msg)
    supported = np.array(
        [(a, b) in _SUPPORTED for a, b in zip(letters.tolist(), msg.tolist(), strict=True)], bool
    )
    skipped = Counter(
        f"{a} {b}" for a, b in zip(letters[~supported].tolist(), msg[~supported].tolist(), strict=True)
    )
    for name in ("sto", "eop"):
        n = len(getattr(nav, name))
        if n:
            skipped[name.upper() + " frames"] += n
    iono, n_used = _iono_records(nav)
    n_ion = len(nav.ion) - n_used
    if n_ion:
        # the header holds one ionosphere set per system: the others, and BeiDou's BDGIM, are left out
        skipped["ION frames"] += n_ion
    if skipped:
        what = ", ".join(f"{n} {key}" for key, n in sorted(skipped.items()))
        warnings.warn(
            f"write_nav: not written (no RINEX 3 record): {what}",
            KompasWarning,
            stacklevel=caller_stacklevel(),
        )
    recs: list[tuple[int, str]] = []
    for letter in "GJECI":
        recs += _kepler_records(k, np.flatnonzero(supported & (letters == letter)), letter)
    recs += _glonass_records(nav)
    recs += _sbas_records(nav)
    recs.sort(key=lambda r: r[0])  # stable: each table's order (epoch) is kept within a satellite
    head = "\n".join(_header(nav, iono, program, _now)) + "\n"
    body = "".join(_pad80(text) for _, text in recs)
    write_bytes(path_or_file, (head + body).encode("ascii"))


def _pad80(text: str) -> str:
    return "".join(f"{ln:<80s}\n" for ln in text.split("\n"))
