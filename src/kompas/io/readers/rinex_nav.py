"""Read RINEX 2, 3 and 4 navigation files (broadcast ephemerides) into struct-of-arrays tables.

Supported
    RINEX 2.01-2.11 GPS (``N``), GLONASS (``G``) and GEO/SBAS (``H``) files (RINEX 2.11 Tables A3/A4
    and A10/A11, and the GEO navigation tables); RINEX 3.00-3.05 mixed and single-system files (RINEX
    3.05 Appendix, the navigation record table of each system); RINEX 4.00-4.02 frames ``> EPH``,
    ``> STO``, ``> EOP``, ``> ION`` (RINEX 4.01 Appendix, one table per message type): GPS
    LNAV/CNAV/CNV2, Galileo INAV/FNAV, BeiDou D1/D2/CNV1/CNV2/CNV3, GLONASS FDMA, QZSS
    LNAV/CNAV/CNV2, SBAS and NavIC LNAV. Frames of other types (e.g. RINEX 4.02 GLONASS L1OC, NavIC
    L1NV) are skipped with one warning. Record layouts are the tables ``_GPS_LNAV`` ... ``_STO`` below.

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
    * Blank lines between records are skipped. A field that does not parse is a
      :class:`~kompas.errors.FormatError`; a blank field the format allows to be blank is NaN; a
      blank field that a record cannot do without (clock, orbit, week, GLONASS state) is an error.
    * A file that ends inside its last record (too few lines, or a last line cut inside a
      19-character field) gives a :class:`~kompas.errors.TruncatedFileWarning`; the complete records
      before it are returned.
    * A header without ``END OF HEADER`` (seen in the wild) ends at the first line that has the shape
      of a data record; a :class:`~kompas.errors.KompasWarning` says so and the records are read.
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
import re
import warnings
from collections import Counter
from dataclasses import dataclass
from dataclasses import fields as dc_fields
from typing import Any

import numpy as np

from ...constants import BDS_GEO_PRNS
from ...errors import FormatError, KompasError, KompasWarning, TimeError, TruncatedFileWarning
from ...satsys import SYSTEM_LETTERS, sat_index
from ...tables.nav import (
    NAT_NS,
    EopTable,
    GlonassEph,
    IonoCorr,
    IonTable,
    KeplerEph,
    LeapSeconds,
    NavData,
    NavHeader,
    SbasEph,
    StoTable,
    TimeCorr,
)
from ...time import (
    DAY_NS,
    WEEK_NS,
    from_datetime64,
    gpst_from_week_tow,
    gtime_from_calendar,
    to_datetime64,
    week_tow,
)
from .._open import read_text

__all__ = ["read_nav"]


_FW = 19  # width of a D19.12 field
_YEAR_MIN, _YEAR_MAX = 1980, 2200  # GNSS epochs; keeps nanosecond counts far from int64 overflow
_WEEK_MAX = 9999
_UNKNOWN = 0.9999e9  # RINEX "0.9999E9 if not known"
_ARCSEC = np.pi / 648000.0
_DAY_S = 86400.0
_GPS_EPOCH_UNIX_NS = 3657 * DAY_NS  # 1970-01-01 -> 1980-01-06 (datetime64 counts from 1970)

# ----------------------------------------------------------------------------------------------
# Record layouts: names of the D19.12 fields, line by line (None = spare / not kept)

_ORB_KEPLER = (  # BROADCAST ORBIT 2-4 shared by every Keplerian message (orbit lines 2-4)
    ("cuc_rad", "e", "cus_rad", "sqrt_a_sqrtm"),
    ("toe_s", "cic_rad", "omega0_rad", "cis_rad"),
    ("i0_rad", "crc_m", "omega_rad", "omega_dot_radps"),
)
_CLOCK = ("af0_s", "af1_sps", "af2_sps2")
_KEPLER_REQUIRED = frozenset(
    {
        *_CLOCK,
        "crs_m", "delta_n_radps", "m0_rad", "cuc_rad", "e", "cus_rad", "sqrt_a_sqrtm",
        "cic_rad", "omega0_rad", "cis_rad", "i0_rad", "crc_m", "omega_rad", "omega_dot_radps",
        "idot_radps",
    }
)  # fmt: skip


@dataclass(frozen=True)
class _Layout:
    name: str
    lines: tuple[tuple[str | None, ...], ...]  # first: 3 names (record line 1), then 4 per line
    min_lines: int  # orbit lines (after the first) required
    required: frozenset

    @property
    def max_lines(self) -> int:
        return len(self.lines) - 1

    @property
    def nslots(self) -> int:
        return 3 + 4 * self.max_lines

    def slots(self) -> dict[str, int]:
        out = {}
        for j, line in enumerate(self.lines):
            for k, name in enumerate(line):
                if name is not None:
                    out[name] = k if j == 0 else 3 + 4 * (j - 1) + k
        return out


def _kep(name, line1, line5, line6, line7, *more, toe="toe_s", week=True):
    orbit = list(_ORB_KEPLER)
    if toe != "toe_s":
        orbit[1] = (toe, *orbit[1][1:])
    lines = (_CLOCK, line1, *orbit, line5, line6, line7, *more)
    req = set(_KEPLER_REQUIRED)
    if toe == "toe_s":
        req.add("toe_s")
    if week:
        req.add("week")
    return _Layout(name, lines, len(lines) - 1, frozenset(req))


_L1_LNAV = ("iode", "crs_m", "delta_n_radps", "m0_rad")
_L1_CNAV = ("a_dot_mps", "crs_m", "delta_n_radps", "m0_rad")
_CNAV_L5 = ("idot_radps", "delta_n_dot_radps2", "urai_ned0", "urai_ned1")
_CNAV_L6 = ("urai_ed", "health", "tgd_s", "urai_ned2")
_CNAV_L7 = ("isc_l1ca_s", "isc_l2c_s", "isc_l5i5_s", "isc_l5q5_s")
_BCNV_L5 = ("idot_radps", "delta_n_dot_radps2", "sat_type", "top")
_BCNV_L6 = ("sisai_oe", "sisai_ocb", "sisai_oc1", "sisai_oc2")

_GPS_LNAV = _kep(
    "GPS_LNAV",
    _L1_LNAV,
    ("idot_radps", "codes_l2", "week", "l2p_flag"),
    ("sv_accuracy_m", "health", "tgd_s", "iodc"),
    ("ttm", "fit", None, None),
)
_GAL = _kep(
    "GAL",
    _L1_LNAV,
    ("idot_radps", "data_sources", "week", None),
    ("sv_accuracy_m", "health", "bgd_e5a_e1_s", "bgd_e5b_e1_s"),
    ("ttm", None, None, None),
)
_BDS_D = _kep(
    "BDS_D",
    ("aode", "crs_m", "delta_n_radps", "m0_rad"),
    ("idot_radps", None, "week", None),
    ("sv_accuracy_m", "health", "tgd1_s", "tgd2_s"),
    ("ttm", "aodc", None, None),
)
_IRN = _kep(
    "IRN",
    _L1_LNAV,
    ("idot_radps", None, "week", None),
    ("sv_accuracy_m", "health", "tgd_s", None),
    ("ttm", None, None, None),
)
_CNAV = _kep(
    "CNAV", _L1_CNAV, _CNAV_L5, _CNAV_L6, _CNAV_L7, ("ttm", "wn_op", None, None), toe="top", week=False
)
_CNV2 = _kep(
    "CNV2",
    _L1_CNAV,
    _CNAV_L5,
    _CNAV_L6,
    _CNAV_L7,
    ("isc_l1cd_s", "isc_l1cp_s", None, None),
    ("ttm", "wn_op", None, None),
    toe="top",
    week=False,
)
_BDS_CNV1 = _kep(
    "BDS_CNV1",
    _L1_CNAV,
    _BCNV_L5,
    _BCNV_L6,
    ("isc_b1cd_s", None, "tgd_b1cp_s", "tgd_b2ap_s"),
    ("sismai", "health", "integrity_flags", "iodc"),
    ("ttm", None, None, "iode"),
    week=False,
)
_BDS_CNV2 = _kep(
    "BDS_CNV2",
    _L1_CNAV,
    _BCNV_L5,
    _BCNV_L6,
    (None, "isc_b2ad_s", "tgd_b1cp_s", "tgd_b2ap_s"),
    ("sismai", "health", "integrity_flags", "iodc"),
    ("ttm", None, None, "iode"),
    week=False,
)
_BDS_CNV3 = _kep(
    "BDS_CNV3",
    _L1_CNAV,
    _BCNV_L5,
    _BCNV_L6,
    ("sismai", "health", "integrity_flags", "tgd_b2bi_s"),
    ("ttm", None, None, None),
    week=False,
)
_GLO = _Layout(
    "GLO",
    (
        ("minus_tau_n_s", "gamma_n", "tk"),
        ("x", "vx", "ax", "health"),
        ("y", "vy", "ay", "freq_channel"),
        ("z", "vz", "az", "age_days"),
        ("status_flags", "delta_tau_s", "urai", "health_flags"),
    ),
    3,
    frozenset(
        {"minus_tau_n_s", "gamma_n", "tk", "x", "y", "z", "vx", "vy", "vz", "ax", "ay", "az", "freq_channel"}
    ),
)
_SBAS = _Layout(
    "SBAS",
    (
        ("af0_s", "af1_sps", "ttm"),
        ("x", "vx", "ax", "health"),
        ("y", "vy", "ay", "ura"),
        ("z", "vz", "az", "iodn"),
    ),
    3,
    frozenset({"af0_s", "af1_sps", "ttm", "x", "y", "z", "vx", "vy", "vz", "ax", "ay", "az"}),
)
_ION_KLOB = _Layout(
    "KLOB",
    (("c0", "c1", "c2"), ("c3", "c4", "c5", "c6"), ("c7", "c8", None, None)),
    2,
    frozenset({f"c{i}" for i in range(8)}),
)
_ION_NEQG = _Layout("NEQG", (("c0", "c1", "c2"), ("c3", None, None, None)), 1, frozenset({"c0", "c1", "c2"}))
_ION_BDGIM = _Layout(
    "BDGIM",
    (("c0", "c1", "c2"), ("c3", "c4", "c5", "c6"), ("c7", "c8", None, None)),
    2,
    frozenset({f"c{i}" for i in range(9)}),
)
_EOP = _Layout(
    "EOP",
    (
        ("xp", "dxp", "ddxp"),
        (None, "yp", "dyp", "ddyp"),
        ("ttm_s", "dut1", "ddut1", "dddut1"),
    ),
    2,
    frozenset({"xp", "dxp", "ddxp", "yp", "dyp", "ddyp", "dut1", "ddut1", "dddut1"}),
)
_STO = _Layout(
    "STO", ((None, None, None), ("ttm_s", "a0_s", "a1_sps", "a2_sps2")), 1, frozenset({"a0_s", "a1_sps"})
)

# RINEX 4 EPH message types -> layout
_EPH4 = {
    ("G", "LNAV"): _GPS_LNAV,
    ("J", "LNAV"): _GPS_LNAV,
    ("G", "CNAV"): _CNAV,
    ("J", "CNAV"): _CNAV,
    ("G", "CNV2"): _CNV2,
    ("J", "CNV2"): _CNV2,
    ("E", "INAV"): _GAL,
    ("E", "FNAV"): _GAL,
    ("C", "D1"): _BDS_D,
    ("C", "D2"): _BDS_D,
    ("C", "CNV1"): _BDS_CNV1,
    ("C", "CNV2"): _BDS_CNV2,
    ("C", "CNV3"): _BDS_CNV3,
    ("I", "LNAV"): _IRN,
    ("R", "FDMA"): _GLO,
    ("S", "SBAS"): _SBAS,
}
# RINEX 4 ION (system, message) -> layout
_ION4 = {
    ("G", "LNAV"): _ION_KLOB,
    ("G", "CNVX"): _ION_KLOB,
    ("J", "LNAV"): _ION_KLOB,
    ("J", "CNVX"): _ION_KLOB,
    ("C", "D1D2"): _ION_KLOB,
    ("C", "CNVX"): _ION_BDGIM,
    ("E", "IFNV"): _ION_NEQG,
    ("I", "LNAV"): _ION_KLOB,
}
# RINEX 3 system -> layout (message type decided per record)
_EPH3 = {"G": _GPS_LNAV, "J": _GPS_LNAV, "E": _GAL, "C": _BDS_D, "I": _IRN, "R": _GLO, "S": _SBAS}
_SCALE_OF = {"G": "GPST", "J": "GPST", "I": "GPST", "S": "GPST", "E": "GST", "C": "BDT", "R": "UTC"}


# ----------------------------------------------------------------------------------------------
# Reading context and low-level parsing


class _Ctx:
    """Path, lines and the warnings to emit once at the end."""

    def __init__(self, path: str, lines: list[str]):
        self.path = path
        self.lines = lines
        self.skipped: Counter = Counter()

    def error(self, idx: int | None, msg: str) -> FormatError:
        return FormatError(self.path, None if idx is None else idx + 1, msg)


@dataclass
class _Group:
    """Records of one layout gathered while scanning: their fixed-width field text and lines."""

    layout: _Layout
    chunks: list[str]
    sats: list[str]
    epochs: list[str]
    msgs: list[str]
    lines: list[list[int]]  # 0-based line indices: first line, then orbit lines
    extra: list[Any]  # per-record extra data (STO text fields)

    @classmethod
    def new(cls, layout: _Layout) -> _Group:
        return cls(layout, [], [], [], [], [], [])

    def __len__(self) -> int:
        return len(self.chunks)


_ALLOWED = np.zeros(256, dtype=bool)
_ALLOWED[np.frombuffer(b"0123456789+-. Ee", dtype=np.uint8)] = True


def _floats(ctx: _Ctx, group: _Group) -> np.ndarray:
    """All D19.12 fields of a group as an (n, nslots) float array; blank fields are NaN."""
    lay = group.layout
    n = len(group)
    if n == 0:
        return np.empty((0, lay.nslots))
    text = "".join(group.chunks).replace("D", "E").replace("d", "e")
    raw = text.encode("latin-1", errors="replace")
    u = np.frombuffer(raw, dtype=np.uint8).reshape(-1, _FW)
    bad = ~_ALLOWED[u].all(axis=1)
    arr = np.frombuffer(raw, dtype=f"S{_FW}").copy()
    blank = (u == 32).all(axis=1)
    arr[blank] = b"nan"
    if bad.any():
        _raise_field(ctx, group, int(np.flatnonzero(bad)[0]))
    try:
        vals = arr.astype(np.float64)
    except ValueError:
        for k in range(arr.size):
            if not blank[k]:
                try:
                    float(arr[k])
                except ValueError:
                    _raise_field(ctx, group, k)
        raise  # pragma: no cover - numpy and float() disagree
    inf = np.isinf(vals)
    if inf.any():
        _raise_field(ctx, group, int(np.flatnonzero(inf)[0]), "a number in range")
    vals = vals.reshape(n, lay.nslots)
    _check_required(ctx, group, vals)
    return vals


def _field_line(group: _Group, rec: int, slot: int) -> int:
    lines = group.lines[rec]
    j = 0 if slot < 3 else 1 + (slot - 3) // 4
    return lines[min(j, len(lines) - 1)]


def _raise_field(ctx: _Ctx, group: _Group, k: int, what: str = "a number"):
    nslots = group.layout.nslots
    rec, slot = divmod(k, nslots)
    text = group.chunks[rec][slot * _FW : (slot + 1) * _FW]
    raise ctx.error(_field_line(group, rec, slot), f"expected {what} in a 19-character field, found {text!r}")


def _check_required(ctx: _Ctx, group: _Group, vals: np.ndarray):
    lay = group.layout
    slots = lay.slots()
    req = sorted(slots[name] for name in lay.required)
    if not req:
        return
    missing = np.isnan(vals[:, req])
    if missing.any():
        rec, j = np.argwhere(missing)[0]
        slot = req[j]
        name = next(k for k, v in slots.items() if v == slot)
        who = group.sats[rec] if group.sats else ""
        raise ctx.error(
            _field_line(group, rec, slot), f"record {who.strip()}: required field {name!r} is blank"
        )


def _epochs_v3(ctx: _Ctx, strs: list[str], line_idx: list[int]):
    """'YYYY MM DD HH MM SS' strings (19 chars) -> six int64 arrays (vectorised)."""
    n = len(strs)
    if n == 0:
        z = np.zeros(0, np.int64)
        return z, z, z, z, z, z
    u = np.frombuffer("".join(strs).encode("latin-1", errors="replace"), dtype=np.uint8).reshape(n, 19)
    dig = u.astype(np.int64) - 48
    isd = (dig >= 0) & (dig <= 9)
    iss = u == 32
    ok = iss[:, [4, 7, 10, 13, 16]].all(axis=1)
    out = []
    for a, b in ((0, 4), (5, 7), (8, 10), (11, 13), (14, 16), (17, 19)):
        d, s = isd[:, a:b], iss[:, a:b]
        started = np.cumsum(d, axis=1) > 0
        ok &= (d | (s & ~started)).all(axis=1) & d[:, -1]
        w = 10 ** np.arange(b - a - 1, -1, -1)
        out.append((np.where(d, dig[:, a:b], 0) * w).sum(axis=1))
    ok &= (out[0] >= _YEAR_MIN) & (out[0] <= _YEAR_MAX)
    if not ok.all():
        i = int(np.flatnonzero(~ok)[0])
        raise ctx.error(
            line_idx[i],
            f"expected an epoch 'YYYY MM DD HH MM SS' ({_YEAR_MIN}-{_YEAR_MAX}), found {strs[i]!r}",
        )
    return tuple(out)


_I3 = re.compile(r" *\d{1,3}")
_F51 = re.compile(r" *\d{1,2}\.\d{0,2}")


def _epochs_v2(ctx: _Ctx, strs: list[str], line_idx: list[int]):
    """RINEX 2 'YY MM DD HH MI SS.S' (5 x I3 after the I2 PRN, then F5.1) -> six arrays."""
    rows = []
    for s, i in zip(strs, line_idx, strict=True):
        s = s.ljust(20)
        parts = [s[k : k + 3] for k in range(0, 15, 3)]
        if not (all(_I3.fullmatch(p) for p in parts) and _F51.fullmatch(s[15:20]) and int(parts[0]) < 100):
            raise ctx.error(i, f"expected an epoch 'YY MM DD HH MI SS.S', found {s!r}")
        yy = int(parts[0])
        rows.append((yy + (2000 if yy < 80 else 1900), *(int(p) for p in parts[1:]), float(s[15:20])))
    if not rows:
        z = np.zeros(0, np.int64)
        return z, z, z, z, z, np.zeros(0)
    a = np.array(rows, dtype=np.float64)
    return (*(a[:, k].astype(np.int64) for k in range(5)), a[:, 5])


def _to_gpst(ctx: _Ctx, ep, scales: np.ndarray, line_idx: list[int]) -> np.ndarray:
    """Calendar fields read in per-record scales -> GPST ns."""
    y, mo, d, h, mi, s = ep
    out = np.zeros(len(y), dtype=np.int64)
    for scale in np.unique(scales):
        m = scales == scale
        try:
            out[m] = gtime_from_calendar(y[m], mo[m], d[m], h[m], mi[m], s[m], scale=str(scale))
        except TimeError:
            for i in np.flatnonzero(m):
                try:
                    gtime_from_calendar(y[i], mo[i], d[i], h[i], mi[i], s[i], scale=str(scale))
                except TimeError as exc:
                    raise ctx.error(line_idx[i], f"impossible epoch: {exc}") from None
            raise  # pragma: no cover
    return out


def _sat_indices(ctx: _Ctx, ids: list[str], line_idx: list[int]) -> np.ndarray:
    if not ids:
        return np.zeros(0, np.int16)
    # satsys.sat_index raises UnicodeEncodeError (not SignalError) for non-ASCII ids
    try:
        return np.asarray(sat_index(ids), dtype=np.int16)
    except (KompasError, UnicodeError):
        for s, i in zip(ids, line_idx, strict=True):
            try:
                sat_index([s])
            except (KompasError, UnicodeError):
                raise ctx.error(i, f"expected a satellite id (letter and PRN 01-99), found {s!r}") from None
        raise  # pragma: no cover


def _near(ref_ns: np.ndarray, tow_s: np.ndarray, system: str, period_ns: int = WEEK_NS) -> np.ndarray:
    """The instant with time of week ``tow_s`` (system's week) nearest ``ref_ns``; NaN -> NaT."""
    ok = np.isfinite(tow_s) & (np.abs(tow_s) < _UNKNOWN)
    w, _ = week_tow(ref_ns, system)
    t = gpst_from_week_tow(w, np.where(ok, tow_s, 0.0), system)
    d = t - ref_ns
    t = t - np.where(d > period_ns // 2, period_ns, 0) + np.where(d < -period_ns // 2, period_ns, 0)
    return np.where(ok, t, NAT_NS)


def _week_time(week: np.ndarray, tow_s: np.ndarray, system: str) -> np.ndarray:
    ok = np.isfinite(tow_s) & (np.abs(tow_s) < _UNKNOWN)
    t = gpst_from_week_tow(week, np.where(ok, tow_s, 0.0), system)
    return np.where(ok, t, NAT_NS)


def _as_int(ctx: _Ctx, vals: np.ndarray, what: str, group: _Group, slot: int, dtype) -> np.ndarray:
    """Integral floats -> ints (the value must be integral and fit)."""
    info = np.iinfo(dtype)
    bad = ~np.isfinite(vals) | (vals != np.rint(vals)) | (vals < info.min) | (vals > info.max)
    if bad.any():
        r = int(np.flatnonzero(bad)[0])
        raise ctx.error(_field_line(group, r, slot), f"{what} must be an integer, found {vals[r]!r}")
    return vals.astype(dtype)


# ----------------------------------------------------------------------------------------------
# Header

_HEADER_LABELS = {
    "RINEX VERSION / TYPE", "PGM / RUN BY / DATE", "COMMENT", "ION ALPHA", "ION BETA",
    "DELTA-UTC: A0,A1,T,W", "CORR TO SYSTEM TIME", "D-UTC A0,A1,T,W,S,U", "LEAP SECONDS",
    "IONOSPHERIC CORR", "TIME SYSTEM CORR", "END OF HEADER", "MERGED FILE", "DOI", "LICENSE OF USE",
    "STATION INFORMATION",
}  # fmt: skip
_R2_START = re.compile(r"[ \d]\d(?:[ \d]{2}\d){5}[ \d]{2}\d\.\d")
_R3_START = re.compile(r"[A-Z][ \d]\d \d{4}(?: [ \d]\d){5}")


def _hnum(ctx: _Ctx, idx: int, text: str, what: str, blank=float("nan")) -> float:
    t = text.strip().replace("D", "E").replace("d", "e")
    if not t:
        return blank
    if not all(c in "0123456789+-.Ee" for c in t):
        raise ctx.error(idx, f"{what}: expected a number, found {text!r}")
    try:
        return float(t)
    except ValueError:
        raise ctx.error(idx, f"{what}: expected a number, found {text!r}") from None


def _hint(ctx: _Ctx, idx: int, text: str, what: str, blank: int = -1) -> int:
    t = text.strip()
    if not t:
        return blank
    if not re.fullmatch(r"[+-]?\d+", t):
        raise ctx.error(idx, f"{what}: expected an integer, found {text!r}")
    return int(t)


def _parse_header(ctx: _Ctx) -> tuple[NavHeader, int]:
    lines = ctx.lines
    if not lines or lines[0][60:].strip() != "RINEX VERSION / TYPE":
        first = lines[0][:80] if lines else ""
        raise ctx.error(0, f"expected a 'RINEX VERSION / TYPE' first line, found {first!r}")
    line = lines[0]
    version = _hnum(ctx, 0, line[:9], "RINEX version")
    if not 2.0 <= version < 5.0:
        raise ctx.error(0, f"unsupported RINEX version {version:g} (2.x, 3.x and 4.x are read)")
    ftype = line[20:21].upper()
    if version < 3.0:
        if ftype not in ("N", "G", "H"):
            raise ctx.error(0, f"not a RINEX 2 navigation file: file type {ftype!r} (expected N, G or H)")
        system = {"N": "G", "G": "R", "H": "S"}[ftype]
    else:
        if ftype not in ("N", "G", "H"):  # some 3.0x writers kept RINEX 2's G (GLONASS) and H (GEO)
            raise ctx.error(0, f"not a RINEX navigation file: file type {ftype!r} (expected N)")
        system = line[40:41].upper().strip() or {"N": "G", "G": "R", "H": "S"}[ftype]
        if system not in SYSTEM_LETTERS + "M":
            raise ctx.error(0, f"unknown satellite system {system!r} in the version line")

    program = run_by = date = ""
    comments: list[str] = []
    iono: list[IonoCorr] = []
    tcorr: list[TimeCorr] = []
    leap: LeapSeconds | None = None
    other: dict[str, list[str]] = {}
    start = None
    i = 1
    for i in range(1, len(lines)):
        line = lines[i]
        label = line[60:].strip()
        content = line[:60]
        if label == "END OF HEADER":
            start = i + 1
            break
        if not line.strip():
            continue
        if label not in _HEADER_LABELS and (
            line.startswith(">")
            or (version < 3 and _R2_START.match(line))
            or (version >= 3 and _R3_START.match(line))
        ):
            warnings.warn(
                f"{ctx.path}: no END OF HEADER; the header is taken to end before line {i + 1}, "
                "which has the shape of a data record",
                KompasWarning,
                stacklevel=4,
            )
            start = i
            break
        if label == "PGM / RUN BY / DATE":
            program, run_by, date = content[0:20].strip(), content[20:40].strip(), content[40:60].strip()
        elif label == "COMMENT":
            comments.append(content.rstrip())
        elif label in ("ION ALPHA", "ION BETA"):
            coef = np.array([_hnum(ctx, i, content[2 + 12 * k : 14 + 12 * k], label) for k in range(4)])
            iono.append(IonoCorr("GPSA" if label == "ION ALPHA" else "GPSB", coef))
        elif label == "IONOSPHERIC CORR":
            name = content[0:4].strip()
            coef = np.array([_hnum(ctx, i, content[5 + 12 * k : 17 + 12 * k], label) for k in range(4)])
            iono.append(IonoCorr(name, coef, content[54:55].strip(), content[56:58].strip()))
        elif label == "DELTA-UTC: A0,A1,T,W":
            tcorr.append(
                TimeCorr(
                    "GPUT",
                    _hnum(ctx, i, content[3:22], label),
                    _hnum(ctx, i, content[22:41], label),
                    float(_hint(ctx, i, content[41:50], label)),
                    _hint(ctx, i, content[50:59], label),
                )
            )
        elif label == "CORR TO SYSTEM TIME":
            ymd = tuple(_hint(ctx, i, content[6 * k : 6 * k + 6], label) for k in range(3))
            tcorr.append(TimeCorr("GLUT", _hnum(ctx, i, content[21:40], label), 0.0, ref_date=ymd))
        elif label == "TIME SYSTEM CORR":
            tcorr.append(
                TimeCorr(
                    content[0:4].strip(),
                    _hnum(ctx, i, content[5:22], label),
                    _hnum(ctx, i, content[22:38], label),
                    _hnum(ctx, i, content[38:45], label),
                    _hint(ctx, i, content[45:50], label),
                    content[51:56].strip(),
                    _hint(ctx, i, content[57:59], label),
                )
            )
        elif label == "LEAP SECONDS":
            leap = LeapSeconds(
                _hint(ctx, i, content[0:6], label, blank=0),
                _hint(ctx, i, content[6:12], label),
                _hint(ctx, i, content[12:18], label),
                _hint(ctx, i, content[18:24], label),
                content[24:27].strip(),
            )
        else:
            other.setdefault(label, []).append(content.rstrip())
    else:
        if start is None:
            warnings.warn(f"{ctx.path}: no END OF HEADER and no data records", KompasWarning, stacklevel=4)
            start = len(lines)

    # per name: the first record without a time mark, else the first record
    iono_dict: dict[str, np.ndarray] = {}
    for rec in iono:
        if not rec.time_mark:
            iono_dict.setdefault(rec.name, rec.coef)
    for rec in iono:
        iono_dict.setdefault(rec.name, rec.coef)
    tdict: dict[str, TimeCorr] = {}
    for rec in tcorr:
        tdict.setdefault(rec.name, rec)
    header = NavHeader(
        version=version,
        file_type=ftype,
        system=system,
        program=program,
        run_by=run_by,
        date=date,
        comments=tuple(comments),
        iono_corr=iono_dict,
        iono_corr_records=tuple(iono),
        time_corr=tdict,
        time_corr_records=tuple(tcorr),
        leap_seconds=leap,
        other={k: tuple(v) for k, v in other.items()},
    )
    return header, start


# ----------------------------------------------------------------------------------------------
# Body scanning


def _last_line_cut(line: str, prefix: int, nfields: int) -> bool:
    """True if the file's last line ends inside a 19-character field (a cut file)."""
    n = len(line.rstrip())
    return prefix < n < prefix + _FW * nfields and (n - prefix) % _FW != 0


def _add_record(
    ctx: _Ctx, group: _Group, first: str, conts: list[str], idx: list[int], sat: str, msg: str, v2: bool
):
    lay = group.layout
    p0, p = (22, 3) if v2 else (23, 4)
    parts = [first[p0 : p0 + 3 * _FW].ljust(3 * _FW)]
    parts += [c[p : p + 4 * _FW].ljust(4 * _FW) for c in conts]
    parts.append(" " * (4 * _FW * (lay.max_lines - len(conts))))
    group.chunks.append("".join(parts))
    group.sats.append(sat)
    group.epochs.append(first[2:22] if v2 else first[4:23].ljust(19))
    group.msgs.append(msg)
    group.lines.append(idx)


def _record_complete(
    ctx: _Ctx, lay: _Layout, idx: list[int], is_last: bool, prefix0: int, prefix: int, what: str
):
    """Check the orbit-line count; returns False for a truncated last record (warned)."""
    n = len(idx) - 1
    lines = ctx.lines
    cut = is_last and _last_line_cut(lines[idx[-1]], prefix0 if n == 0 else prefix, 3 if n == 0 else 4)
    if n > lay.max_lines:
        raise ctx.error(
            idx[lay.max_lines + 1], f"{what}: expected at most {lay.max_lines} orbit lines, found more"
        )
    if n < lay.min_lines or cut:
        if is_last:
            warnings.warn(
                TruncatedFileWarning(
                    f"{ctx.path}: the file ends inside the {what} record starting at line {idx[0] + 1}; "
                    "the complete records before it were read"
                ),
                stacklevel=5,
            )
            return False
        raise ctx.error(idx[0], f"{what}: expected {lay.min_lines} orbit lines, found {n}")
    return True


def _scan_v2(ctx: _Ctx, start: int, ftype: str) -> dict[str, _Group]:
    lay = {"N": _GPS_LNAV, "G": _GLO, "H": _SBAS}[ftype]
    letter = {"N": "G", "G": "R", "H": "S"}[ftype]
    group = _Group.new(lay)
    lines = ctx.lines
    recs: list[list[int]] = []
    for i in range(start, len(lines)):
        line = lines[i]
        if line[:3].strip():
            recs.append([i])
        elif line.strip():
            if not recs:
                raise ctx.error(
                    i, "expected a record's first line (PRN and epoch), found a continuation line"
                )
            recs[-1].append(i)
    for r, idx in enumerate(recs):
        first = lines[idx[0]]
        prn = first[0:2]
        if not (prn.strip().isascii() and prn.strip().isdigit()):
            raise ctx.error(idx[0], f"expected a PRN in columns 1-2, found {prn!r}")
        sat = f"{letter}{int(prn):02d}"
        if not _record_complete(ctx, lay, idx, r == len(recs) - 1, 22, 3, sat):
            break
        msg = {"G": "LNAV", "R": "FDMA", "S": "SBAS"}[letter]
        _add_record(ctx, group, first, [lines[k] for k in idx[1:]], idx, sat, msg, v2=True)
    return {lay.name: group}


def _kepler_msg3(letter: str, prn: str) -> str:
    if letter == "C":
        try:
            return "D2" if int(prn.replace(" ", "0")) in BDS_GEO_PRNS else "D1"
        except ValueError:
            return "D1"
    return "" if letter == "E" else {"R": "FDMA", "S": "SBAS"}.get(letter, "LNAV")


def _scan_v3(ctx: _Ctx, start: int) -> dict[str, _Group]:
    groups: dict[str, _Group] = {}
    lines = ctx.lines
    recs: list[list[int]] = []
    for i in range(start, len(lines)):
        line = lines[i]
        c = line[:1]
        if c == " " or c == "\t" or not c:
            if line.strip():
                if not recs:
                    raise ctx.error(
                        i, "expected a record's first line (satellite and epoch), found a continuation line"
                    )
                recs[-1].append(i)
        else:
            recs.append([i])
    for r, idx in enumerate(recs):
        first = lines[idx[0]]
        letter = first[0]
        if letter not in SYSTEM_LETTERS:
            if not letter.isalpha():
                raise ctx.error(
                    idx[0], f"expected a satellite id (system letter and PRN), found {first[:3]!r}"
                )
            ctx.skipped[f"records of unknown system {letter!r}"] += 1
            continue
        lay = _EPH3[letter]
        if not _record_complete(ctx, lay, idx, r == len(recs) - 1, 23, 4, first[:3]):
            break
        group = groups.setdefault(lay.name, _Group.new(lay))
        _add_record(
            ctx,
            group,
            first,
            [lines[k] for k in idx[1:]],
            idx,
            first[:3],
            _kepler_msg3(letter, first[1:3]),
            False,
        )
    return groups


def _scan_v4(ctx: _Ctx, start: int) -> dict[str, _Group]:
    groups: dict[str, _Group] = {}
    lines = ctx.lines
    frames: list[list[int]] = []
    for i in range(start, len(lines)):
        line = lines[i]
        if line.startswith(">"):
            frames.append([i])
        elif line.strip():
            if not frames:
                raise ctx.error(i, "expected a '>' frame line (RINEX 4), found data")
            frames[-1].append(i)
    for r, idx in enumerate(frames):
        head = lines[idx[0]]
        kind, sat, msg = head[2:5].strip(), head[6:9], head[10:14].strip()
        letter = sat[:1]
        is_last = r == len(frames) - 1
        if kind == "EPH":
            lay = _EPH4.get((letter, msg))
            if lay is None:
                ctx.skipped[f"EPH {letter} {msg} frames"] += 1
                continue
            if len(idx) < 2:
                if is_last:
                    _record_complete(ctx, lay, idx, True, 23, 4, f"EPH {sat}")
                    break
                raise ctx.error(idx[0], f"EPH {sat} {msg}: frame without a record line")
            first = lines[idx[1]]
            if first[:1] in (" ", "\t") or first[:3].replace(" ", "0") != sat.replace(" ", "0"):
                raise ctx.error(
                    idx[1],
                    f"expected the record line of {sat!r} announced by the frame, found {first[:23]!r}",
                )
            body = idx[1:]
            if not _record_complete(ctx, lay, body, is_last, 23, 4, f"EPH {sat} {msg}"):
                break
            group = groups.setdefault(lay.name, _Group.new(lay))
            _add_record(ctx, group, first, [lines[k] for k in body[1:]], body, sat, msg, False)
            continue
        if kind == "ION":
            lay = _ION4.get((letter, msg))
        elif kind == "EOP":
            lay = _EOP if letter in SYSTEM_LETTERS else None
        elif kind == "STO":
            lay = _STO if letter in SYSTEM_LETTERS else None
        else:
            lay = None
        if lay is None:
            ctx.skipped[f"{kind} {letter} {msg} frames"] += 1
            continue
        body = idx[1:]
        if not body:
            if is_last:
                _record_complete(ctx, lay, idx, True, 23, 4, f"{kind} {sat}")
                break
            raise ctx.error(idx[0], f"{kind} {sat} {msg}: empty frame")
        if not _record_complete(ctx, lay, body, is_last, 23, 4, f"{kind} {sat} {msg}"):
            break
        key = f"{kind}_{lay.name}"
        group = groups.setdefault(key, _Group.new(lay))
        first = lines[body[0]]
        _add_record(ctx, group, first, [lines[k] for k in body[1:]], body, sat, msg, False)
        if kind == "STO":
            group.extra.append((first[24:42].strip(), first[43:61].strip(), first[62:80].strip()))
            group.chunks[-1] = " " * (3 * _FW) + group.chunks[-1][3 * _FW :]  # line 1 holds text
    return groups


# ----------------------------------------------------------------------------------------------
# Building the tables


def _empty_kepler() -> KeplerEph:
    kw = {}
    for f in dc_fields(KeplerEph):
        if f.name == "sat":
            kw[f.name] = np.zeros(0, np.int16)
        elif f.name == "msg":
            kw[f.name] = np.zeros(0, "<U4")
        elif f.name.endswith("_ns"):
            kw[f.name] = np.zeros(0, np.int64)
        elif f.name == "week":
            kw[f.name] = np.zeros(0, np.int32)
        else:
            kw[f.name] = np.zeros(0)
    return KeplerEph(**kw)


def _build_kepler(ctx: _Ctx, groups: list[_Group], v2: bool) -> KeplerEph:
    groups = [g for g in groups if len(g)]
    if not groups:
        return _empty_kepler()
    n = sum(len(g) for g in groups)
    cols: dict[str, np.ndarray] = {}
    names = {f.name for f in dc_fields(KeplerEph)} | {"ttm", "top", "fit"}
    for name in names:
        cols[name] = np.full(n, np.nan)
    sats_s: list[str] = []
    epochs: list[str] = []
    msgs: list[str] = []
    first_line: list[int] = []
    has_week = np.zeros(n, bool)
    week_group: list[tuple[_Group, int, int]] = []
    o = 0
    for g in groups:
        vals = _floats(ctx, g)
        k = len(g)
        for name, slot in g.layout.slots().items():
            cols[name][o : o + k] = vals[:, slot]
        if "week" in g.layout.required:
            has_week[o : o + k] = True
            week_group.append((g, o, g.layout.slots()["week"]))
        sats_s += g.sats
        epochs += g.epochs
        msgs += g.msgs
        first_line += [ln[0] for ln in g.lines]
        o += k
    sat = _sat_indices(ctx, sats_s, first_line)
    letters = np.array([s[0] for s in sats_s])
    ep = _epochs_v2(ctx, epochs, first_line) if v2 else _epochs_v3(ctx, epochs, first_line)
    scales = np.array([_SCALE_OF[c] for c in letters]) if n else np.zeros(0, "<U4")
    toc = _to_gpst(ctx, ep, scales, first_line)

    msg = np.array(msgs, dtype="<U4")
    gal = letters == "E"
    if not v2 and np.any(gal & (msg == "")):
        ds = np.nan_to_num(cols["data_sources"]).astype(np.int64)
        m = gal & (msg == "")
        msg[m] = np.where((ds[m] & 2) != 0, "FNAV", np.where((ds[m] & 5) != 0, "INAV", ""))

    week = np.zeros(n, np.int64)
    for g, o0, slot in week_group:
        k = len(g)
        w = cols["week"][o0 : o0 + k]
        wk = _as_int(ctx, w, "week", g, slot, np.int32)
        if np.any((wk < 0) | (wk > _WEEK_MAX)):
            r = int(np.flatnonzero((wk < 0) | (wk > _WEEK_MAX))[0])
            raise ctx.error(_field_line(g, r, slot), f"week must be 0-{_WEEK_MAX}, found {wk[r]}")
        week[o0 : o0 + k] = wk

    bds = letters == "C"
    toe = np.full(n, NAT_NS, np.int64)
    ttm = np.full(n, NAT_NS, np.int64)
    top = np.full(n, NAT_NS, np.int64)
    toe_s = cols["toe_s"]
    for is_bds, wsys in ((False, "GPS"), (True, "BDS")):
        sel = bds == is_bds
        # records with a week field: toe from the week, moved to the week nearest toc if needed
        m = sel & has_week
        if m.any():
            t = _week_time(week[m], toe_s[m], wsys)
            d = t - toc[m]
            shift = np.where(d > WEEK_NS // 2, -1, np.where(d < -WEEK_NS // 2, 1, 0))
            toe[m] = t + shift * WEEK_NS
            ttm[m] = _week_time(week[m], cols["ttm"][m], wsys)
            week[m] = week[m] + shift
        # records without: GPS/QZSS CNAV toe = toc; BeiDou CNAV toe nearest toc
        m = sel & ~has_week
        if m.any():
            if is_bds:
                toe[m] = _near(toc[m], toe_s[m], wsys)
            else:
                toe[m] = toc[m]
            w, s = week_tow(toe[m], wsys)
            week[m] = w
            toe_s[m] = s
            ttm[m] = _week_time(w, cols["ttm"][m], wsys)
            if is_bds:
                top[m] = _near(toc[m], cols["top"][m], wsys)
            else:
                wn = cols["wn_op"][m]
                ok = np.isfinite(wn) & np.isfinite(cols["top"][m])
                t = _week_time(
                    np.where(ok, wn, 0).astype(np.int64), np.where(ok, cols["top"][m], np.nan), wsys
                )
                top[m] = np.where(ok, t, NAT_NS)

    fit = cols["fit"]
    qzs_lnav = (letters == "J") & (msg == "LNAV")
    fit = np.where(qzs_lnav, np.where(fit == 0, 2.0, np.nan), fit)

    cols.update(
        sat=sat, msg=msg, toc_ns=toc, toe_ns=toe, toe_s=toe_s, week=week.astype(np.int32), ttm_ns=ttm,
        top_ns=top, fit_interval_h=fit,
    )  # fmt: skip
    order = np.lexsort((toc, sat))
    kw = {f.name: cols[f.name][order] for f in dc_fields(KeplerEph)}
    return KeplerEph(**kw)


def _state(cols: dict[str, np.ndarray], p: str, v: str, a: str, scale: float = 1000.0):
    return (
        np.column_stack([cols[p + c] for c in "xyz"]) * scale,
        np.column_stack([cols[v + c] for c in "xyz"]) * scale,
        np.column_stack([cols[a + c] for c in "xyz"]) * scale,
    )


def _simple_cols(ctx: _Ctx, g: _Group) -> dict[str, np.ndarray]:
    vals = _floats(ctx, g)
    return {name: vals[:, slot] for name, slot in g.layout.slots().items()}


def _utc_nearest(ctx: _Ctx, ref_ns: np.ndarray, t_s: np.ndarray, period_ns: int) -> np.ndarray:
    """UTC time of day/week ``t_s`` -> GPST instant nearest ``ref_ns`` (period: day or week)."""
    ok = np.isfinite(t_s) & (np.abs(t_s) < _UNKNOWN)
    cal = to_datetime64(ref_ns, "UTC").astype(np.int64) - _GPS_EPOCH_UNIX_NS  # UTC clock since 1980-01-06
    base = (cal // period_ns) * period_ns
    # modulo the period: some writers give seconds of the week where the day is meant, or negatives
    cand = base + np.rint(np.mod(np.where(ok, t_s, 0.0), period_ns / 1e9) * 1e9).astype(np.int64)
    d = cand - cal
    cand = cand - np.where(d > period_ns // 2, period_ns, 0) + np.where(d < -period_ns // 2, period_ns, 0)
    out = from_datetime64((cand + _GPS_EPOCH_UNIX_NS).astype("datetime64[ns]"), "UTC")
    return np.where(ok, out, NAT_NS)


def _build_glonass(ctx: _Ctx, g: _Group | None, v2: bool) -> GlonassEph:
    if g is None or not len(g):
        z = np.zeros(0)
        z3 = np.zeros((0, 3))
        return GlonassEph(
            np.zeros(0, np.int16), np.zeros(0, np.int64), z, z, z, np.zeros(0, np.int64), z3, z3, z3, z,
            np.zeros(0, np.int8), z, z, z, z, z,
        )  # fmt: skip
    c = _simple_cols(ctx, g)
    first = [ln[0] for ln in g.lines]
    sat = _sat_indices(ctx, g.sats, first)
    ep = _epochs_v2(ctx, g.epochs, first) if v2 else _epochs_v3(ctx, g.epochs, first)
    toc = _to_gpst(ctx, ep, np.full(len(g), "UTC"), first)
    tof = _utc_nearest(ctx, toc, c["tk"], DAY_NS if v2 else WEEK_NS)
    tk_s = np.where(tof == NAT_NS, np.nan, c["tk"] % _DAY_S)
    if not v2:  # seconds of the UTC day from the resolved instant
        utc_cal = to_datetime64(np.where(tof == NAT_NS, 0, tof), "UTC").astype(np.int64)
        tk_s = np.where(tof == NAT_NS, np.nan, (utc_cal % DAY_NS) / 1e9)
    pos, vel, acc = _state(c, "", "v", "a")
    k = _as_int(
        ctx, c["freq_channel"], "GLONASS frequency number", g, g.layout.slots()["freq_channel"], np.int8
    )
    dtau = np.where(np.abs(c["delta_tau_s"]) >= _UNKNOWN, np.nan, c["delta_tau_s"])
    order = np.lexsort((toc, sat))
    return GlonassEph(
        sat[order], toc[order], c["minus_tau_n_s"][order], c["gamma_n"][order], tk_s[order], tof[order],
        pos[order], vel[order], acc[order], c["health"][order], k[order], c["age_days"][order],
        c["status_flags"][order], dtau[order], c["urai"][order], c["health_flags"][order],
    )  # fmt: skip


def _build_sbas(ctx: _Ctx, g: _Group | None, v2: bool) -> SbasEph:
    if g is None or not len(g):
        z = np.zeros(0)
        z3 = np.zeros((0, 3))
        return SbasEph(
            np.zeros(0, np.int16), np.zeros(0, np.int64), z, z, np.zeros(0, np.int64), z3, z3, z3, z, z, z
        )
    c = _simple_cols(ctx, g)
    first = [ln[0] for ln in g.lines]
    sat = _sat_indices(ctx, g.sats, first)
    ep = _epochs_v2(ctx, g.epochs, first) if v2 else _epochs_v3(ctx, g.epochs, first)
    toc = _to_gpst(ctx, ep, np.full(len(g), "GPST"), first)
    ttm = _near(toc, c["ttm"], "GPS")
    pos, vel, acc = _state(c, "", "v", "a")
    order = np.lexsort((toc, sat))
    return SbasEph(
        sat[order], toc[order], c["af0_s"][order], c["af1_sps"][order], ttm[order], pos[order], vel[order],
        acc[order], c["health"][order], c["ura"][order], c["iodn"][order],
    )  # fmt: skip


def _frame_common(ctx: _Ctx, g: _Group):
    first = [ln[0] for ln in g.lines]
    ids = [s if s[1:].strip() else "" for s in g.sats]
    sat = np.zeros(len(g), np.int16)
    have = [k for k, s in enumerate(ids) if s]
    if have:
        sat[have] = _sat_indices(ctx, [ids[k] for k in have], [first[k] for k in have])
    letters = np.array([s[0] for s in g.sats], dtype="<U1")
    ep = _epochs_v3(ctx, g.epochs, first)
    ref = _to_gpst(ctx, ep, np.array([_SCALE_OF[c] for c in letters]), first)
    return sat, letters, np.array(g.msgs, dtype="<U4"), ref


def _build_sto(ctx: _Ctx, g: _Group | None) -> StoTable:
    if g is None or not len(g):
        z = np.zeros(0)
        u = np.zeros(0, "<U18")
        return StoTable(np.zeros(0, np.int16), np.zeros(0, "<U1"), np.zeros(0, "<U4"), np.zeros(0, np.int64),
                        np.zeros(0, "<U4"), u, u, z, z, z, z)  # fmt: skip
    c = _simple_cols(ctx, g)
    sat, letters, msg, ref = _frame_common(ctx, g)
    kind = np.array([e[0] for e in g.extra], dtype="<U4")
    sbas = np.array([e[1] for e in g.extra], dtype="<U18")
    utc = np.array([e[2] for e in g.extra], dtype="<U18")
    order = np.lexsort((ref, sat))
    return StoTable(
        sat[order], letters[order], msg[order], ref[order], kind[order], sbas[order], utc[order],
        c["ttm_s"][order], c["a0_s"][order], c["a1_sps"][order], c["a2_sps2"][order],
    )  # fmt: skip


def _build_eop(ctx: _Ctx, g: _Group | None) -> EopTable:
    if g is None or not len(g):
        z = np.zeros(0)
        return EopTable(np.zeros(0, np.int16), np.zeros(0, "<U1"), np.zeros(0, "<U4"), np.zeros(0, np.int64),
                        z, z, z, z, z, z, z, z, z, z)  # fmt: skip
    c = _simple_cols(ctx, g)
    sat, letters, msg, ref = _frame_common(ctx, g)
    order = np.lexsort((ref, sat))
    a, d = _ARCSEC, _DAY_S
    return EopTable(
        sat[order], letters[order], msg[order], ref[order],
        (c["xp"] * a)[order], (c["dxp"] * a / d)[order], (c["ddxp"] * a / d**2)[order],
        (c["yp"] * a)[order], (c["dyp"] * a / d)[order], (c["ddyp"] * a / d**2)[order],
        c["ttm_s"][order], c["dut1"][order], (c["ddut1"] / d)[order], (c["dddut1"] / d**2)[order],
    )  # fmt: skip


def _build_ion(ctx: _Ctx, groups: list[_Group]) -> IonTable:
    groups = [g for g in groups if len(g)]
    if not groups:
        return IonTable(np.zeros(0, np.int16), np.zeros(0, "<U1"), np.zeros(0, "<U4"), np.zeros(0, "<U5"),
                        np.zeros(0, np.int64), np.zeros((0, 9)))  # fmt: skip
    parts = []
    for g in groups:
        c = _simple_cols(ctx, g)
        coef = np.full((len(g), 9), np.nan)
        for j in range(9):
            if f"c{j}" in c:
                coef[:, j] = c[f"c{j}"]
        sat, letters, msg, ref = _frame_common(ctx, g)
        parts.append((sat, letters, msg, np.full(len(g), g.layout.name, dtype="<U5"), ref, coef))
    sat, letters, msg, model, ref, coef = (np.concatenate([p[k] for p in parts]) for k in range(6))
    order = np.lexsort((ref, sat))
    return IonTable(sat[order], letters[order], msg[order], model[order], ref[order], coef[order])


# ----------------------------------------------------------------------------------------------
# Entry point


def read_nav(path: str | os.PathLike) -> NavData:
    """Read a RINEX 2, 3 or 4 navigation file.

    Parameters
    ----------
    path : str or os.PathLike
        The file (plain or gz/Z/bz2/zip compressed).

    Returns
    -------
    NavData
        Header and the tables :class:`KeplerEph`, :class:`GlonassEph`, :class:`SbasEph`,
        :class:`StoTable`, :class:`EopTable`, :class:`IonTable` (empty tables where the file has
        nothing of that kind).

    Raises
    ------
    FormatError
        If the file is not a RINEX navigation file or a field does not parse (with the line number).
    FileNotFoundError
        If the file does not exist.

    Warns
    -----
    TruncatedFileWarning
        If the file ends inside a record (the complete records before it are returned).
    KompasWarning
        For a missing ``END OF HEADER`` and for skipped frames or records of unsupported types.
    """
    name = os.fspath(path)
    text = read_text(path)
    lines = text.splitlines()
    ctx = _Ctx(name, lines)
    try:
        return _read(ctx)
    except KompasError:
        raise
    except (ValueError, IndexError, KeyError, TypeError, OverflowError, UnicodeError) as exc:
        # a safety net: every expected problem is diagnosed above with its line
        raise FormatError(name, None, f"unreadable navigation data ({type(exc).__name__}: {exc})") from exc


def _read(ctx: _Ctx) -> NavData:
    header, start = _parse_header(ctx)
    v2 = header.version < 3.0
    if v2:
        groups = _scan_v2(ctx, start, header.file_type)
    elif header.version < 4.0:
        groups = _scan_v3(ctx, start)
    else:
        groups = _scan_v4(ctx, start)
    if ctx.skipped:
        what = ", ".join(f"{n} {k}" for k, n in sorted(ctx.skipped.items()))
        warnings.warn(f"{ctx.path}: skipped unsupported content: {what}", KompasWarning, stacklevel=3)
    kepler_names = {"GPS_LNAV", "GAL", "BDS_D", "IRN", "CNAV", "CNV2", "BDS_CNV1", "BDS_CNV2", "BDS_CNV3"}
    return NavData(
        header=header,
        kepler=_build_kepler(ctx, [g for k, g in groups.items() if k in kepler_names], v2),
        glonass=_build_glonass(ctx, groups.get("GLO"), v2),
        sbas=_build_sbas(ctx, groups.get("SBAS"), v2),
        sto=_build_sto(ctx, groups.get("STO_STO")),
        eop=_build_eop(ctx, groups.get("EOP_EOP")),
        ion=_build_ion(ctx, [g for k, g in groups.items() if k.startswith("ION_")]),
        path=None if ctx.path is None else str(ctx.path),
    )
