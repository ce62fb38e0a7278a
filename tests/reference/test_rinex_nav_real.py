"""The navigation reader on the real files of the shared data set.

Record and satellite counts are those of ``MANIFEST.md``; other numbers were read off the file
text by eye (quoted next to each assertion).
"""

from __future__ import annotations

import functools

import numpy as np
import pytest

from kompas import gtime_from_calendar, read_nav, sat_id, sat_index
from kompas.errors import KompasWarning


@functools.lru_cache(maxsize=4)
def load(path):
    """Read once per session (the full-day BRD4 file is used by several tests)."""
    return read_nav(path)


def t(y, mo, d, h=0, mi=0, s=0.0, scale="GPST") -> int:
    return int(gtime_from_calendar(y, mo, d, h, mi, s, scale=scale))


def counts(nav) -> dict[str, tuple[int, int]]:
    """System letter -> (records, satellites) over the three ephemeris tables."""
    sats = np.concatenate([nav.kepler.sat, nav.glonass.sat, nav.sbas.sat])
    out = {}
    for letter in "GRECJSI":
        m = np.array([s[0] == letter for s in sat_id(sats)]) if len(sats) else np.zeros(0, bool)
        if m.any():
            out[letter] = (int(m.sum()), len(np.unique(sats[m])))
    return out


def msg_counts(nav, letter: str) -> dict[str, int]:
    k = nav.kepler
    m = (k.sat // 100) == sat_index(letter + "01") // 100
    u, c = np.unique(k.msg[m], return_counts=True)
    return dict(zip(u.tolist(), c.tolist(), strict=True))


def one(table, sat, **eq) -> int:
    m = table.sat == sat_index(sat)
    for key, v in eq.items():
        m &= getattr(table, key) == v
    (idx,) = np.flatnonzero(m)
    return int(idx)


# (path, {system: (records, satellites) or records}) from MANIFEST.md
MANIFEST = [
    ("A_2020-177_ESBC_WTZR/ESBC00DNK_R_20201770000_01D_MN.rnx.gz",
     {"G": (257, 31), "R": (510, 23), "E": (1602, 24), "C": (357, 29), "J": (15, 3), "S": (2130, 5)}),
    ("D_2026-120_PASA_SCOA_rtk/BRDC00WRD_R_20261200800_06H_MN.rnx",
     {"G": (66, 22), "R": (204, 17), "E": (747, 24), "C": (246, 31), "J": 35, "I": 32, "S": 3469}),
    ("F_2022-159_KMS3_rinex4/KMS300DNK_R_20221591000_01H_MN.rnx.gz",
     {"G": 30, "R": 24, "E": 108, "C": 36, "J": 1, "S": 158}),
    ("H_extra_multignss/BRD400DLR_S_20230710000_01D_MN.rnx.gz",
     {"G": (762, 32), "R": (1240, 26), "E": (5840, 26), "C": (2621, 44), "J": 292, "I": 283, "S": 9072}),
    ("H_extra_multignss/ELKO00USA_R_20182100000_01D_MN.rnx.gz",
     {"G": 225, "R": (494, 24), "E": 1293, "C": (106, 13)}),
    ("B_2024-124_NYA1/NYA100NOR_S_20241240000_01D_CN.rnx.gz", {"C": (194, 18)}),
    ("B_2024-124_NYA1/NYA100NOR_S_20241240000_01D_EN.rnx.gz", {"E": (711, 23)}),
    ("B_2024-124_NYA1/NYA100NOR_S_20241240000_01D_GN.rnx.gz", {"G": (215, 31)}),
    ("C_2024-209_AJAC/GRAS00FRA_R_20242090000_01D_EN.rnx.gz", {"E": 2377}),
    ("rinex2_hatanaka/cbw10010.21n.gz", {"G": 187}),
    ("rinex2_hatanaka/dlf10010.21g", {"R": 7}),
    ("rinex2_hatanaka/amel0010.21g", {"R": 6}),
    ("rinex2_hatanaka/p1462100.18g", {"R": (154, 16)}),
    ("rinex2_hatanaka/brdc1370.20g", {"R": 4}),
    ("G_2021-118_SLAC_rinex2/brdc1180.21n", {"G": 105}),
]  # fmt: skip


@pytest.mark.parametrize(("rel", "expected"), MANIFEST, ids=[m[0].split("/")[-1] for m in MANIFEST])
def test_manifest_counts(kompas_data, rel, expected):
    got = counts(load(kompas_data / rel))
    assert set(got) == set(expected)
    for letter, exp in expected.items():
        if isinstance(exp, tuple):
            assert got[letter] == exp, letter
        else:
            assert got[letter][0] == exp, letter


def test_message_types_brd4_and_kms3(kompas_data):
    brd = load(kompas_data / "H_extra_multignss" / "BRD400DLR_S_20230710000_01D_MN.rnx.gz")
    assert msg_counts(brd, "C") == {"D1": 893, "D2": 168, "CNV1": 634, "CNV2": 926}  # MANIFEST
    # counted with grep on the '> EPH' lines of the file
    assert msg_counts(brd, "G") == {"LNAV": 428, "CNAV": 334}
    assert msg_counts(brd, "J") == {"LNAV": 96, "CNAV": 98, "CNV2": 98}
    assert msg_counts(brd, "E") == {"INAV": 2943, "FNAV": 2897}
    assert (len(brd.sto), len(brd.eop), len(brd.ion)) == (126, 32, 130)
    kms = read_nav(kompas_data / "F_2022-159_KMS3_rinex4" / "KMS300DNK_R_20221591000_01H_MN.rnx.gz")
    assert msg_counts(kms, "E") == {"INAV": 55, "FNAV": 53}
    assert msg_counts(kms, "C") == {"D1": 33, "D2": 3}
    assert (len(kms.sto), len(kms.eop), len(kms.ion)) == (3, 0, 3)


def test_galileo_split_matches_the_gfzrnx_summary_in_set_a(kompas_data):
    # the file's header comments (gfzrnx): "B_SUM EPH E   FNAV 781" and "INAV 821"
    nav = read_nav(kompas_data / "A_2020-177_ESBC_WTZR" / "ESBC00DNK_R_20201770000_01D_MN.rnx.gz")
    assert msg_counts(nav, "E") == {"FNAV": 781, "INAV": 821}


def test_set_a_values(kompas_data):
    nav = read_nav(kompas_data / "A_2020-177_ESBC_WTZR" / "ESBC00DNK_R_20201770000_01D_MN.rnx.gz")
    k, g = nav.kepler, nav.glonass
    # C05 2020 06 24 22 00 00-5.154609680176e-04 ... (GEO, BDT epoch)
    i = one(k, "C05", toc_ns=t(2020, 6, 24, 22, 0, 14))
    assert k.msg[i] == "D2" and k.af0_s[i] == -5.154609680176e-04 and k.crs_m[i] == -4.142968750000e02
    assert k.toe_s[i] == 3.384e05 and k.week[i] == 755 and k.tgd2_s[i] == -9.3e-09
    # R01 2020 06 24 23 15 00 ... X 1.090894238281e+04 km (UTC epoch)
    j = one(g, "R01", toc_ns=t(2020, 6, 24, 23, 15, 18))
    assert g.pos_m[j, 0] == pytest.approx(1.090894238281e07, abs=1e-6)
    assert g.vel_mps[j, 1] == pytest.approx(2.795855522156e03, rel=1e-14)
    assert g.freq_channel[j] == 1 and g.urai[j] == 15.0 and np.isnan(g.delta_tau_s[j])
    h = nav.header
    np.testing.assert_array_equal(h.iono_corr["GPSB"], [8.1920e04, 9.8304e04, -6.5536e04, -5.2429e05])
    assert h.time_corr["GAGP"].a0_s == 2.3574102670e-09 and h.time_corr["GPUT"].t_ref_s == 589824.0
    assert nav.glonass_channels().channel([1]).tolist() == [1]


def test_brd4_values(kompas_data):
    nav = load(kompas_data / "H_extra_multignss" / "BRD400DLR_S_20230710000_01D_MN.rnx.gz")
    k = nav.kepler
    # > EPH C19 CNV1 / C19 2023 03 12 00 00 00-8.956108940765e-04 ...
    i = one(k, "C19", msg="CNV1", toc_ns=t(2023, 3, 12, 0, 0, 14))
    assert k.af0_s[i] == -8.956108940765e-04 and k.a_dot_mps[i] == -2.287387847900e-03
    assert k.isc_b1cd_s[i] == -8.731149137020e-10 and k.tgd_b1cp_s[i] == 9.487848728895e-09
    assert k.sat_type[i] == 3.0 and k.week[i] == 897
    # > EPH E01 INAV / FNAV at 2023 03 12 00 00 00: data sources 516 and 258
    assert k.data_sources[one(k, "E01", msg="INAV", toc_ns=t(2023, 3, 12))] == 516.0
    assert k.data_sources[one(k, "E01", msg="FNAV", toc_ns=t(2023, 3, 12))] == 258.0
    # > EPH R01 FDMA / R01 2023 03 12 00 15 00 ... 1.790000000000e+02 8.381903171539e-09 ...
    g = nav.glonass
    j = one(g, "R01", toc_ns=t(2023, 3, 12, 0, 15, 18))
    assert g.status_flags[j] == 179.0 and g.delta_tau_s[j] == 8.381903171539e-09
    # > STO C19 D1D2 / 2023 03 12 00 00 14 BDUT ... UTC(NTSC)
    s = nav.sto
    m = (s.sat == sat_index("C19")) & (s.kind == "BDUT")
    assert m.sum() >= 1 and set(s.utc_id[m]) == {"UTC(NTSC)"}
    assert set(nav.ion.model) == {"KLOB", "NEQG", "BDGIM"}


def test_rinex2_glonass_epochs_are_utc(kompas_data):
    # p1462100.18g: "22 18  7 28 23 45  0.0-5.727540701628D-05 ..."
    nav = read_nav(kompas_data / "rinex2_hatanaka" / "p1462100.18g")
    g = nav.glonass
    i = one(g, "R22", toc_ns=t(2018, 7, 28, 23, 45, 0, "UTC"))
    assert g.toc_ns[i] == t(2018, 7, 28, 23, 45, 18)
    assert g.minus_tau_n_s[i] == -5.727540701628e-05 and g.freq_channel[i] == -3
    # brdc1370.20g (RINEX 2.01): " 2 20  5 16  0 15  0.0 0.426834449172D-03 ..."
    nav = read_nav(kompas_data / "rinex2_hatanaka" / "brdc1370.20g")
    assert nav.header.version == 2.01
    j = one(nav.glonass, "R02", toc_ns=t(2020, 5, 16, 0, 15, 18))
    assert nav.glonass.minus_tau_n_s[j] == 0.426834449172e-03
    assert nav.header.time_corr["GLUT"].a0_s == -0.465661287308e-09


def test_rinex2_gps(kompas_data):
    # cbw10010.21n.gz: " 1 21  1  1  2  0  0.0 7.874774746600D-04-5.911715561520D-12 ..."
    nav = read_nav(kompas_data / "rinex2_hatanaka" / "cbw10010.21n.gz")
    k = nav.kepler
    i = one(k, "G01", toc_ns=t(2021, 1, 1, 2))
    assert k.af0_s[i] == 7.874774746600e-04 and k.iode[i] == 52.0 and k.toe_s[i] == 4.392e05
    assert k.week[i] == 2138 and k.ttm_ns[i] == t(2021, 1, 1, 0, 16, 18)  # 432978 s of week 2138
    assert np.isnan(k.fit_interval_h[i])  # the last line holds only the transmission time
    np.testing.assert_array_equal(
        nav.header.iono_corr["GPSA"], [0.7451e-08, -0.1490e-07, -0.5960e-07, 0.1192e-06]
    )


def test_edge_blank(kompas_data):
    nav = read_nav(kompas_data / "edge_cases" / "blank.10n")
    assert nav.header.version == 2.11
    assert len(nav.kepler) == len(nav.glonass) == len(nav.sbas) == 0


def test_edge_incomplete_header(kompas_data):
    # only "2 NAVIGATION DATA" then one GPS record: read the record, warn about the header
    with pytest.warns(KompasWarning, match="no END OF HEADER"):
        nav = read_nav(kompas_data / "edge_cases" / "brdc1370_incomplete.20n")
    k = nav.kepler
    assert len(k) == 1 and k.sat[0] == sat_index("G01") and k.toc_ns[0] == t(2020, 5, 16, 2)
    assert k.af0_s[0] == -0.380465760827e-03 and k.toe_s[0] == 525600.0 and k.week[0] == 2105
    assert nav.header.leap_seconds is None


def test_edge_no_leap_seconds(kompas_data):
    nav = read_nav(kompas_data / "edge_cases" / "brdc1370_no_leapseconds.20n")
    assert nav.header.leap_seconds is None and len(nav.kepler) == 1
    gput = nav.header.time_corr["GPUT"]
    assert (gput.a0_s, gput.a1_sps, gput.t_ref_s, gput.week) == (
        -0.931322574615e-09,
        0.355271367880e-14,
        61440,
        2106,
    )


def test_edge_no_gps_iono(kompas_data):
    nav = read_nav(kompas_data / "edge_cases" / "BRDM00DLR_S_20230730000_01D_MN_no_gps_iono.rnx")
    h = nav.header
    assert set(h.iono_corr) == {"GAL", "BDSA", "BDSB", "QZSA", "QZSB", "IRNA", "IRNB"}
    np.testing.assert_array_equal(h.iono_corr["GAL"][:3], [1.3875e02, 1.2891e-01, 1.8494e-02])
    assert np.isnan(h.iono_corr["GAL"][3])
    assert h.time_corr["BDUT"].t_ref_s == 14 and h.time_corr["BDUT"].week == 2253
    assert len(h.time_corr) == 10
    ls = h.leap_seconds
    assert (ls.current, ls.future, ls.week, ls.day) == (18, 18, 1929, 7)
    assert len(nav.kepler) == 1 and nav.kepler.af0_s[0] == 2.030883915722e-04


def test_edge_spare_filled(kompas_data):
    nav = read_nav(kompas_data / "edge_cases" / "spare_filled_nav3.rnx")
    k = nav.kepler
    # "G01 2020 01 01 00 00 00" and "G 1 2020 01 01 02 00 00" are the same satellite
    assert k.toc_ns[k.sat == sat_index("G01")].tolist() == [t(2020, 1, 1), t(2020, 1, 1, 2)]
    assert (k.sat == sat_index("G04")).sum() == 2
    e = one(k, "E02")
    assert k.msg[e] == "INAV" and k.data_sources[e] == 516.0 and k.week[e] == 2086
    assert k.bgd_e5b_e1_s[e] == -0.442378222942e-08
    r = one(nav.glonass, "R21")
    assert nav.glonass.tk_s[r] == 54000.0  # 3.132000000000E+05 s of the UTC week: Wednesday 15:00
    assert nav.glonass.freq_channel[r] == 4
    assert nav.header.time_corr["GLUT"].a0_s == -0.9313225746e-09
