"""Precise point positioning on the shared real data against the MANIFEST truths (issue 14).

Thresholds are the issue's targets where kompas meets them and the measured value plus a margin where it
does not (BENCHMARKS.md says which). Each model switched off must move the solution by what the model
itself predicts (the daily-mean tide, the loading, the antenna's offset): a model dropped from the code
fails these tests.
"""

import warnings

import numpy as np
import pytest

import kompas
from kompas import ppp
from kompas.frames import ecef_to_enu, enu_rotation

A = "A_2020-177_ESBC_WTZR"
D = "D_2026-120_PASA_SCOA_rtk"
E = "E_2026-133_ZIM2"
# The MANIFEST's WTZR truth is EPN ITRF2020 at epoch 2020.0; the session (2020-06-25 00:00-01:00) is
# 0.482 yr later. Moved with WTZR's velocity between that coordinate and the IGS final clock header of
# 2026-04-30 (set D, 6.328 yr later, IGS20): (-16.6, +17.2, +9.8) mm/yr, +9.9 mm east and +7.6 mm north
# at the session (without it every WTZR error here carried ~1.2 cm of plate motion).
WTZR_2020 = np.array([4075580.3111, 931854.0543, 4801568.2808])
WTZR = WTZR_2020 + (np.array([4075580.206, 931854.163, 4801568.343]) - WTZR_2020) * (0.48192 / 6.32843)
PASA = np.array([4644908.98702, -156644.937061, 4353623.158575])
SCOA = np.array([4639940.429559, -136224.81156, 4359552.50278])
ZIM2 = np.array([4331299.584, 567537.709, 4633133.967])


@pytest.fixture(scope="module")
def tables(kompas_data):
    from kompas.io.readers.blq import read_blq
    from kompas.io.readers.gpt3 import read_gpt3_grid
    from kompas.io.readers.satmeta import read_satellite_catalog

    m = kompas_data / "models"
    svb = [m / f"gpsppp.svb_{s}_yrly" for s in ("gps", "gln", "gal", "bei")]
    return dict(
        blq=read_blq(m / "OceanLoading_GOT47_raPPPid.blq"), gpt3=read_gpt3_grid(m / "gpt3_5.grd"),
        catalog=read_satellite_catalog(pride=m / "sat_parameters_PRIDE.txt", svb=svb),
    )  # fmt: skip


@pytest.fixture(scope="module")
def wtzr(kompas_data, tables):
    a = kompas_data / A
    return dict(
        obs=kompas.read_obs(a / "WTZR00DEU_R_20201770000_01D_30S_MO_120epoch.rnx"),
        nav=kompas.read_nav(a / "ESBC00DNK_R_20201770000_01D_MN.rnx.gz"),
        sp3=[kompas.read_sp3(a / f) for f in ("GRG0MGXFIN_20201760000_01D_15M_ORB.SP3.gz",
                                             "GRG0MGXFIN_20201770000_01D_15M_ORB.SP3.gz",
                                             "COD0MGXFIN_20201770000_01D_05M_ORB.SP3")],
        clk=kompas.read_clk(a / "GRG0MGXFIN_20201770000_01D_30S_CLK.CLK.gz"),
        antex=kompas.read_antex(a / "igs20_wettzell_trim.atx"), **tables,
    )  # fmt: skip


@pytest.fixture(scope="module")
def set_d(kompas_data, tables):
    d = kompas_data / D
    return dict(
        nav=kompas.read_nav(d / "BRDC00WRD_R_20261200800_06H_MN.rnx"),
        sp3=kompas.read_sp3(d / "IGS0OPSFIN_20261200945_02H30M_15M_ORB.SP3"),
        clk=kompas.read_clk(d / "IGS0OPSFIN_2026120095930_02H01M_30S_CLK.CLK"),
        antex=kompas.read_antex(d / "igs20_pasa_scoa_gps.atx"),
        bias=kompas.read_bias(kompas_data / E / "COD0OPSFIN_20261330000_01D_01D_OSB.BIA.gz"), **tables,
    )  # fmt: skip


def _run(inputs, **options):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ppp(**inputs, **options)


def _final(sol, truth):
    enu = sol.enu_error_m(truth)[-1]
    return float(np.hypot(enu[0], enu[1])), float(abs(enu[2])), enu


@pytest.fixture(scope="module")
def wtzr_on(wtzr):
    return _run(wtzr, systems="GREC")


def test_wtzr_one_hour_static_four_systems(wtzr_on):
    """Issue target: final H <= 2 cm, V <= 4 cm (measured 1.3 / 2.7 cm against the truth at the session's
    epoch; 1.9 / 2.6 cm against its 2020.0 coordinate)."""
    sol = wtzr_on
    assert sol.ok.all() and (sol.quality == kompas.Quality.PPP).all()
    h, v, _ = _final(sol, WTZR)
    assert h <= 0.02 and v <= 0.04
    assert sol.nsat_by_system["C"].mean() > 3 and sol.nsat_by_system["R"].mean() > 3
    assert 2.20 < sol.states["ztd_m"][-1] < 2.35  # Wettzell, 666 m: ~2.28 m
    assert set(sol.clock_m) >= {"G", "R", "E", "C2"}  # BDS-2 only in CODE's 2020 product


def test_wtzr_uncombined_matches_ionosphere_free(wtzr, wtzr_on):
    unc = _run(wtzr, systems="GREC", observables="uncombined")
    h, v, _ = _final(unc, WTZR)
    assert h <= 0.02 and v <= 0.04  # measured 1.3 / 2.7 cm
    assert np.linalg.norm(unc.pos_m[-1] - wtzr_on.pos_m[-1]) < 0.02


def _tide_mean_enu(sol, truth):
    from kompas.models.ephemeris import moon_position_ecef, sun_position_ecef
    from kompas.models.tides import solid_earth_tide

    t = sol.time_ns
    d = solid_earth_tide(np.broadcast_to(truth, (t.size, 3)), sun_position_ecef(t), moon_position_ecef(t), t)
    llh = sol.llh()[-1]
    return d.mean(0) @ enu_rotation(llh[0], llh[1]).T


@pytest.mark.parametrize(
    ("switch", "tolerance_m"),
    [("solid_tide", 0.015), ("ocean_loading", 0.002), ("rcv_antenna", 0.015)],
)
def test_model_off_moves_the_solution_by_the_model(wtzr, wtzr_on, switch, tolerance_m):
    """Off minus on equals what the model predicts: the mean tide or loading over the hour (WTZR: -10.9 cm
    up for the tide), the receiver antenna's ionosphere-free up offset (+16.6 cm)."""
    off = _run(wtzr, systems="GREC", **{switch: False})
    shift = ecef_to_enu(off.pos_m[-1], wtzr_on.pos_m[-1])
    if switch == "solid_tide":
        expected = _tide_mean_enu(wtzr_on, WTZR)
    elif switch == "ocean_loading":
        from kompas.models.ocean_loading import ocean_loading_enu

        c = wtzr["blq"].station("WTZR")
        expected = ocean_loading_enu(c.amplitude_m, c.phase_rad, wtzr_on.time_ns).mean(0)
    else:
        ant = wtzr["antex"].receiver(wtzr["obs"].station.antenna_type)
        g1 = 1575.42e6**2 / (1575.42e6**2 - 1227.60e6**2)
        expected = np.array([0.0, 0.0, g1 * ant.freqs["G01"].pco_m[2] + (1 - g1) * ant.freqs["G02"].pco_m[2]])
    assert np.abs(shift - expected).max() < tolerance_m, (shift, expected)
    assert np.linalg.norm(expected) > 1.5 * tolerance_m  # the test can see the model (WTZR loading: 5 mm)


@pytest.mark.parametrize("switch", ["sat_antenna", "relativity"])
def test_big_models_off_break_the_solution(wtzr, switch):
    off = _run(wtzr, systems="GREC", **{switch: False})
    h, v, _ = _final(off, WTZR)
    assert max(h, v) > 0.05


def test_pasa_kinematic_with_code_biases(set_d, kompas_data):
    """Issue target RMS of the last 30 min H <= 5, V <= 10 cm: met with CODE's code biases of 13 days later
    (3.9 / 5.2 cm); RTKLIB-EX 4.4 / 12.7, RTKLIB 2.4.3 112 / 20 cm."""
    obs = kompas.read_obs(kompas_data / D / "PASA00ESP_R_20261201000_02H_30S_MO.rnx")
    sol = _run(dict(set_d, obs=obs), systems="G", mode="kinematic", bias_max_age_days=14.0)
    enu = sol.enu_error_m(PASA)[-60:]
    assert np.sqrt(np.mean(np.sum(enu[:, :2] ** 2, 1))) <= 0.05
    assert np.sqrt(np.mean(enu[:, 2] ** 2)) <= 0.10


@pytest.mark.parametrize(("observables", "max_h", "max_v"), [("if", 0.05, 0.07), ("uncombined", 0.07, 0.06)])
def test_pasa_kinematic_smoothed_forward_and_backward(set_d, kompas_data, observables, max_h, max_v):
    """Forward and backward passes combined: every epoch at the level the forward pass reaches only at the
    end (IF: H 3.6, V 4.2 cm RMS over the 2 h; uncombined 4.8 / 2.4 cm). The backward pass used to step
    with a negative dt: the random walks lost variance (IF: V 20 cm RMS) and uncombined smoothing failed
    with a matrix that was not positive definite."""
    obs = kompas.read_obs(kompas_data / D / "PASA00ESP_R_20261201000_02H_30S_MO.rnx")
    sol = _run(dict(set_d, obs=obs), systems="G", mode="kinematic", smoothing="combined",
               observables=observables, bias_max_age_days=14.0)  # fmt: skip
    enu = sol.enu_error_m(PASA)
    assert sol.ok.all()
    assert np.sqrt(np.mean(np.sum(enu[:, :2] ** 2, 1))) <= max_h
    assert np.sqrt(np.mean(enu[:, 2] ** 2)) <= max_v


def test_scoa_static_with_code_biases(set_d, kompas_data):
    """Issue target H <= 3, V <= 5 cm: measured 2.8 / 4.6 cm (RTKLIB-EX 7.5 / 19.9, 2.4.3 32.3 / 7.3)."""
    obs = kompas.read_obs(kompas_data / D / "SCOA00FRA_R_20261201000_02H_30S_MO.rnx")
    sol = _run(dict(set_d, obs=obs), systems="G", bias_max_age_days=14.0)
    h, v, _ = _final(sol, SCOA)
    assert h <= 0.03 and v <= 0.05
    assert any("code biases taken from a bias file" in n for n in sol.record.notes)


def test_pasa_static_is_near_the_target(set_d, kompas_data):
    """Issue target H <= 3 cm is NOT met with the default settings (measured 3.8 / 0.3 cm; 2.2 / 1.8 cm with
    gradients estimated): the threshold here is the measured value with a margin."""
    obs = kompas.read_obs(kompas_data / D / "PASA00ESP_R_20261201000_02H_30S_MO.rnx")
    sol = _run(dict(set_d, obs=obs), systems="G", bias_max_age_days=14.0)
    h, v, _ = _final(sol, PASA)
    assert h <= 0.045 and v <= 0.05


def test_zim2_one_hour_with_osb(kompas_data, tables):
    """Issue target H <= 3 cm: measured 3.4 cm with CODE's OSB, 1.8 cm without (both within the scatter
    of one-hour GPS-only float solutions). The set has no navigation file: the first epoch (00:00:00, the
    clock file's first sample, transmission 0.07 s before it) is solved with clocks extrapolated that far."""
    e = kompas_data / E
    inputs = dict(
        obs=kompas.read_obs(e / "ZIM200CHE_R_20261330000_01H_30S_MO_120epoch.rnx"),
        sp3=kompas.read_sp3(e / "IGS0OPSFIN_20261330000_01D_15M_ORB.SP3"),
        clk=kompas.read_clk(e / "IGS0OPSFIN_20261330000_90M_30S_CLK.CLK"),
        antex=kompas.read_antex(e / "igs20_zim2_gps_trim.atx"),
        bias=kompas.read_bias(e / "COD0OPSFIN_20261330000_01D_01D_OSB.BIA.gz"), **tables,
    )  # fmt: skip
    sol = _run(inputs, systems="G")
    h, v, _ = _final(sol, ZIM2)
    assert h <= 0.035 and v <= 0.03
    assert sol.ok.all() and sol.nsat[0] >= 8
    assert sol.record.ephemeris == "precise"


def test_precise_products_of_another_day_are_refused(wtzr, kompas_data):
    # the 2020 hour with CODE's products of 2021: every satellite fell back to the broadcast ephemerides
    # and the run ended as broadcast PPP under a PPP heading (exit 0); it is now refused before any work
    from kompas.errors import ConfigError

    g = kompas_data / "G_2021-118_SLAC_rinex2"
    sp3, clk = g / "COD0MGXFIN_20211180000_01D_05M_ORB.SP3", g / "COD0MGXFIN_20211180000_01D_30S_CLK.CLK"
    span = "(2020-06-25T00:00:00 .. 2020-06-25T00:59:30)"
    with pytest.raises(ConfigError) as err:
        _run(dict(wtzr, sp3=[kompas.read_sp3(sp3)], clk=kompas.read_clk(clk)), systems="GE")
    assert str(err.value) == (
        f"the SP3 file {sp3} (2021-04-28T18:00:00 .. 2021-04-29T00:00:00) and the observations {span} do "
        "not overlap: give the products of the observations' days, or none for broadcast orbits and clocks"
    )
    # a clock file of another day than the orbits: every satellite fell back to the broadcast states too
    with pytest.raises(ConfigError) as err:
        _run(dict(wtzr, clk=kompas.read_clk(clk)), systems="GE")
    assert str(err.value) == (
        f"the clock file {clk} (2021-04-28T19:30:00 .. 2021-04-28T20:30:00) and the SP3 files "
        "(2020-06-24T00:00:00 .. 2020-06-26T00:00:00) do not overlap: give the clocks of the orbits' days"
    )
    # the day's own products: a few edge epochs at most fall back to the broadcast ephemerides
    own = _run(wtzr, systems="GE")
    assert not any("none from the precise products" in n for n in own.record.notes)
    # the other year's files given beside the day's own are left out, each named: the solution is the
    # own products' (a helper's sweep: 196 cm off when IGS's 2026 files came with GRG's, all broadcast)
    both = _run(dict(wtzr, sp3=[*wtzr["sp3"], kompas.read_sp3(sp3)], clk=[wtzr["clk"], kompas.read_clk(clk)]),
                systems="GE")  # fmt: skip
    np.testing.assert_array_equal(both.pos_m, own.pos_m)
    left = [n for n in both.record.notes if "left out: no sample near" in n]
    assert [n.split(" (")[0] for n in left] == [f"the SP3 file {sp3}", f"the clock file {clk}"]
    # the record names every file given, as kompas ppp does (the API's named the observation file alone)
    given = [
        wtzr["obs"].files[0],
        wtzr["nav"].path,
        *(f.path for f in wtzr["sp3"]),
        sp3,
        wtzr["clk"].path,
        clk,
    ]
    assert both.record.inputs[: len(given)] == tuple(str(p) for p in given)
    assert str(wtzr["antex"].path) in both.record.inputs


def test_a_system_without_phases_on_the_bands_used_is_named(wtzr):
    # WTZR tracks BeiDou on B1I/B3I/B2I: the B1C/B2a pair leaves BeiDou out, and the record says why
    sol = _run(wtzr, systems="GC", **{"signals.if_bands": {"C": ("15",)}})
    assert sol.nsat_by_system["C"].max() == 0 and sol.ok.all()
    assert "C left out: no carrier phase on the bands used (C:1/5; --bands --if-bands)" in sol.record.notes
    uncombined = _run(wtzr, systems="GC", observables="uncombined", bands={"C": ("1", "5"), "G": ("1", "2")})
    assert (
        "C left out: no carrier phase on the bands used (C:1/5; --bands --if-bands)"
        in uncombined.record.notes
    )
    # QZSS asked for but not in the file: nothing to leave out
    assert not any("left out" in n for n in _run(wtzr, systems="GCJ").record.notes)


def test_precise_products_without_the_system_asked_for(wtzr):
    # GRG has no BeiDou: with navigation data BeiDou runs on broadcast ephemerides (as it does beside other
    # systems), saying why; without navigation data that is an error naming what the products hold
    only_grg = dict(wtzr, sp3=wtzr["sp3"][:2])
    sol = _run(only_grg, systems="C")
    assert sol.ok.mean() > 0.95 and sol.record.ephemeris == "broadcast"
    assert any(n.startswith("the precise products (GRG) have no orbits or clocks of the systems C (they hold EGR)")
               for n in sol.record.notes)  # fmt: skip
    with pytest.raises(kompas.errors.KompasError, match=r"the precise products \(GRG\) have no orbits"):
        _run(dict(only_grg, nav=None), systems="C")


@pytest.fixture(scope="module")
def esbc_day(kompas_data, wtzr):
    a = kompas_data / A
    return dict(wtzr, obs=kompas.read_obs(a / "ESBC00DNK_R_20201770000_01D_30S_MO.crx.gz"))


def test_beidou_alone_agrees_with_gps_alone_over_a_day(esbc_day):
    """BeiDou-2 (CODE's 2020 product has no BeiDou-3) alone against GPS alone, ESBC's day. Two models make
    the difference, each checked:

    - satellite antenna offsets consistent with the products: CODE's orbits and clocks are aligned with
      igs14, whose BeiDou-2 offsets are the conventional MGEX ones (z 1.10 m), not GPSPACE's (2.47 m MEO,
      4.92 m IGSO). With GPSPACE's the IGSO and MEO code residuals split by about the 2.45 m between the
      two (measured +1.54 m; with igs14's -0.48 m) and the day lands 2.5 cm from the others';
    - the BeiDou-2 code corrections of Wanninger & Beer (2015): without them the BeiDou-2 code residuals
      are 1.93 m RMS instead of 1.70 m and the day lands 1.8 cm from GPS's (with both: 0.6 cm).
    """
    from kompas.satsys import sat_id

    def split_and_rms(sol):
        r = sol.residuals
        ids = np.array([sat_id(int(s)) for s in r["sat"]])
        code = (r["kind"] == 1) & (r["time_ns"] > r["time_ns"].min() + 2 * 3600 * 10**9)
        igso = code & np.isin(ids, ["C06", "C07", "C08", "C09", "C13", "C16"])
        meo = code & np.isin(ids, ["C11", "C12", "C14"])
        assert igso.sum() > 2000 and meo.sum() > 2000
        res = r["residual_m"]
        return res[igso].mean() - res[meo].mean(), np.sqrt(np.mean(res[igso | meo] ** 2))

    c = _run(esbc_day, systems="C")
    assert any("conventional offsets of IGS14" in n for n in c.record.notes)
    split, rms = split_and_rms(c)
    assert abs(split) < 0.8
    _, rms_raw = split_and_rms(_run(esbc_day, systems="C", bds2_code=False))
    assert rms < 0.95 * rms_raw
    g = _run(esbc_day, systems="G")
    # GRG's orbits of the day end at 23:45: the last 14.5 min are extrapolated, and the run says so
    assert any(
        n.startswith("G: the observations reach 14.5 min after its last epoch") for n in g.record.notes
    )
    assert not any("extrapolated" in n for n in c.record.notes)  # CODE's run to 24:00
    enu = ecef_to_enu(c.pos_m[-1], g.pos_m[-1])
    assert np.hypot(enu[0], enu[1]) < 0.012


def test_a_position_that_is_not_finite_is_not_a_solution(wtzr, monkeypatch):
    # a numerical failure of the filter (here: injected) must leave its epochs unsolved, said, never
    # counted as solved with NaN coordinates
    import importlib

    ppp_module = importlib.import_module("kompas.ppp")  # the module; kompas.ppp is the function
    final = ppp_module._final_positions

    def broken(passes, mode):
        pos, cov, ok, fixed = final(passes, mode)
        pos = pos.copy()
        pos[5:8] = np.nan
        return pos, cov, ok, fixed

    monkeypatch.setattr(ppp_module, "_final_positions", broken)
    sol = _run(wtzr, systems="G")
    assert not sol.ok[5:8].any() and sol.ok[:5].all() and sol.ok[8:].all()
    assert (sol.quality[5:8] == 0).all() and np.isfinite(sol.pos_m[sol.ok]).all()
    assert "3 epochs left unsolved: the filter's position was not finite" in sol.record.notes


def test_ppp_leaves_out_glonass_slots_without_a_channel(kompas_data):
    # a RINEX 2 file with GLONASS, a GPS-only navigation file and CODE's products with GLONASS: the GLONASS
    # slots have no channel (no carrier frequency), so they are left out and named, GPS is solved (its
    # satellite antennas from set D's ANTEX: precise orbits are centres of mass; these first ten minutes,
    # before the clock file's hour, take the SP3 clocks)
    g = kompas_data / "G_2021-118_SLAC_rinex2"
    obs = kompas.read_obs(g / "slac1180.21o")
    obs = obs.take_epochs(obs.epoch_time_ns < obs.epoch_time_ns[0] + 600e9)
    atx = kompas.read_antex(kompas_data / "D_2026-120_PASA_SCOA_rtk" / "igs20_pasa_scoa_gps.atx")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", kompas.errors.KompasWarning)  # the products' notes
        sol = kompas.ppp(
            obs, [kompas.read_nav(g / "brdc1180.21n")], sp3=[kompas.read_sp3(g / "COD0MGXFIN_20211180000_01D_05M_ORB.SP3")],
            clk=[kompas.read_clk(g / "COD0MGXFIN_20211180000_01D_30S_CLK.CLK")], systems="GR", antex=atx,
        )  # fmt: skip
    assert (
        "GLONASS slots without a known frequency channel are not used: R07, R08, R09, R15, R16, R18, R19, R20 "
        "(GLONASS navigation records or the satellite tables, --sat-table, give the channels)"
    ) in sol.record.notes
    assert sol.nsat_by_system["R"].max() == 0 and sol.nsat_by_system["G"].min() >= 5


def test_rinex2_glonass_phases_with_channels_from_the_satellite_tables(kompas_data, tables):
    # SLAC's RINEX 2 file over the hour of CODE's 30-s clocks, GLONASS channels from the satellite tables
    # (no GLONASS navigation file): the G2 phase comes with P2 (the file's C2 carries none) and R09 is on
    # channel -2 since 2016-11-18. Measured: GLONASS phase residuals 0.7 cm RMS, GLONASS alone 9 cm from
    # G+E; with the C2 mode chosen no GLONASS phase was used, and with R09 on -6 every other R09 phase was
    # rejected (12 m residuals); GLONASS alone was 3 m off either way.
    g = kompas_data / "G_2021-118_SLAC_rinex2"
    obs = kompas.read_obs(g / "slac1180.21o")
    t0 = int(kompas.gtime_from_calendar(2021, 4, 28, 19, 30))
    obs = obs.take_epochs((obs.epoch_time_ns >= t0) & (obs.epoch_time_ns <= t0 + 3600e9))
    inputs = dict(
        obs=obs, nav=[kompas.read_nav(g / "brdc1180.21n")], sp3=[kompas.read_sp3(g / "COD0MGXFIN_20211180000_01D_05M_ORB.SP3")],
        clk=[kompas.read_clk(g / "COD0MGXFIN_20211180000_01D_30S_CLK.CLK")], catalog=tables["catalog"],
    )  # fmt: skip
    gre = _run(inputs, systems="GRE")
    res = gre.residuals_to_pandas()
    glo = res[res.sv.str[0] == "R"]
    phase = glo[glo.kind == "phase"]
    assert len(phase) == (glo.kind == "code").sum() > 500 and phase.used.all()
    assert float(np.sqrt(np.mean(phase.residual_m**2))) < 0.02
    ge, r = _run(inputs, systems="GE"), _run(inputs, systems="R")
    assert r.ok[-1] and np.linalg.norm(r.pos_m[-1] - ge.pos_m[-1]) < 0.3


def test_sp3_clocks_serve_outside_the_hour_of_the_clock_file(kompas_data, tables):
    # SLAC's two hours against CODE's SP3 of the day and its 30-s clocks of one hour (19:30-20:30): outside
    # that hour the SP3's own 5-min clocks serve (RTKLIB pephclk). Before, GPS took broadcast orbits and
    # clocks there (49 % of its satellite epochs) and GLONASS and Galileo, without navigation records, lost
    # half their epochs: 2.4 and 2.8 satellites an epoch against 4.8 and 5.6
    g = kompas_data / "G_2021-118_SLAC_rinex2"
    inputs = dict(
        obs=kompas.read_obs(g / "slac1180.21o"), nav=[kompas.read_nav(g / "brdc1180.21n")],
        sp3=[kompas.read_sp3(g / "COD0MGXFIN_20211180000_01D_05M_ORB.SP3")],
        clk=[kompas.read_clk(g / "COD0MGXFIN_20211180000_01D_30S_CLK.CLK")], catalog=tables["catalog"],
    )  # fmt: skip
    sol = _run(inputs, systems="GRE")
    assert sol.ok.all() and len(sol) == 241
    assert sol.nsat_by_system["R"].mean() > 4.5 and sol.nsat_by_system["E"].mean() > 5.0
    notes = " | ".join(sol.record.notes)
    assert "use broadcast ephemerides" not in notes
    assert "30-s clock file (2021-04-28T19:30:00 .. 2021-04-28T20:30:00; the SP3 clocks outside it)" in notes


def _zim2_kinematic_bare(kompas_data):
    e = kompas_data / "E_2026-133_ZIM2"
    obs = kompas.read_obs(e / "ZIM200CHE_R_20261330000_01H_30S_MO_120epoch.rnx")
    obs = obs.take_epochs(obs.epoch_time_ns < obs.epoch_time_ns[0] + 600e9)
    return kompas.ppp(
        obs, None, sp3=[kompas.read_sp3(e / "IGS0OPSFIN_20261330000_01D_15M_ORB.SP3")],
        clk=[kompas.read_clk(e / "IGS0OPSFIN_20261330000_90M_30S_CLK.CLK")],
        antex=kompas.read_antex(e / "igs20_zim2_gps_trim.atx"), systems="G", mode="kinematic",
    )  # fmt: skip


def test_ppp_kinematic_without_navigation_grid_or_satellite_table(kompas_data):
    # set E has no navigation file: the kinematic a priori is the header's position at every epoch; the
    # ANTEX file alone gives the satellite blocks; without a GPT3 grid the troposphere is Saastamoinen, and
    # the record says so
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", kompas.errors.KompasWarning)
        sol = _zim2_kinematic_bare(kompas_data)
    assert len(sol) == 20 and sol.ok.all()
    assert np.all(np.linalg.norm(sol.pos_m - ZIM2, axis=1) < 20.0)  # code-level at the first epochs
    # the ZTD is estimated (RTKLIB's label: Estimate ZTD) on the Saastamoinen a priori (the models note)
    assert sol.record.tropo == "est" and sol.record.clock_reference == "G"
    assert any(n.startswith("models: ") and "tropo=saas" in n for n in sol.record.notes)
    assert "no GPT3 grid: troposphere a priori from Saastamoinen with a standard atmosphere and GMF" in (
        sol.record.notes
    )
    # the file's GLONASS, Galileo and BeiDou, asked for, with GPS-only products and no navigation file: named
    # (they were left out without a word)
    e = kompas_data / "E_2026-133_ZIM2"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", kompas.errors.KompasWarning)
        grec = kompas.ppp(
            kompas.read_obs(e / "ZIM200CHE_R_20261330000_01H_30S_MO_120epoch.rnx").epochs(0, 4), None,
            sp3=[kompas.read_sp3(e / "IGS0OPSFIN_20261330000_01D_15M_ORB.SP3")],
            clk=[kompas.read_clk(e / "IGS0OPSFIN_20261330000_90M_30S_CLK.CLK")],
            antex=kompas.read_antex(e / "igs20_zim2_gps_trim.atx"), systems="GREC",
        )  # fmt: skip
    assert grec.ok.all()
    assert (
        "C, E, R: no precise orbit or clock and no navigation file serve them: not used" in grec.record.notes
    )


@pytest.mark.warning_location
def test_ppp_notes_warn_at_the_callers_line(kompas_data):
    """kompas.ppp's caller, not ppp.py."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _zim2_kinematic_bare(kompas_data)
    kw = [w for w in caught if issubclass(w.category, kompas.errors.KompasWarning)]
    assert len(kw) >= 3 and all(w.filename == __file__ for w in kw), [
        (w.filename, str(w.message)[:40]) for w in kw
    ]
