"""Quality control of ESBC's full day (2020-06-25, SEPT POLARX5) against what the data themselves show.

GLONASS on this day: five satellites carry the CDMA L3OC signal (band 3, C3Q/L3Q at 1202.025 MHz on every
satellite). R05, R09 and R21 track it continuously; R04 and R12 give band-3 code and phase that jump
together by about +-22.8 m (about 91 L3 cycles) between two states at most epochs, with the receiver's
loss-of-lock indicator on 36-39 % of them. A detector whose threshold comes from an arc's own robust scale
alone let those jumps through (the scale of such an arc is metres), and MP against band 3 came out at
10-115 m RMS; the scale is now capped by the system's pooled scale.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import kompas
from kompas import carrier_frequency, run_qc, sat_index
from kompas.qc.metrics import CLOCK_JUMP_COLUMNS

ESBC = "A_2020-177_ESBC_WTZR/ESBC00DNK_R_20201770000_01D_30S_MO.crx.gz"
ESBC_NAV = "A_2020-177_ESBC_WTZR/ESBC00DNK_R_20201770000_01D_MN.rnx.gz"


@pytest.fixture(scope="module")
def esbc_glonass(kompas_data):
    obs = kompas.read_obs(kompas_data / ESBC)
    nav = kompas.read_nav(kompas_data / ESBC_NAV)
    return obs, run_qc(obs, nav, systems="R")


def test_glonass_band3_frequency_is_fixed_and_fdma_follows_the_channel(esbc_glonass):
    obs, _ = esbc_glonass
    ch = obs.header.glonass_channels
    sats = sat_index(["R04", "R05", "R09", "R12", "R21"])
    k = np.array([ch.channel(s % 100) for s in sats])
    assert k.tolist() == [6, 1, -2, -1, 4]  # ESBC header, GLONASS SLOT / FRQ #
    f3 = carrier_frequency(sats, ["3Q"] * 5, ch)
    assert np.all(f3 == 1202.025e6)  # ICD L3 CDMA (2016): one frequency for every satellite
    f2 = carrier_frequency(sats, ["2C"] * 5, ch)
    assert np.allclose(f2, 1246.0e6 + 0.4375e6 * k)  # ICD FDMA Ed. 5.1 sec. 3.3.1.4
    ob = obs.observables({"R": (1, 2, 3)})
    fr = ob.frequency_hz(ch)
    m = np.isfinite(ob.phase_cyc[:, 2])
    assert np.all(fr[m, 2] == 1202.025e6)
    # the data agree: the phase advances by code change / wavelength on band 3 (R05, clean)
    r = np.flatnonzero(m & (ob.sat == sats[1]))
    ok = np.diff(ob.epoch[r]) == 1
    lam = np.median(np.diff(ob.code_m[r, 2])[ok] / np.diff(ob.phase_cyc[r, 2])[ok])
    assert lam == pytest.approx(299792458.0 / 1202.025e6, rel=2e-5)


def test_glonass_mp_against_band3_is_decimetres(esbc_glonass):
    _, res = esbc_glonass
    rows = {(r["signal"], r["partner_band"]): r for r in res.tables["multipath"]}
    for sig, par in (("RC1C", 3), ("RC1P", 3), ("RC2C", 3), ("RC2P", 3), ("RC3Q", 1), ("RC3Q", 2)):
        assert 0.1 < rows[sig, par]["rms_m"] < 1.5, (sig, par, rows[sig, par])
    # band 2 against band 3 amplifies the phases' own errors 27 times (f2^2/f3^2 = 1.075): larger than
    # against band 1, but metres would mean slips left in the arcs
    assert rows["RC3Q", 1]["rms_m"] < rows["RC3Q", 2]["rms_m"]
    per_sat = {
        (r["sat"], r["signal"], r["partner_band"]): r["rms_m"] for r in res.tables["multipath_satellite"]
    }
    for sat in ("R05", "R09", "R21"):
        assert per_sat[sat, "RC3Q", 1] < 0.4


def test_glonass_slips_follow_the_receivers_band3(esbc_glonass):
    _, res = esbc_glonass
    slips = {r["band"]: r for r in res.tables["slips"] if r["system"] == "R"}
    # G1/G2: a few slips a day per satellite at most; band 3's jumps do not leak into them
    assert slips[1]["slips_per_1000"] < 1.5 and slips[2]["slips_per_1000"] < 1.5
    # band 3: the receiver itself flags 432 losses of lock (R04 and R12), and every jump is a slip
    assert slips[3]["lli"] == 432
    assert slips[3]["slips"] > 1000


def test_mp_is_decimetres_across_receiver_clock_jumps(kompas_data):
    # P433 (Septentrio, 17 min) has one receiver clock jump in code and phase. The phases are repaired
    # (kompas.preprocess.repair_clock_jumps); the codes of the MP combination must get the same repair, else
    # the jump entered MP in full: 3.3-5.2 km RMS on every signal (york0440.15d, 58 jumps a day: 1098 km)
    obs = kompas.read_obs(kompas_data / "H_extra_multignss" / "P43300USA_R_20190012056_17M_15S_MO.crx.bz2")
    res = run_qc(obs)
    rows = {r["system"]: r for r in res.tables["summary"]}
    assert all(r["clock_jumps"] == 1 for r in rows.values())
    assert [tuple(j) for j in res.tables["clock_jumps"]] == [CLOCK_JUMP_COLUMNS]  # as written without rows
    mps = [v for r in rows.values() for v in r["mp_rms_m"].values() if v is not None]
    assert len(mps) > 20 and max(mps) < 1.5 and np.median(mps) < 0.6


@pytest.mark.warning_location
def test_rinex2_glonass_without_channels_leaves_the_rest_checked(kompas_data):
    # RINEX 2 has no GLONASS SLOT / FRQ # record: without GLONASS navigation data the slots' wavelengths are
    # unknown. Those slots are named and left out; GPS is checked (the whole file used to be refused)
    r2 = kompas_data / "rinex2_hatanaka"
    obs = kompas.read_obs(r2 / "delf0010.21o")
    with pytest.warns(
        kompas.errors.KompasWarning, match=r"^GLONASS slots .*not checked .*: R01, R02, R03, R09"
    ) as rec:
        res = run_qc(obs)
    assert [r["system"] for r in res.tables["summary"]] == ["G"]
    assert rec[0].filename == __file__  # the warning points at the caller of run_qc
    with warnings.catch_warnings():  # GPS alone asked for: the GLONASS slots are not looked at
        warnings.simplefilter("error")
        assert [r["system"] for r in run_qc(obs, systems="G").tables["summary"]] == ["G"]
    # with the day's GLONASS navigation file six slots get their channels; the four without records stay out.
    # The file has no GPS records, and its records (one per slot, 23:45 the day before) are too old at the
    # epochs R03 and R19 were observed
    with pytest.warns(kompas.errors.KompasWarning) as rec:
        res = run_qc(obs, kompas.read_nav(r2 / "dlf10010.21g"))
    said = sorted(str(w.message) for w in rec)
    assert len(said) == 4, said
    # the placed slots' epochs after their records' reach (one record each, 23:45): counted nowhere
    partly = said.pop(2)
    assert partly.startswith(
        "296 satellite-epochs of 4 satellites without a usable broadcast record (2021-01-01T00:15:30 .. "
        "2021-01-01T00:52:00; the navigation data cover 2020-12-31T23:45:18 .. 2020-12-31T23:45:18)"
    )
    assert said[0].startswith("14 satellites have no broadcast record in the navigation data: ")
    assert said[0].endswith(": G01, G07, G08, G10, G11, G13, G15, G16, G18, G20, G21, G23, G26, G27")
    assert said[1].startswith(
        "2 satellites have no usable broadcast record at these epochs (the navigation data"
    )
    assert said[1].endswith(": R03, R19")
    assert said[2].startswith("GLONASS slots ") and said[2].endswith(
        "not checked (give a navigation file with GLONASS records, --nav): R02, R09, R15, R24"
    )
    rows = {r["system"]: r for r in res.tables["summary"]}
    assert rows["R"]["sats"] == 6 and 0.1 < max(rows["R"]["mp_rms_m"].values()) < 1.0
    # the completeness rows say which of their satellites are left out of expt and have (MP keeps them)
    notes = {r["signal"]: r["note"] for r in res.tables["completeness"] if r["system"] == "R"}
    later = (
        "296 observations at epochs without a usable broadcast record (2021-01-01T00:15:30 .. "
        "2021-01-01T00:52:00) not counted"
    )
    assert notes["RC1C"] == f"R03 R19 without a usable broadcast record: 34 observations not counted; {later}"
    assert notes["RC2P"] == f"R03 R19 without a usable broadcast record: 32 observations not counted; {later}"
    assert rows["R"]["note"] == (
        "330 observed satellite-epochs without a usable broadcast record (2021-01-01T00:15:30 .. "
        "2021-01-01T00:52:00) not counted in expt/have"
    )  # R03 and R19 besides the 296


@pytest.mark.warning_location
def test_satellites_without_broadcast_records_keep_their_multipath_and_slips(kompas_data):
    # a navigation file without records (or of another day, or of other systems) placed no satellite, and
    # every MP value and slip fell out with the elevation mask: the run reported "MP -" and no slips while
    # the same file without any navigation file had both. Now such satellites are checked as without one.
    from kompas.errors import KompasWarning

    obs = kompas.read_obs(
        kompas_data / "A_2020-177_ESBC_WTZR/WTZR00DEU_R_20201770000_01D_30S_MO_120epoch.rnx"
    )
    with pytest.warns(KompasWarning) as caught:
        blank = run_qc(obs, kompas.read_nav(kompas_data / "edge_cases/blank.10n"))
    said = [
        str(w.message) for w in caught if issubclass(w.category, KompasWarning) and w.filename == __file__
    ]
    assert any(t.startswith("43 satellites have no broadcast record in the navigation data") for t in said)
    assert any(
        t.startswith("3 SBAS satellites are not placed (SBAS GEO ephemerides are not evaluated)")
        for t in said
    )
    alone = run_qc(obs)
    for name in ("multipath", "multipath_satellite", "slips"):
        assert blank.tables[name] == alone.tables[name] and blank.tables[name], name
    assert any(r["system"] == "G" and r["signal"] == "GC1C" for r in blank.tables["multipath"])
    assert not blank.tables["multipath_elevation"]  # no elevation, no elevation bins


@pytest.mark.warning_location
def test_navigation_data_of_another_day_are_named_as_such(kompas_data):
    """PASA (2026) checked with ESBC's navigation file (2020): the satellites have records, of another day."""
    from kompas.errors import KompasWarning

    obs = kompas.read_obs(kompas_data / "D_2026-120_PASA_SCOA_rtk/PASA00ESP_R_20261201000_02H_30S_MO.rnx")
    nav = kompas.read_nav(kompas_data / "A_2020-177_ESBC_WTZR/ESBC00DNK_R_20201770000_01D_MN.rnx.gz")
    with pytest.warns(KompasWarning) as caught:
        run_qc(obs, nav, systems="GE")
    # each a kompas warning that points at the caller
    text = [
        str(w.message) for w in caught if issubclass(w.category, KompasWarning) and w.filename == __file__
    ]
    late = next(t for t in text if "no usable broadcast record at these epochs" in t)
    assert "(the navigation data cover 2020-06-24T19:50:00 .. 2020-06-26T00:00:00, the observations " in late
    assert "2026-04-30T10:00:00 .. 2026-04-30T11:59:30)" in late and "G01, G02" in late
    # satellites the 2020 file never had a record of are told apart, by hand
    seen = {str(x) for x in kompas.sat_id(np.unique(obs.select(systems="GE").sat))}
    recorded = {str(x) for x in kompas.sat_id(np.unique(nav.kepler.sat))}
    never = [x for x in sorted(seen - recorded, key=lambda x: ("GE".index(x[0]), x))]
    assert len(never) >= 2
    assert (
        f"{len(never)} satellites have no broadcast record in the navigation data: checked without an elevation "
        f"(no mask, no expected counts): {', '.join(never)}"
    ) in text


def test_bds2_code_correction_reaches_only_bds2_igso_and_meo(kompas_data):
    # qc --bds2-correction: BeiDou-2 IGSO/MEO code MP changes (WTZR's hour: C07, C10), GEO (C05) and
    # BeiDou-3 (C19, C20) keep theirs; every satellite is placed by the day's navigation data (no warning)
    a = kompas_data / "A_2020-177_ESBC_WTZR"
    obs = kompas.read_obs(a / "WTZR00DEU_R_20201770000_01D_30S_MO_120epoch.rnx")
    nav = kompas.read_nav(a / "ESBC00DNK_R_20201770000_01D_MN.rnx.gz")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        plain, corrected = run_qc(obs, nav, systems="C"), run_qc(obs, nav, systems="C", bds2_correction=True)
    rows = zip(plain.tables["multipath_satellite"], corrected.tables["multipath_satellite"], strict=True)
    changed = {p["sat"] for p, c in rows if p["rms_m"] != c["rms_m"]}
    assert changed == {"C07", "C10"}
    assert {r["sat"] for r in plain.tables["multipath_satellite"]} == {"C05", "C07", "C10", "C19", "C20"}


def test_no_clock_jump_from_a_missing_epoch_without_doppler(kompas_data):
    # ESBC's day, GPS and Galileo, Doppler left out, nine single epochs missing: the second differences
    # across a missing epoch carry each satellite's range rate times the extra 30 s, and three satellites
    # agreed there on a false 12-microsecond "jump" at epoch 701; only equally spaced epochs are differenced
    import dataclasses

    from kompas.preprocess import detect_clock_jumps

    obs = kompas.read_obs(kompas_data / "A_2020-177_ESBC_WTZR" / "ESBC00DNK_R_20201770000_01D_30S_MO.crx.gz")
    ob = obs.observables({"G": (1, 2), "E": (1, 5)})
    ob = ob.rows(~np.isin(ob.epoch, np.arange(100, 2800, 300)))
    ob = dataclasses.replace(ob, doppler_hz=np.full_like(ob.doppler_hz, np.nan))
    assert len(detect_clock_jumps(ob)) == 0
    # a real jump of 1 ms is still found from the second differences
    jumped = dataclasses.replace(ob, code_m=ob.code_m + np.where(ob.epoch >= 1500, 299792.458, 0.0)[:, None])
    j = detect_clock_jumps(jumped)
    assert j.epoch.tolist() == [1500] and j.code_s.tolist() == [1e-3]


@pytest.mark.warning_location
def test_the_summary_counts_slips_of_the_satellites_it_counts_observations_of(kompas_data):
    # PASA with the trimmed 6-h BRDC: G07 G10 G26 G27 have no record, so the summary's 'have' leaves
    # them out (1171 of the placed satellites above the mask); their 4 slip events were still counted,
    # 7 in all, and o/slps read 167 where the satellites counted had 3 slips (390 obs per slip)
    d = kompas_data / "D_2026-120_PASA_SCOA_rtk"
    obs = kompas.read_obs(d / "PASA00ESP_R_20261201000_02H_30S_MO.rnx")
    with pytest.warns(kompas.errors.KompasWarning):
        res = run_qc(obs, kompas.read_nav(d / "BRDC00WRD_R_20261200800_06H_MN.rnx"))
    g = next(r for r in res.tables["summary"] if r["system"] == "G")
    assert (g["have"], g["slips"], g["obs_per_slip"]) == (1171, 3, 390.3)
    # without navigation data nothing is placed and every satellite counts, on both sides
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        alone = next(r for r in run_qc(obs).tables["summary"] if r["system"] == "G")
    assert (alone["have"], alone["slips"]) == (2146, 9)
