"""RTK on simulated baselines: closed loop against the simulator's truth.

Two receivers observe the same simulated constellation (:func:`kompas.sim.simulate_obs` with one truth and
navigation file): the base at a known point, the rover at a known offset, each with its own integer
ambiguities, receiver clock, noise and -- in the second set of tests -- its own GLONASS inter-frequency
biases (code and phase) and inter-system biases, with the broadcast-model ionosphere and the troposphere
switched on. The last tests use the simulator's own :func:`kompas.sim.simulate_baseline`.
"""

from __future__ import annotations

import dataclasses
import importlib

import numpy as np
import pytest

import kompas
from kompas.errors import KompasWarning
from kompas.frames import ecef_to_enu, enu_to_ecef, geodetic_to_ecef
from kompas.sim import make_nav, nominal_elements
from kompas.sim.observations import ErrorModel, simulate_obs
from kompas.solution import Unsolved
from kompas.time import to_datetime64

START = kompas.GTime.from_calendar(2024, 3, 1, 2).gpst_ns
BASE = geodetic_to_ecef(np.array([np.radians(30.5), np.radians(114.3), 50.0]))


def _baseline(systems: str, offset_enu, errors: bool, hours=1.0, seed=1):
    rover = enu_to_ecef(np.asarray(offset_enu, float), BASE)
    nav, truth = make_nav(nominal_elements(systems, START), START, hours, seed=seed)
    if errors:
        eb = ErrorModel(
            troposphere=True, ionosphere=True, isb=True, glonass_ifb=True, multipath=True, noise=True
        )
        # another make: different GLONASS code and phase inter-frequency biases, other inter-system biases
        er = dataclasses.replace(
            eb,
            ifb_m_per_channel=0.3,
            ifb_phase_m_per_channel=-0.02,
            isb_m={"G": 0.0, "R": 5.0, "E": 1.0, "C": -3.0},
        )
    else:
        eb = er = ErrorModel.none()
    base = simulate_obs(truth, nav, BASE, START, hours, 30.0, systems, eb, seed=seed, marker_name="BASE")
    rov = simulate_obs(truth, nav, rover, START, hours, 30.0, systems, er, seed=seed + 100, marker_name="ROVR",
                       rcv_clock_s=-3e-4, rcv_drift_sps=-1e-9)  # fmt: skip
    return rov, base, nav, rover


def _run(rov, base, nav, systems, **options):
    return kompas.rtk(rov, base, nav, systems=systems, base_position=" ".join(map(str, BASE)), **options)


@pytest.mark.parametrize("mode", ["kinematic", "static"])
def test_errors_off_every_epoch_fixed_to_the_truth(mode):
    rov, base, nav, truth = _baseline("CRGE", (300.0, 400.0, 10.0), errors=False)
    sol = _run(rov, base, nav, "CRGE", mode=mode, **{"models.tropo": "off"})
    assert np.all(sol.quality == kompas.Quality.FIX)
    err = ecef_to_enu(sol.pos_m, truth)
    assert np.abs(err).max() < 1e-3
    assert sol.fixed_by_system["R"].min() > 0 and sol.fixed_by_system["C"].min() > 0
    # the filter's double-difference residuals: phase and code of every system at every epoch, all ~0 (the
    # code's mm where the first float epochs' positions are mm off)
    res = sol.residuals_to_pandas()
    assert set(res.kind) == {"phase", "code"} and set(res.sv.str[0]) == set("CRGE")
    assert (res.sv.str[0] == res.ref_sv.str[0]).all() and (res.sv != res.ref_sv).all()
    assert np.array_equal(np.unique(res.time.to_numpy()), to_datetime64(sol.time_ns))
    phase = res.kind == "phase"
    assert np.abs(res.residual_m[phase]).max() < 1e-3 and np.abs(res.residual_m[~phase]).max() < 5e-3
    # the DOPs of the satellites in the double differences (NMEA GGA's HDOP was empty): the rover's single
    # point DOPs with the same satellites
    single = kompas.spp(rov, nav, systems="CRGE", elmask_deg=sol.record.elmask_deg)
    for name in ("gdop", "pdop", "hdop", "vdop"):
        np.testing.assert_allclose(getattr(sol, name), getattr(single, name), rtol=1e-4)


@pytest.mark.parametrize("systems", ["C", "R", "G", "E"])
def test_errors_off_each_system_fixes_after_convergence(systems):
    rov, base, nav, truth = _baseline(systems, (300.0, 400.0, 10.0), errors=False)
    sol = _run(rov, base, nav, systems, **{"models.tropo": "off"})
    fixed = sol.quality == kompas.Quality.FIX
    first = int(np.argmax(fixed))
    assert fixed.any() and first <= 10
    assert fixed[first:].all()
    assert np.abs(ecef_to_enu(sol.pos_m[fixed], truth)).max() < 1e-3


def test_errors_on_ionosphere_and_receiver_ifbs_fix_after_convergence():
    # 12 km: the ionosphere is estimated per satellite (auto beyond 10 km); GLONASS phase IFBs differ
    # by 2.5 cm per channel between the receivers, code IFBs by 0.2 m per channel
    rov, base, nav, truth = _baseline("CRGE", (8000.0, 9000.0, 30.0), errors=True)
    sol = _run(rov, base, nav, "CRGE")
    assert sol.record.iono == "est"
    fixed = sol.quality == kompas.Quality.FIX
    converged = 20  # epochs (10 min)
    assert fixed[converged:].all()
    enu = ecef_to_enu(sol.pos_m[fixed], truth)
    assert np.hypot(enu[:, 0], enu[:, 1]).max() < 0.05 and np.abs(enu[:, 2]).max() < 0.10
    # GLONASS ambiguities are fixed despite the IFBs (their slope converges within ~15 min)
    assert np.mean(sol.fixed_by_system["R"][converged:] > 0) > 0.8
    # residuals: code multipath and noise at decimetres, phase at millimetres
    r = sol.residuals
    rms = [np.sqrt(np.mean(r["residual_m"][r["kind"] == k] ** 2)) for k in (0, 1)]
    assert rms[0] < 0.01 and 0.05 < rms[1] < 2.0


def test_static_errors_on_recovers_truth():
    rov, base, nav, truth = _baseline("CRGE", (300.0, 400.0, 10.0), errors=True)
    sol = _run(rov, base, nav, "CRGE", mode="static")
    err = ecef_to_enu(sol.pos_m[-1], truth)
    assert np.hypot(err[0], err[1]) < 0.005 and abs(err[2]) < 0.01


def test_ppk_fixes_the_first_epochs_too():
    rov, base, nav, truth = _baseline("R", (300.0, 400.0, 10.0), errors=False)
    fwd = _run(rov, base, nav, "R", **{"models.tropo": "off"})
    both = _run(rov, base, nav, "R", ppk=True, **{"models.tropo": "off"})
    assert fwd.quality[0] != kompas.Quality.FIX
    assert np.all(both.quality == kompas.Quality.FIX)
    assert np.abs(ecef_to_enu(both.pos_m, truth)).max() < 1e-3
    # the combination has no residuals of its own: those of the forward pass
    assert all(np.array_equal(both.residuals[k], fwd.residuals[k]) for k in fwd.residuals)


@pytest.mark.parametrize(
    ("offset", "iono", "seed", "min_fixed"),
    [((300.0, 400.0, 10.0), False, 2, 0.9), ((30000.0, -25000.0, 40.0), True, 5, 0.8)],
    ids=["500 m", "40 km"],
)
def test_cycle_slips_without_loss_of_lock_flags_do_not_make_wrong_fixes(offset, iono, seed, min_fixed):
    # 0.5 slips per satellite, signal and hour on the rover (1-20 cycles, ~50 an hour), LLI erased: only
    # the geometry-free test and the post-fit residual screening can find them; at 40 km (ionosphere
    # estimated) the held decorrelated combinations must not carry a slip into a wrong fix either
    rover = enu_to_ecef(np.array(offset), BASE)
    nav, truth = make_nav(nominal_elements("CRGE", START), START, 1.0, seed=seed)
    eb = ErrorModel(noise=True, troposphere=True, ionosphere=iono, multipath=iono)
    er = dataclasses.replace(eb, cycle_slips=True, slip_rate_per_hour=0.5)
    base = simulate_obs(truth, nav, BASE, START, 1.0, 30.0, "CRGE", eb, seed=seed)
    rov = simulate_obs(truth, nav, rover, START, 1.0, 30.0, "CRGE", er, seed=100 + seed, rcv_clock_s=-3e-4)
    assert (rov.lli & 1).sum() > 30
    rov = dataclasses.replace(rov, lli=np.zeros_like(rov.lli))
    sol = _run(rov, base, nav, "CRGE")
    fixed = sol.quality == kompas.Quality.FIX
    enu = ecef_to_enu(sol.pos_m, rover)
    wrong = fixed & ((np.hypot(enu[:, 0], enu[:, 1]) > 0.05) | (np.abs(enu[:, 2]) > 0.10))
    assert fixed.mean() > min_fixed and not wrong.any()


@pytest.mark.parametrize("seed", [2, 3])
def test_single_frequency_unflagged_slips_are_repaired_without_wrong_fixes(seed):
    # L1/E1 only, one slip per satellite and hour on the rover (1-20 cycles), LLI erased: without a second
    # frequency no geometry-free test sees them, so the filter's own screening must reset the right arc;
    # blaming the reference satellite instead (before data snooping) gave 9 and 16 wrong fixed epochs on
    # these seeds and float errors of metres
    rover = enu_to_ecef(np.array([300.0, 400.0, 10.0]), BASE)
    nav, truth = make_nav(nominal_elements("GE", START), START, 1.0, seed=seed)
    eb = ErrorModel(noise=True, troposphere=True)
    er = dataclasses.replace(eb, cycle_slips=True, slip_rate_per_hour=1.0)
    base = simulate_obs(truth, nav, BASE, START, 1.0, 30.0, "GE", eb, seed=seed)
    rov = simulate_obs(truth, nav, rover, START, 1.0, 30.0, "GE", er, seed=100 + seed, rcv_clock_s=-3e-4)
    assert (rov.lli & 1).sum() > 10
    rov = dataclasses.replace(rov, lli=np.zeros_like(rov.lli))
    sol = _run(rov, base, nav, "GE", bands="G:1;E:1")
    fixed = sol.quality == kompas.Quality.FIX
    enu = ecef_to_enu(sol.pos_m, rover)
    h = np.hypot(enu[:, 0], enu[:, 1])
    assert not (fixed & ((h > 0.05) | (np.abs(enu[:, 2]) > 0.10))).any()
    assert fixed.mean() > 0.7 and np.percentile(h, 95) < 1.0


@pytest.mark.parametrize("interpolate", [True, False])
def test_a_base_sampled_every_30_s_serves_a_5_s_rover(interpolate):
    # a 30-s base under a 5-s rover (a CORS under a survey rover): every rover epoch is solved with the
    # latest base epoch (age 0-25 s) and fixed. Without interpolation, the difference of the satellite
    # clocks between the two transmission times in the model keeps the aged epochs as good as the
    # simultaneous ones (without it: 14 mm horizontal RMS on this seed, 38 mm vertical over all); with it the
    # base observations are interpolated between the base epochs; max_age_s 0 solves the sixth only
    rover = enu_to_ecef(np.array([300.0, 400.0, 10.0]), BASE)
    nav, truth = make_nav(nominal_elements("GE", START), START, 1.0, seed=2)
    eb = ErrorModel(noise=True, troposphere=True)
    base = simulate_obs(truth, nav, BASE, START, 1.0, 30.0, "GE", eb, seed=2)
    rov = simulate_obs(truth, nav, rover, START, 1.0, 5.0, "GE", eb, seed=102, rcv_clock_s=-3e-4)
    sol = _run(rov, base, nav, "GE", interpolate_base=interpolate)
    assert (sol.quality == kompas.Quality.FIX).all()
    assert np.unique(sol.age_s).tolist() == [0.0, 5.0, 10.0, 15.0, 20.0, 25.0]
    enu = ecef_to_enu(sol.pos_m, rover)
    aged = sol.age_s > 0
    assert np.sqrt(np.mean(enu[aged, 0] ** 2 + enu[aged, 1] ** 2)) < 0.006
    assert np.sqrt(np.mean(enu[aged, 2] ** 2)) < 0.012
    strict = _run(rov, base, nav, "GE", max_age_s=0.0, interpolate_base=interpolate)
    assert np.array_equal(strict.quality != kompas.Quality.NONE, ~aged)


def test_base_phases_of_some_age_are_extrapolated_from_the_earlier_base_epochs():
    # the same 30-s base under a 5-s rover with the ionosphere on: the base's own slant delays change over
    # the 5-25 s of age, and nothing in the model follows that; extrapolating the base phases from the two
    # earlier base epochs (real time, no interpolation) does. Measured on this seed, aged epochs H / V RMS:
    # 29.3 / 35.3 mm as they are, 6.4 / 11.0 mm extrapolated, 4.0 / 7.0 mm interpolated (seeds 3, 4 alike)
    rover = enu_to_ecef(np.array([300.0, 400.0, 10.0]), BASE)
    nav, truth = make_nav(nominal_elements("GE", START), START, 1.0, seed=2)
    eb = ErrorModel(noise=True, troposphere=True, ionosphere=True)
    base = simulate_obs(truth, nav, BASE, START, 1.0, 30.0, "GE", eb, seed=2)
    rov = simulate_obs(truth, nav, rover, START, 1.0, 5.0, "GE", eb, seed=102, rcv_clock_s=-3e-4)
    rms = {}
    for name, opts in (("as-is", {"extrapolate_base": False}), ("extrapolated", {}), ("interpolated", None)):
        sol = _run(rov, base, nav, "GE", **({"interpolate_base": False, **opts} if opts is not None else {}))
        assert (sol.quality == kompas.Quality.FIX).all()
        enu = ecef_to_enu(sol.pos_m, rover)
        aged = sol.age_s > 0
        rms[name] = np.sqrt(np.mean(enu[aged] ** 2, axis=0))
    assert np.hypot(*rms["as-is"][:2]) > 0.02
    assert np.hypot(*rms["extrapolated"][:2]) < 0.009 and rms["extrapolated"][2] < 0.015
    assert np.hypot(*rms["interpolated"][:2]) < 0.006


def test_no_base_phase_is_extrapolated_across_a_base_slip():
    # two flagged slips per satellite, band and hour on the 30-s base, rover every 5 s, no interpolation:
    # a slip between the two base epochs must not be carried into the extrapolated phases (without the
    # guard: 2 % of the epochs float, one fixed wrongly, aged epochs 10.2 mm horizontal RMS and up to 67 mm)
    rover = enu_to_ecef(np.array([300.0, 400.0, 10.0]), BASE)
    nav, truth = make_nav(nominal_elements("GE", START), START, 1.0, seed=3)
    eb = ErrorModel(noise=True, troposphere=True, ionosphere=True)
    base = simulate_obs(truth, nav, BASE, START, 1.0, 30.0, "GE",
                        dataclasses.replace(eb, cycle_slips=True, slip_rate_per_hour=2.0), seed=3)  # fmt: skip
    assert (base.lli & 1).sum() > 50
    rov = simulate_obs(truth, nav, rover, START, 1.0, 5.0, "GE", eb, seed=103, rcv_clock_s=-3e-4)
    sol = _run(rov, base, nav, "GE", interpolate_base=False)
    assert (sol.quality == kompas.Quality.FIX).all()
    enu = ecef_to_enu(sol.pos_m, rover)
    h = np.hypot(enu[:, 0], enu[:, 1])[sol.age_s > 0]
    assert np.sqrt(np.mean(h**2)) < 0.008 and h.max() < 0.045  # measured 6.5 and 32.6 mm


def test_extrapolated_base_phases_take_out_the_clock_change_of_their_own_pair_of_base_epochs():
    # a 5-s base with a gap (100 s, then 130 s) under a 1-s rover, no interpolation: rover epochs 96-99
    # extrapolate along base epochs 95 and 90, rover epochs 106-110 along 100 and 90. The base clock change
    # (drift 2e-9 s/s) taken out per pair differs; one median over both pairs (grouped by base epoch 90
    # alone) left metres in the moved phases, which do not cancel against a phase left as it is (a
    # satellite missing at 90 s): epochs 96 and 100 stayed float
    rover = enu_to_ecef(np.array([300.0, 400.0, 10.0]), BASE)
    nav, truth = make_nav(nominal_elements("GE", START), START, 0.1, seed=2)
    eb = ErrorModel(noise=True, troposphere=True)
    base = simulate_obs(truth, nav, BASE, START, 0.1, 5.0, "GE", eb, seed=2, rcv_drift_sps=2e-9)
    rov = simulate_obs(truth, nav, rover, START, 0.1, 1.0, "GE", eb, seed=102, rcv_clock_s=-3e-4)
    sec = (base.epoch_time_ns - START) // 1_000_000_000
    ep = np.repeat(np.arange(base.n_epochs), np.diff(base.epoch_offsets))
    base = base.keep_rows(~((sec[ep] == 90) & (base.sat == np.unique(base.sat)[0])))
    base = base.take_epochs((sec <= 100) | (sec >= 130))
    sol = _run(rov, base, nav, "GE", interpolate_base=False)
    assert (sol.quality == kompas.Quality.FIX).all()
    enu = ecef_to_enu(sol.pos_m, rover)
    assert np.hypot(enu[:, 0], enu[:, 1]).max() < 0.02 and np.abs(enu[:, 2]).max() < 0.05  # 1.3, 3.2 cm


def test_the_mask_applies_at_the_rover_as_at_the_base():
    # 400 km apart the two receivers see a satellite at elevations degrees apart: a satellite above the
    # mask at the base but below it at the rover is not used (RTKLIB zdres() masks both receivers)
    rover = enu_to_ecef(np.array([0.0, 400e3, 0.0]), BASE)
    nav, truth = make_nav(nominal_elements("GE", START), START, 0.25, seed=4)
    base = simulate_obs(truth, nav, BASE, START, 0.25, 30.0, "GE", ErrorModel.none(), seed=4)
    rov = simulate_obs(truth, nav, rover, START, 0.25, 30.0, "GE", ErrorModel.none(), seed=104)
    sol = _run(rov, base, nav, "GE", elmask_deg=15.0, **{"models.tropo": "off"})
    el = sol.residual_columns()["elevation_deg"]
    assert el.size > 100 and el.min() >= 15.0 - 1e-6
    # the base saw some of these satellites above 15 deg: the mask did act on the rover side
    low = _run(rov, base, nav, "GE", elmask_deg=5.0, **{"models.tropo": "off"})
    assert (low.residual_columns()["elevation_deg"] < 15.0).sum() > (el < 15.0).sum()


def test_a_rover_epoch_without_a_single_point_solution():
    # three satellites at one rover epoch: no single point solution there (its a priori position and
    # elevations come from the median of the others); the filter still solves it from the double
    # differences of the three, every other epoch after the first fixed
    rov, base, nav, truth = _baseline("G", (300.0, 400.0, 10.0), errors=False, hours=0.25)
    ep = np.repeat(np.arange(rov.n_epochs), np.diff(rov.epoch_offsets))
    three = np.unique(rov.sat[ep == 5])[:3]
    keep = (ep != 5) | np.isin(rov.sat, three)
    rov = dataclasses.replace(
        rov, **{k: getattr(rov, k)[keep] for k in ("time_ns", "sat", "signal", "code_m", "phase_cyc",
                                                   "doppler_hz", "cn0_dbhz", "lli", "ssi")},
        epoch_offsets=np.searchsorted(np.flatnonzero(keep), rov.epoch_offsets),
    )  # fmt: skip
    sol = _run(rov, base, nav, "G", **{"models.tropo": "off"})
    assert kompas.spp(rov, nav, systems="G").quality[5] == kompas.Quality.NONE
    assert sol.quality[5] != kompas.Quality.NONE and np.abs(ecef_to_enu(sol.pos_m[5], truth)).max() < 0.01
    others = np.delete(np.arange(1, len(sol)), 4)  # the first epoch is float (nothing held yet)
    assert (sol.quality[others] == kompas.Quality.FIX).all()
    assert np.abs(ecef_to_enu(sol.pos_m[others], truth)).max() < 1e-3


@pytest.mark.parametrize("slips_per_hour", [0.0, 8.0])
def test_a_1_hz_base_is_extrapolated_over_its_gaps_without_multiplying_its_noise(slips_per_hour):
    # a 1 Hz base that misses 25 s of every minute, rover 1 Hz, ionosphere and noise on: the line through
    # the base's last two epochs (1 s apart) extended up to 25 s multiplied their phase noise as much and
    # fixed wrongly. Measured on this seed, epochs more than 10 s old, H / V RMS: 85 / 167 mm with 220
    # wrong fixes that way, 26 / 54 mm left as they are, 7.8 / 15.1 mm along a line fitted over a span no
    # shorter than the extrapolation (simultaneous epochs 4.6 / 7.5 mm). With flagged base slips, none
    # may lie between the two epochs of the line (checked at the later one only: 4.7 % of the epochs float)
    rover = enu_to_ecef(np.array([800.0, -600.0, 15.0]), BASE)
    nav, truth = make_nav(nominal_elements("GE", START), START, 0.25, seed=3)
    eb = ErrorModel(noise=True, troposphere=True, ionosphere=True)
    slips = dataclasses.replace(eb, cycle_slips=slips_per_hour > 0, slip_rate_per_hour=slips_per_hour)
    base = simulate_obs(truth, nav, BASE, START, 0.25, 1.0, "GE", slips, seed=3)
    assert ((base.lli & 1).sum() > 50) == (slips_per_hour > 0)
    rov = simulate_obs(truth, nav, rover, START, 0.25, 1.0, "GE", eb, seed=103, rcv_clock_s=-3e-4)
    sec = (base.epoch_time_ns - START) // 1_000_000_000
    base = base.take_epochs((sec % 60) < 35, np.repeat((sec % 60) < 35, np.diff(base.epoch_offsets)))
    sol = _run(rov, base, nav, "GE", interpolate_base=False)
    enu = ecef_to_enu(sol.pos_m, rover)
    fixed = sol.quality == kompas.Quality.FIX
    aged = fixed & (sol.age_s > 10)
    assert aged.sum() > 100 and fixed.mean() > 0.99
    h, v = np.hypot(enu[:, 0], enu[:, 1]), np.abs(enu[:, 2])
    assert not (fixed & ((h > 0.05) | (v > 0.10))).any()
    assert np.sqrt(np.mean(h[aged] ** 2)) < 0.012 and np.sqrt(np.mean(v[aged] ** 2)) < 0.025


@pytest.fixture(scope="module")
def sim_baseline():
    """The simulator's own baseline (kompas.sim.simulate_baseline): the rover a receiver of another make
    (GLONASS code and phase IFBs, inter-system biases), ionosphere, troposphere, multipath and noise on."""
    from kompas.sim import simulate_baseline

    return simulate_baseline(
        BASE, START, offset_enu_m=(3000.0, 4000.0, 10.0), hours=1.0, interval_s=30.0, seed=3
    )


@pytest.mark.parametrize("systems", ["CRGE", "C", "G", "E"])
def test_simulate_baseline_every_system_fixes_after_convergence(sim_baseline, systems):
    truth = sim_baseline.rover.receiver_ecef_m
    sol = _run(sim_baseline.rover.obs, sim_baseline.base.obs, sim_baseline.base.nav, systems)
    fixed = sol.quality == kompas.Quality.FIX
    assert fixed[5:].all()
    enu = ecef_to_enu(sol.pos_m[fixed], truth)
    assert np.hypot(enu[:, 0], enu[:, 1]).max() < 0.05 and np.abs(enu[:, 2]).max() < 0.10
    if systems == "CRGE":
        assert fixed.all() and (sol.fixed_by_system["R"] > 0).all()  # GLONASS of two makes, every epoch


def test_simulate_baseline_glonass_alone_never_fixes_wrongly(sim_baseline):
    truth = sim_baseline.rover.receiver_ecef_m
    sol = _run(sim_baseline.rover.obs, sim_baseline.base.obs, sim_baseline.base.nav, "R")
    fixed = sol.quality == kompas.Quality.FIX
    enu = ecef_to_enu(sol.pos_m[fixed], truth)
    assert fixed.mean() > 0.7
    assert np.hypot(enu[:, 0], enu[:, 1]).max() < 0.05 and np.abs(enu[:, 2]).max() < 0.10


@pytest.mark.parametrize("prior", ["brdc", "zero"])
def test_ionosphere_prior_is_the_broadcast_models_single_difference(monkeypatch, prior):
    # the simulator delays every signal by the navigation header's GPS Klobuchar model (the model kompas
    # also applies to GPS and GLONASS; BeiDou would get its own); with nothing else on, the geometry-free
    # code of the single differences is exactly that model's rover-minus-base delay, which the filter's new
    # slant ionosphere states must receive as their prior (40 km: the states are estimated)
    from kompas import rtk_run
    from kompas.rtk_inputs import F_IONO_REF_HZ

    rover = enu_to_ecef(np.array([30000.0, -25000.0, 40.0]), BASE)
    nav, truth = make_nav(nominal_elements("GR", START), START, 0.25, seed=4)
    err = ErrorModel(ionosphere=True)
    base = simulate_obs(truth, nav, BASE, START, 0.25, 30.0, "GR", err, seed=4)
    rov = simulate_obs(truth, nav, rover, START, 0.25, 30.0, "GR", err, seed=104, rcv_clock_s=-3e-4)
    seen = {}
    real_step = rtk_run.RtkFilter.step

    def step(self, e):
        seen.setdefault("iono0", []).append(e.iono0)
        seen.setdefault("sat", []).append(e.sat)
        return real_step(self, e)

    monkeypatch.setattr(rtk_run.RtkFilter, "step", step)
    real_prepare = rtk_run.prepare_baseline
    monkeypatch.setattr(rtk_run, "prepare_baseline", lambda *a: seen.setdefault("bd", real_prepare(*a)))
    sol = _run(rov, base, nav, "GR", **{"models.iono_prior": prior, "models.tropo": "off"})
    assert sol.record.iono == "est"
    bd = seen["bd"]
    f1, f2 = bd.freq_hz[:, 0], bd.freq_hz[:, 1]
    sd1, sd2 = bd.code_r[:, 0] - bd.code_b[:, 0], bd.code_r[:, 1] - bd.code_b[:, 1]
    want = (sd2 - sd1) / ((f1 / f2) ** 2 - 1.0) * (f1 / F_IONO_REF_HZ) ** 2  # first order: exact here
    got = np.concatenate(seen["iono0"])
    assert np.array_equal(np.concatenate(seen["sat"]), bd.sat)
    ok = np.isfinite(want)
    assert ok.sum() > 400 and np.sqrt(np.mean(want[ok] ** 2)) > 0.01
    if prior == "zero":
        assert not got.any()
    else:
        np.testing.assert_allclose(got[ok], want[ok], atol=2e-3)
        assert any("ionosphere prior from the broadcast model" in n for n in sol.record.notes)
        # navigation data without any ionosphere parameters: no model serves, the prior is 0 and says so
        bare = dataclasses.replace(
            nav, header=dataclasses.replace(nav.header, iono_corr={}, iono_corr_records=())
        )
        seen.clear()
        sol = _run(rov, base, bare, "GR", **{"models.iono_prior": prior, "models.tropo": "off"})
        assert not np.concatenate(seen["iono0"]).any()
        assert "ionosphere prior 0: no broadcast model serves" in sol.record.notes


def test_ambiguities_fixed_only_above_their_mask_and_after_their_lock_count():
    rov, base, nav, truth = _baseline("GE", (300.0, 400.0, 10.0), errors=False, hours=0.25)
    runs = [_run(rov, base, nav, "GE", **{"models.tropo": "off"}, **o)
            for o in ({}, {"ar.min_lock": 8}, {"ar.fix_elmask_deg": 40.0})]  # fmt: skip
    fixed = [r.quality == kompas.Quality.FIX for r in runs]
    n_fixed = [sum(r.fixed_by_system.values()) for r in runs]
    assert fixed[0].all() and np.all(runs[0].ratio >= 3.0)  # the ratio of each fixed epoch kept (RTKLIB's)
    # an arc is tracked 9 epochs (lock count > 8) before its ambiguity is a candidate
    assert not fixed[1][:8].any() and fixed[1][8:].all()
    # satellites below 40 deg left float: fewer ambiguities fixed, the epochs still fixed from the third on
    assert fixed[2][2:].all() and np.all(n_fixed[2][fixed[2]] < n_fixed[0][fixed[2]])
    assert n_fixed[2][fixed[2]].min() > 0
    for r, f in zip(runs, fixed, strict=True):
        assert np.abs(ecef_to_enu(r.pos_m[f], truth)).max() < 1e-3
        assert not any("GLONASS" in n for n in r.record.notes)  # no GLONASS satellite, no GLONASS note


def test_long_baseline_fixes_through_decorrelated_partial_fixing():
    # 40 km, every system, ionosphere estimated, GLONASS of two makes: no subset of double differences
    # passes (the narrow lanes converge slowly, GLONASS slowest), but the best-determined decorrelated
    # combinations do; held by fix-and-hold they leave the filter only the narrow lanes, and it fixes
    # every epoch from the 12th on (91 % of the hour). Without that step it never fixes in this hour.
    rov, base, nav, truth = _baseline("CRGE", (30000.0, -25000.0, 40.0), errors=True)
    sol = _run(rov, base, nav, "CRGE")
    fixed = sol.quality == kompas.Quality.FIX
    assert fixed[20:].all()
    enu = ecef_to_enu(sol.pos_m[fixed], truth)
    assert np.hypot(enu[:, 0], enu[:, 1]).max() < 0.05 and np.abs(enu[:, 2]).max() < 0.10
    off = _run(rov, base, nav, "CRGE", **{"ar.z_partial": False})
    assert (off.quality == kompas.Quality.FIX).mean() < 0.2


def test_base_outage_epochs_single_with_output_single():
    # five base epochs missing: no relative solution there; with output_single (RTKLIB out-outsingle) they
    # carry the rover's single point solution, Q=5, and the relative epochs do not change
    from kompas.cli.rtk import summary

    rov, base, nav, truth = _baseline("GE", (300.0, 400.0, 10.0), errors=True, hours=0.25)
    keep = np.ones(base.n_epochs, bool)
    keep[10:15] = False
    base = base.take_epochs(keep)
    plain = _run(rov, base, nav, "GE")
    single = _run(rov, base, nav, "GE", output_single=True)
    # epoch 10 pairs with base epoch 9, 30 s old (max_age_s, RTKLIB pos2-maxage, 30 s); 11-14 have none
    assert plain.quality[10] == kompas.Quality.FIX and plain.age_s[10] == 30.0
    assert (plain.quality[11:15] == kompas.Quality.NONE).all()
    assert (single.quality[11:15] == kompas.Quality.SINGLE).all() and (single.nsat[11:15] >= 4).all()
    err = ecef_to_enu(single.pos_m[11:15], truth)
    assert np.abs(err).max() < 10.0 and np.all(np.isfinite(single.cov_m2[11:15]))
    rel = plain.quality != kompas.Quality.NONE
    assert np.array_equal(plain.quality[rel], single.quality[rel])
    # plain's a priori positions come from the epochs with a base alone, single's from every epoch: the batch
    # Gauss-Newton iterates its epochs together, so they agree to its tolerance, not bit for bit
    np.testing.assert_allclose(plain.pos_m[rel], single.pos_m[rel], rtol=0, atol=1e-6)
    assert np.array_equal(np.flatnonzero(single.age_s), [10])
    assert "4 single" in summary(single)[0] and "single" not in summary(plain)[0]
    strict = _run(rov, base, nav, "GE", max_age_s=0.0)
    assert (strict.quality[10:15] == kompas.Quality.NONE).all()
    assert any(n.startswith("1 epochs without a simultaneous base epoch took an earlier one, up to 30 s old")
               for n in plain.record.notes)  # fmt: skip
    assert not any("simultaneous" in n for n in strict.record.notes)
    # the epochs left without a base epoch say so, in the reasons, the notes and the summary
    assert (plain.reason[11:15] == Unsolved.NO_BASE_EPOCH).all()
    assert plain.record.unsolved == {"no_base_epoch": 4}
    assert strict.record.unsolved == {"no_base_epoch": 5} and not single.record.unsolved
    assert any(n.startswith("4 rover epochs have no base epoch at their time or up to 30 s before it (--max-age): "
                            "rover 2024-03-01T02:00:00 .. 2024-03-01T02:14:30, base 2024-03-01T02:00:00 .. ")
               for n in plain.record.notes)  # fmt: skip
    assert f"unsolved no base epoch in 4 of {len(plain)} epochs" in summary(plain)
    # the single point solutions written take the run's own mask (RTKLIB out-outsingle runs pntpos with
    # pos1-elmask): as kompas spp with that mask gives them
    high = _run(rov, base, nav, "GE", output_single=True, elmask_deg=25.0)
    spp25 = kompas.spp(rov, nav, systems="GE", elmask_deg=25.0)
    spp10 = kompas.spp(rov, nav, systems="GE", elmask_deg=10.0)
    assert (high.quality[11:15] == kompas.Quality.SINGLE).all()
    assert np.array_equal(high.nsat[11:15], spp25.nsat[11:15])
    assert (spp10.nsat[11:15] > spp25.nsat[11:15]).any()


def test_the_rovers_single_point_solutions_are_computed_where_a_base_epoch_is(monkeypatch):
    # a rover longer than its base: its a priori positions are solved on the epochs the base serves alone,
    # unless every epoch is written (output_single); the relative solutions do not change
    spp_module = importlib.import_module("kompas.spp")  # the module, not the function kompas.spp
    rov, base, nav, _ = _baseline("GE", (300.0, 400.0, 10.0), errors=False, hours=0.25)
    base = base.epochs(0, 10)
    solved, real = [], spp_module.spp
    monkeypatch.setattr(spp_module, "spp", lambda obs, *a, **k: solved.append(obs.n_epochs) or real(obs, *a, **k))  # fmt: skip
    plain = _run(rov, base, nav, "GE")
    assert solved == [11]  # base epochs 0-9, and epoch 10 with the base 30 s old
    single = _run(rov, base, nav, "GE", output_single=True)
    assert solved[1:] == [rov.n_epochs] * 2  # a priori (10 deg mask), then the written ones (15 deg)
    assert (plain.quality[:11] != kompas.Quality.NONE).all()
    assert (plain.quality[11:] == kompas.Quality.NONE).all()
    np.testing.assert_allclose(plain.pos_m[:11], single.pos_m[:11], rtol=0, atol=1e-6)  # see the test above
    assert np.array_equal(plain.quality[:11], single.quality[:11])


def test_a_base_position_far_from_the_base_header_is_named():
    # a user's base position 1.2 km from the header's APPROX POSITION XYZ (another station's coordinates, a
    # typing error): a warning and a note; 50 m off (a rough header) passes in silence
    import warnings

    rov, base, nav, _ = _baseline("GE", (300.0, 400.0, 10.0), errors=False, hours=0.05)
    assert np.linalg.norm(base.station.approx_position_m - BASE) < 10.0  # the simulator's header: 3 m off
    far = BASE + np.array([1200.0, 0.0, 0.0])
    with pytest.warns(KompasWarning, match=r"the base position given is 1\.200 km from the base header"):
        sol = kompas.rtk(rov, base, nav, systems="GE", base_position=" ".join(map(str, far)))
    assert any("1.200 km from the base header's APPROX POSITION XYZ" in n for n in sol.record.notes)
    near = BASE + np.array([50.0, 0.0, 0.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error", KompasWarning)
        sol = kompas.rtk(rov, base, nav, systems="GE", base_position=" ".join(map(str, near)))
    assert not any("APPROX POSITION" in n for n in sol.record.notes)


def test_a_base_satellite_without_code_is_left_out_and_named(monkeypatch):
    """A satellite whose base rows carry phase but no code has no transmission time at the base, so no
    satellite state there: its rows are not paired (an unknown state at one end would make every term of
    the single difference NaN), it is named among the unserved satellites and the others fix as before."""
    from kompas import rtk_run
    from kompas.satsys import sat_id

    rov, base, nav, truth = _baseline("G", (300.0, 400.0, 10.0), errors=False, hours=0.25)
    sat = int(np.bincount(base.sat).argmax())
    base = dataclasses.replace(base, code_m=np.where(base.sat == sat, np.nan, base.code_m))
    seen = {}
    real_prepare = rtk_run.prepare_baseline
    monkeypatch.setattr(rtk_run, "prepare_baseline", lambda *a: seen.setdefault("bd", real_prepare(*a)))
    sol = _run(rov, base, nav, "G", **{"models.tropo": "off"})
    bd = seen["bd"]
    assert sat in rov.sat and sat not in bd.sat
    assert str(sat_id(sat)) in bd.unserved
    assert np.isfinite(bd.range_b).all() and np.isfinite(bd.clock_sd_m).all()
    fixed = sol.quality == kompas.Quality.FIX
    assert fixed[15:].all() and np.abs(ecef_to_enu(sol.pos_m[fixed], truth)).max() < 1e-3  # 7 satellites left


@pytest.mark.parametrize("use_lli", [True, False])
def test_the_slip_options_apply_to_the_rover_and_the_base(monkeypatch, use_lli):
    """A loss-of-lock indicator without a slip behind it starts a new arc only while ``slips.use_lli``
    holds, on either receiver."""
    from kompas import rtk_run

    rov, base, nav, _ = _baseline("G", (300.0, 400.0, 10.0), errors=False, hours=0.25)
    sat = int(np.bincount(base.sat).argmax())
    t_lli = np.unique(rov.time_ns)[12]
    rov = dataclasses.replace(
        rov, lli=np.where((rov.sat == sat) & (rov.time_ns == t_lli), 1, rov.lli).astype(np.uint8)
    )
    t_lli_b = np.unique(base.time_ns)[20]
    base = dataclasses.replace(
        base, lli=np.where((base.sat == sat) & (base.time_ns == t_lli_b), 1, base.lli).astype(np.uint8)
    )
    seen = {}
    real_prepare = rtk_run.prepare_baseline
    monkeypatch.setattr(rtk_run, "prepare_baseline", lambda *a: seen.setdefault("bd", real_prepare(*a)))
    _run(rov, base, nav, "G", **{"models.tropo": "off", "slips.use_lli": use_lli})
    bd = seen["bd"]
    mine = bd.sat == sat
    epoch = bd.row_epoch()
    later = mine & (epoch > 0)  # the first epoch starts every arc
    flagged = set(bd.time_ns[epoch[later & bd.slip.any(axis=1)]].tolist())
    assert flagged == ({int(t_lli), int(t_lli_b)} if use_lli else set())


def test_a_base_of_one_epoch_serves_the_rover_epoch_it_matches():
    """A base file (or window) of a single epoch pairs with the simultaneous rover epoch (it raised an
    IndexError in the epoch matching before)."""
    rov, base, nav, truth = _baseline("GE", (300.0, 400.0, 10.0), errors=False, hours=0.25)
    sol = _run(rov, base.take_epochs(np.array([6])), nav, "GE", **{"models.tropo": "off", "max_age_s": 0.0})
    solved = np.flatnonzero(sol.quality > 0)
    assert solved.tolist() == [6]
    assert np.abs(ecef_to_enu(sol.pos_m[6], truth)).max() < 0.5  # one epoch: float, code-level


def test_a_baseline_without_usable_pairs_names_what_is_missing():
    from kompas.errors import EstimatorError, SignalError

    rov, base, nav, _ = _baseline("G", (300.0, 400.0, 10.0), errors=False, hours=0.1)
    sats = np.unique(rov.sat)
    half = len(sats) // 2
    with pytest.raises(EstimatorError, match="observe no satellite of G at a common epoch"):
        _run(rov.select(sats=sats[:half]), base.select(sats=sats[half:]), nav, "G")
    no_code = dataclasses.replace(base, code_m=np.full_like(base.code_m, np.nan))
    with pytest.raises(EstimatorError, match="has a pseudorange at both"):
        _run(rov, no_code, nav, "G")
    with pytest.raises(
        SignalError, match=r"among the --signals/--bands asked for \(rover phases: G 1C 2[A-Z] "
    ):
        _run(rov, base, nav, "G", signals={"G": ("1X",)})


def test_an_empty_observation_table_is_named_as_such():
    """A file without epochs is not an empty processing window (no --start/--end was given)."""
    from kompas.errors import TimeError

    rov, base, nav, _ = _baseline("G", (300.0, 400.0, 10.0), errors=False, hours=0.1)
    with pytest.raises(TimeError, match="^the base has no epochs$"):
        _run(rov, base.take_epochs(np.zeros(0, np.int64)), nav, "G")
    with pytest.raises(TimeError, match="^the rover has no epochs$"):
        _run(rov.take_epochs(np.zeros(0, np.int64)), base, nav, "G")
    with pytest.raises(TimeError, match="^the observation file has no epochs$"):
        kompas.ppp(rov.take_epochs(np.zeros(0, np.int64)), nav)
    with pytest.raises(TimeError, match="^the observation file has no epochs$"):
        kompas.run_qc(rov.take_epochs(np.zeros(0, np.int64)), nav)


def test_ionosphere_and_zenith_delay_states_follow_the_baseline_in_auto_mode():
    """``models.iono``/``models.ztd`` = auto: from the median SPP rover position, slant ionosphere states
    beyond ``iono_km``, a relative zenith delay beyond ``ztd_km`` or ``ztd_dh_m``; without any rover
    position the base stands in for it (a zero baseline, not NaN)."""
    from kompas.rtk import RtkConfig, _setup

    rov, base, _, _ = _baseline("G", (300.0, 400.0, 10.0), errors=False, hours=0.1)
    cfg = RtkConfig()
    m = cfg.models

    def setup(enu):
        return _setup(cfg, rov, base, BASE, np.array([enu_to_ecef(np.asarray(enu, float), BASE)] * 3))

    far = setup((1e3 * (max(m.iono_km, m.ztd_km) + 5.0), 0.0, 0.0))
    assert far.iono and far.ztd and far.mapping is not None
    near = setup((100.0, 0.0, 0.0))
    assert not near.iono and not near.ztd and near.mapping is None
    assert setup((100.0, 0.0, m.ztd_dh_m + 50.0)).ztd
    unknown = _setup(cfg, rov, base, BASE, np.full((3, 3), np.nan))
    assert unknown.baseline_km == 0.0 and not unknown.iono and not unknown.ztd
    # est and off: whatever the baseline
    cfg = RtkConfig().replace(**{"models.iono": "est", "models.ztd": "est"})
    assert setup((100.0, 0.0, 0.0)).iono and setup((100.0, 0.0, 0.0)).ztd
    cfg = RtkConfig().replace(**{"models.iono": "off", "models.ztd": "off"})
    assert not setup((1e3 * (max(m.iono_km, m.ztd_km) + 5.0), 0.0, 0.0)).iono
    assert not setup((1e3 * (max(m.iono_km, m.ztd_km) + 5.0), 0.0, 0.0)).ztd


def test_progress_is_reported_every_60_epochs_of_each_pass():
    rov, base, nav, _ = _baseline("G", (300.0, 400.0, 10.0), errors=False)  # 120 epochs
    calls = []
    _run(rov, base, nav, "G", ppk=True, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(60, 240), (120, 240), (180, 240), (240, 240), (240, 240)]  # forward, backward, the end


def test_the_single_point_solutions_inside_rtk_silence_only_kompas_notes(monkeypatch):
    import importlib
    import warnings

    from kompas.errors import KompasWarning

    spp_module = importlib.import_module("kompas.spp")  # the module (kompas.spp is also the function)

    rov, base, nav, _ = _baseline("G", (300.0, 400.0, 10.0), errors=False, hours=0.1)
    real = spp_module.spp

    def noisy(*a, **k):
        warnings.warn(KompasWarning("an ionosphere note of SPP"), stacklevel=2)
        warnings.warn(RuntimeWarning("something else"), stacklevel=2)
        return real(*a, **k)

    monkeypatch.setattr(spp_module, "spp", noisy)
    for base_position in (" ".join(map(str, BASE)), "spp"):  # the rover's SPP, and the base's too
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            kompas.rtk(rov, base, nav, systems="G", base_position=base_position)
        said = [str(w.message) for w in caught]
        assert "something else" in said and "an ionosphere note of SPP" not in said
        assert said.count("something else") == (1 if base_position != "spp" else 2)


def test_the_filter_starts_each_epoch_s_integer_searches_from_the_last_epoch_s(monkeypatch):
    """RtkFilter keeps its LAMBDA reductions for the next epoch (rtk_ar.ReductionMemo): most searches of
    a steady baseline start warm, and the solution is the one from reductions made from scratch."""
    import kompas.estimators.rtk_ar as rtk_ar

    # 12 km, ionosphere estimated, continuous AR (no hold): a search every epoch
    rov, base, nav, _ = _baseline("GC", (8000.0, 9000.0, 30.0), errors=True, hours=0.5)
    opts = {"ar.armode": "continuous"}
    starts = []
    real = rtk_ar.lambda_ils

    def ils(a, Q, m=2, start=None):
        starts.append(start is not None)
        return real(a, Q, m=m, start=start)

    monkeypatch.setattr(rtk_ar, "lambda_ils", ils)
    warm = _run(rov, base, nav, "GC", **opts)
    assert len(starts) > 50 and np.mean(starts) > 0.6, (len(starts), np.mean(starts))  # 111, 0.77
    monkeypatch.setattr(rtk_ar.ReductionMemo, "start", lambda self, key: None)
    starts.clear()
    cold = _run(rov, base, nav, "GC", **opts)
    assert len(starts) > 50 and not any(starts)
    np.testing.assert_array_equal(warm.quality, cold.quality)
    np.testing.assert_allclose(warm.pos_m, cold.pos_m, rtol=0, atol=1e-6)
    np.testing.assert_allclose(warm.ratio, cold.ratio, rtol=1e-6)
