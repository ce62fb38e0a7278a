"""Satellite metadata from the PRIDE and GPSPACE tables and ANTEX (shared data, models/)."""

from __future__ import annotations

import numpy as np
import pytest

from kompas import gtime_from_calendar, read_antex, sat_id
from kompas.io.readers.satmeta import (
    catalog_from_antex,
    read_gpsppp_svb,
    read_pride_sat_parameters,
    read_satellite_catalog,
)

DAY_A = int(gtime_from_calendar(2020, 6, 25, 12))


@pytest.fixture(scope="module")
def models(kompas_data):
    return kompas_data / "models"


@pytest.fixture(scope="module")
def pride(models):
    return read_pride_sat_parameters(models / "sat_parameters_PRIDE.txt")


@pytest.fixture(scope="module")
def catalog(models):
    svb = [models / f"gpsppp.svb_{s}_yrly" for s in ("gps", "gln", "gal", "bei")]
    return read_satellite_catalog(models / "sat_parameters_PRIDE.txt", svb)


def test_known_facts_2020_06_25(catalog):
    q = ["G01", "G04", "C19", "C25", "C01", "C38", "C59", "R01", "R09", "E11", "E24", "J01"]
    info = catalog.lookup(q, DAY_A)
    assert info.found.all()
    got = dict(zip(q, zip(info.svn, info.block, info.orbit, strict=True), strict=True))
    # PRIDE table: G01 is SVN 63 (IIF) from 2011-197 to 2024-102; G04 SVN 74 (IIIA) since 2019-294
    assert got["G01"] == ("G063", "BLOCK IIF", "MEO")
    assert got["G04"] == ("G074", "BLOCK IIIA", "MEO")
    assert got["C19"] == ("C201", "BEIDOU-3M-CAST", "MEO")
    assert got["C25"] == ("C212", "BEIDOU-3M-SECM", "MEO")
    assert got["C01"] == ("C020", "BEIDOU-2G", "GEO")  # C020 replaced C003 on 2020-091
    assert got["C38"] == ("C220", "BEIDOU-3I", "IGSO")
    assert got["C59"] == ("C217", "BEIDOU-3G-CAST", "GEO")
    assert got["R01"] == ("R730", "GLONASS-M", "MEO")
    assert got["R09"] == ("R802", "GLONASS-K1", "MEO")
    assert got["E11"][1] == "GALILEO-1" and got["E24"][1] == "GALILEO-2"
    assert got["J01"] == ("J001", "QZSS", "IGSO")
    gen = dict(zip(q, info.generation, strict=True))
    assert gen["C19"] == "BDS-3" and gen["C01"] == "BDS-2" and gen["G01"] == ""
    laws = dict(zip(q, info.law_name(), strict=True))
    assert laws["C01"] == "bds2_geo" and laws["C19"] == "bds3_cast" and laws["C25"] == "bds3_secm"
    assert laws["G01"] == "gps_iif" and laws["R01"] == "glonass" and laws["E24"] == "galileo_foc"
    # R01 frequency channel 1 (PRIDE FID column; ICD GLONASS slot 1 -> k = +1)
    assert info.glo_channel[q.index("R01")] == 1
    assert info.mass_kg[q.index("G01")] == 1633.0
    np.testing.assert_allclose(np.degrees(info.max_yaw_rate_rad_s[q.index("G01")]), 0.11)


def test_prn_reuse_over_time(catalog):
    t = [gtime_from_calendar(y, 6, 1) for y in (2010, 2012, 2024, 2025)]
    info = catalog.lookup(["G01"] * 4, np.array(t, dtype=np.int64).ravel())
    # SVN 49 came back as G01 on 2024-113 (PRIDE); GPS III SVN 80 (2024-242A) took G01 after PRIDE's issue date
    assert info.svn.tolist() == ["G049", "G063", "G049", "G080"]
    assert info.block.tolist() == ["BLOCK IIR-M", "BLOCK IIF", "BLOCK IIR-M", "BLOCK IIIA"]
    assert info.source.tolist() == ["PRIDE", "PRIDE", "PRIDE", "GPSPACE"]
    # PRIDE says nothing after its issue date (2024-08-22); GPSPACE has G01 = SVN 80 (GPS III) in 2026
    late = catalog.lookup(["G01"], int(gtime_from_calendar(2026, 5, 13)))
    assert late.svn[0] == "G080" and late.block[0] == "BLOCK IIIA" and late.source[0] == "GPSPACE"
    # GPSPACE rows: COSPAR ids, BeiDou-3 MEO manufacturers from its header lines, GLONASS channels
    g = catalog.lookup(["G01", "C19", "C25", "R01", "R09"], int(gtime_from_calendar(2026, 5, 13)))
    assert (g.source == "GPSPACE").all()
    assert g.cospar.tolist() == ["2024-242A", "2015-037B", "2018-067B", "2009-070A", "2014-075A"]
    assert g.block.tolist()[1:3] == ["BEIDOU-3M-CAST", "BEIDOU-3M-SECM"]
    # R09 (702K) moved from channel -6 to -2 on 2016-11-18 (the table's "Frq Change" row): -2 since then
    assert g.glo_channel.tolist() == [-99, -99, -99, 1, -2]
    gap = catalog.lookup(["C18"], int(gtime_from_calendar(2021, 1, 1)))  # C18 unused since 2020-091
    assert not gap.found[0] and gap.law_name()[0] == "unknown" and np.isnan(gap.nominal_pco_m[0]).all()


def test_nominal_block_offsets(catalog):
    """Offsets from the GPSPACE headers (MANIFEST models/ lists the same numbers)."""
    info = catalog.lookup(["C19", "C11", "C06", "R01", "E24", "G01", "C25"], DAY_A)
    np.testing.assert_allclose(info.nominal_pco_m[0], [-0.200, 0.0, 2.004])
    np.testing.assert_allclose(info.nominal_pco_m[1], [0.560, 0.0, 2.470])
    np.testing.assert_allclose(info.nominal_pco_m[2], [0.560, -0.019, 4.919])
    np.testing.assert_allclose(info.nominal_pco_m[3], [-0.545, 0.0, 2.4])
    np.testing.assert_allclose(info.nominal_pco_m[4], [0.150, 0.0, 1.0])
    np.testing.assert_allclose(info.nominal_pco_m[5], [0.394, 0.0, 1.093])
    np.testing.assert_allclose(info.nominal_pco_m[6], [0.600, 0.040, 1.119])  # commented SECM header line


def _family(block: str) -> str:
    """Block without the IIR-A/IIR-B split and the BDS-3 experimental/manufacturer suffixes."""
    if block.startswith("BLOCK IIR") and block != "BLOCK IIR-M":
        return "BLOCK IIR"
    return block.replace("BEIDOU-3S", "BEIDOU-3").split("-CAST")[0].split("-SECM")[0]


def test_pride_vs_gpspace_cross_check(models, pride):
    """Where both tables cover a spacecraft span (midpoint before PRIDE's issue date), they agree.

    GPS and Galileo: SVN agrees for every span, the block too except SVN 21 (GPSPACE codes it IIR). GLONASS: GPSPACE numbers satellites its own way
    (not IGS SVNs), the block agrees except one changeover span. BeiDou: orbit type agrees everywhere; the SVN differs for three spans
    where GPSPACE is inconsistent with itself (C28 given SVN 103 with COSPAR 2015-037A, C35 SVN 216 twice,
    C40 SVN 221 like C39), and block family agrees except for the experimental BDS-3S satellites that
    GPSPACE files as BEIDOU-2I/3I/3M.
    """
    for tag in ("gps", "gln", "gal", "bei"):
        svb = read_gpsppp_svb(models / f"gpsppp.svb_{tag}_yrly")
        lo = np.maximum(svb.valid_from_ns, 0)
        hi = np.minimum(svb.valid_until_ns, pride.pride_issue_ns)
        use = hi > lo
        mid = lo[use] // 2 + hi[use] // 2
        info = pride.lookup(svb.sat[use], mid)
        found = info.found
        assert found.mean() > 0.95, tag
        block_ok = np.array(
            [_family(a) == _family(b) for a, b in zip(info.block, svb.block[use], strict=True)]
        )
        svn_ok = info.svn == svb.svn[use]
        if tag in ("gps", "gal"):
            assert (svn_ok | ~found).all(), tag
            # one GPSPACE error: SVN 21 (1990-068A, a Block II launched 1990) is coded IIR there
            assert set(svb.svn[use][found & ~block_ok]) <= {"G021"}, tag
        elif tag == "gln":
            # one span differs: R16 in September 2010, when SVN 736 (GLONASS-M) replaced SVN 775
            assert [str(sat_id(x)) for x in svb.sat[use][found & ~block_ok]] == ["R16"]
        else:
            assert (info.orbit == svb.orbit[use])[found].all()
            bad_svn = sorted({str(sat_id(s)) for s in svb.sat[use][found & ~svn_ok]})
            assert bad_svn == ["C28", "C35", "C40"]
            bad_block = {str(sat_id(s)) for s in svb.sat[use][found & ~block_ok]}
            assert bad_block <= {"C16", "C18", "C31", "C32", "C33", "C34", "C56", "C57", "C58"}


def test_antex_satellites_agree_with_pride(kompas_data, pride):
    atx = read_antex(kompas_data / "A_2020-177_ESBC_WTZR" / "igs20_wettzell_trim.atx")
    ant = catalog_from_antex(atx)
    valid = (ant.valid_from_ns <= DAY_A) & (DAY_A <= ant.valid_until_ns)
    info = pride.lookup(ant.sat[valid], DAY_A)
    assert valid.sum() >= 9 and info.found.all()  # the trimmed file keeps 9 satellites valid that day
    assert (info.svn == ant.svn[valid]).all()
    assert (info.block == ant.block[valid]).all()
    # ANTEX outranks the tables in a merged catalog
    merged = pride.merged(ant)
    assert (merged.lookup(ant.sat[valid], DAY_A).source == "ANTEX").all()


def test_bad_pride_line(tmp_path):
    from kompas import FormatError

    p = tmp_path / "sat_parameters"
    p.write_text("+prn_indexed\n G01  G032  1992327:00000 2008XXX:86399 1992-079A 930.00 0.000 0 BLOCK IIA\n")
    with pytest.raises(FormatError, match="line 2"):
        read_pride_sat_parameters(p)


def test_glonass_channels_of_the_two_tables_agree_at_every_date(models):
    # The PRIDE and GPSPACE tables are independent sources; each quarter from 2008 to 2026 every slot both
    # know has the same channel in both. Before GPSPACE rows were kept apart at channel changes they
    # disagreed for 11 slots in 344 of 1763 slot-quarters (R09 at -6 instead of -2 from 2016-11-18 on).
    pride = read_pride_sat_parameters(models / "sat_parameters_PRIDE.txt")
    svb = read_gpsppp_svb(models / "gpsppp.svb_gln_yrly")
    glo = sat_id(np.arange(201, 228)).tolist()
    compared = 0
    for year in range(2008, 2027):
        for month in (1, 4, 7, 10):
            t = int(gtime_from_calendar(year, month, 15))
            a, b = pride.lookup(glo, t), svb.lookup(glo, t)
            both = (a.glo_channel > -99) & (b.glo_channel > -99)
            assert a.glo_channel[both].tolist() == b.glo_channel[both].tolist(), (year, month)
            compared += int(both.sum())
    assert compared > 1500


@pytest.mark.parametrize(
    ("nav", "when"),
    [
        ("A_2020-177_ESBC_WTZR/ESBC00DNK_R_20201770000_01D_MN.rnx.gz", (2020, 6, 25, 12)),
        ("D_2026-120_PASA_SCOA_rtk/BRDC00WRD_R_20261200800_06H_MN.rnx", (2026, 4, 30, 11)),
        ("F_2022-159_KMS3_rinex4/KMS300DNK_R_20221591000_01H_MN.rnx.gz", (2022, 6, 8, 10)),
        ("H_extra_multignss/BRD400DLR_S_20230710000_01D_MN.rnx.gz", (2023, 3, 12, 12)),
        ("H_extra_multignss/ELKO00USA_R_20182100000_01D_MN.rnx.gz", (2018, 7, 29, 12)),
        ("rinex2_hatanaka/p1462100.18g", (2018, 7, 29, 12)),
        ("rinex2_hatanaka/dlf10010.21g", (2021, 1, 1, 1)),
    ],
)
def test_glonass_channels_of_the_tables_are_the_broadcast_ones(catalog, kompas_data, nav, when):
    # the channels PPP takes from the tables when no navigation file gives them, against the channels the
    # satellites broadcast: 122 slot-dates in these files, all equal (18 differed while GPSPACE rows were
    # merged across channel changes)
    from kompas import read_nav

    broadcast = read_nav(kompas_data / nav).glonass_channels().as_dict()
    slots = sorted(broadcast)
    info = catalog.lookup([f"R{k:02d}" for k in slots], int(gtime_from_calendar(*when)))
    known = info.glo_channel > -99
    assert known.sum() >= 0.9 * len(slots)
    assert info.glo_channel[known].tolist() == [
        broadcast[k] for k, ok in zip(slots, known, strict=True) if ok
    ]


def test_a_spacecraft_gpspace_saw_leave_is_not_extended_by_pride(catalog, kompas_data):
    # GPSPACE ends G13 = SVN 43 (IIR) on 2026-04-24, after PRIDE's issue date (2024-08-22), whose G13 record
    # is open-ended; the IGS20 ANTEX of set D (2026-04-30) flies SVN 83, a GPS IIIA, under G13
    t = [int(gtime_from_calendar(2026, 4, d)) for d in (20, 30)]
    info = catalog.lookup(["G13", "G13"], np.array(t))
    assert info.svn.tolist() == ["G043", ""] and not info.found[1]
    atx = read_antex(kompas_data / "D_2026-120_PASA_SCOA_rtk" / "igs20_pasa_scoa_gps.atx")
    with_atx = catalog.merged(catalog_from_antex(atx)).lookup(["G13"], t[1])
    assert with_atx.svn.tolist() == ["G083"] and with_atx.block.tolist() == ["BLOCK IIIA"]
