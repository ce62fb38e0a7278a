"""Pieces of the precise measurement model (kompas.ppp_model) on simulated rows and by hand."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import kompas
from kompas import gtime_from_calendar
from kompas.models.tides import pole_tide, solid_earth_tide
from kompas.ppp_model import (
    SOURCE_PRECISE,
    ModelInputs,
    ModelSwitches,
    satellite_states,
    station_displacement,
)
from kompas.products.precise import PreciseProduct
from kompas.sim import simulate, write_products

TRUTH = np.array([4075580.3111, 931854.0543, 4801568.2808])
START = int(gtime_from_calendar(2024, 3, 1, 0, 0, 0))


@pytest.fixture(scope="module")
def sim_gps(tmp_path_factory):
    res = simulate(TRUTH, START, hours=0.25, interval_s=30.0, systems="G", errors="none", seed=5)
    tmp = tmp_path_factory.mktemp("products")
    sats = np.unique(res.obs.sat)
    write_products(
        res.truth, sats, START, START + int(0.5 * 3600e9), sp3_path=tmp / "S.sp3", clk_path=tmp / "S.clk"
    )
    product = PreciseProduct(kompas.read_sp3(tmp / "S.sp3"), kompas.read_clk(tmp / "S.clk"))
    return res.obs.observables({"G": (1, 2)}), product


def test_transmission_time_from_the_second_band_where_the_first_has_no_code(sim_gps):
    """A row whose first band lost its code is timed with the second band's code, not left without a
    state: the two codes differ by metres (ionosphere, group delays), i.e. by tens of nanoseconds of
    transmission time and micrometres of orbit."""
    ob, product = sim_gps
    rows = np.flatnonzero(np.isfinite(ob.code_m).all(axis=1))
    t_rx = ob.epoch_time_ns[ob.epoch[rows]]
    inputs = ModelInputs(precise=product)
    pos, _, clk, _, src = satellite_states(ob, rows, t_rx, inputs, relativity=True)
    assert np.all(src == SOURCE_PRECISE)
    code = ob.code_m.copy()
    lost = rows[::3]
    code[lost, 0] = np.nan
    pos2, _, clk2, _, src2 = satellite_states(dataclasses.replace(ob, code_m=code), rows, t_rx, inputs, True)
    assert np.all(src2 == SOURCE_PRECISE)
    assert np.abs(pos2 - pos).max() < 1e-3 and np.abs(clk2 - clk).max() < 1e-12
    # without any code there is no transmission time: no state
    code[lost, 1] = np.nan
    *_, src3 = satellite_states(dataclasses.replace(ob, code_m=code), rows, t_rx, inputs, True)
    assert np.all(src3[np.isin(rows, lost)] == 0) and np.all(src3[~np.isin(rows, lost)] == SOURCE_PRECISE)


def test_station_displacement_sums_the_switched_terms_at_the_marker():
    t = START + np.arange(0, 86400, 3600, dtype=np.int64) * 10**9
    apriori = np.broadcast_to(TRUTH, (t.size, 3)).copy()
    from kompas.models.attitude import sun_position_ecef
    from kompas.models.ephemeris import moon_position_ecef

    sun, moon = sun_position_ecef(t), moon_position_ecef(t)
    pole_only = ModelSwitches(solid_tide=False, ocean_loading=False)
    inputs = ModelInputs(polar_motion_arcsec=(0.25, 0.40))
    d = station_displacement(t, apriori, pole_only, inputs, sun, moon)
    expect = pole_tide(apriori, t, 0.25, 0.40)
    assert np.linalg.norm(expect, axis=-1).min() > 4e-3  # 0.2-0.3 arcsec from the mean pole: ~5 mm
    assert np.allclose(d, expect, rtol=0, atol=1e-12)
    # without polar motion the pole tide is zero; the solid tide adds where it is switched on
    assert not np.any(station_displacement(t, apriori, pole_only, ModelInputs(), sun, moon))
    both = station_displacement(t, apriori, ModelSwitches(ocean_loading=False), inputs, sun, moon)
    assert np.allclose(both, expect + solid_earth_tide(apriori, sun, moon, t), rtol=0, atol=1e-12)
    off = station_displacement(
        t, apriori, ModelSwitches(solid_tide=False, pole_tide=False), inputs, sun, moon
    )
    assert not np.any(off)


def test_cell_frequencies_drop_glonass_slots_without_a_channel_and_name_them():
    from kompas.ppp_model import cell_frequencies
    from kompas.satsys import GlonassChannels

    res = simulate(TRUTH, START, hours=0.1, interval_s=30.0, systems="GR", errors="none", seed=5)
    ob = res.obs.observables({"G": (1, 2), "R": (1, 2)})
    chans = res.obs.header.glonass_channels
    glo_slots = sorted({int(s[1:]) for s in np.unique(kompas.sat_id(ob.sat)) if s.startswith("R")})
    lost = glo_slots[0]
    partial = GlonassChannels({k: chans.channel(np.array([k]))[0] for k in glo_slots[1:]})
    notes = []
    f = cell_frequencies(ob, partial, notes)
    rows = kompas.sat_id(ob.sat) == f"R{lost:02d}"
    assert np.isnan(f[rows]).all() and np.isfinite(f[~rows & np.isfinite(ob.code_m[:, 0])][:, 0]).all()
    assert notes == [f"GLONASS slots without a known channel dropped: R{lost:02d}"]
    notes = []
    f = cell_frequencies(ob, None, notes)
    glo = np.char.startswith(kompas.sat_id(ob.sat).astype(str), "R")
    assert np.isnan(f[glo]).all() and notes == [
        "GLONASS observations dropped: no frequency channels (RINEX header or navigation data)"
    ]
    notes = []
    assert np.isfinite(cell_frequencies(ob, chans, notes)[glo & np.isfinite(ob.code_m[:, 0]), 0]).all()
    assert notes == []


def test_uncombined_ionosphere_starts_from_the_first_two_codes_of_each_row():
    from kompas.ppp import _iono_start

    mu = np.tile([1.0, 1.6469, 1.7933], (4, 1))  # (f_ref / f)^2 of L1, L2, L5
    iono = np.array([3.0, 5.0, 7.0, 9.0])  # slant delay on the reference band, m
    code = 2.2e7 + mu * iono[:, None]
    code[0, 2] += 1.0  # a third code that disagrees: the first two serve
    code[1, 0] = np.nan  # bands 2 and 3
    code[2, 1] = np.nan  # bands 1 and 3
    code[3, 1:] = np.nan  # one code: no start, 0
    np.testing.assert_allclose(_iono_start(code, mu), [3.0, 5.0, 7.0, 0.0], atol=1e-6)


@pytest.mark.parametrize(("mode", "one_hour", "six_hours"), [("on", True, True), ("off", False, False),
                                                             ("auto", False, True)])  # fmt: skip
def test_gradients_follow_the_option_and_in_auto_mode_the_session_length(mode, one_hour, six_hours):
    from kompas.ppp_config import GRADIENT_MIN_SPAN_S, gradients_on

    cfg = kompas.PppConfig().replace(**{"models.gradients": mode})
    assert GRADIENT_MIN_SPAN_S == 6 * 3600.0
    assert gradients_on(cfg, 3600.0) is one_hour and gradients_on(cfg, 6 * 3600.0) is six_hours
    assert gradients_on(cfg, 6 * 3600.0 - 30.0) is (mode == "on")


def test_combined_passes_are_fixed_where_both_passes_are():
    from types import SimpleNamespace

    from kompas.ppp import _final_positions

    def one_pass(ok, fixed, offset):
        n = ok.size
        pos = np.tile([1.0, 2.0, 3.0], (n, 1)) + offset
        fixed_pos = np.where(fixed[:, None], pos - offset, np.nan)
        cov = np.tile(np.eye(3) * 1e-2, (n, 1, 1))
        return SimpleNamespace(ok=ok, pos=pos, cov=cov, fixed_pos=fixed_pos, fixed_cov=cov * 1e-4)

    ok_f, ok_b = np.array([True, True, True, False]), np.array([False, True, True, True])
    fwd = one_pass(ok_f, np.array([True, True, False, False]), 0.1)
    bwd = one_pass(ok_b, np.array([False, True, True, False]), -0.1)
    pos, _, solved, fixed = _final_positions({"forward": fwd, "backward": bwd}, "combined")
    assert solved.tolist() == [True, True, True, True] and fixed.tolist() == [False, True, False, False]
    np.testing.assert_allclose(pos[1], [1.0, 2.0, 3.0])  # both fixed positions
    assert _final_positions({"forward": fwd}, "forward")[3].tolist() == [True, True, False, False]


def test_satellite_antenna_blocks_change_within_a_day(tmp_path):
    # ANTEX 1.4 VALID FROM / VALID UNTIL: a PRN handed to another satellite at noon takes that
    # satellite's offsets from noon on, whatever row of the day is looked up first
    from test_antex import HEADER, SAT_C19, SAT_C19_OLD, rec, write

    from kompas.ppp_model import _satellite_antennas

    def dated(block, label, content):
        return [rec(content, label) if ln.endswith(label.ljust(20)) else ln for ln in block]

    old = dated(SAT_C19_OLD, "VALID UNTIL", "  2018    11    19    11    59   59.9999999")
    new = dated(SAT_C19, "VALID FROM", "  2018    11    19    12     0    0.0000000")
    atx = kompas.read_antex(write(tmp_path, HEADER + new + old))
    hours = (18, 6, 11, 12, 0)
    t = np.array([int(gtime_from_calendar(2018, 11, 19, h, 0, 0)) for h in hours] + [START])
    sats = np.full(t.size, kompas.sat_index("C19"), dtype=np.int16)
    wanted = np.array([True] * 5 + [False])
    ants = _satellite_antennas(sats, t, atx, wanted)
    kinds = [a.type.strip() if a else None for a in ants]
    assert kinds == ["BEIDOU-3M", "BEIDOU-2M", "BEIDOU-2M", "BEIDOU-3M", "BEIDOU-2M", None]
    early = _satellite_antennas(sats[:1], np.array([int(gtime_from_calendar(2010, 1, 1))]), atx, wanted[:1])
    assert early == [None]  # before every block


def test_satellite_antenna_of_overlapping_periods_is_the_one_started_last(tmp_path):
    # Antex.satellite's choice: where validity periods overlap (an old block left open-ended), the block
    # whose period started last serves
    from test_antex import HEADER, SAT_C19, SAT_C19_OLD, write

    from kompas.ppp_model import _satellite_antennas

    open_ended = [ln for ln in SAT_C19_OLD if not ln.endswith("VALID UNTIL".ljust(20))]
    atx = kompas.read_antex(write(tmp_path, HEADER + SAT_C19 + open_ended))
    t = np.array([int(gtime_from_calendar(y, 6, 1)) for y in (2015, 2020)])
    sats = np.full(2, kompas.sat_index("C19"), dtype=np.int16)
    ants = _satellite_antennas(sats, t, atx, np.ones(2, dtype=bool))
    assert [a.type.strip() for a in ants] == ["BEIDOU-2M", "BEIDOU-3M"]
    assert [a.type.strip() for a in ants] == [atx.satellite("C19", int(x)).type.strip() for x in t]


def test_ephemeris_used_names_the_source_of_each_system_used():
    """The .pos header's ephemeris line of a PPP run: per system, where the used rows' orbits and clocks
    came from (it said "Precise" when GLONASS, Galileo and BeiDou all came from broadcast records)."""
    from kompas.ppp_model import SOURCE_BROADCAST, SOURCE_PRECISE, ephemeris_used

    letters = np.array(["G", "G", "E", "R", "C"])
    src = np.array([SOURCE_PRECISE, SOURCE_PRECISE, SOURCE_BROADCAST, SOURCE_BROADCAST, SOURCE_PRECISE])
    used = np.array([True, True, True, True, False])
    assert ephemeris_used(True, src, used, letters) == "precise G, broadcast RE"  # in the order GRECJSI
    assert ephemeris_used(True, src, used & (letters == "G"), letters) == "precise"
    assert ephemeris_used(True, src, used & (letters == "R"), letters) == "broadcast"
    assert ephemeris_used(False, src, used, letters) == "broadcast"
