"""Field-by-field comparison of :func:`kompas.io.readers.rinex_nav.read_nav` with georinex 1.16.2.

georinex keeps epochs on each system's own clock (BDT for BeiDou, UTC for GLONASS), GLONASS and
SBAS states in m (it multiplies km by 1000 as we do), blank fields as 0 (we give NaN), and puts a
second record with the same satellite and epoch in a column ``E11_1``.

georinex 1.16.2 drops every Galileo and BeiDou record of set A's ESBC file (it parses a blank spare
field with ``float("   ")``, logs "malformed line" and leaves NaN), so set A is compared for GPS, QZSS,
GLONASS and SBAS, and Galileo/BeiDou are compared on set C's GRAS file and set H's ELKO file, whose
records georinex does read.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from kompas import read_nav
from kompas.time import WEEK_NS, gpst_from_week_tow, to_datetime64, week_tow

gr = pytest.importorskip("georinex")

pytestmark = pytest.mark.slow

_KEPLER = {
    "SVclockBias": "af0_s", "SVclockDrift": "af1_sps", "SVclockDriftRate": "af2_sps2", "Crs": "crs_m",
    "DeltaN": "delta_n_radps", "M0": "m0_rad", "Cuc": "cuc_rad", "Eccentricity": "e", "Cus": "cus_rad",
    "sqrtA": "sqrt_a_sqrtm", "Toe": "toe_s", "Cic": "cic_rad", "Omega0": "omega0_rad", "Cis": "cis_rad",
    "Io": "i0_rad", "Crc": "crc_m", "omega": "omega_rad", "OmegaDot": "omega_dot_radps", "IDOT": "idot_radps",
}  # fmt: skip
_BY_SYSTEM = {
    "G": {"IODE": "iode", "CodesL2": "codes_l2", "GPSWeek": "week", "L2Pflag": "l2p_flag", "SVacc": "sv_accuracy_m",
          "health": "health", "TGD": "tgd_s", "IODC": "iodc"},
    "E": {"IODnav": "iode", "DataSrc": "data_sources", "GALWeek": "week", "SISA": "sv_accuracy_m",
          "health": "health", "BGDe5a": "bgd_e5a_e1_s", "BGDe5b": "bgd_e5b_e1_s"},
    "C": {"AODE": "aode", "BDTWeek": "week", "SVacc": "sv_accuracy_m", "SatH1": "health", "TGD1": "tgd1_s",
          "TGD2": "tgd2_s", "AODC": "aodc"},
}  # fmt: skip
_BY_SYSTEM["J"] = _BY_SYSTEM["G"]
_WEEK_FIELD = {"G": "GPSWeek", "J": "GPSWeek", "E": "GALWeek", "C": "BDTWeek"}


def _load(path, use):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds = gr.load(path, use=use)
    out: dict = {}
    values = {v: ds[v].values for v in ds.data_vars}
    times = ds.time.values
    for j, sv in enumerate(str(s) for s in ds.sv.values):
        have = ~np.isnan(values["SVclockBias"][:, j])
        for i in np.flatnonzero(have):
            out.setdefault((sv.split("_")[0], times[i]), []).append({v: values[v][i, j] for v in values})
    return out


def _same(ours, theirs) -> bool:
    """Equal, or blank (NaN here, 0 or NaN in georinex)."""
    return ours == theirs or (np.isnan(ours) and (np.isnan(theirs) or theirs == 0.0))


def _sid(sat) -> str:
    return "GRECJSI"[int(sat) // 100 - 1] + f"{int(sat) % 100:02d}"


def _compare_kepler(nav, theirs, systems) -> int:
    k = nav.kepler
    n = 0
    for i in range(len(k)):
        sid = _sid(k.sat[i])
        sys = sid[0]
        if sys not in systems:
            continue
        scale = "BDT" if sys == "C" else "GPST"
        cands = theirs.get((sid, to_datetime64(k.toc_ns[i], scale)), [])
        if sys == "E":  # INAV and FNAV share epochs: pair by data sources
            cands = [c for c in cands if c["DataSrc"] == k.data_sources[i]]
        assert len(cands) == 1, (sid, k.toc_ns[i], len(cands))
        g = cands[0]
        for gname, ours in {**_KEPLER, **_BY_SYSTEM[sys]}.items():
            if ours != "week":
                assert _same(getattr(k, ours)[i], g[gname]), (sid, gname, getattr(k, ours)[i], g[gname])
        wsys = "BDS" if sys == "C" else "GPS"  # RINEX Galileo weeks are GPS weeks
        # toe from the written week, moved by a week when that puts it more than half a week from toc
        week = int(g[_WEEK_FIELD[sys]])
        d = gpst_from_week_tow(week, g["Toe"], wsys) - k.toc_ns[i]
        shift = -1 if d > WEEK_NS // 2 else (1 if d < -WEEK_NS // 2 else 0)
        assert k.week[i] == week + shift and k.toe_ns[i] == gpst_from_week_tow(week + shift, g["Toe"], wsys)
        # the transmission time in the written week, by whole weeks to within half a week of toc (RTKLIB's
        # adjweek): ELKO's C16 has 604859760 s, 1000 weeks and 59760 s
        ttm = gpst_from_week_tow(int(g[_WEEK_FIELD[sys]]), g["TransTime"], wsys)
        ttm -= round((ttm - int(k.toc_ns[i])) / WEEK_NS) * WEEK_NS
        assert k.ttm_ns[i] == ttm, sid
        if sys in "GJ":
            fit = g["FitIntvl"]
            expected = (2.0 if fit == 0 else np.nan) if sys == "J" else fit  # QZSS: a flag
            assert _same(k.fit_interval_h[i], expected), (sid, k.fit_interval_h[i], fit)
        n += 1
    return n


def test_set_a_gps_qzss_glonass_sbas(kompas_data):
    path = kompas_data / "A_2020-177_ESBC_WTZR" / "ESBC00DNK_R_20201770000_01D_MN.rnx.gz"
    nav = read_nav(path)
    theirs = _load(path, {"G", "J", "R", "S"})

    assert _compare_kepler(nav, theirs, "GJ") == 257 + 15

    g = nav.glonass
    assert len(g) == 510
    for i in range(len(g)):
        sid = _sid(g.sat[i])
        (c,) = theirs[(sid, to_datetime64(g.toc_ns[i], "UTC"))]
        pairs = [
            (g.minus_tau_n_s[i], c["SVclockBias"]), (g.gamma_n[i], c["SVrelFreqBias"]),
            (g.tk_s[i], c["MessageFrameTime"] % 86400.0), (g.health[i], c["health"]),
            (g.freq_channel[i], c["FreqNum"]), (g.age_days[i], c["AgeOpInfo"]),
        ]  # fmt: skip
        for j, ax in enumerate("XYZ"):
            pairs += [
                (g.pos_m[i, j], c[ax]),
                (g.vel_mps[i, j], c["d" + ax]),
                (g.acc_mps2[i, j], c["d" + ax + "2"]),
            ]
        for ours, them in pairs:
            assert ours == them, (sid, ours, them)

    s = nav.sbas
    assert len(s) == 2130
    for i in range(len(s)):
        sid = _sid(s.sat[i])
        ours = [s.af0_s[i], s.af1_sps[i], week_tow(s.ttm_ns[i], "GPS")[1], s.health[i], s.ura[i], s.iodn[i]]
        ours += [*s.pos_m[i], *s.vel_mps[i], *s.acc_mps2[i]]
        names = ["SVclockBias", "SVrelFreqBias", "MessageFrameTime", "health", "URA", "IODN"]
        names += ["X", "Y", "Z", "dX", "dY", "dZ", "dX2", "dY2", "dZ2"]
        cands = theirs[(sid, to_datetime64(s.toc_ns[i], "GPST"))]
        assert any(all(o == c[n] for o, n in zip(ours, names, strict=True)) for c in cands), sid


def test_galileo_set_c(kompas_data):
    path = kompas_data / "C_2024-209_AJAC" / "GRAS00FRA_R_20242090000_01D_EN.rnx.gz"
    assert _compare_kepler(read_nav(path), _load(path, {"E"}), "E") == 2377


def test_beidou_and_galileo_set_h(kompas_data):
    path = kompas_data / "H_extra_multignss" / "ELKO00USA_R_20182100000_01D_MN.rnx.gz"
    nav = read_nav(path)
    assert _compare_kepler(nav, _load(path, {"C"}), "C") == 106
    assert _compare_kepler(nav, _load(path, {"E"}), "E") == 1293
