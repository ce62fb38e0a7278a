"""Record layouts of RINEX 2/3/4 navigation messages: the D19.12 fields of each message, line by line.

References: RINEX 2.11 Tables A4 (GPS), A11 (GLONASS) and the GEO navigation table; RINEX 3.05
Appendix (one navigation record table per system); RINEX 4.01/4.02 Appendix (one table per
message type: LNAV, CNAV, CNV2, INAV/FNAV, D1/D2, CNV1-3, FDMA, SBAS, STO, EOP, ION). A name is
the column of the table the field goes to; ``None`` is a spare field that is not kept.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "FW", "WEEK_MAX", "UNKNOWN", "TOW_MAX", "Layout", "GPS_LNAV", "GAL", "BDS_D",
    "IRN", "GLO", "SBAS", "STO", "EOP", "EPH3", "EPH4", "ION4", "SCALE_OF", "KEPLER_NAMES",
]  # fmt: skip

FW = 19  # width of a D19.12 field
WEEK_MAX = 9999
UNKNOWN = 0.9999e9  # RINEX 3.05 navigation tables: "0.9999E9 if not known"
TOW_MAX = 4 * 604800.0
"""Largest magnitude of ``toe_s`` (s): the tables allow adjustments by +-1 week; anything beyond a few
weeks cannot be a time of week (and 9e18 s would overflow the nanosecond count)."""

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
class Layout:
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

    def last_named(self, j: int) -> int:
        """Number of fields of record line ``j`` up to its last named (kept) field."""
        names = self.lines[j] if j < len(self.lines) else ()
        return max((k + 1 for k, name in enumerate(names) if name is not None), default=0)

    def slots(self) -> dict[str, int]:
        out = {}
        for j, line in enumerate(self.lines):
            for k, name in enumerate(line):
                if name is not None:
                    out[name] = k if j == 0 else 3 + 4 * (j - 1) + k
        return out

    def slot_names(self) -> dict[int, str]:
        """Slot -> field name of every named (kept) field; a spare slot is absent."""
        return {slot: name for name, slot in self.slots().items()}


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
    return Layout(name, lines, len(lines) - 1, frozenset(req))


_L1_LNAV = ("iode", "crs_m", "delta_n_radps", "m0_rad")
_L1_CNAV = ("a_dot_mps", "crs_m", "delta_n_radps", "m0_rad")
_CNAV_L5 = ("idot_radps", "delta_n_dot_radps2", "urai_ned0", "urai_ned1")
_CNAV_L6 = ("urai_ed", "health", "tgd_s", "urai_ned2")
_CNAV_L7 = ("isc_l1ca_s", "isc_l2c_s", "isc_l5i5_s", "isc_l5q5_s")
_BCNV_L5 = ("idot_radps", "delta_n_dot_radps2", "sat_type", "top")
_BCNV_L6 = ("sisai_oe", "sisai_ocb", "sisai_oc1", "sisai_oc2")

GPS_LNAV = _kep(
    "GPS_LNAV",
    _L1_LNAV,
    ("idot_radps", "codes_l2", "week", "l2p_flag"),
    ("sv_accuracy_m", "health", "tgd_s", "iodc"),
    ("ttm", "fit", None, None),
)
GAL = _kep(
    "GAL",
    _L1_LNAV,
    ("idot_radps", "data_sources", "week", None),
    ("sv_accuracy_m", "health", "bgd_e5a_e1_s", "bgd_e5b_e1_s"),
    ("ttm", None, None, None),
)
BDS_D = _kep(
    "BDS_D",
    ("aode", "crs_m", "delta_n_radps", "m0_rad"),
    ("idot_radps", None, "week", None),
    ("sv_accuracy_m", "health", "tgd1_s", "tgd2_s"),
    ("ttm", "aodc", None, None),
)
IRN = _kep(
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
GLO = Layout(
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
SBAS = Layout(
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
_ION_KLOB = Layout(
    "KLOB",
    (("c0", "c1", "c2"), ("c3", "c4", "c5", "c6"), ("c7", "c8", None, None)),
    2,
    frozenset({f"c{i}" for i in range(8)}),
)
_ION_NEQG = Layout("NEQG", (("c0", "c1", "c2"), ("c3", None, None, None)), 1, frozenset({"c0", "c1", "c2"}))
_ION_BDGIM = Layout(
    "BDGIM",
    (("c0", "c1", "c2"), ("c3", "c4", "c5", "c6"), ("c7", "c8", None, None)),
    2,
    frozenset({f"c{i}" for i in range(9)}),
)
EOP = Layout(
    "EOP",
    (
        ("xp", "dxp", "ddxp"),
        (None, "yp", "dyp", "ddyp"),
        ("ttm_s", "dut1", "ddut1", "dddut1"),
    ),
    2,
    frozenset({"xp", "dxp", "ddxp", "yp", "dyp", "ddyp", "dut1", "ddut1", "dddut1"}),
)
STO = Layout(
    "STO", ((None, None, None), ("ttm_s", "a0_s", "a1_sps", "a2_sps2")), 1, frozenset({"a0_s", "a1_sps"})
)

# RINEX 4 EPH message types -> layout
EPH4 = {
    ("G", "LNAV"): GPS_LNAV,
    ("J", "LNAV"): GPS_LNAV,
    ("G", "CNAV"): _CNAV,
    ("J", "CNAV"): _CNAV,
    ("G", "CNV2"): _CNV2,
    ("J", "CNV2"): _CNV2,
    ("E", "INAV"): GAL,
    ("E", "FNAV"): GAL,
    ("C", "D1"): BDS_D,
    ("C", "D2"): BDS_D,
    ("C", "CNV1"): _BDS_CNV1,
    ("C", "CNV2"): _BDS_CNV2,
    ("C", "CNV3"): _BDS_CNV3,
    ("I", "LNAV"): IRN,
    ("R", "FDMA"): GLO,
    ("S", "SBAS"): SBAS,
}
# RINEX 4 ION (system, message) -> layout
ION4 = {
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
EPH3 = {"G": GPS_LNAV, "J": GPS_LNAV, "E": GAL, "C": BDS_D, "I": IRN, "R": GLO, "S": SBAS}
SCALE_OF = {"G": "GPST", "J": "GPST", "I": "GPST", "S": "GPST", "E": "GST", "C": "BDT", "R": "UTC"}

KEPLER_NAMES = frozenset(
    {"GPS_LNAV", "GAL", "BDS_D", "IRN", "CNAV", "CNV2", "BDS_CNV1", "BDS_CNV2", "BDS_CNV3"}
)
"""Layouts whose records go to the Kepler table."""
