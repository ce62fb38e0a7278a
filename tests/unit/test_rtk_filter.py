"""The RTK filter step by step on noise-free single differences built by hand (one GPS band, 8 satellites)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from kompas.estimators.rtk import FilterSetup, RtkFilter, _counts, _nan_to_num, _precise
from kompas.estimators.rtk_model import EpochInput
from kompas.estimators.rtk_options import ArOptions, GlonassOptions, RtkNoise
from kompas.measurement import line_of_sight

LAM_L1 = 299792458.0 / 1575.42e6  # IS-GPS-200 sec. 3.3.1.1: L1 = 1575.42 MHz
BASE = np.array([-2148744.0, 4426641.0, 4044655.0])
ROVER = BASE + np.array([12.0, -7.0, 5.0])
N_SD = np.array([5, -3, 12, 7, -8, 2, 9, -4], float)  # single-difference ambiguities, cycles


def _sky(rcv):
    """Satellites 22 000 km away at elevations 85..20 degrees (satellite 101 highest: the reference)."""
    up = rcv / np.linalg.norm(rcv)
    east = np.cross([0.0, 0.0, 1.0], up)
    east /= np.linalg.norm(east)
    north = np.cross(up, east)
    el = np.radians([85, 60, 50, 40, 35, 30, 25, 20])
    az = np.radians([0, 45, 100, 160, 210, 260, 300, 340])
    d = np.sin(el)[:, None] * up + (np.cos(el) * np.sin(az))[:, None] * east
    d += (np.cos(el) * np.cos(az))[:, None] * north
    return rcv + 2.2e7 * d


SATPOS = _sky(BASE)


def _epoch(k, zwd=0.0, mapping=None, phase_err=0.0, prior=ROVER + 0.5, iono=0.0, iono0=0.0, code_err=0.0):
    """Epoch ``k`` (1 s apart): exact single differences, plus a relative wet delay ``zwd`` mapped by
    ``mapping``, phase and code errors ``phase_err`` and ``code_err`` and single-difference slant ionosphere
    ``iono`` (m, delaying code, advancing phase) whose prior is ``iono0``."""
    m = SATPOS.shape[0]
    sys = np.ones(m, np.int64)
    gb = line_of_sight(SATPOS[None], BASE[None], sys[None])
    gr = line_of_sight(SATPOS[None], ROVER[None], sys[None])
    sd = gr["range_m"][0] - gb["range_m"][0]
    if zwd:
        sd = sd + zwd * mapping(gr["llh"][0], gr["el"][0])
    return EpochInput(
        t_ns=k * 1_000_000_000,
        sat=np.arange(m) + 101,
        sys=sys,
        satpos=SATPOS,
        range_b=gb["range_m"][0],
        trop_b=np.zeros(m),
        el=gb["el"][0],
        iono0=np.broadcast_to(np.asarray(iono0, float), (m,)).copy(),
        geo=np.zeros(m, bool),
        cs=np.arange(m),
        key=np.arange(m) + 100,
        group=np.ones(m, np.int64),
        band=np.ones(m, np.int64),
        code=sd + iono + code_err,
        phase=sd - iono + LAM_L1 * N_SD + phase_err,
        lam=np.full(m, LAM_L1),
        mu=np.ones(m),
        k=np.zeros(m),
        fdma=np.zeros(m, bool),
        slip=np.zeros(m, bool),
        ant=np.zeros(m),
        prior_pos=np.asarray(prior, float),
    )


def _filter(noise=None, armode="off", **setup):
    return RtkFilter(noise or RtkNoise(), ArOptions(armode=armode), GlonassOptions(), FilterSetup(**setup))


def test_no_solution_before_a_position_prior():
    f = _filter(tropo=False)
    r = f.step(_epoch(0, prior=np.full(3, np.nan)))
    assert not r.ok and r.t_ns == 0 and not r.fixed
    assert r.pos.dtype == np.float64 and np.isnan(r.pos).all()
    assert r.cov.shape == (3, 3) and np.isnan(r.cov).all()


def test_relative_zenith_delay_is_estimated():
    # 10 cm of relative wet delay mapped by 1/sin(el): with the zenith-delay state the first epoch (precise
    # code, code_ratio 1) recovers it and the position to millimetres; without it the position is biased
    def mapping(llh, el):
        return 1.0 / np.sin(el)

    f = _filter(RtkNoise(code_ratio=1.0), tropo=False, ztd=True, mapping=mapping)
    r = f.step(_epoch(0, zwd=0.1, mapping=mapping))
    assert r.ok and np.linalg.norm(r.pos - ROVER) < 0.005
    assert f.x[f.index["ztd"]] == pytest.approx(0.1, abs=0.005)
    g = _filter(RtkNoise(code_ratio=1.0), tropo=False)
    assert np.linalg.norm(g.step(_epoch(0, zwd=0.1, mapping=mapping)).pos - ROVER) > 0.05


def test_slant_ionosphere_states_start_from_their_prior():
    # single-difference ionosphere of a long baseline (m); the first epoch's code alone determines the
    # position only as well as the prior of those states: exact with the true prior (the broadcast model's
    # difference, kompas.rtk_run.iono_prior), biased by centimetres with zero (RTKLIB's start)
    ion = np.array([0.0, 0.05, -0.10, 0.15, 0.08, -0.12, 0.20, -0.05])
    f = _filter(RtkNoise(code_ratio=1.0), tropo=False, iono=True, baseline_km=20.0)
    r = f.step(_epoch(0, iono=ion, iono0=ion))
    assert r.ok and np.linalg.norm(r.pos - ROVER) < 1e-3
    got = np.array([f.x[f.index[f"ion:{s}"]] for s in range(101, 109)])
    np.testing.assert_allclose(got, ion, atol=1e-3)
    g = _filter(RtkNoise(code_ratio=1.0), tropo=False, iono=True, baseline_km=20.0)
    assert np.linalg.norm(g.step(_epoch(0, iono=ion)).pos - ROVER) > 0.02


def _locks(f):
    return {k: a["lock"] for k, a in f.arcs.items()}


def test_phase_error_below_the_outlier_floor_is_not_a_slip():
    # static, 1 mm phase noise: after five epochs a 3 cm error on satellite 105 exceeds five sigmas of its
    # double difference but not outlier_phase_m (5 cm): the arc is kept, the error stays in its residual;
    # 8 cm is beyond both: that arc is reset, the others keep their lock
    noise = RtkNoise(phase_m=0.001, phase_el_m=0.001)
    for err, reset in ((0.03, False), (0.08, True)):
        f = _filter(noise, tropo=False, static=True)
        for k in range(5):
            f.step(_epoch(k))
        r = f.step(_epoch(5, phase_err=np.where(np.arange(8) == 4, err, 0.0)))
        locks = _locks(f)
        assert (locks.pop(104) == 0) == reset
        assert set(locks.values()) == {6}
        if not reset:
            ph = r.residuals["kind"] == 0
            res = dict(zip(r.residuals["sat"][ph].tolist(), r.residuals["residual_m"][ph], strict=True))
            assert 0.02 < res[105] <= 0.03 and max(abs(res[s]) for s in res if s != 105) < 1e-3


@pytest.mark.parametrize(("cell", "cycles"), [(0, 10), (7, 10), (4, -5), (4, 2)])
def test_an_unflagged_jump_resets_its_own_arc(cell, cycles):
    # kinematic float filter, 20 clean epochs, then a jump of whole cycles on one satellite without a slip
    # flag: data snooping blames that satellite's arc (cell 0 is the reference, whose error enters every
    # double difference) and the position stays at the millimetre; judging each double difference by
    # itself had blamed the reference for every jump of two cycles or more and left the rover 0.3-3 m off
    f = _filter(tropo=False)
    for k in range(20):
        f.step(_epoch(k))
    r = f.step(_epoch(20, phase_err=np.where(np.arange(8) == cell, cycles * LAM_L1, 0.0)))
    locks = _locks(f)
    assert locks.pop(100 + cell) == 0
    assert set(locks.values()) == {21}
    assert np.linalg.norm(r.pos - ROVER) < 0.01


def test_residuals_of_phase_and_code_double_differences():
    # a 0.4 m code error on satellite 105 (below five sigmas of its double difference, so not screened out)
    # stays in that satellite's code residual; the phases fit; satellite 101, the highest, is the reference
    f = _filter(RtkNoise(phase_m=0.001, phase_el_m=0.001), tropo=False, static=True)
    for k in range(5):
        f.step(_epoch(k))
    res = f.step(_epoch(5, code_err=np.where(np.arange(8) == 4, 0.4, 0.0))).residuals
    phase, code = res["kind"] == 0, res["kind"] == 1
    assert phase.sum() == code.sum() == 7 and set(res["ref"].tolist()) == {101}
    c = dict(zip(res["sat"][code].tolist(), res["residual_m"][code], strict=True))
    assert 0.3 < c[105] <= 0.4 and max(abs(c[s]) for s in c if s != 105) < 0.1
    assert np.max(np.abs(res["residual_m"][phase])) < 1e-3
    el = np.degrees(res["elevation_rad"][phase])
    assert np.allclose(el, [60, 50, 40, 35, 30, 25, 20], atol=0.3)


def test_wrong_fix_guard_needs_held_ambiguities():
    # one-cycle jumps on three of seven double differences (>= 30 %): without held ambiguities this is not
    # a wrong fix, the filter repairs arcs one at a time and never resets them all
    f = _filter(tropo=False)
    for k in range(20):
        f.step(_epoch(k))
    r = f.step(_epoch(20, phase_err=np.where(np.isin(np.arange(8), [3, 5, 6]), LAM_L1, 0.0)))
    assert r.event == ""
    assert sum(lock == 21 for lock in _locks(f).values()) >= 4


def test_fixed_position_precision_horizontal_and_vertical():
    # on the equator at longitude 0, ECEF x is up, y east, z north
    pos = np.array([6378137.0, 0.0, 0.0])
    assert _precise(np.diag([0.0064, 0.001, 0.001]), pos, 0.05)  # horizontal 4.5 cm, vertical 8 cm
    assert not _precise(np.diag([0.0064, 0.0015, 0.0015]), pos, 0.05)  # horizontal 5.5 cm
    assert not _precise(np.diag([0.0121, 0.001, 0.001]), pos, 0.05)  # vertical 11 cm > 2 x 5 cm


@pytest.mark.parametrize(("cell", "epoch", "error"), [(4, 0, 30.0), (4, 20, 30.0), (0, 0, 30.0), (7, 20, 30.0),
                                                     (4, 0, 10.0)])  # fmt: skip
def test_an_outlying_code_is_left_out_of_its_epoch(cell, epoch, error):
    # 30 m on one code (the reference's when cell 0), at the first epoch (code alone fixes the position)
    # or after 20 clean ones: data snooping leaves out that code and no other, and the position stays at
    # the centimetre; judging each double difference by itself had blamed the reference for most of
    # these and left the first epoch 2.8 m off. (Detection is per double difference against its a-priori
    # noise: at the first epoch 10 m is found, 8 m not -- the rover is then 3.4 m off.)
    f = _filter(tropo=False)
    for k in range(epoch):
        f.step(_epoch(k))
    r = f.step(_epoch(epoch, code_err=np.where(np.arange(8) == cell, error, 0.0)))
    assert np.linalg.norm(r.pos - ROVER) < 0.01
    code = r.residuals["kind"] == 1
    res = dict(zip(r.residuals["sat"][code].tolist(), r.residuals["residual_m"][code], strict=True))
    assert len(res) == 6 and 101 + cell not in res  # its double difference is gone (the reference: its
    assert max(abs(v) for v in res.values()) < 0.01  # group's next highest serves); the others fit


def test_an_outlying_code_without_a_phase_is_left_out():
    # satellite 105 never has a carrier phase (no ambiguity arc) and its code is 30 m off at epoch 20: that
    # code is left out and the position stays at the millimetre
    def no_phase(e):
        return dataclasses.replace(e, phase=np.where(np.arange(8) == 4, np.nan, e.phase))

    f = _filter(tropo=False)
    for k in range(20):
        f.step(no_phase(_epoch(k)))
    r = f.step(no_phase(_epoch(20, code_err=np.where(np.arange(8) == 4, 30.0, 0.0))))
    assert np.linalg.norm(r.pos - ROVER) < 0.01
    code = r.residuals["kind"] == 1
    assert code.sum() == 6 and 105 not in r.residuals["sat"][code].tolist()


def _code_missing(e, cells, cycles=0.0, flag=False):
    """Epoch ``e`` without the pseudoranges of ``cells``, their phases jumped by ``cycles`` (flagged or not)."""
    code, phase, slip = e.code.copy(), e.phase.copy(), e.slip.copy()
    code[cells] = np.nan
    phase[cells] += cycles * LAM_L1
    slip[cells] = flag
    return dataclasses.replace(e, code=code, phase=phase, slip=slip)


@pytest.mark.parametrize("static", [True, False])
@pytest.mark.parametrize("flagged", [True, False])
def test_a_slip_of_a_phase_without_code_ends_its_arc(static, flagged):
    # a slip where the receiver gave the phase but no pseudorange (reacquisition): the arc cannot restart
    # from phase minus code, so it ends (flagged: at once; unflagged: when the screening blames it or the
    # wrong-fix guard resets every arc) and the phase waits for a code. Restarting it from phase minus the
    # missing code put NaN into the state, and every later epoch of the pass was NaN.
    f = _filter(armode="fix-and-hold", tropo=False, static=static)
    for k in range(6):
        assert f.step(_epoch(k)).ok
    r = f.step(_code_missing(_epoch(6), [3], 7.0, flagged))
    assert r.ok and np.isfinite(f.x).all() and np.isfinite(f.P).all()
    assert 103 not in f.arcs and not any(n.startswith("amb:") and n.endswith(":67") for n in f.index)
    assert np.linalg.norm((r.fix_pos if r.fixed else r.pos) - ROVER) < 0.005
    shifted = _epoch(7)
    shifted = dataclasses.replace(
        shifted, phase=shifted.phase + np.where(np.arange(8) == 3, 7.0 * LAM_L1, 0.0)
    )
    r = f.step(shifted)  # the code is back: a new arc starts from phase minus code
    assert f.arcs[103]["lock"] == 1 and np.isfinite(f.x).all()
    assert np.linalg.norm((r.fix_pos if r.fixed else r.pos) - ROVER) < 0.005


def test_a_phase_without_code_continues_its_arc():
    # no pseudorange on satellite 104 for longer than max_gap_s, its phase continuous: the arc goes on (it
    # was dropped as unseen although its phase was in use, and no arc can start without a code)
    f = _filter(armode="fix-and-hold", tropo=False, max_gap_s=3.0)
    for k in range(6):
        f.step(_epoch(k))
    name, lock = f.arcs[103]["name"], f.arcs[103]["lock"]
    for k in range(6, 12):
        r = f.step(_code_missing(_epoch(k), [3]))
        assert r.fixed and np.linalg.norm(r.fix_pos - ROVER) < 1e-3
    assert f.arcs[103]["name"] == name and f.arcs[103]["lock"] == lock + 6 and name in f.index


def test_a_code_error_within_five_sigmas_is_kept():
    # 5 m on satellite 105's code (35 deg; with the reference at 85 deg its double difference has 1.04 m
    # of code noise at the default code/phase ratio of 100): below outlier_sigma = 5 of that noise (5.2 m),
    # so the code stays in; 6 m is beyond and is left out
    for error, kept in ((5.0, True), (6.0, False)):
        f = _filter(tropo=False)
        for k in range(20):
            f.step(_epoch(k))
        r = f.step(_epoch(20, code_err=np.where(np.arange(8) == 4, error, 0.0)))
        code = r.residuals["kind"] == 1
        assert (105 in r.residuals["sat"][code].tolist()) == kept


@pytest.mark.parametrize("ztd_m", [0.3, 0.5])
def test_zenith_delay_state_starts_with_its_option_as_sigma(ztd_m):
    f = _filter(RtkNoise(ztd_m=ztd_m), ztd=True)
    c = f.index["ztd"]
    assert f.x[c] == 0.0 and f.P[c, c] == pytest.approx(ztd_m**2)
    assert "ztd" not in _filter().index


def test_nan_to_num_is_numpys_bit_for_bit():
    x = np.array([np.nan, np.inf, -np.inf, -0.0, 0.0, 1.5, -2.25e300, 5e-324, -np.nan])
    assert _nan_to_num(x).tobytes() == np.nan_to_num(x).tobytes()


def test_counts_per_system_code_in_ascending_order():
    codes = np.array([3, 1, 3, 2, 1, 3], np.int64)
    assert list(_counts(codes).items()) == [(1, 2), (2, 1), (3, 3)]
    assert _counts(np.zeros(0, np.int64)) == {}
