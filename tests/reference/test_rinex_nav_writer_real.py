"""RINEX 3.05 navigation writer on set A's mixed navigation file: read -> write -> read gives the same
tables, and RTKLIB (rnx2rtkp) computes the same WTZR solutions from the written file."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import fields

import numpy as np
import pytest

from kompas import read_nav
from kompas.errors import KompasWarning
from kompas.io import read_bytes
from kompas.io.writers.rinex_nav import write_nav
from kompas.satsys import sat_system

SET_A = "A_2020-177_ESBC_WTZR"
NAV_A = f"{SET_A}/ESBC00DNK_R_20201770000_01D_MN.rnx.gz"
WTZR = f"{SET_A}/WTZR00DEU_R_20201770000_01D_30S_MO_120epoch.rnx"


@pytest.fixture(scope="module")
def navs(kompas_data, tmp_path_factory):
    a = read_nav(kompas_data / NAV_A)
    out = tmp_path_factory.mktemp("navw") / "nav.rnx"
    write_nav(a, out)
    return a, read_nav(out), out


def _compare(x, y, name):
    for f in fields(x):
        u, v = getattr(x, f.name), getattr(y, f.name)
        if u.dtype.kind == "f":
            # the D19.12 fields hold 12+ significant digits; zeros compare absolutely
            np.testing.assert_allclose(
                v, u, rtol=1e-11, atol=1e-300, equal_nan=True, err_msg=f"{name}.{f.name}"
            )
        else:
            np.testing.assert_array_equal(v, u, err_msg=f"{name}.{f.name}")


def test_record_counts_per_system(navs):
    a, b, _ = navs
    # MANIFEST / file statistics: G 257, E 1602, C 357, J 15 Keplerian; R 510; S 2130
    counts = dict(zip(*np.unique(sat_system(b.kepler.sat), return_counts=True), strict=True))
    assert counts == {1: 257, 3: 1602, 4: 357, 5: 15}
    assert len(b.glonass) == len(a.glonass) == 510
    assert len(b.sbas) == len(a.sbas) == 2130


@pytest.mark.parametrize("table", ["kepler", "glonass", "sbas"])
def test_round_trip_fields(navs, table):
    a, b, _ = navs
    _compare(getattr(a, table), getattr(b, table), table)


def test_round_trip_header(navs):
    a, b, _ = navs
    assert b.header.version == 3.05 and b.header.system == "M"
    assert set(b.header.iono_corr) == {"GAL", "GPSA", "GPSB"}
    for k, v in a.header.iono_corr.items():
        np.testing.assert_array_equal(b.header.iono_corr[k], v)
    np.testing.assert_array_equal(
        b.header.iono_corr["GPSA"], [4.6566e-09, 1.4901e-08, -5.9605e-08, -1.1921e-07]
    )
    assert b.header.time_corr == a.header.time_corr
    assert b.header.time_corr["GPUT"].a0_s == 9.3132257462e-10 and b.header.time_corr["GPUT"].week == 2111
    assert b.header.leap_seconds == a.header.leap_seconds and b.header.leap_seconds.current == 18


@pytest.mark.skipif(shutil.which("rnx2rtkp") is None, reason="RTKLIB rnx2rtkp is not on PATH")
def test_rtklib_same_solutions(kompas_data, navs, tmp_path):
    _, _, mine = navs
    ref_nav = tmp_path / "ref.rnx"  # decompressed here: rnx2rtkp would otherwise unpack beside the data
    ref_nav.write_bytes(read_bytes(kompas_data / NAV_A))
    conf = tmp_path / "spp.conf"
    conf.write_text("pos1-posmode=single\npos1-navsys=45\n")

    def solve(nav, out):
        cmd = ["rnx2rtkp", "-k", str(conf), "-o", str(out), str(kompas_data / WTZR), str(nav)]
        subprocess.run(cmd, check=True, capture_output=True, timeout=120)
        return [ln for ln in out.read_text().split("\n") if ln and not ln.startswith("%")]

    ref = solve(ref_nav, tmp_path / "ref.pos")
    got = solve(mine, tmp_path / "mine.pos")
    assert len(ref) == 120
    assert got == ref  # identical text: same positions to 0.1 mm in ECEF (9 decimals of a degree)


def test_rinex4_ionosphere_frames_become_the_header_records(kompas_data, tmp_path):
    """A RINEX 4 file keeps its broadcast ionosphere in ``> ION`` frames; the RINEX 3 file written from it
    carries, per system, the set in force at its first ephemeris record as IONOSPHERIC CORR (before, none:
    a simulation from BRD4 wrote a navigation file whose GPS Klobuchar parameters were gone)."""
    from kompas.products.ionosphere import BroadcastIonosphere

    four = read_nav(kompas_data / "H_extra_multignss/BRD400DLR_S_20230710000_01D_MN.rnx.gz")
    out = tmp_path / "nav3.rnx"
    with pytest.warns(KompasWarning, match=r"125 ION frames"):  # 130: one per system written, BDGIM not
        write_nav(four, out)
    got = BroadcastIonosphere(read_nav(out)).parameters
    want = BroadcastIonosphere(four).parameters
    gal = next(x for x in out.read_text().splitlines() if x.startswith("GAL "))
    assert (
        gal[41:53] == " " * 12 and gal[60:].strip() == "IONOSPHERIC CORR"
    )  # NeQuick-G: three, the fourth blank
    assert set(got) == {"GPS_KLOB", "QZS_KLOB", "BDS_KLOB", "IRN_KLOB", "NEQUICK_G"} == set(want) - {"BDGIM"}
    t0 = int(four.kepler.toc_ns.min())
    for model, params in got.items():
        assert params.coef.shape[0] == 1
        # the header's D12.4: four significant digits after the first
        np.testing.assert_allclose(params.coef[0], want[model].at(t0), rtol=6e-5, err_msg=model)


def test_ionosphere_frames_without_ephemeris_records_and_beside_header_records(kompas_data, tmp_path):
    """Without any ephemeris record the frames first sent serve; header records of their own win over frames
    (both written from one NavData: RINEX 3 header, RINEX 4 frames)."""
    import dataclasses

    from kompas.products.ionosphere import BroadcastIonosphere
    from kompas.tables.nav import GlonassEph, KeplerEph, SbasEph, empty_table

    four = read_nav(kompas_data / "H_extra_multignss/BRD400DLR_S_20230710000_01D_MN.rnx.gz")
    bare = dataclasses.replace(four, kepler=empty_table(KeplerEph), glonass=empty_table(GlonassEph),
                               sbas=empty_table(SbasEph))  # fmt: skip
    with pytest.warns(KompasWarning, match=r"125 ION frames"):
        write_nav(bare, tmp_path / "bare.rnx")
    got = BroadcastIonosphere(read_nav(tmp_path / "bare.rnx")).parameters
    sets = BroadcastIonosphere(four).parameters
    for model, params in got.items():
        np.testing.assert_allclose(params.coef[0], sets[model].coef[0], rtol=6e-5, err_msg=model)
    assert not np.allclose(sets["QZS_KLOB"].coef[0], sets["QZS_KLOB"].coef[-1], rtol=1e-3)  # the choice shows

    # records from noon on: the sets in force at the first of them, not the first sets sent
    def later(table, t0):
        keep = table.toc_ns >= t0
        return dataclasses.replace(table, **{f.name: getattr(table, f.name)[keep] for f in fields(table)})

    noon = int(four.kepler.toc_ns.min()) + 12 * 3600 * 10**9
    late = dataclasses.replace(four, kepler=later(four.kepler, noon), glonass=later(four.glonass, noon))
    with pytest.warns(KompasWarning):
        write_nav(late, tmp_path / "late.rnx")
    got = BroadcastIonosphere(read_nav(tmp_path / "late.rnx")).parameters["QZS_KLOB"].coef[0]
    t0 = int(late.record_times_ns().min())
    np.testing.assert_allclose(got, sets["QZS_KLOB"].at(t0), rtol=6e-5)
    assert not np.allclose(got, sets["QZS_KLOB"].coef[0], rtol=1e-3)
    # a frame sent at that very instant is in force there; a system without frames leaves the others be
    ion = late.ion
    q = np.flatnonzero((ion.system == "J") & (ion.model == "KLOB"))
    nxt = q[ion.ttm_ns[q] > t0][np.argmin(ion.ttm_ns[q][ion.ttm_ns[q] > t0])]
    ttm = ion.ttm_ns.copy()
    ttm[nxt] = t0
    no_gps = ion.system != "G"
    tied = dataclasses.replace(
        late,
        ion=dataclasses.replace(
            ion, **{f.name: getattr(ion, f.name)[no_gps] for f in fields(ion)} | {"ttm_ns": ttm[no_gps]}
        ),
    )
    with pytest.warns(KompasWarning):
        write_nav(tied, tmp_path / "tied.rnx")
    written = BroadcastIonosphere(read_nav(tmp_path / "tied.rnx")).parameters
    assert set(written) == {"QZS_KLOB", "BDS_KLOB", "IRN_KLOB", "NEQUICK_G"}
    np.testing.assert_allclose(written["QZS_KLOB"].coef[0], ion.coef[nxt, :8], rtol=6e-5)
    assert not np.allclose(ion.coef[nxt, :8], got, rtol=1e-3)
    three = read_nav(kompas_data / NAV_A)
    both = dataclasses.replace(four, header=three.header)
    with pytest.warns(KompasWarning, match=r"130 ION frames"):  # none written: the header has its own
        write_nav(both, tmp_path / "both.rnx")
    back = read_nav(tmp_path / "both.rnx").header.iono_corr
    assert set(back) == set(three.header.iono_corr) == {"GAL", "GPSA", "GPSB"}
    for name, coef in three.header.iono_corr.items():
        np.testing.assert_array_equal(back[name], coef)
