"""PPP on simulated data with precise products written from the simulator's own truth (closed loop)."""

import dataclasses
import warnings

import numpy as np
import pytest

import kompas
from kompas import gtime_from_calendar, ppp
from kompas.errors import ConfigError
from kompas.sim import ErrorModel, simulate, write_products

TRUTH = np.array([4075580.3111, 931854.0543, 4801568.2808])
START = int(gtime_from_calendar(2024, 3, 1, 0, 0, 0))
# the simulator's ranges have no antenna offsets, tides, wind-up, Shapiro delay or troposphere when its
# error terms are off: the same terms are switched off in PPP
MODELS_OFF = dict(
    sat_antenna=False, rcv_antenna=False, windup=False, solid_tide=False, ocean_loading=False, pole_tide=False,
    shapiro=False, tropo="off", gradients="off", bds2_code=False,
)  # fmt: skip
# ErrorModel.default() simulates the phase wind-up (satellites in nominal yaw attitude): PPP corrects it
WINDUP_ON = dict(MODELS_OFF, windup=True)
# ... and the solid Earth tide of the receiver, which PPP's model removes
DEFAULT_ERRORS_ON = dict(WINDUP_ON, solid_tide=True)


def osb_from_truth(truth, sats):
    """Bias-SINEX-like OSB of the simulator's satellite group delays against the products' clocks (IGS
    convention: the ionosphere-free pair's clock, :func:`kompas.sim.products.if_clock_offset_s`): codes the
    delay minus the pair's, phases minus the pair's. With them every code and phase refers to the product
    clocks, the pair's OSBs cancel in its ionosphere-free combination (as CODE's do) and the
    Melbourne-Wuebbena and narrow-lane ambiguities are integers."""
    from kompas import BiasData, sat_id
    from kompas.io.readers.bias import OPEN_END_NS
    from kompas.sim.products import if_clock_offset_s
    from kompas.sim.signals import satellite_signals

    cells = [
        (s, sig, kind) for s in np.unique(sats).tolist() for sig in satellite_signals(s) for kind in "CL"
    ]
    n = len(cells)
    sat = np.array([c[0] for c in cells], np.int16)
    pair = dict(
        zip(np.unique(sats).tolist(), if_clock_offset_s(truth, np.unique(sats)).tolist(), strict=True)
    )
    value = np.array(
        [
            (truth.group_delay_s(np.array([s]), np.array([g]))[0] if k == "C" else 0.0) - pair[s]
            for s, g, k in cells
        ]
    )
    ids = sat_id(sat)
    return BiasData(
        kind=np.full(n, "OSB"), svn=ids.astype("U4"), sat=sat, system=np.array([i[0] for i in ids]),
        station=np.full(n, "", "U9"), obs1=np.array([k + g for _, g, k in cells], "U4"), obs2=np.full(n, "", "U4"),
        start_ns=np.zeros(n, np.int64), end_ns=np.full(n, OPEN_END_NS, np.int64), unit=np.full(n, "s", "U3"),
        value=value, std=np.full(n, np.nan), slope_per_s=np.full(n, np.nan), slope_std_per_s=np.full(n, np.nan),
        description={}, clock_reference={}, time_system="GPST", reference={}, comments=(), version="1.00",
        agency="SIM", data_agency="SIM", created_ns=None, file_start_ns=None, file_end_ns=None, bias_mode="A",
        n_declared=n,
    )  # fmt: skip


def _in_cycles(bias):
    """The same biases with the phase rows in cycles, as Bias-SINEX may give them (UNIT cyc)."""
    from kompas.satsys import carrier_frequency

    ph = np.char.startswith(bias.obs1, "L")
    value, unit = bias.value.copy(), bias.unit.copy()
    value[ph] *= carrier_frequency(bias.sat[ph], bias.obs1[ph])
    unit[ph] = "cyc"
    return dataclasses.replace(bias, value=value, unit=unit)


def _products(res, tmp_path, hours):
    sats = np.unique(res.obs.sat)
    sp3, clk = tmp_path / "SIM.sp3", tmp_path / "SIM.clk"
    write_products(res.truth, sats, START, START + int(hours * 3600e9), sp3_path=sp3, clk_path=clk)
    return kompas.read_sp3(sp3), kompas.read_clk(clk)


@pytest.fixture(scope="module")
def sim_gre(tmp_path_factory):
    res = simulate(TRUTH, START, hours=1.5, interval_s=30.0, systems="GRE", errors="none", seed=3)
    return res, _products(res, tmp_path_factory.mktemp("products"), 1.5)


def test_closed_loop_recovers_the_truth_to_a_millimetre(sim_gre):
    """Errors off: GPS + GLONASS + Galileo (E1/E5a, the pair of the products' clocks: IGS convention)."""
    res, (sp3, clk) = sim_gre
    start = tuple(TRUTH + np.array([30.0, -20.0, 50.0]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sol = ppp(
            res.obs, res.nav, sp3, clk, systems="GRE", apriori_m=start, if_bands={"E": ("15",)}, **MODELS_OFF
        )
    assert sol.ok.all()
    enu = sol.enu_error_m(TRUTH)
    assert np.abs(enu[-1]).max() < 0.001
    assert np.abs(enu[60:]).max() < 0.005  # after 30 min
    assert abs(sol.states["ztd_m"][-1]) < 0.002  # no troposphere simulated
    # DOPs of the satellites used (empty before: GGA's HDOP field), the single point DOPs of the same ones
    from kompas import spp

    single = spp(res.obs, res.nav, systems="GRE", elmask_deg=sol.record.elmask_deg)
    np.testing.assert_allclose(sol.hdop, single.hdop, rtol=1e-3)
    np.testing.assert_allclose(sol.pdop, single.pdop, rtol=1e-3)


def test_closed_loop_uncombined_and_kinematic(sim_gre):
    res, (sp3, clk) = sim_gre
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        unc = ppp(res.obs, res.nav, sp3, clk, systems="GRE", observables="uncombined", bands={"E": ("1", "5")},
                  **MODELS_OFF)  # fmt: skip
        kin = ppp(
            res.obs, res.nav, sp3, clk, systems="GRE", mode="kinematic", if_bands={"E": ("15",)}, **MODELS_OFF
        )
    # the other mode's band choice is refused, not ignored
    with pytest.raises(ConfigError, match=r"if_bands \(--if-bands\) chooses the pairs of --observables if"):
        ppp(res.obs, res.nav, sp3, clk, observables="uncombined", if_bands={"E": ("15",)})
    with pytest.raises(ConfigError, match=r"bands \(--bands\) chooses the bands of --observables uncombined"):
        ppp(res.obs, res.nav, sp3, clk, bands={"E": ("1", "5")})
    with pytest.raises(ConfigError, match=r"precise clocks \(clk\) need the SP3 orbits"):
        ppp(res.obs, res.nav, clk=clk)
    assert np.abs(unc.enu_error_m(TRUTH)[-1]).max() < 0.002
    assert np.abs(kin.enu_error_m(TRUTH)[-30:]).max() < 0.01
    # residuals per satellite, signal and kind: both Galileo bands apart in the uncombined run, the pair
    # in the ionosphere-free one; errors off, so the last half hour fits to millimetres
    cols = unc.residual_columns()
    gal = np.char.startswith(cols["sv"], "E")
    assert set(cols["signal"][gal].tolist()) == {"1C", "5Q"}
    assert set(cols["kind"].tolist()) == {"phase", "code"}
    late = cols["time"] >= cols["time"][-1] - np.timedelta64(30, "m")
    assert np.abs(cols["residual_m"][late & (cols["kind"] == "phase")]).max() < 0.005
    kin_cols = kin.residual_columns()
    assert set(kin_cols["signal"][np.char.startswith(kin_cols["sv"], "E")].tolist()) == {"1C+5Q"}


def test_closed_loop_with_noise_multipath_and_ionosphere(tmp_path):
    """Every continuous error term of the simulator on (noise, multipath, ionosphere, troposphere, wind-up,
    inter-system biases), PPP with its troposphere model: within a few centimetres after 1.5 h."""
    res = simulate(
        TRUTH, START, hours=1.5, interval_s=30.0, systems="GE", errors=ErrorModel.default(), seed=5
    )
    sp3, clk = _products(res, tmp_path, 1.5)
    opts = dict(DEFAULT_ERRORS_ON, systems="GE", if_bands={"E": ("15",)}, tropo="saas")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sol = ppp(res.obs, res.nav, sp3, clk, **opts)
    enu = sol.enu_error_m(TRUTH)[-1]
    assert np.hypot(enu[0], enu[1]) < 0.03 and abs(enu[2]) < 0.05


def test_closed_loop_four_systems_with_truth_biases(tmp_path):
    """With the simulated group delays as OSB every system's codes agree with the clocks: G+R+E+C, the
    default band pairs (BeiDou B1I+B3I, Galileo E1+E5a), recover the truth to a millimetre."""
    res = simulate(TRUTH, START, hours=1.5, interval_s=30.0, systems="GREC", errors="none", seed=4)
    sp3, clk = _products(res, tmp_path, 1.5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sol = ppp(res.obs, res.nav, sp3, clk, bias=osb_from_truth(res.truth, res.obs.sat), **MODELS_OFF)
    assert np.abs(sol.enu_error_m(TRUTH)[-1]).max() < 0.001
    assert set(sol.clock_m) >= {"G", "R", "E", "C3"}
    # the products' clocks are the IGS ionosphere-free pairs': the default pairs need no bias file (with the
    # B3I clocks written before, BeiDou alone was 24 m off horizontally without one); BeiDou alone is 3 mm off after
    # 1.5 h with or without the biases
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bare = ppp(res.obs, res.nav, sp3, clk, systems="C", **MODELS_OFF)
        biased = ppp(res.obs, res.nav, sp3, clk, bias=osb_from_truth(res.truth, res.obs.sat), systems="C",
                     **MODELS_OFF)  # fmt: skip
    assert np.abs(bare.pos_m - biased.pos_m).max() < 1e-4
    assert np.abs(bare.enu_error_m(TRUTH)[-1]).max() < 0.005


def test_closed_loop_with_the_troposphere_and_wind_up(tmp_path):
    """The simulated troposphere (Saastamoinen zenith delays, Niell mapping) and wind-up, corrected by
    PPP's own models (Saastamoinen a priori, GMF, estimated zenith wet delay; wind-up of the nominal
    attitude): within a millimetre. The slant form's 1/sin(el), which no real atmosphere follows, leaves
    a PPP that estimates the zenith delay about 15 cm low (measured 2026-12-01: -15.1 cm)."""
    opts = dict(WINDUP_ON, systems="GE", if_bands={"E": ("15",)}, tropo="saas", mapping="gmf")
    errors = ErrorModel(troposphere=True, windup=True)
    res = simulate(TRUTH, START, hours=1.5, interval_s=30.0, systems="GE", errors=errors, seed=5)
    sp3, clk = _products(res, tmp_path, 1.5)
    slant = dataclasses.replace(errors, troposphere_model="saastamoinen")
    res_slant = simulate(TRUTH, START, hours=1.5, interval_s=30.0, systems="GE", errors=slant, seed=5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sol = ppp(res.obs, res.nav, sp3, clk, **opts)
        off = ppp(res.obs, res.nav, sp3, clk, **dict(opts, windup=False))
        worse = ppp(res_slant.obs, res_slant.nav, sp3, clk, **opts)
    assert np.abs(sol.enu_error_m(TRUTH)[-1]).max() < 0.002
    assert np.abs(off.enu_error_m(TRUTH)[-1]).max() > 0.005  # the wind-up is there to be corrected
    assert worse.enu_error_m(TRUTH)[-1][2] < -0.10


def test_closed_loop_with_the_solid_tide(tmp_path):
    """The receiver moved by the solid Earth tide (IERS 2010), PPP with the same model: the tide-free marker
    within a millimetre; without the model the solution carries the tide's centimetres."""
    res = simulate(TRUTH, START, hours=1.5, interval_s=30.0, systems="GE", errors=ErrorModel(solid_tide=True),
                   seed=5)  # fmt: skip
    sp3, clk = _products(res, tmp_path, 1.5)
    opts = dict(MODELS_OFF, systems="GE", if_bands={"E": ("15",)})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sol = ppp(res.obs, res.nav, sp3, clk, **dict(opts, solid_tide=True))
        off = ppp(res.obs, res.nav, sp3, clk, **opts)
    assert np.abs(sol.enu_error_m(TRUTH)[-1]).max() < 0.001
    assert np.abs(off.enu_error_m(TRUTH)[-1]).max() > 0.02  # the tide is there to be corrected


def test_the_simulators_products_need_no_option(tmp_path):
    """PPP with every default model on kompas.sim's data and products (default errors): the orbits are
    recognised as the simulation's truth, whose positions are the antenna phase centres, so no satellite
    antenna offset is applied (the catalog's nominal ones would be metres wrong) and the run says so."""
    res = simulate(
        TRUTH, START, hours=1.5, interval_s=30.0, systems="GE", errors=ErrorModel.default(), seed=5
    )
    sp3, clk = _products(res, tmp_path, 1.5)
    assert sp3.simulated and not dataclasses.replace(sp3, comments=("IGS final",)).simulated
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sol = ppp(res.obs, res.nav, sp3, clk, systems="GE")
    enu = sol.enu_error_m(TRUTH)[-1]
    assert np.hypot(enu[0], enu[1]) < 0.03 and abs(enu[2]) < 0.05
    assert any("kompas.sim's truth" in n for n in sol.record.notes)


def test_ambiguity_resolution_fixes_and_helps(tmp_path):
    """Wide lane then narrow lane with bias-corrected observations: with noise and multipath, the fixed
    epochs are closer to the truth than the float ones; without phase biases nothing is fixed."""
    err = dataclasses.replace(ErrorModel.default(), troposphere=False)
    res = simulate(TRUTH, START, hours=1.0, interval_s=30.0, systems="GEC", errors=err, seed=1)
    sp3, clk = _products(res, tmp_path, 1.0)
    bias = osb_from_truth(res.truth, res.obs.sat)
    opts = dict(DEFAULT_ERRORS_ON, systems="GEC")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fix = ppp(res.obs, res.nav, sp3, clk, bias=bias, resolution="wl+nl", **opts)
        flo = ppp(res.obs, res.nav, sp3, clk, bias=bias, **opts)
        cyc = ppp(res.obs, res.nav, sp3, clk, bias=_in_cycles(bias), resolution="wl+nl", **opts)
    # phase biases given in cycles are the same biases: the same fixes and positions
    assert np.array_equal(cyc.quality, fix.quality) and np.abs(cyc.pos_m - fix.pos_m).max() < 1e-6
    fixed = fix.quality == kompas.Quality.FIX
    assert fixed.sum() >= 20
    with pytest.raises(
        ConfigError, match=r"--ar wl\+nl\) fixes satellites with phase biases only: give --bias"
    ):
        ppp(res.obs, res.nav, sp3, clk, resolution="wl+nl", **opts)  # no bias file: nothing could be fixed
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        none = ppp(res.obs, res.nav, sp3, clk, bias=bias, resolution="wl+nl", **opts,
                   **{"ambiguity.min_elevation_deg": 89.0})  # no satellite high enough: nothing fixed  # fmt: skip
    e_fix = np.abs(fix.enu_error_m(TRUTH)[fixed])
    e_flo = np.abs(flo.enu_error_m(TRUTH)[fixed])
    assert e_fix.max() < 0.01 and np.sqrt(np.mean(e_fix**2)) < 0.5 * np.sqrt(np.mean(e_flo**2))
    assert fix.states["nl_fixed"][fixed].min() >= 4
    # the command line's summary says what AR did, also when it fixed nothing; without AR it says nothing
    from kompas.cli.ppp import summary

    ar = [line for line in summary(fix) if line.startswith("AR ")]
    assert ar == [f"AR       {fixed.sum()} of {fix.ok.sum()} epochs fixed; last epoch: {int(fix.states['wl_fixed'][-1])}"
                  f" wide lanes, {int(fix.states['nl_fixed'][-1])} narrow lanes fixed"]  # fmt: skip
    assert next(line for line in summary(none) if line.startswith("AR ")).endswith("every position is float)")
    assert not [line for line in summary(flo) if line.startswith("AR ")]


def test_slips_restart_the_ambiguities(tmp_path):
    """Slips without loss-of-lock flags (single, GF-blind and MW-blind pairs) on noise-free data: the
    preprocessing finds them and the filter restarts those ambiguities, so the truth is recovered; with
    the detection switched off the filter's w-test rejects the slipped phases instead."""
    err = dataclasses.replace(
        ErrorModel.none(), cycle_slips=True, slip_rate_per_hour=1.0, slip_lli=False, gf_pair_rate_per_hour=0.5,
        mw_pair_rate_per_hour=0.5,
    )  # fmt: skip
    res = simulate(TRUTH, START, hours=1.5, interval_s=30.0, systems="GE", errors=err, seed=7)
    assert len(res.events.select("slip")) > 20
    sp3, clk = _products(res, tmp_path, 1.5)
    opts = dict(MODELS_OFF, systems="GE", if_bands={"E": ("15",)})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sol = ppp(res.obs, res.nav, sp3, clk, **opts)
        blind = ppp(res.obs, res.nav, sp3, clk, use_lli=False, gf_k=1e9, mw_k=1e9, mw_min_cyc=1e9, **opts)
    # the restarted ambiguities cost 1-2 mm here (2.2 mm east with E1/E5a, 1.6 mm with E1/E5b and its
    # biases; 0.3-0.4 mm on the same scenario without slips; measured 2026-11-29)
    assert np.abs(sol.enu_error_m(TRUTH)[-1]).max() < 0.003
    # undetected slips are caught by the w-test instead (a rejected phase restarts its ambiguity)
    assert np.abs(blind.enu_error_m(TRUTH)[-1]).max() < 0.005
    assert blind.record.raim_excluded > sol.record.raim_excluded + 10


def test_broadcast_fallback_and_centres_per_system(sim_gre, tmp_path):
    """Galileo missing from the precise products: its satellites use the broadcast ephemerides in their own
    clock group ("Eb", wider variance); GPS and GLONASS from two 'centres' (two product files) each."""
    res, _ = sim_gre
    sats = np.unique(res.obs.sat)
    files = {}
    for name, keep in (("AAA0SIMFIN", sats[sats < 200]), ("BBB0SIMFIN", sats[(sats >= 200) & (sats < 300)])):
        sp3, clk = (
            tmp_path / f"{name}_20240610000_01D_05M_ORB.SP3",
            tmp_path / f"{name}_20240610000_01D_30S_CLK.CLK",
        )
        write_products(res.truth, keep, START, START + int(1.5 * 3600e9), sp3_path=sp3, clk_path=clk)
        files[name] = (kompas.read_sp3(sp3), kompas.read_clk(clk))
    sp3 = [f[0] for f in files.values()]
    clk = [f[1] for f in files.values()]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sol = ppp(res.obs, res.nav, sp3, clk, systems="GRE", if_bands={"E": ("17",)}, **MODELS_OFF)
        none = ppp(res.obs, res.nav, sp3, clk, systems="GRE", broadcast_fallback=False, if_bands={"E": ("17",)},
                   **MODELS_OFF)  # fmt: skip
    assert set(sol.clock_m) == {"G", "R", "Eb"} and "E" not in none.clock_m
    assert sol.nsat_by_system["E"].mean() > 4 and none.nsat_by_system["E"].max() == 0
    notes = " ".join(sol.record.notes)
    assert "G: AAA orbits (300-s SP3) and 30-s clock file" in notes and "R: BBB orbits" in notes
    # the simulated broadcast ephemerides are the truth here, so the fallback costs nothing
    assert np.abs(sol.enu_error_m(TRUTH)[-1]).max() < 0.002


def test_the_fallback_note_says_when_the_products_did_not_serve(sim_gre, tmp_path):
    """Products that end 45 min into the session: the note gives the share and the span of the broadcast
    rows, from the first epoch after the products' last sample (the SP3 clocks serve beyond the clock
    file's end, as RTKLIB's) to the session's end."""
    import re

    from kompas import GTime

    res, _ = sim_gre
    sats = np.unique(res.obs.sat)
    sp3, clk = tmp_path / "SIM.sp3", tmp_path / "SIM.clk"
    write_products(res.truth, sats, START, START + int(0.75 * 3600e9), sp3_path=sp3, clk_path=clk)
    orbits = kompas.read_sp3(sp3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sol = ppp(res.obs, res.nav, orbits, kompas.read_clk(clk), systems="G", **MODELS_OFF)
    t = res.obs.epoch_time_ns
    after = t[t > orbits.time_ns[-1]]
    assert 0 < after.size < t.size / 2
    span = f"({GTime(int(after[0])).isoformat()} .. {GTime(int(t[-1])).isoformat()})"
    note = [n for n in sol.record.notes if n.startswith("G: ") and "broadcast ephemerides" in n]
    share = 100.0 * after.size / t.size  # the same satellites at every epoch, near enough
    assert len(note) == 1 and note[0].endswith(f"use broadcast ephemerides {span}"), note
    assert abs(int(re.match(r"G: (\d+) %", note[0]).group(1)) - share) < 3


def test_orbits_of_one_centre_and_clocks_of_another_are_named_as_such(sim_gre, tmp_path):
    """COD-like SP3 with GRG-like clocks: the notes name each file's centre for what it gave."""
    from kompas.products.mix import PreciseMix

    res, _ = sim_gre
    sats = np.unique(res.obs.sat)
    sp3 = tmp_path / "OOO0SIMFIN_20240610000_01D_05M_ORB.SP3"
    clk = tmp_path / "KKK0SIMFIN_20240610000_01D_30S_CLK.CLK"
    write_products(res.truth, sats, START, START + int(1.5 * 3600e9), sp3_path=sp3)
    write_products(res.truth, sats, START, START + int(1.5 * 3600e9), clk_path=clk)
    _, notes = PreciseMix.from_files([kompas.read_sp3(sp3)], [kompas.read_clk(clk)], systems="GR")
    assert "KKK clocks are combined with the orbits of OOO" in notes
    assert "G: OOO orbits (300-s SP3) and KKK 30-s clock file" in notes
    # without a clock file: the SP3's own clocks, and no product (no antenna model) for a system not asked for
    mix, notes = PreciseMix.from_files([kompas.read_sp3(sp3)], [], systems="G")
    assert "G: OOO orbits (300-s SP3) and 300-s SP3 clocks" in notes
    assert mix.antenna_model("E") == ""


def test_three_frequencies_uncombined(tmp_path):
    """Uncombined GPS L1/L2/L5 (a code-bias state per satellite for L5) recovers the truth."""
    res = simulate(TRUTH, START, hours=1.0, interval_s=30.0, systems="G", errors="none", seed=9)
    sp3, clk = _products(res, tmp_path, 1.0)
    bias = osb_from_truth(res.truth, res.obs.sat)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tri = ppp(res.obs, res.nav, sp3, clk, bias=bias, systems="G", observables="uncombined",
                  bands={"G": ("1", "2", "5")}, **MODELS_OFF)  # fmt: skip
    assert np.abs(tri.enu_error_m(TRUTH)[-1]).max() < 0.002


def test_forward_backward_smoothing(tmp_path):
    """With noise and multipath, the combined forward-backward solution is much better than the forward
    filter over the first ten minutes of a kinematic run, and no worse at the end."""
    err = dataclasses.replace(ErrorModel.default(), troposphere=False)
    res = simulate(TRUTH, START, hours=1.0, interval_s=30.0, systems="GE", errors=err, seed=2)
    sp3, clk = _products(res, tmp_path, 1.0)
    opts = dict(DEFAULT_ERRORS_ON, systems="GE", mode="kinematic", if_bands={"E": ("15",)})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fwd = ppp(res.obs, res.nav, sp3, clk, **opts)
        both = ppp(res.obs, res.nav, sp3, clk, smoothing="combined", **opts)
        back = ppp(res.obs, res.nav, sp3, clk, smoothing="backward", **opts)

    def rms(sol, sl):
        return np.sqrt(np.mean(np.sum(sol.enu_error_m(TRUTH)[sl] ** 2, axis=1)))

    assert rms(both, slice(0, 20)) < 0.3 * rms(fwd, slice(0, 20))
    assert rms(both, slice(-20, None)) < 1.5 * rms(fwd, slice(-20, None))
    assert rms(back, slice(0, 20)) < 0.3 * rms(fwd, slice(0, 20))


def test_dsb_turns_a_code_into_the_clock_reference():
    """A DSB C1C-C1W of 2 ns makes the C1C correction 2 ns x c (IGS convention: GPS clocks on C1W/C2W)."""
    from kompas import BiasData
    from kompas.io.readers.bias import OPEN_END_NS
    from kompas.ppp_biases import observation_biases
    from kompas.satsys import signal_id
    from kompas.tables.observables import Observables

    one = np.ones(1)
    bias = BiasData(
        kind=np.array(["DSB"]), svn=np.array(["G063"]), sat=np.array([105], np.int16), system=np.array(["G"]),
        station=np.array([""]), obs1=np.array(["C1C"]), obs2=np.array(["C1W"]), start_ns=np.zeros(1, np.int64),
        end_ns=np.array([OPEN_END_NS]), unit=np.array(["s"]), value=2e-9 * one, std=np.nan * one,
        slope_per_s=np.nan * one, slope_std_per_s=np.nan * one, description={}, clock_reference={},
        time_system="GPST", reference={}, comments=(), version="1.00", agency="T", data_agency="T",
        created_ns=None, file_start_ns=None, file_end_ns=None, bias_mode="R", n_declared=1,
    )  # fmt: skip
    sig = np.array([[signal_id("1C"), signal_id("2W")]], np.uint8)
    ob = Observables(np.zeros(1, np.int64), np.array([105], np.int16), {"G": (1, 2)}, sig, np.ones((1, 2)),
                     np.ones((1, 2)), np.ones((1, 2)), np.ones((1, 2), np.float32), np.zeros((1, 2), np.uint8),
                     np.array([START]))  # fmt: skip
    code, phase = observation_biases(ob, np.array([0]), np.array([START]), bias, {}, [])
    assert code[0, 0] == pytest.approx(2e-9 * 299792458.0) and code[0, 1] == 0.0
    assert np.isnan(phase).all()


def test_no_phase_is_refused_and_unsolved_epochs_say_why(sim_gre):
    """Code without phase is not PPP (it used to be labelled Q=6 with code-level errors); an unsolved epoch's
    reason is the first check it fails: no pseudorange, no satellite state, all below the mask."""
    from kompas.errors import SignalError
    from kompas.solution import Unsolved

    res, (sp3, clk) = sim_gre
    obs = res.obs
    kw = dict(systems="GRE", if_bands={"E": ("15",)}, **MODELS_OFF)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(SignalError, match="no carrier phase of GRE"):
            ppp(
                dataclasses.replace(obs, phase_cyc=np.full_like(obs.phase_cyc, np.nan)),
                res.nav,
                sp3,
                clk,
                **kw,
            )
        late = obs.time_ns >= obs.epoch_time_ns[100]
        sol = ppp(
            dataclasses.replace(obs, code_m=np.where(late, np.nan, obs.code_m)), res.nav, sp3, clk, **kw
        )
        assert sol.reason[:100].tolist() == [Unsolved.SOLVED] * 100
        assert sol.reason[100:].tolist() == [Unsolved.NO_OBSERVATIONS] * (obs.n_epochs - 100)
        high = ppp(obs, res.nav, sp3, clk, elmask_deg=89.0, **kw)
        assert high.reason.tolist() == [Unsolved.BELOW_MASK] * obs.n_epochs
        assert high.record.unsolved == {"below_mask": obs.n_epochs}
        assert not high.nsat.any()


def test_progress_and_excluded_satellites(sim_gre):
    res, (sp3, clk) = sim_gre
    obs = res.obs
    calls = []
    gone = kompas.sat_id(np.unique(obs.sat))[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sol = ppp(obs, res.nav, sp3, clk, systems="GRE", if_bands={"E": ("15",)}, smoothing="combined",
                  exclude=(str(gone),), progress=lambda done, total: calls.append((done, total)), **MODELS_OFF)  # fmt: skip
    n = obs.n_epochs
    assert calls and calls[-1] == (2 * n, 2 * n) and {t for _, t in calls} == {2 * n}
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
    sv = sol.residual_columns()["sv"]
    assert str(gone) not in set(sv.tolist()) and len(set(sv.tolist())) > 10
    forward = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ppp(obs, res.nav, sp3, clk, systems="G", progress=lambda done, total: forward.append((done, total)),
            **MODELS_OFF)  # fmt: skip
    assert forward[-1] == (n, n)
